"""The index's writer lock: builds, deletions and metadata edits take it, one writer at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = "index.lock"


class IndexLocked(RuntimeError):
    """Another process is indexing the same data directory."""


@contextmanager
def index_lock(lock_path: Path | None) -> Iterator[None]:
    """The index's writer lock (a file, so it holds across processes): one writer at a time;
    another fails at once with IndexLocked rather than waiting behind a long build."""
    if lock_path is None:
        yield
        return
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise IndexLocked(f"another process is indexing {lock_path.parent}; try again when it finishes") from exc
    try:
        yield
    finally:
        lock.release()
