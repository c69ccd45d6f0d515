"""One writing Tillit per data folder: the app holds `.writer.lock` for its whole life; a second one opens read-only.

The short `.lock` (storage.locked) still guards every single save, so `tillit journal add` and other
one-shot commands keep working beside an open app; `.writer.lock` only stops two long-lived apps
from both editing the same files from their own copies in memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from types import TracebackType

from course.errors import StorageError
from course.store import datafolder, storage

WRITER_LOCK = ".writer.lock"
READ_ONLY_MESSAGE = "Another Tillit is open on this data folder; this one is read-only — close the other one to write."
FOLDER_READ_ONLY_MESSAGE = (
    "The data folder {folder} cannot be written (a read-only disk or folder), so Tillit is read-only: you can "
    "read everything, and nothing you change is saved."
)


class ReadOnlyError(StorageError):
    """A save refused because another Tillit holds the data folder (or the folder cannot be written)."""

    def __init__(self, message: str = READ_ONLY_MESSAGE) -> None:
        super().__init__(message)


class FolderReadOnlyError(StorageError):
    """The data folder exists and can be read, but nothing can be written in it (C1: a read-only mount)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(FOLDER_READ_ONLY_MESSAGE.format(folder=folder))
        self.folder = folder


class WriterClaim:
    """The held `.writer.lock`; released by `release()`, by leaving a `with` block, or when the process ends."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd: int | None = fd
        self.path = path

    def release(self) -> None:
        """Let another Tillit write (closing the descriptor drops the flock)."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None

    @property
    def held(self) -> bool:
        """True until released."""
        return self.fd is not None

    def __enter__(self) -> WriterClaim:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()


def _open(data_dir: Path) -> int:
    datafolder.open_data_folder(data_dir)
    path = data_dir / WRITER_LOCK
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as err:
        if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM) and data_dir.is_dir() and os.access(data_dir, os.R_OK):
            raise FolderReadOnlyError(data_dir) from err
        raise storage.os_failure("folder", data_dir, err) from err


def claim_writer(data_dir: Path) -> WriterClaim | None:
    """Take `<data>/.writer.lock` (flock LOCK_EX|LOCK_NB) for the life of this process; None when another holds it.

    The lock file may stay behind after a crash; that is harmless: the kernel drops a flock when
    its process dies, so the next Tillit takes it at once. Raises FolderReadOnlyError when the folder
    can be read but not written (the app then opens read-only), StorageError when it cannot be used at all.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no second-instance guard
        return WriterClaim(_open(data_dir), data_dir / WRITER_LOCK)
    fd = _open(data_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError: another process holds it
        os.close(fd)
        return None
    with contextlib.suppress(OSError):  # who holds it, for `tillit doctor`; the flock is what counts
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return WriterClaim(fd, data_dir / WRITER_LOCK)


def writer_active(data_dir: Path) -> bool:
    """True when another process holds `.writer.lock` right now (a probe: takes and drops it at once)."""
    if not (data_dir / WRITER_LOCK).exists():
        return False
    try:
        claim = claim_writer(data_dir)
    except FolderReadOnlyError:
        return False  # nobody can write there, so nobody is writing
    if claim is None:
        return True
    claim.release()
    return False


def lock_free(data_dir: Path, name: str) -> bool:
    """Whether the lock file `name` in the data folder could be taken right now (never waits)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return True
    try:
        fd = os.open(data_dir / name, os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True
