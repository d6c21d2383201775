"""Test set-up: a throwaway PostgreSQL server for the journal's shared-deployment tests.

`postgres_url` (session) runs `initdb` into a temporary directory and starts the server with
`pg_ctl` on a free localhost port; it is stopped and removed when the session ends. The
server binaries are found through `pg_config --bindir`, `/usr/lib/postgresql/*/bin` or PATH;
where there are none the PostgreSQL tests are skipped, unless SPARKPRIME_REQUIRE_POSTGRES=1
(set it in CI) turns that into a failure. `initdb` refuses to run as root, so under root the
server runs as the `postgres` system user (or `nobody`) and owns its directory.

`pg_store_url` (function) creates a fresh database per test, so tests never share a journal.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any, NoReturn

import pytest

_SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
_START_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it
_database_numbers = count(1)


def _has_server_binaries(bindir: Path) -> bool:
    return all((bindir / name).is_file() for name in _SERVER_BINARIES)


def _postgres_bindir() -> Path | None:
    """Where initdb, pg_ctl and postgres live, or None."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            )
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> int:
        name = Path(path).parent.name
        return int(name) if name.isdigit() else -1

    candidates += [
        Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    ]
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    return next((c for c in candidates if _has_server_binaries(c)), None)


def _server_account() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as when we are root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    pytest.fail("running as root and neither a 'postgres' nor a 'nobody' user exists")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _no_server(reason: str) -> NoReturn:
    if os.environ.get("SPARKPRIME_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"SPARKPRIME_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of the `postgres` database on a throwaway server for this session."""
    try:
        import psycopg  # noqa: F401, PLC0415 - only needed when a PostgreSQL test runs
    except ImportError:
        _no_server("psycopg is not installed (pip install sparkprime[postgres])")
    bindir = _postgres_bindir()
    if bindir is None:
        _no_server("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found")
    account = _server_account()
    run_as: dict[str, Any] = {}
    if account is not None:
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    # Not under pytest's basetemp: its parents are private to root, and the server may not be.
    base = Path(tempfile.mkdtemp(prefix="sparkprime-pg-"))
    data = base / "data"
    log = base / "server.log"
    if account is not None:
        os.chown(base, account.pw_uid, account.pw_gid)

    def run(*args: str | Path) -> None:
        proc = subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            cwd=base,
            timeout=120,
            check=False,
            **run_as,
        )
        if proc.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(
                f"{Path(str(args[0])).name} failed ({proc.returncode}):\n"
                f"{proc.stdout}\n{proc.stderr}\n{server_log}"
            )

    started = False
    try:
        run(
            bindir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        for attempt in range(_START_ATTEMPTS):
            port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={port} "
                f"-c unix_socket_directories='{base}' -c max_connections=100"
            )
            try:
                run(
                    bindir / "pg_ctl",
                    "-D",
                    data,
                    "-l",
                    log,
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "start",
                )
            except RuntimeError:
                if attempt == _START_ATTEMPTS - 1:
                    raise
                continue
            started = True
            break
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        try:
            if started:
                run(bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_store_url(postgres_url: str) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database on the session's server (dropped afterwards)."""
    import sqlalchemy as sa  # noqa: PLC0415 - keep the module import light

    name = f"sparkprime_test_{os.getpid()}_{next(_database_numbers)}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            # FORCE: a test that failed half-way may still hold connections to it.
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
