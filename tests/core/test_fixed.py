"""Aave's WadRayMath and PercentageMath: v3.0.2 half-up and aave-v3-origin directed rounding.

Ported upstream tests (exact numbers):
- aave/aave-v3-core `test-suites/wadraymath.spec.ts`, whose expected values come from its own
  BigNumber helpers in `test-suites/helpers/utils/wadraymath.ts` (restated below as `_js_*`);
- aave-dao/aave-v3-origin `tests/protocol/libraries/math/WadRayMath.t.sol` and
  `PercentageMath.t.sol` (literal values, and the fuzz tests as Hypothesis properties).

Oracles: the contracts' assembly transliterated with 256-bit wrapping (`_asm_*`), and exact
rationals (`Fraction`).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import (
    BPS,
    HALF_PERCENTAGE_FACTOR,
    HALF_RAY,
    HALF_WAD,
    HALF_WAD_RAY_RATIO,
    PERCENTAGE_FACTOR,
    RAY,
    WAD,
    WAD_RAY_RATIO,
    percent_div,
    percent_div_ceil,
    percent_div_floor,
    percent_mul,
    percent_mul_ceil,
    percent_mul_floor,
    ray_div,
    ray_div_ceil,
    ray_div_floor,
    ray_mul,
    ray_mul_ceil,
    ray_mul_floor,
    ray_to_wad,
    wad_div,
    wad_mul,
    wad_to_ray,
)
from tests.core.test_fixed_support import (
    MAX,
    WORD,
    EvmRevert,
    assert_rejects_bad_inputs,
    ceil_q,
    evm_div,
    floor_q,
    fuzz,
    half_up_q,
    outcome,
    positive_uint256s,
    uint256s,
)

BinaryOp = Callable[[int, int], int]

# --- the assembly of WadRayMath.sol / PercentageMath.sol, transliterated -------------------------


def _mul(a: int, b: int) -> int:
    return a * b % WORD


def _add(a: int, b: int) -> int:
    return (a + b) % WORD


def _asm_mul_half_up(unit: int, half: int) -> BinaryOp:
    # if iszero(or(iszero(b), iszero(gt(a, div(sub(not(0), HALF), b))))) { revert(0, 0) }
    # c := div(add(mul(a, b), HALF), UNIT)
    def op(a: int, b: int) -> int:
        if not (b == 0 or not a > evm_div(MAX - half, b)):
            raise EvmRevert
        return evm_div(_add(_mul(a, b), half), unit)

    return op


def _asm_div_half_up(unit: int) -> BinaryOp:
    # if or(iszero(b), iszero(iszero(gt(a, div(sub(not(0), div(b, 2)), UNIT))))) { revert(0, 0) }
    # c := div(add(mul(a, UNIT), div(b, 2)), b)
    def op(a: int, b: int) -> int:
        if b == 0 or a > evm_div(MAX - evm_div(b, 2), unit):
            raise EvmRevert
        return evm_div(_add(_mul(a, unit), evm_div(b, 2)), b)

    return op


def _asm_mul_directed(unit: int, *, ceil: bool) -> BinaryOp:
    # if iszero(or(iszero(b), iszero(gt(a, div(not(0), b))))) { revert(0, 0) }
    # c := add(div(product, UNIT), iszero(iszero(mod(product, UNIT))))   (ceil)
    def op(a: int, b: int) -> int:
        if not (b == 0 or not a > evm_div(MAX, b)):
            raise EvmRevert
        product = _mul(a, b)
        return evm_div(product, unit) + (1 if ceil and product % unit else 0)

    return op


def _asm_div_directed(unit: int, *, ceil: bool) -> BinaryOp:
    # if or(iszero(b), iszero(iszero(gt(a, div(not(0), UNIT))))) { revert(0, 0) }
    # c := add(div(scaled, b), iszero(iszero(mod(scaled, b))))   (ceil)
    def op(a: int, b: int) -> int:
        if b == 0 or a > evm_div(MAX, unit):
            raise EvmRevert
        scaled = _mul(a, unit)
        return evm_div(scaled, b) + (1 if ceil and scaled % b else 0)

    return op


# (function under test, its transliterated assembly, divisor is the second argument)
ORACLES: list[tuple[BinaryOp, BinaryOp, bool]] = [
    (wad_mul, _asm_mul_half_up(WAD, HALF_WAD), False),
    (ray_mul, _asm_mul_half_up(RAY, HALF_RAY), False),
    (percent_mul, _asm_mul_half_up(PERCENTAGE_FACTOR, HALF_PERCENTAGE_FACTOR), False),
    (wad_div, _asm_div_half_up(WAD), True),
    (ray_div, _asm_div_half_up(RAY), True),
    (percent_div, _asm_div_half_up(PERCENTAGE_FACTOR), True),
    (ray_mul_floor, _asm_mul_directed(RAY, ceil=False), False),
    (ray_mul_ceil, _asm_mul_directed(RAY, ceil=True), False),
    (percent_mul_floor, _asm_mul_directed(PERCENTAGE_FACTOR, ceil=False), False),
    (percent_mul_ceil, _asm_mul_directed(PERCENTAGE_FACTOR, ceil=True), False),
    (ray_div_floor, _asm_div_directed(RAY, ceil=False), True),
    (ray_div_ceil, _asm_div_directed(RAY, ceil=True), True),
    (percent_div_floor, _asm_div_directed(PERCENTAGE_FACTOR, ceil=False), True),
    (percent_div_ceil, _asm_div_directed(PERCENTAGE_FACTOR, ceil=True), True),
]
_IDS = [fn.__name__ for fn, _, _ in ORACLES]


@pytest.mark.parametrize(("fn", "asm", "divides"), ORACLES, ids=_IDS)
@given(a=uint256s(), b=uint256s())
@fuzz(150)
def test_agrees_with_the_assembly(fn: BinaryOp, asm: BinaryOp, divides: bool, a: int, b: int):
    try:
        expected = asm(a, b)
    except EvmRevert:
        with pytest.raises(ProtocolError) as info:
            fn(a, b)
        zero_divisor = divides and b == 0
        code = ErrorCode.DIVISION_BY_ZERO if zero_divisor else ErrorCode.MATH_OVERFLOW
        assert info.value.code is code
        assert info.value.context["op"] == fn.__name__
    else:
        assert fn(a, b) == expected


# --- the overflow boundary: the largest first operand that passes, and the next one --------------

BOUNDARIES: list[tuple[BinaryOp, Callable[[int], int]]] = [
    (wad_mul, lambda b: (MAX - HALF_WAD) // b),
    (ray_mul, lambda b: (MAX - HALF_RAY) // b),
    (percent_mul, lambda b: (MAX - HALF_PERCENTAGE_FACTOR) // b),
    (wad_div, lambda b: (MAX - b // 2) // WAD),
    (ray_div, lambda b: (MAX - b // 2) // RAY),
    (percent_div, lambda b: (MAX - b // 2) // PERCENTAGE_FACTOR),
    (ray_mul_floor, lambda b: MAX // b),
    (ray_mul_ceil, lambda b: MAX // b),
    (percent_mul_floor, lambda b: MAX // b),
    (percent_mul_ceil, lambda b: MAX // b),
    (ray_div_floor, lambda b: MAX // RAY),
    (ray_div_ceil, lambda b: MAX // RAY),
    (percent_div_floor, lambda b: MAX // PERCENTAGE_FACTOR),
    (percent_div_ceil, lambda b: MAX // PERCENTAGE_FACTOR),
]


@pytest.mark.parametrize(("fn", "largest_a"), BOUNDARIES, ids=[f.__name__ for f, _ in BOUNDARIES])
@given(b=positive_uint256s())
@fuzz(100)
def test_overflow_boundary(fn: BinaryOp, largest_a: Callable[[int], int], b: int):
    a = largest_a(b)
    fn(a, b)  # the largest that passes must not raise
    if a < MAX:
        with pytest.raises(ProtocolError) as info:
            fn(a + 1, b)
        assert info.value.code is ErrorCode.MATH_OVERFLOW


# --- against exact rationals ---------------------------------------------------------------------

# (half-up, floor, ceil, unit, the operation: True for a*b/unit, False for a*unit/b)
FAMILIES = [
    (ray_mul, ray_mul_floor, ray_mul_ceil, RAY, True),
    (ray_div, ray_div_floor, ray_div_ceil, RAY, False),
    (percent_mul, percent_mul_floor, percent_mul_ceil, PERCENTAGE_FACTOR, True),
    (percent_div, percent_div_floor, percent_div_ceil, PERCENTAGE_FACTOR, False),
]


@pytest.mark.parametrize("family", FAMILIES, ids=[f[0].__name__ for f in FAMILIES])
@given(a=uint256s(), b=positive_uint256s())
@fuzz(150)
def test_rounding_against_fraction(family, a: int, b: int):
    half_up, floor, ceil, unit, is_mul = family
    exact = Fraction(a * b, unit) if is_mul else Fraction(a * unit, b)
    results = {}
    for fn, reference in ((half_up, half_up_q), (floor, floor_q), (ceil, ceil_q)):
        result = outcome(fn, a, b)
        if isinstance(result, ProtocolError):
            # where exactly each overflows is pinned by test_agrees_with_the_assembly
            assert result.code is ErrorCode.MATH_OVERFLOW
            continue
        assert result == reference(exact)
        results[fn] = result
    if floor in results and ceil in results:
        lo, hi = results[floor], results[ceil]
        assert lo <= exact <= hi
        assert hi - lo == (0 if exact.denominator == 1 else 1)
        if half_up in results:
            assert lo <= results[half_up] <= hi


@given(a=uint256s(), b=uint256s())
@fuzz()
def test_wad_mul_and_wad_div_round_half_up(a: int, b: int):
    for fn, exact in ((wad_mul, Fraction(a * b, WAD)), (wad_div, Fraction(a * WAD, b or 1))):
        if fn is wad_div and b == 0:
            continue
        result = outcome(fn, a, b)
        if isinstance(result, ProtocolError):
            assert result.code is ErrorCode.MATH_OVERFLOW
        else:
            assert result == half_up_q(exact)


def test_ties_go_up():
    # exact = x.5 in each unit: the contracts round the half away from zero
    assert ray_mul(3, RAY // 2) == 2  # 1.5 -> 2
    assert ray_mul_floor(3, RAY // 2) == 1
    assert wad_mul(1, HALF_WAD) == 1  # 0.5 -> 1
    assert wad_mul(1, HALF_WAD - 1) == 0
    assert percent_mul(1, HALF_PERCENTAGE_FACTOR) == 1
    assert wad_div(1, 2 * WAD) == 1  # 0.5 -> 1
    assert ray_div(1, 2 * RAY + 2) == 0  # just under 0.5
    assert ray_to_wad(HALF_WAD_RAY_RATIO) == 1
    assert ray_to_wad(HALF_WAD_RAY_RATIO - 1) == 0


@given(a=uint256s())
@fuzz()
def test_ray_to_wad_and_wad_to_ray(a: int):
    assert ray_to_wad(a) == half_up_q(Fraction(a, WAD_RAY_RATIO))
    if a * WAD_RAY_RATIO <= MAX:
        assert wad_to_ray(a) == a * WAD_RAY_RATIO
        assert ray_to_wad(wad_to_ray(a)) == a
    else:
        with pytest.raises(ProtocolError) as info:
            wad_to_ray(a)
        assert info.value.code is ErrorCode.MATH_OVERFLOW


# --- aave-v3-core test-suites/wadraymath.spec.ts -------------------------------------------------

SPEC_A = 134534543232342353231234
SPEC_B = 13265462389132757665657


def _js_wad_mul(a: int, b: int) -> int:  # BigNumber.prototype.wadMul
    return (HALF_WAD + a * b) // WAD


def _js_wad_div(a: int, b: int) -> int:  # BigNumber.prototype.wadDiv
    return (b // 2 + a * WAD) // b


def _js_ray_mul(a: int, b: int) -> int:
    return (HALF_RAY + a * b) // RAY


def _js_ray_div(a: int, b: int) -> int:
    return (b // 2 + a * RAY) // b


def _js_ray_to_wad(a: int) -> int:
    return (WAD_RAY_RATIO // 2 + a) // WAD_RAY_RATIO


def _assert_overflows(fn: BinaryOp, a: int, b: int) -> None:
    with pytest.raises(ProtocolError) as info:
        fn(a, b)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_spec_plain_getters():
    assert (WAD, HALF_WAD, RAY, HALF_RAY) == (10**18, 5 * 10**17, 10**27, 5 * 10**26)


@pytest.mark.parametrize(
    ("fn", "js", "half"),
    [(wad_mul, _js_wad_mul, HALF_WAD), (ray_mul, _js_ray_mul, HALF_RAY)],
    ids=["wadMul", "rayMul"],
)
def test_spec_mul(fn: BinaryOp, js: BinaryOp, half: int):
    assert fn(SPEC_A, SPEC_B) == js(SPEC_A, SPEC_B)
    assert fn(0, SPEC_B) == 0
    assert fn(SPEC_A, 0) == 0
    too_large_a = (MAX - half) // SPEC_B + 1
    assert fn(too_large_a - 1, SPEC_B) == js(too_large_a - 1, SPEC_B)
    _assert_overflows(fn, too_large_a, SPEC_B)


@pytest.mark.parametrize(
    ("fn", "js", "unit"),
    [(wad_div, _js_wad_div, WAD), (ray_div, _js_ray_div, RAY)],
    ids=["wadDiv", "rayDiv"],
)
def test_spec_div(fn: BinaryOp, js: BinaryOp, unit: int):
    assert fn(SPEC_A, SPEC_B) == js(SPEC_A, SPEC_B)
    too_large_a = (MAX - SPEC_B // 2) // unit + 1
    assert fn(too_large_a - 1, SPEC_B) == js(too_large_a - 1, SPEC_B)
    _assert_overflows(fn, too_large_a, SPEC_B)
    with pytest.raises(ProtocolError) as info:
        fn(SPEC_A, 0)
    assert info.value.code is ErrorCode.DIVISION_BY_ZERO


def test_spec_ray_to_wad():
    half = 10**9 // 2
    for a in (10**27, 10**27 + half - 1, 10**27 + half, MAX - half + 1):
        assert ray_to_wad(a) == _js_ray_to_wad(a)
    assert ray_to_wad(10**27 + half - 1) == 10**18  # round down
    assert ray_to_wad(10**27 + half) == 10**18 + 1  # round up
    assert ray_to_wad(MAX) == _js_ray_to_wad(MAX)  # v3.0.2 never reverts here


def test_spec_wad_to_ray():
    assert wad_to_ray(10**18) == 10**18 * WAD_RAY_RATIO
    too_large = MAX // 10**9 + 1
    assert wad_to_ray(too_large - 1) == (too_large - 1) * 10**9
    with pytest.raises(ProtocolError) as info:
        wad_to_ray(too_large)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


# --- aave-v3-origin tests/protocol/libraries/math/WadRayMath.t.sol -------------------------------


def test_origin_constants():
    assert (WAD, HALF_WAD, RAY, HALF_RAY) == (10**18, 10**18 // 2, 10**27, 10**27 // 2)
    assert (PERCENTAGE_FACTOR, HALF_PERCENTAGE_FACTOR, BPS) == (10**4, 5 * 10**3, 10**4)


def test_origin_wad_mul():
    assert wad_mul(0, 10**18) == 0
    assert wad_mul(10**18, 0) == 0
    assert wad_mul(0, 0) == 0
    assert wad_mul(25 * 10**17, 5 * 10**17) == 125 * 10**16
    assert wad_mul(4122 * 10**17, 10**18) == 4122 * 10**17
    assert wad_mul(6 * 10**18, 2 * 10**18) == 12 * 10**18


def test_origin_ray_mul():
    assert ray_mul(25 * 10**26, 5 * 10**26) == 125 * 10**25
    assert ray_mul(4122 * 10**26, 10**27) == 4122 * 10**26
    assert ray_mul(6 * 10**27, 2 * 10**27) == 12 * 10**27


def test_origin_wad_div():
    assert wad_div(25 * 10**17, 5 * 10**17) == 5 * 10**18
    assert wad_div(4122 * 10**17, 10**18) == 4122 * 10**17
    assert wad_div(8745 * 10**15, 67 * 10**16) == 13052238805970149254
    assert wad_div(6 * 10**18, 2 * 10**18) == 3 * 10**18


def test_origin_ray_div():
    assert ray_div(25 * 10**26, 5 * 10**26) == 5 * 10**27
    assert ray_div(4122 * 10**26, 10**27) == 4122 * 10**26
    assert ray_div(8745 * 10**24, 67 * 10**25) == 13052238805970149253731343284
    assert ray_div(6 * 10**27, 2 * 10**27) == 3 * 10**27


def test_origin_wad_to_ray_and_ray_to_wad():
    assert wad_to_ray(10**18) == 10**27
    assert wad_to_ray(4122 * 10**17) == 4122 * 10**26
    assert wad_to_ray(0) == 0
    assert ray_to_wad(10**27) == 10**18
    assert ray_to_wad(4122 * 10**26) == 4122 * 10**17
    assert ray_to_wad(0) == 0


@given(a=uint256s())
@fuzz()
def test_origin_ray_to_wad_fuzz(a: int):
    b, remainder = a // WAD_RAY_RATIO, a % WAD_RAY_RATIO
    round_half = remainder < WAD_RAY_RATIO // 2
    assert ray_to_wad(a) == (b if round_half else b + 1)


# --- aave-v3-origin tests/protocol/libraries/math/PercentageMath.t.sol ---------------------------


def test_origin_percent_mul():
    assert percent_mul(10**18, 50_00) == 5 * 10**17
    assert percent_mul(142515 * 10**14, 74_42) == 10605966300000000000
    assert percent_mul(9087312 * 10**27, 13_33) == 1211338689600000000000000000000000


def test_origin_percent_div():
    assert percent_div(10**18, 50_00) == 2 * 10**18
    assert percent_div(142515 * 10**14, 74_42) == 19150094060736361193
    assert percent_div(9087312 * 10**27, 13_33) == 68171882970742685671417854463615904


def test_origin_percent_directed():
    assert percent_mul_ceil(100 * 10**18, PERCENTAGE_FACTOR) == 100 * 10**18
    assert percent_mul_ceil(1, 1) == 1
    assert percent_mul_ceil(0, 100) == 0
    assert percent_mul_ceil(100, 0) == 0
    _assert_overflows(percent_mul_ceil, MAX, 2)
    assert percent_mul_floor(100 * 10**18, PERCENTAGE_FACTOR) == 100 * 10**18
    assert percent_mul_floor(1, 1) == 0
    assert percent_mul_floor(0, 1234) == 0
    assert percent_mul_floor(1234, 0) == 0
    _assert_overflows(percent_mul_floor, MAX, 2)
    assert percent_div_ceil(100 * 10**18, PERCENTAGE_FACTOR) == 100 * 10**18
    assert percent_div_ceil(5, 3) == 16667
    with pytest.raises(ProtocolError) as info:
        percent_div_ceil(1234, 0)
    assert info.value.code is ErrorCode.DIVISION_BY_ZERO
    _assert_overflows(percent_div_ceil, MAX, 1)


# --- inputs that are not uint256 -----------------------------------------------------------------


@pytest.mark.parametrize("fn", [fn for fn, _, _ in ORACLES], ids=_IDS)
def test_rejects_non_uint256(fn: BinaryOp):
    fields = ["value", "percentage"] if fn.__name__.startswith("percent") else ["a", "b"]
    assert_rejects_bad_inputs(fn, fields)


@pytest.mark.parametrize("fn", [ray_to_wad, wad_to_ray])
def test_conversions_reject_non_uint256(fn: Callable[[int], int]):
    assert_rejects_bad_inputs(fn, ["a"])


def test_validation_precedes_arithmetic():
    # a bad operand is reported as such even when the other one would divide by zero
    with pytest.raises(ProtocolError) as info:
        ray_div(-1, 0)
    assert info.value.code is ErrorCode.VALUE_OUT_OF_RANGE
    with pytest.raises(ProtocolError) as info:
        wad_mul(MAX, 1.5)  # type: ignore[arg-type]
    assert info.value.code is ErrorCode.INVALID_TYPE


@given(st.data())
@fuzz(50)
def test_results_are_uint256(data: st.DataObject):
    fn, _, _ = data.draw(st.sampled_from(ORACLES))
    a, b = data.draw(uint256s()), data.draw(uint256s())
    try:
        result = fn(a, b)
    except ProtocolError:
        return
    assert type(result) is int
    assert 0 <= result <= MAX
