"""End-to-end replays of the 8-borrower example book (`presets.example_book.small_book`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import numpy as np
import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import Ledger, SqlJournalStore
from sparkprime.presets.book_file import BookFile
from sparkprime.presets.example_book import small_book
from sparkprime.prime.book import Position, PositionKind
from sparkprime.prime.engine import PrimeBook
from sparkprime.protocols.sparklend.market import SparkLendMarket
from sparkprime.sim.paths import PricePath
from sparkprime.sim.replay import ReplayOptions, run_replay, sparklend_journal_path
from sparkprime.sim.replay_inputs import book_prices_at, price_base, resolve_scenario
from sparkprime.sim.replay_venues import margin_value_reports
from sparkprime.sim.replay_world import open_prime
from sparkprime.sim.result import ReplayResult

STEP_S = 6 * 3600


@functools.cache
def book() -> BookFile:
    return small_book()


def crash_path(
    b: BookFile, *, floor: float = 0.2, steps: int = 8, up: frozenset[str] = frozenset()
) -> PricePath:
    """Every unpegged series the book reads falls linearly to `floor` x its book price; those
    in `up` rise linearly to 1 / `floor` x theirs instead."""
    symbols = sorted(
        {price_base(s) for s in b.prices}
        - {s for s, a in b.assets.items() if a.pegged_to is not None}
    )
    down, rise = np.linspace(1.0, floor, steps + 1), np.linspace(1.0, 1 / floor, steps + 1)
    prices = np.array([
        [b.prices.get(s, 10**8) / 1e8 * (r if s in up else f) for s in symbols]
        for f, r in zip(down, rise, strict=True)
    ])  # fmt: skip
    times = np.arange(steps + 1, dtype=np.int64) * STEP_S
    return PricePath(times_s=times, symbols=tuple(symbols), prices_usd=prices)


@functools.cache
def crash_result() -> ReplayResult:
    return run_replay(book(), crash_path(book()), seed=7, options=ReplayOptions(sparklend=False))


#: The small book's alt_long_short-005 is short these (and long DOGE, AVAX, SOL).
SHORTED: Final = frozenset({"ADA", "NEAR", "SUI"})


def test_uniform_crash_spares_hedged_books() -> None:
    """An 80% fall of everything: the basis trades' CEX margin values gain what their spot
    legs lose (the replay marks them), so nobody is called or liquidated; before the venues'
    reports, the basis books were liquidated on a static margin value."""
    r = crash_result()
    assert r.summary.liquidations == 0
    assert not [n for n in r.notices if n.kind == "margin_call"]
    assert dict(r.summary.accounts_by_status) == {"healthy": len(book().accounts)}


def test_squeeze_margin_call_then_liquidation() -> None:
    """The alt long/short book's longs fall by half and its shorts double, over 24 steps."""
    path = crash_path(book(), floor=0.5, steps=24, up=SHORTED)
    r = run_replay(book(), path, seed=7, options=ReplayOptions(sparklend=False))
    assert [x.account_id for x in r.liquidations] == ["alt_long_short-005"]
    liq = r.liquidations[0]
    kinds = [n.kind for n in r.notices if n.account_id == liq.account_id]
    # the ladder: a margin call, then liquidation, a plan, its execution
    assert kinds.index("margin_call") < kinds.index("liquidation")
    assert kinds.index("liquidation_plan") < kinds.index("liquidation_executed")
    assert liq.full
    assert liq.rf_before_wad is not None
    assert liq.rf_before_wad < 10**18
    assert liq.repaid_usd_wad + liq.bad_debt_usd_wad <= liq.debt_before_usd_wad + 10**18
    # the closed-out account reads liquidated from then on, not healthy
    first = next(i for i, s in enumerate(r.steps) if s.ts_s == liq.ts_s)
    for step in r.steps[first:]:
        assert step.accounts_by_status["liquidated"] == 1
        assert sum(step.accounts_by_status.values()) == len(book().accounts)
    assert all("liquidated" not in s.accounts_by_status for s in r.steps[:first])
    assert r.summary.accounts_by_status == r.steps[-1].accounts_by_status
    assert sum(s.liquidations for s in r.steps) == len(r.liquidations)


