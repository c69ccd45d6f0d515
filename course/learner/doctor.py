"""`tillit doctor`: check the data folder and say in plain words what is wrong; `--fix` fixes what is safe.

Safe to fix: permissions (folders 0700, files 0600) and leftovers of a crash (temp files and half-made
backups older than a minute). Everything else (an unreadable file, a file from a newer Tillit, a stuck
lock) is only reported, with what to do: doctor never moves, rewrites or deletes a data file. It also
explains what Tillit did with files edited by hand (kept the change, and a copy as it found them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course.errors import CorruptFileError, NewerFileError, StorageError
from course.store import datafolder, reading, storage

OK, NOTE, PROBLEM = "ok", "note", "problem"
LOCK_WAIT = 1.0  # how long a held save lock may stay held before it is reported as stuck


@dataclass
class Finding:
    """One line of the report; `fix` (when set) makes it right and returns what it did."""

    level: str
    text: str
    fix: Callable[[], str] | None = None
    fixed: str = ""
    fix_error: str = ""


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        return str(path)
    return "the data folder" if rel == Path(".") else str(rel)


def _chmod(path: Path, mode: int, shown: str) -> Callable[[], str]:
    def fix() -> str:
        os.chmod(path, mode, follow_symlinks=False)
        return f"{shown} is now {mode:04o}"

    return fix


def _remove(path: Path, shown: str) -> Callable[[], str]:
    def fix() -> str:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        return f"removed {shown}"

    return fix


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    if seconds < 172800:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"


_DATA_DIRS = ("journal", "attempts", "assessments", "commitments", storage.QUARANTINE, "backups", "present")


def _own_paths(root: Path) -> tuple[list[Path], list[Path]]:
    """(Tillit's own files and folders in the data folder, other files found inside its own folders).

    Only the data folder's own sub-folders are walked (sessions/ holds other learners' folders and is
    left to them), and only names Tillit makes count as its own.
    """
    own: list[Path] = [root]
    strangers: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in sorted(root.iterdir()):
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name in _DATA_DIRS:
                    _walk_own(entry, own, strangers, backups=entry.name == "backups")
            elif datafolder._own_entry(entry.name, False):
                own.append(entry)
    return own, strangers


def _walk_own(folder: Path, own: list[Path], strangers: list[Path], backups: bool) -> None:
    own.append(folder)
    for here, dirs, files in os.walk(folder, followlinks=False):
        base = Path(here)
        for name in dirs:
            path = base / name
            if not path.is_symlink():
                own.append(path)
        for name in files:
            path = base / name
            if path.is_symlink():
                continue
            if backups or _own_file_name(name):
                own.append(path)
            else:
                strangers.append(path)


def _own_file_name(name: str) -> bool:
    return (
        name.endswith(".toml")
        or name in (".index.json", "state.json")
        or ".unreadable-" in name
        or storage.TEMP_NAME.match(name) is not None
    )


def _permissions(root: Path, out: list[Finding]) -> None:
    wrong = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in [*dirs, *files]:
            path = here / name
            with contextlib.suppress(OSError):
                info = path.lstat()
                if stat.S_ISLNK(info.st_mode):
                    out.append(
                        Finding(
                            PROBLEM,
                            f"{_rel(path, root)} is a link to {os.readlink(path)}; Tillit never follows links in its "
                            "data folder — replace it with the real file or remove it",
                        )
                    )
        if here == root:  # links are looked for at the top and in Tillit's own folders
            dirs[:] = [d for d in dirs if d in _DATA_DIRS]
    own, strangers = _own_paths(root)
    for path in own:
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode) or storage.TEMP_NAME.match(path.name):
            continue  # temp files are reported (and removed) on their own
        want = 0o700 if stat.S_ISDIR(info.st_mode) else 0o600
        have = stat.S_IMODE(info.st_mode)
        if have != want:
            wrong += 1
            shown = _rel(path, root)
            what = "folder" if want == 0o700 else "file"
            out.append(
                Finding(
                    PROBLEM,
                    f"{shown} is {have:04o}; a private {what} should be {want:04o} (only you can read it)",
                    _chmod(path, want, shown),
                )
            )
    for path in strangers:
        out.append(Finding(NOTE, f"{_rel(path, root)} is not a file Tillit makes; doctor leaves it alone"))
    if not wrong:
        out.append(Finding(OK, "permissions: every folder is 0700 and every file 0600"))


def _temp_files(root: Path, out: list[Finding], now: float) -> None:
    from course.store.backup import BACKUPS, PARTIAL
    from course.store.instance import lock_free

    found = 0
    nobody_saving = not (root / storage.LOCK_NAME).exists() or lock_free(root, storage.LOCK_NAME)
    candidates: list[Path] = []
    own, _strangers = _own_paths(root)
    for path in own:
        temp = storage.TEMP_NAME.match(path.name) is not None and path.parent.name != "present"
        if temp or (path.parent == root / BACKUPS and PARTIAL.match(path.name)):
            candidates.append(path)
    for path in candidates:
        try:
            age = now - path.lstat().st_mtime
        except OSError:
            continue
        found += 1
        shown = _rel(path, root)
        if nobody_saving or age > storage.STALE_TEMP_SECONDS:
            kind = "half-made backup" if path.name.endswith(".partial") else "temp file"
            out.append(
                Finding(
                    PROBLEM,
                    f"{shown} is a {kind} left by a save that did not finish ({_age(age)} old); it is safe to remove",
                    _remove(path, shown),
                )
            )
        else:
            out.append(Finding(NOTE, f"{shown} is being written right now ({_age(age)} old); left alone"))
    if not found:
        out.append(Finding(OK, "no temp files left by an unfinished save"))


def _drafts(root: Path, out: list[Finding]) -> None:
    """Editor drafts of `tillit journal add` whose editor never came back (the terminal was closed)."""
    with contextlib.suppress(OSError):
        for path in sorted(root.glob("journal-draft-*.md")):
            out.append(
                Finding(
                    NOTE,
                    f"{_rel(path, root)} is a draft from `tillit journal add` whose editor did not finish; "
                    "its text is yours — save it with `tillit journal add < FILE`, or delete it",
                )
            )


def _quarantine(root: Path, out: list[Finding]) -> None:
    folder = root / storage.QUARANTINE
    moved = sorted(p for p in folder.iterdir() if not p.name.endswith(".note.txt")) if folder.is_dir() else []
    for path in moved:
        out.append(
            Finding(
                PROBLEM,
                f"{_rel(path, root)} could not be read and was moved aside (see its .note.txt); repair it and move "
                "it back, or delete it when you no longer need it",
            )
        )
    if not moved:
        out.append(Finding(OK, "no unreadable files in quarantine"))


def _parser(rel: Path) -> Callable[[dict[str, object], Path], object] | None:
    """The app's own check for a data file, by where it lives (None: the file has no contents to check)."""
    from course.learner import journal, practice, progress, review, share

    parts = rel.parts
    if rel.as_posix() == "progress.toml":
        return progress._parse_progress
    if rel.as_posix() == review.REVIEW_FILE:
        return review.parse_reviews
    if rel.as_posix() == share.ID_FILE:
        return share._parse_id
    if len(parts) == 2 and parts[0] == "attempts":
        return progress._parse_attempts
    if len(parts) == 2 and parts[0] == "assessments":
        return practice._parse_assessment
    if len(parts) == 2 and parts[0] == "commitments":
        return practice._parse_commitment
    if parts and parts[0] == "journal" and len(parts) in (3, 4):
        return journal.parse_reflection
    return None


