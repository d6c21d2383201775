"""The book file: every refusal is one line naming the file, line and field; exact round trip."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.presets.book_file import (
    BookFileError,
    book_yaml,
    dump_book_file,
    load_book_file,
    ts_of,
)
from sparkprime.prime.book import LoanKind, PositionKind

BASE = """\
as_of: 2026-07-20
pool: arkis_usdc
assets:
  BTC: {decimals: 8}
  ETH: {decimals: 18}
  USDC: {decimals: 6, pegged_to: USD}
  USDT: {decimals: 6, pegged_to: USD}
venues:
  - {id: onchain, name: Onchain}
  - {id: binance, name: Binance, kind: cex, master_account: arkis-master}
borrowers:
  - {id: b1, name: Kestrel, entity: Kestrel Ltd, kyc: approved, sanctioned: false}
accounts:
  - id: a1
    borrower: b1
    positions:
      - {id: p1, venue: onchain, kind: spot, symbol: BTC, qty: 2.5}
      - {id: p2, venue: binance, kind: perp, symbol: BTC, qty: -2.5, entry_price_usd: 94000}
      - {id: p3, venue: binance, kind: margin_value, symbol: USDT, margin_value_usd: 50000}
loans:
  - {id: l1, account: a1, kind: evergreen, principal: 150000, rate_bps: 500, originated: 2026-07-01}
