"""The SparkLend facade: the Ethereum preset market (or a journaled one) as plain views.

What `sparkprime lend` shows, as JSON-able dicts computed from the live model:

- `reserve_views(market)`: each reserve's listed parameters read back from the Pool's
  configuration bitmap (LTV, liquidation threshold and bonus, reserve factor, caps, eMode,
  flags);
- `rate_views(market)`: supplied and borrowed (token units), utilization and the current
  supply and variable borrow rates (ray, annual) as the Pool's reserve data holds them, and
  the rates the reserve's strategy gives at that utilization (what the next action sets: a
  freshly listed reserve stores 0 until then), and the variable borrow rate at the kink
  (`base + slope1` from the strategy's getters, with slope1 read live from its rate source:
  SSR + 1.25 % for DAI and USDC). At zero utilization a kink strategy's borrow rate is its
  base rate, 0 for the preset's SSR and LST kinks (DAI, USDC, USDS, USDT, WETH), so a fresh
  market quotes 0 for them however the SSR is set: that is the contracts' answer, not a
  missing rate feed; the rate at the kink shows the SSR is fed;
- `health_view(market, address)`: `getUserAccountData` of a user, or `has_position: False`
  when the user holds nothing in the market.

`preset_market()` lists `presets.sparklend_ethereum` in a fresh market at its as-of date
with the illustrative prices `PRESET_PRICES_USD` and an SSR of about 4 % (a preset holds
parameters, not prices: these are inputs, like the SparkLend example's); `journal_market`
opens a journaled market instead (the chain is verified on open).

Example:
    >>> market = preset_market()
    >>> row = next(r for r in reserve_views(market) if r["symbol"] == "WETH")
    >>> row["ltv_bps"] > 0, health_view(market, "0x" + "11" * 20)["has_position"]
    (True, False)
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.ids import parse_address as _parse_address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.ledger import Ledger, SqlJournalStore
from sparkprime.presets.sparklend_ethereum import sparklend_ethereum_preset
from sparkprime.presets.sparklend_market import load_sparklend_market
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.market import SparkLendMarket
from sparkprime.protocols.sparklend.rate_strategies import CalculateInterestRatesParams

__all__ = [
    "PRESET_PRICES_USD",
    "PRESET_SSR_RAY",
    "health_view",
    "journal_market",
    "parse_address",
    "preset_market",
    "rate_views",
    "reserve_views",
]

# Illustrative USD prices (whole dollars) of the preset's reserves; not market data.
PRESET_PRICES_USD: Final = {
    "DAI": 1, "sDAI": 1, "USDC": 1, "USDT": 1, "USDS": 1, "sUSDS": 1, "PYUSD": 1,
    "WETH": 3_400, "wstETH": 4_100, "rETH": 3_850, "weETH": 3_600, "ezETH": 3_550,
    "rsETH": 3_550, "WBTC": 95_000, "cbBTC": 95_000, "LBTC": 95_000, "tBTC": 95_000, "GNO": 150,
}  # fmt: skip
PRESET_SSR_RAY: Final = 1_000_000_001_243_680_656_318_820_312  # about 4 % a year, per second
_LST_APR_WAD: Final = 3 * 10**16  # 3 %, the LST source's default
_RAY: Final = 10**27
_EPOCH: Final = datetime.date(1970, 1, 1)


@cache
def _preset_market_snapshot() -> dict[str, Any]:
    preset = sparklend_ethereum_preset()
    start = (datetime.date.fromisoformat(str(preset.as_of)) - _EPOCH).days * 86_400
    market = load_sparklend_market(
        preset, start_ts_s=start, admin=make_addr("governance"),
        prices_usd_e8={r.symbol: PRESET_PRICES_USD[r.symbol] * 10**8 for r in preset.reserves},
        rate_values={"SSR": PRESET_SSR_RAY, "LST": _LST_APR_WAD},
    )  # fmt: skip
    return market.snapshot()


def preset_market() -> SparkLendMarket:
    """A fresh market with the Ethereum preset listed (module docstring)."""
    return SparkLendMarket.restore(_preset_market_snapshot())


def journal_market(path: str) -> SparkLendMarket:
    """The market of a SparkLend journal (SQLite file), its chain verified on open."""
    return Ledger.open(SqlJournalStore.sqlite(path), SparkLendMarket).machine


def parse_address(text: str) -> Address:
    """An address from `0x` + 40 hex digits (`CLI_BAD_OPTION` otherwise)."""
    try:
        return _parse_address(text, field="ADDRESS")
    except ProtocolError:
        raise ProtocolError(
            ErrorCode.CLI_BAD_OPTION, option="ADDRESS", reason=f"{text!r} is not an address"
        ) from None


def _symbol(market: SparkLendMarket, asset: Address) -> str:
    return market.pool.registry.get(asset).symbol


def reserve_views(market: SparkLendMarket) -> list[dict[str, Any]]:
    """Each reserve's parameters, read from the Pool's configuration (bps, whole tokens)."""
    out = []
    for asset in market.pool.get_reserves_list():
        c = market.pool.get_configuration(asset)
        out.append({
            "symbol": _symbol(market, asset), "asset": str(asset), "decimals": c.get_decimals(),
            "ltv_bps": c.get_ltv(), "liquidation_threshold_bps": c.get_liquidation_threshold(),
            "liquidation_bonus_bps": c.get_liquidation_bonus(),
            "reserve_factor_bps": c.get_reserve_factor(), "supply_cap": c.get_supply_cap(),
            "borrow_cap": c.get_borrow_cap(), "debt_ceiling_usd_e2": c.get_debt_ceiling(),
            "emode_category": c.get_emode_category(), "active": c.get_active(),
            "frozen": c.get_frozen(), "paused": c.get_paused(),
            "borrowing_enabled": c.get_borrowing_enabled(),
        })  # fmt: skip
    return out


def _kink_rate(strategy: object) -> int | None:
    """base + slope1: the variable borrow rate at the optimal utilization (None for a
    strategy without those getters, e.g. the historical DAI strategy)."""
    base = getattr(strategy, "get_base_variable_borrow_rate", None)
    slope1 = getattr(strategy, "get_variable_rate_slope1", None)
    if base is None or slope1 is None:
        return None
    return int(base()) + int(slope1())


def rate_views(market: SparkLendMarket) -> list[dict[str, Any]]:
    """Supplied, borrowed (base units), utilization and current rates (ray) per reserve."""
    pool = market.pool
    out = []
    for asset in pool.get_reserves_list():
        data = pool.get_reserve_data(asset)
        supplied = pool.a_token(asset).total_supply()
        variable = pool.variable_debt_token(asset).total_supply()
        stable = pool.stable_debt_token(asset).total_supply()
        borrowed = variable + stable
        utilization = borrowed * _RAY // supplied if supplied else 0
        # What the strategy would set at the next action (a fresh reserve's stored rates are 0).
        strategy = data.interest_rate_strategy
        quoted = strategy.calculate_interest_rates(
            CalculateInterestRatesParams(
                unbacked=data.unbacked, liquidity_added=0, liquidity_taken=0,
                total_stable_debt=stable, total_variable_debt=variable,
                average_stable_borrow_rate=0,
                reserve_factor=pool.get_configuration(asset).get_reserve_factor(),
                available_liquidity=pool.registry.get(asset).balance_of(data.a_token_address),
            )
        )  # fmt: skip
        out.append({
            "symbol": _symbol(market, asset), "supplied": supplied, "borrowed": borrowed,
            "utilization_ray": utilization, "supply_rate_ray": data.current_liquidity_rate,
            "variable_borrow_rate_ray": data.current_variable_borrow_rate,
            "strategy_supply_rate_ray": quoted.liquidity_rate_ray,
            "strategy_variable_borrow_rate_ray": quoted.variable_borrow_rate_ray,
            "optimal_usage_ratio_ray": getattr(strategy, "OPTIMAL_USAGE_RATIO", None),
            "kink_variable_borrow_rate_ray": _kink_rate(strategy),
            "last_update_ts_s": data.last_update_timestamp,
        })  # fmt: skip
    return out


def health_view(market: SparkLendMarket, address: str) -> dict[str, Any]:
    """A user's account data; `has_position` False (and nothing else) if they hold nothing."""
    user = parse_address(address)
    data = market.pool.get_user_account_data(user)
    if data.total_collateral_base == 0 and data.total_debt_base == 0:
        return {"user": str(user), "has_position": False}
    hf = data.health_factor
    return {
        "user": str(user),
        "has_position": True,
        "total_collateral_usd_e8": data.total_collateral_base,
        "total_debt_usd_e8": data.total_debt_base,
        "available_borrows_usd_e8": data.available_borrows_base,
        "liquidation_threshold_bps": data.current_liquidation_threshold,
        "ltv_bps": data.ltv,
        "health_factor_wad": None if hf == UINT256_MAX else hf,
    }
