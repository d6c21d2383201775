"""Seeded randomness: every random draw in the engine comes from an `Rng` made from a seed.

No global random state: a run is a function of its seed. `child(label)` derives an
independent stream by hashing (seed, label), so adding a new consumer does not shift the
draws of the others.

Example:
    >>> Rng(7).child("prices").randint(1, 6) == Rng(7).child("prices").randint(1, 6)
    True
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

from sparkprime.core.uint import check_uint

__all__ = ["Rng"]

T = TypeVar("T")


class Rng:
    """A deterministic random stream (Mersenne Twister seeded from a 256-bit digest)."""

    __slots__ = ("_random", "seed")

    def __init__(self, seed: int) -> None:
        self.seed = check_uint(seed, field="seed", bits=256)
        self._random = random.Random(seed)

    def child(self, label: str) -> Rng:
        """An independent stream named `label`, the same for the same seed and label."""
        digest = hashlib.sha256(f"{self.seed}/{label}".encode()).digest()
        return Rng(int.from_bytes(digest, "big"))

    def randint(self, low: int, high: int) -> int:
        """An int in [low, high], both ends included."""
        return self._random.randint(low, high)

    def randbits(self, bits: int) -> int:
        """A non-negative int of at most `bits` bits."""
        return self._random.getrandbits(bits)

    def uniform(self, low: float, high: float) -> float:
        """A float in [low, high] (for the fast tier; never for a balance)."""
        return self._random.uniform(low, high)

    def random(self) -> float:
        """A float in [0, 1)."""
        return self._random.random()

    def gauss(self, mu: float, sigma: float) -> float:
        """A normal draw."""
        return self._random.gauss(mu, sigma)

    def choice(self, items: Sequence[T]) -> T:
        """One item of a non-empty sequence."""
        return self._random.choice(items)

    def shuffle(self, items: MutableSequence[T]) -> None:
        """Shuffle in place."""
        self._random.shuffle(items)
