"""What a stress replay produced: frozen records, serialized to and from JSON exactly.

A `ReplayResult` is the replay's whole output as data: one `StepRecord` per time step (prices,
the RF distribution, accounts by status, book totals), every liquidation, every notice (margin
calls, recalls, ...), exposures against limits per asset group and per venue, SparkLend reserve
utilization and rates, SLL allocations, sUSDS's chi, the refused commands, a `ResultSummary`,
and where the journal went. The reports (`report/`) render it; nothing here computes the
replay.

Units and JSON (schema version 1):

- Money is USD in wad (18 decimals) as an `int` (`*_usd_wad`); an RF is a wad ratio (`*_wad`,
  10**18 = 1.0); SparkLend utilization and rates are rays (27 decimals, rates annual as the
  Pool reports them). Times are unix seconds (`*_ts_s`).
- In JSON every such value is a JSON integer with all its digits; there are no floats (a
  float, NaN or Infinity in the input is refused). Python's `json` reads them back exactly;
  a reader that parses numbers as doubles (JavaScript, older jq) must use a big-integer
  parser.
- `to_json()` is deterministic: keys sorted, no spaces, mappings sorted by key, a final
  newline; `from_json(r.to_json()) == r`. Unknown or missing fields, wrong types and broken
  invariants raise `ProtocolError(RESULT_INVALID, field=<path>, reason=...)`. The codec
  (records <-> JSON values, by their type hints) is `sim.result_json`.

Example:
    >>> q = RfQuantiles.of([2 * 10**18, 10**18, 3 * 10**18])
    >>> q.p1_wad, q.p50_wad, q.p99_wad, q.accounts
    (1000000000000000000, 2000000000000000000, 3000000000000000000, 3)
    >>> empty = ResultSummary.empty()
    >>> ResultSummary.from_json_value(empty.to_json_value()) == empty
    True
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.sim.result_json import MAX_RECORDS, JsonRecord, bad_field, refuse_float

__all__ = [
    "LIMIT_SCOPES",
    "MAX_RECORDS",
    "RF_PERCENTILES",
    "SCHEMA_VERSION",
    "LimitRecord",
    "LiquidationRecord",
    "NoticeRecord",
    "RejectionRecord",
    "ReplayResult",
    "ReserveRecord",
    "ResultSummary",
    "RfQuantiles",
    "RfThresholds",
    "SavingsRecord",
    "SllAllocationRecord",
    "StepRecord",
]

SCHEMA_VERSION: Final = 1
RF_PERCENTILES: Final = (1, 5, 25, 50, 75, 95, 99)
LIMIT_SCOPES: Final = ("asset_group", "venue")  # what a LimitRecord measures


def _non_negative(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None and value < 0:
            raise bad_field(name, f"{value} is negative")


def _freeze(obj: object, name: str) -> None:
    """Store a mapping field as a read-only, key-sorted view (so JSON and repr are stable)."""
    value = getattr(obj, name)
    if not isinstance(value, Mapping):
        raise bad_field(name, f"expected a mapping, got {type(value).__name__}")
    object.__setattr__(obj, name, MappingProxyType(dict(sorted(value.items()))))


@dataclass(frozen=True, slots=True, kw_only=True)
class RfQuantiles(JsonRecord):
    """Nearest-rank percentiles of the RF (wad) over the accounts that owe something."""

    p1_wad: int
    p5_wad: int
    p25_wad: int
    p50_wad: int
    p75_wad: int
    p95_wad: int
    p99_wad: int
    accounts: int  # how many RFs the percentiles are over (>= 1)

    def __post_init__(self) -> None:
        if self.accounts < 1:
            raise bad_field("accounts", "quantiles of no account")
        values = self.values()
        if values[0] < 0 or any(a > b for a, b in pairwise(values)):
            raise bad_field("p1_wad..p99_wad", f"not non-negative and non-decreasing: {values}")

    def values(self) -> tuple[int, ...]:
        """(p1, p5, p25, p50, p75, p95, p99), wad."""
        return tuple(getattr(self, f"p{p}_wad") for p in RF_PERCENTILES)

    @staticmethod
    def of(rfs_wad: Sequence[int]) -> RfQuantiles | None:
        """Nearest-rank percentiles (the ceil(p/100 * n)-th smallest); None for no RF."""
        ordered = sorted(rfs_wad)
        n = len(ordered)
        if n == 0:
            return None
        picks = {f"p{p}_wad": ordered[max(1, -(-p * n // 100)) - 1] for p in RF_PERCENTILES}
        return RfQuantiles(**picks, accounts=n)


@dataclass(frozen=True, slots=True, kw_only=True)
class RfThresholds(JsonRecord):
    """The pool's RF rungs (wad) the report draws as lines."""

    margin_call_rf_wad: int
    reduce_only_rf_wad: int
    liquidation_rf_wad: int

    def __post_init__(self) -> None:
        _non_negative(self, "margin_call_rf_wad", "reduce_only_rf_wad", "liquidation_rf_wad")


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRecord(JsonRecord):
    """The book after one time step; bad debt and fees are cumulative since the start."""

    step: int  # 0, 1, 2, ... in order
    ts_s: int
    prices_usd_wad: Mapping[str, int] = field(hash=False)  # symbol -> USD price, wad
    rf_quantiles: RfQuantiles | None  # None when no account owes anything
    # MarginStatus value, or "liquidated" (closed out by a full liquidation) -> count
    accounts_by_status: Mapping[str, int] = field(hash=False)
    total_debt_usd_wad: int
    net_value_usd_wad: int  # sum of accounts' marked portfolio values; may be negative
    funding_used_usd_wad: int  # SLL funding drawn by the book's loans
    cum_bad_debt_usd_wad: int
    cum_liquidation_fees_usd_wad: int
    liquidations: int = 0  # liquidations executed in this step
    margin_calls: int = 0  # new margin calls in this step

    def __post_init__(self) -> None:
        _freeze(self, "prices_usd_wad")
        _freeze(self, "accounts_by_status")
        _non_negative(self, "step", "total_debt_usd_wad", "funding_used_usd_wad")
        _non_negative(self, "cum_bad_debt_usd_wad", "cum_liquidation_fees_usd_wad")
        _non_negative(self, "liquidations", "margin_calls")
        for symbol, price in self.prices_usd_wad.items():
            if price < 0:
                raise bad_field(f"prices_usd_wad.{symbol}", f"{price} is negative")
        for status, count in self.accounts_by_status.items():
            if count < 0:
                raise bad_field(f"accounts_by_status.{status}", f"{count} is negative")


@dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationRecord(JsonRecord):
    """One executed liquidation plan: what it sold, repaid, charged and could not cover."""

    ts_s: int
    account_id: str
    borrower_id: str
    full: bool  # a full close-out, not a partial back to the target RF
    debt_before_usd_wad: int
    proceeds_usd_wad: int  # what the unwind raised, after slippage
    repaid_usd_wad: int
    fee_usd_wad: int
    bad_debt_usd_wad: int  # the shortfall
    rf_before_wad: int | None  # None: the account owed nothing measurable
    rf_after_wad: int | None
    positions_closed: int = 0

    def __post_init__(self) -> None:
        _non_negative(self, "debt_before_usd_wad", "proceeds_usd_wad", "repaid_usd_wad")
        _non_negative(self, "fee_usd_wad", "bad_debt_usd_wad", "positions_closed")
        _non_negative(self, "rf_before_wad", "rf_after_wad")


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeRecord(JsonRecord):
    """A notice the book sent (kind as `prime.engine_state.NoticeKind` values)."""

    ts_s: int
    kind: str  # margin_call, reduce_only, liquidation, cured, recall, emergency, bad_debt, ...
    message: str
    account_id: str | None = None
    borrower_id: str | None = None
    loan_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitRecord(JsonRecord):
    """Gross exposure against its limit at one step, for one asset group or one venue."""

    ts_s: int
    scope: str  # one of LIMIT_SCOPES
    name: str  # the asset group's or the venue's name
    exposure_usd_wad: int
    limit_usd_wad: int | None  # None: no limit applies

    def __post_init__(self) -> None:
        if self.scope not in LIMIT_SCOPES:
            raise bad_field("scope", f"{self.scope!r} is not one of {LIMIT_SCOPES}")
        _non_negative(self, "exposure_usd_wad", "limit_usd_wad")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReserveRecord(JsonRecord):
    """A SparkLend reserve at one step (rates annual, ray, as the Pool's reserve data)."""

    ts_s: int
    reserve: str  # the underlying's symbol
    utilization_ray: int
    supply_rate_ray: int  # currentLiquidityRate
    variable_borrow_rate_ray: int  # currentVariableBorrowRate
    supplied_usd_wad: int
    borrowed_usd_wad: int

    def __post_init__(self) -> None:
        _non_negative(self, "utilization_ray", "supply_rate_ray", "variable_borrow_rate_ray")
        _non_negative(self, "supplied_usd_wad", "borrowed_usd_wad")


@dataclass(frozen=True, slots=True, kw_only=True)
class SllAllocationRecord(JsonRecord):
    """What the Spark Liquidity Layer holds at one venue at one step."""

    ts_s: int
    venue: str
    allocated_usd_wad: int

    def __post_init__(self) -> None:
        _non_negative(self, "allocated_usd_wad")


