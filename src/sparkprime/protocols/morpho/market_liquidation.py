"""Morpho Blue's `liquidate`: seize an unhealthy borrower's collateral for repaid debt.

Source: `Morpho.sol` v1.0 (see `market`). The liquidator names either the collateral to seize
or the borrow shares to repay (exactly one non-zero); the other side follows at the oracle
price with the incentive factor min(1.15, 1 / (1 - 0.3 (1 - lltv))), each conversion rounded
for the market (seized -> repaid shares up, repaid shares -> seized down). A borrower left
without collateral has the rest of the debt realized as bad debt: it leaves both the borrow
and the supply totals, so the suppliers absorb it. The liquidator is paid the collateral
before the loan token is pulled from it (the contract's order; no callback is modeled).
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.morpho.market_core import MorphoCore
from sparkprime.protocols.morpho.market_math import (
    ORACLE_PRICE_SCALE,
    MarketParams,
    checked_sub,
    liquidation_incentive_factor,
    mul_div_down,
    mul_div_up,
    to_assets_down,
    to_assets_up,
    to_shares_up,
    to_uint128,
    w_div_up,
    w_mul_down,
    zero_floor_sub,
)
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["MorphoLiquidation"]


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class MorphoLiquidation(MorphoCore):
    """Morpho Blue's `liquidate`, over the shared state and steps of `MorphoCore`."""

    def liquidate(
        self,
        market_params: MarketParams,
        borrower: Address,
        seized_assets: int,
        repaid_shares: int,
        *,
        sender: Address,
    ) -> tuple[int, int]:
        """Seize collateral of an unhealthy `borrower` for repaid debt; (seized, repaid)."""
        return transact(
            self.atomic,
            self._liquidate,
            market_params,
            borrower,
            seized_assets,
            repaid_shares,
            sender,
        )

    def _liquidate(
        self, mp: MarketParams, borrower: Address, seized: int, repaid_shares: int, sender: Address
    ) -> tuple[int, int]:
        id_ = self._created(mp)
        self._exactly_one(seized, repaid_shares, "seized_assets", "repaid_shares")
        self._accrue(mp, id_)
        price = self.oracle_at(mp.oracle).price()
        if self._is_healthy_at(mp, id_, borrower, price):
            raise _err(ErrorCode.MORPHO_HEALTHY_POSITION, "position is healthy", borrower=borrower)
        lif = liquidation_incentive_factor(mp.lltv)
        m = self._markets[id_]
        if seized > 0:
            quoted = mul_div_up(seized, price, ORACLE_PRICE_SCALE)
            repaid_shares = to_shares_up(
                w_div_up(quoted, lif), m.total_borrow_assets, m.total_borrow_shares
            )
        else:
            seized = mul_div_down(
                w_mul_down(
                    to_assets_down(repaid_shares, m.total_borrow_assets, m.total_borrow_shares),
                    lif,
                ),
                ORACLE_PRICE_SCALE,
                price,
            )
        repaid = to_assets_up(repaid_shares, m.total_borrow_assets, m.total_borrow_shares)
        p = self.position(id_, borrower)
        borrow_shares = checked_sub(p.borrow_shares, to_uint128(repaid_shares), "liquidate")
        collateral = checked_sub(p.collateral, to_uint128(seized), "liquidate")
        m = self._set_market(
            id_,
            total_borrow_shares=checked_sub(
                m.total_borrow_shares, to_uint128(repaid_shares), "liquidate"
            ),
            total_borrow_assets=to_uint128(zero_floor_sub(m.total_borrow_assets, repaid)),
        )
        if collateral == 0:
            # Realize the bad debt: the suppliers absorb what the borrower still owes.
            bad_debt = min(
                m.total_borrow_assets,
                to_assets_up(borrow_shares, m.total_borrow_assets, m.total_borrow_shares),
            )
            m = self._set_market(
                id_,
                total_borrow_assets=m.total_borrow_assets - bad_debt,
                total_supply_assets=checked_sub(m.total_supply_assets, bad_debt, "liquidate"),
                total_borrow_shares=checked_sub(m.total_borrow_shares, borrow_shares, "liquidate"),
            )
            borrow_shares = 0
        self._set_position(id_, borrower, borrow_shares=borrow_shares, collateral=collateral)
        self._pay(mp.collateral_token, sender, seized)
        self._pull(mp.loan_token, sender, repaid)
        return seized, repaid
