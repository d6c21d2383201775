"""Rate strategies as data, and the live rates they follow, for a journaled market.

A journaled `SparkLendMarket` must rebuild every reserve's rate strategy from its snapshot.
`StrategySpec` is a strategy as data (its kind, its ray parameters and, for the rate-target
kinds, the name of the rate input it follows); `RateInputs` holds those named inputs: the
Sky Savings Rate or the DSR as the per-second ray the contracts store (read through the
contract-exact `SSRRateSource` / `PotRateSource`), or a plain APR with its decimals (an LST
staking rate), optionally through `CappedFallbackRateSource` bounds. Changing an input is a
command; as on chain, a reserve's rates move at its next action.

Example:
    >>> inputs = RateInputs()
    >>> inputs.define(RateInputSpec(name="SSR", kind=RateInputKind.SSR), 10**27)
    >>> spec = StrategySpec(kind=StrategyKind.RATE_TARGET_KINK, optimal_usage_ratio=8 * 10**26,
    ...     base_variable_borrow_rate=0, variable_rate_slope1=0, variable_rate_slope2=15 * 10**25,
    ...     rate_source="SSR", spread=125 * 10**23)
    >>> spec.build(inputs).get_variable_rate_slope1() == 125 * 10**23  # SSR 0% + 1.25%
    True
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.command import Int256, Uint256, record
from sparkprime.protocols.sparklend.rate_sources import (
    CappedFallbackRateSource,
    PotRateSource,
    RateSource,
    SSRRateSource,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    DefaultReserveInterestRateStrategy,
    RateTargetBaseInterestRateStrategy,
    RateTargetKinkInterestRateStrategy,
    ReserveInterestRateStrategy,
    VariableBorrowInterestRateStrategy,
)

__all__ = [
    "RATE_INPUTS_MAX",
    "RateInputKind",
    "RateInputSpec",
    "RateInputs",
    "StrategyKind",
    "StrategySpec",
]

RATE_INPUTS_MAX: Final = 32


class RateInputKind(Enum):
    """How a named rate input is read."""

    SSR = "SSR"  # per-second ray, read by SSRRateSource
    DSR = "DSR"  # per-second ray, read by PotRateSource
    APR = "APR"  # an APR with `decimals`, read as is (or through capped-fallback bounds)


@record
class RateInputSpec:
    """A named live rate; `lower_bound`/`upper_bound`/`default_rate` wrap it in a
    CappedFallbackRateSource (all three or none), in the input's decimals."""

    name: str
    kind: RateInputKind
    decimals: Uint256 = 27
    lower_bound: Uint256 | None = None
    upper_bound: Uint256 | None = None
    default_rate: Uint256 | None = None


class StrategyKind(Enum):
    """The rate strategy contracts a journaled market can rebuild."""

    VARIABLE_BORROW = "VARIABLE_BORROW"
    DEFAULT = "DEFAULT"  # stable-rate parameters left at 0: Spark has no stable borrowing
    RATE_TARGET_BASE = "RATE_TARGET_BASE"
    RATE_TARGET_KINK = "RATE_TARGET_KINK"


@record
class StrategySpec:
    """A strategy as data. For RATE_TARGET_BASE, `spread` is the base-rate spread; for
    RATE_TARGET_KINK it is the (signed) slope-1 spread; otherwise it must be 0."""

    kind: StrategyKind
    optimal_usage_ratio: Uint256
    base_variable_borrow_rate: Uint256
    variable_rate_slope1: Uint256
    variable_rate_slope2: Uint256
    rate_source: str | None = None
    spread: Int256 = 0

    def build(self, inputs: RateInputs) -> ReserveInterestRateStrategy:
        """The strategy object, reading its rate source from `inputs`."""
        if self.kind in (StrategyKind.VARIABLE_BORROW, StrategyKind.DEFAULT):
            return self._build_plain()
        if self.rate_source is None:
            raise ProtocolError(
                ErrorCode.MISSING_FIELD,
                kind=f"StrategySpec {self.kind.name}",
                fields=["rate_source"],
            )
        source = inputs.source(self.rate_source)
        if self.kind is StrategyKind.RATE_TARGET_BASE:
            return RateTargetBaseInterestRateStrategy(
                rate_source=source,
                optimal_usage_ratio=self.optimal_usage_ratio,
                base_variable_borrow_rate_spread=self.spread,
                variable_rate_slope1=self.variable_rate_slope1,
                variable_rate_slope2=self.variable_rate_slope2,
            )
        return RateTargetKinkInterestRateStrategy(
            rate_source=source,
            optimal_usage_ratio=self.optimal_usage_ratio,
            base_variable_borrow_rate=self.base_variable_borrow_rate,
            variable_rate_slope1_spread=self.spread,
            variable_rate_slope2=self.variable_rate_slope2,
        )

    def _build_plain(self) -> ReserveInterestRateStrategy:
        if self.spread != 0 or self.rate_source is not None:
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE,
                field="spread",
                value=self.spread,
                min=0,
                max=f"0 (a {self.kind.name} strategy follows no rate source)",
            )
        args = {
            "optimal_usage_ratio": self.optimal_usage_ratio,
            "base_variable_borrow_rate": self.base_variable_borrow_rate,
            "variable_rate_slope1": self.variable_rate_slope1,
            "variable_rate_slope2": self.variable_rate_slope2,
        }
        if self.kind is StrategyKind.VARIABLE_BORROW:
            return VariableBorrowInterestRateStrategy(**args)
        return DefaultReserveInterestRateStrategy(
            **args,
            stable_rate_slope1=0,
            stable_rate_slope2=0,
            base_stable_rate_offset=0,
            stable_rate_excess_offset=0,
            optimal_stable_to_total_debt_ratio=0,
        )


