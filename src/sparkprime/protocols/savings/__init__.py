"""Maker/Sky savings and Spark's savings vaults, exact to the wei.

- `Pot` (dss DSR), `SavingsDai` (sDAI) and `SUsds` (sUSDS): ERC-4626 vaults over a ray
  accumulator, with the contracts' rounding (never in the caller's favour).
- `SPBEAM` with `sky_spbeam()`: the SSR/DSR governance bounds (min, max, step, cooldown) over
  the rates `Conv` table.
- `SSRAuthOracle` / `SSRMainnetOracle`: the cross-chain SSR oracle (exact, linear and binomial
  conversion rates, maxSSR), also PSM3's rate provider.
- `SparkVault` (Spark Savings v2: spUSDC, spUSDT, spETH) and `SparkPrimeVault` (spPRIME: FIFO
  deposit and redeem queues over an spUSDC sleeve).
"""

from __future__ import annotations

from sparkprime.protocols.savings.erc4626 import SavingsVault
from sparkprime.protocols.savings.pot import Pot
from sparkprime.protocols.savings.rates_conv import Conv
from sparkprime.protocols.savings.sdai import SavingsDai
from sparkprime.protocols.savings.spark_vault import SparkVault
from sparkprime.protocols.savings.spprime import SparkPrimeVault
from sparkprime.protocols.savings.ssr_bounds import SPBEAM, sky_spbeam
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.savings.xchain_ssr_oracle import (
    SSRAuthOracle,
    SSRMainnetOracle,
    SSROracleBase,
)

__all__ = [
    "SPBEAM",
    "Conv",
    "Pot",
    "SSRAuthOracle",
    "SSRMainnetOracle",
    "SSROracleBase",
    "SUsds",
    "SavingsDai",
    "SavingsVault",
    "SparkPrimeVault",
    "SparkVault",
    "sky_spbeam",
]
