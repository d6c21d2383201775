"""Running aave-v3-core's hardhat suites (`test-suites/*.spec.ts`) as pytest cases.

A hardhat suite runs its `it`s one after another on one chain; some wrap themselves in
`evmSnapshot` / `evmRevert` (their effects vanish), and some start with
`evmRevert(snapshot)` (they start again from the suite's `before`). `Steps` keeps that shape:
each upstream `it` is registered as a step in order, and `Steps.run(i)` builds a fresh
environment, replays the steps before `i` the way the chain would have seen them, and then
runs step `i`, so each upstream case is one pytest case that fails on its own.

- `reverted=True`: the `it` ran inside its own snapshot; later steps do not see it.
- `fresh=True`: the `it` starts with `evmRevert(snapshot)`: replay starts again from it.
- `requires=(predicate, reason)`: the step needs a model feature that may be missing;
  without it the case is skipped, and so is its replay (the steps after it must not depend
  on its effects; the test module says why they do not).
- `skip=reason`: an upstream case that cannot be ported (a bridge, a permit): it is listed
  as a skipped pytest case, with the reason, and does nothing in replays.
- `replay_only=True`: an upstream case ported elsewhere (say, a configurator case of a
  mixed suite) whose effects later cases need: it is replayed, but is no case of its own.

`assert_reverts` is the revert check every ported revert uses: the exact `ErrorCode`, and
the Pool's `state_hash()` (every reserve, user, token balance and allowance) unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.sparklend.pool import Pool

E = TypeVar("E")

__all__ = ["Steps", "assert_reverts"]


@dataclasses.dataclass(frozen=True, slots=True)
class Step(Generic[E]):
    name: str
    fn: Callable[[E], None]
    reverted: bool
    fresh: bool
    requires: tuple[Callable[[], bool], str] | None
    skip: str | None
    replay_only: bool

    def available(self) -> bool:
        return self.skip is None and (self.requires is None or self.requires[0]())


class Steps(Generic[E]):
    """The `it`s of one upstream suite, in order, over environments made by `setup`."""

    def __init__(self, setup: Callable[[], E]) -> None:
        self._setup = setup
        self._steps: list[Step[E]] = []

    def it(
        self,
        *,
        reverted: bool = False,
        fresh: bool = False,
        requires: tuple[Callable[[], bool], str] | None = None,
        skip: str | None = None,
        replay_only: bool = False,
    ) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
        """Register the decorated function as the next upstream `it`."""

        def register(fn: Callable[[E], None]) -> Callable[[E], None]:
            step = Step(fn.__name__, fn, reverted, fresh, requires, skip, replay_only)
            self._steps.append(step)
            return fn

        return register

    def params(self) -> list[Any]:
        """One `pytest.param` per step, id'd by its name, skipped where it cannot run."""
        out = []
        for index, step in enumerate(self._steps):
            if step.replay_only:
                continue
            marks = []
            if step.skip is not None:
                marks.append(pytest.mark.skip(reason=step.skip))
            elif step.requires is not None:
                marks.append(pytest.mark.skipif(not step.requires[0](), reason=step.requires[1]))
            out.append(pytest.param(index, id=step.name, marks=marks))
        return out

    def run(self, index: int) -> E:
        """A fresh environment, the replay of the steps before `index`, then step `index`."""
        start = 0
        for i in range(index, -1, -1):
            if self._steps[i].fresh:
                start = i
                break
        env = self._setup()
        for step in self._steps[start:index]:
            if step.available() and not step.reverted:
                step.fn(env)
        self._steps[index].fn(env)
        return env


def assert_reverts(
    pool: Pool, code: ErrorCode, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> ProtocolError:
    """`fn(*args, **kwargs)` raises `code`, and the Pool's state hash does not move."""
    before = pool.state_hash()
    with pytest.raises(ProtocolError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert err.code is code, f"{err.code.name} != {code.name}: {err}"
    assert pool.state_hash() == before, "a reverted call changed the Pool"
    return err
