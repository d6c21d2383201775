"""The foundation at work: a journaled savings pot, accruing at a dss-exact rate.

What it shows (until the `sparkprime` command lands, this is what `make demo` runs):
1. A small state machine (a Pot-like savings vault: chi accrues per second with `rpow`,
   balances are normalised "pie" as in dss) driven only through commands.
2. Every command goes to a SQLite journal (WAL, synchronous=FULL), hash-chained, before it
   is acknowledged; an idempotent retry returns the first result; bad input gets a clear
   error and changes nothing.
3. The process "crashes" (the ledger object is dropped) and the journal is reopened: the
   chain verifies and replay gives the same state hash, with and without snapshots.

The savings machine here is an illustration of the `StateMachine` protocol; the contract-exact
Pot / sDAI / sUSDS models are their own issue (DESIGN §8, step 3).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Console
from rich.table import Table

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, ray_div_ceil, ray_div_floor, ray_mul, ray_mul_floor
from sparkprime.core.rpow import rpow
from sparkprime.ledger import Ledger, SqlJournalStore, Uint256, canonical_json, command

# dss's per-second rate for 5% a year: rpow(DSR_5PCT, 365 days, RAY) is 1.05 RAY, to 1e-18.
DSR_5PCT_RAY = 1_000_000_001_547_125_957_863_212_448
YEAR_S = 365 * 86_400
START_TS_S = 1_735_689_600  # 2025-01-01T00:00:00Z


@command("demo.join")
class Join:
    saver: str
    amount_wad: Uint256


@command("demo.exit")
class Exit:
    saver: str
    amount_wad: Uint256


@command("demo.drip")
class Drip:
    pass


class SavingsPot:
    """chi accrues at `dsr` per second; a saver's claim is pie * chi (floors favour the pot)."""

    NAME: ClassVar[str] = "examples.savings_pot/1"
    COMMAND_TYPES: ClassVar[tuple[type, ...]] = (Join, Exit, Drip)

    def __init__(self, *, start_ts_s: int, dsr_ray: int) -> None:
        self._clock = Clock(start_ts_s)
        self.dsr_ray = dsr_ray
        self.chi_ray = RAY
        self.rho_s = start_ts_s
        self.pie_wad: dict[str, int] = {}

    @property
    def clock(self) -> Clock:
        return self._clock

    def balance_wad(self, saver: str) -> int:
        return ray_mul_floor(self.pie_wad.get(saver, 0), self.chi_ray)

    def apply(self, command: Any) -> Any:
        self._drip()
        if isinstance(command, Join):
            pie = ray_div_floor(command.amount_wad, self.chi_ray)
            self.pie_wad[command.saver] = self.pie_wad.get(command.saver, 0) + pie
            return {"pie_wad": pie, "chi_ray": self.chi_ray}
        if isinstance(command, Exit):
            have = self.balance_wad(command.saver)
            if command.amount_wad > have:
                raise ProtocolError(
                    ErrorCode.INSUFFICIENT_BALANCE,
                    account=command.saver,
                    balance=have,
                    amount=command.amount_wad,
                )
            # Round the pie taken up (the pot never pays out more than it holds), capped at
            # what the saver has so a full exit leaves no dust behind.
            pie = min(ray_div_ceil(command.amount_wad, self.chi_ray), self.pie_wad[command.saver])
            self.pie_wad[command.saver] -= pie
            return {"pie_wad": pie, "chi_ray": self.chi_ray}
        return {"chi_ray": self.chi_ray}

    def _drip(self) -> None:
        now = self._clock.now
        if now > self.rho_s:
            self.chi_ray = ray_mul(rpow(self.dsr_ray, now - self.rho_s, RAY), self.chi_ray)
            self.rho_s = now

    def snapshot(self) -> Any:
        return {
            "now_s": self._clock.now,
            "dsr_ray": self.dsr_ray,
            "chi_ray": self.chi_ray,
            "rho_s": self.rho_s,
            "pie_wad": dict(sorted(self.pie_wad.items())),
        }

    def state_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.snapshot()).encode()).hexdigest()

    @classmethod
    def restore(cls, snapshot: Any) -> SavingsPot:
        pot = cls(start_ts_s=snapshot["now_s"], dsr_ray=snapshot["dsr_ray"])
        pot.chi_ray, pot.rho_s = snapshot["chi_ray"], snapshot["rho_s"]
        pot.pie_wad = dict(snapshot["pie_wad"])
        return pot


