"""The commands a journaled `PrimeBook` accepts (kind `prime.<verb>`).

Each is a frozen `@command`, checked for types and ranges when built or decoded; the book then
validates it against its state and either applies it whole or refuses it with a
`ProtocolError`, changing nothing. Amounts follow the issue-5 units: quantities in base units,
prices `price_usd_e8`, money `*_usd_wad`, rates bps, times `ts_s` (a command runs at the
journal's timestamp; the book has no other clock).

Groups: governance (policy, benchmarks, prices, depth, supply, SLL max exposure, assets), book
(borrowers, venues, accounts, positions, the venues' margin value reports, withdrawals), loans
(originate, draw, repay, renew, accrue, the origination steps), risk (remargin, execute a
liquidation plan, emergency actions) and critical actions (propose, approve, execute: >= 3
signers from >= 2 entities).
"""

from __future__ import annotations

from enum import StrEnum

from sparkprime.ledger.command import Uint256, command, record
from sparkprime.prime.book import KycStatus, LoanKind
from sparkprime.prime.engine_records import (
    CriticalActionSpec,
    EmergencySpec,
    PolicySpec,
    PositionSpec,
)
from sparkprime.prime.policy import VenueKind

__all__ = [
    "ENGINE_COMMANDS",
    "Accrue",
    "AddVenue",
    "ApproveCritical",
    "BorrowerEvent",
    "BorrowerEventKind",
    "DepthEntry",
    "Draw",
    "EmergencyActionCmd",
    "ExecuteCritical",
    "ExecuteLiquidation",
    "Fill",
    "MarginValueEntry",
    "OnboardBorrower",
    "OpenAccount",
    "OriginateLoan",
    "PriceEntry",
    "ProposeCritical",
    "RecordOriginationSteps",
    "RegisterAsset",
    "Remargin",
    "RemovePosition",
    "RenewLoan",
    "Repay",
    "ReportMarginValues",
    "SetBenchmarks",
    "SetCirculatingSupply",
    "SetMarketDepth",
    "SetPolicy",
    "SetPrices",
    "SetSllMaxExposure",
    "SupplyEntry",
    "UpdateBorrower",
    "UpsertPosition",
    "Withdraw",
]

# --- governance ----------------------------------------------------------------------------


@command("prime.set_policy")
class SetPolicy:
    """Replace the policy: a full version (`policy`) or one of the book's history by id."""

    policy: PolicySpec | None = None
    version: str | None = None


@command("prime.set_benchmarks")
class SetBenchmarks:
    ssr_bps: int
    sofr_bps: int


@record
class PriceEntry:
    symbol: str
    price_usd_e8: int  # > 0 (checked by the book: zero or negative is refused)


@command("prime.set_prices")
class SetPrices:
    prices: tuple[PriceEntry, ...]


@record
class DepthEntry:
    symbol: str
    depth_1pct_usd_wad: Uint256
    depth_2pct_usd_wad: Uint256
    adv_usd_wad: Uint256


@command("prime.set_market_depth")
class SetMarketDepth:
    depths: tuple[DepthEntry, ...]


@record
class SupplyEntry:
    symbol: str
    supply: Uint256  # base units in circulation


@command("prime.set_circulating_supply")
class SetCirculatingSupply:
    supplies: tuple[SupplyEntry, ...]


@command("prime.set_sll_max_exposure")
class SetSllMaxExposure:
    max_exposure_usd_wad: Uint256


@command("prime.register_asset")
class RegisterAsset:
    """Add an asset to the registry (its decimals); the policy decides if it is approved."""

    symbol: str
    decimals: Uint256
    pegged_to: str | None = None


# --- book ----------------------------------------------------------------------------------


@command("prime.onboard_borrower")
class OnboardBorrower:
    borrower_id: str
    name: str
    entity: str
    kyc: KycStatus
    sanctioned: bool = False
    solvency_attested_ts_s: Uint256 | None = None


@command("prime.update_borrower")
class UpdateBorrower:
    """Change KYC, the sanctions flag or the solvency attestation (None = unchanged)."""

    borrower_id: str
    kyc: KycStatus | None = None
    sanctioned: bool | None = None
    solvency_attested_ts_s: Uint256 | None = None


class BorrowerEventKind(StrEnum):
    INSOLVENCY = "insolvency"
    ADMINISTRATION = "administration"


@command("prime.borrower_event")
class BorrowerEvent:
    """Insolvency or administration: every loan is due at once (recall trigger 1)."""

    borrower_id: str
    event: BorrowerEventKind