def _schemas(root: Path, out: list[Finding]) -> None:
    from course.store.backup import data_files

    checked = unsigned = 0
    kept = {p.read_bytes() for p in storage.hand_edit_copies(root) if _readable(p)}
    for rel in data_files(root):
        if rel.suffix != ".toml":
            continue
        path = root / rel
        checked += 1
        try:
            found = reading.read_data(path)
            parse = _parser(rel)
            if found is not None and parse is not None:
                parse(found.data, path)
            if found is not None and found.edited and found.raw not in kept:
                out.append(
                    Finding(
                        NOTE,
                        f"{rel} was changed outside Tillit (its checksum line no longer matches) and reads well, so "
                        f"Tillit will keep the change when it next opens it, with a copy as it is now in "
                        f"{storage.HAND_EDITS}/",
                    )
                )
        except NewerFileError as err:
            out.append(Finding(PROBLEM, f"{rel}: {_first_clause(str(err), path)}"))
            continue
        except CorruptFileError as err:
            out.append(
                Finding(
                    PROBLEM,
                    f"{rel} cannot be read ({err.reason}); Tillit will move it to quarantine when it next opens it",
                )
            )
            continue
        except StorageError as err:
            out.append(Finding(PROBLEM, str(err)))
            continue
        with contextlib.suppress(OSError):
            if storage.checksum_ok(path.read_bytes()) is None:
                unsigned += 1
    if checked:
        out.append(Finding(OK, f"{checked} data file{'s' if checked != 1 else ''} checked"))
    if unsigned:
        out.append(
            Finding(
                NOTE,
                f"{unsigned} data file{'s have' if unsigned != 1 else ' has'} no checksum line yet "
                "(written before it existed, or by hand)",
            )
        )


