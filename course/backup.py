"""Backups of the learner's data folder: taken once a day, before every reset and migration, and on request.

<data>/backups/<YYYYMMDD-HHMMSS>-<reason>/ holds a copy of every data file (the same relative
paths; folders 0700, files 0600). A backup is built in a hidden folder and renamed into place only
when every file is copied, so a listed backup is always complete. The newest KEEP are kept; an
older one is removed only after a new, non-empty backup succeeded.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from course import storage
from course.errors import StorageError

BACKUPS = "backups"
KEEP = 14
DAILY = "daily"
_NAME = re.compile(r"^(\d{8})-(\d{6})-([a-z0-9-]+)$")
# Not data: other copies, moved-aside files, locks, half-written temp files, the journal's cache, editor drafts.
# sessions/: the browser participants' own folders under `tillit serve` (theirs, not this learner's);
# present/: where a running presentation is, for its notes view (nothing worth keeping).
_SKIP_DIRS = {BACKUPS, storage.QUARANTINE, "sessions", "present"}
_SKIP_FILES = {storage.LOCK_NAME, ".writer.lock", ".index.json"}


@dataclass(frozen=True)
class Backup:
    """One finished backup."""

    path: Path
    name: str

    @property
    def files(self) -> int:
        """How many files it holds (counted on demand: a backup of a big journal has thousands)."""
        return sum(1 for _ in data_files_in_backup(self.path))

    @property
    def empty(self) -> bool:
        """True when it holds no file at all."""
        return next(iter(data_files_in_backup(self.path)), None) is None


def _is_data_file(rel: Path) -> bool:
    name = rel.name
    if name in _SKIP_FILES or (name.startswith(".") and name.endswith(".tmp")) or name.startswith("journal-draft-"):
        return False
    return not (rel.parts and rel.parts[0] in _SKIP_DIRS)


def data_files(data_dir: Path) -> Iterator[Path]:
    """Every data file, as a path relative to the data folder (symlinks are never followed or copied)."""
    if data_dir.is_dir():
        yield from _walk(str(data_dir), "", top=True)


def _walk(folder: str, prefix: str, top: bool = False) -> Iterator[Path]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if not (top and entry.name in _SKIP_DIRS):
                    yield from _walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file(follow_symlinks=False):
                name = entry.name
                if name in _SKIP_FILES or (name.startswith(".") and name.endswith(".tmp")):
                    continue
                if top and name.startswith("journal-draft-"):
                    continue
                yield Path(prefix + name)
        except OSError:
            continue


def _clean_reason(reason: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")
    return cleaned[:32] or "manual"


def list_backups(data_dir: Path) -> list[Backup]:
    """The finished backups, oldest first."""
    folder = data_dir / BACKUPS
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        if _NAME.match(entry.name) and entry.is_dir() and not entry.is_symlink():
            found.append(Backup(entry, entry.name))
    return found


def data_files_in_backup(backup: Path) -> Iterator[Path]:
    """The files a backup holds, relative to it."""
    for folder, dirs, files in os.walk(backup, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            full = Path(folder) / name
            with contextlib.suppress(OSError):
                if stat.S_ISREG(full.lstat().st_mode):
                    yield full.relative_to(backup)


def _copy_into(source: str, target: str) -> bool:
    """One file into the backup being built (a new 0600 file, never an existing one); False when it is gone.

    Each file is whole because the backup folder gets its final name only after every copy is
    written and synced; there is no fsync per file (10,000 reflections would take seconds).
    """
    try:
        with open(source, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return False  # moved to the trash while the backup ran: nothing to copy
    except OSError as err:
        raise storage.os_failure("read", Path(source), err) from err
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as err:
        raise storage.os_failure("save", Path(target), err) from err
    return True


def _sync() -> None:
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


def make_backup(data_dir: Path, reason: str) -> Path:
    """Copy every data file into <data>/backups/<YYYYMMDD-HHMMSS>-<reason>/ and return that folder.

    Raises StorageError (nothing half-made is left, no older backup removed) when it cannot.
    """
    root = data_dir / BACKUPS
    storage.ensure_dir(data_dir)
    storage.ensure_dir(root)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-{_clean_reason(reason)}"
    final = root / name
    n = 1
    while final.exists():
        n += 1
        final = root / f"{name}-{n}"
    partial = root / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        storage.ensure_dir(partial)
        copied = 0
        made = {partial}
        for rel in data_files(data_dir):
            folder = partial / rel.parent
            if folder not in made:
                storage.ensure_dir(folder)
                made.add(folder)
            copied += _copy_into(os.path.join(data_dir, rel), os.path.join(partial, rel))
        _sync()
        try:
            os.rename(partial, final)
        except OSError as err:
            raise storage.os_failure("save", final, err) from err
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    with contextlib.suppress(OSError):
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    if copied:  # an empty copy never pushes a real backup out
        rotate(data_dir)
    return final


def rotate(data_dir: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest `keep` backups (empty ones go first); return what was removed."""
    backups = list_backups(data_dir)
    if len(backups) <= keep:
        return []
    empty = [b for b in backups if b.empty]
    full = [b for b in backups if not b.empty]
    removed: list[Path] = []
    excess = len(backups) - keep
    for b in [*empty, *full][:excess]:
        shutil.rmtree(b.path, ignore_errors=True)
        removed.append(b.path)
    return removed


