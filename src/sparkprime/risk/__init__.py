"""The fast tier: the scalar margin model of `prime/` as NumPy kernels over the whole book.

`risk.book_arrays` lays the book out as accounts x columns arrays, `risk.margin_kernels`
margins every account at once, `risk.whatif_fast` answers a single-account what-if on the
precomputed row. Float64 throughout; the exact int model in `prime.margin` is the reference
and the kernels agree with it to a relative 1e-9 (tests/risk).
"""

__all__: list[str] = []
