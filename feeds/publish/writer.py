"""The one place that writes output files: atomically, and only when the bytes change.

Unchanged files keep their mtime, so web servers keep their ETag/Last-Modified and feed
readers get 304s; a crash mid-write never leaves half a file (temp file + fsync + rename).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_if_changed", "remove_if_exists"]


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically unless it already holds exactly these bytes."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def remove_if_exists(path: Path) -> bool:
    """Remove a file that should no longer be published; True if something was removed."""
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
