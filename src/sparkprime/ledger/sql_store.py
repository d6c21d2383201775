"""The durable journal: one schema through SQLAlchemy Core, on SQLite or PostgreSQL.

SQLite (the default) runs in WAL mode with `synchronous=FULL`, so a commit is on disk
before `submit` returns; writers take the lock up front with `BEGIN IMMEDIATE`. PostgreSQL
serialises writers with a transaction-scoped advisory lock. Several processes may share one
journal: each catches up on the others' entries inside its write transaction.

Any database error while reading entries becomes `JOURNAL_CORRUPT` naming the last entry
that was read whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.entry import JournalEntry, Rejection
from sparkprime.ledger.store import Snapshot

__all__ = ["PAGE_SIZE", "SqlJournalStore"]

PAGE_SIZE: Final = 1000  # entries read per query: keyset pages keep memory flat
_KEYS_PER_QUERY: Final = 500  # below SQLite's bound-parameter limit
_WRITE_OPTION: Final = "sparkprime_write"
# Advisory-lock id for PostgreSQL writers (any fixed int64 shared by all writers).
_PG_LOCK_ID: Final = int.from_bytes(hashlib.sha256(b"sparkprime.journal").digest()[:7], "big")

_metadata = sa.MetaData()

meta_table = sa.Table(
    "journal_meta",
    _metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
entry_table = sa.Table(
    "journal_entry",
    _metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("ts_s", sa.BigInteger, nullable=False),
    sa.Column("idempotency_key", sa.String(128), nullable=True, unique=True),
    sa.Column("kind", sa.String(128), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("entry_hash", sa.String(64), nullable=False),
)
snapshot_table = sa.Table(
    "journal_snapshot",
    _metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("chain_hash", sa.String(64), nullable=False),
    sa.Column("state_hash", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("state_sha256", sa.String(64), nullable=False),
)
rejection_table = sa.Table(
    "journal_rejection",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts_s", sa.BigInteger, nullable=False),
    sa.Column("idempotency_key", sa.String(128), nullable=True),
    sa.Column("kind", sa.String(128), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("code", sa.Integer, nullable=False),
    sa.Column("code_name", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)


def _row_to_entry(row: Any) -> JournalEntry:
    return JournalEntry(
        seq=row.seq,
        ts_s=row.ts_s,
        idempotency_key=row.idempotency_key,
        kind=row.kind,
        payload_json=row.payload,
        result_json=row.result,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def _entry_to_row(entry: JournalEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "ts_s": entry.ts_s,
        "idempotency_key": entry.idempotency_key,
        "kind": entry.kind,
        "payload": entry.payload_json,
        "result": entry.result_json,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def _corrupt(last_good_seq: int, exc: BaseException) -> ProtocolError:
    return ProtocolError(
        ErrorCode.JOURNAL_CORRUPT, last_good_seq=last_good_seq, reason=_reason(exc)
    )


def _read_error(last_good_seq: int, exc: BaseException) -> ProtocolError:
    # A lock timeout or a refused connection is not damage: say so, keep "corrupt" for data.
    if isinstance(exc, OperationalError) and "malformed" not in _reason(exc):
        return ProtocolError(ErrorCode.JOURNAL_UNAVAILABLE, reason=_reason(exc))
    return _corrupt(last_good_seq, exc)


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below (pysqlite's own is too lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")  # first: switching to WAL may wait for a lock
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


class _SqlTxn:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def entries_after(self, seq: int) -> list[JournalEntry]:
        query = entry_table.select().where(entry_table.c.seq > seq).order_by(entry_table.c.seq)
        return [_row_to_entry(r) for r in self._conn.execute(query)]

    def find_by_key(self, idempotency_key: str) -> JournalEntry | None:
        query = entry_table.select().where(entry_table.c.idempotency_key == idempotency_key)
        row = self._conn.execute(query).first()
        return None if row is None else _row_to_entry(row)

    def find_by_keys(self, idempotency_keys: Sequence[str]) -> dict[str, JournalEntry]:
        found: dict[str, JournalEntry] = {}
        unique = sorted(set(idempotency_keys))
        for first in range(0, len(unique), _KEYS_PER_QUERY):
            chunk = unique[first : first + _KEYS_PER_QUERY]
            query = entry_table.select().where(entry_table.c.idempotency_key.in_(chunk))
            for row in self._conn.execute(query):
                found[row.idempotency_key] = _row_to_entry(row)
        return found

    def append(self, entries: Sequence[JournalEntry]) -> None:
        if entries:
            self._conn.execute(entry_table.insert(), [_entry_to_row(e) for e in entries])

    def add_rejection(self, rejection: Rejection) -> None:
        self._conn.execute(
            rejection_table.insert(),
            {
                "ts_s": rejection.ts_s,
                "idempotency_key": rejection.idempotency_key,
                "kind": rejection.kind,
                "payload": rejection.payload_json,
                "code": rejection.code,
                "code_name": rejection.code_name,
                "message": rejection.message,
            },
        )

    def snapshot_seqs(self) -> list[int]:
        query = sa.select(snapshot_table.c.seq).order_by(snapshot_table.c.seq)
        return [row.seq for row in self._conn.execute(query)]

    def delete_snapshots(self, seqs: Sequence[int]) -> None:
        if seqs:
            self._conn.execute(snapshot_table.delete().where(snapshot_table.c.seq.in_(seqs)))

    def save_snapshot(self, snapshot: Snapshot) -> None:
        self._conn.execute(snapshot_table.delete().where(snapshot_table.c.seq == snapshot.seq))
        self._conn.execute(
            snapshot_table.insert(),
            {
                "seq": snapshot.seq,
                "chain_hash": snapshot.chain_hash,
                "state_hash": snapshot.state_hash,
                "state": snapshot.state_json,
                "state_sha256": snapshot.state_sha256,
            },
        )


class SqlJournalStore:
    """A journal in a SQL database. `url` is an SQLAlchemy URL (sqlite:///path, postgresql+psycopg://...)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._dialect = sa.make_url(url).get_backend_name()
        if self._dialect not in ("sqlite", "postgresql"):
            raise ProtocolError(
                ErrorCode.MALFORMED_PAYLOAD, reason=f"unsupported database {self._dialect!r}"
            )
        kwargs: dict[str, Any] = {}
        if self._dialect == "sqlite" and sa.make_url(url).database in (None, "", ":memory:"):
            # One shared connection, or each checkout would see its own empty database.
            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        self._engine = sa.create_engine(url, **kwargs)
        if self._dialect == "sqlite":
            _install_sqlite_pragmas(self._engine)

    @classmethod
    def sqlite(cls, path: str) -> SqlJournalStore:
        """A journal in the SQLite file at `path` (created if missing)."""
        return cls(f"sqlite:///{path}")

    def read_meta(self) -> dict[str, str] | None:
        try:
            with self._engine.connect() as conn:
                if not sa.inspect(conn).has_table(meta_table.name):
                    return None
                return {row.key: row.value for row in conn.execute(meta_table.select())}
        except DBAPIError as exc:
            raise _read_error(0, exc) from None

    def initialize(self, meta: dict[str, str], genesis: Snapshot) -> None:
        # Under the writers' lock, so two processes creating one journal cannot both win.
        with self._write_connection() as conn, conn.begin():
            self._lock(conn)
            if sa.inspect(conn).has_table(meta_table.name):
                found = conn.execute(
                    meta_table.select().where(meta_table.c.key == "state_machine")
                ).first()
                raise ProtocolError(
                    ErrorCode.JOURNAL_EXISTS, state_machine=None if found is None else found.value
                )
            _metadata.create_all(conn)
            conn.execute(meta_table.insert(), [{"key": k, "value": v} for k, v in meta.items()])
            _SqlTxn(conn).save_snapshot(genesis)

    def iter_entries(self, after_seq: int) -> Iterator[JournalEntry]:
        last_seq = after_seq
        while True:
            query = (
                entry_table.select()
                .where(entry_table.c.seq > last_seq)
                .order_by(entry_table.c.seq)
                .limit(PAGE_SIZE)
            )
            try:
                with self._engine.connect() as conn:
                    page = [_row_to_entry(r) for r in conn.execute(query)]
            except (SQLAlchemyError, ValueError, TypeError) as exc:
                raise _corrupt(last_seq, exc) from None
            yield from page
            if len(page) < PAGE_SIZE:
                return
            last_seq = page[-1].seq

    def find_by_key(self, idempotency_key: str) -> JournalEntry | None:
        with self._engine.connect() as conn:
            return _SqlTxn(conn).find_by_key(idempotency_key)

    def snapshot_seqs(self) -> list[int]:
        try:
            with self._engine.connect() as conn:
                return _SqlTxn(conn).snapshot_seqs()
        except SQLAlchemyError as exc:
            raise ProtocolError(ErrorCode.SNAPSHOT_CORRUPT, seq="?", reason=_reason(exc)) from None

    def read_snapshot(self, seq: int) -> Snapshot | None:
        query = snapshot_table.select().where(snapshot_table.c.seq == seq)
        try:
            with self._engine.connect() as conn:
                row = conn.execute(query).first()
        except SQLAlchemyError as exc:
            raise ProtocolError(ErrorCode.SNAPSHOT_CORRUPT, seq=seq, reason=_reason(exc)) from None
        if row is None:
            return None
        return Snapshot(
            seq=row.seq,
            chain_hash=row.chain_hash,
            state_hash=row.state_hash,
            state_json=row.state,
            state_sha256=row.state_sha256,
        )

    def rejections(self) -> list[Rejection]:
        with self._engine.connect() as conn:
            rows = conn.execute(rejection_table.select().order_by(rejection_table.c.id))
            return [
                Rejection(
                    ts_s=r.ts_s,
                    idempotency_key=r.idempotency_key,
                    kind=r.kind,
                    payload_json=r.payload,
                    code=r.code,
                    code_name=r.code_name,
                    message=r.message,
                )
                for r in rows
            ]

    @contextmanager
    def write(self) -> Iterator[_SqlTxn]:
        with self._write_connection() as conn, conn.begin():
            self._lock(conn)
            yield _SqlTxn(conn)

    def _lock(self, conn: Connection) -> None:
        # SQLite already holds its write lock (BEGIN IMMEDIATE); PostgreSQL needs one taken.
        if self._dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})

    def _write_connection(self) -> Connection:
        return self._engine.connect().execution_options(**{_WRITE_OPTION: True})

    def close(self) -> None:
        self._engine.dispose()
