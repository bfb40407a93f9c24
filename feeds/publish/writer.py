"""The one place that writes output files: atomically, and only when the bytes change.

Unchanged files keep their mtime, so web servers keep their ETag/Last-Modified and feed
readers get 304s; a crash mid-write never leaves half a file (temp file + fsync + rename).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path

__all__ = ["BatchWriter", "StreamWriter", "commit_all", "remove_if_exists", "write_if_changed"]

FSYNC_EACH = 64  # BatchWriter: up to this many files are fsynced one by one, more by syncfs


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
    A changed temp file is fsynced at once on a `BackgroundSync` worker thread, so the disk
    writes back while the next shards render; `commit_all(writers, syncer)` waits for those
    fsyncs and renames. Leaving the `with` block without closing (an exception) removes the
    temp file: no half file, ever (process crash or power loss).
    """

    def __init__(self, path: Path, syncer: BackgroundSync):
        self.syncer = syncer
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
        if self.changed:
            self.syncer.submit(self.tmp)
        else:
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


class BackgroundSync:
    """fsyncs closed temp files on one worker thread, overlapping disk writeback with the
    rendering of the next shards (a hundred sequential fsyncs would add seconds)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="feeds-fsync")
        self.futures: list[Future[None]] = []

    def submit(self, path: str) -> None:
        self.futures.append(self.pool.submit(_fsync_path, path))

    def wait(self) -> None:
        """Block until every submitted file is on disk; re-raise the first failure."""
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown()


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit_all(writers: list[StreamWriter], syncer: BackgroundSync) -> None:
    """Publish every closed, changed StreamWriter once its data is on disk."""
    syncer.wait()  # data durable before any rename makes it visible
    for writer in writers:
        if writer.closed and writer.changed:
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


class BatchWriter:
    """write_if_changed for many small files (share pages: three per article, a million
    articles), with one flush to disk per batch instead of one fsync per file.

    `write` compares the bytes with the published file; changed bytes go to a temp file beside
    it (`.NAME.PID.tmp`) that is renamed into place at once, so readers never see half a file.
    Durability is the caller's batch step: `sync()` flushes the whole batch with one
    `syncfs` of the filesystem, and the caller records progress only after that (share
    pages: their mark), so a crash before it is repaired by rendering the batch again —
    a file lost or truncated by the crash no longer matches and is rewritten.
    """

    def __init__(self) -> None:
        self.suffix = f".{os.getpid()}.tmp"
        self.fchmod = _umask() & 0o044 != 0  # only when the umask would hide files from nginx
        self.written: list[str] = []

    def write(self, path: str, data: bytes) -> bool:
        """Publish `data` at `path` unless it already holds these bytes; True if written."""
        try:
            if os.stat(path).st_size == len(data):
                with open(path, "rb") as f:
                    if f.read() == data:
                        return False
        except FileNotFoundError:
            pass
        folder, _, name = path.rpartition("/")
        tmp = f"{folder}/.{name}{self.suffix}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            try:
                if self.fchmod:
                    os.fchmod(fd, 0o644)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.written.append(path)
        return True

    def sync(self) -> None:
        """Make every file written so far durable: a few are fsynced one by one (syncfs would
        also wait for every other writer on the filesystem), a big batch with one syncfs."""
        if len(self.written) > FSYNC_EACH:
            sync_filesystem(self.written[0])
        else:
            for path in self.written:
                _fsync_path(path)
        self.written.clear()


@cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@cache
def _syncfs():  # type: ignore[no-untyped-def]
    """libc's syncfs(2) (Linux), or None where there is none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.syncfs
    except (OSError, AttributeError):
        return None


def sync_filesystem(path: str) -> None:
    """Make everything written to `path`'s filesystem durable: syncfs(2) where the platform has
    it (one call for a whole batch of files), else sync(2)."""
    syncfs = _syncfs()
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)
