"""D3M plans: how much the hub should have deposited (makerdao/dss-direct-deposit).

- `D3MOperatorPlan` (`src/plans/D3MOperatorPlan.sol`, 0b6de361): an operator sets the target.
- `D3MAaveTypeBufferPlan` (`src/plans/D3MAaveTypeBufferPlan.sol`, 9c43831d): keep `buffer` DAI
  available to borrow in the market: target = current + (buffer - liquidity), floored at 0.
- `D3MAaveRateTargetPlan` (`src/plans/D3MAaveV2TypeRateTargetPlan.sol`, 1875b867): keep the
  market's variable borrow rate at `bar` by inverting the two-slope strategy (`tack`):

      util = rdiv(rmul(bar - base, OPTIMAL), slope1)                     below the kink
      util = rdiv(rmul(EXCESS, bar - base - slope1), slope2) + OPTIMAL    above it
      target pool size = rdiv(total debt, util);  0 if bar <= base or bar > max rate

  The contract reads Aave v2's `OPTIMAL_UTILIZATION_RATE` / `EXCESS_UTILIZATION_RATE`; on
  SparkLend (Aave v3) the same numbers are `OPTIMAL_USAGE_RATIO` / `MAX_EXCESS_USAGE_RATIO`,
  which is the only change. Pool size = DAI held by the aToken + stable + variable debt.

Example:
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> gov, op = make_addr("gov"), make_addr("operator")
    >>> plan = D3MOperatorPlan(sender=gov)
    >>> plan.file_operator(op, sender=gov)
    >>> plan.set_target_assets(5 * 10**24, sender=op)
    >>> plan.get_target_assets(0), plan.active()
    (5000000000000000000000000, True)
"""

from __future__ import annotations

from typing import Final, Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.pool import Pool

__all__ = [
    "D3MAaveRateTargetPlan",
    "D3MAaveTypeBufferPlan",
    "D3MOperatorPlan",
    "TwoSlopeStrategy",
    "target_supply",
]


class TwoSlopeStrategy(Protocol):
    """The getters of an Aave v3 two-slope strategy the rate-target plan inverts."""

    @property
    def OPTIMAL_USAGE_RATIO(self) -> int: ...  # noqa: N802 - the contract's name

    @property
    def MAX_EXCESS_USAGE_RATIO(self) -> int: ...  # noqa: N802

    def get_base_variable_borrow_rate(self) -> int: ...

    def get_variable_rate_slope1(self) -> int: ...

    def get_variable_rate_slope2(self) -> int: ...

    def get_max_variable_borrow_rate(self) -> int: ...


def _rmul(x: int, y: int) -> int:
    return x * y // RAY


def _rdiv(x: int, y: int) -> int:
    return x * RAY // y


def target_supply(tack: TwoSlopeStrategy, target_rate_ray: int, total_debt: int) -> int:
    """`_calculateTargetSupply`: the pool size at which the borrow rate is the target."""
    base = tack.get_base_variable_borrow_rate()
    if target_rate_ray <= base or target_rate_ray > tack.get_max_variable_borrow_rate():
        return 0
    slope1 = tack.get_variable_rate_slope1()
    if target_rate_ray > base + slope1:
        excess = target_rate_ray - base - slope1
        util = (
            _rdiv(_rmul(tack.MAX_EXCESS_USAGE_RATIO, excess), tack.get_variable_rate_slope2())
            + tack.OPTIMAL_USAGE_RATIO
        )
    else:
        util = _rdiv(_rmul(target_rate_ray - base, tack.OPTIMAL_USAGE_RATIO), slope1)
    return _rdiv(total_debt, util)


def _toward(current_assets: int, wanted: int, have: int) -> int:
    """current + (wanted - have), or current - (have - wanted) floored at 0."""
    if wanted >= have:
        return current_assets + (wanted - have)
    return max(current_assets - (have - wanted), 0)


