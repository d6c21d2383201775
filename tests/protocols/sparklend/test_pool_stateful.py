"""Random supply / withdraw / borrow / repay / transfer / donate / warp sequences against the
Pool, with the accounting invariants checked after every step.

Three reserves (18, 6 and 8 decimals, different prices), four users and the treasury. After
each step:

1. per token, the users' scaled balances (treasury included) sum to the scaled total supply
   (aTokens and variable debt tokens);
2. liquidity and variable borrow indexes never decrease;
3. solvency, up to rounding: with S the aToken scaled supply, A `accrued_to_treasury`, I and
   J the normalized income and debt now, C the aToken's underlying balance and D the
   scaled variable debt,

       rayMul(S + A, I) <= C + rayMul(D, J) + E

   where E is the rounding budget: every scaled conversion of an action (a mint, a burn, the
   treasury accrual or mint) moves the exact value sum(S+A)*I - D*J - C by at most
   max(I, J) / (2 RAY) in favour of suppliers, and the final two rayMul roundings add at
   most 1. The test adds `max(I, J) // RAY + 1` to E per successful action. Interest
   itself cannot break it: suppliers accrue linearly at `liquidity_rate = variable_rate *
   usage * (1 - RF)` while the debt compounds at `variable_rate` and the reserve factor's
   share goes to A.
4. a user's health factor is >= 1 right after their own successful borrow or withdraw.
   SparkLend v1.0.0 checks HF >= 1 after a withdraw; before a borrow it checks HF > 1 and the
   new debt against the LTV, and has no check after it, so with LTV == liquidation threshold
   half-up rounding could leave HF a hair under 1. The reserves here use LTV 75% < LT 80%.
5. an action the Pool rejects leaves `state_hash()` unchanged.

Both rounding modes run (`PoolMachine`, `DirectedPoolMachine`).

SPARKPRIME_FUZZ=N runs N times the examples.
"""

from __future__ import annotations

import os
from typing import Final

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ProtocolError
from sparkprime.core.fixed import RAY, ray_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.acl import Acl
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.rate_strategies import VariableBorrowInterestRateStrategy
from sparkprime.protocols.sparklend.rounding import RoundingMode

from .sparklend_test_base import Configurator

FUZZ: Final = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
MAX_UINT256: Final = 2**256 - 1
USERS: Final = tuple(make_addr(f"stateful/user{i}") for i in range(4))
TREASURY: Final = make_addr("stateful/treasury")
# (symbol, decimals, price in USD with 8 decimals)
RESERVES: Final = (("WETH", 18, 3_000 * 10**8), ("USDC", 6, 10**8), ("WBTC", 8, 60_000 * 10**8))

user_idx = st.integers(0, len(USERS) - 1)
reserve_idx = st.integers(0, len(RESERVES) - 1)
# A fraction of what the action can take, in 1/1000: above 1000 asks for too much.
fraction = st.integers(0, 1_100)