def has_data(data_dir: Path) -> bool:
    """True when the data folder holds at least one data file."""
    return next(iter(data_files(data_dir)), None) is not None


def daily_backup(data_dir: Path) -> Path | None:
    """The automatic backup at start: at most one a day, and none while there is nothing to back up."""
    today = time.strftime("%Y%m%d")
    if any(b.name.startswith(today) and b.name.split("-", 2)[2].startswith(DAILY) for b in list_backups(data_dir)):
        return None
    if not has_data(data_dir):
        return None
    return make_backup(data_dir, DAILY)


def find_backup(data_dir: Path, name_or_path: str) -> Path:
    """A backup by its name from `tillit backup --list`, or by its path; StorageError when there is none."""
    by_name = data_dir / BACKUPS / name_or_path
    if _NAME.match(name_or_path) and by_name.is_dir() and not by_name.is_symlink():
        return by_name
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path.resolve()
    names = ", ".join(b.name for b in list_backups(data_dir)[-3:]) or "none yet"
    raise StorageError(
        f"There is no backup {name_or_path!r}; run `tillit backup --list` to see them (newest: {names})."
    )


@dataclass(frozen=True)
class Restored:
    """What restore_backup did."""

    backup: Path
    safety: Path  # the backup of the state before the restore
    written: int
    removed: int


def restore_backup(data_dir: Path, backup: Path, writer_held: bool = False) -> Restored:
    """Make the data folder what `backup` holds: first a backup of the current state, then, under the lock,
    every file replaced atomically by the backup's copy and every data file the backup does not have
    removed (it stays in the safety backup). Raises StorageError when another Tillit is open on the folder.

    `writer_held`: the caller (the app) already holds the folder's WriterClaim; the app must then
    reload its Study afterwards, since every file may have changed.
    """
    from course.instance import READ_ONLY_MESSAGE, claim_writer

    backup = backup.resolve()
    if not backup.is_dir():
        raise StorageError(f"There is no backup at {backup}.")
    wanted = list(data_files_in_backup(backup))
    bad = [rel for rel in wanted if not _is_data_file(rel)]
    if bad:
        raise StorageError(f"{backup} does not look like a Tillit backup (it holds {bad[0]}); nothing was changed.")
    claim = None if writer_held else claim_writer(data_dir)
    if claim is None and not writer_held:
        raise StorageError(READ_ONLY_MESSAGE.replace("this one is read-only", "nothing was restored"))
    with claim or contextlib.nullcontext():
        safety = make_backup(data_dir, "before-restore")
        written = removed = 0
        with storage.locked(data_dir):
            for rel in wanted:
                target = data_dir / rel
                storage.ensure_dir(target.parent)
                try:
                    data = (backup / rel).read_bytes()
                except OSError as err:
                    raise storage.os_failure("read", backup / rel, err) from err
                storage.atomic_write(target, data)
                written += 1
            keep = set(wanted)
            for rel in list(data_files(data_dir)):
                if rel not in keep:
                    try:
                        (data_dir / rel).unlink()
                    except OSError as err:
                        raise storage.os_failure("save", data_dir / rel, err) from err
                    removed += 1
    return Restored(backup, safety, written, removed)
