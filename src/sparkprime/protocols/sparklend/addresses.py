"""Deterministic addresses for tests, presets and simulations.

`make_addr(label)` is the last 20 bytes of sha256(label), so the same label always gives the
same address. It is NOT Ethereum's `makeAddr` (foundry derives a private key from
keccak256(label) and takes the address of its public key): the addresses differ from the
ones a Solidity test prints, which does not matter as nothing here hashes or signs them.

Example:
    >>> make_addr("supplier") == make_addr("supplier")
    True
    >>> len(make_addr("supplier"))
    42
"""

from __future__ import annotations

import hashlib
from typing import Final

from sparkprime.core.ids import Address

__all__ = ["ZERO_ADDRESS", "make_addr"]

ZERO_ADDRESS: Final = Address("0x" + "00" * 20)


def make_addr(label: str) -> Address:
    """A lower-case 0x-address derived from `label` (sha256, last 20 bytes)."""
    return Address("0x" + hashlib.sha256(label.encode()).hexdigest()[-40:])
