"""The example book: shipped as data, in sync with its generator, healthy and within limits."""

from __future__ import annotations

import time
from collections import Counter
from importlib import resources

import pytest

from sparkprime.presets.book_file import book_yaml, load_book_file
from sparkprime.presets.example_book import (
    AS_OF,
    DEFAULT_SEED,
    EXAMPLE_BOOK_PATH,
    Strategy,
    example_book,
    example_book_header,
    generate_example_book,
    small_book,
    strategy_of,
)
from sparkprime.prime.book import LoanKind, PositionKind
from sparkprime.prime.limits import check_book
from sparkprime.prime.margin import margin_account
from sparkprime.prime.status import MarginStatus

_S = Strategy
_USDC = 10**6
_RF_MARGIN_CALL_WAD = 115 * 10**16  # the Arkis pool's margin call at RF 1.15


@pytest.fixture(scope="module")
def generated():
    return generate_example_book()


def _shipped_text() -> str:
    return resources.files("sparkprime.presets").joinpath(EXAMPLE_BOOK_PATH).read_text("utf-8")


def test_the_shipped_file_is_the_generator_output(generated):
    # Regenerate with: python -m sparkprime.presets.example_book src/sparkprime/presets/data/...
    assert _shipped_text() == book_yaml(generated, header=example_book_header())


def test_the_shipped_file_loads_fast_and_equals_the_generated_book(generated, tmp_path):
    path = tmp_path / "example_book.yaml"
    path.write_text(_shipped_text(), encoding="utf-8")
    load_book_file(path)  # warm the policy and SLL preset caches
    start = time.perf_counter()
    book = load_book_file(path)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"loading took {elapsed:.2f}s"
    assert book == generated
    assert example_book() == generated


def test_counts_by_strategy(generated):
    assert len(generated.borrowers) == len(generated.accounts) == len(generated.loans) == 200
    counts = Counter(strategy_of(a.account_id) for a in generated.accounts)
    assert counts == {
        _S.BASIS_BTC: 34, _S.BASIS_ETH: 26, _S.ALT_LONG_SHORT: 40, _S.PT_CARRY: 36,
        _S.STABLE_LOOP: 28, _S.LP: 20, _S.STABLE_CARRY: 16,
    }  # fmt: skip
    assert {a.borrower_id for a in generated.accounts} == {
        b.borrower_id for b in generated.borrowers
    }


def test_every_account_is_healthy_at_the_start(generated):
    pool = generated.policy.pool(generated.pool_id)
    for account in generated.accounts:
        result = margin_account(
            generated.account_positions(account.account_id),
            generated.account_loans(account.account_id),
            generated.prices,
            generated.policy,
            pool,
            assets=generated.assets,
            now_ts_s=generated.now_ts_s,
            depths=generated.depths,
        )
        assert result.status is MarginStatus.HEALTHY, account.account_id
        assert result.rf_wad > _RF_MARGIN_CALL_WAD, account.account_id


def test_the_book_is_within_every_atlas_limit(generated):
    checks = {c.name: c for c in check_book(generated.limit_state())}
    assert [n for n, c in checks.items() if not c.ok] == []
    # the limits that bind this book were all checked
    for name in ("total_funding", "group:3:XRP", "group:5:DOGE", "group:10:SUI",
                 "venue:Binance", "venue:OKX", "venue:Bybit", "supply_share:PYUSD",
                 "supply_share:RLUSD", "pt:PT-sUSDe-24SEP2026@1790208000"):  # fmt: skip
        assert name in checks, name


def test_funding_is_within_the_sll_arkis_instance(generated):
    principal = sum(ln.principal for ln in generated.loans)
    assert principal <= 50_000_000 * _USDC
    assert principal >= 40_000_000 * _USDC  # a realistic use of the instance, not a toy
    assert generated.sll_max_exposure_usd_wad == 50_000_000 * 10**18


def test_loans_respect_the_rate_floor_and_the_one_month_term(generated):
    policy = generated.policy
    floor = policy.rate_floor_bps(at=AS_OF, ssr_bps=generated.ssr_bps, sofr_bps=generated.sofr_bps)
    assert floor == 480  # max(4.5% + 0.3%, 4.3%)
    for loan in generated.loans:
        assert loan.rate_bps >= floor
        assert loan.originated_ts_s < generated.now_ts_s
        if loan.kind is LoanKind.FIXED:
            assert loan.term_end_ts_s is not None
            assert generated.now_ts_s < loan.term_end_ts_s
            assert loan.term_end_ts_s - loan.originated_ts_s <= policy.loan_max_fixed_term_s


def test_strategies_hold_what_they_say(generated):
    for account in generated.accounts:
        kinds = Counter(p.kind for p in generated.account_positions(account.account_id))
        strategy = strategy_of(account.account_id)
        if strategy in (_S.BASIS_BTC, _S.BASIS_ETH):
            assert kinds[PositionKind.PERP] == 1
            assert kinds[PositionKind.MARGIN_VALUE] == 1
        elif strategy is _S.PT_CARRY:
            assert kinds[PositionKind.PENDLE_PT] >= 1
        elif strategy is _S.STABLE_LOOP:
            assert kinds[PositionKind.LENDING_SUPPLY] == kinds[PositionKind.LENDING_BORROW] == 1
        elif strategy is _S.LP:
            assert kinds[PositionKind.DEX_LP] == 1
    perp_venues = {p.venue_id for p in generated.positions if p.kind is PositionKind.PERP}
    assert perp_venues == {"binance", "okx", "bybit"}
    horizon = generated.now_ts_s + 120 * 86_400
    for p in generated.positions:
        if p.kind is PositionKind.PENDLE_PT:
            assert p.expiry_ts_s is not None
            assert generated.now_ts_s < p.expiry_ts_s <= horizon


def test_a_few_accounts_hold_small_unapproved_exposures(generated):
    charged = {
        a.account_id: generated.margin(a.account_id).unapproved_charge_usd_wad
        for a in generated.accounts
    }
    unapproved = sorted(a for a, c in charged.items() if c > 0)
    assert len(unapproved) == 8
    for account_id in unapproved:
        value = generated.margin(account_id).value_usd_wad
        assert charged[account_id] * 20 < value  # small: under 5% of the account's value
    assert len(generated.warnings) == 0  # generated, not loaded: no file to point at
    assert len(example_book().warnings) == 8


def test_generation_is_deterministic():
    a = generate_example_book(seed=7, n_borrowers=30)
    assert a == generate_example_book(seed=7, n_borrowers=30)
    assert book_yaml(a) == book_yaml(generate_example_book(seed=7, n_borrowers=30))
    assert a != generate_example_book(seed=8, n_borrowers=30)


def test_the_small_book_has_every_strategy_and_is_healthy():
    book = small_book()
    assert book == small_book(DEFAULT_SEED)
    assert len(book.borrowers) == 8
    assert {strategy_of(a.account_id) for a in book.accounts} == set(Strategy)
    for account in book.accounts:
        assert book.margin(account.account_id).status is MarginStatus.HEALTHY
    assert all(c.ok for c in check_book(book.limit_state()))
    assert any(book.margin(a.account_id).unapproved_charge_usd_wad for a in book.accounts)
