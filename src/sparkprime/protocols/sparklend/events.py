"""Contract events, as a log that an EVM revert would erase.

The periphery contracts (PoolConfigurator, KillSwitchOracle, SparkLendFreezerMom,
CapAutomator) record what their Solidity version emits, so a ported test can assert
`expectEmit` / hardhat's `.to.emit(...).withArgs(...)`. An `EventLog` is `Restorable`: the
first emit of an action logs the log's length in the action's `Atomic`, so an action that
fails after emitting (the EVM's revert) leaves no event behind.

The log is an observation, not protocol state: it is not part of any `snapshot()`, and
`clear()` may be called at any time.

Example:
    >>> from sparkprime.protocols.atomic import Atomic
    >>> atomic, log = Atomic(), EventLog()
    >>> mark = atomic.begin()
    >>> log.emit(atomic, "Reset")
    >>> atomic.rollback(mark)
    >>> len(log)
    0
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from sparkprime.protocols.atomic import Atomic

__all__ = ["Event", "EventLog"]


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One emitted event: its Solidity name and arguments, in the contract's order."""

    name: str
    args: tuple[Any, ...] = ()


class EventLog:
    """Events in emission order; rolled back with the action that emitted them."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: list[Event] = []

    def emit(self, atomic: Atomic, name: str, *args: Any) -> None:
        """Append `name(args...)`, undone if the open action rolls back."""
        atomic.save(self)
        self._items.append(Event(name, args))

    def named(self, name: str) -> list[Event]:
        """Every event called `name`, oldest first."""
        return [e for e in self._items if e.name == name]

    def last(self, count: int = 1) -> list[Event]:
        """The newest `count` events, oldest first."""
        return self._items[-count:] if count else []

    def clear(self) -> None:
        """Forget every event."""
        self._items.clear()

    def __iter__(self) -> Iterator[Event]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    # --- Restorable ---

    def save_fields(self) -> tuple[Any, ...]:
        """The length to truncate back to."""
        return (len(self._items),)

    def restore_fields(self, fields: tuple[Any, ...]) -> None:
        """Drop the events emitted since `save_fields`."""
        del self._items[fields[0] :]
