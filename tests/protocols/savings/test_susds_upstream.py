"""sUSDS against upstream numbers.

1. marsfoundation/xchain-ssr-oracle `test/SSRMainnetOracleIntegration.t.sol` (commit
   1938a3df): the mainnet sUSDS at block 20,692,134 (ssr = chi = 1e27, rho 1725455483);
   a drip keeps chi at 1e27; filing the 100 % rate and dripping a year later gives
   chi = 1.999999999999999999505617035e27, which `SSRMainnetOracle.refresh` then reports.
2. The ERC-4626 cases of makerdao/sdai `src/test/SavingsDai.t.sol` (976c8e3a) applied to
   sUSDS, whose `deposit`/`mint`/`withdraw`/`redeem` use the same formulas over its own chi
   (the sUSDS repository's own `SUsds.t.sol` is not in the reference index). USDS stays in
   the vault, so `vat.dai(pot)` becomes the vault's USDS balance.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.rpow import rpow
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS
from sparkprime.protocols.savings.susds import RATES_ONE_HUNDRED_PCT, SUsds
from sparkprime.protocols.savings.xchain_ssr_oracle import SSRMainnetOracle
from sparkprime.protocols.sparklend.addresses import make_addr

PAUSE_PROXY: Final = make_addr("MCD_PAUSE_PROXY")
THIS: Final = make_addr("this")
BEEF: Final = Address("0x" + "00" * 18 + "beef")
MAX: Final = 2**256 - 1
YEAR: Final = 365 * 86_400
CURR_RHO: Final = 1725455483
SSR_5PCT: Final = 1000000001547125957863212448
# the oracle test's ONE_HUNDRED_PCT_APY_SSR literal has 26 decimals; sUSDS's deploy bound
# (RATES_ONE_HUNDRED_PCT) has the 27th: ...153027
ONE_HUNDRED_PCT_APY_SSR: Final = int(Fraction("1.00000002197955315123915302") * RAY)


def _susds(start: int) -> tuple[Clock, Erc20, SUsds]:
    reg = TokenRegistry()
    usds = reg.register(Erc20(make_addr("USDS"), "USDS", 18))
    clock = Clock(start)
    return clock, usds, SUsds(usds, clock, atomic=reg.atomic, ward=PAUSE_PROXY)


# --- SSRMainnetOracleIntegration.t.sol ---


def test_drip_update() -> None:
    clock, _, susds = _susds(CURR_RHO)
    clock.skip(2 * 86_400)  # the fork block is later than rho (Sept 6, 2024)
    oracle = SSRMainnetOracle(susds)
    assert (oracle.get_ssr(), oracle.get_chi(), oracle.get_rho()) == (RAY, RAY, CURR_RHO)
    susds.drip()
    assert (susds.ssr, susds.chi, susds.rho) == (RAY, RAY, clock.now)
    oracle.refresh()
    assert (oracle.get_ssr(), oracle.get_chi(), oracle.get_rho()) == (RAY, RAY, clock.now)


def test_ssr_change() -> None:
    ssr = ONE_HUNDRED_PCT_APY_SSR
    clock, _, susds = _susds(CURR_RHO)
    clock.skip(2 * 86_400)
    oracle = SSRMainnetOracle(susds)
    susds.drip()
    susds.file("ssr", ssr, sender=PAUSE_PROXY)
    assert (susds.ssr, susds.chi, susds.rho) == (ssr, RAY, clock.now)
    oracle.refresh()
    assert (oracle.get_ssr(), oracle.get_chi(), oracle.get_rho()) == (ssr, RAY, clock.now)
    clock.skip(YEAR)
    susds.drip()
    oracle.refresh()
    assert oracle.get_ssr() == ssr
    assert oracle.get_rho() == clock.now
    assert oracle.get_chi() == susds.chi == int(Fraction("1.999999999999999999505617035") * RAY)


def test_the_full_100_pct_rate_grows_a_little_more() -> None:
    """sUSDS's deploy bound RATES_ONE_HUNDRED_PCT (...153027, the rates-list entry) is 7
    units above the oracle test's 26-decimal literal: its year lands between that test's
    chi and 2."""
    clock, _, susds = _susds(CURR_RHO)
    susds.file("ssr", RATES_ONE_HUNDRED_PCT, sender=PAUSE_PROXY)
    clock.skip(YEAR)
    chi = susds.drip()
    assert RATES_ONE_HUNDRED_PCT - ONE_HUNDRED_PCT_APY_SSR == 7
    assert int(Fraction("1.999999999999999999505617035") * RAY) < chi < 2 * RAY


# --- SavingsDai.t.sol's ERC-4626 cases on sUSDS ---


class Env:
    def __init__(self) -> None:
        self.clock, self.usds, self.token = _susds(1_700_000_000)
        self.token.file("ssr", SSR_5PCT, sender=PAUSE_PROXY)
        self.clock.skip(2 * YEAR)
        self.usds.mint(THIS, 100 * 10**18)
        self.usds.approve(self.token.address, MAX, sender=THIS)
        self.token.drip()

    @property
    def chi(self) -> int:
        return self.token.chi

    def vault_usds(self) -> int:
        return self.usds.balance_of(self.token.address)


@pytest.fixture
def env() -> Env:
    return Env()


def _divup(x: int, y: int) -> int:
    return (x - 1) // y + 1 if x else 0


def test_setup_chi(env: Env) -> None:
    assert env.chi == rpow(SSR_5PCT, 2 * YEAR, RAY) > RAY


def test_deposit(env: Env) -> None:
    pie = 10**18 * RAY // env.chi
    assert env.token.deposit(10**18, BEEF, sender=THIS) == pie
    assert env.token.total_supply == pie
    assert env.token.balance_of(BEEF) == pie
    assert env.vault_usds() == 10**18


def test_mint(env: Env) -> None:
    pie = 10**18 * RAY // env.chi
    assets = _divup(pie * env.chi, RAY)
    assert env.token.mint(pie, BEEF, sender=THIS) == assets
    assert env.token.total_supply == pie
    assert env.token.balance_of(BEEF) == pie
    assert env.vault_usds() == assets


def test_bad_address(env: Env) -> None:
    for to in (ZERO_ADDRESS, env.token.address):
        for fn in (env.token.deposit, env.token.mint):
            with pytest.raises(ProtocolError) as info:
                fn(10**18, to, sender=THIS)
            assert info.value.code is ErrorCode.SAVINGS_INVALID_ADDRESS
    assert env.usds.balance_of(THIS) == 100 * 10**18


def test_redeem(env: Env) -> None:
    env.token.deposit(10**18, BEEF, sender=THIS)
    pie = 10**18 * RAY // env.chi
    shares = pie * 9 * 10**17 // WAD
    assets = shares * env.chi // RAY
    before = env.usds.balance_of(THIS)
    assert env.token.redeem(shares, THIS, BEEF, sender=BEEF) == assets
    assert env.usds.balance_of(THIS) == before + assets
    assert env.token.total_supply == env.token.balance_of(BEEF) == pie - shares
    assert env.vault_usds() == 10**18 - assets


def test_withdraw(env: Env) -> None:
    env.token.deposit(10**18, BEEF, sender=THIS)
    pie = 10**18 * RAY // env.chi
    assets = (pie * 9 * 10**17 // WAD) * env.chi // RAY
    shares = _divup(assets * RAY, env.chi)
    assert env.token.withdraw(assets, THIS, BEEF, sender=BEEF) == shares
    assert env.token.total_supply == env.token.balance_of(BEEF) == pie - shares
    assert env.vault_usds() == 10**18 - assets


def test_drip_mints_the_interest_to_the_vault(env: Env) -> None:
    env.token.deposit(10**18, BEEF, sender=THIS)
    supply, chi, sucked = env.token.total_supply, env.chi, env.token.sucked
    env.clock.skip(30 * 86_400)
    n_chi = rpow(SSR_5PCT, 30 * 86_400, RAY) * chi // RAY
    assert env.token.drip() == n_chi
    diff = supply * n_chi // RAY - supply * chi // RAY
    assert env.token.sucked == sucked + diff
    assert env.vault_usds() == 10**18 + diff
