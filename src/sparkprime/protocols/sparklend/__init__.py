"""SparkLend (Aave v3.0.2 with Spark's patches), contract-exact. See spec/sparklend.md.

The public surface, by contract:

- `Pool` (IPool in snake_case, `sender=` the caller; `RoundingMode.HALF_UP_V1` as deployed,
  `RoundingMode.DIRECTED` for the rounding-mitigation upgrade), what `liquidation_call`
  returns (`LiquidationCallResult`), the flash-loan receiver protocols (`FlashLoanReceiver`,
  `FlashLoanSimpleReceiver`) and a receiver that repays (`SimpleFlashLoanReceiver`), its
  tokens (`AToken`, `VariableDebtToken`, `StableDebtToken`) and `DataTypes` (`ReserveData`,
  `EModeCategory`, `InterestRateMode`, `UserAccountData`, the configuration bitmaps);
- `PoolConfigurator`, `Acl` (ACLManager) and its roles;
- prices: the `PriceOracle` protocol the Pool reads, `AaveOracle`, `SimplePriceOracle`,
  `PriceOracleSentinel` (the L2 guard; `PriceOracleSentinelLike` is the protocol the Pool
  reads);
- interest rate strategies and rate sources;
- Spark's periphery: `KillSwitchOracle`, `SparkLendFreezerMom`, `CapAutomator`;
- `make_addr` for deterministic addresses, and the revert-string mapping of the errors.

Everything else (the logic libraries, `PoolState`, the rounding tables) is importable from its
module but not part of this list.
"""

from sparkprime.protocols.sparklend.aave_oracle import AaveOracle
from sparkprime.protocols.sparklend.acl import (
    ASSET_LISTING_ADMIN,
    BRIDGE,
    DEFAULT_ADMIN,
    EMERGENCY_ADMIN,
    FLASH_BORROWER,
    ISOLATED_COLLATERAL_SUPPLIER,
    POOL_ADMIN,
    RISK_ADMIN,
    Acl,
)
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.cap_automator import CapAutomator
from sparkprime.protocols.sparklend.configuration import (
    MAX_RESERVES_COUNT,
    ReserveConfigurationMap,
    UserConfigurationMap,
)
from sparkprime.protocols.sparklend.dai_rate_strategy import DaiInterestRateStrategy
from sparkprime.protocols.sparklend.errors import from_revert_string, revert_string
from sparkprime.protocols.sparklend.flash_loan_logic import (
    FlashLoanReceiver,
    FlashLoanSimpleReceiver,
)
from sparkprime.protocols.sparklend.flash_loan_receiver import SimpleFlashLoanReceiver
from sparkprime.protocols.sparklend.freezer_mom import SparkLendFreezerMom
from sparkprime.protocols.sparklend.kill_switch import KillSwitchOracle
from sparkprime.protocols.sparklend.liquidation_logic import LiquidationCallResult
from sparkprime.protocols.sparklend.oracle import PriceOracle, SimplePriceOracle
from sparkprime.protocols.sparklend.oracle import PriceOracleSentinel as PriceOracleSentinelLike
from sparkprime.protocols.sparklend.pool import POOL_REVISION, Pool
from sparkprime.protocols.sparklend.pool_configurator import InitReserveInput, PoolConfigurator
from sparkprime.protocols.sparklend.price_oracle_sentinel import PriceOracleSentinel
from sparkprime.protocols.sparklend.rate_sources import (
    CappedFallbackRateSource,
    PotRateSource,
    RateSource,
    SSRRateSource,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    CalculateInterestRatesParams,
    DefaultReserveInterestRateStrategy,
    InterestRates,
    RateTargetBaseInterestRateStrategy,
    RateTargetKinkInterestRateStrategy,
    ReserveInterestRateStrategy,
    VariableBorrowInterestRateStrategy,
)
from sparkprime.protocols.sparklend.rounding import RoundingMode
from sparkprime.protocols.sparklend.tokens import AToken, StableDebtToken, VariableDebtToken
from sparkprime.protocols.sparklend.types import (
    EModeCategory,
    InterestRateMode,
    ReserveData,
    UserAccountData,
)
from sparkprime.protocols.sparklend.validation_logic import (
    HEALTH_FACTOR_LIQUIDATION_THRESHOLD,
    MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD,
)

__all__ = [
    "ASSET_LISTING_ADMIN",
    "BRIDGE",
    "DEFAULT_ADMIN",
    "EMERGENCY_ADMIN",
    "FLASH_BORROWER",
    "HEALTH_FACTOR_LIQUIDATION_THRESHOLD",
    "ISOLATED_COLLATERAL_SUPPLIER",
    "MAX_RESERVES_COUNT",
    "MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD",
    "POOL_ADMIN",
    "POOL_REVISION",
    "RISK_ADMIN",
    "ZERO_ADDRESS",
    "AToken",
    "AaveOracle",
    "Acl",
    "CalculateInterestRatesParams",
    "CapAutomator",
    "CappedFallbackRateSource",
    "DaiInterestRateStrategy",
    "DefaultReserveInterestRateStrategy",
    "EModeCategory",
    "FlashLoanReceiver",
    "FlashLoanSimpleReceiver",
    "InitReserveInput",
    "InterestRateMode",
    "InterestRates",
    "KillSwitchOracle",
    "LiquidationCallResult",
    "Pool",
    "PoolConfigurator",
    "PotRateSource",
    "PriceOracle",
    "PriceOracleSentinel",
    "PriceOracleSentinelLike",
    "RateSource",
    "RateTargetBaseInterestRateStrategy",
    "RateTargetKinkInterestRateStrategy",
    "ReserveConfigurationMap",
    "ReserveData",
    "ReserveInterestRateStrategy",
    "RoundingMode",
    "SSRRateSource",
    "SimpleFlashLoanReceiver",
    "SimplePriceOracle",
    "SparkLendFreezerMom",
    "StableDebtToken",
    "UserAccountData",
    "UserConfigurationMap",
    "VariableBorrowInterestRateStrategy",
    "VariableDebtToken",
    "from_revert_string",
    "make_addr",
    "revert_string",
]
