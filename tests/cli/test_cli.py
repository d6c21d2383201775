"""The `sparkprime` command end to end on the 8-borrower book: run, journal, margin, what-if.

Every answer is checked against what the library computes on its own (the book file's
margin, the Pool's configuration, the preset's data) or against a property of the answer
(borrowing exactly the reported headroom keeps the account healthy, one unit more does not).
"""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sparkprime.cli.main import app
from sparkprime.presets.book_file import dump_book_file, load_book_file, ts_of
from sparkprime.presets.example_book import small_book
from sparkprime.prime.margin import RF_NO_DEBT_WAD
from sparkprime.sim.result import ReplayResult

RUNNER = CliRunner()
Run = tuple[Path, dict[str, Any]]
STEPS = "4"


def invoke(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def book_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "small.yaml"
    dump_book_file(small_book(), path)
    return path


@pytest.fixture(scope="module")
def run_dir(book_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("run") / "out"
    code, stdout, stderr = invoke(
        "run", str(book_file), "--scenario", "oct10_2025", "--steps", STEPS, "--out", str(out),
        "--json",
    )  # fmt: skip
    assert code == 0, stderr
    return out, json.loads(stdout)


# --- run --------------------------------------------------------------------------------


def test_run_writes_report_result_and_journals(run_dir: Run) -> None:
    out, answer = run_dir
    assert sorted(p.name for p in out.iterdir()) == [
        "journal.db", "journal.sparklend.db", "report.html", "result.json",
    ]  # fmt: skip
    result = ReplayResult.from_json((out / "result.json").read_text())
    assert result.to_json_value() == answer["result"]
    assert result.scenario_name == "oct10_2025"
    assert result.summary.accounts == len(small_book().accounts)
    assert len(result.steps) == int(STEPS) + 1
    assert result.journal_path == str((out / "journal.db").resolve())
    assert answer["files"]["journal"] == result.journal_path
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "oct10_2025" in page
    # Nothing staged is left beside the output folder.
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_run_prints_the_summary_without_json(book_file: Path, tmp_path: Path) -> None:
    code, stdout, _ = invoke(
        "run", str(book_file), "--scenario", "synthetic:crash", "--steps", "2", "--seed", "3",
        "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == 0
    assert "Replay: small under synthetic:crash" in stdout
    assert str(tmp_path / "o" / "report.html") in stdout


def test_journal_verify_and_replay_pass(run_dir: Run) -> None:
    out, _answer = run_dir
    for name, machine in (("journal.db", "prime.book/1"),
                          ("journal.sparklend.db", "sparklend.market/1")):  # fmt: skip
        code, stdout, stderr = invoke("journal", "verify", str(out / name), "--json")
        assert code == 0, stderr
        check = json.loads(stdout)
        assert check["state_machine"] == machine
        assert check["chain_verified"] is True
        assert check["head_seq"] > 0
        assert check["replay_matches"] is None
        code, stdout, _ = invoke("journal", "replay", str(out / name), "--json")
        assert code == 0
        replayed = json.loads(stdout)
        assert replayed["replay_matches"] is True
        assert replayed["replayed_state_hash"] == replayed["state_hash"] == check["state_hash"]
    code, stdout, _ = invoke("journal", "replay", str(out / "journal.db"))
    assert code == 0
    assert "matches" in stdout


def test_a_tampered_journal_exits_3(run_dir: Run, tmp_path: Path) -> None:
    out, _ = run_dir
    copy = tmp_path / "tampered.db"
    shutil.copy(out / "journal.db", copy)
    with sqlite3.connect(copy) as conn:
        (payload,) = conn.execute("SELECT payload FROM journal_entry WHERE seq = 2").fetchone()
        conn.execute(
            "UPDATE journal_entry SET payload = ? WHERE seq = 2", (payload.replace("1", "2"),)
        )
    assert payload.replace("1", "2") != payload
    for verb in ("verify", "replay"):
        code, stdout, stderr = invoke("journal", verb, str(copy))
        assert code == 3
        assert stdout == ""
        assert stderr.count("\n") == 1
        assert "journal is corrupt after seq 1" in stderr


def test_a_file_that_is_no_journal(tmp_path: Path) -> None:
    code, _, stderr = invoke("journal", "verify", str(tmp_path / "none.db"))
    assert code == 2
    assert "none.db: no such file" in stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    code, _, stderr = invoke("journal", "verify", str(junk))
    assert code == 3
    assert stderr.count("\n") == 1


# --- margin and what-if -----------------------------------------------------------------


def test_margin_json_matches_the_book_margin(book_file: Path) -> None:
    code, stdout, _ = invoke("margin", str(book_file), "--json")
    assert code == 0
    view = json.loads(stdout)
    book = small_book()
    assert [a["account_id"] for a in view["accounts"]] == [a.account_id for a in book.accounts]
    for row in view["accounts"]:
        m = book.margin(row["account_id"])
        assert row["rf_wad"] == (None if m.rf_wad == RF_NO_DEBT_WAD else m.rf_wad)
        assert row["status"] == m.status.value == "healthy"
        assert (row["stpv_usd_wad"], row["borrowed_usd_wad"]) == (m.stpv_usd_wad,
                                                                  m.borrowed_usd_wad)  # fmt: skip
        assert row["binding_scenario"] == m.binding_scenario
    funding = next(c for c in view["limits"] if c["name"] == "total_funding")
    assert funding["limit_usd_wad"] == book.sll_max_exposure_usd_wad
    assert all(c["ok"] for c in view["limits"])
    assert view["warnings"] == list(load_book_file(book_file).warnings)
    assert len(view["warnings"]) == 1
    assert "TAO" in view["warnings"][0]


def test_margin_as_of_sets_the_time(book_file: Path) -> None:
    _, now, _ = invoke("margin", str(book_file), "--json")
    _, later, _ = invoke("margin", str(book_file), "--as-of", "2026-08-01", "--json")
    assert json.loads(now)["now_ts_s"] == ts_of(small_book().as_of)
    assert json.loads(later)["now_ts_s"] == ts_of(datetime.date(2026, 8, 1))
    code, _, stderr = invoke("margin", str(book_file), "--as-of", "July 4")
    assert code == 2
    assert stderr == "--as-of: 'July 4' is not YYYY-MM-DD\n"


def _whatif(book_file: Path, account: str, *extra: str) -> dict[str, Any]:
    code, stdout, stderr = invoke("whatif", str(book_file), "--account", account, *extra, "--json")
    assert code == 0, stderr
    answer: dict[str, Any] = json.loads(stdout)
    return answer


def test_whatif_borrow_headroom_is_exact(book_file: Path) -> None:
    account = small_book().accounts[0].account_id
    base = _whatif(book_file, account)
    assert base["curr_rf_wad"] == base["next_rf_wad"]
    headroom = base["max_extra_borrow"]  # USDC base units
    assert headroom > 0
    whole, frac = divmod(headroom, 10**6)
    at_max = _whatif(book_file, account, "--borrow", f"{whole}.{frac:06d}")
    assert at_max["next_status"] == "healthy"
    assert at_max["max_extra_borrow"] == 0
    one_more = divmod(headroom + 1, 10**6)
    over = _whatif(book_file, account, "--borrow", f"{one_more[0]}.{one_more[1]:06d}")
    assert over["next_status"] != "healthy"
    borrowed = _whatif(book_file, account, "--borrow", "1000")
    assert borrowed["next_borrowed_usd_wad"] - base["next_borrowed_usd_wad"] == 1000 * 10**18


def test_whatif_position_changes(book_file: Path) -> None:
    book = small_book()
    account = book.accounts[0].account_id
    position = book.account_positions(account)[0]
    base = _whatif(book_file, account)
    removed = _whatif(book_file, account, "--remove-position", position.position_id)
    assert removed["next_stpv_usd_wad"] != base["next_stpv_usd_wad"]
    added = _whatif(
        book_file,
        account,
        "--add-position",
        "id=extra,venue=onchain,kind=spot,symbol=USDC,qty=1000",
    )
    gain = added["next_stpv_usd_wad"] - base["next_stpv_usd_wad"]
    assert 0 < gain <= 1000 * 10**18  # cash adds at most its value
    assert added["next_rf_wad"] > base["curr_rf_wad"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--account", "nobody"), "account: no account 'nobody' in the book"),
        (("--account", "{a}", "--borrow", "-5"), "--borrow: -5 is negative"),
        (("--account", "{a}", "--add-position", "id=x,venue=kraken,kind=spot,symbol=BTC,qty=1"),
         "--add-position: unknown venue 'kraken'"),
        (("--account", "{a}", "--add-position", "id=x,venue=onchain,kind=spot,symbol=XYZ,qty=1"),
         "--add-position: unknown asset 'XYZ'"),
        (("--account", "{a}", "--remove-position", "nope"), "--remove-position: no position"),
        (("--account", "{a}", "--withdraw", "nope=1"), "--withdraw: 'nope=1'"),
    ],
)  # fmt: skip
def test_whatif_bad_options_exit_2(book_file: Path, args: tuple[str, ...], expected: str) -> None:
    account = small_book().accounts[0].account_id
    code, stdout, stderr = invoke("whatif", str(book_file), *(a.format(a=account) for a in args))
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1
    assert expected in stderr