def _readable(path: Path) -> bool:
    try:
        return path.stat().st_size <= storage.MAX_FILE_BYTES
    except OSError:
        return False


def _hand_edits(root: Path, out: list[Finding]) -> None:
    """What Tillit did with each file it found edited by hand: the change kept, a copy as it was found."""
    for copy in storage.hand_edit_copies(root):
        name, _, stamp = copy.name.rpartition(".edited-")
        rel = name.replace("__", "/")
        try:
            when = time.strftime("%Y-%m-%d %H:%M", time.strptime(stamp[:15], "%Y%m%d-%H%M%S"))
        except ValueError:
            when = "at some time"
        now = "the file is no longer where it was"
        with contextlib.suppress(OSError, StorageError):
            live = reading.read_regular(root / rel, storage.MAX_FILE_BYTES)
            same = live == copy.read_bytes()
            state = storage.seal(live)
            now = (
                "its checksum line is renewed when Tillit next saves it"
                if same
                else "Tillit has saved it since, with a checksum line of its own"
                if state == "whole"
                else "it has changed again since"
            )
        out.append(
            Finding(
                NOTE,
                f"{rel} was changed outside Tillit and read well, so Tillit kept the change ({when}); the file as "
                f"it was then is kept in {_rel(copy, root)}, and {now}",
            )
        )


def _first_clause(message: str, path: Path) -> str:
    return message.removeprefix(f"{path} ").rstrip(".")


def _locks(root: Path, out: list[Finding]) -> None:
    from course.store.instance import WRITER_LOCK, lock_free

    if (root / storage.LOCK_NAME).exists():
        deadline = time.monotonic() + LOCK_WAIT
        free = lock_free(root, storage.LOCK_NAME)
        while not free and time.monotonic() < deadline:
            time.sleep(0.05)
            free = lock_free(root, storage.LOCK_NAME)
        if free:
            out.append(Finding(OK, "the save lock (.lock) is free"))
        else:
            out.append(
                Finding(
                    PROBLEM,
                    f"the save lock (.lock) has been held for over {LOCK_WAIT:g} s by a running process; "
                    "close any Tillit that seems stuck",
                )
            )
    writer = root / WRITER_LOCK
    if writer.exists():
        pid = ""
        with contextlib.suppress(OSError, ValueError):
            pid = str(int(writer.read_text(encoding="ascii").strip()))
        if lock_free(root, WRITER_LOCK):
            left = f" (by process {pid}, which has ended)" if pid else ""
            out.append(
                Finding(
                    OK, f"no Tillit app is open on this folder; its lock file was left behind{left}, which is harmless"
                )
            )
        else:
            who = f" (process {pid})" if pid else ""
            out.append(Finding(NOTE, f"a Tillit app is open on this folder{who}; a second one would open read-only"))


