"""A liquidity / concentration add-on: the cost of unwinding a position into the book.

The Atlas haircuts assume an account can be liquidated at the stressed price; a position large
against its market cannot. Like Eurex Prisma's liquidity add-on (grows linearly with position
size relative to a product's "market capacity") and the size-driven charges of ISDA SIMM
(concentration factor) and Drift (size premium) (portfolio-margin.md §1.11, §2.4, §2.5, §5.5),
this add-on grows with size against market depth. The model is an order-book walk:

- `MarketDepth` gives the USD that trades within 1% and within 2% of the mid (D1 < D2);
- the marginal slippage of the s-th dollar sold is linear through (0, 0), (D1, 1%), (D2, 2%)
  and continues on the D1-D2 line beyond D2 (a book thinner than the 2% depth says cannot be
  assumed);
- the add-on for a net size S is the integral, the total slippage of dumping S at once:

      cost(S) = S^2 / (200 D1)                                   for S <= D1
              = D1/200 + (S - D1)/100 + (S - D1)^2 / (200 (D2 - D1))  for S > D1

  capped at S (a position cannot lose more than itself), rounded up.

S is the size of the account's net approved notional per symbol (unapproved exposures already
lose 100%). A symbol without a `MarketDepth` gets no add-on. When S exceeds the symbol's
average daily volume a warning says so (the unwind would take more than a day).

Example:
    >>> d = MarketDepth(symbol="X", depth_1pct_usd_wad=100, depth_2pct_usd_wad=300,
    ...                 adv_usd_wad=10**6)
    >>> unwind_cost_usd_wad(100, d), unwind_cost_usd_wad(300, d)
    (1, 4)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.exposure import Exposure

__all__ = ["AddonResult", "MarketDepth", "liquidity_addon", "unwind_cost_usd_wad"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketDepth:
    """A symbol's market: USD tradable within 1% / 2% of mid and its average daily volume."""

    symbol: str
    depth_1pct_usd_wad: int
    depth_2pct_usd_wad: int
    adv_usd_wad: int

    def __post_init__(self) -> None:
        ok = (
            all(isinstance(v, int) and not isinstance(v, bool)
                for v in (self.depth_1pct_usd_wad, self.depth_2pct_usd_wad, self.adv_usd_wad))
            and 0 < self.depth_1pct_usd_wad < self.depth_2pct_usd_wad
            and self.adv_usd_wad >= 0
        )  # fmt: skip
        if not ok:
            raise ProtocolError(
                ErrorCode.PRIME_INVALID_MARGIN_INPUT,
                field=f"depth[{self.symbol}]",
                reason="need ints with 0 < depth_1pct < depth_2pct and adv >= 0",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class AddonResult:
    """The add-on in total and per symbol, and its warnings."""

    addon_usd_wad: int
    by_symbol: tuple[tuple[str, int], ...]
    warnings: tuple[str, ...]


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def unwind_cost_usd_wad(size_usd_wad: int, depth: MarketDepth) -> int:
    """The order-book-walk cost of selling `size_usd_wad` at once (module docstring)."""
    s = abs(size_usd_wad)
    d1, d2 = depth.depth_1pct_usd_wad, depth.depth_2pct_usd_wad
    if s <= d1:
        cost = _ceil_div(s * s, 200 * d1)
    else:
        x = s - d1
        # D1/200 + x/100 + x^2/(200 (D2-D1)) over one denominator, rounded up once
        den = 200 * (d2 - d1)
        cost = _ceil_div(d1 * (d2 - d1) + 2 * x * (d2 - d1) + x * x, den)
    return min(cost, s)


def liquidity_addon(
    exposures: Iterable[Exposure], depths: Mapping[str, MarketDepth]
) -> AddonResult:
    """The add-on over the account's net approved notional per symbol."""
    net: dict[str, int] = {}
    for e in exposures:
        if e.approved and e.notional_usd_wad != 0:
            net[e.symbol] = net.get(e.symbol, 0) + e.notional_usd_wad
    rows: list[tuple[str, int]] = []
    warnings: list[str] = []
    for symbol in sorted(net):
        depth = depths.get(symbol)
        if depth is None or net[symbol] == 0:
            continue
        rows.append((symbol, unwind_cost_usd_wad(net[symbol], depth)))
        if abs(net[symbol]) > depth.adv_usd_wad:
            warnings.append(f"{symbol}: net exposure exceeds its average daily volume")
    return AddonResult(
        addon_usd_wad=sum(c for _, c in rows), by_symbol=tuple(rows), warnings=tuple(warnings)
    )
