"""The live Spark Prime engine: one journaled, deterministic state machine (`PrimeBook`).

DESIGN §4-§5: every change (a policy version, benchmarks, prices, a borrower, a venue, an
account, a position, a loan event, a re-margin, a liquidation, an emergency, a critical
action) is a `prime.<verb>` command (`prime.engine_commands`) that `PrimeBook.apply` validates
and then executes at the journal's timestamp. The state (`prime.engine_state.BookState`) holds
only frozen records, and each command runs on a working copy that replaces the state only when
the command succeeds, so a refused command raises `ProtocolError` and changes nothing (the
ledger's paranoid mode checks it). State is a pure fold of the journal: `snapshot` /
`restore` round-trip and `state_hash` is the sha256 of the canonical JSON, so a replay gives
the same hash.

The rules are the landed modules', called, never copied: `prime.exposure.validate_position`
and `prime.limits.assert_within_limits` before any position change, new loan or draw;
`prime.loans` for origination (borrower gates, terms, dated floor), accrual, draws, repayments
and renewals; `prime.margin` + `prime.status.next_status` for the ladder; `prime.recalls` and
`prime.emergency` for recalls and emergencies; `prime.liquidation_plan` /
`prime.liquidation_exec` for liquidations; `prime.critical_actions` for the quorum and the
withdrawal whitelist, and `prime.whatif.withdraw_allowed` for `prime.withdraw`
(`prime.engine_withdraw`). Engine rules of its own (documented choices):

- a new loan or a draw must leave the account HEALTHY (RF above the pool's margin-call RF);
- a REDUCE_ONLY or LIQUIDATION account takes no new loan nor draw, and a position change
  there must not lower its RF;
- loans accrue lazily: margin reads the debt at the command's time; the interest is
  persisted at loan events and by `prime.accrue`.

The engine never imports presets: the caller passes the policy (and optionally a history of
versions that `prime.set_policy` may name by id).

Example:
    >>> from sparkprime.presets.atlas_policy import atlas_policy  # doctest: +SKIP
    >>> book = PrimeBook(policy=atlas_policy(), start_ts_s=1_790_000_000)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Final, Self

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.command import canonical_json
from sparkprime.prime import engine_book as eb
from sparkprime.prime import engine_commands as ec
from sparkprime.prime import engine_loans as el
from sparkprime.prime import engine_reports as erp
from sparkprime.prime import engine_risk as er
from sparkprime.prime import engine_withdraw as ew
from sparkprime.prime.book import Asset
from sparkprime.prime.critical_actions import AccountControls, SignerSet
from sparkprime.prime.engine_state import STATE_VERSION, BookState, from_plain, to_plain
from sparkprime.prime.policy import Policy

__all__ = ["ENGINE_NAME", "PrimeBook"]

ENGINE_NAME: Final = "prime.book/1"
_Handler = Callable[[BookState, Any, int], Any]

_HANDLERS: Final[Mapping[type, _Handler]] = {
    ec.SetPolicy: eb.set_policy,
    ec.SetBenchmarks: eb.set_benchmarks,
    ec.SetPrices: eb.set_prices,
    ec.SetMarketDepth: eb.set_market_depth,
    ec.SetCirculatingSupply: eb.set_circulating_supply,
    ec.SetSllMaxExposure: eb.set_sll_max_exposure,
    ec.RegisterAsset: eb.register_asset,
    ec.OnboardBorrower: eb.onboard_borrower,
    ec.UpdateBorrower: eb.update_borrower,
    ec.BorrowerEvent: eb.borrower_event,
    ec.AddVenue: eb.add_venue,
    ec.OpenAccount: eb.open_account,
    ec.UpsertPosition: eb.upsert_position,
    ec.RemovePosition: eb.remove_position,
    ec.ReportMarginValues: erp.report_margin_values,
    ec.OriginateLoan: el.originate_loan,
    ec.Draw: el.draw,
    ec.Repay: el.repay,
    ec.RenewLoan: el.renew_loan,
    ec.Accrue: el.accrue_all,
    ec.Remargin: er.remargin,
    ec.ExecuteLiquidation: er.execute_liquidation,
    ec.EmergencyActionCmd: er.emergency_action,
    ec.ProposeCritical: er.propose_critical,
    ec.ApproveCritical: er.approve_critical,
    ec.ExecuteCritical: er.execute_critical,
    ec.Withdraw: ew.withdraw,
    ec.RecordOriginationSteps: ew.record_origination_steps,
}


class PrimeBook:
    """The Spark Prime book as a `StateMachine` (see the module docstring)."""

    NAME: ClassVar[str] = ENGINE_NAME
    COMMAND_TYPES: ClassVar[tuple[type, ...]] = ec.ENGINE_COMMANDS

    __slots__ = ("_clock", "_state")

    def __init__(
        self,
        *,
        policy: Policy,
        history: Iterable[Policy] = (),
        assets: Iterable[Asset] = (),
        signers: SignerSet | None = None,
        sll_address: str | None = None,
        start_ts_s: int = 0,
    ) -> None:
        controls = None
        if signers is not None:
            controls = (
                AccountControls(signers=signers)
                if sll_address is None
                else AccountControls.with_sll(signers, sll_address=sll_address)
            )
        self._clock = Clock(start_ts_s)
        self._state = BookState(
            policy=policy,
            history=tuple(history),
            assets={a.symbol: a for a in assets},
            controls=controls,
        )

    @property
    def clock(self) -> Clock:
        """The book's clock; the journal warps it to each command's timestamp."""
        return self._clock

    @property
    def state(self) -> BookState:
        """The current state: read it; change it only through `apply`."""
        return self._state

    def apply(self, command: Any) -> Any:
        """Validate then execute `command` at `clock.now`; a refusal changes nothing."""
        handler = _HANDLERS.get(type(command))
        if handler is None:
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND_KIND, kind=type(command).__name__)
        working = self._state.copy()
        result = handler(working, command, self._clock.now)
        self._state = working  # only reached when the command succeeded
        return result

    # --- state --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole book (and the clock) as canonical JSON-able data."""
        return {"version": STATE_VERSION, "now_s": self._clock.now, "state": to_plain(self._state)}

    def state_hash(self) -> str:
        """sha256 of the canonical JSON of `snapshot()`."""
        return hashlib.sha256(canonical_json(self.snapshot()).encode()).hexdigest()

    @classmethod
    def restore(cls, snapshot: Mapping[str, Any]) -> Self:
        """Rebuild a book from `snapshot()`."""
        if snapshot.get("version") != STATE_VERSION:
            raise ProtocolError(
                ErrorCode.SNAPSHOT_CORRUPT,
                seq="?",
                reason=f"prime book version {snapshot.get('version')!r}",
            )
        state = from_plain(BookState, snapshot["state"])
        book = cls.__new__(cls)
        book._clock = Clock(int(snapshot["now_s"]))
        book._state = state
        return book
