"""Data presets, each with its sources and as-of date.

`sparklend_ethereum_preset()` is the SparkLend Ethereum market (reserves, eModes, rate strategies,
kill switch, cap automator) as of 2026-04-23; `sparklend_schema` holds the record types, their
validation and their dict form (`to_dict` / `from_dict`); `load_sparklend_market` lists a
preset in a live, journaled `SparkLendMarket` in one call.
"""

from sparkprime.presets.sparklend_ethereum import SPARKLEND_ETHEREUM, sparklend_ethereum_preset
from sparkprime.presets.sparklend_market import load_sparklend_market, sparklend_market_commands
from sparkprime.presets.sparklend_schema import (
    CapAutomatorPreset,
    CapSide,
    EModePreset,
    KillSwitchPreset,
    MarketPreset,
    RateSourceKind,
    RateSourcePreset,
    RateStrategyKind,
    RateStrategyPreset,
    ReservePreset,
)

__all__ = [
    "SPARKLEND_ETHEREUM",
    "CapAutomatorPreset",
    "CapSide",
    "EModePreset",
    "KillSwitchPreset",
    "MarketPreset",
    "RateSourceKind",
    "RateSourcePreset",
    "RateStrategyKind",
    "RateStrategyPreset",
    "ReservePreset",
    "load_sparklend_market",
    "sparklend_ethereum_preset",
    "sparklend_market_commands",
]
