"""Ports of marsfoundation/xchain-ssr-oracle `test/SSRAuthOracle.t.sol` (commit 221f0c93),
`test/SSRMainnetOracle.t.sol` (860b51b8) and `test/SSRBalancerRateProviderAdapter.t.sol`
(8f98580c), with their numbers and revert reasons, plus properties.

foundry starts at block.timestamp 1; `skip` is `clock.skip`; `address(this)` is THIS;
SUSDSMock is `_SUsdsMock` (settable ssr, chi, rho). Solidity's decimal literals
(`1.0815e27`) are written with `_e27` so they read as upstream."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.rpow import rpow
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.savings.xchain_ssr_oracle import (
    DATA_PROVIDER_ROLE,
    DEFAULT_ADMIN_ROLE,
    SSRAuthOracle,
    SSRBalancerRateProviderAdapter,
    SSRMainnetOracle,
    SUSDSData,
)
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.events import Event

FUZZ: Final = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
YEAR: Final = 365 * 86_400
THIS: Final = make_addr("this")


def _e27(literal: str) -> int:
    value = Fraction(literal) * RAY
    assert value.denominator == 1
    return int(value)


FIVE_PCT_APY_SSR: Final = _e27("1.000000001547125957863212448")
FIVE_PCT_APY_APR: Final = _e27("0.048790164207174267760128000")
ONE_HUNDRED_PCT_APY_SSR: Final = _e27("1.00000002197955315123915302")  # sic: 26 decimals


def _reverts(code: ErrorCode, reason: str | None, fn: Any, *args: Any, **kw: Any) -> None:
    with pytest.raises(ProtocolError) as info:
        fn(*args, **kw)
    assert info.value.code is code
    if reason is not None:
        assert info.value.context["reason"] == reason


# --- SSRAuthOracle.t.sol ---


class AuthEnv:
    def __init__(self) -> None:
        self.clock = Clock(1)
        self.clock.skip(YEAR)
        self.oracle = SSRAuthOracle(clock=self.clock, admin=THIS)
        self.oracle.grant_role(DATA_PROVIDER_ROLE, THIS, sender=THIS)
        self.set(FIVE_PCT_APY_SSR, RAY, self.clock.now)
        self.clock.skip(YEAR)

    def set(self, ssr: int, chi: int, rho: int) -> None:
        self.oracle.set_susds_data(SUSDSData(ssr=ssr, chi=chi, rho=rho), sender=THIS)

    def rejects(self, reason: str, ssr: int, chi: int, rho: int) -> None:
        before, events = self.oracle.get_susds_data(), len(self.oracle.events)
        code = {
            "SSRAuthOracle/invalid-rho": ErrorCode.SSR_ORACLE_INVALID_RHO,
            "SSRAuthOracle/invalid-ssr": ErrorCode.SSR_ORACLE_INVALID_SSR,
            "SSRAuthOracle/invalid-chi": ErrorCode.SSR_ORACLE_INVALID_CHI,
        }[reason]
        _reverts(code, reason, self.set, ssr, chi, rho)
        assert self.oracle.get_susds_data() == before
        assert len(self.oracle.events) == events


@pytest.fixture
def auth() -> AuthEnv:
    return AuthEnv()


def test_constructor(auth: AuthEnv) -> None:
    assert auth.oracle.max_ssr == 0
    assert auth.oracle.has_role(DEFAULT_ADMIN_ROLE, THIS)


def test_set_max_ssr_not_admin(auth: AuthEnv) -> None:
    random_address = make_addr("randomAddress")
    with pytest.raises(ProtocolError) as info:
        auth.oracle.set_max_ssr(ONE_HUNDRED_PCT_APY_SSR, sender=random_address)
    assert info.value.code is ErrorCode.MISSING_ROLE
    assert info.value.context["role"] == DEFAULT_ADMIN_ROLE
    assert info.value.context["account"] == random_address
    assert auth.oracle.max_ssr == 0


def test_set_max_ssr_set_to_zero(auth: AuthEnv) -> None:
    auth.oracle.set_max_ssr(ONE_HUNDRED_PCT_APY_SSR, sender=THIS)
    assert auth.oracle.max_ssr == ONE_HUNDRED_PCT_APY_SSR
    auth.oracle.set_max_ssr(0, sender=THIS)
    assert auth.oracle.events.last()[0] == Event("SetMaxSSR", (0,))
    assert auth.oracle.max_ssr == 0


def test_set_max_ssr_ray_boundary(auth: AuthEnv) -> None:
    _reverts(
        ErrorCode.SSR_ORACLE_INVALID_MAX_SSR,
        "SSRAuthOracle/invalid-max-ssr",
        auth.oracle.set_max_ssr,
        RAY - 1,
        sender=THIS,
    )
    assert auth.oracle.max_ssr == 0
    auth.oracle.set_max_ssr(RAY, sender=THIS)
    assert auth.oracle.events.last()[0] == Event("SetMaxSSR", (RAY,))


def test_set_susds_data_rho_decreasing_or_eq_boundary(auth: AuthEnv) -> None:
    rho = auth.oracle.get_rho()
    auth.rejects("SSRAuthOracle/invalid-rho", FIVE_PCT_APY_SSR, RAY, rho - 1)
    auth.rejects("SSRAuthOracle/invalid-rho", FIVE_PCT_APY_SSR, RAY, rho)  # strict >
    auth.set(FIVE_PCT_APY_SSR, RAY, rho + 1)
    assert auth.oracle.get_rho() == rho + 1


def test_set_susds_data_rho_in_future_boundary(auth: AuthEnv) -> None:
    now = auth.clock.now
    auth.rejects("SSRAuthOracle/invalid-rho", FIVE_PCT_APY_SSR, _e27("1.03"), now + 1)
    auth.set(FIVE_PCT_APY_SSR, _e27("1.03"), now)
    assert auth.oracle.get_susds_data() == SUSDSData(
        ssr=FIVE_PCT_APY_SSR, chi=_e27("1.03"), rho=now
    )
    assert auth.oracle.events.last()[0] == Event("SetSUSDSData", (auth.oracle.get_susds_data(),))


def test_set_susds_data_ssr_below_zero_boundary(auth: AuthEnv) -> None:
    now = auth.clock.now
    auth.rejects("SSRAuthOracle/invalid-ssr", RAY - 1, _e27("1.03"), now)
    auth.set(RAY, _e27("1.03"), now)
    assert auth.oracle.get_ssr() == RAY


def test_set_susds_data_ssr_above_max_boundary(auth: AuthEnv) -> None:
    auth.oracle.set_max_ssr(ONE_HUNDRED_PCT_APY_SSR, sender=THIS)
    now = auth.clock.now
    auth.rejects("SSRAuthOracle/invalid-ssr", ONE_HUNDRED_PCT_APY_SSR + 1, _e27("1.03"), now)
    auth.set(ONE_HUNDRED_PCT_APY_SSR, _e27("1.03"), now)
    assert auth.oracle.get_ssr() == ONE_HUNDRED_PCT_APY_SSR


def test_set_susds_data_very_high_ssr_no_max(auth: AuthEnv) -> None:
    auth.set(2 * RAY, _e27("1.03"), auth.clock.now)  # doubling every second
    assert auth.oracle.get_ssr() == 2 * RAY


def test_set_susds_data_chi_decreasing_boundary(auth: AuthEnv) -> None:
    now = auth.clock.now
    auth.rejects("SSRAuthOracle/invalid-chi", FIVE_PCT_APY_SSR, RAY - 1, now)
    auth.set(FIVE_PCT_APY_SSR, RAY, now)
    assert auth.oracle.get_rho() == now


def test_set_susds_data_chi_growth_too_fast_boundary(auth: AuthEnv) -> None:
    auth.oracle.set_max_ssr(ONE_HUNDRED_PCT_APY_SSR, sender=THIS)
    chi_max = rpow(ONE_HUNDRED_PCT_APY_SSR, YEAR, RAY)
    assert chi_max == _e27("1.999999999999999999505617035")  # ~2x in a year at most
    now = auth.clock.now
    auth.rejects("SSRAuthOracle/invalid-chi", FIVE_PCT_APY_SSR, chi_max + 1, now)
    auth.set(FIVE_PCT_APY_SSR, chi_max, now)
    assert auth.oracle.get_chi() == chi_max


def test_set_susds_data_chi_large_growth_no_max_ssr(auth: AuthEnv) -> None:
    auth.set(FIVE_PCT_APY_SSR, 100_000 * RAY, auth.clock.now)  # 100,000x is fine unbounded
    assert auth.oracle.get_chi() == 100_000 * RAY


# beyond upstream: roles, struct widths, the first update


def test_set_susds_data_needs_the_data_provider_role(auth: AuthEnv) -> None:
    stranger = make_addr("stranger")
    with pytest.raises(ProtocolError) as info:
        auth.oracle.set_susds_data(SUSDSData(ssr=RAY, chi=RAY, rho=auth.clock.now), sender=stranger)
    assert info.value.code is ErrorCode.MISSING_ROLE
    assert info.value.context["role"] == DATA_PROVIDER_ROLE
    auth.oracle.revoke_role(DATA_PROVIDER_ROLE, THIS, sender=THIS)
    _reverts(ErrorCode.MISSING_ROLE, None, auth.set, RAY, RAY, auth.clock.now)


def test_set_susds_data_struct_widths(auth: AuthEnv) -> None:
    now = auth.clock.now
    _reverts(ErrorCode.VALUE_OUT_OF_RANGE, None, auth.set, 2**96, RAY, now)
    _reverts(ErrorCode.VALUE_OUT_OF_RANGE, None, auth.set, RAY, 2**120, now)
    auth.set(2**96 - 1, 2**120 - 1, now)  # no maxSSR: the widest values pass
    assert auth.oracle.get_susds_data() == SUSDSData(ssr=2**96 - 1, chi=2**120 - 1, rho=now)


def test_first_update_skips_the_sanity_checks() -> None:
    clock = Clock(1_000)
    oracle = SSRAuthOracle(clock=clock, admin=THIS)
    oracle.grant_role(DATA_PROVIDER_ROLE, THIS, sender=THIS)
    assert oracle.get_susds_data() == SUSDSData()
    oracle.set_max_ssr(FIVE_PCT_APY_SSR, sender=THIS)
    # chi far above what maxSSR allows, and rho in the past: fine on the first update
    oracle.set_susds_data(SUSDSData(ssr=RAY, chi=5 * RAY, rho=10), sender=THIS)
    assert oracle.get_chi() == 5 * RAY


# --- SSRMainnetOracle.t.sol ---


@dataclass
class _SUsdsMock:
    clock: Clock
    ssr: int = RAY
    chi: int = RAY
    rho: int = 0


class MainnetEnv:
    def __init__(self) -> None:
        self.clock = Clock(1)
        self.clock.skip(YEAR)
        self.susds = _SUsdsMock(self.clock, rho=self.clock.now)
        self.clock.skip(YEAR)
        self.one_year = self.clock.now + YEAR
        self.oracle = SSRMainnetOracle(self.susds)

    def five_pct_at_103(self) -> None:
        self.susds.ssr, self.susds.chi, self.susds.rho = FIVE_PCT_APY_SSR, _e27("1.03"), self.now
        self.oracle.refresh()

    @property
    def now(self) -> int:
        return self.clock.now


@pytest.fixture
def main() -> MainnetEnv:
    return MainnetEnv()


def test_storage_defaults(main: MainnetEnv) -> None:
    data = main.oracle.get_susds_data()
    assert main.oracle.get_ssr() == main.susds.ssr == RAY
    assert main.oracle.get_chi() == main.susds.chi == RAY
    assert main.oracle.get_rho() == main.susds.rho == main.now - YEAR
    assert data == SUSDSData(ssr=RAY, chi=RAY, rho=main.now - YEAR)


def test_refresh(main: MainnetEnv) -> None:
    main.five_pct_at_103()
    expected = SUSDSData(ssr=FIVE_PCT_APY_SSR, chi=_e27("1.03"), rho=main.now)
    assert main.oracle.events.last()[0] == Event("SetSUSDSData", (expected,))
    assert main.oracle.get_susds_data() == expected
    assert main.oracle.get_ssr() == FIVE_PCT_APY_SSR
    assert main.oracle.get_chi() == _e27("1.03")
    assert main.oracle.get_rho() == main.now


def test_apr(main: MainnetEnv) -> None:
    assert main.oracle.get_apr() == 0
    main.susds.ssr = FIVE_PCT_APY_SSR
    assert main.oracle.get_apr() == 0  # not refreshed yet
    main.oracle.refresh()
    assert main.oracle.get_apr() == FIVE_PCT_APY_APR


def test_get_conversion_rate(main: MainnetEnv) -> None:
    assert main.oracle.get_conversion_rate() == RAY
    assert main.oracle.get_conversion_rate(main.one_year) == RAY
    main.five_pct_at_103()
    assert main.oracle.get_conversion_rate() == _e27("1.03")
    # 5% interest on 1.03 = 1.0815
    assert main.oracle.get_conversion_rate(main.one_year) == _e27("1.081499999999999999959902249")


def test_get_conversion_rate_binomial_approx(main: MainnetEnv) -> None:
    assert main.oracle.get_conversion_rate_binomial_approx() == RAY
    assert main.oracle.get_conversion_rate_binomial_approx(main.one_year) == RAY
    main.five_pct_at_103()
    assert main.oracle.get_conversion_rate_binomial_approx() == _e27("1.03")
    assert main.oracle.get_conversion_rate_binomial_approx(main.one_year) == _e27(
        "1.081495968383924399665215760"
    )


def test_get_conversion_rate_linear_approx(main: MainnetEnv) -> None:
    assert main.oracle.get_conversion_rate_linear_approx() == RAY
    assert main.oracle.get_conversion_rate_linear_approx(main.one_year) == RAY
    main.five_pct_at_103()
    assert main.oracle.get_conversion_rate_linear_approx() == _e27("1.03")
    assert main.oracle.get_conversion_rate_linear_approx(main.one_year) == _e27(
        "1.080253869133389495792931840"
    )


@pytest.mark.parametrize(
    "view",
    [
        "get_conversion_rate",
        "get_conversion_rate_binomial_approx",
        "get_conversion_rate_linear_approx",
    ],
)
def test_timestamp_underflow_boundary(main: MainnetEnv, view: str) -> None:
    fn = getattr(main.oracle, view)
    rho = main.oracle.get_rho()
    _reverts(ErrorCode.SSR_ORACLE_INVALID_TIMESTAMP, "SSROracleBase/invalid-timestamp", fn, rho - 1)
    assert fn(rho) == main.oracle.get_chi()


def _approx_eq_rel(a: int, b: int, max_delta_wad: int) -> bool:
    """forge's assertApproxEqRel: |a - b| * 1e18 / b <= max (b = 0 needs a = 0)."""
    if b == 0:
        return a == b
    return abs(a - b) * 10**18 // b <= max_delta_wad


