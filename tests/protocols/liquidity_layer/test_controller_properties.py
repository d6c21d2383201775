"""Properties of the SLL controllers under random relayer action sequences (Hypothesis), on
the real multi-chain network (`sll_network`: Ethereum, Base, Arbitrum, Avalanche).

Whatever the relayer tries (on Ethereum: sUSDS deposits, withdrawals and redemptions, Aave
deposits and withdrawals, CCTP transfers to each L2, asset transfers; on Base: PSM3 deposits
and withdrawals and CCTP back to Ethereum) and however time passes (`Network.advance`, which
delivers the CCTP messages that fall due), accepted or refused:

- every rate limit's current level on every chain stays within [0, maxAmount];
- a refused action changes nothing on any chain (no message is sent either);
- value is conserved: USDC over all chains plus what is in flight never changes; USDS grows
  only by sUSDS interest (`sucked`) on Ethereum and not at all on the L2s; every message in
  flight goes from a proxy to the configured mint recipient, due at the attestation delay;
  what Ethereum's controller burnt for Arbitrum and Avalanche is exactly what their proxies
  hold plus what is still in flight to them; once everything is delivered nothing is in flight;
  and the proxy never has a claim on sUSDS that the vault's USDS does not back.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ProtocolError
from sparkprime.protocols.liquidity_layer.cctp import ATTESTATION_DELAY_S
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_4626_DEPOSIT,
    LIMIT_4626_WITHDRAW,
    LIMIT_AAVE_DEPOSIT,
    LIMIT_AAVE_WITHDRAW,
    LIMIT_ASSET_TRANSFER,
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
)
from sparkprime.protocols.liquidity_layer.domains import ARBITRUM, AVALANCHE, BASE
from sparkprime.protocols.liquidity_layer.foreign_controller import (
    LIMIT_PSM_DEPOSIT,
    LIMIT_PSM_WITHDRAW,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
)
from sparkprime.protocols.liquidity_layer.sll_network import admin_of, proxy_address
from sparkprime.protocols.sparklend.addresses import make_addr
from tests.protocols.liquidity_layer.test_controller_helpers import E6, E18, HOUR, Env, snapshot

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
DEST = make_addr("receiver")
L2_DOMAINS = {"base": 6, "arbitrum": 3, "avalanche": 1}

_amount18 = st.integers(min_value=0, max_value=3_000_000 * E18)
_amount6 = st.integers(min_value=0, max_value=3_000_000 * E6)
_AMOUNT6_ACTIONS = (
    "depositAave",
    "withdrawAave",
    "cctp_base",
    "cctp_arbitrum",
    "cctp_avalanche",
    "transfer",
    "base_cctp",
    "base_psm_deposit",
    "base_psm_withdraw",
)
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(("deposit4626", "withdraw4626", "redeem4626")), _amount18),
        st.tuples(st.sampled_from(_AMOUNT6_ACTIONS), _amount6),
        st.tuples(st.just("advance"), st.integers(min_value=0, max_value=8 * HOUR)),
    ),
    max_size=20,
)


def _env() -> tuple[Env, dict[str, list[str]]]:
    env = Env(l2s=(BASE, ARBITRUM, AVALANCHE))
    eth_limits = {
        make_asset_key(LIMIT_4626_DEPOSIT, env.susds.address): (5_000_000 * E18, 70 * E18),
        make_asset_key(LIMIT_4626_WITHDRAW, env.susds.address): (4_000_000 * E18, 50 * E18),
        make_asset_key(LIMIT_AAVE_DEPOSIT, env.a_usdc): (4_000_000 * E6, 100 * E6),
        make_asset_key(LIMIT_AAVE_WITHDRAW, env.a_usdc): (3_000_000 * E6, 100 * E6),
        LIMIT_USDC_TO_CCTP: (5_000_000 * E6, 60 * E6),
        make_domain_key(LIMIT_USDC_TO_DOMAIN, 6): (2_000_000 * E6, 30 * E6),
        make_domain_key(LIMIT_USDC_TO_DOMAIN, 3): (1_000_000 * E6, 20 * E6),
        make_domain_key(LIMIT_USDC_TO_DOMAIN, 1): (1_000_000 * E6, 10 * E6),
        make_asset_destination_key(LIMIT_ASSET_TRANSFER, env.usdc.address, DEST): (E6 * 10**6, 0),
    }
    for key, (max_amount, slope) in eth_limits.items():
        env.set_limit(key, max_amount, slope)
    base = env.world.l2s["base"]
    base_usdc = base.chain.token("USDC").address
    base_limits = {
        LIMIT_USDC_TO_CCTP: (3_000_000 * E6, 50 * E6),
        make_domain_key(LIMIT_USDC_TO_DOMAIN, 0): (2_000_000 * E6, 30 * E6),
        make_asset_key(LIMIT_PSM_DEPOSIT, base_usdc): (4_000_000 * E6, 100 * E6),
        make_asset_key(LIMIT_PSM_WITHDRAW, base_usdc): (4_000_000 * E6, 100 * E6),
    }
    for key, (max_amount, slope) in base_limits.items():
        base.sll.rate_limits.set_rate_limit_data(key, max_amount, slope, sender=admin_of("base"))
    c = env.controller
    c.set_max_slippage(env.a_usdc, 999 * E18 // 1000, sender=env.admin)
    c.set_max_exchange_rate(env.susds.address, 1, 2, sender=env.admin)
    env.usds.mint(env.proxy.address, 8_000_000 * E18)
    env.usdc.mint(env.proxy.address, 8_000_000 * E6)
    base.chain.token("USDC").mint(base.sll.proxy.address, 2_000_000 * E6)
    env.set_burn_limit(700_000 * E6)
    return env, {"ethereum": list(eth_limits), "base": list(base_limits)}


def _calls(env: Env) -> dict[str, Callable[[int], object]]:
    c, r, s = env.controller, env.relayer, env.susds
    base = env.world.l2s["base"]
    fc, base_usdc = base.sll.controller, base.chain.token("USDC").address

    def cctp(domain: int) -> Callable[[int], object]:
        return lambda x: c.transfer_usdc_to_cctp(x, domain, sender=r)

    return {
        "deposit4626": lambda x: c.deposit_erc4626(s.address, x, 0, sender=r),
        "withdraw4626": lambda x: c.withdraw_erc4626(s.address, x, 2**256 - 1, sender=r),
        "redeem4626": lambda x: c.redeem_erc4626(s.address, x, 0, sender=r),
        "depositAave": lambda x: c.deposit_aave(env.a_usdc, x, sender=r),
        "withdrawAave": lambda x: c.withdraw_aave(env.a_usdc, x, sender=r),
        **{f"cctp_{name}": cctp(domain) for name, domain in L2_DOMAINS.items()},
        "transfer": lambda x: c.transfer_asset(env.usdc.address, DEST, x, sender=r),
        "base_cctp": lambda x: fc.transfer_usdc_to_cctp(x, 0, sender=r),
        "base_psm_deposit": lambda x: fc.deposit_psm(base_usdc, x, sender=r),
        "base_psm_withdraw": lambda x: fc.withdraw_psm(base_usdc, x, sender=r),
    }


def _check_flows(env: Env, usdc0: int, usds0: dict[str, int]) -> None:
    """Conservation across chains, counting what is in flight."""
    network = env.network
    assert network.total_supply(["USDC"])["USDC"] == usdc0
    for chain in network.chains():
        sucked = env.susds.sucked if chain.name == "ethereum" else 0
        assert chain.token("USDS").total_supply == usds0[chain.name] + sucked
    for m in network.in_flight():
        assert (m.token, m.handler) == ("USDC", f"cctp:{m.source}")
        assert m.due_ts_s == m.sent_ts_s + ATTESTATION_DELAY_S[m.source]
        assert m.recipient == proxy_address(m.destination)
        assert "ethereum" in (m.source, m.destination)
        assert m.source != m.destination
    burnt = env.controller.events.named("CCTPTransferInitiated")
    for name in ("arbitrum", "avalanche"):
        sent = sum(e.args[3] for e in burnt if e.args[1] == L2_DOMAINS[name])
        pending = sum(m.amount for m in network.in_flight() if m.destination == name)
        held = network.chain(name).token("USDC").balance_of(proxy_address(name))
        assert held + pending == sent, name


@settings(max_examples=150 * FUZZ, deadline=None)
@given(actions=ACTIONS)
def test_random_relayer_actions(actions: list[tuple[str, int]]) -> None:
    env, keys = _env()
    network, s = env.network, env.susds
    usdc0 = network.total_supply(["USDC"])["USDC"]
    usds0 = {chain.name: chain.token("USDS").total_supply for chain in network.chains()}
    calls = _calls(env)
    sides = [("ethereum", env.rate_limits), ("base", env.world.l2s["base"].sll.rate_limits)]
    for name, value in actions:
        if name == "advance":
            network.advance(value)
        else:
            before = snapshot(env.world, keys)
            try:
                calls[name](value)
            except ProtocolError:
                assert snapshot(env.world, keys) == before, name
        for chain, rate_limits in sides:
            for key in keys[chain]:
                level = rate_limits.get_current_rate_limit(key)
                assert 0 <= level <= rate_limits.get_rate_limit_data(key).max_amount
        _check_flows(env, usdc0, usds0)
    # every message is delivered once its attestation is out
    network.advance(max(ATTESTATION_DELAY_S.values()))
    assert network.in_flight() == []
    _check_flows(env, usdc0, usds0)
    # once interest is dripped, the proxy's claim on sUSDS is backed by what the vault holds
    s.drip()
    assert s.convert_to_assets(s.balance_of(env.proxy.address)) <= env.usds.balance_of(s.address)