class PoolMachine(RuleBasedStateMachine):
    ROUNDING = RoundingMode.HALF_UP_V1

    @initialize()
    def start(self) -> None:
        self.clock = Clock(1_700_000_000)
        self.registry = TokenRegistry()
        self.oracle = SimplePriceOracle()
        admin = make_addr("stateful/admin")
        configurator = make_addr("stateful/configurator")
        self.pool = Pool(
            address=make_addr("stateful/pool"),
            clock=self.clock,
            oracle=self.oracle,
            acl=Acl(admin=admin),
            configurator=configurator,
            registry=self.registry,
            rounding_mode=self.ROUNDING,
        )
        conf = Configurator(self.pool, configurator, TREASURY, reserve_factor=10_00)
        self.assets: list[Address] = []
        self.tokens: list[Erc20] = []
        for symbol, decimals, price in RESERVES:
            token = self.registry.register(Erc20(make_addr(f"stateful/{symbol}"), symbol, decimals))
            strategy = VariableBorrowInterestRateStrategy(
                optimal_usage_ratio=8 * RAY // 10,
                base_variable_borrow_rate=RAY // 100,
                variable_rate_slope1=4 * RAY // 100,
                variable_rate_slope2=RAY,
            )
            conf.init_reserve(token, strategy)
            conf.configure_reserve_as_collateral(token.address, 75_00, 80_00, 105_00)
            conf.set_reserve_borrowing(token.address, True)
            self.oracle.set_asset_price(token.address, price)
            self.assets.append(token.address)
            self.tokens.append(token)
        self.budget = dict.fromkeys(self.assets, 1)
        self.indexes = dict.fromkeys(self.assets, (RAY, RAY))

    # --- helpers ---

    def _unit(self, r: int) -> int:
        return 10 ** RESERVES[r][1]

    def _attempt(self, name: str, asset: Address | None, action) -> bool:
        """Run `action`; a rejection must leave the state hash unchanged."""
        before = self.pool.state_hash()
        try:
            action()
        except ProtocolError as err:
            event(f"{name}: {err.code.name}")
            assert self.pool.state_hash() == before, "a rejected action changed the state"
            return False
        event(f"{name}: ok")
        for a in self.assets if asset is None else [asset]:
            income = self.pool.get_reserve_normalized_income(a)
            debt = self.pool.get_reserve_normalized_variable_debt(a)
            self.budget[a] += max(income, debt) // RAY + 1
        return True

    def _assert_healthy(self, user: Address) -> None:
        assert self.pool.get_user_account_data(user).health_factor >= 10**18

    # --- rules ---

    @rule(u=user_idx, r=reserve_idx, whole=st.integers(1, 1_000_000), frac=fraction)
    def supply(self, u: int, r: int, whole: int, frac: int) -> None:
        user, token = USERS[u], self.tokens[r]
        amount = whole * self._unit(r) * frac // 1000
        token.mint(user, amount)
        token.approve(self.pool.address, amount, sender=user)
        self._attempt(
            "supply",
            token.address,
            lambda: self.pool.supply(token.address, amount, user, 0, sender=user),
        )

    @rule(u=user_idx, r=reserve_idx, frac=fraction, everything=st.booleans())
    def withdraw(self, u: int, r: int, frac: int, everything: bool) -> None:
        user, asset = USERS[u], self.assets[r]
        amount = (
            MAX_UINT256 if everything else self.pool.a_token(asset).balance_of(user) * frac // 1000
        )
        if self._attempt(
            "withdraw", asset, lambda: self.pool.withdraw(asset, amount, user, sender=user)
        ):
            self._assert_healthy(user)

    @rule(u=user_idx, r=reserve_idx, frac=fraction)
    def borrow(self, u: int, r: int, frac: int) -> None:
        user, asset = USERS[u], self.assets[r]
        data = self.pool.get_user_account_data(user)
        price = self.oracle.get_asset_price(asset)
        cash = self.tokens[r].balance_of(self.pool.a_token(asset).address)
        amount = min(data.available_borrows_base * self._unit(r) // price, cash) * frac // 1000
        if self._attempt(
            "borrow", asset, lambda: self.pool.borrow(asset, amount, 2, 0, user, sender=user)
        ):
            self._assert_healthy(user)

    def _debtor(self, k: int) -> tuple[int, int]:
        """The k-th (user, reserve) with debt, wrapping around; (k % users, k % reserves) if
        nobody owes anything."""
        pairs = [
            (u, r)
            for u in range(len(USERS))
            for r in range(len(RESERVES))
            if self.pool.variable_debt_token(self.assets[r]).scaled_balance_of(USERS[u])
        ]
        return pairs[k % len(pairs)] if pairs else (k % len(USERS), k % len(RESERVES))

    @rule(k=st.integers(0, 11), frac=fraction, everything=st.booleans())
    def repay(self, k: int, frac: int, everything: bool) -> None:
        u, r = self._debtor(k)
        user, token = USERS[u], self.tokens[r]
        debt = self.pool.variable_debt_token(token.address).balance_of(user)
        amount = MAX_UINT256 if everything else debt * frac // 1000
        token.mint(user, debt + 1)
        token.approve(self.pool.address, MAX_UINT256, sender=user)
        self._attempt(
            "repay",
            token.address,
            lambda: self.pool.repay(token.address, amount, 2, user, sender=user),
        )

    @rule(k=st.integers(0, 11), frac=fraction)
    def repay_with_a_tokens(self, k: int, frac: int) -> None:
        u, r = self._debtor(k)
        user, asset = USERS[u], self.assets[r]
        amount = self.pool.variable_debt_token(asset).balance_of(user) * frac // 1000
        self._attempt(
            "repay_with_a_tokens",
            asset,
            lambda: self.pool.repay_with_a_tokens(asset, amount, 2, sender=user),
        )

    @rule(u=user_idx, r=reserve_idx, use=st.booleans())
    def set_collateral(self, u: int, r: int, use: bool) -> None:
        user, asset = USERS[u], self.assets[r]
        self._attempt(
            "set_collateral",
            asset,
            lambda: self.pool.set_user_use_reserve_as_collateral(asset, use, sender=user),
        )

    @rule(u=user_idx, v=user_idx, r=reserve_idx, frac=fraction)
    def transfer(self, u: int, v: int, r: int, frac: int) -> None:
        user, to, asset = USERS[u], USERS[v], self.assets[r]
        a_token = self.pool.a_token(asset)
        amount = a_token.balance_of(user) * frac // 1000
        self._attempt("transfer", asset, lambda: a_token.transfer(to, amount, sender=user))

    @rule(r=reserve_idx, whole=st.integers(0, 1_000))
    def donate(self, r: int, whole: int) -> None:
        token = self.tokens[r]
        token.mint(self.pool.a_token(token.address).address, whole * self._unit(r))

    @rule()
    def mint_to_treasury(self) -> None:
        self._attempt("mint_to_treasury", None, lambda: self.pool.mint_to_treasury(self.assets))

    @rule(seconds=st.integers(0, 60 * 86400))
    def warp(self, seconds: int) -> None:
        self.clock.skip(seconds)

    # --- invariants ---

    @invariant()
    def scaled_balances_add_up(self) -> None:
        for asset in self.assets:
            for token in (self.pool.a_token(asset), self.pool.variable_debt_token(asset)):
                assert sum(token.scaled_balances().values()) == token.scaled_total_supply()

    @invariant()
    def indexes_never_decrease(self) -> None:
        for asset in self.assets:
            data = self.pool.get_reserve_data(asset)
            previous_liquidity, previous_variable = self.indexes[asset]
            assert data.liquidity_index >= previous_liquidity
            assert data.variable_borrow_index >= previous_variable
            assert self.pool.get_reserve_normalized_income(asset) >= data.liquidity_index
            assert (
                self.pool.get_reserve_normalized_variable_debt(asset) >= data.variable_borrow_index
            )
            self.indexes[asset] = (data.liquidity_index, data.variable_borrow_index)

    @invariant()
    def solvent_up_to_rounding(self) -> None:
        for asset, token in zip(self.assets, self.tokens, strict=True):
            a_token = self.pool.a_token(asset)
            data = self.pool.get_reserve_data(asset)
            claims = ray_mul(
                a_token.scaled_total_supply() + data.accrued_to_treasury,
                self.pool.get_reserve_normalized_income(asset),
            )
            cash = token.balance_of(a_token.address)
            debt = ray_mul(
                self.pool.variable_debt_token(asset).scaled_total_supply(),
                self.pool.get_reserve_normalized_variable_debt(asset),
            )
            assert claims <= cash + debt + self.budget[asset], (claims, cash, debt)


class DirectedPoolMachine(PoolMachine):
    """The same sequences under the rounding-mitigation upgrade's rounding."""

    ROUNDING = RoundingMode.DIRECTED


_SETTINGS = settings(
    max_examples=50 * FUZZ,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PoolMachine.TestCase.settings = _SETTINGS
DirectedPoolMachine.TestCase.settings = _SETTINGS
test_pool_stateful = PoolMachine.TestCase
test_pool_stateful_directed = DirectedPoolMachine.TestCase
