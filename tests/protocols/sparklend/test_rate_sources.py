"""Rate sources: PotRateSource, SSRRateSource, CappedFallbackRateSource.

Ported from sparkdotfi/sparklend-advanced (as marsfoundation/sparklend-advanced):
`test/PotRateSource.t.sol` (3 tests), `test/SSRRateSource.t.sol` (3),
`test/CappedFallbackRateSource.t.sol` (9), with their numbers. Then the edges the contracts
define but the suites do not exercise: the uint256 overflow, the decoding of what the wrapped
source returns, and what counts as a revert for the fallback.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.sparklend.errors import revert_string
from sparkprime.protocols.sparklend.rate_sources import (
    SECONDS_PER_YEAR,
    CappedFallbackRateSource,
    PotRateSource,
    RateSource,
    SSRRateSource,
)
from tests.protocols.sparklend.test_rate_support import (
    FIVE_PCT_APY_APR,
    FIVE_PCT_APY_RATE,
    PotMock,
    RateSourceMock,
    RevertingRateSource,
    SUSDSMock,
    fuzz,
)

E16 = 10**16
E18 = 10**18

# --- PotRateSource.t.sol ------------------------------------------------------------------


@pytest.fixture
def pot() -> PotMock:
    return PotMock(FIVE_PCT_APY_RATE)


def test_pot_constructor(pot: PotMock) -> None:
    source = PotRateSource(pot)
    assert source.pot is pot
    assert source.decimals() == 27
    assert isinstance(source, RateSource)


def test_pot_bad_dsr_value(pot: PotMock) -> None:
    pot.set_dsr(RAY - 1)
    with pytest.raises(ProtocolError) as info:
        PotRateSource(pot).get_apr()
    # stdError.arithmeticError: Panic(0x11)
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    assert info.value.context["rate"] == RAY - 1


def test_pot_get_apr(pot: PotMock) -> None:
    source = PotRateSource(pot)
    assert source.get_apr() == FIVE_PCT_APY_APR
    pot.set_dsr(RAY)
    assert source.get_apr() == 0


# --- SSRRateSource.t.sol ------------------------------------------------------------------


@pytest.fixture
def susds() -> SUSDSMock:
    return SUSDSMock(FIVE_PCT_APY_RATE)


def test_ssr_constructor(susds: SUSDSMock) -> None:
    source = SSRRateSource(susds)
    assert source.susds is susds
    assert source.decimals() == 27


def test_ssr_bad_ssr_value(susds: SUSDSMock) -> None:
    susds.set_ssr(RAY - 1)
    with pytest.raises(ProtocolError) as info:
        SSRRateSource(susds).get_apr()
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_ssr_get_apr(susds: SUSDSMock) -> None:
    source = SSRRateSource(susds)
    assert source.get_apr() == FIVE_PCT_APY_APR
    susds.set_ssr(RAY)
    assert source.get_apr() == 0


# --- beyond the suites: the Maker rate conversion ----------------------------------------


@fuzz()
@given(st.integers(RAY, RAY + (UINT256_MAX // SECONDS_PER_YEAR)))
def test_maker_rate_to_apr_is_exact(rate: int) -> None:
    assert PotRateSource(PotMock(rate)).get_apr() == (rate - RAY) * 31_536_000
    assert SSRRateSource(SUSDSMock(rate)).get_apr() == (rate - RAY) * 31_536_000


def test_maker_rate_overflow_reverts() -> None:
    top = RAY + UINT256_MAX // SECONDS_PER_YEAR
    assert PotRateSource(PotMock(top)).get_apr() <= UINT256_MAX
    with pytest.raises(ProtocolError) as info:
        PotRateSource(PotMock(top + 1)).get_apr()
    assert info.value.code is ErrorCode.MATH_OVERFLOW


@pytest.mark.parametrize(
    ("bad", "code"),
    [(-1, ErrorCode.VALUE_OUT_OF_RANGE), (2**256, ErrorCode.VALUE_OUT_OF_RANGE)]
    + [(v, ErrorCode.INVALID_TYPE) for v in (1.05e27, "1", None, True)],
)
def test_maker_rate_that_is_not_a_uint256_is_refused(bad: object, code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as info:
        SSRRateSource(SUSDSMock(bad)).get_apr()  # type: ignore[arg-type]
    assert info.value.code is code
    assert info.value.context["field"] == "susds.ssr()"


# --- CappedFallbackRateSource.t.sol ------------------------------------------------------


@pytest.fixture
def original() -> RateSourceMock:
    return RateSourceMock(37 * E18 // 1000, 18)  # 0.037e18


@pytest.fixture
def capped(original: RateSourceMock) -> CappedFallbackRateSource:
    return CappedFallbackRateSource(original, 1 * E16, 8 * E16, 3 * E16)


def _rejection(build: object) -> ProtocolError:
    assert callable(build)
    with pytest.raises(ProtocolError) as info:
        build()
    return info.value


def test_capped_constructor_lower_bound_gt_upper_bound_boundary(original: RateSourceMock) -> None:
    err = _rejection(lambda: CappedFallbackRateSource(original, E16 + 1, E16, E16))
    assert err.code is ErrorCode.CAPPED_FALLBACK_INVALID_BOUNDS
    assert revert_string(err.code) == "CappedFallbackRateSource/invalid-bounds"
    CappedFallbackRateSource(original, E16, E16, E16)


def test_capped_constructor_default_rate_lt_lower_bound_boundary(
    original: RateSourceMock,
) -> None:
    err = _rejection(lambda: CappedFallbackRateSource(original, E16, 8 * E16, E16 - 1))
    assert err.code is ErrorCode.CAPPED_FALLBACK_INVALID_DEFAULT_RATE
    assert revert_string(err.code) == "CappedFallbackRateSource/invalid-default-rate"
    assert err.context["field"] == "default_rate"
    CappedFallbackRateSource(original, E16, 8 * E16, E16)


def test_capped_constructor_default_rate_gt_upper_bound_boundary(
    original: RateSourceMock,
) -> None:
    err = _rejection(lambda: CappedFallbackRateSource(original, E16, 8 * E16, 8 * E16 + 1))
    assert err.code is ErrorCode.CAPPED_FALLBACK_INVALID_DEFAULT_RATE
    assert revert_string(err.code) == "CappedFallbackRateSource/invalid-default-rate"
    CappedFallbackRateSource(original, E16, 8 * E16, 8 * E16)


def test_capped_constructor(original: RateSourceMock, capped: CappedFallbackRateSource) -> None:
    assert capped.source is original
    assert capped.lower_bound == E16
    assert capped.upper_bound == 8 * E16
    assert capped.default_rate == 3 * E16


def test_capped_decimals(original: RateSourceMock, capped: CappedFallbackRateSource) -> None:
    assert capped.decimals() == 18
    original.set_decimals(27)
    assert capped.decimals() == 27


def test_capped_get_apr_rate_within_bounds(capped: CappedFallbackRateSource) -> None:
    assert capped.get_apr() == 37 * E18 // 1000


def test_capped_get_apr_rate_below_lower_bound_boundary(
    original: RateSourceMock, capped: CappedFallbackRateSource
) -> None:
    original.set_rate(E16 - 1)
    assert capped.get_apr() == E16  # lowerBound
    original.set_rate(E16)
    assert capped.get_apr() == E16  # sourceRate
    original.set_rate(E16 + 1)
    assert capped.get_apr() == E16 + 1  # sourceRate


def test_capped_get_apr_rate_above_upper_bound_boundary(
    original: RateSourceMock, capped: CappedFallbackRateSource
) -> None:
    original.set_rate(8 * E16 + 1)
    assert capped.get_apr() == 8 * E16  # upperBound
    original.set_rate(8 * E16)
    assert capped.get_apr() == 8 * E16
    original.set_rate(8 * E16 - 1)
    assert capped.get_apr() == 8 * E16 - 1


def test_capped_get_apr_rate_reverts() -> None:
    reverting = RevertingRateSource(
        ProtocolError(ErrorCode.VALUE_OUT_OF_RANGE, field="x", value=0, min=1, max=2)
    )
    capped = CappedFallbackRateSource(reverting, E16, 8 * E16, 3 * E16)
    assert capped.get_apr() == 3 * E16


# --- beyond the suite: what counts as a revert with data ----------------------------------


def test_capped_falls_back_when_a_pot_source_panics() -> None:
    """A DSR below RAY makes PotRateSource panic (Panic(0x11) carries data): the default."""
    capped = CappedFallbackRateSource(PotRateSource(PotMock(RAY - 1)), 0, RAY, 5 * RAY // 100)
    assert capped.get_apr() == 5 * RAY // 100


def test_capped_lets_a_bug_in_the_source_propagate() -> None:
    """Not a revert: the contract's empty-data case re-reverts, and a bug is no revert at all."""

    class Buggy(RateSourceMock):
        def get_apr(self) -> int:
            raise InvariantViolation("broken source")

    capped = CappedFallbackRateSource(Buggy(0, 18), E16, 8 * E16, 3 * E16)
    with pytest.raises(InvariantViolation):
        capped.get_apr()


