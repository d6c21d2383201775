"""Maker's `rpow`: the assembly of dss `src/pot.sol` (and sDAI `SavingsDai._rpow`).

Ported: makerdao/dss `src/test/pot.t.sol` (`test_save_1d`, `test_drip_multi`, `test_save_multi`:
the chi accrual at "5% / day" and "10% / day"), through the few lines of Pot and Vat arithmetic
those tests read. Oracles: the assembly transliterated with 256-bit wrapping, and exact
rationals for the documented error bound.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD, ray_to_wad
from sparkprime.core.rpow import rpow
from tests.core.test_fixed_support import (
    MAX,
    WORD,
    EvmRevert,
    assert_rejects_bad_inputs,
    evm_div,
    fuzz,
    outcome,
    uint256s,
)

ONE = 10**27
DAY_S = 86_400
YEAR_S = 365 * DAY_S
FIVE_PCT_PER_DAY = 1000000564701133626865910626  # pot.t.sol: `// 5% / day`
TEN_PCT_PER_DAY = 1000001103127689513476993127  # pot.t.sol: `// 10% / day`
# Maker's executive spells: FIVE_PCT_RATE, "bc -l <<< 'scale=27; e( l(1.05)/(60*60*24*365) )'"
FIVE_PCT_PER_YEAR = 1000000001547125957863212448


def _asm_rpow(x: int, n: int, base: int) -> int:
    """dss `rpow`, line by line, with the EVM's wrapping MUL/ADD and DIV-by-zero = 0."""
    if x == 0:
        return base if n == 0 else 0
    z = base if n % 2 == 0 else x
    half = evm_div(base, 2)
    n = n // 2
    while n:
        xx = x * x % WORD
        if evm_div(xx, x) != x:
            raise EvmRevert
        xx_round = (xx + half) % WORD
        if xx_round < xx:
            raise EvmRevert
        x = evm_div(xx_round, base)
        if n % 2:
            zx = z * x % WORD
            if x != 0 and evm_div(zx, x) != z:
                raise EvmRevert
            zx_round = (zx + half) % WORD
            if zx_round < zx:
                raise EvmRevert
            z = evm_div(zx_round, base)
        n = n // 2
    return z


_BASES = st.one_of(st.sampled_from([0, 1, 2, 3, 10, WAD, RAY, 10**45]), uint256s())
_EXPONENTS = st.one_of(st.integers(0, 70), st.integers(0, YEAR_S), uint256s())


@given(x=uint256s(), n=_EXPONENTS, base=_BASES)
@fuzz(400)
def test_agrees_with_the_assembly(x: int, n: int, base: int):
    try:
        expected = _asm_rpow(x, n, base)
    except EvmRevert:
        with pytest.raises(ProtocolError) as info:
            rpow(x, n, base)
        assert info.value.code is ErrorCode.MATH_OVERFLOW
        assert info.value.context["op"] == "rpow"
    else:
        assert rpow(x, n, base) == expected


# log-uniform x: each exponent and base puts the overflow at a different bit length
_LOG_UNIFORM = st.integers(1, 256).flatmap(lambda k: st.integers(2 ** (k - 1), 2**k - 1))


@given(x=_LOG_UNIFORM, n=st.integers(2, 9), base=_BASES)
@fuzz(300)
def test_agrees_with_the_assembly_near_the_overflow(x: int, n: int, base: int):
    result = outcome(rpow, x, n, base)
    try:
        expected = _asm_rpow(x, n, base)
    except EvmRevert:
        assert isinstance(result, ProtocolError)
        assert result.code is ErrorCode.MATH_OVERFLOW
    else:
        assert result == expected