market:
  prices_usd: {BTC: 95000, USDC: 1, USDT: 1}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def _refusal(tmp_path: Path, text: str) -> tuple[str, ErrorCode]:
    path = _write(tmp_path, text)
    with pytest.raises(BookFileError) as info:
        load_book_file(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    return message.removeprefix(f"{path}:"), info.value.code


def test_the_base_file_loads_with_exact_amounts(tmp_path):
    book = load_book_file(_write(tmp_path, BASE))
    p1, p2, p3 = book.positions
    assert (p1.kind, p1.qty) == (PositionKind.SPOT, 250_000_000)
    assert (p2.qty, p2.entry_price_usd_e8) == (-250_000_000, 94_000 * 10**8)
    assert p3.margin_value_usd_wad == 50_000 * 10**18
    (loan,) = book.loans
    assert (loan.principal, loan.kind, loan.originated_ts_s) == (
        150_000 * 10**6,
        LoanKind.EVERGREEN,
        1_782_864_000,  # 2026-07-01T00:00:00Z
    )
    assert loan.last_accrual_ts_s == loan.originated_ts_s
    assert book.prices["BTC"] == 95_000 * 10**8
    assert book.now_ts_s == 1_784_505_600  # 2026-07-20T00:00:00Z
    assert book.sll_max_exposure_usd_wad == 50_000_000 * 10**18  # the Arkis instance since 03-27
    assert book.policy.version == "saep15-arkis-infrastructure"
    assert book.warnings == ()
    assert book.margin("a1").rf_wad > 0


CASES = [
    pytest.param(
        _edit("qty: 2.5}", "qty: -5}"),
        "17: accounts[0].positions[0].qty: -5 is negative; a spot quantity must be >= 0",
        ErrorCode.BOOK_FILE_NEGATIVE_VALUE,
        id="negative-spot-qty",
    ),
    pytest.param(
        _edit("BTC: 95000,", "BTC: -95000,"),
        "23: market.prices_usd.BTC: -95000 is negative; a price must be > 0",
        ErrorCode.BOOK_FILE_NEGATIVE_VALUE,
        id="negative-price",
    ),
    pytest.param(
        _edit("BTC: 95000,", "BTC: 0,"),
        "23: market.prices_usd.BTC: 0 must be > 0",
        ErrorCode.BOOK_FILE_INVALID_VALUE,
        id="zero-price",
    ),
    pytest.param(
        _edit("rate_bps: 500", "rate_bps: five"),
        "21: loans[0].rate_bps: expected an integer, got 'five'",
        ErrorCode.BOOK_FILE_INVALID_TYPE,
        id="wrong-type",
    ),
    pytest.param(
        _edit("sanctioned: false}", "sanctioned: 'no'}"),
        "12: borrowers[0].sanctioned: expected true or false, got 'no'",
        ErrorCode.BOOK_FILE_INVALID_TYPE,
        id="quoted-bool",
    ),
    pytest.param(
        _edit("sanctioned: false}", "sanctioned: false, colour: red}"),
        "12: borrowers[0].colour: unknown field; expected one of entity, id, in_administration, "
        "insolvent, kyc, name, sanctioned, solvency_attested",
        ErrorCode.BOOK_FILE_UNKNOWN_FIELD,
        id="unknown-field",
    ),
    pytest.param(
        _edit("qty: 2.5}", "qty: 2.5, entry_price_usd: 1}"),
        "17: accounts[0].positions[0].entry_price_usd: unknown field; expected one of id, kind, "
        "qty, symbol, venue",
        ErrorCode.BOOK_FILE_UNKNOWN_FIELD,
        id="field-of-another-kind",
    ),
    pytest.param(
        _edit("kyc: approved, ", ""),
        "12: borrowers[0].kyc: missing required field",
        ErrorCode.BOOK_FILE_MISSING_FIELD,
        id="missing-field",
    ),
    pytest.param(
        _edit("market:\n  prices_usd: {BTC: 95000, USDC: 1, USDT: 1}\n", "").replace(
            "loans:\n  - {id: l1, account: a1, kind: evergreen, principal: 150000, rate_bps: 500,"
            " originated: 2026-07-01}\n",
            "",
        ),
        "1: loans: missing required field",
        ErrorCode.BOOK_FILE_MISSING_FIELD,
        id="missing-section",
    ),
    pytest.param(
        _edit("name: Binance", "name: Kraken"),
        "10: venues[1].name: 'Kraken' is not a venue of policy saep15-arkis-infrastructure "
        "(approved: Onchain, Binance, OKX, Bybit, Bitget, Hyperliquid, Anchorage, Bitgo, Ceffu, "
        "Copper, Lighter, Aster)",
        ErrorCode.BOOK_FILE_UNKNOWN_VENUE,
        id="unknown-venue",
    ),
    pytest.param(
        _edit("kind: cex, master", "kind: custodian, master"),
        "10: venues[1].kind: Binance is a cex venue, not custodian",
        ErrorCode.BOOK_FILE_INVALID_VALUE,
        id="venue-kind",
    ),
    pytest.param(
        _edit("venue: onchain, kind: spot", "venue: kraken, kind: spot"),
        "17: accounts[0].positions[0].venue: no venue 'kraken' in venues",
        ErrorCode.BOOK_FILE_UNKNOWN_REFERENCE,
        id="unknown-venue-ref",
    ),
    pytest.param(
        _edit("borrower: b1", "borrower: b9"),
        "15: accounts[0].borrower: no borrower 'b9' in borrowers",
        ErrorCode.BOOK_FILE_UNKNOWN_REFERENCE,
        id="unknown-borrower",
    ),
    pytest.param(
        _edit("account: a1", "account: a9"),
        "21: loans[0].account: no account 'a9' in accounts",
        ErrorCode.BOOK_FILE_UNKNOWN_REFERENCE,
        id="unknown-account",
    ),
    pytest.param(
        _edit("symbol: BTC, qty: 2.5", "symbol: SOL, qty: 2.5"),
        "17: accounts[0].positions[0].symbol: 'SOL' is not in assets (its decimals are needed)",
        ErrorCode.BOOK_FILE_UNKNOWN_REFERENCE,
        id="symbol-without-decimals",
    ),
    pytest.param(
        _edit("symbol: BTC, qty: 2.5", "symbol: ETH, qty: 2.5"),
        "17: accounts[0].positions[0].symbol: no price for 'ETH' in market.prices_usd",
        ErrorCode.BOOK_FILE_UNKNOWN_REFERENCE,
        id="no-price",
    ),
    pytest.param(
        _edit("id: p2,", "id: p1,"),
        "18: accounts[0].positions[1].id: duplicate id 'p1' (first at line 17)",
        ErrorCode.BOOK_FILE_DUPLICATE_ID,
        id="duplicate-position-id",
    ),
    pytest.param(
        _edit("pool: arkis_usdc\n", "pool: arkis_usdc\npool: arkis_usdc\n"),
        "3: pool: the key appears twice",
        ErrorCode.BOOK_FILE_DUPLICATE_ID,
        id="duplicate-key",
    ),
    pytest.param(
        _edit("qty: 2.5}", "qty: 2.123456789}"),
        "17: accounts[0].positions[0].qty: 2.123456789 has more than 8 decimal places",
        ErrorCode.BOOK_FILE_INVALID_VALUE,
        id="too-many-decimals",
    ),
    pytest.param(
        _edit("pool: arkis_usdc", "pool: [arkis_usdc"),
        "3: (yaml): malformed YAML: while parsing a flow sequence did not find expected ',' or ']'",
        ErrorCode.BOOK_FILE_MALFORMED,
        id="malformed-yaml",
    ),
    pytest.param(
        _edit("kind: evergreen", "kind: fixed"),
        "21: loans[0].term_end: a fixed-term loan needs one",
        ErrorCode.BOOK_FILE_INVALID_VALUE,
        id="record-check",
    ),
    pytest.param(
        _edit("kind: evergreen", "kind: forever"),
        "21: loans[0].kind: 'forever' is not one of evergreen, demand, fixed",
        ErrorCode.BOOK_FILE_INVALID_VALUE,
        id="bad-enum",
    ),
    pytest.param(
        _edit("pool: arkis_usdc", "pool: maple_usdc"),
        "2: pool: no pool 'maple_usdc' in policy saep15-arkis-infrastructure",
        ErrorCode.BOOK_FILE_UNKNOWN_REFERENCE,
        id="unknown-pool",
    ),
    pytest.param(
        _edit("as_of: 2026-07-20", "as_of: 20 July"),
        "1: as_of: expected a date (YYYY-MM-DD), got '20 July'",
        ErrorCode.BOOK_FILE_INVALID_TYPE,
        id="bad-date",
    ),
    pytest.param(
        "- just\n- a list\n",
        "1: (top): expected a mapping, got a list",
        ErrorCode.BOOK_FILE_INVALID_TYPE,
        id="not-a-mapping",
    ),
    pytest.param("", "1: (top): the file is empty", ErrorCode.BOOK_FILE_MALFORMED, id="empty"),
]


@pytest.mark.parametrize(("text", "expected", "code"), CASES)
def test_bad_input_is_one_line_naming_file_line_and_field(tmp_path, text, expected, code):
    message, got = _refusal(tmp_path, text)
    assert message == expected
    assert got is code


def test_an_expired_pt_is_refused(tmp_path):
    text = _edit(
        "  USDT: {decimals: 6, pegged_to: USD}\n",
        "  USDT: {decimals: 6, pegged_to: USD}\n  USDe: {decimals: 18, pegged_to: USD}\n",
    ).replace(
        "margin_value_usd: 50000}\n",
        "margin_value_usd: 50000}\n      - {id: p4, venue: onchain, kind: pendle_pt, symbol: USDe,"
        " qty: 10, expiry: 2026-07-20, pt_amm_liquidity_usd: 1000000}\n",
    )
    message, code = _refusal(tmp_path, text)
    assert message == (
        f"21: accounts[0].positions[3].expiry: pendle_pt expired at ts {ts_of_day()}, "
        "on or before as_of"
    )
    assert code is ErrorCode.BOOK_FILE_INVALID_VALUE


def ts_of_day() -> int:
    import datetime  # noqa: PLC0415

    return ts_of(datetime.date(2026, 7, 20))


def test_a_missing_file_is_unreadable(tmp_path):
    with pytest.raises(BookFileError) as info:
        load_book_file(tmp_path / "nope.yaml")
    assert info.value.code is ErrorCode.BOOK_FILE_UNREADABLE
    assert str(info.value).startswith(f"{tmp_path / 'nope.yaml'}:1: (file): cannot read: ")


def test_an_unknown_asset_is_a_warning_not_an_error(tmp_path):
    text = _edit("  USDT: {decimals: 6, pegged_to: USD}\n",
                 "  USDT: {decimals: 6, pegged_to: USD}\n  PEPE: {decimals: 18}\n")  # fmt: skip
    text = text.replace(
        "margin_value_usd: 50000}\n",
        "margin_value_usd: 50000}\n"
        "      - {id: p4, venue: onchain, kind: spot, symbol: PEPE, qty: 1000000}\n",
    ).replace("USDT: 1}", "USDT: 1, PEPE: 0.00001}")
    path = _write(tmp_path, text)
    book = load_book_file(path)
    assert book.warnings == (
        f"{path}:21: accounts[0].positions[3].symbol: PEPE is in no asset group of policy "
        "saep15-arkis-infrastructure: unapproved (100% haircut in margin, never offset)",
    )
    # margin takes it at 100%: $10 of PEPE is charged $10
    assert book.margin("a1").unapproved_charge_usd_wad == 10 * 10**18


def test_the_error_pickles_and_keeps_its_one_line():
    err = BookFileError(
        ErrorCode.BOOK_FILE_NEGATIVE_VALUE,
        file="book.yaml",
        line=42,
        field="positions[3].qty",
        reason="-5 is negative;\n a spot quantity",
    )
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is BookFileError
    assert (
        str(back) == str(err) == "book.yaml:42: positions[3].qty: -5 is negative; a spot quantity"
    )
    assert back.context["line"] == 42


def test_round_trip_is_exact_and_the_dump_deterministic(tmp_path):
    text = (
        _edit("qty: 2.5}", "qty: 2.12345678}")
        .replace("  BTC: {decimals: 8}\n", "  BTC: {decimals: 8}\n  WETH: {decimals: 18}\n")
        .replace(
            "margin_value_usd: 50000}\n",
            "margin_value_usd: 50000}\n"
            "      - {id: p4, venue: onchain, kind: spot, symbol: WETH,"
            " qty: 0.123456789012345678}\n",
        )
        .replace("USDT: 1}", "USDT: 1, WETH: 3400.12345678}")
    )
    book = load_book_file(_write(tmp_path, text))
    assert book.positions[3].qty == 123_456_789_012_345_678
    assert book.prices["WETH"] == 340_012_345_678
    out = tmp_path / "out.yaml"
    dump_book_file(book, out, header="a header\nsecond line")
    again = load_book_file(out)
    assert again == book
    assert out.read_text(encoding="utf-8").startswith(
        "# a header\n# second line\nformat_version: 1\n"
    )
    assert book_yaml(again, header="a header\nsecond line") == out.read_text(encoding="utf-8")


def test_a_time_off_midnight_is_written_as_ts(tmp_path):
    text = _edit("originated: 2026-07-01}", "originated: 1782864001}")
    book = load_book_file(_write(tmp_path, text))
    assert book.loans[0].originated_ts_s == 1_782_864_001
    assert "originated: 1782864001" in book_yaml(book)
    assert load_book_file(_write(tmp_path, book_yaml(book))) == book