def _backups(root: Path, out: list[Finding]) -> None:
    from course.store.backup import list_backups

    backups = list_backups(root)
    if backups:
        noun = "backup" if len(backups) == 1 else "backups"
        out.append(Finding(OK, f"{len(backups)} {noun}; the newest is {backups[-1].name}"))
    else:
        out.append(Finding(NOTE, "no backups yet; Tillit makes one a day when it opens, or run `tillit backup`"))


def examine(data_dir: Path) -> list[Finding]:
    """Every finding about the data folder, without changing anything."""
    out: list[Finding] = []
    if not data_dir.exists():
        return [Finding(OK, f"there is no data folder yet at {data_dir}; it is made when you first use Tillit")]
    if not data_dir.is_dir() or data_dir.is_symlink():
        return [Finding(PROBLEM, f"{data_dir} is not a folder; choose another data folder with --data")]
    if not datafolder.is_marked(data_dir):
        try:
            stranger = datafolder.foreign_entry(data_dir)
        except StorageError as err:
            return [Finding(PROBLEM, str(err))]
        if stranger is not None:
            return [
                Finding(
                    PROBLEM,
                    f"{data_dir} is not a Tillit data folder (it holds {stranger!r}, which Tillit did not make); "
                    "doctor looked no further and changed nothing — choose your data folder with --data",
                )
            ]
    now = time.time()
    _permissions(data_dir, out)
    _temp_files(data_dir, out, now)
    _drafts(data_dir, out)
    _quarantine(data_dir, out)
    _hand_edits(data_dir, out)
    _schemas(data_dir, out)
    _locks(data_dir, out)
    _backups(data_dir, out)
    return out


def run(data_dir: Path, fix: bool) -> tuple[list[str], int]:
    """The lines to print and the exit code (0 healthy or all fixed, 1 when problems remain)."""
    findings = examine(data_dir)
    fixes = [f for f in findings if f.level == PROBLEM and f.fix is not None]
    if fix and fixes:
        try:
            with storage.locked(data_dir):  # no save can run while doctor removes what looks left over
                for f in fixes:
                    assert f.fix is not None
                    try:
                        f.fixed = f.fix()
                    except OSError as err:
                        f.fix_error = storage.reason(err)
        except StorageError as err:
            for f in fixes:
                f.fix_error = f.fix_error or str(err)
    lines = [f"data folder: {data_dir}"]
    for f in findings:
        if f.fixed:
            lines.append(f"fixed: {f.text} — {f.fixed}")
        elif f.fix_error:
            lines.append(f"problem: {f.text} — could not fix it: {f.fix_error}")
        else:
            hint = " (tillit doctor --fix can fix this)" if f.level == PROBLEM and f.fix is not None else ""
            lines.append(f"{f.level}: {f.text}{hint}")
    problems = [f for f in findings if f.level == PROBLEM]
    remaining = [f for f in problems if not f.fixed]
    fixed = len(problems) - len(remaining)
    if not problems:
        lines.append("healthy: nothing to fix.")
    elif not remaining:
        lines.append(f"healthy now: {fixed} problem{'s' if fixed != 1 else ''} fixed.")
    else:
        fixable = sum(1 for f in remaining if f.fix is not None and not f.fix_error)
        also = f"; {fixable} of them can be fixed with `tillit doctor --fix`" if fixable else ""
        done = f" ({fixed} fixed)" if fixed else ""
        lines.append(
            f"{len(remaining)} problem{'s' if len(remaining) != 1 else ''} remain{'s' if len(remaining) == 1 else ''}{done}{also}."
        )
    return lines, 1 if remaining else 0
