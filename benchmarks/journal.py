"""Journal throughput: commands acknowledged per second, against a raw-SQLite baseline.

The baseline is the floor a durable journal cannot beat on this disk: plain sqlite3 inserts
in WAL mode with synchronous=FULL, one commit per row (and one commit per batch). The ratio
says what the ledger's checks, hashing, state machine and SQLAlchemy cost on top.

Run: .venv/bin/python benchmarks/journal.py [--commands N]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.ledger.machines

from tests.ledger.machines import Bank, Deposit, Transfer

from sparkprime.ledger import Ledger, MemoryJournalStore, SqlJournalStore, Submission


def _commands(n: int) -> list[object]:
    out: list[object] = []
    for i in range(n):
        if i % 3 == 2:
            out.append(Transfer(source=f"a{(i - 1) % 50}", target=f"a{(i + 7) % 50}", amount=1))
        else:
            out.append(Deposit(account=f"a{i % 50}", amount=10**18 + i))
    return out


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def raw_sqlite(path: Path, n: int, *, batch: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, payload TEXT, hash TEXT)")
    start = time.perf_counter()
    for first in range(0, n, batch):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO t VALUES (?, ?, ?)",
            [(i, '{"account":"a1","amount":1}', "0" * 64) for i in range(first, first + batch)],
        )
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return _rate(n, seconds)


def ledger_rate(store: object, n: int, *, batch: int) -> float:
    ledger = Ledger.create(store, Bank())  # type: ignore[arg-type]
    commands = _commands(n)
    start = time.perf_counter()
    if batch == 1:
        for i, cmd in enumerate(commands):
            ledger.submit(cmd, idempotency_key=f"k{i}")
    else:
        for first in range(0, n, batch):
            ledger.submit_batch(
                [
                    Submission(command=cmd, idempotency_key=f"k{first + j}")
                    for j, cmd in enumerate(commands[first : first + batch])
                ]
            )
    seconds = time.perf_counter() - start
    ledger.close()
    return _rate(n, seconds)


def replay_rate(path: Path) -> tuple[int, float]:
    start = time.perf_counter()
    ledger = Ledger.open(SqlJournalStore.sqlite(str(path)), Bank, use_snapshots=False)
    seconds = time.perf_counter() - start
    return ledger.head_seq, _rate(ledger.head_seq, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=2_000)
    n = parser.parse_args().commands
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        rows = [
            ("raw sqlite3, commit per row", raw_sqlite(d / "raw1.db", n, batch=1), None),
            (
                "ledger on SQLite, submit",
                ledger_rate(SqlJournalStore.sqlite(str(d / "l1.db")), n, batch=1),
                0,
            ),
            ("raw sqlite3, commit per 100", raw_sqlite(d / "raw100.db", n * 5, batch=100), None),
            (
                "ledger on SQLite, submit_batch(100)",
                ledger_rate(SqlJournalStore.sqlite(str(d / "l100.db")), n * 5, batch=100),
                2,
            ),
            ("ledger in memory, submit", ledger_rate(MemoryJournalStore(), n * 5, batch=1), None),
        ]
        entries, replay = replay_rate(d / "l100.db")
    print(f"{'what':40} {'commands/s':>12} {'vs raw baseline':>16}")
    for label, rate, base in rows:
        ratio = "" if base is None else f"{rate / rows[base][1]:.2f}x"
        print(f"{label:40} {rate:12,.0f} {ratio:>16}")
    print(f"{'replay on open (full chain verify)':40} {replay:12,.0f}   ({entries} entries)")


if __name__ == "__main__":
    main()
