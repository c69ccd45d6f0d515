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
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from course.errors import StorageError, UnreadableFileError
from course.store import datafolder, reading, storage

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
        """True when it holds no data at all (the marker alone is not data)."""
        return all(rel.as_posix() == storage.MARKER for rel in data_files_in_backup(self.path))


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
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return False  # moved to the trash meanwhile: nothing to copy
    except OSError as err:
        raise reading.unreadable(Path(source), err) from err
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


def make_backup(data_dir: Path, reason: str, skipped: list[Path] | None = None) -> Path:
    """Copy every data file into <data>/backups/<YYYYMMDD-HHMMSS>-<reason>/ and return that folder.

    The whole copy is made under the data folder's save lock, so no save can fall half into it and a
    restore or another backup waits. A file the operating system will not let us read is left out
    (and added to `skipped`); everything else is still backed up. Raises StorageError (nothing
    half-made is left, no older backup removed) when the backup itself cannot be made.
    """
    root = data_dir / BACKUPS
    datafolder.open_data_folder(data_dir)  # never a copy of a folder that is not Tillit's
    with storage.locked(data_dir):
        storage.ensure_dir(root)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{_clean_reason(reason)}"
        final = root / name
        n = 1
        while final.exists():
            n += 1
            final = root / f"{name}-{n}"
        # Unique to this process and moment, so that no backup can ever remove another one's folder.
        partial = root / f".{final.name}.{os.getpid()}-{secrets.token_hex(3)}.partial"
        try:
            storage.ensure_dir(partial)
            copied = 0
            made = {partial}
            for rel in data_files(data_dir):
                folder = partial / rel.parent
                if folder not in made:
                    storage.ensure_dir(folder)
                    made.add(folder)
                try:
                    done = _copy_into(os.path.join(data_dir, rel), os.path.join(partial, rel))
                    copied += done and rel.as_posix() != storage.MARKER
                except UnreadableFileError:
                    if skipped is not None:
                        skipped.append(data_dir / rel)
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
        if copied:  # an empty copy (the marker alone is not data) never pushes a real backup out
            rotate(data_dir)
    return final


PARTIAL = re.compile(r"^\.\d{8}-\d{6}-[a-z0-9-]+(\.\d+-[0-9a-f]{6})?\.partial$")


def sweep_partials(data_dir: Path) -> int:
    """Remove half-made backups that a killed backup left in <data>/backups/; return how many.

    Taken under the save lock, which every backup holds until its folder has its final name, so a
    half-made backup seen then belongs to no running backup. Only Tillit's own names are touched.
    """
    folder = data_dir / BACKUPS
    if not folder.is_dir() or folder.is_symlink():
        return 0
    removed = 0
    with storage.locked(data_dir):
        with contextlib.suppress(OSError), os.scandir(folder) as scan:
            stale = [e.path for e in scan if PARTIAL.match(e.name) and e.is_dir(follow_symlinks=False)]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _future(backup: Backup, now: float) -> bool:
    """True when a backup is named more than a day after `now` (a clock that was wrong when it was made)."""
    found = _NAME.match(backup.name)
    if found is None:
        return False
    try:
        made = time.mktime(time.strptime(found.group(1) + found.group(2), "%Y%m%d%H%M%S"))
    except (ValueError, OverflowError):
        return True
    return made > now + 86400