def test_gap_leaves_bad_debt() -> None:
    """The same squeeze in one 6-hour gap: the sub-account is underwater (a negative margin
    value), and the liquidation cannot cover the loan."""
    path = crash_path(book(), floor=0.3, steps=1, up=SHORTED)
    r = run_replay(book(), path, seed=7, options=ReplayOptions(sparklend=False))
    deep = sum(liq.bad_debt_usd_wad for liq in r.liquidations)
    assert deep > 0
    assert r.summary.total_bad_debt_usd_wad == r.steps[-1].cum_bad_debt_usd_wad
    # bad debt is counted within a dollar of the liquidations' sum (per-record rounding)
    assert abs(r.summary.total_bad_debt_usd_wad - deep) <= len(r.liquidations) * 10**18
    assert [s.ts_s - r.started_ts_s for s in r.steps] == [0, STEP_S]


def test_steps_follow_the_path_prices() -> None:
    b, path = book(), crash_path(book())
    r = crash_result()
    for i, step in enumerate(r.steps):
        expected = book_prices_at(b, path, i)
        expected.pop("sUSDS")  # sUSDS follows chi, not the path
        for symbol, e8 in expected.items():
            assert step.prices_usd_wad[symbol] == e8 * 10**10
    assert r.steps[-1].prices_usd_wad["BTC"] == b.prices["BTC"] * 10**10 // 5
    assert r.steps[-1].prices_usd_wad["USDC"] == b.prices["USDC"] * 10**10  # not in the path


