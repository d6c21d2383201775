"""Shared pieces for the fixed-point tests: Hypothesis strategies, rational references, the
EVM's wrapping arithmetic, and the inputs every uint256 function must reject.

The references here never call the code under test: they restate the math with `Fraction`
or transliterate the contracts' assembly with 256-bit wrapping, so a disagreement is a bug in
one or the other.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX

MAX = UINT256_MAX
WORD = 2**256

# Deeper fuzzing on demand: SPARKPRIME_FUZZ=10 runs ten times the examples.
FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))


def fuzz(examples: int = 200) -> settings:
    """Hypothesis settings scaled by SPARKPRIME_FUZZ; no deadline (big ints vary in cost)."""
    return settings(max_examples=examples * FUZZ, deadline=None)


_POWERS = [10**k for k in range(78)] + [2**k for k in range(257)]
EDGES = sorted(
    {v for p in _POWERS for v in (p - 1, p, p + 1) if 0 <= v <= MAX}
    | {MAX, MAX - 1, MAX // 2, 5 * 10**8, 5 * 10**17, 5 * 10**26, 5_000}
)


def uint256s() -> st.SearchStrategy[int]:
    """Any uint256, weighted toward the edges and toward the sizes real balances have."""
    return st.one_of(
        st.sampled_from(EDGES),
        st.integers(0, MAX),
        st.integers(0, 2**128),
        st.integers(0, 10**30),
    )


def positive_uint256s() -> st.SearchStrategy[int]:
    return uint256s().filter(bool)


class EvmRevert(Exception):  # noqa: N818 - it names what the EVM does
    """The transliterated assembly hit `revert(0, 0)`."""


def evm_div(a: int, b: int) -> int:
    """The EVM's DIV: division by zero yields 0."""
    return 0 if b == 0 else a // b


def floor_q(q: Fraction) -> int:
    return math.floor(q)


def ceil_q(q: Fraction) -> int:
    return math.ceil(q)


def half_up_q(q: Fraction) -> int:
    """Round to the nearest integer, an exact half going up."""
    return math.floor(q + Fraction(1, 2))


# (value, expected code): each must be refused before any arithmetic.
BAD_UINT256S: list[tuple[object, ErrorCode]] = [
    (-1, ErrorCode.VALUE_OUT_OF_RANGE),
    (-(2**300), ErrorCode.VALUE_OUT_OF_RANGE),
    (WORD, ErrorCode.VALUE_OUT_OF_RANGE),
    (2**300, ErrorCode.VALUE_OUT_OF_RANGE),
    (1.0, ErrorCode.INVALID_TYPE),
    (float("nan"), ErrorCode.INVALID_TYPE),
    (True, ErrorCode.INVALID_TYPE),
    (False, ErrorCode.INVALID_TYPE),
    ("1", ErrorCode.INVALID_TYPE),
    (None, ErrorCode.INVALID_TYPE),
    (Fraction(1), ErrorCode.INVALID_TYPE),
    (Decimal(1), ErrorCode.INVALID_TYPE),
    (ErrorCode.MATH_OVERFLOW, ErrorCode.INVALID_TYPE),  # an int subclass is not a uint256
]


def outcome(fn: Callable[..., int], *args: object) -> int | ProtocolError:
    """The result, or the ProtocolError raised (so a test can assert outside an except)."""
    try:
        return fn(*args)
    except ProtocolError as err:
        return err


def assert_rejects_bad_inputs(fn: Callable[..., int], fields: list[str]) -> None:
    """Each argument in turn gets each bad value (the others valid): the right code and field."""
    for position, field in enumerate(fields):
        for bad, code in BAD_UINT256S:
            args: list[object] = [1] * len(fields)
            args[position] = bad
            with pytest.raises(ProtocolError) as info:
                fn(*args)
            assert info.value.code is code, (fn.__name__, field, bad)
            assert info.value.context["field"] == field, (fn.__name__, field, bad)


def test_edges_cover_the_boundaries() -> None:
    assert {0, 1, MAX, MAX - 1, 10**77, 2**255}.issubset(EDGES)
    assert all(0 <= v <= MAX for v in EDGES)


def test_half_up_reference_sends_ties_up() -> None:
    assert half_up_q(Fraction(5, 2)) == 3
    assert half_up_q(Fraction(7, 3)) == 2
    assert half_up_q(Fraction(8, 3)) == 3