def test_small_cases():
    assert rpow(0, 0, RAY) == RAY
    assert rpow(0, 5, RAY) == 0
    assert rpow(7 * RAY, 0, RAY) == RAY
    assert rpow(7 * RAY, 1, RAY) == 7 * RAY
    assert rpow(RAY, YEAR_S, RAY) == RAY
    assert rpow(2 * RAY, 10, RAY) == 1024 * RAY
    assert rpow(3, 5, 1) == 243
    assert rpow(RAY // 2, 3, RAY) == RAY // 8
    # base 0: the EVM's DIV by zero gives 0, so the assembly returns rather than reverts
    assert (rpow(5, 0, 0), rpow(5, 1, 0), rpow(5, 2, 0), rpow(5, 3, 0)) == (0, 5, 0, 0)
    with pytest.raises(ProtocolError) as info:
        rpow(2**128, 2, 0)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_overflow_at_the_first_squaring():
    # the largest x whose square plus half a ray fits, and the next
    x = 340282366920938463463374607431768211455  # 2**128 - 1: x*x + HALF_RAY < 2**256
    assert x * x + RAY // 2 <= MAX
    assert rpow(x, 2, RAY) == (x * x + RAY // 2) // RAY
    with pytest.raises(ProtocolError) as info:
        rpow(x + 1, 2, RAY)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_overflow_from_adding_the_half():
    # The assembly also reverts when the product fits but product + base // 2 does not.
    # Squaring: x*x fits, x*x + half does not.
    x, base = 2**128 - 1, MAX
    assert x * x <= MAX < x * x + base // 2
    with pytest.raises(ProtocolError):
        rpow(x, 2, base)
    # Multiply into z (n = 3: z = x, then z * x**2): found by a search near cbrt(MAX * base).
    base = 2**128 - 12345
    x = 340282366920938463463374607431768207341
    half = base // 2
    x_squared = (x * x + half) // base
    assert x * x + half <= MAX  # the squaring passes
    assert x * x_squared <= MAX < x * x_squared + half  # only the half overflows
    with pytest.raises(ProtocolError) as info:
        rpow(x, 3, base)
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    with pytest.raises(EvmRevert):
        _asm_rpow(x, 3, base)


# --- dss src/test/pot.t.sol --------------------------------------------------------------------


class _PotModel:
    """Pot's drip/join/exit and the Vat balances pot.t.sol reads, in plain ints (rad = 1e45)."""

    def __init__(self) -> None:
        self.dsr = ONE
        self.chi = ONE
        self.pie_total = 0
        self.dai_rad = {"self": 100 * WAD * ONE, "pot": 0}  # setUp: vat.suck(self, self, 100)
        self.sin_vow_rad = 0

    def drip(self, dt_s: int) -> None:
        chi_delta = rpow(self.dsr, dt_s, ONE) * self.chi // ONE - self.chi  # rmul(rpow, chi) - chi
        self.chi += chi_delta
        self.sin_vow_rad += self.pie_total * chi_delta  # vat.suck(vow, pot, Pie * chi_)
        self.dai_rad["pot"] += self.pie_total * chi_delta

    def join(self, wad: int) -> None:
        self.pie_total += wad
        self.dai_rad["self"] -= self.chi * wad
        self.dai_rad["pot"] += self.chi * wad

    def exit(self, wad: int) -> None:
        self.pie_total -= wad
        self.dai_rad["pot"] -= self.chi * wad
        self.dai_rad["self"] += self.chi * wad


def _wad(rad: int) -> int:
    return rad // 10**27


def test_pot_save_1d():
    pot = _PotModel()
    pot.join(100 * WAD)
    pot.dsr = FIVE_PCT_PER_DAY
    pot.drip(DAY_S)
    pot.exit(100 * WAD)
    assert _wad(pot.dai_rad["self"]) == 105 * WAD


def test_pot_drip_multi():
    pot = _PotModel()
    pot.join(100 * WAD)
    pot.dsr = FIVE_PCT_PER_DAY
    pot.drip(DAY_S)
    assert _wad(pot.dai_rad["pot"]) == 105 * WAD
    pot.dsr = TEN_PCT_PER_DAY
    pot.drip(DAY_S)
    assert _wad(pot.sin_vow_rad) == 155 * WAD // 10
    assert _wad(pot.dai_rad["pot"]) == 1155 * WAD // 10
    assert pot.pie_total == 100 * WAD
    assert pot.chi // 10**9 == 1155 * WAD // 1000


def test_pot_save_multi():
    pot = _PotModel()
    pot.join(100 * WAD)
    pot.dsr = FIVE_PCT_PER_DAY
    pot.drip(DAY_S)
    pot.exit(50 * WAD)
    assert _wad(pot.dai_rad["self"]) == 525 * WAD // 10
    assert pot.pie_total == 50 * WAD
    pot.dsr = TEN_PCT_PER_DAY
    pot.drip(DAY_S)
    pot.exit(50 * WAD)
    assert _wad(pot.dai_rad["self"]) == 11025 * WAD // 100
    assert pot.pie_total == 0


def test_five_percent_a_year_to_the_wad():
    assert ray_to_wad(rpow(FIVE_PCT_PER_YEAR, YEAR_S, RAY)) == 105 * WAD // 100


# --- the documented error bound -------------------------------------------------------------------


@given(x=st.integers(RAY, RAY + RAY // 10_000), n=st.integers(0, 300))
@fuzz(100)
def test_error_within_bound_exactly(x: int, n: int):
    # |z - E| <= E * ((1 + u)**(n-1) - 1), u = 1 / (2 * base), E = base * (x / base)**n
    z = rpow(x, n, RAY)
    exact = Fraction(x, RAY) ** n * RAY
    u = Fraction(1, 2 * RAY)
    assert abs(z - exact) <= exact * ((1 + u) ** max(n - 1, 0) - 1)


def _bracket_pow(x: int, n: int, base: int, scale: int) -> tuple[int, int]:
    """lo <= scale * (x / base)**n <= hi: square-and-multiply rounding every step outward."""
    lo = hi = scale
    x_lo, x_hi = x * scale // base, -(-x * scale // base)
    while n:
        if n & 1:
            lo, hi = lo * x_lo // scale, -(-hi * x_hi // scale)
        n >>= 1
        if n:
            x_lo, x_hi = x_lo * x_lo // scale, -(-x_hi * x_hi // scale)
    return lo, hi


_SCALE = 10**90
_GROWTH = st.one_of(
    # per-second rates up to ~2,300% a year, over up to a year
    st.tuples(st.integers(RAY, RAY + 10**20), st.integers(0, YEAR_S)),
    # fast rates (up to 1.0001 per step) over up to a day of steps
    st.tuples(st.integers(RAY, RAY + RAY // 10_000), st.integers(0, DAY_S)),
)


@given(case=_GROWTH)
@fuzz(200)
def test_error_within_bound_over_a_year(case: tuple[int, int]):
    # with n * n <= 2 * base the bound is below E * n / (2 * base)
    x, n = case
    z = rpow(x, n, RAY)
    lo, hi = _bracket_pow(x, n, RAY, _SCALE)
    assert hi - lo <= hi // 10**50  # the bracket is far tighter than the bound under test
    assert 2 * _SCALE * z <= hi * (2 * RAY + n)
    assert 2 * _SCALE * z >= lo * (2 * RAY - n)


def test_rejects_non_uint256():
    assert_rejects_bad_inputs(rpow, ["x", "n", "base"])
