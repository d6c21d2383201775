"""Rate sources for SparkLend's rate-target interest rate strategies, contract-exact.

Mirrors sparkdotfi/sparklend-advanced `src/interfaces/IRateSource.sol` and the sources that
implement it: `PotRateSource.sol` (the DSR), `SSRRateSource.sol` (the sUSDS savings rate) and
`CappedFallbackRateSource.sol` (bounds plus a fallback for a reverting source, used for the
WETH market's staking-yield oracle). The repository has no fixed or constant rate source.

A rate source reports an APR, not compounded, with `decimals()` decimals (27 for the Maker
rates: a ray). The Maker rates are per-second accumulators `rate = RAY + r`, turned into an
APR by `(rate - RAY) * 365 days` (floored by construction, as it is exact integer math).

The Pot and sUSDS arguments are any objects with a `dsr()` / `ssr()` method that returns the
per-second rate as a ray, i.e. what the contracts read with a `view` call.

Example:
    >>> class Pot:
    ...     def dsr(self) -> int:
    ...         return 1000000001547125957863212448  # 5% APY
    >>> PotRateSource(Pot()).get_apr()
    48790164207174267760128000
"""

from __future__ import annotations

from typing import Final, Protocol, runtime_checkable

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256

__all__ = [
    "RATE_SOURCE_DECIMALS_MAX",
    "SECONDS_PER_YEAR",
    "CappedFallbackRateSource",
    "PotLike",
    "PotRateSource",
    "RateSource",
    "SSRRateSource",
    "SUSDSLike",
]

SECONDS_PER_YEAR: Final = 365 * 86_400  # Solidity's `365 days`
# What the rate-target strategies accept: they scale an APR by 10 ** (27 - decimals).
RATE_SOURCE_DECIMALS_MAX: Final = 27


@runtime_checkable
class RateSource(Protocol):
    """`IRateSource`: an APR and its number of decimals.

    `get_apr` may raise `ProtocolError` (the contract call reverts with data); callers that
    read it treat the result as a `uint256` and `decimals()` as a `uint8`.
    """

    def get_apr(self) -> int:
        """The APR, with `decimals()` decimals."""
        ...

    def decimals(self) -> int:
        """How many decimals `get_apr` has (a uint8)."""
        ...


class PotLike(Protocol):
    """What `PotRateSource` reads from Maker's Pot: the per-second DSR as a ray."""

    def dsr(self) -> int: ...


class SUSDSLike(Protocol):
    """What `SSRRateSource` reads from sUSDS: the per-second SSR as a ray."""

    def ssr(self) -> int: ...


def _read_uint256(value: object, *, field: str) -> int:
    """A value returned by an external call, ABI-decoded as `uint256` (raises if it isn't)."""
    return check_uint256(value, field=field)


def _read_uint8(value: object, *, field: str) -> int:
    """A value returned by an external call, ABI-decoded as `uint8` (raises if it isn't)."""
    return check_uint(value, field=field, bits=8)


def _per_second_rate_to_apr(rate: int, *, op: str) -> int:
    """`(rate - 1e27) * 365 days` with Solidity 0.8's checked arithmetic.

    A rate below RAY underflows (the contract reverts with `Panic(0x11)`); here that is
    `MATH_OVERFLOW`, the code for the EVM's arithmetic panic, with the rate in the context.
    """
    if rate < RAY:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=f"{op} - RAY (underflow)", rate=rate)
    apr = (rate - RAY) * SECONDS_PER_YEAR
    if apr > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=f"({op} - RAY) * 365 days", rate=rate)
    return apr


class PotRateSource:
    """`PotRateSource`: the DSR as an APR with 27 decimals.

    `get_apr() = (pot.dsr() - 1e27) * 365 days`; a DSR below 1e27 reverts (underflow).
    `decimals()` is 27: the version in the index predates `IRateSource.decimals()`, and the
    one that implements it reports the ray like its sibling `SSRRateSource`.
    """

    __slots__ = ("pot",)

    def __init__(self, pot: PotLike) -> None:
        self.pot: Final = pot

    def get_apr(self) -> int:
        dsr = _read_uint256(self.pot.dsr(), field="pot.dsr()")
        return _per_second_rate_to_apr(dsr, op="pot.dsr()")

    def decimals(self) -> int:
        return RATE_SOURCE_DECIMALS_MAX

    def __repr__(self) -> str:
        return f"PotRateSource(pot={self.pot!r})"


