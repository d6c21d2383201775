"""The stress replay: time steps through a price path; the prime book re-margins and liquidates.

`run_replay(book, path, journal_path=..., seed=...)` builds the world (`sim.replay_world`: the
journaled prime book from the book file, the journaled SparkLend Ethereum market, sUSDS; and
`sim.replay_sll`: the live four-chain Spark Liquidity Layer) at the book's `as_of`, then for
every time of `path` (shifted so that its first time is `as_of`; the spacing is the path's):

1. prices: `sim.replay_inputs.book_prices_at` maps the path onto every symbol the book prices;
   sUSDS (when the path does not carry it) is its book price times the vault's chi growth;
2. the prime book, in one journal batch: `prime.set_prices`, `prime.report_margin_values`
   (the replay plays the CEXs: every sub-account's margin value marked to the new prices,
   `sim.replay_venues`), `prime.accrue` (loans persist their interest), `prime.remargin`
   (the status ladder, margin calls, cures, recalls and full liquidation plans for accounts
   in LIQUIDATION);
3. every pending plan is executed, in a second batch, as `prime.execute_liquidation` with
   fills at the plan's own expected prices: the mark moved by the depth-walk slippage of
   `prime.liquidation_plan` (a documented choice: the replay has no order book, and executing
   at the expected prices reproduces the plan's proceeds, fee and bad debt exactly). A refused
   execution (e.g. a PT that can only be redeemed at maturity) is recorded and the plan is
   re-made at the next re-margin;
4. SparkLend gets the same oracle prices and a keeper's touch (`SparkLendWorld.step_commands`)
   in its own journal; sUSDS drips;
5. the SLL (`sim.replay_sll.SllReplay`, on its own clock advanced to the step's time): the
   Arkis venue's book follows the prime book's funding used through the Mainnet controller's
   `transfer_asset` within its rate limit (a shortfall is recorded as a REPLAY_SLL_DRAW_SHORT
   rejection of journal "sll"), and every `ReplayOptions.sll_plan_every_s` (6 h) the relayer
   observes, plans (`planner.plan_allocation`) and applies the plan through the controllers;
6. a `StepRecord` (RF percentiles from the re-margin's own figures, accounts by status, debt,
   marked value, funding, cumulative bad debt and fees), exposures vs limits per asset group
   and venue (`prime.limits.check_book`), SparkLend reserves, chi, and the SLL's allocation
   per venue (`<chain>/<venue>`) with its idle and in-flight funds.

Every command goes through a `Ledger` (SQLite at `journal_path`, SparkLend's next to it as
`<stem>.sparklend<suffix>`; None = in memory); refused commands are kept in each journal's
rejection log and in `ReplayResult.rejections`. The SLL is not journaled: it is rebuilt from
the book, the seed and the prime book's funding path. Same inputs and seed -> the same journals
(state hashes) and byte-identical `to_json()`. `policy` defaults to the book file's own
(`load_book_file` reads it as `atlas_policy(as_of)` unless told otherwise);
`step_callback(done, total)` is called after each step (a progress bar).

The exact engine runs every step; no fast-tier kernel is used: the 200-borrower example book
over 97 steps of `black_thursday_2020`, journaled to SQLite files, replays in 10-21 s on the
2-core dev machine (its load varies), plus about 1 s for the HTML report; the SLL adds about
0.2 s (33 plans).

Example:
    >>> from sparkprime.presets.example_book import small_book
    >>> from sparkprime.sim.replay_inputs import resolve_scenario
    >>> book = small_book()
    >>> r = run_replay(book, resolve_scenario("ftx_2022", book, steps=4), seed=1)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.ledger import Ledger, SqlJournalStore
from sparkprime.ledger.store import JournalStore
from sparkprime.presets.book_file import BookFile
from sparkprime.presets.sparklend_ethereum import sparklend_ethereum_preset
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.policy import Policy
from sparkprime.sim.paths import PricePath
from sparkprime.sim.replay_inputs import book_prices_at, price_base
from sparkprime.sim.replay_sll import SllReplay
from sparkprime.sim.replay_steps import StepRecorder
from sparkprime.sim.replay_world import SavingsWorld, SparkLendWorld, open_prime
from sparkprime.sim.result import ReplayResult

__all__ = ["ReplayOptions", "StepCallback", "run_replay", "sparklend_journal_path"]

StepCallback = Callable[[int, int], None]  # (steps done, steps in all)
_SUSDS: Final = "sUSDS"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayOptions:
    """How a replay runs and names itself (all optional)."""

    book_name: str = "book"
    scenario_name: str = "custom"
    sparklend: bool = True  # run the SparkLend market alongside
    sll: bool = True  # run the live Spark Liquidity Layer alongside (`sim.replay_sll`)
    sll_plan_every_s: int = 6 * 3_600  # the SLL planner's cadence, in simulated seconds
    paranoid: bool = False  # the ledger's paranoid mode (re-checks each refusal changed nothing)

    def __post_init__(self) -> None:
        if self.sll_plan_every_s <= 0:
            raise ProtocolError(
                ErrorCode.REPLAY_INVALID_OPTION, field="sll_plan_every_s", reason="not positive"
            )


def sparklend_journal_path(journal_path: Path) -> Path:
    """Where SparkLend's journal goes next to the prime one: `run.db` -> `run.sparklend.db`."""
    return journal_path.with_name(f"{journal_path.stem}.sparklend{journal_path.suffix or '.db'}")


