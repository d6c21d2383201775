"""Reading YAML for the book file: nodes with their lines, scalars from their source text.

The YAML is composed (`yaml.compose`), not loaded, so every value keeps its node and the
node its line (`start_mark.line + 1`); numbers are read from their source text with
`Decimal`, never through a float, and each refusal is a one-line `BookFileError` naming the
file, line and field. Used by `presets.book_file_read`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final, TypeVar

import yaml

from sparkprime.core.errors import ErrorCode
from sparkprime.presets.book_file import BookFileError, ts_of, units_of

__all__ = ["Map", "Reader", "compose_file"]

_E = ErrorCode
_TAG: Final = "tag:yaml.org,2002:"
_Loader: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_EnumT = TypeVar("_EnumT", bound=StrEnum)
_T = TypeVar("_T")


@dataclass(slots=True)
class Map:
    """A checked YAML mapping: its node, its path, and key -> value node."""

    node: yaml.MappingNode
    path: str
    items: dict[str, yaml.Node]

    def get(self, key: str) -> yaml.Node | None:
        v = self.items.get(key)
        return None if v is None or v.tag == _TAG + "null" else v

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key


class Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.warnings: list[str] = []

    def fail(self, code: ErrorCode, node: yaml.Node | int, path: str, reason: str) -> BookFileError:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        return BookFileError(code, file=self.file, line=line, field=path, reason=reason)

    def warn(self, node: yaml.Node, path: str, reason: str) -> None:
        self.warnings.append(f"{self.file}:{node.start_mark.line + 1}: {path}: {reason}")

    # --- structure ------------------------------------------------------------------------

    def mapping(
        self, node: yaml.Node, path: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> Map:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE,
                node,
                path or "(top)",
                f"expected a mapping, got {_shown(node)}",
            )
        req, allowed = list(required), {*required, *optional}
        items: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or key_node.tag != _TAG + "str":
                raise self.fail(
                    _E.BOOK_FILE_INVALID_TYPE,
                    key_node,
                    path or "(top)",
                    f"a key must be a name, got {_shown(key_node)}",
                )
            if key in items:
                raise self.fail(_E.BOOK_FILE_DUPLICATE_ID, key_node, where, "the key appears twice")
            if key not in allowed:
                raise self.fail(
                    _E.BOOK_FILE_UNKNOWN_FIELD,
                    key_node,
                    where,
                    f"unknown field; expected one of {', '.join(sorted(allowed))}",
                )
            items[key] = value
        for key in req:
            if key not in items:
                raise self.fail(
                    _E.BOOK_FILE_MISSING_FIELD,
                    node,
                    f"{path}.{key}" if path else key,
                    "missing required field",
                )
        return Map(node, path, items)

    def seq(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE, node, path, f"expected a list, got {_shown(node)}"
            )
        return list(node.value)

    def entries(self, m: Map, key: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """A symbol-keyed mapping field: (symbol, key node, value node)."""
        node = m.get(key)
        if node is None:
            return []
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE,
                node,
                m.at(key),
                f"expected a mapping, got {_shown(node)}",
            )
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        seen: set[str] = set()
        for k, v in node.value:
            sym = self.text(k, f"{m.at(key)}.<key>")
            if sym in seen:
                raise self.fail(
                    _E.BOOK_FILE_DUPLICATE_ID, k, f"{m.at(key)}.{sym}", "the key appears twice"
                )
            seen.add(sym)
            out.append((sym, k, v))
        return out

    # --- scalars --------------------------------------------------------------------------

    def scalar(self, node: yaml.Node, path: str, expected: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _TAG + "null":
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE, node, path, f"expected {expected}, got {_shown(node)}"
            )
        return str(node.value)

    def text(self, node: yaml.Node, path: str) -> str:
        value = self.scalar(node, path, "a name")
        if node.tag != _TAG + "str" or not value.strip():
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE,
                node,
                path,
                f"expected a non-empty name, got {_shown(node)}",
            )
        return value

    def boolean(self, node: yaml.Node, path: str) -> bool:
        value = self.scalar(node, path, "true or false")
        if node.tag != _TAG + "bool":
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE, node, path, f"expected true or false, got {_shown(node)}"
            )
        return value.lower() in ("true", "yes", "on", "y")

    def integer(self, node: yaml.Node, path: str, *, min_value: int | None = 0) -> int:
        value = self.scalar(node, path, "an integer")
        if node.tag != _TAG + "int":
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE, node, path, f"expected an integer, got {_shown(node)}"
            )
        number = units_of(value, 0)
        if number is None:
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE,
                node,
                path,
                f"expected a decimal integer, got {_shown(node)}",
            )
        if min_value is not None and number < min_value:
            code = _E.BOOK_FILE_NEGATIVE_VALUE if number < 0 else _E.BOOK_FILE_INVALID_VALUE
            raise self.fail(code, node, path, f"{value} is below the minimum {min_value}")
        return number

    def units(
        self, node: yaml.Node, path: str, decimals: int, *, what: str = "", positive: bool = False
    ) -> int:
        """Whole units (a decimal number) -> base units; `what`: it must be >= 0 (or > 0)."""
        value = self.scalar(node, path, "a number")
        if node.tag not in (_TAG + "int", _TAG + "float", _TAG + "str"):
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE, node, path, f"expected a number, got {_shown(node)}"
            )
        number = units_of(value, decimals)
        if number is None:
            ok = units_of(value, 10**3) is not None
            reason = (
                f"{value} has more than {decimals} decimal places"
                if ok
                else f"expected a number, got {_shown(node)}"
            )
            code = _E.BOOK_FILE_INVALID_VALUE if ok else _E.BOOK_FILE_INVALID_TYPE
            raise self.fail(code, node, path, reason)
        if what and number < 0:
            raise self.fail(
                _E.BOOK_FILE_NEGATIVE_VALUE,
                node,
                path,
                f"{value.strip()} is negative; {what} must be {'> 0' if positive else '>= 0'}",
            )
        if positive and number <= 0:
            raise self.fail(_E.BOOK_FILE_INVALID_VALUE, node, path, f"{value.strip()} must be > 0")
        return number

    def date(self, node: yaml.Node, path: str) -> datetime.date:
        value = self.scalar(node, path, "a date (YYYY-MM-DD)")
        try:
            if node.tag != _TAG + "timestamp" or len(value) != 10:
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise self.fail(
                _E.BOOK_FILE_INVALID_TYPE,
                node,
                path,
                f"expected a date (YYYY-MM-DD), got {_shown(node)}",
            ) from None

    def ts(self, node: yaml.Node, path: str) -> int:
        """A date (00:00 UTC) or an int ts_s."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "int":
            return self.integer(node, path)
        return ts_of(self.date(node, path))

    def enum(self, node: yaml.Node, path: str, cls: type[_EnumT]) -> _EnumT:
        value = self.scalar(node, path, f"a {cls.__name__} name")
        try:
            return cls(value)
        except ValueError:
            raise self.fail(
                _E.BOOK_FILE_INVALID_VALUE,
                node,
                path,
                f"{value!r} is not one of {', '.join(m.value for m in cls)}",
            ) from None

    def opt(self, m: Map, key: str, read: Callable[[yaml.Node, str], _T]) -> _T | None:
        node = m.get(key)
        return None if node is None else read(node, m.at(key))


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return "null" if node.tag == _TAG + "null" else repr(node.value)
    return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"


def compose_file(r: Reader, path: Path) -> yaml.Node:
    """The file's root node; BOOK_FILE_UNREADABLE / BOOK_FILE_MALFORMED (the parser's line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise r.fail(_E.BOOK_FILE_UNREADABLE, 1, "(file)", f"cannot read: {err}") from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = 1 if mark is None else mark.line + 1
        reason = " ".join(str(x) for x in (err.context, err.problem) if x)
        raise r.fail(_E.BOOK_FILE_MALFORMED, line, "(yaml)", f"malformed YAML: {reason}") from None
    except yaml.YAMLError as err:
        raise r.fail(_E.BOOK_FILE_MALFORMED, 1, "(yaml)", f"malformed YAML: {err}") from None
    if node is None:
        raise r.fail(_E.BOOK_FILE_MALFORMED, 1, "(top)", "the file is empty")
    return node
