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

import dataclasses
from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.morpho.market_math import (
    MAX_FEE,
    ORACLE_PRICE_SCALE,
    WAD,
    Market,
    MarketId,
    MarketParams,
    add_u128,
    checked_sub,
    exactly_one_zero,
    liquidation_incentive_factor,
    market_id,
    mul_div_down,
    mul_div_up,
    to_assets_down,
    to_assets_up,
    to_shares_down,
    to_shares_up,
    to_uint128,
    w_div_up,
    w_mul_down,
    w_taylor_compounded,
    zero_floor_sub,
)
from sparkprime.protocols.morpho.market_views import MarketViews, Oracle
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["MORPHO_ADDRESS", "ZERO_ADDRESS", "MarketParams", "Morpho", "Oracle"]

MORPHO_ADDRESS: Final = Address("0xbbbbbbbbbb9cc5e90e3b3af64bdaf62c37eeffcb")


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class Morpho(MarketViews):
    """The Morpho Blue singleton of one chain."""

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

    # --- owner ---

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

    def _only_owner(self, sender: Address) -> None:
        if sender != self._s["owner"]:
            raise _err(ErrorCode.MORPHO_NOT_OWNER, "not owner", sender=sender)

    def set_owner(self, new_owner: Address, *, sender: Address) -> None:
        """Hand over ownership (no two-step)."""
        self._only_owner(sender)
        if new_owner == self._s["owner"]:
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="owner")
        self.atomic.set_item(self._s, "owner", new_owner)

    def enable_irm(self, irm: Address, *, sender: Address) -> None:
        """Allow markets with `irm` (cannot be undone)."""
        self._only_owner(sender)
        if self.is_irm_enabled(irm):
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="irm")
        self.atomic.set_item(self._irm_enabled, irm, True)

    def enable_lltv(self, lltv: int, *, sender: Address) -> None:
        """Allow markets with `lltv` (< WAD; cannot be undone)."""
        self._only_owner(sender)
        lltv = check_uint256(lltv, field="lltv")
        if self.is_lltv_enabled(lltv):
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="lltv")
        if lltv >= WAD:
            raise _err(ErrorCode.MORPHO_MAX_LLTV_EXCEEDED, "max LLTV exceeded", lltv=lltv)
        self.atomic.set_item(self._lltv_enabled, lltv, True)

    def set_fee(self, market_params: MarketParams, new_fee: int, *, sender: Address) -> None:
        """Set the market's fee (<= 25%), accruing with the old fee first."""
        transact(self.atomic, self._set_fee, market_params, new_fee, sender)

    def _set_fee(self, mp: MarketParams, new_fee: int, sender: Address) -> None:
        self._only_owner(sender)
        id_ = self._created(mp)
        new_fee = check_uint256(new_fee, field="new_fee")
        if new_fee == self._markets[id_].fee:
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="fee")
        if new_fee > MAX_FEE:
            raise _err(
                ErrorCode.MORPHO_MAX_FEE_EXCEEDED, "max fee exceeded", fee=new_fee, max_fee=MAX_FEE
            )
        self._accrue(mp, id_)
        self._set_market(id_, fee=new_fee)

    def set_fee_recipient(self, new_fee_recipient: Address, *, sender: Address) -> None:
        """Set who receives the fee shares (they are not moved)."""
        self._only_owner(sender)
        if new_fee_recipient == self._s["fee_recipient"]:
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="fee recipient")
        self.atomic.set_item(self._s, "fee_recipient", new_fee_recipient)

    def set_authorization(
        self, authorized: Address, new_is_authorized: bool, *, sender: Address
    ) -> None:
        """Let `authorized` withdraw, borrow and withdraw collateral for `sender`."""
        if new_is_authorized == self.is_authorized(sender, authorized):
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="authorization")
        self.atomic.set_item(self._authorized, (sender, authorized), new_is_authorized)

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
        if self._markets.get(id_, _EMPTY).last_update != 0:
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

    # --- liquidation ---

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


_EMPTY: Final = Market()
