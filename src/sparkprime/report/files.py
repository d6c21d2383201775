"""Atomic file writes: a temporary file in the target's folder, flushed, then renamed over it.

A crash or an error leaves either the old file or the new one, never half of one, and no
temporary file behind.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_text_atomic(folder / "a.txt", "hello\\n").read_text()
    'hello\\n'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sparkprime.core.errors import ErrorCode, ProtocolError

__all__ = ["write_text_atomic"]


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically; returns the path written."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise ProtocolError(
            ErrorCode.REPORT_WRITE_FAILED, path=str(target), reason=f"no folder {folder}"
        )
    if target.is_dir():
        raise ProtocolError(ErrorCode.REPORT_WRITE_FAILED, path=str(target), reason="a folder")
    data = text.encode("utf-8")
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ProtocolError(
            ErrorCode.REPORT_WRITE_FAILED, path=str(target), reason=exc.strerror or str(exc)
        ) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; a report is meant to be shared
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ProtocolError(
            ErrorCode.REPORT_WRITE_FAILED, path=str(target), reason=exc.strerror or str(exc)
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
