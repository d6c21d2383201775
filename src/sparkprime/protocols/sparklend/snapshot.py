"""The whole Pool as JSON-able data, back again, and its hash.

`dump_pool` captures everything the Pool's actions read or write: the clock, every reserve
(configuration, indexes, rates, timestamps, treasury accrual, isolated debt, its tokens'
scaled balances and allowances, its rate strategy's parameters), users' configurations and
eMode categories, the eMode categories, the ACL, and every ERC-20 in the registry (balances
and allowances: the aTokens' cash is part of the state, a donation moves rates). The price
oracle and the sentinel are outside collaborators and are not captured.

`state_hash` is sha256 of the canonical JSON (sorted keys, no spaces) of `dump_pool`.
`load_pool` fills a freshly built Pool from a dump; rate strategies are rebuilt from their
parameters for the two plain strategy types, and must be passed in for any other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.configuration import (
    ReserveConfigurationMap,
    UserConfigurationMap,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    DefaultReserveInterestRateStrategy,
    ReserveInterestRateStrategy,
    VariableBorrowInterestRateStrategy,
)
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.tokens import AToken, StableDebtToken, VariableDebtToken
from sparkprime.protocols.sparklend.types import EModeCategory, ReserveData

__all__ = ["SNAPSHOT_VERSION", "dump_pool", "load_pool", "state_hash", "strategy_params"]

SNAPSHOT_VERSION: Final = 1

_RESERVE_INTS: Final = (
    "liquidity_index",
    "current_liquidity_rate",
    "variable_borrow_index",
    "current_variable_borrow_rate",
    "current_stable_borrow_rate",
    "last_update_timestamp",
    "accrued_to_treasury",
    "unbacked",
    "isolation_mode_total_debt",
)


def strategy_params(strategy: ReserveInterestRateStrategy) -> dict[str, Any]:
    """A strategy as data: its type name and, for the two plain types, its parameters."""
    if type(strategy) is VariableBorrowInterestRateStrategy:
        return {
            "type": "VariableBorrowInterestRateStrategy",
            "optimal_usage_ratio": strategy.OPTIMAL_USAGE_RATIO,
            "base_variable_borrow_rate": strategy.get_base_variable_borrow_rate(),
            "variable_rate_slope1": strategy.get_variable_rate_slope1(),
            "variable_rate_slope2": strategy.get_variable_rate_slope2(),
        }
    if type(strategy) is DefaultReserveInterestRateStrategy:
        slope1 = strategy.get_variable_rate_slope1()
        return {
            "type": "DefaultReserveInterestRateStrategy",
            "optimal_usage_ratio": strategy.OPTIMAL_USAGE_RATIO,
            "base_variable_borrow_rate": strategy.get_base_variable_borrow_rate(),
            "variable_rate_slope1": slope1,
            "variable_rate_slope2": strategy.get_variable_rate_slope2(),
            "stable_rate_slope1": strategy.get_stable_rate_slope1(),
            "stable_rate_slope2": strategy.get_stable_rate_slope2(),
            "base_stable_rate_offset": strategy.get_base_stable_borrow_rate() - slope1,
            "stable_rate_excess_offset": strategy.get_stable_rate_excess_offset(),
            "optimal_stable_to_total_debt_ratio": strategy.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO,
        }
    return {"type": type(strategy).__name__}


def _build_strategy(params: Mapping[str, Any]) -> ReserveInterestRateStrategy:
    kind = params.get("type")
    args = {k: v for k, v in params.items() if k != "type"}
    if kind == "VariableBorrowInterestRateStrategy":
        return VariableBorrowInterestRateStrategy(**args)
    if kind == "DefaultReserveInterestRateStrategy":
        return DefaultReserveInterestRateStrategy(**args)
    raise ProtocolError(
        ErrorCode.SNAPSHOT_CORRUPT,
        seq=-1,
        reason=f"rate strategy {kind!r} cannot be rebuilt from data: pass it in `strategies`",
    )


def _pairs(mapping: Mapping[tuple[Address, Address], int]) -> list[list[Any]]:
    return [[a, b, v] for (a, b), v in sorted(mapping.items()) if v]


def _sorted_ints(mapping: Mapping[Address, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(mapping.items()) if v}


def dump_pool(state: PoolState) -> dict[str, Any]:
    """The Pool's whole state as JSON-able data (deterministic order)."""
    reserves = []
    for asset, reserve in sorted(state.reserves.items(), key=lambda item: item[1].id):
        a_token = state.a_tokens[asset]
        v_token = state.v_tokens[asset]
        s_token = state.s_tokens[asset]
        entry: dict[str, Any] = {name: getattr(reserve, name) for name in _RESERVE_INTS}
        entry.update(
            asset=asset,
            id=reserve.id,
            configuration=reserve.configuration.data,
            interest_rate_strategy=strategy_params(reserve.interest_rate_strategy),
            a_token={
                "address": a_token.address,
                "symbol": a_token.symbol,
                "treasury": a_token.treasury,
                "scaled": _sorted_ints(a_token.scaled_balances()),
                "allowances": _pairs(a_token.allowances()),
            },
            variable_debt_token={
                "address": v_token.address,
                "symbol": v_token.symbol,
                "scaled": _sorted_ints(v_token.scaled_balances()),
                "borrow_allowances": _pairs(v_token.borrow_allowances()),
            },
            stable_debt_token={"address": s_token.address, "symbol": s_token.symbol},
        )
        reserves.append(entry)
    tokens = []
    for address in sorted(state.registry.addresses()):
        token = state.registry.get(address)
        tokens.append(
            {
                "address": address,
                "symbol": token.symbol,
                "decimals": token.decimals,
                "balances": _sorted_ints(token.balances()),
                "allowances": _pairs(token.allowances()),
            }
        )
    return {
        "version": SNAPSHOT_VERSION,
        "address": state.address,
        "rounding_mode": state.math.mode.value,
        "configurator": state.configurator,
        "now_s": state.clock.now,
        "reserves_count": state.reserves_count,
        "max_stable_rate_borrow_size_percent": state.max_stable_rate_borrow_size_percent,
        "flashloan_premium_total": state.flashloan_premium_total,
        "flashloan_premium_to_protocol": state.flashloan_premium_to_protocol,
        "bridge_protocol_fee": state.bridge_protocol_fee,
        "reserves": reserves,
        "users_config": {u: c.data for u, c in sorted(state.users_config.items()) if c.data},
        "users_emode": _sorted_ints(state.users_emode),
        "emode_categories": {
            str(i): {
                "ltv": c.ltv,
                "liquidation_threshold": c.liquidation_threshold,
                "liquidation_bonus": c.liquidation_bonus,
                "price_source": c.price_source,
                "label": c.label,
            }
            for i, c in sorted(state.emode_categories.items())
        },
        "tokens": tokens,
        "acl": state.acl.snapshot(),
    }