@dataclass(frozen=True, slots=True, kw_only=True)
class SavingsRecord(JsonRecord):
    """A savings vault at one step: its rate accumulator and rate (ray, per second)."""

    ts_s: int
    vault: str  # "sUSDS"
    chi_ray: int
    rate_ray: int  # the per-second rate (SSR), RAY = 0%

    def __post_init__(self) -> None:
        _non_negative(self, "chi_ray", "rate_ray")


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectionRecord(JsonRecord):
    """A command a journal refused during the replay (it changed nothing)."""

    ts_s: int
    journal: str  # "prime" or "sparklend"
    kind: str  # the command kind, e.g. "prime.execute_liquidation"
    code: str  # the ErrorCode's name
    message: str
    account_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultSummary(JsonRecord):
    """The figures a reader wants first."""

    accounts: int
    accounts_by_status: Mapping[str, int] = field(hash=False)  # at the last step
    total_bad_debt_usd_wad: int
    total_liquidation_fees_usd_wad: int
    liquidations: int
    margin_calls: int
    recalls: int
    worst_rf_wad: int | None  # the lowest RF seen at any step; None: nobody owed anything
    worst_rf_account_id: str | None
    worst_rf_ts_s: int | None
    peak_funding_used_usd_wad: int
    sll_max_usd_wad: int  # the SLL's maximum exposure to the book

    def __post_init__(self) -> None:
        _freeze(self, "accounts_by_status")
        _non_negative(self, "accounts", "total_bad_debt_usd_wad")
        _non_negative(self, "total_liquidation_fees_usd_wad", "liquidations", "margin_calls")
        _non_negative(self, "recalls", "worst_rf_wad", "peak_funding_used_usd_wad")
        _non_negative(self, "sll_max_usd_wad")

    @staticmethod
    def empty() -> ResultSummary:
        """A summary of nothing (zero accounts)."""
        return ResultSummary(
            accounts=0, accounts_by_status={}, total_bad_debt_usd_wad=0,
            total_liquidation_fees_usd_wad=0, liquidations=0, margin_calls=0, recalls=0,
            worst_rf_wad=None, worst_rf_account_id=None, worst_rf_ts_s=None,
            peak_funding_used_usd_wad=0, sll_max_usd_wad=0,
        )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayResult(JsonRecord):
    """The whole output of one replay (see the module docstring for units and JSON)."""

    schema_version: int = SCHEMA_VERSION
    run_id: str
    book_name: str
    scenario_name: str
    seed: int
    started_ts_s: int
    step_s: int  # the time step
    thresholds: RfThresholds | None  # the pool's RF rungs; None when pools differ
    steps: tuple[StepRecord, ...]
    liquidations: tuple[LiquidationRecord, ...] = ()
    notices: tuple[NoticeRecord, ...] = ()
    limits: tuple[LimitRecord, ...] = ()
    sparklend: tuple[ReserveRecord, ...] = ()
    sll: tuple[SllAllocationRecord, ...] = ()
    savings: tuple[SavingsRecord, ...] = ()
    rejections: tuple[RejectionRecord, ...] = ()
    summary: ResultSummary
    journal_path: str | None = None

    def __post_init__(self) -> None:
        if self.schema_version != SCHEMA_VERSION:
            raise ProtocolError(
                ErrorCode.RESULT_SCHEMA_VERSION, got=self.schema_version, expected=SCHEMA_VERSION
            )
        if self.step_s <= 0:
            raise bad_field("step_s", f"{self.step_s} is not positive")
        for name in (
            "steps",
            "liquidations",
            "notices",
            "limits",
            "sparklend",
            "sll",
            "savings",
            "rejections",
        ):
            records = getattr(self, name)
            if not isinstance(records, tuple):
                raise bad_field(name, f"expected a tuple, got {type(records).__name__}")
            if len(records) > MAX_RECORDS:
                raise bad_field(name, f"{len(records)} records (at most {MAX_RECORDS})")
        prev: StepRecord | None = None
        for i, step in enumerate(self.steps):
            if step.step != i:
                raise bad_field(f"steps[{i}].step", f"{step.step} is not its index {i}")
            if prev is not None and step.ts_s <= prev.ts_s:
                raise bad_field(f"steps[{i}].ts_s", f"{step.ts_s} is not after {prev.ts_s}")
            prev = step

    def to_json(self) -> str:
        """Deterministic JSON text (sorted keys, exact ints, a final newline)."""
        return json.dumps(self.to_json_value(), sort_keys=True, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> ReplayResult:
        """Read `to_json`'s output back; refuses floats, unknown fields and broken records."""
        try:
            raw = json.loads(text, parse_float=refuse_float, parse_constant=refuse_float)
        except ValueError as exc:  # JSONDecodeError and a UnicodeDecodeError are ValueErrors
            raise bad_field("(document)", f"not JSON: {exc}") from None
        if isinstance(raw, dict) and raw.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise ProtocolError(
                ErrorCode.RESULT_SCHEMA_VERSION,
                got=raw["schema_version"],
                expected=SCHEMA_VERSION,
            )
        return cls.from_json_value(raw)
