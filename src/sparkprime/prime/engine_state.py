"""The state a `PrimeBook` folds its journal into, its JSON form, and the notices it emits.

`BookState` holds only frozen records (`prime.book`, `prime.policy`, `prime.status`,
`prime.recalls`, `prime.emergency`, `prime.critical_actions`, `prime.liquidation`) in plain
dicts and tuples, so `copy()` (new dicts, shared records) is a complete working copy: the
engine runs each command on a copy and keeps it only if the command succeeds, which is how a
refused command changes nothing.

`to_plain` / `from_plain` turn any of these records (and the whole state) into canonical
JSON-able data and back, driven by the dataclasses' type hints: enums by value, dates as ISO
strings, frozensets sorted, mappings with sorted string keys, a union of records picked by its
field names. `state_hash` is the sha256 of the canonical JSON.

Example:
    >>> from sparkprime.prime.book import Asset
    >>> from_plain(Asset, to_plain(Asset(symbol="USDC", decimals=6)))
    Asset(symbol='USDC', decimals=6, pegged_to=None)
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Final, TypeVar

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import Account, Asset, Borrower, Loan, Position, Venue
from sparkprime.prime.critical_actions import AccountControls, OriginationSteps, Proposal
from sparkprime.prime.emergency import EmergencyAction
from sparkprime.prime.liquidation import LiquidationPlan
from sparkprime.prime.policy import Policy
from sparkprime.prime.recalls import RecallNotice, UnapprovedObservation
from sparkprime.prime.status import AccountStatusState

__all__ = [
    "NOTICES_KEPT",
    "STATE_VERSION",
    "UNAPPROVED_HISTORY_KEPT",
    "BookState",
    "Notice",
    "NoticeKind",
    "from_plain",
    "to_plain",
]

STATE_VERSION: Final = 3  # 2: `liquidated`; 3: `origination`
NOTICES_KEPT: Final = 10_000  # the oldest notices are dropped past this (their seq is kept)
UNAPPROVED_HISTORY_KEPT: Final = 16  # margin checks remembered per account (recall trigger 2)
_T = TypeVar("_T")


class NoticeKind(StrEnum):
    """What an event in the book's notice log reports."""

    WARNING = "warning"  # e.g. an unapproved (unknown) asset taken at a 100% haircut
    MARGIN_CALL = "margin_call"
    REDUCE_ONLY = "reduce_only"
    LIQUIDATION = "liquidation"
    CURED = "cured"  # back to HEALTHY
    RECALL = "recall"
    EMERGENCY = "emergency"
    LIQUIDATION_PLAN = "liquidation_plan"
    LIQUIDATION_EXECUTED = "liquidation_executed"
    BAD_DEBT = "bad_debt"
    POLICY_CHANGED = "policy_changed"
    CRITICAL_EXECUTED = "critical_executed"
    WITHDRAWAL = "withdrawal"  # a `prime.withdraw` took tokens out of the book


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """One event of the notice log; `seq` numbers notices from 1, in order."""

    seq: int
    ts_s: int
    kind: NoticeKind
    message: str
    account_id: str | None = None
    borrower_id: str | None = None
    loan_id: str | None = None
    amount: int | None = None  # base units: borrowed asset (bad debt, fee), withdrawn qty


@dataclass(slots=True, kw_only=True)
class BookState:
    """Everything a `PrimeBook` knows (records only; see the module docstring)."""

    policy: Policy
    history: tuple[Policy, ...] = ()  # versions `prime.set_policy` may name by id
    ssr_bps: int | None = None
    sofr_bps: int | None = None
    sll_max_exposure_usd_wad: int = 0
    prices: dict[str, int] = field(default_factory=dict)
    depths: dict[str, MarketDepth] = field(default_factory=dict)
    circulating_supply: dict[str, int] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)
    borrowers: dict[str, Borrower] = field(default_factory=dict)
    venues: dict[str, Venue] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    loans: dict[str, Loan] = field(default_factory=dict)
    statuses: dict[str, AccountStatusState] = field(default_factory=dict)
    unapproved_seen: dict[str, tuple[UnapprovedObservation, ...]] = field(default_factory=dict)
    emergencies: tuple[EmergencyAction, ...] = ()
    recalls: tuple[RecallNotice, ...] = ()  # active recall notices, one per (loan, trigger)
    plans: dict[str, LiquidationPlan] = field(default_factory=dict)  # account -> pending plan
    # account -> when a FULL plan closed it out; cleared by its next new loan or draw
    liquidated: dict[str, int] = field(default_factory=dict)
    controls: AccountControls | None = None
    proposals: dict[str, Proposal] = field(default_factory=dict)
    # loan -> its origination steps (a collateral agent receives withdrawals once complete)
    origination: dict[str, OriginationSteps] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    notice_seq: int = 0  # the last notice's seq
    bad_debt: int = 0  # borrowed-asset base units written off, in total
    fees: int = 0  # liquidation fees collected, in total

    def copy(self) -> BookState:
        """A working copy: new containers, the same (frozen) records."""
        containers: dict[str, Any] = {
            f.name: dict(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), dict)
        }
        return dataclasses.replace(self, **containers)

    def notify(self, ts_s: int, kind: NoticeKind, message: str, **about: Any) -> Notice:
        """Append a notice (the log keeps the newest `NOTICES_KEPT`)."""
        self.notice_seq += 1
        notice = Notice(seq=self.notice_seq, ts_s=ts_s, kind=kind, message=message, **about)
        self.notices = (*self.notices, notice)[-NOTICES_KEPT:]
        return notice


# --- JSON form ---------------------------------------------------------------------------


def to_plain(value: object) -> Any:
    """A record (or the state) as canonical JSON-able data."""
    if isinstance(value, Enum):  # before str: a StrEnum is a str
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in sorted(value.items())}
    raise TypeError(f"cannot serialise {type(value).__name__}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _corrupt(reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.SNAPSHOT_CORRUPT, seq="?", reason=f"prime book: {reason}")


def _from(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if data is None and type(None) in args:
            return None
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            return _from(members[0], data)
        for m in members:  # a union of records: the one whose fields match
            if dataclasses.is_dataclass(m) and isinstance(data, Mapping):
                names = {f.name for f in dataclasses.fields(m) if f.init}
                if names == set(data):
                    return _from(m, data)
        raise _corrupt(f"no member of {hint} matches {data!r}")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from(args[0], v) for v in data)
        return tuple(_from(a, v) for a, v in zip(args, data, strict=True))
    if origin is frozenset:
        return frozenset(_from(args[0], v) for v in data)
    if origin in (dict, Mapping) or hint is Mapping:
        return {k: _from(args[1], v) for k, v in data.items()}
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint(data)
        if hint is datetime.date:
            return datetime.date.fromisoformat(data)
        if dataclasses.is_dataclass(hint):
            return from_plain(hint, data)
        if hint in (int, str, bool):
            if type(data) is not hint:
                raise _corrupt(f"expected {hint.__name__}, got {data!r}")
            return data
    if hint is Any:
        return data
    raise _corrupt(f"cannot read a {hint!r}")


def from_plain(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """Rebuild a record of type `cls` from `to_plain` data (its own checks run again)."""
    hints = _hints(typing.cast(type, cls))
    fields_ = [f.name for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    if set(data) != set(fields_):
        raise _corrupt(f"{cls.__name__} fields {sorted(data)} != {sorted(fields_)}")
    return cls(**{name: _from(hints[name], data[name]) for name in fields_})
