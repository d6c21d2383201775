"""Architecture rules that a reviewer would otherwise have to remember (DESIGN §1, §6).

- Imports go one way: core <- ledger, oracle <- protocols <- prime <- risk <- sim <- report
  <- cli, service. A package may import its own modules and lower-ranked packages only.
- Nothing in the engine reads the wall clock or the global random state.
- Every module and package declares `__all__` naming things that exist (ruff's RUF022
  keeps it sorted).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sparkprime"

# Rank of each top-level package; imports must go to a strictly lower rank (or stay inside).
RANKS: dict[str, float] = {
    "core": 0,
    "ledger": 1,
    "oracle": 1,
    "protocols": 2,
    "governance": 2.5,
    "prime": 3,
    "presets": 3.5,
    "risk": 4,
    "sim": 5,
    "report": 6,
    "cli": 7,
    "service": 7,
}

# Modules allowed to touch what the rest may not, and why.
WALL_CLOCK_ALLOWED: dict[str, str] = {}
GLOBAL_RANDOM_ALLOWED = {"core/rng.py": "the one seeded wrapper around random.Random"}
BANNED_CALLS = {
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("uuid", "uuid1"),
    ("uuid", "uuid4"),
    ("os", "urandom"),
}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py"))


def _package_of(path: Path) -> str | None:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else None


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    here = path.relative_to(SRC).parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this file's package
                base = here[: len(here) - node.level + 1]
                names = [".".join(("sparkprime", *base, node.module or ""))]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "sparkprime" and len(parts) > 1 and parts[1]:
                found.add(parts[1])
    return found


def test_every_package_has_a_rank():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(RANKS), f"give these packages a rank: {packages - set(RANKS)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_go_one_way(path: Path):
    package = _package_of(path)
    imported = _imported_packages(path) - ({package} if package else set())
    if package is None:  # the top-level sparkprime/__init__.py and friends import nothing
        assert not imported, f"{path.name} imports {imported}"
        return
    upward = {p for p in imported if RANKS.get(p, 99) >= RANKS[package]}
    assert not upward, f"{package} may not import {sorted(upward)} (DESIGN §1)"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_wall_clock_or_global_random(path: Path):
    rel = str(path.relative_to(SRC))
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in BANNED_CALLS and rel not in WALL_CLOCK_ALLOWED:
                pytest.fail(
                    f"{rel}:{node.lineno} reads {node.value.id}.{node.attr}: use the Clock/Rng"
                )
            if (
                node.value.id == "random"
                and node.attr != "Random"
                and rel not in GLOBAL_RANDOM_ALLOWED
            ):
                pytest.fail(f"{rel}:{node.lineno} uses the global random state: use core.rng.Rng")
        if isinstance(node, ast.ImportFrom) and node.module in ("time", "random", "uuid"):
            allowed = rel in GLOBAL_RANDOM_ALLOWED if node.module == "random" else False
            assert allowed, f"{rel}:{node.lineno} imports from {node.module}: use the Clock/Rng"


def _module_name(path: Path) -> str:
    parts = ("sparkprime", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_all_is_declared_and_real(path: Path):
    module = importlib.import_module(_module_name(path))
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module.__name__} has no __all__"
    missing = [name for name in exported if not hasattr(module, name)]
    assert not missing, f"{module.__name__}.__all__ names missing things: {missing}"
