"""One external call, all-or-nothing: the EVM's revert for the periphery contracts.

The periphery contracts write through the Pool's `Atomic` (their own fields, the Pool's
reserves through the PoolConfigurator, events), so a call that fails part-way (a kill-switch
trigger whose third `setReserveBorrowing` reverts, a `setPoolPause` over many reserves)
undoes every write it made, theirs and the Pool's. Calls nest: a KillSwitchOracle trigger
runs PoolConfigurator calls inside its own action, and only the outermost one commits.

Example:
    >>> from sparkprime.protocols.atomic import Atomic
    >>> atomic, box = Atomic(), {"x": 1}
    >>> def fail() -> None:
    ...     atomic.set_item(box, "x", 2)
    ...     raise ValueError("revert")
    >>> try:
    ...     transact(atomic, fail)
    ... except ValueError:
    ...     pass
    >>> box
    {'x': 1}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sparkprime.protocols.atomic import Atomic

__all__ = ["transact"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def transact(atomic: Atomic, fn: Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """Run `fn(*args, **kwargs)` as one action of `atomic`: any exception rolls back every
    write logged since it began, and is re-raised."""
    mark = atomic.begin()
    try:
        result = fn(*args, **kwargs)
    except BaseException:
        atomic.rollback(mark)
        raise
    atomic.commit()
    return result
