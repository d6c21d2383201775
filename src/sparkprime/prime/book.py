"""The prime book's records: borrowers, venues, accounts, assets, positions and loans.

Frozen, validated data (the mutable, journaled book is `prime.engine`'s). Every record checks
itself on construction and refuses bad input with a `ProtocolError`
(`PRIME_INVALID_RECORD` / `PRIME_INVALID_POSITION`, with the field and the reason), so nothing
half-valid ever reaches the margin engine.

Units (see the issue-5 interface): quantities are ints in the asset's base units; prices are
`price_usd_e8` (USD per whole unit, 8 decimals, as AaveOracle); money is `*_usd_wad`; time is
`ts_s`.

Position kinds and their quantity rules (spark-prime.md §1.3, §2; Arkis v2 whitepaper):

- SPOT: `symbol` the token; `qty >= 0` (a short is a PERP/FUTURE or a LENDING_BORROW).
- PERP: `symbol` the underlying; `qty` signed (short < 0); needs `entry_price_usd_e8`.
- FUTURE: as PERP, plus `expiry_ts_s`.
- PENDLE_PT: `symbol` the PT's underlying; `qty >= 0` PT units (1 PT = 1 underlying at
  expiry); needs `expiry_ts_s` and `pt_amm_liquidity_usd_wad`.
- DEX_LP: `symbol` the LP token; `qty >= 0`; needs `dex_kind` and `legs` (>= 1 leg, each
  `(symbol, qty >= 0)`: the pool's underlyings held through this position).
- LENDING_SUPPLY: `symbol` the supplied token; `qty >= 0`.
- LENDING_BORROW: `symbol` the borrowed token; `qty >= 0` is the debt (a short exposure).
- VAULT_SHARES: `symbol` the share token (spUSDC, sUSDS); `qty >= 0` shares; needs
  `share_rate_wad > 0` and `legs == ((underlying_symbol, 0),)`.
- MARGIN_VALUE: `symbol` the venue's margin currency; `qty == 0`; needs
  `margin_value_usd_wad` (signed: the CEX's adjEq).

`price_symbol` (PENDLE_PT only, optional) names the price-map key of the PT's own price: a PT
trades below its underlying ("PT-rsETH-26DEC2026"); left out, it is valued at its underlying's
price (par, its value at expiry).

A VAULT_SHARES position holds `qty * share_rate_wad // 10**18` base units of the underlying
(`share_rate_wad` = underlying base units per share base unit, in wad; ERC-4626
`convertToAssets`, rounded down like the vault). The leg names the underlying; its amount is 0
because it comes from the rate.

Example:
    >>> p = Position(position_id="p1", account_id="a1", venue_id="onchain",
    ...              kind=PositionKind.SPOT, symbol="WETH", qty=10**18)
    >>> p.kind.value, p.qty
    ('spot', 1000000000000000000)
    >>> try:
    ...     Position(position_id="p2", account_id="a1", venue_id="onchain",
    ...              kind=PositionKind.SPOT, symbol="WETH", qty=-1)
    ... except ProtocolError as err:
    ...     print(err.code.name, err.context["field"])
    PRIME_INVALID_POSITION qty
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.policy import VenueKind

__all__ = [
    "Account",
    "Asset",
    "Borrower",
    "KycStatus",
    "Loan",
    "LoanKind",
    "Position",
    "PositionKind",
    "PriceMap",
    "Venue",
]

PriceMap: TypeAlias = Mapping[str, int]
"""symbol -> price_usd_e8 (USD per whole unit, 8 decimals)."""

_MAX_DECIMALS = 36


class KycStatus(StrEnum):
    """KYC/KYB state of a borrower (Arkis runs KYC/KYB at onboarding, spark-prime.md §1.1)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class PositionKind(StrEnum):
    """What a position is; decides how it decomposes into exposures (`prime.exposure`)."""

    SPOT = "spot"
    PERP = "perp"
    FUTURE = "future"
    PENDLE_PT = "pendle_pt"
    DEX_LP = "dex_lp"
    LENDING_SUPPLY = "lending_supply"
    LENDING_BORROW = "lending_borrow"
    VAULT_SHARES = "vault_shares"
    MARGIN_VALUE = "margin_value"


class LoanKind(StrEnum):
    """Atlas loan durations (P7/2/4): evergreen/revolving, demand, or fixed up to 1 month."""

    EVERGREEN = "evergreen"
    DEMAND = "demand"
    FIXED = "fixed"


def _bad(record: str, record_id: str, field: str, reason: str) -> ProtocolError:
    return ProtocolError(
        ErrorCode.PRIME_INVALID_RECORD, record=record, id=record_id, field=field, reason=reason
    )


