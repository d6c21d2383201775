"""A scenario grid beyond the two-sided Atlas stress: an extra risk view, not the policy RF.

The Atlas haircuts (`prime.margin`) give the policy STPV and RF. This grid asks other
questions of the same exposures (portfolio-margin.md §5 items 3-4; SPAN-style scenario sets):

- per-group shocks: each group alone down by k x its long haircut and (unless pegged) up by
  k x its short haircut;
- stablecoin depegs: each pegged group down by x;
- staked-versus-native decorrelation: the whole group down by its haircut while every member
  other than the base (the member named like the group, else the first) falls y further.

A `Scenario` is data: `shocks_bps` maps a group name or a symbol to a price move in bps
(-10_000 = to zero); a symbol's own entry wins over its group's, anything unnamed does not
move. In a scenario the account is worth

    V + Σ floor(notional x shock / 10_000) - Σ unapproved charges

(the unapproved ±100% haircut still applies: the Atlas never lets them count), and
`grid_stpv` is the minimum over the scenarios, with the binding one named.

Example:
    >>> s = Scenario(name="eth_down", shocks_bps={"ETH": -3000})
    >>> s.shock_bps(symbol="stETH", group_name="ETH")
    -3000
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.exposure import Exposure
from sparkprime.prime.policy import BPS, AssetGroup, Policy

__all__ = [
    "GridResult",
    "Scenario",
    "decorrelation_scenarios",
    "default_grid",
    "depeg_scenarios",
    "grid_stpv",
    "group_shock_scenarios",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A named set of price moves, keyed by group name or symbol, in bps."""

    name: str
    shocks_bps: Mapping[str, int] = field(hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ProtocolError(ErrorCode.PRIME_INVALID_SCENARIO, name=self.name,
                                reason="needs a non-empty name")  # fmt: skip
        shocks = dict(self.shocks_bps)
        for key, bps in shocks.items():
            if not isinstance(bps, int) or isinstance(bps, bool) or bps < -BPS:
                raise ProtocolError(
                    ErrorCode.PRIME_INVALID_SCENARIO,
                    name=self.name,
                    reason=f"shock {key!r}: {bps!r} is not an int >= -10000 bps",
                )
        object.__setattr__(self, "shocks_bps", MappingProxyType(shocks))

    def shock_bps(self, *, symbol: str, group_name: str | None) -> int:
        """The move of `symbol`: its own entry, else its group's, else 0."""
        if symbol in self.shocks_bps:
            return self.shocks_bps[symbol]
        if group_name is not None:
            return self.shocks_bps.get(group_name, 0)
        return 0


@dataclass(frozen=True, slots=True, kw_only=True)
class GridResult:
    """The grid's view: the worst scenario value and every scenario's."""

    stpv_usd_wad: int
    binding_scenario: str
    by_scenario: tuple[tuple[str, int], ...]


def _base_symbol(group: AssetGroup) -> str:
    return group.name if group.name in group.members else group.members[0]


def group_shock_scenarios(policy: Policy, *, multiples: Sequence[int] = (1, 2)) -> list[Scenario]:
    """Each group alone down by k x its long haircut and, unless pegged, up by k x short."""
    out: list[Scenario] = []
    for k in multiples:
        for g in policy.groups:
            down = -min(BPS, k * g.haircut_long_bps)
            out.append(Scenario(name=f"{g.name}_down_x{k}", shocks_bps={g.name: down}))
            if not g.pegged:
                up = k * g.haircut_short_bps
                out.append(Scenario(name=f"{g.name}_up_x{k}", shocks_bps={g.name: up}))
    return out


def depeg_scenarios(policy: Policy, *, depegs_bps: Sequence[int] = (500, 2000)) -> list[Scenario]:
    """Each pegged group alone down by each of `depegs_bps`."""
    return [
        Scenario(name=f"{g.name}_depeg_{d}bps", shocks_bps={g.name: -min(BPS, d)})
        for d in depegs_bps
        for g in policy.groups
        if g.pegged
    ]


def decorrelation_scenarios(policy: Policy, *, extra_bps: int = 500) -> list[Scenario]:
    """Each multi-member group down by its haircut, its non-base members `extra_bps` further."""
    out: list[Scenario] = []
    for g in policy.groups:
        if len(g.members) < 2:
            continue
        shocks = {g.name: -g.haircut_long_bps}
        base = _base_symbol(g)
        for m in g.members:
            shocks[m] = (
                -g.haircut_long_bps if m == base else -min(BPS, g.haircut_long_bps + extra_bps)
            )
        out.append(Scenario(name=f"{g.name}_staked_decorrelation", shocks_bps=shocks))
    return out


def default_grid(policy: Policy) -> tuple[Scenario, ...]:
    """Group shocks at 1x and 2x, depegs of 5% and 20%, decorrelation of 5%."""
    return (
        *group_shock_scenarios(policy),
        *depeg_scenarios(policy),
        *decorrelation_scenarios(policy),
    )


def grid_stpv(
    exposures: Iterable[Exposure], scenarios: Iterable[Scenario], policy: Policy
) -> GridResult:
    """The minimum over `scenarios` of the account's value after each one's moves."""
    exposures = tuple(exposures)
    scenarios = tuple(scenarios)
    if not scenarios:
        raise ProtocolError(ErrorCode.PRIME_INVALID_SCENARIO, name="<grid>",
                            reason="a grid needs at least one scenario")  # fmt: skip
    names = {g.group_id: g.name for g in policy.groups}
    value = sum(e.value_usd_wad for e in exposures)
    unapproved = sum(
        -((-abs(e.notional_usd_wad) * policy.unapproved_haircut_bps) // BPS)
        for e in exposures
        if not e.approved
    )
    rows: list[tuple[str, int]] = []
    for s in scenarios:
        pnl = 0
        for e in exposures:
            if not e.approved or e.notional_usd_wad == 0:
                continue
            group_name = None if e.group_id is None else names.get(e.group_id)
            shock = s.shock_bps(symbol=e.symbol, group_name=group_name)
            pnl += (e.notional_usd_wad * shock) // BPS  # floor: against the borrower
        rows.append((s.name, value + pnl - unapproved))
    worst = min(rows, key=lambda r: r[1])
    return GridResult(stpv_usd_wad=worst[1], binding_scenario=worst[0], by_scenario=tuple(rows))
