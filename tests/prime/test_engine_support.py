"""Builders for the PrimeBook tests: a genesis book under the Atlas policy and command helpers.

(No tests here; the name keeps it among the engine's test files.)
"""

from __future__ import annotations

from typing import Any

from sparkprime.core.errors import ProtocolError
from sparkprime.ledger import Ledger
from sparkprime.presets.atlas_policy import ARKIS_POOL_ID, atlas_policy, atlas_policy_history
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import Asset, KycStatus, LoanKind, PositionKind
from sparkprime.prime.critical_actions import Entity, SignerSet
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_records import PositionSpec
from sparkprime.prime.policy import VenueKind

WAD = 10**18
E8 = 10**8
USDC = 10**6
DAY = 86_400
T0 = 1_800_000_000  # 2027-01-15: the SAEP-15 version is in force
SLL = "0x" + "5a" * 20

ASSETS = tuple(
    Asset(symbol=s, decimals=d)
    for s, d in {"BTC": 8, "ETH": 18, "WETH": 18, "USDC": 6, "USDT": 6, "PEPE": 18}.items()
)
SIGNERS = SignerSet.of(
    {
        "saf1": Entity.SAF,
        "saf2": Entity.SAF,
        "saf3": Entity.SAF,
        "phx1": Entity.PHOENIX_LABS,
        "sof1": Entity.SPARK_OPERATIONAL_FACILITATOR,
    }
)


def genesis() -> PrimeBook:
    return PrimeBook(
        policy=atlas_policy(),
        history=atlas_policy_history().versions,
        assets=ASSETS,
        signers=SIGNERS,
        sll_address=SLL,
        start_ts_s=T0,
    )


def prices(**kw: int) -> ec.SetPrices:
    """Whole-dollar prices."""
    return ec.SetPrices(
        prices=tuple(ec.PriceEntry(symbol=s, price_usd_e8=p * E8) for s, p in kw.items())
    )


def position(pid: str, venue: str, kind: PositionKind, symbol: str, qty: int, **kw: Any) -> Any:
    spec = PositionSpec(
        position_id=pid,
        account_id=kw.pop("account_id", "acct"),
        venue_id=venue,
        kind=kind,
        symbol=symbol,
        qty=qty,
        **kw,
    )
    return ec.UpsertPosition(position=spec)


def setup_commands() -> list[Any]:
    """Market data, the borrower, three venues and one account, no positions yet."""
    depth = {"BTC": 50_000_000, "ETH": 20_000_000, "WETH": 20_000_000}
    return [
        ec.SetBenchmarks(ssr_bps=450, sofr_bps=430),
        prices(BTC=100_000, ETH=4_000, WETH=4_000, USDC=1, USDT=1, PEPE=1),
        ec.SetSllMaxExposure(max_exposure_usd_wad=50_000_000 * WAD),
        ec.SetMarketDepth(
            depths=tuple(
                ec.DepthEntry(
                    symbol=s,
                    depth_1pct_usd_wad=d * WAD,
                    depth_2pct_usd_wad=3 * d * WAD,
                    adv_usd_wad=20 * d * WAD,
                )
                for s, d in depth.items()
            )
        ),
        ec.OnboardBorrower(
            borrower_id="fund",
            name="Basis Fund",
            entity="Basis Fund Ltd",
            kyc=KycStatus.APPROVED,
            solvency_attested_ts_s=T0 - DAY,
        ),
        ec.AddVenue(
            venue_id="binance-1", name="Binance", kind=VenueKind.CEX, master_account="fund-master"
        ),
        ec.AddVenue(venue_id="okx-1", name="OKX", kind=VenueKind.CEX, master_account="fund-okx"),
        ec.AddVenue(venue_id="onchain", name="Onchain", kind=VenueKind.ONCHAIN),
        ec.OpenAccount(account_id="acct", borrower_id="fund", pool_id=ARKIS_POOL_ID),
    ]


def book_commands() -> list[Any]:
    """A BTC basis trade (spot at Binance, short dated future at OKX) and an ETH long, then a
    12M USDC loan drawn and deployed (the cash leaves the account)."""
    return [
        position("btc-spot", "binance-1", PositionKind.SPOT, "BTC", 100 * E8),
        position(
            "btc-fut",
            "okx-1",
            PositionKind.FUTURE,
            "BTC",
            -100 * E8,
            entry_price_usd_e8=100_000 * E8,
            expiry_ts_s=T0 + 60 * DAY,
        ),
        position("eth", "onchain", PositionKind.SPOT, "WETH", 2_500 * WAD),
        ec.OriginateLoan(
            loan_id="L1",
            account_id="acct",
            principal=0,
            rate_bps=500,
            kind=LoanKind.EVERGREEN,
            cash_position_id="cash",
            venue_id="onchain",
        ),
        ec.Draw(
            loan_id="L1", amount=12_000_000 * USDC, cash_position_id="cash", venue_id="onchain"
        ),
        ec.RemovePosition(position_id="cash"),
    ]


def submit_all(ledger: Ledger[PrimeBook], commands: list[Any], ts_s: int) -> None:
    for cmd in commands:
        ledger.submit(cmd, ts_s=ts_s)


def refused(ledger: Ledger[PrimeBook], cmd: Any, ts_s: int | None = None) -> ProtocolError:
    """Submit `cmd`, expect a refusal, and check nothing changed (hash, head, rejection log)."""
    curr_hash, curr_seq = ledger.state_hash(), ledger.head_seq
    curr_rejections = len(ledger.rejections())
    try:
        ledger.submit(cmd, ts_s=ts_s)
    except ProtocolError as error:
        assert ledger.state_hash() == curr_hash
        assert ledger.head_seq == curr_seq
        assert len(ledger.rejections()) == curr_rejections + 1
        return error
    raise AssertionError(f"{type(cmd).__name__} was accepted")
