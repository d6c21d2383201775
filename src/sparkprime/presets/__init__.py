"""Data presets, each with its sources and as-of date.

`sparklend_ethereum_preset()` is the SparkLend Ethereum market (reserves, eModes, rate strategies,
kill switch, cap automator) as of 2026-04-23; `sparklend_schema` holds the record types, their
validation and their dict form (`to_dict` / `from_dict`).
"""

from sparkprime.presets.sparklend_ethereum import SPARKLEND_ETHEREUM, sparklend_ethereum_preset
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
    "sparklend_ethereum_preset",
]
