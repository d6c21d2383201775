"""Maker/Sky savings: the dss Pot (DSR), and sDAI and sUSDS as exact ERC-4626 vaults."""

from __future__ import annotations

from sparkprime.protocols.savings.erc4626 import SavingsVault
from sparkprime.protocols.savings.pot import Pot
from sparkprime.protocols.savings.sdai import SavingsDai
from sparkprime.protocols.savings.susds import SUsds

__all__ = ["Pot", "SUsds", "SavingsDai", "SavingsVault"]
