"""All-or-nothing actions: an undo log that gives a Python model the EVM's revert.

A contract call either completes or reverts, and a revert leaves no trace, even when the
failing check comes after some writes (SparkLend's withdraw checks the health factor after
burning the aTokens; a repay's token pull comes after the debt burn). The models here run the
contract's steps in the contract's order, so a failing step can come after writes too. Every
write to protocol state therefore goes through an `Atomic`: while an action is open the old
value is logged, and `rollback` puts every logged value back, newest first.

Nesting is allowed (an aToken transfer calls back into the pool): only the outermost action
commits or rolls back, so an inner failure undoes the whole outer action, as a revert does.

Example:
    >>> atomic = Atomic()
    >>> balances = {"alice": 10}
    >>> mark = atomic.begin()
    >>> atomic.set_item(balances, "alice", 3)
    >>> atomic.set_item(balances, "bob", 7)
    >>> atomic.rollback(mark)
    >>> balances
    {'alice': 10}
"""

from __future__ import annotations

from typing import Any, Final, Protocol

from sparkprime.core.errors import InvariantViolation

__all__ = ["Atomic", "Restorable"]

_MISSING: Final = object()


class Restorable(Protocol):
    """An object that can hand out its fields as a tuple and take them back."""

    def save_fields(self) -> tuple[Any, ...]:
        """All mutable fields, in a fixed order."""
        ...

    def restore_fields(self, fields: tuple[Any, ...]) -> None:
        """Put back what `save_fields` returned."""
        ...


class Atomic:
    """An undo log shared by the pool, its tokens and the underlying ERC-20s."""

    __slots__ = ("_depth", "_log", "_saved")

    def __init__(self) -> None:
        # Entries: (dict, key, old value or _MISSING) or (Restorable, None, saved fields).
        self._log: list[tuple[Any, Any, Any]] = []
        self._depth = 0
        # Objects whose fields are already saved in the open action (by id), so a reserve
        # touched several times in one action is saved once.
        self._saved: set[int] = set()

    @property
    def active(self) -> bool:
        """True while an action is open."""
        return self._depth != 0

    def begin(self) -> int:
        """Open an action (or a nested one); return the mark to roll back to."""
        self._depth += 1
        return len(self._log)

    def commit(self) -> None:
        """Close the innermost action; the outermost one forgets its log."""
        if self._depth == 0:
            raise InvariantViolation("Atomic.commit without begin")
        self._depth -= 1
        if self._depth == 0:
            self._log.clear()
            self._saved.clear()

    def rollback(self, mark: int) -> None:
        """Undo every write logged since `mark` and close the innermost action."""
        if self._depth == 0:
            raise InvariantViolation("Atomic.rollback without begin")
        log = self._log
        while len(log) > mark:
            target, key, old = log.pop()
            if key is None and not isinstance(target, dict):
                target.restore_fields(old)
                self._saved.discard(id(target))
            elif old is _MISSING:
                target.pop(key, None)
            else:
                target[key] = old
        self._depth -= 1
        if self._depth == 0:
            log.clear()
            self._saved.clear()

    def set_item(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        """`mapping[key] = value`, logged while an action is open."""
        if self._depth:
            self._log.append((mapping, key, mapping.get(key, _MISSING)))
        mapping[key] = value

    def del_item(self, mapping: dict[Any, Any], key: Any) -> None:
        """`del mapping[key]` if present, logged while an action is open."""
        if key in mapping:
            if self._depth:
                self._log.append((mapping, key, mapping[key]))
            del mapping[key]

    def save(self, obj: Restorable) -> None:
        """Log `obj`'s fields once per action, before its first write."""
        if self._depth and id(obj) not in self._saved:
            self._saved.add(id(obj))
            self._log.append((obj, None, obj.save_fields()))
