"""Morpho Blue (`Morpho.sol` v1.0): isolated lending markets, exact to the wei.

Source: morpho-org/morpho-blue `src/Morpho.sol` v1.0 (read from ChorusOne/vaults-wrapper
`lib/morpho-blue/src/Morpho.sol` @ a4638699517ca5693718f56f86ded6161320b87b; the math is in
`market_math`). A market is keyed by its `MarketParams` (loan token, collateral token,
oracle, IRM, LLTV); each call runs the contract's steps in its order:

- `supply` / `repay` turn assets into shares rounding down (shares into assets up), `withdraw`
  / `borrow` turn assets into shares rounding up (shares into assets down): the rounding
  always favours the market. Exactly one of `assets`, `shares` is non-zero.
- `_accrue_interest`: interest = totalBorrow * wTaylorCompounded(rate, elapsed) (wMulDown),
  added to both totals; the fee share (interest * fee) is minted to `fee_recipient` as supply
  shares priced at totalSupply - feeAmount. Markets with the zero IRM accrue nothing.
- health: borrowed (shares to assets, up) <= collateral * price / 1e36 * lltv (each down).
- `liquidate`: incentive factor min(1.15, 1 / (1 - 0.3 (1 - lltv))); seized collateral or
  repaid shares in; a borrower left without collateral has the rest of the debt realized as
  bad debt (taken from the suppliers).

Tokens are `Erc20`s in the chain's `TokenRegistry`: Morpho pulls with `transfer_from` (so the
payer approves Morpho) and pays with `transfer`. Every call is all-or-nothing through the
registry's `Atomic` (the IRM's stored rate included). Revert reasons are the ErrorsLib strings
(`reason=` in the context). IRMs and oracles are objects deployed with `register` (an address
in `MarketParams` finds them); the zero IRM address means no interest. Callbacks (`data`),
flash loans and signed authorizations are not modeled.

The class is layered: `market_views` (storage, getters, MorphoBalancesLib), `market_core`
(the singleton's storage, accrual, health, checks, transfers), then `market_admin` (owner
functions, authorizations) and `market_liquidation` (`liquidate`, bad debt) beside each other,
and here the markets' user functions: create, supply, withdraw, borrow, repay, collateral.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg, clock, owner, alice = TokenRegistry(), Clock(1_000), make_addr("o"), make_addr("a")
    >>> usdc = reg.register(Erc20(make_addr("usdc"), "USDC", 6))
    >>> morpho = Morpho(owner, tokens=reg, clock=clock)
    >>> morpho.enable_irm(ZERO_ADDRESS, sender=owner)
    >>> morpho.enable_lltv(0, sender=owner)
    >>> idle = MarketParams(loan_token=usdc.address, collateral_token=ZERO_ADDRESS,
    ...                     oracle=ZERO_ADDRESS, irm=ZERO_ADDRESS, lltv=0)
    >>> morpho.create_market(idle, sender=alice)
    >>> usdc.mint(alice, 100)
    >>> _ = usdc.approve(morpho.address, 100, sender=alice)
    >>> morpho.supply(idle, 100, 0, alice, sender=alice)
    (100, 100000000)
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.morpho.market_admin import MorphoAdmin
from sparkprime.protocols.morpho.market_core import MORPHO_ADDRESS
from sparkprime.protocols.morpho.market_liquidation import MorphoLiquidation
from sparkprime.protocols.morpho.market_math import (
    Market,
    MarketParams,
    add_u128,
    checked_sub,
    market_id,
    to_assets_down,
    to_assets_up,
    to_shares_down,
    to_shares_up,
    to_uint128,
    zero_floor_sub,
)
from sparkprime.protocols.morpho.market_views import Oracle
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["MORPHO_ADDRESS", "ZERO_ADDRESS", "MarketParams", "Morpho", "Oracle"]


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class Morpho(MorphoAdmin, MorphoLiquidation):
    """The Morpho Blue singleton of one chain."""

    # --- markets ---

    def create_market(self, market_params: MarketParams, *, sender: Address) -> None:
        """Create the market (anyone may, with an enabled IRM and LLTV)."""
        transact(self.atomic, self._create_market, market_params)

    def _create_market(self, mp: MarketParams) -> None:
        id_ = market_id(mp)
        if not self.is_irm_enabled(mp.irm):
            raise _err(ErrorCode.MORPHO_IRM_NOT_ENABLED, "IRM not enabled", irm=mp.irm)
        if not self.is_lltv_enabled(mp.lltv):
            raise _err(ErrorCode.MORPHO_LLTV_NOT_ENABLED, "LLTV not enabled", lltv=mp.lltv)
        if self.market(id_).last_update != 0:
            raise _err(ErrorCode.MORPHO_MARKET_ALREADY_CREATED, "market already created", id=id_)
        self.atomic.set_item(self._markets, id_, Market(last_update=self.clock.now))
        self.atomic.set_item(self._params, id_, mp)
        # Initialize a stateful IRM.
        if mp.irm != ZERO_ADDRESS:
            self.irm_at(mp.irm).borrow_rate(mp, self._markets[id_], sender=self.address)

    def accrue_interest(self, market_params: MarketParams, *, sender: Address) -> None:
        """Accrue the market's interest up to now."""
        transact(self.atomic, lambda: self._accrue(market_params, self._created(market_params)))

    # --- supply side ---

    def supply(
        self,
        market_params: MarketParams,
        assets: int,
        shares: int,
        on_behalf: Address,
        *,
        sender: Address,
    ) -> tuple[int, int]:
        """Supply `assets` (or mint `shares`) for `on_behalf`, paid by `sender`."""
        return transact(self.atomic, self._supply, market_params, assets, shares, on_behalf, sender)

    def _supply(
        self, mp: MarketParams, assets: int, shares: int, on_behalf: Address, sender: Address
    ) -> tuple[int, int]:
        id_ = self._created(mp)
        self._exactly_one(assets, shares, "assets", "shares")
        self._nonzero_address(on_behalf, "on_behalf")
        self._accrue(mp, id_)
        m = self._markets[id_]
        if assets > 0:
            shares = to_shares_down(assets, m.total_supply_assets, m.total_supply_shares)
        else:
            assets = to_assets_up(shares, m.total_supply_assets, m.total_supply_shares)
        p = self.position(id_, on_behalf)
        supply_shares = p.supply_shares + shares
        if supply_shares > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="supply", a=p.supply_shares, b=shares)
        self._set_position(id_, on_behalf, supply_shares=supply_shares)
        self._set_market(
            id_,
            total_supply_shares=add_u128(m.total_supply_shares, shares, "supply"),
            total_supply_assets=add_u128(m.total_supply_assets, assets, "supply"),
        )
        self._pull(mp.loan_token, sender, assets)
        return assets, shares

    def withdraw(
        self,
        market_params: MarketParams,
        assets: int,
        shares: int,
        on_behalf: Address,
        receiver: Address,
        *,
        sender: Address,
    ) -> tuple[int, int]:
        """Withdraw `assets` (or burn `shares`) of `on_behalf`'s supply to `receiver`."""
        return transact(
            self.atomic,
            self._withdraw,
            market_params,
            assets,
            shares,
            on_behalf,
            receiver,
            sender=sender,
        )

    def _withdraw(
        self,
        mp: MarketParams,
        assets: int,
        shares: int,
        on_behalf: Address,
        receiver: Address,
        *,
        sender: Address,
    ) -> tuple[int, int]:
        id_ = self._created(mp)
        self._exactly_one(assets, shares, "assets", "shares")
        self._nonzero_address(receiver, "receiver")
        self._check_authorized(on_behalf, sender)
        self._accrue(mp, id_)
        m = self._markets[id_]
        if assets > 0:
            shares = to_shares_up(assets, m.total_supply_assets, m.total_supply_shares)
        else:
            assets = to_assets_down(shares, m.total_supply_assets, m.total_supply_shares)
        p = self.position(id_, on_behalf)
        self._set_position(
            id_, on_behalf, supply_shares=checked_sub(p.supply_shares, shares, "withdraw")
        )
        m = self._set_market(
            id_,
            total_supply_shares=checked_sub(m.total_supply_shares, to_uint128(shares), "withdraw"),
            total_supply_assets=checked_sub(m.total_supply_assets, to_uint128(assets), "withdraw"),
        )
        self._check_liquidity(m)
        self._pay(mp.loan_token, receiver, assets)
        return assets, shares

    # --- borrow side ---

    def borrow(
        self,
        market_params: MarketParams,
        assets: int,
        shares: int,
        on_behalf: Address,
        receiver: Address,
        *,
        sender: Address,
    ) -> tuple[int, int]:
        """Borrow `assets` (or `shares` of debt) against `on_behalf`'s collateral."""
        return transact(
            self.atomic,
            self._borrow,
            market_params,
            assets,
            shares,
            on_behalf,
            receiver,
            sender=sender,
        )

    def _borrow(
        self,
        mp: MarketParams,
        assets: int,
        shares: int,
        on_behalf: Address,
        receiver: Address,
        *,
        sender: Address,
    ) -> tuple[int, int]:
        id_ = self._created(mp)
        self._exactly_one(assets, shares, "assets", "shares")
        self._nonzero_address(receiver, "receiver")
        self._check_authorized(on_behalf, sender)
        self._accrue(mp, id_)
        m = self._markets[id_]
        if assets > 0:
            shares = to_shares_up(assets, m.total_borrow_assets, m.total_borrow_shares)
        else:
            assets = to_assets_down(shares, m.total_borrow_assets, m.total_borrow_shares)
        p = self.position(id_, on_behalf)
        self._set_position(
            id_, on_behalf, borrow_shares=add_u128(p.borrow_shares, shares, "borrow")
        )
        m = self._set_market(
            id_,
            total_borrow_shares=add_u128(m.total_borrow_shares, shares, "borrow"),
            total_borrow_assets=add_u128(m.total_borrow_assets, assets, "borrow"),
        )
        if not self._is_healthy(mp, id_, on_behalf):
            raise _err(
                ErrorCode.MORPHO_INSUFFICIENT_COLLATERAL,
                "insufficient collateral",
                borrower=on_behalf,
            )
        self._check_liquidity(m)
        self._pay(mp.loan_token, receiver, assets)
        return assets, shares

    def repay(
        self,
        market_params: MarketParams,
        assets: int,
        shares: int,
        on_behalf: Address,
        *,
        sender: Address,
    ) -> tuple[int, int]:
        """Repay `assets` (or `shares` of debt) of `on_behalf`, paid by `sender`."""
        return transact(self.atomic, self._repay, market_params, assets, shares, on_behalf, sender)

    def _repay(
        self, mp: MarketParams, assets: int, shares: int, on_behalf: Address, sender: Address
    ) -> tuple[int, int]:
        id_ = self._created(mp)
        self._exactly_one(assets, shares, "assets", "shares")
        self._nonzero_address(on_behalf, "on_behalf")
        self._accrue(mp, id_)
        m = self._markets[id_]
        if assets > 0:
            shares = to_shares_down(assets, m.total_borrow_assets, m.total_borrow_shares)
        else:
            assets = to_assets_up(shares, m.total_borrow_assets, m.total_borrow_shares)
        p = self.position(id_, on_behalf)
        self._set_position(
            id_, on_behalf, borrow_shares=checked_sub(p.borrow_shares, to_uint128(shares), "repay")
        )
        self._set_market(
            id_,
            total_borrow_shares=checked_sub(m.total_borrow_shares, to_uint128(shares), "repay"),
            # `assets` may exceed the total borrow by 1.
            total_borrow_assets=to_uint128(zero_floor_sub(m.total_borrow_assets, assets)),
        )
        self._pull(mp.loan_token, sender, assets)
        return assets, shares

    # --- collateral ---

    def supply_collateral(
        self, market_params: MarketParams, assets: int, on_behalf: Address, *, sender: Address
    ) -> None:
        """Add `assets` of collateral to `on_behalf`'s position (no accrual)."""
        transact(self.atomic, self._supply_collateral, market_params, assets, on_behalf, sender)

    def _supply_collateral(
        self, mp: MarketParams, assets: int, on_behalf: Address, sender: Address
    ) -> None:
        id_ = self._created(mp)
        self._nonzero_assets(assets)
        self._nonzero_address(on_behalf, "on_behalf")
        p = self.position(id_, on_behalf)
        self._set_position(
            id_, on_behalf, collateral=add_u128(p.collateral, assets, "supplyCollateral")
        )
        self._pull(mp.collateral_token, sender, assets)

    def withdraw_collateral(
        self,
        market_params: MarketParams,
        assets: int,
        on_behalf: Address,
        receiver: Address,
        *,
        sender: Address,
    ) -> None:
        """Take `assets` of `on_behalf`'s collateral to `receiver`, if it stays healthy."""
        transact(
            self.atomic,
            self._withdraw_collateral,
            market_params,
            assets,
            on_behalf,
            receiver,
            sender,
        )

    def _withdraw_collateral(
        self, mp: MarketParams, assets: int, on_behalf: Address, receiver: Address, sender: Address
    ) -> None:
        id_ = self._created(mp)
        self._nonzero_assets(assets)
        self._nonzero_address(receiver, "receiver")
        self._check_authorized(on_behalf, sender)
        self._accrue(mp, id_)
        p = self.position(id_, on_behalf)
        self._set_position(
            id_,
            on_behalf,
            collateral=checked_sub(p.collateral, to_uint128(assets), "withdrawCollateral"),
        )
        if not self._is_healthy(mp, id_, on_behalf):
            raise _err(
                ErrorCode.MORPHO_INSUFFICIENT_COLLATERAL,
                "insufficient collateral",
                borrower=on_behalf,
            )
        self._pay(mp.collateral_token, receiver, assets)
