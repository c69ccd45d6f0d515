"""Whose folder is this: Tillit's marker file, and refusing a folder Tillit did not make before touching it."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from course.errors import NotDataFolderError, StorageError
from course.store.storage import (
    LOCK_NAME,
    MARKER,
    QUARANTINE,
    TEMP_NAME,
    ensure_dir,
    locked,
    os_failure,
    write_toml,
)

# What a Tillit data folder may hold at its top, so an unmarked folder from before the marker is adopted.

_OWN_FILES = {"progress.toml", "review.toml", "share-id.toml", MARKER, LOCK_NAME, ".writer.lock"}
_OWN_DIRS = {"journal", "attempts", "assessments", "commitments", "backups", QUARANTINE, "sessions", "present"}
_CHECKOUT_FILES = {"README.md", ".gitignore"}  # the source checkout's progress/ folder is tracked by git


def _own_entry(name: str, is_dir: bool) -> bool:
    if is_dir:
        return name in _OWN_DIRS
    return (
        name in _OWN_FILES
        or name in _CHECKOUT_FILES
        or TEMP_NAME.match(name) is not None
        or (name.startswith("journal-draft-") and name.endswith(".md"))
    )


def is_marked(folder: Path) -> bool:
    """True when `folder` carries Tillit's marker file (a regular file, not a link)."""
    try:
        return stat.S_ISREG((folder / MARKER).lstat().st_mode)
    except OSError:
        return False


def foreign_entry(folder: Path) -> str | None:
    """The first name at the top of an unmarked `folder` that Tillit would not have made, or None."""
    try:
        with os.scandir(folder) as scan:
            for entry in sorted(scan, key=lambda e: e.name):
                if not _own_entry(entry.name, entry.is_dir(follow_symlinks=False)):
                    return entry.name
    except OSError as err:
        raise os_failure("folder", folder, err) from err
    return None


def open_data_folder(folder: Path) -> None:
    """Make sure `folder` is Tillit's before anything in it is touched: adopt a new, empty or old Tillit
    folder (writing the marker), work on a marked one, and refuse anything else with NotDataFolderError.

    Nothing is changed in a refused folder: no mode change, no sweep, no backup.
    """
    try:
        exists = folder.exists() or folder.is_symlink()
    except OSError as err:
        raise os_failure("folder", folder, err) from err
    if exists and not folder.is_symlink() and folder.is_dir() and is_marked(folder):
        ensure_dir(folder)
        return
    if exists:
        if folder.is_symlink() and not folder.is_dir():
            raise NotDataFolderError(
                f"Cannot use the data folder {folder}: it is a link to nothing; choose another with --data."
            )
        if not folder.is_dir():
            raise StorageError(
                f"Cannot use the data folder {folder}: it is a file, not a folder; choose another with --data."
            )
        stranger = foreign_entry(folder)
        if stranger is not None:
            raise NotDataFolderError(
                f"{folder} is not a Tillit data folder (it holds {stranger!r}, which Tillit did not make), so "
                "Tillit left it untouched; choose an empty folder or your Tillit data folder with --data."
            )
    ensure_dir(folder)
    mark(folder)


def cannot_write(folder: Path) -> bool:
    """True when `folder` is on a read-only disk or this user may not write in it (it can still be read)."""
    try:
        if os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1):
            return True
        return not os.access(folder, os.W_OK)
    except OSError:
        return False  # cannot tell: the save itself will say what is wrong


def mark(folder: Path) -> None:
    """Write the marker (atomic, 0600) unless it is there; a folder that cannot be written stays unmarked."""
    if is_marked(folder):
        return
    with contextlib.suppress(StorageError), locked(folder):  # a read-only folder: every later save says why
        if not is_marked(folder):
            write_toml(folder / MARKER, {"kind": "tillit-data", "note": "This folder holds one learner's Tillit data."})
