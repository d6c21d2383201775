"""Morpho Blue's state and the steps every call shares: accrual, health, checks, transfers.

`MorphoCore` extends `MarketViews` (per-market storage and getters) with the singleton's own
storage (owner, fee recipient, enabled IRMs and LLTVs, authorizations) and the internal steps of
`Morpho.sol` v1.0 (see `market` for the source): `_accrue` (interest = totalBorrow *
wTaylorCompounded(rate, elapsed), the fee minted as supply shares priced without it), the
health check (borrowed, up, <= collateral * price / 1e36 * lltv, each down), the ErrorsLib
input checks and the token pulls and payments. The owner's functions are in `market_admin`,
the users' in `market`.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> core = MorphoCore(make_addr("o"), tokens=TokenRegistry(), clock=Clock(0))
    >>> core.owner == make_addr("o"), core.is_lltv_enabled(0)
    (True, False)
"""

from __future__ import annotations

import dataclasses
from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.morpho.market_math import (
    ORACLE_PRICE_SCALE,
    Market,
    MarketId,
    MarketParams,
    add_u128,
    exactly_one_zero,
    market_id,
    mul_div_down,
    to_assets_up,
    to_shares_down,
    w_mul_down,
    w_taylor_compounded,
)
from sparkprime.protocols.morpho.market_views import MarketViews
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS

__all__ = ["MORPHO_ADDRESS", "MorphoCore"]

