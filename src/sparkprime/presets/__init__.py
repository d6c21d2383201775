"""Data presets, each with its sources and as-of date.

`sparklend_ethereum_preset()` is the SparkLend Ethereum market (reserves, eModes, rate strategies,
kill switch, cap automator) as of 2026-04-23; `sparklend_schema` holds the record types, their
validation and their dict form (`to_dict` / `from_dict`); `load_sparklend_market` lists a
preset in a live, journaled `SparkLendMarket` in one call.

Also: the Atlas Spark Prime policy (`atlas_policy(as_of)`, two dated versions) and the OCL
policy; the Atlas SLL limits (`sll_limits_preset(as_of)`, including the Arkis instance); the
book file format (`load_book_file`, one-line file:line:field errors) and the 200-borrower
example book; named historical price scenarios (`price_scenario(name)`).
"""

from sparkprime.presets.atlas_policy import atlas_policy, atlas_policy_history
from sparkprime.presets.book_file import BookFile, BookFileError, dump_book_file, load_book_file
from sparkprime.presets.example_book import example_book, generate_example_book, small_book
from sparkprime.presets.ocl_policy import ocl_policy
from sparkprime.presets.price_scenarios import ScenarioDef, list_price_scenarios, price_scenario
from sparkprime.presets.sll_limits import SllLimits, rate_limit_entries, sll_limits_preset
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
    "BookFile",
    "BookFileError",
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
    "ScenarioDef",
    "SllLimits",
    "atlas_policy",
    "atlas_policy_history",
    "dump_book_file",
    "example_book",
    "generate_example_book",
    "list_price_scenarios",
    "load_book_file",
    "load_sparklend_market",
    "ocl_policy",
    "price_scenario",
    "rate_limit_entries",
    "sll_limits_preset",
    "small_book",
    "sparklend_ethereum_preset",
    "sparklend_market_commands",
]
