"""An example prime book: ~200 borrowers of realistic kinds, generated from a seed, as data.

`generate_example_book(seed, n_borrowers)` builds a `BookFile` as of 2026-07-20 (the SAEP-15
Atlas policy, `presets.atlas_policy`) funded by the SLL Arkis instance (`presets.sll_limits`:
$50M maximum exposure); `data/example_book.yaml` is its output for the default seed, written
by `dump_book_file` (a test keeps the two equal, so nobody edits the YAML by hand), and
`example_book()` loads it. `small_book()` is an 8-borrower book for fast end-to-end tests.

One account per borrower; its id says its strategy (`Strategy`, "basis_btc-017"):

- basis_btc / basis_eth: spot BTC (WBTC, cbBTC on-chain or BTC at a custodian) or ETH (WETH,
  wstETH, weETH, or ETH at a custodian) against a short perp at Binance, OKX or Bybit, whose
  sub-account reports its margin value (USDT collateral and unrealised PnL);
- alt_long_short: SOL/XRP/DOGE/ADA/HYPE/AVAX/SUI/NEAR longs (spot posted as margin or long
  perps) against short perps of others, in one CEX sub-account with its margin value;
- pt_carry: Pendle PTs on USDe/sUSDe or ETH LSTs expiring within 120 days, each market far
  below 10x its AMM liquidity, with a little USDC on-chain;
- stable_loop: SparkLend loops (LENDING_SUPPLY sUSDe/USDe, LENDING_BORROW USDC/USDT);
- lp: Uniswap v3 WETH/USDC (half of them delta-hedged with a short ETH perp) or Curve-ng
  USDC/USDT and sUSDe/USDC stableswap legs;
- stable_carry: spUSDC vault shares, PYUSD/RLUSD (<= 20% of supply) and USDT at a custodian.

Every 25th account (from the 4th) also holds a small unapproved position (PEPE, ENA, TAO, or
sUSDS shares: 100% haircut in margin, a warning on load). Sizing: each account draws its loan
(the draws are scaled so the book's funding is $46M for 200 borrowers) and a target RF in
[1.3, 2.2]; its positions are then scaled so STPV / loan hits the target, so every account
starts HEALTHY (RF > 1.15) and the whole book within the Atlas limits (`prime.limits`): the
generator checks both and raises `InvariantViolation` otherwise. Prices, depths, supplies,
PT yields and liquidities are illustrative round figures, not market data.

The market figures are `presets.example_book_market`, the strategies' positions
`presets.example_book_strategies`.

Example:
    >>> book = small_book()
    >>> len(book.borrowers), sorted(str(strategy_of(a.account_id)) for a in book.accounts)[:2]
    (8, ['alt_long_short', 'basis_btc'])
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final

from sparkprime.core.errors import InvariantViolation
from sparkprime.core.rng import Rng
from sparkprime.presets.atlas_policy import ARKIS_POOL_ID, atlas_policy
from sparkprime.presets.book_file import BookFile, dump_book_file, load_book_file, ts_of
from sparkprime.presets.example_book_market import AS_OF, ASSETS, PRICES, SUPPLY, static_records
from sparkprime.presets.example_book_strategies import (
    STRATEGY_BUILDERS,
    AccountBuilder,
    Strategy,
    add_unapproved,
    strategy_mix,
    strategy_of,
)
from sparkprime.presets.sll_limits import sll_limits_preset
from sparkprime.prime.book import (
    Account,
    Borrower,
    KycStatus,
    Loan,
    LoanKind,
    Position,
)
from sparkprime.prime.limits import check_book
from sparkprime.prime.loans import interest_for
from sparkprime.prime.margin import margin_account
from sparkprime.prime.status import MarginStatus

__all__ = [
    "AS_OF",
    "DEFAULT_SEED",
    "EXAMPLE_BOOK_PATH",
    "Strategy",
    "example_book",
    "example_book_header",
    "generate_example_book",
    "small_book",
    "strategy_of",
    "write_example_book",
]

DEFAULT_SEED: Final = 20_260_720
EXAMPLE_BOOK_PATH: Final = "data/example_book.yaml"
_WAD: Final = 10**18
_DAY_S: Final = 86_400
_FUNDING_PER_BORROWER_USD: Final = 230_000  # 200 borrowers -> $46M of the $50M
_NAMES: Final = (
    ("Kestrel", "Halcyon", "Meridian", "Aster", "Boreal", "Cobalt", "Driftwood", "Ember",
     "Fathom", "Granite", "Harbor", "Iris", "Juniper", "Keel", "Lumen", "Mistral", "Northgate",
     "Onyx", "Pelagic", "Quarry", "Redwood", "Sable", "Tidewater", "Umber", "Vantage",
     "Willow", "Xylem", "Yarrow", "Zephyr", "Alder"),
    ("Capital", "Partners", "Trading", "Markets", "Asset Management", "Fund", "Digital",
     "Quant", "Strategies", "Investments"),
    ("Ltd (BVI)", "LLC (Delaware)", "Ltd (Cayman)", "AG (Zug)", "Pte. Ltd. (Singapore)",
     "Ltd (Hong Kong)", "LP (Cayman)", "SA (Luxembourg)"),
)  # fmt: skip


def _loan(rng: Rng, loan_id: str, account_id: str, principal_usd: int) -> Loan:
    now = ts_of(AS_OF)
    kind = (LoanKind.EVERGREEN, LoanKind.EVERGREEN, LoanKind.DEMAND, LoanKind.FIXED)[
        rng.randint(0, 3)
    ]
    originated = now - rng.randint(1, 25) * _DAY_S
    principal = principal_usd * 10**6  # USDC base units
    rate = 480 + 5 * rng.randint(0, 40)  # >= the floor max(SSR 4.5% + 0.3%, SOFR 4.3%)
    return Loan(
        loan_id=loan_id, account_id=account_id, principal=principal, rate_bps=rate, kind=kind,
        originated_ts_s=originated,
        term_end_ts_s=originated + 30 * _DAY_S if kind is LoanKind.FIXED else None,
        accrued_interest=interest_for(principal, rate, now - originated), last_accrual_ts_s=now,
    )  # fmt: skip


def generate_example_book(seed: int = DEFAULT_SEED, n_borrowers: int = 200) -> BookFile:
    """The example book for `seed` (module docstring); deterministic."""
    if not 1 <= n_borrowers <= 1_000:
        raise InvariantViolation("example book size", n_borrowers=n_borrowers)
    rng = Rng(seed)
    policy = atlas_policy(AS_OF)
    pool = policy.pool(ARKIS_POOL_ID)
    assets, venues, depths = static_records()
    now = ts_of(AS_OF)
    kinds = strategy_mix(rng.child("kinds"), n_borrowers)
    sizes = rng.child("sizes")
    weights = [sizes.randint(20, 100) * sizes.randint(1, 8) for _ in range(n_borrowers)]
    funding = _FUNDING_PER_BORROWER_USD * n_borrowers
    borrowers: list[Borrower] = []
    accounts: list[Account] = []
    positions: list[Position] = []
    loans: list[Loan] = []
    for i, kind in enumerate(kinds):
        r = rng.child(f"account/{i}")
        bid, aid = f"bor-{i + 1:03d}", f"{kind}-{i + 1:03d}"
        first, second, third = (r.choice(words) for words in _NAMES)
        name = f"{first} {second} {i + 1}"
        borrowers.append(Borrower(
            borrower_id=bid, name=name, entity=f"{name} {third}", kyc=KycStatus.APPROVED,
            sanctioned=False, solvency_attested_ts_s=now - r.randint(1, 80) * _DAY_S))  # fmt: skip
        accounts.append(Account(account_id=aid, borrower_id=bid, pool_id=ARKIS_POOL_ID))
        loan_usd = max(funding * weights[i] // sum(weights) // 1_000 * 1_000, 25_000)
        loan = _loan(r.child("loan"), f"loan-{i + 1:03d}", aid, loan_usd)
        rf_bps = r.randint(13_000, 22_000)
        build_seed = r.randbits(64)

        def build(size_usd: int, k: Strategy = kind, a: str = aid, s: int = build_seed,
                  unapproved: bool = i % 25 == 3) -> list[Position]:  # fmt: skip
            b = AccountBuilder(a, s, size_usd)
            STRATEGY_BUILDERS[k](b)
            if unapproved:
                add_unapproved(b)
            return b.out

        def stpv(ps: list[Position]) -> int:
            m = margin_account(ps, (), PRICES, policy, pool, assets=assets, now_ts_s=now,
                               depths=depths)  # fmt: skip
            return int(m.stpv_usd_wad)

        unit = 1_000_000
        target = loan.principal * 10**12 * rf_bps // 10_000  # USD wad of STPV wanted
        size = max(target * unit // max(stpv(build(unit)), 1), 1_000)
        ps = build(size)
        result = margin_account(ps, (loan,), PRICES, policy, pool, assets=assets, now_ts_s=now,
                                depths=depths)  # fmt: skip
        if result.status is not MarginStatus.HEALTHY:
            raise InvariantViolation("example account healthy", account_id=aid,
                                     rf_wad=result.rf_wad)  # fmt: skip
        positions.extend(ps)
        loans.append(loan)
    book = BookFile(
        as_of=AS_OF, pool_id=ARKIS_POOL_ID, policy=policy, assets=MappingProxyType(assets),
        borrowers=tuple(borrowers), venues=tuple(venues), accounts=tuple(accounts),
        positions=tuple(positions), loans=tuple(loans), prices=MappingProxyType(dict(PRICES)),
        depths=MappingProxyType(depths),
        circulating_supply=MappingProxyType({
            s: n * 10 ** ASSETS[s][0] for s, n in SUPPLY.items()}),
        ssr_bps=450, sofr_bps=430,
        sll_max_exposure_usd_wad=int(
            sll_limits_preset(AS_OF).instance("arkis").max_exposure_usd or 0) * _WAD,
    )  # fmt: skip
    failing = [c.name for c in check_book(book.limit_state()) if not c.ok]
    if failing:
        raise InvariantViolation("example book within limits", failing=failing)
    return book


def small_book(seed: int = DEFAULT_SEED) -> BookFile:
    """An 8-borrower example book (every strategy, one unapproved position) for fast tests."""
    return generate_example_book(seed, n_borrowers=8)


@cache
def example_book() -> BookFile:
    """The shipped example book, `data/example_book.yaml` (200 borrowers, default seed)."""
    ref = resources.files("sparkprime.presets").joinpath(EXAMPLE_BOOK_PATH)
    with resources.as_file(ref) as path:
        return load_book_file(Path(path))


def example_book_header(seed: int = DEFAULT_SEED, n_borrowers: int = 200) -> str:
    """The comment block on top of a generated book file."""
    return (
        "sparkprime example prime book (format: sparkprime.presets.book_file).\n"
        f"Generated by sparkprime.presets.example_book.generate_example_book(seed={seed}, "
        f"n_borrowers={n_borrowers}).\n"
        "Do not edit by hand: a test checks this file equals the generator's output.\n"
        "Regenerate: python -m sparkprime.presets.example_book PATH\n"
        "Prices, depths, supplies, PT yields and liquidities are illustrative, not market data."
    )


def write_example_book(path: str | Path, seed: int = DEFAULT_SEED, n_borrowers: int = 200) -> None:
    """Generate the example book and write it (what ships as `data/example_book.yaml`)."""
    book = generate_example_book(seed, n_borrowers)
    dump_book_file(book, path, header=example_book_header(seed, n_borrowers))


if __name__ == "__main__":  # pragma: no cover - the regeneration entry point
    import sys

    write_example_book(sys.argv[1])