MORPHO_ADDRESS: Final = Address("0xbbbbbbbbbb9cc5e90e3b3af64bdaf62c37eeffcb")
_EMPTY: Final = Market()


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class MorphoCore(MarketViews):
    """Morpho Blue's storage and internal steps (no external mutating function)."""

    def __init__(
        self,
        owner: Address,
        *,
        tokens: TokenRegistry,
        clock: Clock,
        address: Address = MORPHO_ADDRESS,
    ) -> None:
        if owner == ZERO_ADDRESS:
            raise _err(ErrorCode.MORPHO_ZERO_ADDRESS, "zero address", field="owner")
        super().__init__(clock)
        self.address = address
        self.tokens = tokens
        self.atomic = tokens.atomic
        self._s: dict[str, Address] = {"owner": owner, "fee_recipient": ZERO_ADDRESS}
        self._irm_enabled: dict[Address, bool] = {}
        self._lltv_enabled: dict[int, bool] = {}
        self._authorized: dict[tuple[Address, Address], bool] = {}

    # --- owner storage ---

    @property
    def owner(self) -> Address:
        """The owner (enables IRMs and LLTVs, sets fees)."""
        return self._s["owner"]

    @property
    def fee_recipient(self) -> Address:
        """Who receives the fee shares."""
        return self._s["fee_recipient"]

    def is_irm_enabled(self, irm: Address) -> bool:
        """Whether markets may use `irm`."""
        return self._irm_enabled.get(irm, False)

    def is_lltv_enabled(self, lltv: int) -> bool:
        """Whether markets may use `lltv`."""
        return self._lltv_enabled.get(lltv, False)

    def is_authorized(self, authorizer: Address, authorized: Address) -> bool:
        """Whether `authorized` may manage `authorizer`'s positions."""
        return self._authorized.get((authorizer, authorized), False)

    # --- internals ---

    def _created(self, mp: MarketParams) -> MarketId:
        id_ = market_id(mp)
        if self._markets.get(id_, _EMPTY).last_update == 0:
            raise _err(ErrorCode.MORPHO_MARKET_NOT_CREATED, "market not created", id=id_)
        return id_

    @staticmethod
    def _exactly_one(a: int, b: int, a_name: str, b_name: str) -> None:
        check_uint256(a, field=a_name)
        check_uint256(b, field=b_name)
        if not exactly_one_zero(a, b):
            raise _err(
                ErrorCode.MORPHO_INCONSISTENT_INPUT,
                "inconsistent input",
                a_name=a_name,
                b_name=b_name,
            )

    @staticmethod
    def _nonzero_assets(assets: int) -> None:
        if check_uint256(assets, field="assets") == 0:
            raise _err(ErrorCode.MORPHO_ZERO_ASSETS, "zero assets")

    @staticmethod
    def _nonzero_address(address: Address, field: str) -> None:
        if address == ZERO_ADDRESS:
            raise _err(ErrorCode.MORPHO_ZERO_ADDRESS, "zero address", field=field)

    def _check_authorized(self, on_behalf: Address, sender: Address) -> None:
        if sender != on_behalf and not self.is_authorized(on_behalf, sender):
            raise _err(
                ErrorCode.MORPHO_UNAUTHORIZED, "unauthorized", sender=sender, on_behalf=on_behalf
            )

    @staticmethod
    def _check_liquidity(m: Market) -> None:
        if m.total_borrow_assets > m.total_supply_assets:
            raise _err(
                ErrorCode.MORPHO_INSUFFICIENT_LIQUIDITY,
                "insufficient liquidity",
                total_borrow=m.total_borrow_assets,
                total_supply=m.total_supply_assets,
            )

    def _set_market(self, id_: MarketId, **changes: int) -> Market:
        m = dataclasses.replace(self._markets[id_], **changes)
        self.atomic.set_item(self._markets, id_, m)
        return m

    def _set_position(self, id_: MarketId, user: Address, **changes: int) -> None:
        p = dataclasses.replace(self.position(id_, user), **changes)
        self.atomic.set_item(self._positions, (id_, user), p)

    def _accrue(self, mp: MarketParams, id_: MarketId) -> None:
        m = self._markets[id_]
        elapsed = self.clock.now - m.last_update
        if elapsed == 0:
            return
        if mp.irm != ZERO_ADDRESS:
            rate = self.irm_at(mp.irm).borrow_rate(mp, m, sender=self.address)
            interest = w_mul_down(m.total_borrow_assets, w_taylor_compounded(rate, elapsed))
            m = self._set_market(
                id_,
                total_borrow_assets=add_u128(m.total_borrow_assets, interest, "accrueInterest"),
                total_supply_assets=add_u128(m.total_supply_assets, interest, "accrueInterest"),
            )
            if m.fee != 0:
                fee_amount = w_mul_down(interest, m.fee)
                # Priced without the fee: the total supply already includes it.
                fee_shares = to_shares_down(
                    fee_amount, m.total_supply_assets - fee_amount, m.total_supply_shares
                )
                recipient = self._s["fee_recipient"]
                p = self.position(id_, recipient)
                self._set_position(id_, recipient, supply_shares=p.supply_shares + fee_shares)
                m = self._set_market(
                    id_,
                    total_supply_shares=add_u128(
                        m.total_supply_shares, fee_shares, "accrueInterest"
                    ),
                )
        self._set_market(id_, last_update=self.clock.now)

    def _is_healthy(self, mp: MarketParams, id_: MarketId, borrower: Address) -> bool:
        if self.position(id_, borrower).borrow_shares == 0:
            return True
        return self._is_healthy_at(mp, id_, borrower, self.oracle_at(mp.oracle).price())

    def _is_healthy_at(
        self, mp: MarketParams, id_: MarketId, borrower: Address, price: int
    ) -> bool:
        m, p = self._markets[id_], self.position(id_, borrower)
        borrowed = to_assets_up(p.borrow_shares, m.total_borrow_assets, m.total_borrow_shares)
        max_borrow = w_mul_down(mul_div_down(p.collateral, price, ORACLE_PRICE_SCALE), mp.lltv)
        return max_borrow >= borrowed

    def _token(self, address: Address) -> Erc20:
        return self.tokens.get(address)

    def _pull(self, token: Address, from_: Address, amount: int) -> None:
        self._token(token).transfer_from(from_, self.address, amount, sender=self.address)

    def _pay(self, token: Address, to: Address, amount: int) -> None:
        self._token(token).transfer(to, amount, sender=self.address)
