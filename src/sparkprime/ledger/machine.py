"""What the journal needs from a deterministic state machine.

A state machine owns its state and its `Clock`. `apply` validates first and raises
`ProtocolError` without changing anything, or mutates and returns a JSON-able result. The
same commands in the same order at the same timestamps must give the same results and the
same `state_hash`: the journal's replay checks both.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, Self, runtime_checkable

from sparkprime.core.clock import Clock

__all__ = ["JsonValue", "StateMachine"]

JsonValue = Any  # None | bool | int | str | list[JsonValue] | dict[str, JsonValue]


@runtime_checkable
class StateMachine(Protocol):
    """A deterministic fold over commands."""

    #: Stable name with a version, e.g. "sparklend.pool/1"; a journal is bound to one.
    NAME: ClassVar[str]
    #: The command classes (declared with @command) this machine accepts.
    COMMAND_TYPES: ClassVar[tuple[type, ...]]

    @property
    def clock(self) -> Clock:
        """The machine's clock; the journal warps it to each command's timestamp."""
        ...

    def apply(self, command: Any) -> JsonValue:
        """Validate then execute `command` at `clock.now`; return a JSON-able result."""
        ...

    def state_hash(self) -> str:
        """A hex digest of the whole state (including the clock)."""
        ...

    def snapshot(self) -> JsonValue:
        """The whole state as a JSON-able value that `restore` turns back into a machine."""
        ...

    @classmethod
    def restore(cls, snapshot: JsonValue) -> Self:
        """Rebuild a machine from `snapshot()`."""
        ...
