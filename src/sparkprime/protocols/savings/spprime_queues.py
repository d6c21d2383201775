"""The two FIFO queues of spPRIME (`SparkPrimeVault.depositQueue` / `redeemQueue`).

A queue is the contract's `Request[]` plus its head: entries are pushed at the end, filled
from `head` (a partial fill leaves the entry at the head), and a cancel zeroes an entry in
place (`delete queue[i]`), which the processing loop then steps over. Entries are never
removed, so a request id is its index for ever. An index past the end is the EVM's
out-of-bounds panic. Writes go through the vault's `Atomic`, so a reverted call leaves the
queue as it was.

Example:
    >>> from sparkprime.protocols.atomic import Atomic
    >>> q = RequestQueue(Atomic())
    >>> owner = Address("0x" + "aa" * 20)
    >>> q.push(Request(owner=owner, recipient=owner, amount=5, fee=0))
    0
    >>> q[0].amount, len(q), q.head
    (5, 1, 0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS

__all__ = ["EMPTY_REQUEST", "Request", "RequestQueue"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """`SparkPrimeVault.Request`: who paid, who receives, how much is left, the locked fee.

    `amount` is spUSDC shares in the deposit queue and spPRIME shares in the redeem queue;
    `fee` (wad) is the redeem fee at request time (0 for deposits)."""

    owner: Address
    recipient: Address
    amount: int
    fee: int


EMPTY_REQUEST: Final = Request(owner=ZERO_ADDRESS, recipient=ZERO_ADDRESS, amount=0, fee=0)


class RequestQueue:
    """An append-only array of requests with a head index, undone with its action."""

    __slots__ = ("_atomic", "_items", "_meta")

    def __init__(self, atomic: Atomic) -> None:
        self._atomic = atomic
        self._items: dict[int, Request] = {}
        self._meta: dict[str, int] = {"length": 0, "head": 0}

    @property
    def head(self) -> int:
        """The first index not yet filled."""
        return self._meta["head"]

    def __len__(self) -> int:
        return self._meta["length"]

    def __getitem__(self, index: int) -> Request:
        if type(index) is not int or not 0 <= index < self._meta["length"]:
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE,
                field="request_id",
                value=index,
                min=0,
                max=self._meta["length"] - 1,
                reason="Panic(0x32): array index out of bounds",
            )
        return self._items[index]

    def __iter__(self) -> Iterator[Request]:
        return (self._items[i] for i in range(self._meta["length"]))

    def push(self, request: Request) -> int:
        """Append `request`; return its id."""
        index = self._meta["length"]
        self._atomic.set_item(self._items, index, request)
        self._atomic.set_item(self._meta, "length", index + 1)
        return index

    def set(self, index: int, request: Request) -> None:
        """Replace the entry at `index` (a fill or a cancel)."""
        self[index]  # bounds check
        self._atomic.set_item(self._items, index, request)

    def delete(self, index: int) -> None:
        """`delete queue[index]`: zero the entry in place."""
        self.set(index, EMPTY_REQUEST)

    def set_head(self, head: int) -> None:
        """Move the head (only the processing loops do)."""
        self._atomic.set_item(self._meta, "head", head)
