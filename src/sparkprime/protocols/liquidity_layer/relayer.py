"""The relayer: read the live models into planner views, and run a plan on the controllers.

Observation helpers turn contract state into `planner_views`: `limit_view` reads a key with
`RateLimits.get_current_rate_limit` (scaled to wad), `lending_yield` reads a SparkLend/Aave
reserve (its strategy, free liquidity, variable debt, reserve factor) so the planner prices a
move with the market's own curve, `a_token_position` / `erc4626_position` read what the ALM
proxy holds.

`execute(plan, controllers, relayer=..., dry_run=...)` maps each `PlannedAction` to its
controller call with `sender=relayer` (spark-alm-controller's `MainnetController` /
`ForeignController` external API, as `protocols.liquidity_layer.controller_base` mirrors it).
A dry run opens every chain's `Atomic`, runs the whole plan and rolls everything back,
returning what would have happened (including the first refusal, if any). Applying commits
each call; a controller refusing a planned action is a planner bug, raised as
`InvariantViolation` with the action and its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import TokenRegistry
from sparkprime.protocols.liquidity_layer.planner import Plan, PlannedAction
from sparkprime.protocols.liquidity_layer.planner_views import (
    UNLIMITED,
    LendingYield,
    LimitView,
    scale_of,
)
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimits
from sparkprime.protocols.sparklend.pool import Pool

__all__ = [
    "ExecutionResult",
    "a_token_position",
    "execute",
    "lending_yield",
    "limit_view",
]


def limit_view(rate_limits: RateLimits, key: str, decimals: int) -> LimitView:
    """A key's current level and max in wad (unlimited stays `UNLIMITED`)."""
    data = rate_limits.get_rate_limit_data(key)
    if data.max_amount == UNLIMITED:
        return LimitView(key=key, current_wad=UNLIMITED, max_wad=UNLIMITED)
    scale = scale_of(decimals)
    current = rate_limits.get_current_rate_limit(key)
    return LimitView(key=key, current_wad=current * scale, max_wad=data.max_amount * scale)


def lending_yield(pool: Pool, asset: Address, registry: TokenRegistry) -> LendingYield:
    """The reserve's rate inputs now: what `calculateInterestRates` would be given."""
    reserve = pool.get_reserve_data(asset)
    token = registry.get(asset)
    return LendingYield(
        strategy=reserve.interest_rate_strategy,
        decimals=token.decimals,
        available_liquidity=token.balance_of(reserve.a_token_address),
        total_variable_debt=pool.variable_debt_token(asset).total_supply(),
        reserve_factor_bps=reserve.configuration.get_reserve_factor(),
        unbacked=reserve.unbacked,
    )


def a_token_position(pool: Pool, asset: Address, holder: Address) -> int:
    """`holder`'s aToken balance of `asset` in the token's units."""
    return pool.a_token(asset).balance_of(holder)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionResult:
    """What each action returned (by step), whether it was a dry run, and, for a dry run,
    the first refusal (step and error) if one came."""

    dry_run: bool
    returns: tuple[tuple[int, object], ...]
    refused: tuple[int, ProtocolError] | None = None


_Call = Callable[[Any, PlannedAction, dict[str, int | str], Address], object]

_CALLS: Final[dict[str, _Call]] = {
    "deposit_erc4626": lambda c, a, k, s: c.deposit_erc4626(k["token"], a.amount, 0, sender=s),
    "withdraw_erc4626": lambda c, a, k, s: c.withdraw_erc4626(
        k["token"], a.amount, UINT256_MAX, sender=s
    ),
    "deposit_aave": lambda c, a, k, s: c.deposit_aave(k["a_token"], a.amount, sender=s),
    "withdraw_aave": lambda c, a, k, s: c.withdraw_aave(k["a_token"], a.amount, sender=s),
    "deposit_psm": lambda c, a, k, s: c.deposit_psm(k["asset"], a.amount, sender=s),
    "withdraw_psm": lambda c, a, k, s: c.withdraw_psm(k["asset"], a.amount, sender=s),
    "mint_usds": lambda c, a, k, s: c.mint_usds(a.amount, sender=s),
    "swap_usds_to_usdc": lambda c, a, k, s: c.swap_usds_to_usdc(a.amount, sender=s),
    "swap_usdc_to_usds": lambda c, a, k, s: c.swap_usdc_to_usds(a.amount, sender=s),
    "transfer_usdc_to_cctp": lambda c, a, k, s: c.transfer_usdc_to_cctp(
        a.amount, k["destination_domain"], sender=s
    ),
}


def _run(action: PlannedAction, controllers: Mapping[str, Any], relayer: Address) -> object:
    controller = controllers.get(action.chain)
    if controller is None:
        raise ProtocolError(ErrorCode.RELAYER_UNKNOWN_CHAIN, chain=action.chain)
    call = _CALLS.get(action.action)
    if call is None:
        raise ProtocolError(
            ErrorCode.RELAYER_UNKNOWN_ACTION, action=action.action, reason="no controller call"
        )
    return call(controller, action, dict(action.args), relayer)


def _atomics(controllers: Mapping[str, Any]) -> list[Atomic]:
    seen: dict[int, Atomic] = {}
    for controller in controllers.values():
        atomic: Atomic = controller.atomic
        seen.setdefault(id(atomic), atomic)
    return list(seen.values())


def execute(
    plan: Plan, controllers: Mapping[str, Any], *, relayer: Address, dry_run: bool
) -> ExecutionResult:
    """Run `plan` on `controllers` (chain name -> controller) as `relayer`."""
    for action in plan.actions:  # refuse an unknown chain or action before touching anything
        if action.chain not in controllers or action.action not in _CALLS:
            _run(action, {} if action.chain not in controllers else controllers, relayer)
    returns: list[tuple[int, object]] = []
    if not dry_run:
        for action in plan.actions:
            try:
                returns.append((action.step, _run(action, controllers, relayer)))
            except ProtocolError as err:
                raise InvariantViolation(
                    "planned action refused",
                    step=action.step,
                    chain=action.chain,
                    action=action.action,
                    amount=action.amount,
                    reason=action.reason,
                    error=str(err),
                ) from err
        return ExecutionResult(dry_run=False, returns=tuple(returns))
    atomics = _atomics(controllers)
    marks = [a.begin() for a in atomics]
    refused: tuple[int, ProtocolError] | None = None
    try:
        for action in plan.actions:
            try:
                returns.append((action.step, _run(action, controllers, relayer)))
            except ProtocolError as err:
                refused = (action.step, err)
                break
    finally:
        for atomic, mark in zip(reversed(atomics), reversed(marks), strict=True):
            atomic.rollback(mark)
    return ExecutionResult(dry_run=True, returns=tuple(returns), refused=refused)