def rotate(data_dir: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest `keep` backups (empty ones go first, then ones dated in the future by a
    wrong clock, then the oldest); return what was removed."""
    backups = list_backups(data_dir)
    if len(backups) <= keep:
        return []
    now = time.time()
    empty = [b for b in backups if b.empty]
    future = [b for b in backups if not b.empty and _future(b, now)]
    full = [b for b in backups if not b.empty and b not in future]
    removed: list[Path] = []
    excess = len(backups) - keep
    for b in [*empty, *future, *full][:excess]:
        shutil.rmtree(b.path, ignore_errors=True)
        removed.append(b.path)
    return removed


def has_data(data_dir: Path) -> bool:
    """True when the data folder holds at least one data file (the marker alone is not data)."""
    return any(rel.as_posix() != storage.MARKER for rel in data_files(data_dir))


def daily_backup(data_dir: Path) -> Path | None:
    """The automatic backup at start: at most one a day, and none while there is nothing to back up.

    Decided under the save lock, so several Tillits starting at once make one backup between them.
    """

    def made_today() -> bool:
        today = time.strftime("%Y%m%d")
        return any(
            b.name.startswith(today) and b.name.split("-", 2)[2].startswith(DAILY) for b in list_backups(data_dir)
        )

    if made_today() or not has_data(data_dir):
        return None
    with storage.locked(data_dir):
        if made_today():
            return None
        return make_backup(data_dir, DAILY)


def is_backup(folder: Path) -> bool:
    """True when `folder` is a Tillit backup: it carries the data folder's marker, with nothing that is not data."""
    return datafolder.is_marked(folder) and not any(not _is_data_file(rel) for rel in data_files_in_backup(folder))


def find_backup(data_dir: Path, name_or_path: str) -> Path:
    """A backup by its name from `tillit backup --list`, or by its path; StorageError when there is none.

    A path outside the data folder's backups/ must be a Tillit backup (see is_backup): a restore never
    copies an arbitrary folder (/etc, /proc) into the data folder.
    """
    if not name_or_path.strip():
        raise StorageError("Name the backup to restore; run `tillit backup --list` to see them.")
    by_name = data_dir / BACKUPS / name_or_path
    if _NAME.match(name_or_path) and by_name.is_dir() and not by_name.is_symlink():
        return by_name
    path = Path(name_or_path).expanduser()
    try:
        if path.is_dir():
            found = path.resolve()
            inside = found.parent == (data_dir / BACKUPS).resolve() and _NAME.match(found.name) is not None
            if inside or is_backup(found):
                return found
            raise StorageError(
                f"{found} is not a Tillit backup (it has no {storage.MARKER}, or holds files that are not "
                "Tillit data), so nothing was restored; run `tillit backup --list` to see your backups."
            )
    except OSError as err:
        raise storage.os_failure("read", path, err) from err
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
    """Make the data folder what `backup` holds, all under the data folder's save lock: first a backup of the
    current state, then every file replaced atomically by the backup's copy, then every data file that the
    backup does not have removed — only files the safety backup holds, so nothing is lost. A save from
    `tillit journal add` meanwhile waits for the lock and lands after the restore. Raises StorageError
    when another Tillit is open on the folder.

    `writer_held`: the caller (the app) already holds the folder's WriterClaim; the app must then
    reload its Study afterwards, since every file may have changed.
    """
    from course.store.instance import READ_ONLY_MESSAGE, claim_writer

    backup = backup.resolve()
    if not backup.is_dir():
        raise StorageError(f"There is no backup at {backup}.")
    wanted = list(data_files_in_backup(backup))
    bad = [rel for rel in wanted if not _is_data_file(rel)]
    if bad:
        raise StorageError(f"{backup} does not look like a Tillit backup (it holds {bad[0]}); nothing was changed.")
    datafolder.open_data_folder(data_dir)
    claim = None if writer_held else claim_writer(data_dir)
    if claim is None and not writer_held:
        raise StorageError(READ_ONLY_MESSAGE.replace("this one is read-only", "nothing was restored"))
    with claim or contextlib.nullcontext(), storage.locked(data_dir):
        skipped: list[Path] = []
        safety = make_backup(data_dir, "before-restore", skipped)
        if skipped:
            raise StorageError(
                f"{skipped[0]} cannot be read, so the state before the restore could not be backed up whole; "
                "nothing was restored. Check that file's permissions, or run `tillit doctor`."
            )
        kept = set(data_files_in_backup(safety))
        written = removed = 0
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
            if rel not in keep and rel in kept:
                try:
                    (data_dir / rel).unlink()
                except OSError as err:
                    raise storage.os_failure("save", data_dir / rel, err) from err
                removed += 1
    return Restored(backup, safety, written, removed)
