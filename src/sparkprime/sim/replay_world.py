"""The replay's world: the prime book, SparkLend and sUSDS, each set up from the book's data.

- The prime book: a journaled `prime.engine.PrimeBook` whose journal starts with the book
  file as commands, all at the book's `as_of` (so the journal alone rebuilds it): benchmarks,
  prices, depths, supplies, the SLL maximum, venues, borrowers, accounts; then per account
  its positions, and each loan originated at `as_of` for its principal plus the interest the
  file says is accrued (a documented simplification: the engine has no "import a loan"
  command), its cash landing in `<loan_id>/cash` at the settlement venue and removed at once
  (the book file's positions are what the cash already bought). A refusal stops the run
  (REPLAY_SETUP_REFUSED names the command).
- SparkLend: the Ethereum preset (`presets.sparklend_market`), journaled in its own store,
  seeded with illustrative liquidity: an LP supplies the main reserves and a borrower posts
  wstETH and borrows each stablecoin and WETH to a target utilization (`SEED`). Each step
  sets the oracle prices the path gives and a keeper supplies one token to every main
  reserve, as any user action does, so the Pool updates its indexes and rates at that time.
- sUSDS: the vault (`protocols.savings.susds`) at the book's SSR, dripped every step.

Example:
    >>> sorted(SEED)[:2]
    ['DAI', 'USDC']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.ledger import Ledger, Submission
from sparkprime.ledger.store import JournalStore
from sparkprime.presets.book_file import BookFile
from sparkprime.presets.sparklend_ethereum import sparklend_ethereum_preset
from sparkprime.presets.sparklend_market import sparklend_market_commands
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_records import PositionSpec
from sparkprime.prime.loans import accrue
from sparkprime.prime.policy import Policy
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings.rates_conv import bc_btor
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend import market_commands as mc
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.market import POOL_ADDRESS, SparkLendMarket

__all__ = [
    "LST_APR_WAD",
    "MAIN_RESERVES",
    "SEED",
    "SavingsWorld",
    "SparkLendWorld",
    "open_prime",
    "prime_setup_commands",
]

#: (supplied tokens, target utilization in bps) per main reserve: illustrative, not market data.
SEED: Final[Mapping[str, tuple[int, int]]] = {
    "DAI": (600_000_000, 7_000), "USDC": (400_000_000, 8_000), "USDS": (300_000_000, 6_500),
    "USDT": (300_000_000, 7_500), "WETH": (200_000, 4_000),
}  # fmt: skip
MAIN_RESERVES: Final = tuple(sorted(SEED))
_COLLATERAL: Final = "wstETH"
_COLLATERAL_TOKENS: Final = 1_000_000  # under its 1.2M supply cap
LST_APR_WAD: Final = 3 * 10**16  # the Lido APR the LST rate source reads: illustrative 3%
_ADMIN, _LP, _WHALE, _KEEPER = (
    make_addr(f"replay.{n}") for n in ("admin", "lp", "whale", "keeper")
)
_USD_WAD: Final = 10**18


def _refused(what: str, error: ProtocolError) -> ProtocolError:
    return ProtocolError(ErrorCode.REPLAY_SETUP_REFUSED, what=what, reason=error.message)


def _submit_all(ledger: Ledger[Any], commands: Sequence[Any], ts_s: int) -> list[Any]:
    outcomes = ledger.submit_batch([Submission(command=c, ts_s=ts_s) for c in commands])
    for cmd, out in zip(commands, outcomes, strict=True):
        if isinstance(out, ProtocolError):
            raise _refused(type(cmd).KIND if hasattr(type(cmd), "KIND") else repr(cmd), out)
    return outcomes


# --- the prime book ----------------------------------------------------------------------------


def prime_setup_commands(book: BookFile, *, settlement_venue: str) -> list[Any]:
    """The book file as engine commands (module docstring), in a deterministic order."""
    now = book.now_ts_s
    cmds: list[Any] = [
        ec.SetBenchmarks(ssr_bps=book.ssr_bps or 0, sofr_bps=book.sofr_bps or 0),
        ec.SetPrices(prices=tuple(
            ec.PriceEntry(symbol=s, price_usd_e8=p) for s, p in sorted(book.prices.items())
        )),
        ec.SetMarketDepth(depths=tuple(
            ec.DepthEntry(symbol=s, depth_1pct_usd_wad=d.depth_1pct_usd_wad,
                          depth_2pct_usd_wad=d.depth_2pct_usd_wad, adv_usd_wad=d.adv_usd_wad)
            for s, d in sorted(book.depths.items())
        )),
        ec.SetCirculatingSupply(supplies=tuple(
            ec.SupplyEntry(symbol=s, supply=v) for s, v in sorted(book.circulating_supply.items())
        )),
        ec.SetSllMaxExposure(max_exposure_usd_wad=book.sll_max_exposure_usd_wad),
    ]  # fmt: skip
    cmds += [
        ec.AddVenue(venue_id=v.venue_id, name=v.name, kind=v.kind, master_account=v.master_account)
        for v in book.venues
    ]
    cmds += [
        ec.OnboardBorrower(
            borrower_id=b.borrower_id, name=b.name, entity=b.entity, kyc=b.kyc,
            sanctioned=b.sanctioned, solvency_attested_ts_s=b.solvency_attested_ts_s,
        )
        for b in book.borrowers
    ]  # fmt: skip
    cmds += [
        ec.OpenAccount(account_id=a.account_id, borrower_id=a.borrower_id, pool_id=a.pool_id)
        for a in book.accounts
    ]
    for a in book.accounts:
        cmds += [
            ec.UpsertPosition(position=PositionSpec.of(p))
            for p in book.account_positions(a.account_id)
        ]
        for ln in book.account_loans(a.account_id):
            owed = accrue(ln, now_ts_s=max(now, ln.last_accrual_ts_s))
            term = None if ln.term_end_ts_s is None else max(ln.term_end_ts_s - now, 1)
            cash = f"{ln.loan_id}/cash"
            cmds.append(ec.OriginateLoan(
                loan_id=ln.loan_id, account_id=a.account_id,
                principal=owed.principal + owed.accrued_interest, rate_bps=ln.rate_bps,
                kind=ln.kind, cash_position_id=cash, venue_id=settlement_venue, term_s=term,
            ))  # fmt: skip
            cmds.append(ec.RemovePosition(position_id=cash))
    return cmds


def _settlement_venue(book: BookFile) -> str:
    """`prime.engine_risk.settlement_venue` of the book's venues (first on-chain by id)."""
    onchain = sorted(v.venue_id for v in book.venues if v.kind.value == "onchain")
    return onchain[0] if onchain else min((v.venue_id for v in book.venues), default="onchain")