class _InputReader:
    """Presents one named input as the contract a rate source reads (sUSDS, Pot, or a plain
    APR source)."""

    __slots__ = ("_inputs", "_name")

    def __init__(self, inputs: RateInputs, name: str) -> None:
        self._inputs, self._name = inputs, name

    def ssr(self) -> int:
        return self._inputs.value(self._name)

    def dsr(self) -> int:
        return self._inputs.value(self._name)

    def get_apr(self) -> int:
        return self._inputs.value(self._name)

    def decimals(self) -> int:
        return self._inputs.spec(self._name).decimals


class RateInputs:
    """Named live rates and the rate sources that read them."""

    __slots__ = ("_sources", "_specs", "_values")

    def __init__(self) -> None:
        self._specs: dict[str, RateInputSpec] = {}
        self._values: dict[str, int] = {}
        self._sources: dict[str, RateSource] = {}

    def define(self, spec: RateInputSpec, value: int) -> None:
        """Add a named input with its first value (validated before anything changes)."""
        if spec.name in self._specs:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="name", value=spec.name, reason="exists"
            )
        if len(self._specs) >= RATE_INPUTS_MAX:
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED,
                what="rate inputs",
                value=len(self._specs) + 1,
                limit=RATE_INPUTS_MAX,
            )
        source = self._source_for(spec)
        self._specs[spec.name] = spec
        self._sources[spec.name] = source
        self._values[spec.name] = 0
        self.set_value(spec.name, value)

    def _source_for(self, spec: RateInputSpec) -> RateSource:
        reader = _InputReader(self, spec.name)
        inner: RateSource
        if spec.kind is RateInputKind.SSR:
            inner = SSRRateSource(reader)
        elif spec.kind is RateInputKind.DSR:
            inner = PotRateSource(reader)
        else:
            inner = reader
        bounds = (spec.lower_bound, spec.upper_bound, spec.default_rate)
        if all(b is None for b in bounds):
            return inner
        if any(b is None for b in bounds):
            raise ProtocolError(
                ErrorCode.MISSING_FIELD,
                kind=f"RateInputSpec {spec.name}",
                fields=["lower_bound", "upper_bound", "default_rate"],
            )
        lower, upper, default = (int(b) for b in bounds)  # type: ignore[arg-type]
        return CappedFallbackRateSource(inner, lower, upper, default)

    def set_value(self, name: str, value: int) -> None:
        """Set an input's current value (a uint256)."""
        spec = self.spec(name)
        if type(value) is not int or value < 0 or value >> 256:
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE,
                field=f"rate input {spec.name}",
                value=value,
                min=0,
                max="2**256-1",
            )
        self._values[name] = value

    def spec(self, name: str) -> RateInputSpec:
        """The input's definition; INVALID_ID if there is none."""
        spec = self._specs.get(name)
        if spec is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="rate input", value=name, reason="not defined"
            )
        return spec

    def value(self, name: str) -> int:
        """The input's current value."""
        self.spec(name)
        return self._values[name]

    def source(self, name: str) -> RateSource:
        """The rate source a strategy reads for this input."""
        self.spec(name)
        return self._sources[name]

    def snapshot(self) -> list[dict[str, Any]]:
        """JSON-able: each input's definition and value, by name."""
        out = []
        for name in sorted(self._specs):
            spec = self._specs[name]
            out.append(
                {
                    "name": name,
                    "kind": spec.kind.name,
                    "decimals": spec.decimals,
                    "lower_bound": spec.lower_bound,
                    "upper_bound": spec.upper_bound,
                    "default_rate": spec.default_rate,
                    "value": self._values[name],
                }
            )
        return out

    @classmethod
    def restore(cls, data: list[dict[str, Any]]) -> RateInputs:
        """Rebuild from `snapshot()`."""
        inputs = cls()
        for item in data:
            fields = {k: v for k, v in item.items() if k != "value"}
            inputs.define(RateInputSpec(**fields), item["value"])
        return inputs