def test_binomial_accuracy_long_duration(main: MainnetEnv) -> None:
    main.five_pct_at_103()
    exact = main.oracle.get_conversion_rate(main.one_year)
    binomial = main.oracle.get_conversion_rate_binomial_approx(main.one_year)
    assert _approx_eq_rel(exact, binomial, 10**13)  # 0.001 % after a year
    assert binomial < exact


@settings(max_examples=100 * FUZZ, deadline=None)
@given(rate=st.integers(0, RAY // 2), duration=st.integers(0, 30 * 86_400))
def test_get_conversion_rate_fuzz(rate: int, duration: int) -> None:
    env = MainnetEnv()
    env.susds.ssr, env.susds.rho = rate // YEAR + RAY, env.now
    env.oracle.refresh()
    env.clock.skip(duration)
    exact = env.oracle.get_conversion_rate()
    binomial = env.oracle.get_conversion_rate_binomial_approx()
    linear = env.oracle.get_conversion_rate_linear_approx()
    assert _approx_eq_rel(exact, binomial, 10**12), "binomial out of range"
    assert _approx_eq_rel(exact, linear, 5 * 10**15), "linear out of range"
    assert exact >= binomial >= linear  # both approximations underestimate


# --- SSRBalancerRateProviderAdapter.t.sol (a real oracle in place of the mock) ---


def test_balancer_adapter_get_rate(auth: AuthEnv) -> None:
    adapter = SSRBalancerRateProviderAdapter(auth.oracle)
    assert adapter.ssr_oracle is auth.oracle
    auth.set(FIVE_PCT_APY_SSR, RAY, auth.clock.now)
    assert adapter.get_rate() == 10**18
    auth.clock.skip(1)
    auth.set(FIVE_PCT_APY_SSR, _e27("1.2"), auth.clock.now)
    assert adapter.get_rate() == _e27("1.2") // 10**9 == 12 * 10**17


# --- the PSM3 rate-provider surface and the mainnet oracle over a real sUSDS ---


def test_get_conversion_rate_without_argument_is_now(auth: AuthEnv) -> None:
    now = auth.clock.now
    assert auth.oracle.get_conversion_rate() == auth.oracle.get_conversion_rate(now)
    assert auth.oracle.get_conversion_rate() == rpow(FIVE_PCT_APY_SSR, YEAR, RAY)
    auth.clock.skip(3_600)
    assert auth.oracle.get_conversion_rate() == rpow(FIVE_PCT_APY_SSR, YEAR + 3_600, RAY)


def test_mainnet_oracle_tracks_a_real_susds() -> None:
    reg = TokenRegistry()
    usds = reg.register(Erc20(make_addr("USDS"), "USDS", 18))
    gov, clock = make_addr("gov"), Clock(1_700_000_000)
    susds = SUsds(usds, clock, atomic=reg.atomic, ward=gov)
    susds.file("ssr", FIVE_PCT_APY_SSR, sender=gov)
    oracle = SSRMainnetOracle(susds)
    for dt in (1, 86_400, 30 * 86_400):
        clock.skip(dt)
        assert oracle.get_conversion_rate() == susds.chi_now()
    susds.drip()
    oracle.refresh()
    assert oracle.get_susds_data() == SUSDSData(ssr=susds.ssr, chi=susds.chi, rho=susds.rho)
    assert oracle.get_conversion_rate() == susds.chi


@settings(max_examples=100 * FUZZ, deadline=None)
@given(
    ssr=st.integers(RAY, ONE_HUNDRED_PCT_APY_SSR),
    chi=st.integers(RAY, 10 * RAY),
    dt=st.integers(0, 10 * YEAR),
)
def test_conversion_rate_is_monotone_and_bounded_by_max_ssr(ssr: int, chi: int, dt: int) -> None:
    clock = Clock(10 * YEAR)
    oracle = SSRAuthOracle(clock=clock, admin=THIS)
    oracle.grant_role(DATA_PROVIDER_ROLE, THIS, sender=THIS)
    oracle.set_susds_data(SUSDSData(ssr=ssr, chi=chi, rho=clock.now), sender=THIS)
    t = clock.now + dt
    rate = oracle.get_conversion_rate(t)
    assert chi <= rate <= oracle.get_conversion_rate(t + 1)
    assert rate <= rpow(ONE_HUNDRED_PCT_APY_SSR, dt, RAY) * chi // RAY