def open_prime(
    book: BookFile, policy: Policy, store: JournalStore, *, paranoid: bool = False
) -> Ledger[PrimeBook]:
    """A new prime journal in `store` holding `book` (module docstring)."""
    genesis = PrimeBook(policy=policy, assets=book.assets.values(), start_ts_s=book.now_ts_s)
    ledger = Ledger.create(store, genesis, paranoid=paranoid)
    cmds = prime_setup_commands(book, settlement_venue=_settlement_venue(book))
    _submit_all(ledger, cmds, book.now_ts_s)
    return ledger


# --- SparkLend ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReserveView:
    """One reserve's figures at one time (rays; USD wad)."""

    symbol: str
    utilization_ray: int
    supply_rate_ray: int
    variable_borrow_rate_ray: int
    supplied_usd_wad: int
    borrowed_usd_wad: int


class SparkLendWorld:
    """The journaled SparkLend Ethereum market of a replay (module docstring)."""

    __slots__ = ("_decimals", "_underlying", "ledger")

    def __init__(self, ledger: Ledger[SparkLendMarket]) -> None:
        self.ledger = ledger
        preset = sparklend_ethereum_preset()
        self._underlying = {r.symbol: r.underlying for r in preset.reserves}
        self._decimals = {r.symbol: r.decimals for r in preset.reserves}

    @classmethod
    def open(
        cls, store: JournalStore, *, start_ts_s: int, prices_usd_e8: Mapping[str, int],
        ssr_bps: int,
    ) -> SparkLendWorld:  # fmt: skip
        """List the preset with `prices_usd_e8` (one per reserve) and seed the liquidity."""
        genesis = SparkLendMarket.create(start_ts_s=start_ts_s, admin=_ADMIN)
        ledger = Ledger.create(store, genesis)
        world = cls(ledger)
        listing = sparklend_market_commands(
            sparklend_ethereum_preset(), admin=_ADMIN, prices_usd_e8=prices_usd_e8,
            rate_values={"SSR": bc_btor(ssr_bps), "LST": LST_APR_WAD},
        )  # fmt: skip
        _submit_all(ledger, listing, start_ts_s)
        _submit_all(ledger, world._seed_commands(), start_ts_s)
        return world

    def _units(self, symbol: str, tokens: int) -> int:
        return tokens * int(10 ** self._decimals[symbol])

    def _seed_commands(self) -> list[Any]:
        cmds: list[Any] = []
        coll = self._underlying[_COLLATERAL]
        for who, symbol, amount in [
            *((_LP, s, self._units(s, SEED[s][0])) for s in MAIN_RESERVES),
            *((_KEEPER, s, self._units(s, 1_000_000)) for s in MAIN_RESERVES),
            (_WHALE, _COLLATERAL, self._units(_COLLATERAL, _COLLATERAL_TOKENS)),
        ]:
            asset = self._underlying[symbol]
            cmds.append(mc.Deal(asset=asset, to=who, amount=amount))
            cmds.append(mc.ApproveUnderlying(asset=asset, spender=POOL_ADDRESS,
                                             amount=UINT256_MAX, sender=who))  # fmt: skip
        for s in MAIN_RESERVES:
            cmds.append(mc.Supply(asset=self._underlying[s], amount=self._units(s, SEED[s][0]),
                                  on_behalf_of=_LP, sender=_LP))  # fmt: skip
        cmds.append(mc.Supply(asset=coll, amount=self._units(_COLLATERAL, _COLLATERAL_TOKENS),
                              on_behalf_of=_WHALE, sender=_WHALE))  # fmt: skip
        for s in MAIN_RESERVES:
            tokens, util_bps = SEED[s]
            amount = self._units(s, tokens) * util_bps // 10_000
            cmds.append(mc.Borrow(asset=self._underlying[s], amount=amount, interest_rate_mode=2,
                                  on_behalf_of=_WHALE, sender=_WHALE))  # fmt: skip
        return cmds

    def step_commands(self, prices_usd_e8: Mapping[str, int]) -> list[Any]:
        """Oracle prices for the reserves the path prices, then the keeper's touch."""
        cmds: list[Any] = [
            mc.SetAssetPrice(asset=self._underlying[s], price_usd_e8=p)
            for s, p in sorted(prices_usd_e8.items())
            if s in self._underlying
        ]
        cmds += [
            mc.Supply(
                asset=self._underlying[s],
                amount=self._units(s, 1),
                on_behalf_of=_KEEPER,
                sender=_KEEPER,
            )
            for s in MAIN_RESERVES
        ]
        return cmds

    def reserves(self) -> list[ReserveView]:
        """The main reserves now: utilization = debt / supplied (both with accrued interest)."""
        market = self.ledger.machine
        pool = market.pool
        out = []
        for s in MAIN_RESERVES:
            asset = self._underlying[s]
            data = pool.get_reserve_data(asset)
            supplied = pool.a_token(asset).total_supply()
            borrowed = pool.variable_debt_token(asset).total_supply()
            price = market.oracle.get_asset_price(asset)
            scale = 10 ** self._decimals[s]
            out.append(ReserveView(
                symbol=s,
                utilization_ray=borrowed * RAY // supplied if supplied else 0,
                supply_rate_ray=data.current_liquidity_rate,
                variable_borrow_rate_ray=data.current_variable_borrow_rate,
                supplied_usd_wad=supplied * price * (_USD_WAD // 10**8) // scale,
                borrowed_usd_wad=borrowed * price * (_USD_WAD // 10**8) // scale,
            ))  # fmt: skip
        return out


# --- sUSDS -------------------------------------------------------------------------------------


class SavingsWorld:
    """sUSDS at the book's SSR (module docstring); `chi_ray` after each `advance`."""

    __slots__ = ("clock", "vault")

    def __init__(self, *, start_ts_s: int, ssr_bps: int) -> None:
        self.clock = Clock(start_ts_s)
        registry = TokenRegistry()
        usds = registry.register(Erc20(Address("0x" + "dc" * 20), "USDS", 18))
        self.vault = SUsds(usds, self.clock, atomic=registry.atomic, ward=_ADMIN)
        self.vault.file("ssr", bc_btor(max(ssr_bps, 0)), sender=_ADMIN)

    def advance(self, ts_s: int) -> int:
        """Warp to `ts_s` and drip; the new chi (ray)."""
        self.clock.warp(ts_s)
        return self.vault.drip()

    @property
    def ssr_ray(self) -> int:
        """The savings rate, per second (ray)."""
        return self.vault.ssr
