"""Properties of the MainnetController under random relayer action sequences (Hypothesis).

Whatever the relayer tries (sUSDS deposits, withdrawals and redemptions, Aave deposits and
withdrawals, CCTP transfers, asset transfers, time passing), accepted or refused:

- every rate limit's current level stays within [0, maxAmount];
- a refused action changes nothing;
- value is conserved: USDS supply grows only by sUSDS interest (`sucked`), USDC leaves the
  chain only through CCTP burns (which match the recorded messages), and the proxy never
  receives more USDS out of sUSDS than its shares are worth.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ProtocolError
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_4626_DEPOSIT,
    LIMIT_4626_WITHDRAW,
    LIMIT_AAVE_DEPOSIT,
    LIMIT_AAVE_WITHDRAW,
    LIMIT_ASSET_TRANSFER,
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
)
from sparkprime.protocols.sparklend.addresses import make_addr
from tests.protocols.liquidity_layer.test_controller_helpers import E6, E18, HOUR, Env, fingerprint

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
DEST = make_addr("receiver")

_amount18 = st.integers(min_value=0, max_value=3_000_000 * E18)
_amount6 = st.integers(min_value=0, max_value=3_000_000 * E6)
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("deposit4626"), _amount18),
        st.tuples(st.just("withdraw4626"), _amount18),
        st.tuples(st.just("redeem4626"), _amount18),
        st.tuples(st.just("depositAave"), _amount6),
        st.tuples(st.just("withdrawAave"), _amount6),
        st.tuples(st.just("cctp"), _amount6),
        st.tuples(st.just("transfer"), _amount6),
        st.tuples(st.just("warp"), st.integers(min_value=0, max_value=8 * HOUR)),
    ),
    max_size=15,
)


def _env() -> tuple[Env, list[str]]:
    env = Env()
    keys = {
        make_asset_key(LIMIT_4626_DEPOSIT, env.susds.address): (5_000_000 * E18, 70 * E18),
        make_asset_key(LIMIT_4626_WITHDRAW, env.susds.address): (4_000_000 * E18, 50 * E18),
        make_asset_key(LIMIT_AAVE_DEPOSIT, env.a_usdc): (4_000_000 * E6, 100 * E6),
        make_asset_key(LIMIT_AAVE_WITHDRAW, env.a_usdc): (3_000_000 * E6, 100 * E6),
        LIMIT_USDC_TO_CCTP: (5_000_000 * E6, 60 * E6),
        make_domain_key(LIMIT_USDC_TO_DOMAIN, 6): (2_000_000 * E6, 30 * E6),
        make_asset_destination_key(LIMIT_ASSET_TRANSFER, env.usdc.address, DEST): (E6 * 10**6, 0),
    }
    for key, (max_amount, slope) in keys.items():
        env.set_limit(key, max_amount, slope)
    c = env.controller
    c.set_max_slippage(env.a_usdc, 999 * E18 // 1000, sender=env.admin)
    c.set_max_exchange_rate(env.susds.address, 1, 2, sender=env.admin)
    c.set_mint_recipient(6, make_addr("base/almProxy"), sender=env.admin)
    env.usds.mint(env.proxy.address, 8_000_000 * E18)
    env.usdc.mint(env.proxy.address, 8_000_000 * E6)
    env.cctp.local_minter.limit = 700_000 * E6
    return env, list(keys)


@settings(max_examples=8 * FUZZ, deadline=None)
@given(actions=ACTIONS)
def test_random_relayer_actions(actions: list[tuple[str, int]]) -> None:
    env, keys = _env()
    c, r, s = env.controller, env.relayer, env.susds
    usds_supply0 = env.usds.total_supply
    usdc_supply0 = env.usdc.total_supply
    calls: dict[str, Callable[[int], object]] = {
        "deposit4626": lambda x: c.deposit_erc4626(s.address, x, 0, sender=r),
        "withdraw4626": lambda x: c.withdraw_erc4626(s.address, x, 2**256 - 1, sender=r),
        "redeem4626": lambda x: c.redeem_erc4626(s.address, x, 0, sender=r),
        "depositAave": lambda x: c.deposit_aave(env.a_usdc, x, sender=r),
        "withdrawAave": lambda x: c.withdraw_aave(env.a_usdc, x, sender=r),
        "cctp": lambda x: c.transfer_usdc_to_cctp(x, 6, sender=r),
        "transfer": lambda x: c.transfer_asset(env.usdc.address, DEST, x, sender=r),
    }
    for name, value in actions:
        if name == "warp":
            env.clock.skip(value)
            continue
        before = fingerprint(env, keys)
        try:
            calls[name](value)
        except ProtocolError:
            assert fingerprint(env, keys) == before, name
        for key in keys:
            level = env.rate_limits.get_current_rate_limit(key)
            assert 0 <= level <= env.rate_limits.get_rate_limit_data(key).max_amount
    assert env.usds.total_supply == usds_supply0 + s.sucked
    burned = sum(m[0] for m in env.cctp.messages)
    assert env.usdc.total_supply == usdc_supply0 - burned
    # every burn went to the configured domain and recipient, from the proxy
    assert all(
        m[1:] == (6, make_addr("base/almProxy"), env.usdc.address, env.proxy.address)
        for m in env.cctp.messages
    )
    # once interest is dripped, the proxy's claim on sUSDS is backed by what the vault holds
    s.drip()
    assert s.convert_to_assets(s.balance_of(env.proxy.address)) <= env.usds.balance_of(s.address)
