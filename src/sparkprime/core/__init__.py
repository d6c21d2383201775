"""Exact fixed-point math, the error model, time, ids and seeded randomness."""