def state_hash(state: PoolState) -> str:
    """sha256 (hex) of the canonical JSON of `dump_pool`."""
    text = json.dumps(dump_pool(state), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _pair_map(rows: list[list[Any]]) -> dict[tuple[Address, Address], int]:
    return {(Address(a), Address(b)): int(v) for a, b, v in rows}


def load_pool(
    state: PoolState,
    data: Mapping[str, Any],
    *,
    make_tokens: Callable[..., tuple[AToken, StableDebtToken, VariableDebtToken]],
    strategies: Mapping[Address, ReserveInterestRateStrategy] | None = None,
) -> None:
    """Fill an empty `state` (same address, clock at `now_s`) from `dump_pool` data.

    `make_tokens(asset, underlying, a_token=..., stable_debt_token=..., variable_debt_token=...)`
    builds the reserve's tokens at the dumped addresses.
    """
    if data.get("version") != SNAPSHOT_VERSION:
        raise ProtocolError(
            ErrorCode.SNAPSHOT_CORRUPT, seq=-1, reason=f"version {data.get('version')!r}"
        )
    for row in data["tokens"]:
        token = state.registry.register(
            Erc20(Address(row["address"]), row["symbol"], row["decimals"])
        )
        token.load(
            {Address(a): int(b) for a, b in row["balances"].items()}, _pair_map(row["allowances"])
        )
    for row in data["reserves"]:
        asset = Address(row["asset"])
        underlying = state.registry.get(asset)
        a_token, s_token, v_token = make_tokens(
            asset,
            underlying,
            a_token=row["a_token"],
            stable_debt_token=row["stable_debt_token"],
            variable_debt_token=row["variable_debt_token"],
        )
        a_token.load({Address(u): int(b) for u, b in row["a_token"]["scaled"].items()})
        a_token.load_allowances(_pair_map(row["a_token"]["allowances"]))
        v_token.load({Address(u): int(b) for u, b in row["variable_debt_token"]["scaled"].items()})
        v_token.load_borrow_allowances(_pair_map(row["variable_debt_token"]["borrow_allowances"]))
        strategy = (
            strategies[asset]
            if strategies is not None and asset in strategies
            else _build_strategy(row["interest_rate_strategy"])
        )
        state.reserves[asset] = ReserveData(
            configuration=ReserveConfigurationMap(data=int(row["configuration"])),
            id=int(row["id"]),
            a_token_address=a_token.address,
            stable_debt_token_address=s_token.address,
            variable_debt_token_address=v_token.address,
            interest_rate_strategy=strategy,
            **{name: int(row[name]) for name in _RESERVE_INTS},
        )
        state.reserves_list[int(row["id"])] = asset
        state.a_tokens[asset] = a_token
        state.s_tokens[asset] = s_token
        state.v_tokens[asset] = v_token
        state.underlyings[asset] = underlying
    state.reserves_count = int(data["reserves_count"])
    state.max_stable_rate_borrow_size_percent = int(data["max_stable_rate_borrow_size_percent"])
    state.flashloan_premium_total = int(data["flashloan_premium_total"])
    state.flashloan_premium_to_protocol = int(data["flashloan_premium_to_protocol"])
    state.bridge_protocol_fee = int(data.get("bridge_protocol_fee", 0))
    state.users_config = {
        Address(u): UserConfigurationMap(data=int(c)) for u, c in data["users_config"].items()
    }
    state.users_emode = {Address(u): int(c) for u, c in data["users_emode"].items()}
    state.emode_categories = {
        int(i): EModeCategory(
            ltv=int(c["ltv"]),
            liquidation_threshold=int(c["liquidation_threshold"]),
            liquidation_bonus=int(c["liquidation_bonus"]),
            price_source=None if c["price_source"] is None else Address(c["price_source"]),
            label=str(c["label"]),
        )
        for i, c in data["emode_categories"].items()
    }
    state.acl.load(data["acl"])