def _store(path: Path | None) -> JournalStore:
    return SqlJournalStore("sqlite://") if path is None else SqlJournalStore.sqlite(str(path))


def _run_id(book: BookFile, path: PricePath, seed: int, options: ReplayOptions) -> str:
    h = hashlib.sha256()
    for part in (
        options.book_name,
        options.scenario_name,
        str(seed),
        book.as_of.isoformat(),
        ",".join(path.symbols),
        ",".join(a.account_id for a in book.accounts),
    ):
        h.update(part.encode() + b"\x1f")  # fmt: skip
    h.update(path.times_s.tobytes())
    h.update(path.prices_usd_e8().tobytes())
    return h.hexdigest()[:16]


def run_replay(
    book: BookFile,
    path: PricePath,
    *,
    journal_path: Path | None = None,
    seed: int = 0,
    policy: Policy | None = None,
    step_callback: StepCallback | None = None,
    options: ReplayOptions | None = None,
) -> ReplayResult:
    """Replay `book` through `path` (module docstring); the journals are left closed."""
    opts = options or ReplayOptions()
    paths = _journal_files(journal_path, opts)
    try:
        return _run(book, path, journal_path, seed, policy or book.policy, step_callback, opts)
    except BaseException:
        for p in paths:  # nothing half-written: a failed run leaves no journal behind
            for leftover in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise


def _journal_files(journal_path: Path | None, opts: ReplayOptions) -> list[Path]:
    if journal_path is None:
        return []
    files = [Path(journal_path)]
    if opts.sparklend:
        files.append(sparklend_journal_path(Path(journal_path)))
    for f in files:
        if f.exists():
            raise ProtocolError(
                ErrorCode.REPLAY_INVALID_OPTION, field="journal_path", reason=f"{f} exists"
            )
    return files


def _run(  # noqa: PLR0917 - the private body of run_replay, same arguments
    book: BookFile,
    path: PricePath,
    journal_path: Path | None,
    seed: int,
    policy: Policy,
    step_callback: StepCallback | None,
    opts: ReplayOptions,
) -> ReplayResult:
    start = book.now_ts_s
    times = [start + int(t - path.times_s[0]) for t in path.times_s]
    prime: Ledger[PrimeBook] = open_prime(
        book, policy, _store(journal_path), paranoid=opts.paranoid
    )
    savings = SavingsWorld(start_ts_s=start, ssr_bps=book.ssr_bps or 0)
    sparklend: SparkLendWorld | None = None
    sll: SllReplay | None = None
    try:
        if opts.sparklend:
            slp = None if journal_path is None else sparklend_journal_path(Path(journal_path))
            sparklend = SparkLendWorld.open(
                _store(slp), start_ts_s=start, prices_usd_e8=_sparklend_prices(book),
                ssr_bps=book.ssr_bps or 0,
            )  # fmt: skip
        recorder = StepRecorder(book, prime, policy)
        for i, ts in enumerate(times):
            chi = savings.advance(ts)
            prices = book_prices_at(book, path, i)
            if _SUSDS in prices and _SUSDS not in path.symbols:
                prices[_SUSDS] = book.prices[_SUSDS] * chi // RAY
            recorder.step(i, ts, prices)
            if sparklend is not None:
                recorder.sparklend_step(sparklend, ts, prices)
            recorder.savings_step(ts, chi, savings.ssr_ray)
            if opts.sll and sll is None:  # the SLL's opening draw is the book's funding now
                sll = SllReplay(
                    start_ts_s=ts, as_of=book.as_of, ssr_bps=book.ssr_bps or 0, seed=seed,
                    funding_usd_wad=recorder.steps[-1].funding_used_usd_wad,
                    plan_every_s=opts.sll_plan_every_s,
                )  # fmt: skip
            recorder.sll_step(sll, ts)
            if step_callback is not None:
                step_callback(i + 1, len(times))
        return recorder.result(
            run_id=_run_id(book, path, seed, opts),
            book_name=opts.book_name,
            scenario_name=opts.scenario_name,
            seed=seed,
            step_s=_step_s(times),
            journal_path=None if journal_path is None else str(journal_path),
        )
    finally:
        prime.close()
        if sparklend is not None:
            sparklend.ledger.close()


def _step_s(times: list[int]) -> int:
    return times[1] - times[0] if len(times) > 1 else 1


def _sparklend_prices(book: BookFile) -> Mapping[str, int]:
    """A price for every preset reserve: the book's, its proxy's, or $1 for a stablecoin."""
    out: dict[str, int] = {}
    for r in sparklend_ethereum_preset().reserves:
        base = price_base(r.symbol)
        e8 = book.prices.get(r.symbol) or book.prices.get(base) or book.prices.get("W" + base)
        out[r.symbol] = e8 if e8 else _fallback_e8(r.symbol, book)
    return out


def _fallback_e8(symbol: str, book: BookFile) -> int:
    if "BTC" in symbol:
        return book.prices.get("BTC", 1) or 1
    if "ETH" in symbol:
        return book.prices.get("ETH", 1) or 1
    return 10**8  # stablecoins, GNO: a placeholder price the replay does not move