@command("prime.add_venue")
class AddVenue:
    venue_id: str
    name: str  # a policy venue name ("Binance", "OKX", "Onchain", ...)
    kind: VenueKind
    master_account: str | None = None


@command("prime.open_account")
class OpenAccount:
    account_id: str
    borrower_id: str
    pool_id: str


@command("prime.upsert_position")
class UpsertPosition:
    position: PositionSpec


@command("prime.remove_position")
class RemovePosition:
    position_id: str


@record
class MarginValueEntry:
    account_id: str
    venue_id: str
    margin_value_usd_wad: int  # signed: a venue's adjEq can be negative (an underwater account)


@command("prime.report_margin_values")
class ReportMarginValues:
    """What CEX sub-accounts report as their margin value (OKX `adjEq`: collateral, PnL,
    funding, fees), each replacing its account's one MARGIN_VALUE position at that venue.

    A venue's report, not a borrower's action: no limit or reduce-only check (the next
    `prime.remargin` acts on it), but every account and venue must be known and hold exactly
    one MARGIN_VALUE position there (PRIME_ENGINE_NOT_A_MARGIN_ACCOUNT).
    """

    reports: tuple[MarginValueEntry, ...]


@command("prime.withdraw")
class Withdraw:
    """Take `qty` base units (shares for vault shares) of a SPOT or VAULT_SHARES position out
    of the book to a whitelisted `destination` (the SLL, or an approved collateral agent once
    `loan_id`'s origination steps are complete). See `prime.engine_withdraw`."""

    account_id: str
    position_id: str
    qty: Uint256
    destination: str  # an EVM address on the book's whitelist
    loan_id: str | None = None  # the loan a collateral agent forwards the funds for


# --- loans ---------------------------------------------------------------------------------


@command("prime.originate_loan")
class OriginateLoan:
    """A new loan; `principal` (may be 0) lands as cash in `cash_position_id` at `venue_id`."""

    loan_id: str
    account_id: str
    principal: Uint256
    rate_bps: Uint256
    kind: LoanKind
    cash_position_id: str
    venue_id: str
    term_s: Uint256 | None = None


@command("prime.draw")
class Draw:
    loan_id: str
    amount: Uint256
    cash_position_id: str
    venue_id: str


@command("prime.repay")
class Repay:
    """Repay `amount` (interest first); from a cash position of the account, or from outside
    the book when `from_position_id` is None."""

    loan_id: str
    amount: Uint256
    from_position_id: str | None = None


@command("prime.renew_loan")
class RenewLoan:
    loan_id: str
    rate_bps: Uint256 | None = None
    kind: LoanKind | None = None
    term_s: Uint256 | None = None


@command("prime.record_origination_steps")
class RecordOriginationSteps:
    """Mark a loan's origination steps done (P7/2/7/4): the final MLA executed, the loan
    configuration file sent. A step once done stays done (False leaves it as it was)."""

    loan_id: str
    mla_executed: bool = False
    config_file_sent: bool = False


@command("prime.accrue")
class Accrue:
    """Persist every open loan's interest to now."""


# --- risk ----------------------------------------------------------------------------------


@command("prime.remargin")
class Remargin:
    """Margin every account: status ladder, notices, recalls and liquidation plans."""


@record
class Fill:
    index: Uint256  # the plan step
    price_usd_e8: Uint256


@command("prime.execute_liquidation")
class ExecuteLiquidation:
    """Apply the account's pending liquidation plan with the market's fills."""

    account_id: str
    fills: tuple[Fill, ...]


@command("prime.emergency_action")
class EmergencyActionCmd:
    action: EmergencySpec


# --- critical actions ----------------------------------------------------------------------


@command("prime.propose_critical")
class ProposeCritical:
    proposal_id: str
    action: CriticalActionSpec


@command("prime.approve_critical")
class ApproveCritical:
    proposal_id: str
    signer: str


@command("prime.execute_critical")
class ExecuteCritical:
    proposal_id: str


ENGINE_COMMANDS: tuple[type, ...] = (
    SetPolicy,
    SetBenchmarks,
    SetPrices,
    SetMarketDepth,
    SetCirculatingSupply,
    SetSllMaxExposure,
    RegisterAsset,
    OnboardBorrower,
    UpdateBorrower,
    BorrowerEvent,
    AddVenue,
    OpenAccount,
    UpsertPosition,
    RemovePosition,
    ReportMarginValues,
    OriginateLoan,
    Draw,
    Repay,
    RenewLoan,
    Accrue,
    Remargin,
    ExecuteLiquidation,
    EmergencyActionCmd,
    ProposeCritical,
    ApproveCritical,
    ExecuteCritical,
    Withdraw,
    RecordOriginationSteps,
)