def _need_id(record: str, record_id: str, field: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise _bad(record, record_id, field, "must be a non-empty string")


def _need_int(record: str, record_id: str, field: str, value: object, *, min_value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < min_value:
        raise _bad(record, record_id, field, f"must be an int >= {min_value}, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Borrower:
    """A counterparty (P7/2/1): registered, KYC'd, not sanctioned, solvent (self-certified)."""

    borrower_id: str
    name: str
    entity: str
    kyc: KycStatus
    sanctioned: bool
    solvency_attested_ts_s: int | None
    insolvent: bool = False
    in_administration: bool = False

    def __post_init__(self) -> None:
        for f in ("borrower_id", "name", "entity"):
            _need_id("borrower", str(self.borrower_id), f, getattr(self, f))
        if not isinstance(self.kyc, KycStatus):
            raise _bad("borrower", self.borrower_id, "kyc", f"not a KycStatus: {self.kyc!r}")
        if self.solvency_attested_ts_s is not None:
            _need_int(
                "borrower", self.borrower_id, "solvency_attested_ts_s",
                self.solvency_attested_ts_s, min_value=0,
            )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Venue:
    """Where an account's positions sit: on-chain, a CEX sub-account under `master_account`,
    or a custodian. `name` is the policy's venue name ("Onchain", "Binance", ...)."""

    venue_id: str
    name: str
    kind: VenueKind
    master_account: str | None = None

    def __post_init__(self) -> None:
        _need_id("venue", str(self.venue_id), "venue_id", self.venue_id)
        _need_id("venue", self.venue_id, "name", self.name)
        if not isinstance(self.kind, VenueKind):
            raise _bad("venue", self.venue_id, "kind", f"not a VenueKind: {self.kind!r}")
        if self.kind is VenueKind.CEX and not self.master_account:
            raise _bad("venue", self.venue_id, "master_account", "a CEX sub-account needs one")


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """A borrower's margin account in one lending pool; one RF per account."""

    account_id: str
    borrower_id: str
    pool_id: str

    def __post_init__(self) -> None:
        for f in ("account_id", "borrower_id", "pool_id"):
            _need_id("account", str(self.account_id), f, getattr(self, f))


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    """An asset registry entry: base-unit decimals and, for stablecoins, the peg."""

    symbol: str
    decimals: int
    pegged_to: str | None = None

    def __post_init__(self) -> None:
        _need_id("asset", str(self.symbol), "symbol", self.symbol)
        _need_int("asset", self.symbol, "decimals", self.decimals, min_value=0)
        if self.decimals > _MAX_DECIMALS:
            raise _bad("asset", self.symbol, "decimals", f"{self.decimals} > {_MAX_DECIMALS}")


_NON_NEGATIVE = frozenset(PositionKind) - {PositionKind.PERP, PositionKind.FUTURE}


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """One position of an account at a venue (rules per kind in the module docstring)."""

    position_id: str
    account_id: str
    venue_id: str
    kind: PositionKind
    symbol: str
    qty: int
    entry_price_usd_e8: int | None = None
    expiry_ts_s: int | None = None
    legs: tuple[tuple[str, int], ...] = ()
    dex_kind: str | None = None
    pt_amm_liquidity_usd_wad: int | None = None
    share_rate_wad: int | None = None
    margin_value_usd_wad: int | None = None
    price_symbol: str | None = None

    def _fail(self, field: str, reason: str) -> ProtocolError:
        return ProtocolError(
            ErrorCode.PRIME_INVALID_POSITION,
            position_id=self.position_id,
            kind=str(self.kind),
            symbol=self.symbol,
            field=field,
            reason=reason,
        )

    def __post_init__(self) -> None:
        _need_id("position", str(self.position_id), "position_id", self.position_id)
        for f in ("account_id", "venue_id", "symbol"):
            _need_id("position", self.position_id, f, getattr(self, f))
        if not isinstance(self.kind, PositionKind):
            raise _bad("position", self.position_id, "kind", f"not a PositionKind: {self.kind!r}")
        if not isinstance(self.qty, int) or isinstance(self.qty, bool):
            raise self._fail("qty", f"must be an int, got {self.qty!r}")
        self._check_kind_fields()

    def _check_kind_fields(self) -> None:
        k = self.kind
        if k in _NON_NEGATIVE and self.qty < 0:
            hint = {
                PositionKind.SPOT: ": a spot holding cannot be short"
                " (use a PERP/FUTURE or a LENDING_BORROW)",
                PositionKind.LENDING_BORROW: ": a debt is a positive amount",
            }.get(k, "")
            raise self._fail("qty", f"{self.qty} is negative{hint}")
        self._check_optional_ints()
        needs_entry = k in (PositionKind.PERP, PositionKind.FUTURE)
        if needs_entry and self.entry_price_usd_e8 is None:
            raise self._fail("entry_price_usd_e8", "required for a perp or future (its PnL)")
        needs_expiry = k in (PositionKind.FUTURE, PositionKind.PENDLE_PT)
        if needs_expiry and self.expiry_ts_s is None:
            raise self._fail("expiry_ts_s", "required for a dated future or a Pendle PT")
        if k is PositionKind.PENDLE_PT and self.pt_amm_liquidity_usd_wad is None:
            raise self._fail("pt_amm_liquidity_usd_wad", "required (PT exposure <= 10x AMM)")
        if k is PositionKind.DEX_LP:
            if not self.dex_kind:
                raise self._fail("dex_kind", "required: the pool kind decides eligibility")
            if not self.legs:
                raise self._fail("legs", "an LP needs the underlyings it decomposes into")
        elif k is PositionKind.VAULT_SHARES:
            if self.share_rate_wad is None or self.share_rate_wad <= 0:
                raise self._fail("share_rate_wad", "required and > 0")
            if len(self.legs) != 1 or self.legs[0][1] != 0:
                raise self._fail("legs", "must be ((underlying_symbol, 0),)")
        elif self.legs:
            raise self._fail("legs", "only a DEX LP or vault shares have legs")
        if k is PositionKind.MARGIN_VALUE:
            if self.margin_value_usd_wad is None:
                raise self._fail("margin_value_usd_wad", "required: the venue's reported value")
            if self.qty != 0:
                raise self._fail("qty", "must be 0: the value is margin_value_usd_wad")
        elif self.margin_value_usd_wad is not None:
            raise self._fail("margin_value_usd_wad", "only a MARGIN_VALUE position has one")
        if self.price_symbol is not None and (
            k is not PositionKind.PENDLE_PT or not self.price_symbol
        ):
            raise self._fail("price_symbol", "only a Pendle PT has its own price key (non-empty)")

    def _check_optional_ints(self) -> None:
        for f in ("entry_price_usd_e8", "expiry_ts_s", "pt_amm_liquidity_usd_wad"):
            v = getattr(self, f)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                raise self._fail(f, f"must be an int >= 0, got {v!r}")
        if self.entry_price_usd_e8 is not None and self.entry_price_usd_e8 == 0:
            raise self._fail("entry_price_usd_e8", "must be > 0")
        if self.margin_value_usd_wad is not None and (
            not isinstance(self.margin_value_usd_wad, int)
            or isinstance(self.margin_value_usd_wad, bool)
        ):
            raise self._fail("margin_value_usd_wad", "must be an int")
        for i, leg in enumerate(self.legs):
            ok = (
                isinstance(leg, tuple)
                and len(leg) == 2
                and isinstance(leg[0], str)
                and bool(leg[0])
                and isinstance(leg[1], int)
                and not isinstance(leg[1], bool)
                and leg[1] >= 0
            )
            if not ok:
                raise self._fail(f"legs[{i}]", f"must be (symbol, qty >= 0), got {leg!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Loan:
    """A loan from the pool to an account, in the pool's borrowed asset's base units.

    Borrowed value = `principal + accrued_interest` (accrual is `prime.loans`'; this record
    only carries the amounts). FIXED loans need `term_end_ts_s`.
    """

    loan_id: str
    account_id: str
    principal: int
    rate_bps: int
    kind: LoanKind
    originated_ts_s: int
    term_end_ts_s: int | None
    accrued_interest: int
    last_accrual_ts_s: int

    def __post_init__(self) -> None:
        _need_id("loan", str(self.loan_id), "loan_id", self.loan_id)
        _need_id("loan", self.loan_id, "account_id", self.account_id)
        for f in ("principal", "rate_bps", "originated_ts_s", "accrued_interest"):
            _need_int("loan", self.loan_id, f, getattr(self, f), min_value=0)
        _need_int(
            "loan", self.loan_id, "last_accrual_ts_s", self.last_accrual_ts_s,
            min_value=self.originated_ts_s,
        )  # fmt: skip
        if not isinstance(self.kind, LoanKind):
            raise _bad("loan", self.loan_id, "kind", f"not a LoanKind: {self.kind!r}")
        if self.kind is LoanKind.FIXED and self.term_end_ts_s is None:
            raise _bad("loan", self.loan_id, "term_end_ts_s", "a fixed-term loan needs one")
        if self.term_end_ts_s is not None:
            _need_int(
                "loan", self.loan_id, "term_end_ts_s", self.term_end_ts_s,
                min_value=self.originated_ts_s + 1,
            )  # fmt: skip
