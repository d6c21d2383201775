"""Spark Prime: the portfolio-margin credit engine under the Atlas rules (A.6.1.1.1.3.7).

Policy as versioned data (`policy`, `ocl_policy`), the book, margin, limits, loans and
liquidation plans. Import from the modules directly; the package exports are filled in later.
"""

from __future__ import annotations

__all__: list[str] = []