class SSRRateSource:
    """`SSRRateSource`: the Sky Savings Rate as an APR with 27 decimals.

    `get_apr() = (susds.ssr() - 1e27) * 365 days`; an SSR below 1e27 reverts (underflow).
    """

    __slots__ = ("susds",)

    def __init__(self, susds: SUSDSLike) -> None:
        self.susds: Final = susds

    def get_apr(self) -> int:
        ssr = _read_uint256(self.susds.ssr(), field="susds.ssr()")
        return _per_second_rate_to_apr(ssr, op="susds.ssr()")

    def decimals(self) -> int:
        return RATE_SOURCE_DECIMALS_MAX

    def __repr__(self) -> str:
        return f"SSRRateSource(susds={self.susds!r})"


class CappedFallbackRateSource:
    """`CappedFallbackRateSource`: another source's APR clamped to [lower_bound, upper_bound],
    or `default_rate` when that source reverts.

    The contract wraps `source.getAPR()` in `try`/`catch (bytes memory err)`:

    - the call returns: the rate, clamped (`< lower` gives `lower`, `> upper` gives `upper`);
    - it reverts with data (a reason string, a custom error, a `Panic`): `default_rate`,
      unclamped (the constructor already put it inside the bounds). Here that is the source
      raising `ProtocolError`: every modelled revert carries a code, so it has data;
    - it reverts with empty data: the wrapper re-reverts with
      `CappedFallbackRateSource/zero-length-error`. On chain that is how an out-of-gas inside
      the source shows (a caller could starve it of gas to force the default); Python has no
      gas, so the case cannot arise, and any exception other than `ProtocolError` (a bug in
      the source) propagates unchanged instead of being mistaken for a revert;
    - it returns something that does not decode as a uint256: the wrapper itself reverts (the
      decoding happens in the caller, outside the `try`), so this raises `ProtocolError`.

    `decimals()` is the source's, read live (no fallback). The constructor reverts
    `CappedFallbackRateSource/invalid-bounds` (`CAPPED_FALLBACK_INVALID_BOUNDS`) and
    `.../invalid-default-rate` (`CAPPED_FALLBACK_INVALID_DEFAULT_RATE`).
    """

    __slots__ = ("default_rate", "lower_bound", "source", "upper_bound")

    def __init__(
        self, source: RateSource, lower_bound: int, upper_bound: int, default_rate: int
    ) -> None:
        check_uint256(lower_bound, field="lower_bound")
        check_uint256(upper_bound, field="upper_bound")
        check_uint256(default_rate, field="default_rate")
        if lower_bound > upper_bound:
            raise ProtocolError(
                ErrorCode.CAPPED_FALLBACK_INVALID_BOUNDS,
                field="lower_bound",
                value=lower_bound,
                min=0,
                max=upper_bound,
            )
        if not lower_bound <= default_rate <= upper_bound:
            raise ProtocolError(
                ErrorCode.CAPPED_FALLBACK_INVALID_DEFAULT_RATE,
                field="default_rate",
                value=default_rate,
                min=lower_bound,
                max=upper_bound,
            )
        self.source: Final = source
        self.lower_bound: Final = lower_bound
        self.upper_bound: Final = upper_bound
        self.default_rate: Final = default_rate

    def get_apr(self) -> int:
        try:
            returned = self.source.get_apr()
        except ProtocolError:
            return self.default_rate
        rate = _read_uint256(returned, field="source.get_apr()")
        if rate < self.lower_bound:
            return self.lower_bound
        if rate > self.upper_bound:
            return self.upper_bound
        return rate

    def decimals(self) -> int:
        return _read_uint8(self.source.decimals(), field="source.decimals()")

    def __repr__(self) -> str:
        return (
            f"CappedFallbackRateSource(source={self.source!r}, lower_bound={self.lower_bound},"
            f" upper_bound={self.upper_bound}, default_rate={self.default_rate})"
        )