def _wad(amount: int) -> str:
    whole, frac = divmod(amount, 10**18)  # exact: shown to 6 decimals, truncated
    return f"{whole:,}.{frac // 10**12:06d}"


def main() -> None:
    console = Console()
    console.rule("[bold]sparkprime foundation demo")
    year_chi = rpow(DSR_5PCT_RAY, YEAR_S, RAY)
    console.print(f"dss rpow: chi after one year at the 5% DSR = {year_chi} (RAY = 1e27)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "savings.db"
        genesis = SavingsPot(start_ts_s=START_TS_S, dsr_ray=DSR_5PCT_RAY)
        ledger = Ledger.create(SqlJournalStore.sqlite(str(path)), genesis)
        month_s = YEAR_S // 12
        plan = [
            (0, Join(saver="fund-a", amount_wad=1_000_000 * 10**18), "join-a"),
            (month_s, Join(saver="fund-b", amount_wad=250_000 * 10**18), "join-b"),
            (6 * month_s, Exit(saver="fund-a", amount_wad=400_000 * 10**18), "exit-a"),
            (YEAR_S, Drip(), "drip-1y"),
        ]
        for offset_s, cmd, key in plan:
            ledger.submit(cmd, idempotency_key=key, ts_s=START_TS_S + offset_s)

        retry = ledger.submit(plan[0][1], idempotency_key="join-a")
        console.print(f"retry of 'join-a' -> duplicate={retry.duplicate}, seq {retry.seq}")
        for bad in (
            lambda: ledger.submit(Exit(saver="fund-b", amount_wad=10**30)),
            lambda: Join(saver="fund-c", amount_wad=-5),
            lambda: ledger.submit(Join(saver="fund-a", amount_wad=1), idempotency_key="join-a"),
        ):
            try:
                bad()
            except ProtocolError as error:
                console.print(f"[red]rejected[/red] {error}")

        table = Table(title=f"Journal ({path.name}, SQLite WAL, synchronous=FULL)")
        for column in ("seq", "ts_s", "key", "kind", "entry hash"):
            table.add_column(column)
        for entry in ledger.entries():
            table.add_row(
                str(entry.seq),
                str(entry.ts_s),
                str(entry.idempotency_key),
                entry.kind,
                entry.entry_hash[:16] + "...",
            )
        console.print(table)

        pot = ledger.machine
        balances = Table(title="Savers after one year")
        balances.add_column("saver")
        balances.add_column("balance (USDS, 6 decimals shown)", justify="right")
        for saver in sorted(pot.pie_wad):
            balances.add_row(saver, _wad(pot.balance_wad(saver)))
        console.print(balances)
        console.print(f"chi = {pot.chi_ray}  rejections logged: {len(ledger.rejections())}")

        ledger.snapshot()
        expected = ledger.state_hash()
        ledger.close()  # as after a crash, only the journal on disk remains
        reopened = Ledger.open(SqlJournalStore.sqlite(str(path)), SavingsPot)
        full = Ledger.open(SqlJournalStore.sqlite(str(path)), SavingsPot, use_snapshots=False)
        same = reopened.state_hash() == full.state_hash() == expected
        console.print(
            f"reopened: chain verified, head seq {reopened.head_seq}, "
            f"state hash {expected[:16]}... equal after replay: [bold]{same}[/bold]"
        )
        if not same:
            raise SystemExit("replay diverged")


if __name__ == "__main__":
    main()
