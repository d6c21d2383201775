"""A small deterministic state machine for journal tests: accounts with balances."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar, Self

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX
from sparkprime.ledger.command import Uint256, canonical_json, command


@command("bank.deposit")
class Deposit:
    account: str
    amount: Uint256


@command("bank.withdraw")
class Withdraw:
    account: str
    amount: Uint256


@command("bank.transfer")
class Transfer:
    source: str
    target: str
    amount: Uint256


class Bank:
    """Balances per account; every command records the time it ran at."""

    NAME: ClassVar[str] = "tests.bank/1"
    COMMAND_TYPES: ClassVar[tuple[type, ...]] = (Deposit, Withdraw, Transfer)

    def __init__(self, *, start_ts_s: int = 0) -> None:
        self._clock = Clock(start_ts_s)
        self.balances: dict[str, int] = {}
        self.last_ts_s = start_ts_s
        self.applied = 0

    @property
    def clock(self) -> Clock:
        return self._clock

    def apply(self, command: Any) -> Any:
        if isinstance(command, Deposit):
            return self._deposit(command)
        if isinstance(command, Withdraw):
            return self._withdraw(command)
        if isinstance(command, Transfer):
            return self._transfer(command)
        raise ProtocolError(ErrorCode.UNKNOWN_COMMAND_KIND, kind=type(command).__name__)

    def _require(self, account: str, amount: int) -> None:
        balance = self.balances.get(account, 0)
        if balance < amount:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE, account=account, balance=balance, amount=amount
            )

    def _touch(self) -> None:
        self.last_ts_s = self._clock.now
        self.applied += 1

    def _deposit(self, cmd: Deposit) -> int:
        next_balance = self.balances.get(cmd.account, 0) + cmd.amount
        if next_balance > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="deposit")
        self.balances[cmd.account] = next_balance
        self._touch()
        return next_balance

    def _withdraw(self, cmd: Withdraw) -> int:
        self._require(cmd.account, cmd.amount)
        self.balances[cmd.account] = self.balances.get(cmd.account, 0) - cmd.amount
        self._touch()
        return self.balances[cmd.account]

    def _transfer(self, cmd: Transfer) -> dict[str, int]:
        self._require(cmd.source, cmd.amount)
        if self.balances.get(cmd.target, 0) + cmd.amount > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="transfer")
        self.balances[cmd.source] = self.balances.get(cmd.source, 0) - cmd.amount
        self.balances[cmd.target] = self.balances.get(cmd.target, 0) + cmd.amount
        self._touch()
        return {"source": self.balances[cmd.source], "target": self.balances[cmd.target]}

    def snapshot(self) -> Any:
        return {
            "now_s": self._clock.now,
            "last_ts_s": self.last_ts_s,
            "applied": self.applied,
            "balances": dict(sorted(self.balances.items())),
        }

    def state_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.snapshot()).encode()).hexdigest()

    @classmethod
    def restore(cls, snapshot: Any) -> Self:
        bank = cls(start_ts_s=snapshot["now_s"])
        bank.last_ts_s = snapshot["last_ts_s"]
        bank.applied = snapshot["applied"]
        bank.balances = dict(snapshot["balances"])
        return bank