def test_journals_reopen_verify_and_match(tmp_path: Path) -> None:
    journal = tmp_path / "run.db"
    r = run_replay(book(), crash_path(book(), steps=4), journal_path=journal, seed=1)
    assert r.journal_path == str(journal)
    prime = Ledger.open(SqlJournalStore.sqlite(str(journal)), PrimeBook, use_snapshots=False)
    lend = Ledger.open(
        SqlJournalStore.sqlite(str(sparklend_journal_path(journal))),
        SparkLendMarket,
        use_snapshots=False,
    )
    state = prime.machine.state
    assert prime.machine.clock.now == r.steps[-1].ts_s
    assert len(state.accounts) == r.summary.accounts
    assert sorted(n.message for n in state.notices) == sorted(n.message for n in r.notices)
    # every refusal of the run is in the journals' rejection logs, and only those
    logged = [(x.kind, x.ts_s) for x in prime.rejections()] + [
        (x.kind, x.ts_s) for x in lend.rejections()
    ]
    assert sorted(logged) == sorted((x.kind, x.ts_s) for x in r.rejections)
    # every CEX sub-account's margin value is marked to the last prices (sim.replay_venues)
    assert not r.liquidations
    last = {s: p // 10**10 for s, p in r.steps[-1].prices_usd_wad.items()}
    marked = [p for p in state.positions.values() if p.kind is PositionKind.MARGIN_VALUE]
    assert len(marked) == 4
    for mv in marked:
        start = next(p for p in book().positions if p.position_id == mv.position_id)
        expected = start.margin_value_usd_wad
        assert expected is not None
        for p in book().account_positions(mv.account_id):
            if p.venue_id == mv.venue_id and p.kind is not PositionKind.MARGIN_VALUE:
                expected += _cex_value(p, last) - _cex_value(p, book().prices)
        assert mv.margin_value_usd_wad == expected
        assert expected != start.margin_value_usd_wad
    hashes = prime.state_hash(), lend.state_hash()
    prime.close()
    lend.close()
    again = tmp_path / "again.db"
    run_replay(book(), crash_path(book(), steps=4), journal_path=again, seed=1)
    prime2 = Ledger.open(SqlJournalStore.sqlite(str(again)), PrimeBook)
    lend2 = Ledger.open(SqlJournalStore.sqlite(str(sparklend_journal_path(again))), SparkLendMarket)
    assert (prime2.state_hash(), lend2.state_hash()) == hashes
    prime2.close()
    lend2.close()


def _cex_value(p: Position, prices_e8: Mapping[str, int]) -> int:
    """A spot token's or a perp's value at `prices_e8` (USD wad, floored)."""
    scale: int = 10 ** book().assets[p.symbol].decimals
    if p.kind is PositionKind.PERP:
        assert p.entry_price_usd_e8 is not None
        return p.qty * (prices_e8[p.symbol] - p.entry_price_usd_e8) * 10**10 // scale
    assert p.kind is PositionKind.SPOT
    return p.qty * prices_e8[p.symbol] * 10**10 // scale


def test_existing_journal_is_refused_and_untouched(tmp_path: Path) -> None:
    journal = tmp_path / "run.db"
    journal.write_bytes(b"keep")
    with pytest.raises(ProtocolError) as err:
        run_replay(book(), crash_path(book(), steps=2), journal_path=journal)
    assert err.value.code is ErrorCode.REPLAY_INVALID_OPTION
    assert journal.read_bytes() == b"keep"


def test_deterministic_json() -> None:
    path = resolve_scenario("synthetic:crash", book(), seed=11, steps=6)
    a = run_replay(book(), path, seed=11).to_json()
    b = run_replay(book(), resolve_scenario("synthetic:crash", book(), seed=11, steps=6), seed=11)
    assert a == b.to_json()
    assert ReplayResult.from_json(a).to_json() == a


def test_sparklend_and_savings_accrue() -> None:
    r = run_replay(book(), crash_path(book(), steps=4), seed=2)
    by_reserve: dict[str, list[int]] = {}
    for rec in r.sparklend:
        by_reserve.setdefault(rec.reserve, []).append(rec.borrowed_usd_wad)
        assert 0 < rec.utilization_ray < 10**27
        assert rec.variable_borrow_rate_ray > rec.supply_rate_ray > 0
    stables = [s for s in ("DAI", "USDC", "USDS", "USDT") if s in by_reserve]
    assert stables
    for s in stables:  # a stablecoin's debt grows with interest at a constant price
        assert by_reserve[s] == sorted(by_reserve[s])
        assert by_reserve[s][-1] > by_reserve[s][0]
    chis = [x.chi_ray for x in r.savings]
    assert chis[0] == 10**27
    assert chis == sorted(chis)
    assert chis[-1] > chis[0]
    assert len(r.savings) == len(r.steps)


def test_user_csv_drives_a_replay(tmp_path: Path) -> None:
    f = tmp_path / "prices.csv"
    lines = ["timestamp,BTC,ETH"]
    for i, (btc, eth) in enumerate([(95_000, 3_400), (60_000, 1_500), (30_000, 700)]):
        lines.append(f"{1_700_000_000 + i * 86_400},{btc},{eth}")
    f.write_text("\n".join(lines) + "\n")
    path = resolve_scenario(str(f), book())
    r = run_replay(book(), path, seed=0, options=ReplayOptions(sparklend=False))
    assert [s.ts_s for s in r.steps] == [book().now_ts_s + i * 86_400 for i in range(3)]
    assert r.steps[2].prices_usd_wad["BTC"] == 30_000 * 10**18
    assert r.steps[2].prices_usd_wad["WBTC"] < r.steps[0].prices_usd_wad["WBTC"] // 3
    # the directional books (the unhedged ETH LP) lose value; the hedged ones ride it out
    first, last = r.steps[0].rf_quantiles, r.steps[2].rf_quantiles
    assert first is not None
    assert last is not None
    assert last.p1_wad < first.p1_wad
    assert r.steps[2].net_value_usd_wad < r.steps[0].net_value_usd_wad
    assert r.summary.liquidations == 0


def test_resolve_scenario_kinds() -> None:
    b = book()
    hist = resolve_scenario("ftx_2022", b, steps=14)
    assert hist.times_s[0] == b.now_ts_s
    assert (hist.times_s[-1] - hist.times_s[0]) == 14 * 86_400
    assert book_prices_at(b, hist, 0)["BTC"] == b.prices["BTC"]
    one = resolve_scenario("synthetic:gbm", b, seed=5, steps=10, step_s=600)
    assert one == resolve_scenario("synthetic:gbm", b, seed=5, steps=10, step_s=600)
    assert one != resolve_scenario("synthetic:gbm", b, seed=6, steps=10, step_s=600)
    assert one.steps == 11
    assert int(one.times_s[1] - one.times_s[0]) == 600
    for bad in ("no_such_scenario", "synthetic:nope"):
        with pytest.raises(ProtocolError) as err:
            resolve_scenario(bad, b)
        assert err.value.code is ErrorCode.REPLAY_BAD_SCENARIO


def test_refused_prices_are_recorded_and_the_old_ones_stand(tmp_path: Path) -> None:
    f = tmp_path / "pepe.csv"
    t0 = 1_700_000_000
    # PEPE at 4e-9 USD rounds to 0 in price_usd_e8: the engine refuses that step's prices
    f.write_text(f"timestamp,BTC,PEPE\n{t0},95000,0.0000105\n{t0 + 3600},90000,0.000000004\n")
    journal = tmp_path / "run.db"
    r = run_replay(
        book(), resolve_scenario(str(f), book()), journal_path=journal,
        options=ReplayOptions(sparklend=False),
    )  # fmt: skip
    assert [(x.kind, x.code, x.journal) for x in r.rejections] == [
        ("prime.set_prices", "PRIME_ENGINE_INVALID_PRICE", "prime")
    ]
    assert r.rejections[0].ts_s == r.steps[1].ts_s
    assert r.steps[1].prices_usd_wad["BTC"] == 95_000 * 10**18  # the refused step changed nothing
    prime = Ledger.open(SqlJournalStore.sqlite(str(journal)), PrimeBook)
    assert [(x.kind, x.ts_s) for x in prime.rejections()] == [("prime.set_prices", r.steps[1].ts_s)]
    prime.close()


def test_step_callback_counts_every_step() -> None:
    seen: list[tuple[int, int]] = []
    path = crash_path(book(), steps=3)
    run_replay(
        book(), path, options=ReplayOptions(sparklend=False),
        step_callback=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_margin_value_reports_unit() -> None:
    """Unchanged prices report every sub-account's value as it is; a step whose prices the
    engine refuses reports nothing; a rising BTC takes value from the short-perp account."""
    b = book()
    prime = open_prime(b, b.policy, SqlJournalStore("sqlite://"))
    state = prime.machine.state
    same = margin_value_reports(state, dict(b.prices), b.now_ts_s)
    held: dict[tuple[str, str], int] = {
        (p.account_id, p.venue_id): p.margin_value_usd_wad for p in b.positions
        if p.kind is PositionKind.MARGIN_VALUE and p.margin_value_usd_wad is not None
    }  # fmt: skip
    assert {(e.account_id, e.venue_id): e.margin_value_usd_wad for e in same} == held
    assert margin_value_reports(state, {**b.prices, "BTC": 0}, b.now_ts_s) == ()
    up = margin_value_reports(state, {"BTC": b.prices["BTC"] * 11 // 10}, b.now_ts_s)
    moved = {e.account_id: e.margin_value_usd_wad for e in up}
    perp = next(p for p in b.account_positions("basis_btc-006") if p.kind is PositionKind.PERP)
    gain = _cex_value(perp, {**b.prices, "BTC": b.prices["BTC"] * 11 // 10})
    assert moved["basis_btc-006"] == held[("basis_btc-006", "okx")] + gain - _cex_value(
        perp, b.prices
    )
    assert moved["basis_btc-006"] < held[("basis_btc-006", "okx")]
    assert moved["lp-002"] == held[("lp-002", "binance")]  # no BTC there
    prime.close()
