"""sparkprime: an open engine for DeFi prime brokerage.

Packages (imports go one way, left to right): core <- ledger, oracle <- protocols <- prime
<- risk <- sim <- report <- cli, service. See DESIGN.md §1.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
