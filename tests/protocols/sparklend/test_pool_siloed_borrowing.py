"""Port of aave-v3-core `test-suites/siloed-borrowing.spec.ts` on a DAI / USDC / WETH market.

The upstream test environment (its oracle prices and reserve parameters) is not reproduced:
every expectation in that suite is a revert reason or a debt "close to" the borrowed amount,
and holds for any market where 1 WETH of collateral covers the small borrows it makes. Here
WETH is 2,000 USD with LTV 80%, DAI and USDC 1 USD.
"""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.rate_strategies import VariableBorrowInterestRateStrategy

from .sparklend_test_base import ETHER, SparkLendTestBase

MAX = 2**256 - 1


class SiloedMarket(SparkLendTestBase):
    def __init__(self) -> None:
        super().__init__()
        strategy = VariableBorrowInterestRateStrategy(
            optimal_usage_ratio=8 * RAY // 10,
            base_variable_borrow_rate=0,
            variable_rate_slope1=4 * RAY // 100,
            variable_rate_slope2=75 * RAY // 100,
        )
        self.dai = self._listed("DAI", 18, 10**8, strategy)
        self.usdc = self._listed("USDC", 6, 10**8, strategy)
        self.weth = self._listed("WETH", 18, 2_000 * 10**8, strategy)
        self.configurator.configure_reserve_as_collateral(self.weth.address, 80_00, 82_50, 105_00)
        self.users = [make_addr(f"user{i}") for i in range(2)]

    def _listed(self, symbol: str, decimals: int, price: int, strategy) -> Erc20:
        token = self.registry.register(Erc20(make_addr(f"token/{symbol}"), symbol, decimals))
        self.configurator.init_reserve(token, strategy)
        self.configurator.set_reserve_borrowing(token.address, True)
        self.oracle.set_asset_price(token.address, price)
        return token

    def fund_and_supply(self, user_index: int, token: Erc20, amount: int) -> None:
        user = self.users[user_index]
        token.mint(user, amount)
        token.approve(self.pool.address, MAX, sender=user)
        self.skip(1)  # each transaction in its own block, views read the latest one
        self.pool.supply(token.address, amount, user, 0, sender=user)

    def borrow_as(self, user_index: int, token: Erc20, amount: int) -> None:
        user = self.users[user_index]
        self.skip(1)
        self.pool.borrow(token.address, amount, 2, 0, user, sender=user)


def test_siloed_borrowing():
    m = SiloedMarket()
    user1 = m.users[1]
    # Configure DAI as a siloed borrowing asset.
    m.configurator.set_siloed_borrowing(m.dai.address, True)
    assert m.pool.get_configuration(m.dai.address).get_siloed_borrowing()

    # User 0 supplies DAI, user 1 supplies WETH and borrows DAI.
    m.fund_and_supply(0, m.dai, 1000 * ETHER)
    m.fund_and_supply(1, m.weth, ETHER)
    m.borrow_as(1, m.dai, 10 * ETHER)
    assert abs(m.debt_token_of(m.dai.address).balance_of(user1) - 10 * ETHER) <= 2

    # User 0 supplies USDC; user 1 cannot borrow it.
    m.fund_and_supply(0, m.usdc, 1000 * 10**6)
    with pytest.raises(ProtocolError, match=ErrorCode.SILOED_BORROWING_VIOLATION.name):
        m.borrow_as(1, m.usdc, 10**6)

    # User 1 repays DAI, then borrows USDC.
    m.dai.mint(user1, 1000 * ETHER)
    m.dai.approve(m.pool.address, MAX, sender=user1)
    m.pool.repay(m.dai.address, MAX, 2, user1, sender=user1)
    m.borrow_as(1, m.usdc, 100 * 10**6)

    # User 1 cannot borrow the siloed DAI beside USDC.
    with pytest.raises(ProtocolError, match=ErrorCode.SILOED_BORROWING_VIOLATION.name):
        m.borrow_as(1, m.dai, ETHER)

    # User 1 borrows WETH too, and still cannot borrow DAI.
    m.borrow_as(1, m.weth, ETHER // 100)
    with pytest.raises(ProtocolError, match=ErrorCode.SILOED_BORROWING_VIOLATION.name):
        m.borrow_as(1, m.dai, ETHER)

    # User 1 repays USDC and WETH; USDC becomes siloed too.
    m.usdc.mint(user1, 1000 * 10**6)
    m.usdc.approve(m.pool.address, MAX, sender=user1)
    m.pool.repay(m.usdc.address, MAX, 2, user1, sender=user1)
    m.weth.mint(user1, ETHER)
    m.pool.repay(m.weth.address, MAX, 2, user1, sender=user1)
    m.configurator.set_siloed_borrowing(m.usdc.address, True)
    assert m.pool.get_configuration(m.usdc.address).get_siloed_borrowing()

    # User 1 borrows DAI and then cannot borrow USDC.
    m.borrow_as(1, m.dai, ETHER)
    with pytest.raises(ProtocolError, match=ErrorCode.SILOED_BORROWING_VIOLATION.name):
        m.borrow_as(1, m.usdc, 10**6)

    # User 1 borrows more DAI.
    debt_before = m.debt_token_of(m.dai.address).balance_of(user1)
    m.borrow_as(1, m.dai, ETHER)
    debt_after = m.debt_token_of(m.dai.address).balance_of(user1)
    assert abs(debt_after - (debt_before + ETHER)) <= 10_000_000  # interest over the blocks