@pytest.mark.parametrize("returned", [-1, 2**256, 0.05, "1", None])
def test_capped_reverts_itself_when_the_source_returns_garbage(returned: object) -> None:
    """ABI decoding happens in the caller, outside the `try`: no fallback."""
    capped = CappedFallbackRateSource(RateSourceMock(returned, 18), E16, 8 * E16, 3 * E16)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError) as info:
        capped.get_apr()
    assert info.value.context["field"] == "source.get_apr()"


@pytest.mark.parametrize("decimals", [-1, 256, 18.0])
def test_capped_decimals_must_decode_as_uint8(decimals: object) -> None:
    capped = CappedFallbackRateSource(RateSourceMock(0, decimals), 0, 0, 0)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError):
        capped.decimals()


@pytest.mark.parametrize("field", ["lower_bound", "upper_bound", "default_rate"])
@pytest.mark.parametrize("bad", [-1, 2**256, 1.0, True, "1"])
def test_capped_constructor_arguments_are_uint256(field: str, bad: object) -> None:
    args: dict[str, object] = {"lower_bound": 0, "upper_bound": 0, "default_rate": 0}
    args[field] = bad
    with pytest.raises(ProtocolError) as info:
        CappedFallbackRateSource(RateSourceMock(0, 18), **args)  # type: ignore[arg-type]
    assert info.value.context["field"] == field


@fuzz()
@given(
    bounds=st.lists(st.integers(0, 2**256 - 1), min_size=3, max_size=3).map(sorted),
    rate=st.integers(0, 2**256 - 1),
)
def test_capped_result_is_the_clamped_source_rate(bounds: list[int], rate: int) -> None:
    lower, default, upper = bounds
    capped = CappedFallbackRateSource(RateSourceMock(rate, 18), lower, upper, default)
    assert capped.get_apr() == min(max(rate, lower), upper)
    assert lower <= capped.get_apr() <= upper
