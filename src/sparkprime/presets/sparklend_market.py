"""A SparkLend market preset, loaded into a live, journaled `SparkLendMarket` in one call.

`sparklend_market_commands` turns a `MarketPreset` into the commands governance would send:
deploy each underlying, list it with its rate strategy, set its risk parameters, caps,
flags and eMode, set the flash-loan premiums, the prices and the live rate inputs.
`load_sparklend_market` applies them to a fresh market (or submit them to a `Ledger` to
journal the listing itself). Prices and live rates are not part of a preset (they move);
pass them explicitly: no hidden defaults.

Example:
    market = load_sparklend_market(
        sparklend_ethereum_preset(), start_ts_s=1_776_902_400, admin=make_addr("admin"),
        prices_usd_e8={"WETH": 3_000_00000000, ...}, rate_values={"SSR": ssr_ray, "LST": lst_apr},
    )
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.presets.sparklend_schema import (
    MarketPreset,
    RateSourceKind,
    RateSourcePreset,
    RateStrategyKind,
    RateStrategyPreset,
    ReservePreset,
)
from sparkprime.protocols.sparklend import market_commands as mc
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.market import SparkLendMarket
from sparkprime.protocols.sparklend.market_rates import (
    RateInputKind,
    RateInputSpec,
    StrategyKind,
    StrategySpec,
)
from sparkprime.protocols.sparklend.rounding import RoundingMode

__all__ = ["load_sparklend_market", "sparklend_market_commands"]

_INPUT_KIND = {
    RateSourceKind.SSR: RateInputKind.SSR,
    RateSourceKind.POT_DSR: RateInputKind.DSR,
    RateSourceKind.CAPPED_FALLBACK: RateInputKind.APR,
}
_STRATEGY_KIND = {
    RateStrategyKind.DEFAULT: StrategyKind.DEFAULT,
    RateStrategyKind.VARIABLE_BORROW: StrategyKind.VARIABLE_BORROW,
    RateStrategyKind.RATE_TARGET_BASE: StrategyKind.RATE_TARGET_BASE,
    RateStrategyKind.RATE_TARGET_KINK: StrategyKind.RATE_TARGET_KINK,
}


def _rate_input(source: RateSourcePreset, value: int) -> mc.DefineRateInput:
    spec = RateInputSpec(
        name=source.name,
        kind=_INPUT_KIND[source.kind],
        decimals=source.decimals,
        lower_bound=source.lower_bound,
        upper_bound=source.upper_bound,
        default_rate=source.default_rate,
    )
    return mc.DefineRateInput(spec=spec, value=value)


def _strategy(preset: RateStrategyPreset) -> StrategySpec:
    kind = _STRATEGY_KIND[preset.kind]
    spread = 0
    if kind is StrategyKind.RATE_TARGET_BASE:
        spread = preset.base_rate_spread_ray or 0
    elif kind is StrategyKind.RATE_TARGET_KINK:
        spread = preset.variable_rate_slope1_spread_ray or 0
    return StrategySpec(
        kind=kind,
        optimal_usage_ratio=preset.optimal_usage_ratio_ray,
        base_variable_borrow_rate=preset.base_variable_borrow_rate_ray or 0,
        variable_rate_slope1=preset.variable_rate_slope1_ray or 0,
        variable_rate_slope2=preset.variable_rate_slope2_ray,
        rate_source=preset.rate_source,
        spread=spread,
    )


def _reserve_commands(
    reserve: ReservePreset, strategy: StrategySpec, *, admin: Address, treasury: Address
) -> list[Any]:
    asset = reserve.underlying
    cmds: list[Any] = [
        mc.DeployToken(address=asset, symbol=reserve.symbol, decimals=reserve.decimals),
        mc.InitReserve(asset=asset, strategy=strategy, treasury=treasury, sender=admin),
        mc.ConfigureReserveAsCollateral(
            asset=asset,
            ltv=reserve.ltv_bps,
            liquidation_threshold=reserve.liquidation_threshold_bps,
            liquidation_bonus=reserve.liquidation_bonus_bps,
            sender=admin,
        ),
        mc.SetReserveFactor(
            asset=asset, reserve_factor_bps=reserve.reserve_factor_bps, sender=admin
        ),
        mc.SetLiquidationProtocolFee(
            asset=asset, fee_bps=reserve.liquidation_protocol_fee_bps, sender=admin
        ),
        mc.SetSupplyCap(asset=asset, supply_cap_tokens=reserve.supply_cap_tokens, sender=admin),
        mc.SetBorrowCap(asset=asset, borrow_cap_tokens=reserve.borrow_cap_tokens, sender=admin),
        mc.SetReserveBorrowing(asset=asset, enabled=reserve.borrowing_enabled, sender=admin),
    ]
    if reserve.debt_ceiling_usd_e2:
        cmds.append(
            mc.SetDebtCeiling(
                asset=asset, debt_ceiling_usd_e2=reserve.debt_ceiling_usd_e2, sender=admin
            )
        )
    for flag, value in (
        ("borrowable_in_isolation", reserve.borrowable_in_isolation),
        ("siloed_borrowing", reserve.siloed_borrowing),
        ("flash_loaning", reserve.flash_loan_enabled),
    ):
        cmds.append(mc.SetReserveFlag(asset=asset, flag=flag, value=value, sender=admin))
    return cmds


def _status_commands(reserve: ReservePreset, *, admin: Address) -> list[Any]:
    # Last: a frozen or paused reserve refuses the configuration steps before it.
    cmds: list[Any] = []
    for flag, value, default in (
        ("freeze", reserve.is_frozen, False),
        ("pause", reserve.is_paused, False),
        ("active", reserve.is_active, True),
    ):
        if value != default:
            cmds.append(
                mc.SetReserveFlag(asset=reserve.underlying, flag=flag, value=value, sender=admin)
            )
    return cmds


def sparklend_market_commands(
    preset: MarketPreset,
    *,
    admin: Address,
    prices_usd_e8: Mapping[str, int],
    rate_values: Mapping[str, int],
    treasury: Address | None = None,
) -> list[Any]:
    """The commands that list `preset` in an empty market whose pool admin is `admin`.

    `prices_usd_e8` maps each reserve's symbol to its USD price (8 decimals);
    `rate_values` maps each rate source's name to its current value (a per-second ray for
    SSR / DSR, an APR in the source's decimals otherwise).
    """
    missing_prices = sorted(r.symbol for r in preset.reserves if r.symbol not in prices_usd_e8)
    missing_rates = sorted(s.name for s in preset.rate_sources if s.name not in rate_values)
    if missing_prices or missing_rates:
        raise ProtocolError(
            ErrorCode.MISSING_FIELD,
            kind=f"{preset.name} inputs",
            fields=[f"price {s}" for s in missing_prices] + [f"rate {n}" for n in missing_rates],
        )
    to = treasury if treasury is not None else make_addr(f"{preset.name}.treasury")
    strategies = {s.name: _strategy(s) for s in preset.rate_strategies}
    cmds: list[Any] = [_rate_input(s, rate_values[s.name]) for s in preset.rate_sources]
    for reserve in preset.reserves:
        strategy = strategies[reserve.rate_strategy]
        cmds += _reserve_commands(reserve, strategy, admin=admin, treasury=to)
    for emode in preset.emodes:
        cmds.append(
            mc.SetEModeCategory(
                category_id=emode.category_id,
                ltv=emode.ltv_bps,
                liquidation_threshold=emode.liquidation_threshold_bps,
                liquidation_bonus=emode.liquidation_bonus_bps,
                price_source=emode.price_source,
                label=emode.label,
                sender=admin,
            )
        )
    for reserve in preset.reserves:
        if reserve.emode_category:
            cmds.append(
                mc.SetAssetEModeCategory(
                    asset=reserve.underlying, category_id=reserve.emode_category, sender=admin
                )
            )
        cmds.append(
            mc.SetAssetPrice(asset=reserve.underlying, price_usd_e8=prices_usd_e8[reserve.symbol])
        )
    cmds.append(
        mc.SetFlashloanPremiums(
            total_bps=preset.flash_loan_premium_total_bps,
            to_protocol_bps=preset.flash_loan_premium_to_protocol_bps,
            sender=admin,
        )
    )
    for reserve in preset.reserves:
        cmds += _status_commands(reserve, admin=admin)
    return cmds


def load_sparklend_market(
    preset: MarketPreset,
    *,
    start_ts_s: int,
    admin: Address,
    prices_usd_e8: Mapping[str, int],
    rate_values: Mapping[str, int],
    rounding_mode: RoundingMode = RoundingMode.HALF_UP_V1,
) -> SparkLendMarket:
    """A fresh market with `preset` listed and configured (see `sparklend_market_commands`)."""
    market = SparkLendMarket.create(start_ts_s=start_ts_s, admin=admin, rounding_mode=rounding_mode)
    for cmd in sparklend_market_commands(
        preset, admin=admin, prices_usd_e8=prices_usd_e8, rate_values=rate_values
    ):
        market.apply(cmd)
    return market
