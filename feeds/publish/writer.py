"""The one place that writes output files: atomically, and only when the bytes change.

Unchanged files keep their mtime, so web servers keep their ETag/Last-Modified and feed
readers get 304s; a crash mid-write never leaves half a file (temp file + fsync + rename).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["StreamWriter", "commit_all", "remove_if_exists", "write_if_changed"]


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


class StreamWriter:
    """write_if_changed for output too big to hold in memory (sitemap shards), in two steps.

    Chunks go to a temp file beside `path`. `close()` says whether the bytes differ from the
    published file (identical bytes: the temp file is dropped, the old file keeps its mtime).
    `commit_all(writers)` then makes every changed temp file durable with ONE sync and renames
    them: a hundred shards cost one journal commit instead of a hundred fsyncs. Leaving the
    `with` block without closing (an exception) removes the temp file: no half file, ever.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.file = os.fdopen(fd, "wb", buffering=1024 * 1024)
        self.size = 0
        self.closed = False
        self.changed = False

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)

    def close(self) -> bool:
        """Finish the temp file; True if it differs from the published one (commit pending)."""
        self.file.close()
        self.closed = True
        self.changed = not _same_bytes(self.path, self.tmp, self.size)
        if not self.changed:
            Path(self.tmp).unlink(missing_ok=True)
        return self.changed

    def abort(self) -> None:
        if not self.file.closed:
            self.file.close()
        Path(self.tmp).unlink(missing_ok=True)

    def __enter__(self) -> StreamWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.closed:
            self.abort()


def commit_all(writers: list[StreamWriter]) -> None:
    """Publish every closed, changed StreamWriter: one sync for all their data, then renames."""
    pending = [w for w in writers if w.closed and w.changed]
    if not pending:
        return
    os.sync()  # data on disk before any rename makes it visible (crash and power-loss safe)
    for writer in pending:
        os.chmod(writer.tmp, 0o644)
        os.replace(writer.tmp, writer.path)


def _same_bytes(path: Path, tmp: str, size: int) -> bool:
    """Whether `path` already holds exactly the bytes of `tmp` (compared in 1 MB chunks)."""
    try:
        if path.stat().st_size != size:
            return False
        with open(path, "rb") as old, open(tmp, "rb") as new:
            while True:
                a, b = old.read(1 << 20), new.read(1 << 20)
                if a != b:
                    return False
                if not a:
                    return True
    except FileNotFoundError:
        return False
