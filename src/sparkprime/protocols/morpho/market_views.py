"""Morpho Blue's storage, its getters and the periphery views of `MorphoBalancesLib`.

`expected_market_balances` is morpho-blue `src/libraries/periphery/MorphoBalancesLib.sol`
(v1.0): the market's totals as an accrual now would leave them, without writing (the IRM's
`borrow_rate_view`, skipped when nothing elapsed, nothing is borrowed or the IRM is zero).
`expected_supply_assets` rounds down, `expected_borrow_assets` up; both ignore the fee
shares an accrual would mint (the library's documented caveat for the fee recipient).

`borrow_rate_view` and `supply_rate_view` are per-second WAD rates a planner can read:
supply rate = borrow rate * utilization * (1 - fee), each product rounded down.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> MarketViews(Clock(0)).market(MarketId("0x" + "00" * 32)).last_update
    0
"""

from __future__ import annotations

from typing import Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.morpho.irm import Irm
from sparkprime.protocols.morpho.market_math import (
    WAD,
    Market,
    MarketId,
    MarketParams,
    Position,
    market_id,
    to_assets_down,
    to_assets_up,
    to_shares_down,
    w_div_down,
    w_mul_down,
    w_taylor_compounded,
)
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS

__all__ = ["MarketViews", "Oracle"]

_NO_POSITION = Position()
_NO_MARKET = Market()


class Oracle(Protocol):
    """`IOracle`: the price of 1 collateral unit in loan units, scaled by 1e36."""

    @property
    def address(self) -> Address:
        """Where the oracle is deployed."""
        ...

    def price(self) -> int:
        """Collateral price quoted in the loan token, scaled by 1e36."""
        ...


class MarketViews:
    """Morpho's per-market storage and read-only functions."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._markets: dict[MarketId, Market] = {}
        self._params: dict[MarketId, MarketParams] = {}
        self._positions: dict[tuple[MarketId, Address], Position] = {}
        self._irms: dict[Address, Irm] = {}
        self._oracles: dict[Address, Oracle] = {}

    # --- deployment (not a contract call) ---

    def register_irm(self, irm: Irm) -> None:
        """Make `irm` reachable at its address (its deployment)."""
        self._irms[irm.address] = irm

    def register_oracle(self, oracle: Oracle) -> None:
        """Make `oracle` reachable at its address (its deployment)."""
        self._oracles[oracle.address] = oracle

    def irm_at(self, address: Address) -> Irm:
        """The IRM deployed at `address`."""
        irm = self._irms.get(address)
        if irm is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="irm", value=address, reason="no IRM at address"
            )
        return irm

    def oracle_at(self, address: Address) -> Oracle:
        """The oracle deployed at `address`."""
        oracle = self._oracles.get(address)
        if oracle is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="oracle", value=address, reason="no oracle at address"
            )
        return oracle

    # --- getters ---

    def market(self, id_: MarketId) -> Market:
        """`market(id)`: the stored totals (all zero for a market never created)."""
        return self._markets.get(id_, _NO_MARKET)

    def position(self, id_: MarketId, user: Address) -> Position:
        """`position(id, user)`."""
        return self._positions.get((id_, user), _NO_POSITION)

    def id_to_market_params(self, id_: MarketId) -> MarketParams:
        """`idToMarketParams(id)` for a created market."""
        params = self._params.get(id_)
        if params is None:
            raise ProtocolError(
                ErrorCode.MORPHO_MARKET_NOT_CREATED, id=id_, reason="market not created"
            )
        return params

    def market_ids(self) -> list[MarketId]:
        """Every created market, in creation order."""
        return list(self._params)

    # --- MorphoBalancesLib ---

    def expected_market_balances(self, market_params: MarketParams) -> Market:
        """The market as an accrual now would leave it (only totals and shares change)."""
        id_ = market_id(market_params)
        m = self.market(id_)
        elapsed = self.clock.now - m.last_update
        if elapsed == 0 or m.total_borrow_assets == 0 or market_params.irm == ZERO_ADDRESS:
            return m
        rate = self.irm_at(market_params.irm).borrow_rate_view(market_params, m)
        interest = w_mul_down(m.total_borrow_assets, w_taylor_compounded(rate, elapsed))
        supply_assets = m.total_supply_assets + interest
        supply_shares = m.total_supply_shares
        if m.fee != 0:
            fee_amount = w_mul_down(interest, m.fee)
            supply_shares += to_shares_down(fee_amount, supply_assets - fee_amount, supply_shares)
        return Market(
            total_supply_assets=supply_assets,
            total_supply_shares=supply_shares,
            total_borrow_assets=m.total_borrow_assets + interest,
            total_borrow_shares=m.total_borrow_shares,
            last_update=self.clock.now,
            fee=m.fee,
        )

    def expected_total_supply_assets(self, market_params: MarketParams) -> int:
        """Total supply assets after an accrual now."""
        return self.expected_market_balances(market_params).total_supply_assets

    def expected_total_borrow_assets(self, market_params: MarketParams) -> int:
        """Total borrow assets after an accrual now."""
        return self.expected_market_balances(market_params).total_borrow_assets

    def expected_supply_assets(self, market_params: MarketParams, user: Address) -> int:
        """`user`'s supply in assets after an accrual now (rounded down)."""
        m = self.expected_market_balances(market_params)
        shares = self.position(market_id(market_params), user).supply_shares
        return to_assets_down(shares, m.total_supply_assets, m.total_supply_shares)

    def expected_borrow_assets(self, market_params: MarketParams, user: Address) -> int:
        """`user`'s debt in assets after an accrual now (rounded up)."""
        m = self.expected_market_balances(market_params)
        shares = self.position(market_id(market_params), user).borrow_shares
        return to_assets_up(shares, m.total_borrow_assets, m.total_borrow_shares)

    # --- rates (planner helpers, not in the contract) ---

    def borrow_rate_view(self, market_params: MarketParams) -> int:
        """The per-second borrow rate (WAD) an accrual now would use (0 for the zero IRM)."""
        if market_params.irm == ZERO_ADDRESS:
            return 0
        m = self.market(market_id(market_params))
        return self.irm_at(market_params.irm).borrow_rate_view(market_params, m)

    def supply_rate_view(self, market_params: MarketParams) -> int:
        """Per-second supply rate (WAD): borrow rate * utilization * (1 - fee)."""
        m = self.expected_market_balances(market_params)
        if m.total_supply_assets == 0:
            return 0
        utilization = w_div_down(m.total_borrow_assets, m.total_supply_assets)
        gross = w_mul_down(self.borrow_rate_view(market_params), utilization)
        return w_mul_down(gross, WAD - m.fee)
