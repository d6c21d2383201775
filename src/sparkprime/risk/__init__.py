"""The fast tier: the scalar margin model of `prime/` as NumPy kernels over the whole book.

`risk.book_arrays` lays the book out as accounts x columns arrays, `risk.margin_kernels`
margins every account at once, `risk.whatif_fast` answers a single-account what-if on the
precomputed row. Float64 throughout; the exact int model in `prime.margin` is the reference
and the kernels agree with it to a relative 1e-9 (tests/risk).
"""

from __future__ import annotations

from sparkprime.risk.book_arrays import BookArrays, build_book_arrays, reprice
from sparkprime.risk.margin_kernels import MarginBatch, grid_stpv, margin_batch
from sparkprime.risk.whatif_fast import FastWhatIf, what_if_fast

__all__ = [
    "BookArrays",
    "FastWhatIf",
    "MarginBatch",
    "build_book_arrays",
    "grid_stpv",
    "margin_batch",
    "reprice",
    "what_if_fast",
]