class _Wards:
    __slots__ = ("_name", "_wards")

    def __init__(self, name: str, sender: Address) -> None:
        self._name = name
        self._wards: dict[Address, int] = {sender: 1}

    def _auth(self, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1:
            raise ProtocolError(
                ErrorCode.D3M_NOT_AUTHORIZED,
                contract=self._name,
                reason=f"{self._name}/not-authorized",
            )

    def rely(self, usr: Address, *, sender: Address) -> None:
        self._auth(sender)
        self._wards[usr] = 1

    def deny(self, usr: Address, *, sender: Address) -> None:
        self._auth(sender)
        self._wards[usr] = 0

    def wards(self, usr: Address) -> int:
        return self._wards.get(usr, 0)


class D3MOperatorPlan(_Wards):
    """`D3MOperatorPlan`: `target_assets` set by `operator`; active while `enabled == 1`."""

    __slots__ = ("enabled", "operator", "target_assets")

    def __init__(self, *, sender: Address) -> None:
        super().__init__("D3MOperatorPlan", sender)
        self.enabled = 1
        self.operator: Address | None = None
        self.target_assets = 0

    def file_operator(self, data: Address, *, sender: Address) -> None:
        self._auth(sender)
        self.operator = data

    def file_enabled(self, data: int, *, sender: Address) -> None:
        self._auth(sender)
        if data > 1 or data < 0:
            raise ProtocolError(
                ErrorCode.D3M_INVALID_VALUE,
                contract="D3MOperatorPlan",
                what="enabled",
                value=data,
                reason="D3MOperatorPlan/invalid-value",
            )
        self.enabled = data

    def set_target_assets(self, value: int, *, sender: Address) -> None:
        if sender != self.operator:
            raise ProtocolError(
                ErrorCode.D3M_NOT_AUTHORIZED,
                contract="D3MOperatorPlan",
                reason="D3MOperatorPlan/not-authorized",
            )
        self.target_assets = check_uint256(value, field="value")

    def get_target_assets(self, current_assets: int, /) -> int:
        return self.target_assets

    def active(self) -> bool:
        return self.enabled == 1

    def disable(self, *, sender: Address) -> None:
        self._auth(sender)
        self.enabled = 0


class D3MAaveTypeBufferPlan(_Wards):
    """`D3MAaveTypeBufferPlan`: keep `buffer` DAI [wad] available to borrow."""

    __slots__ = ("a_token", "buffer", "dai")

    def __init__(self, *, market: Pool, dai: Erc20, sender: Address) -> None:
        super().__init__("D3MAaveTypeBufferPlan", sender)
        self.a_token: Final = market.a_token(dai.address).address
        self.dai: Final = dai
        self.buffer = 0

    def file_buffer(self, data: int, *, sender: Address) -> None:
        self._auth(sender)
        self.buffer = check_uint256(data, field="buffer")

    def get_target_assets(self, current_assets: int, /) -> int:
        if self.buffer == 0:
            return 0  # de-activated
        return _toward(current_assets, self.buffer, self.dai.balance_of(self.a_token))

    def active(self) -> bool:
        return self.buffer > 0

    def disable(self, *, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1 and self.active():
            raise ProtocolError(
                ErrorCode.D3M_NOT_AUTHORIZED,
                contract="D3MAaveTypeBufferPlan",
                reason="D3MAaveTypeBufferPlan/not-authorized",
            )
        self.buffer = 0


class D3MAaveRateTargetPlan(_Wards):
    """`D3MAaveV2TypeRateTargetPlan` on an Aave v3 market: hold the borrow rate at `bar`
    [ray, per year]. Active while `bar != 0` and the reserve still uses `tack`."""

    __slots__ = ("bar", "dai", "market", "tack")

    def __init__(self, *, market: Pool, dai: Erc20, sender: Address) -> None:
        super().__init__("D3MAaveV2TypeRateTargetPlan", sender)
        data = market.get_reserve_data(dai.address)
        self.market: Final = market
        self.dai: Final = dai
        self.tack: TwoSlopeStrategy = data.interest_rate_strategy  # type: ignore[assignment]
        self.bar = 0

    def file_bar(self, data: int, *, sender: Address) -> None:
        self._auth(sender)
        self.bar = check_uint256(data, field="bar")

    def file_tack(self, data: TwoSlopeStrategy, *, sender: Address) -> None:
        self._auth(sender)
        self.tack = data

    def get_target_assets(self, current_assets: int, /) -> int:
        if self.bar == 0:
            return 0  # de-activated
        asset = self.dai.address
        total_debt = (
            self.market.stable_debt_token(asset).total_supply()
            + self.market.variable_debt_token(asset).total_supply()
        )
        pool_size = self.dai.balance_of(self.market.a_token(asset).address) + total_debt
        return _toward(current_assets, target_supply(self.tack, self.bar, total_debt), pool_size)

    def active(self) -> bool:
        if self.bar == 0:
            return False
        strategy: object = self.market.get_reserve_data(self.dai.address).interest_rate_strategy
        return strategy is self.tack

    def disable(self, *, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1 and self.active():
            raise ProtocolError(
                ErrorCode.D3M_NOT_AUTHORIZED,
                contract="D3MAaveV2TypeRateTargetPlan",
                reason="D3MAaveV2TypeRateTargetPlan/not-authorized",
            )
        self.bar = 0
