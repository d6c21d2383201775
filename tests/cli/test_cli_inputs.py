"""Bad input -> exit 2, one stderr line naming file, line and field, nothing written; and the
read-only views (lend, presets) checked against the library; one real subprocess run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sparkprime.cli.common import exit_code, one_line
from sparkprime.cli.main import app
from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.presets.atlas_policy import atlas_policy_history
from sparkprime.presets.book_file import book_yaml
from sparkprime.presets.example_book import small_book
from sparkprime.presets.price_scenarios import list_price_scenarios
from sparkprime.presets.sparklend_ethereum import sparklend_ethereum_preset
from sparkprime.sim.facade_lend import PRESET_SSR_RAY

RUNNER = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BOOK_TEXT = book_yaml(small_book())
CSV_OK = "timestamp,BTC,ETH\n1784505600,95000,3400\n1784509200,94000,3300\n"

# (name, book edit (old, new) or None, price CSV or None, scenario, expected field)
CASES = [
    ("malformed-yaml", ("pool: arkis_usdc", "pool: [arkis_usdc"), None, "oct10_2025", "(yaml)"),
    ("unknown-venue", ("name: Binance", "name: Kraken"), None, "oct10_2025", ".name"),
    ("negative-book-price", ("BTC: 95000", "BTC: -95000"), None, "oct10_2025",
     "market.prices_usd.BTC"),
    ("malformed-csv", None, CSV_OK.replace("1784509200,", "half past,"), None, "timestamp"),
    ("negative-csv-price", None, CSV_OK.replace("94000", "-94000"), None, "BTC"),
]  # fmt: skip


def _leftovers(folder: Path, inputs: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in inputs)


@pytest.mark.parametrize(("name", "edit", "csv", "scenario", "field"), CASES)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(  # noqa: PLR0917
    tmp_path: Path, name: str, edit: tuple[str, str] | None, csv: str | None,
    scenario: str | None, field: str,
) -> None:  # fmt: skip
    book = tmp_path / "book.yaml"
    text = BOOK_TEXT
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    book.write_text(text)
    args = ["run", str(book), "--steps", "2", "--out", str(tmp_path / "out")]
    if csv is not None:
        prices = tmp_path / "prices.csv"
        prices.write_text(csv)
        args += ["--prices", str(prices)]
        bad_file, line = prices, _line_of(csv, "half past" if "half" in csv else "-94000")
    else:
        args += ["--scenario", str(scenario)]
        bad_file, line = book, _line_of(text, edit[1] if edit else "")
        if name == "malformed-yaml":
            line += 1  # PyYAML notices the unclosed "[" where the next key starts
    code, stdout, stderr = invoke(*args)
    assert code == 2, (name, stderr)
    assert stdout == ""
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"{bad_file}:{line}: "), (stderr, line)
    assert field in stderr
    assert _leftovers(tmp_path, {"book.yaml", "prices.csv"}) == []


def test_unknown_scenario_and_asset_exit_2(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(BOOK_TEXT)
    code, stdout, stderr = invoke("run", str(book), "--scenario", "moon_2030",
                                  "--out", str(tmp_path / "out"))  # fmt: skip
    assert (code, stdout) == (2, "")
    assert stderr.count("\n") == 1
    assert "moon_2030" in stderr
    assert "oct10_2025" in stderr
    prices = tmp_path / "p.csv"
    prices.write_text("timestamp,DOGGO\n0,1\n3600,2\n")
    code, _, stderr = invoke(
        "run", str(book), "--prices", str(prices), "--out", str(tmp_path / "o")
    )
    assert code == 2
    assert stderr.count("\n") == 1
    assert str(prices) in stderr
    assert "DOGGO" in stderr
    code, _, stderr = invoke("run", str(book), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "--scenario/--prices: give exactly one" in stderr
    assert _leftovers(tmp_path, {"book.yaml", "p.csv"}) == []


def test_missing_book_file(tmp_path: Path) -> None:
    code, _, stderr = invoke("margin", str(tmp_path / "none.yaml"))
    assert code == 2
    assert stderr.count("\n") == 1
    assert "none.yaml" in stderr


def test_exit_codes_and_one_line() -> None:
    assert exit_code(ProtocolError(ErrorCode.JOURNAL_CORRUPT, last_good_seq=1, reason="x")) == 3
    assert exit_code(InvariantViolation("replay diverged"), journal=True) == 3
    assert exit_code(InvariantViolation("replay diverged")) == 1
    assert exit_code(RuntimeError("boom")) == 1
    assert exit_code(ProtocolError(ErrorCode.BOOK_FILE_MALFORMED, file="b", line=1, field="f",
                                   reason="r")) == 2  # fmt: skip
    parquet = ProtocolError(ErrorCode.PRICE_FILE_INVALID, file="p.pq", where="row 4", field="BTC",
                            reason="a\nb")  # fmt: skip
    assert one_line(parquet) == "p.pq:row 4: BTC: a b"


# --- lend, presets ----------------------------------------------------------------------


def test_lend_reserves_read_back_the_preset() -> None:
    code, stdout, _ = invoke("lend", "reserves", "--json")
    assert code == 0
    rows = {r["symbol"]: r for r in json.loads(stdout)}
    preset = sparklend_ethereum_preset()
    assert sorted(rows) == sorted(r.symbol for r in preset.reserves)
    for r in preset.reserves:
        row = rows[r.symbol]
        assert (row["ltv_bps"], row["liquidation_threshold_bps"]) == (
            r.ltv_bps, r.liquidation_threshold_bps)  # fmt: skip
        assert (row["supply_cap"], row["borrow_cap"]) == (r.supply_cap_tokens, r.borrow_cap_tokens)
        assert row["frozen"] == r.is_frozen
    code, stdout, _ = invoke("lend", "reserves")
    assert code == 0
    assert "WETH" in stdout


def test_lend_rates_and_health_of_a_fresh_market() -> None:
    code, stdout, _ = invoke("lend", "rates", "--json")
    assert code == 0
    rows = json.loads(stdout)
    assert len(rows) == len(sparklend_ethereum_preset().reserves)
    assert all(r["supplied"] == r["borrowed"] == r["utilization_ray"] == 0 for r in rows)
    # No borrows: the SSR kinks quote their base rate, 0, though the SSR is fed: their rate
    # at the kink is the SSR's APR plus the spread (spec §3: DAI and USDC SSR + 1.25%).
    ssr_apr_ray = (PRESET_SSR_RAY - 10**27) * 365 * 86_400
    by_symbol = {r["symbol"]: r for r in rows}
    for symbol in ("DAI", "USDC"):
        row = by_symbol[symbol]
        assert row["strategy_variable_borrow_rate_ray"] == row["variable_borrow_rate_ray"] == 0
        assert row["kink_variable_borrow_rate_ray"] == ssr_apr_ray + 125 * 10**23
    assert by_symbol["USDT"]["kink_variable_borrow_rate_ray"] == ssr_apr_ray + 50 * 10**23
    code, stdout, _ = invoke("lend", "rates")
    assert code == 0
    assert "borrow at kink" in stdout
    assert "not a missing rate feed" in " ".join(stdout.split())
    user = "0x" + "ab" * 20
    code, stdout, _ = invoke("lend", "health", user, "--json")
    assert code == 0
    assert json.loads(stdout) == {"user": user, "has_position": False}
    code, stdout, _ = invoke("lend", "health", user)
    assert code == 0
    assert "has no position" in stdout
    code, stdout, stderr = invoke("lend", "health", "0x12")
    assert (code, stdout) == (2, "")
    assert stderr == "ADDRESS: '0x12' is not an address\n"


def test_presets_list_and_show() -> None:
    code, stdout, _ = invoke("presets", "list", "--json")
    assert code == 0
    names = [p["name"] for p in json.loads(stdout)]
    assert names == ["atlas_policy", "sll_limits", "sparklend_ethereum", "price_scenarios",
                     "example_book"]  # fmt: skip
    _, stdout, _ = invoke("presets", "show", "atlas_policy", "--json")
    versions = json.loads(stdout)["versions"]
    assert [v["version"] for v in versions] == [p.version for p in atlas_policy_history().versions]
    assert len(versions) == 2
    _, stdout, _ = invoke("presets", "show", "price_scenarios", "--json")
    assert [s["name"] for s in json.loads(stdout)["scenarios"]] == list(list_price_scenarios())
    _, stdout, _ = invoke("presets", "show", "example_book", "--json")
    book = json.loads(stdout)
    assert (book["borrowers"], book["accounts"]) == (200, 200)
    assert sum(book["accounts_by_strategy"].values()) == 200
    for name in names:
        code, stdout, _ = invoke("presets", "show", name)
        assert code == 0
        assert name in stdout
    code, _, stderr = invoke("presets", "show", "nope")
    assert code == 2
    assert "no preset 'nope'" in stderr


# --- the installed console script -------------------------------------------------------


def _command() -> list[str]:
    script = Path(sys.executable).with_name("sparkprime")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sparkprime.cli.main"]


def test_the_console_script_in_a_real_process(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(BOOK_TEXT)
    env = {**os.environ, "COLUMNS": "120"}
    ok = subprocess.run([*_command(), "margin", str(book), "--json"], capture_output=True,
                        text=True, env=env, timeout=120, check=False)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)["accounts"]) == len(small_book().accounts)
    book.write_text(BOOK_TEXT.replace("pool: arkis_usdc", "pool: [arkis_usdc", 1))
    bad = subprocess.run([*_command(), "run", str(book), "--scenario", "oct10_2025", "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, env=env,
                         timeout=120, check=False)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert bad.stderr.startswith(f"{book}:4: (yaml): malformed YAML")
    assert not (tmp_path / "out").exists()


def test_doctests() -> None:
    import doctest  # noqa: PLC0415

    from sparkprime.cli import common  # noqa: PLC0415
    from sparkprime.sim import facade, facade_journal, facade_lend  # noqa: PLC0415

    for module in (common, facade, facade_journal, facade_lend):
        result = doctest.testmod(module)
        assert result.attempted > 0, module.__name__
        assert result.failed == 0, module.__name__
