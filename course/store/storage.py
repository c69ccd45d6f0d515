"""Safe TOML files: atomic writes, careful reads, a sidecar lock, and moving unreadable files aside."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import tomli_w

from course.errors import StorageError, UsageError
from course.i18n import describe_failure, tr

SCHEMA = 1
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_INDEX_BYTES = 512 * 1024 * 1024  # the journal's cache (journal/.index.json) of a very large journal
STALE_TEMP_SECONDS = 60.0  # doctor: a temp file younger than this may belong to a save in progress
LOCK_NAME = ".lock"
QUARANTINE = "quarantine"  # <data>/quarantine/: unreadable files moved aside, each with a .note.txt
# Every data file Tillit writes starts with HEADER and ends with a checksum line (TRAILER + the sha256
# of every byte before that line), so a file cut off anywhere, even where it still parses, is noticed.
# A file is cut from its end, so a cut file never ends in a whole checksum line; one that does but whose
# checksum does not match was changed inside (by hand), and is accepted when it reads well (see seal).
HEADER = b"# Tillit data file, plain TOML that you may edit; the last line is a checksum that shows a cut-off file.\n"
OLD_HEADERS = (b"# Tillit data file: the last line is a checksum of the rest, so edits here make it unreadable.\n",)
TRAILER = b"# tillit-sha256: "
TRUNCATED = "it was cut off (checksum mismatch: its last line, a checksum, is missing or incomplete)"
HAND_EDITS = "backups/hand-edits"  # <data>/backups/hand-edits/: each hand-edited file as Tillit first accepted it
_HEADERS = (HEADER, *OLD_HEADERS)
_WHOLE_TRAILER = re.compile(rb"# tillit-sha256: [0-9a-f]{64}")

_ADVICE = {
    errno.ENOSPC: "space",
    errno.EDQUOT: "space",
    errno.EROFS: "readonly",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
}


def advice_key(err: OSError) -> str:
    """Which 'what to do' fits an OS error: space, readonly, permission or generic."""
    return _ADVICE.get(err.errno or 0, "generic")


def advice(err: OSError) -> str:
    """A short 'what to do' for an OS error, in English."""
    return tr(f"advice.{advice_key(err)}", "en")


def os_failure(action: str, path: Path, err: OSError) -> StorageError:
    """The StorageError for an OS refusal to save, read or use a folder: one sentence with what to do."""
    key = _ADVICE.get(err.errno or 0, "generic")
    why = reason(err)
    message = describe_failure(action, path, why, key, "en")
    return StorageError(message, action=action, path=path, reason=why, advice=key)


def reason(err: OSError) -> str:
    """The operating system's short reason for an error (its message when it has no error number)."""
    return err.strerror or str(err) or type(err).__name__


def ensure_dir(path: Path) -> None:
    """Create a private folder (0700) if it is missing, or raise StorageError (never a traceback)."""
    try:
        if path.exists() and not path.is_dir():
            raise StorageError(
                f"Cannot use the data folder {path}: it is a file, not a folder; choose another with --data."
            )
        # mkdir(parents=True) would create the missing parents with the umask's mode (0777 under umask 0).
        for parent in reversed([p for p in path.parents if not p.exists()]):
            parent.mkdir(mode=0o700, exist_ok=True)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if stat.S_IMODE(path.stat().st_mode) != 0o700:
            try:
                path.chmod(0o700)
            except OSError as err:
                if err.errno != errno.EROFS:
                    raise  # a read-only disk: the folder is read as it is, and every save says why
    except OSError as err:
        if _inside_data_folder(path):  # a folder inside the data folder (C4): not "the data folder", no --data advice
            failure = os_failure("folder", path, err)
            raise StorageError(
                describe_failure("subfolder", path, failure.reason, "subfolder", "en"),
                action="subfolder",
                path=path,
                reason=failure.reason,
                advice="subfolder",
            ) from err
        raise os_failure("folder", path, err) from err


def _inside_data_folder(path: Path) -> bool:
    """True when `path` lies below a marked data folder (a lesson's journal folder, attempts/, backups/…)."""
    for parent in list(path.parents)[:4]:
        with contextlib.suppress(OSError):
            if (parent / MARKER).is_file():
                return True
    return False


_TERMINAL_CONTROLS = re.compile("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]")


def _escape_controls(text: str) -> str:
    """TOML text with C1 controls and bidi overrides written as \\uXXXX escapes.

    tomli_w escapes C0 controls and DEL but writes U+0080–U+009F (among them the 8-bit CSI and OSC) and
    the bidi overrides as they are, so `cat` of a file, `journal list --format toml` or `share -o -`
    would hand them to a terminal. tomli_w writes every string and key as a basic string, where the
    escape means the same character, so the data reads back identically.
    """
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


def toml_value(value: str | bool | int | float) -> str:
    """`value` as one TOML value on one line, escaped as every file Tillit writes (for files written with
    comments, such as a new session plan or a converted quiz, where the checker finds each key by its line)."""
    line = tomli_w.dumps({"v": value})  # 'v = …' on one line: tomli_w writes no multi-line string by default
    return _escape_controls(line.removeprefix("v = ").rstrip("\n"))


def dumps(data: Mapping[str, Any], path: Path) -> bytes:
    """Serialise fully in memory and prove it reads back identically before anything is written.

    The one TOML writer: data files, exports and share files all come from here, with nothing in them
    a terminal would obey (see _escape_controls).
    """
    try:
        text = _escape_controls(tomli_w.dumps(data, multiline_strings=True))
        encoded = text.encode("utf-8")
    except (TypeError, ValueError) as err:
        raise StorageError(f"Could not save {path}: the data cannot be written as TOML ({err}).") from err
    try:
        same = tomllib.loads(text) == data
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        same = False
    if not same:
        raise StorageError(f"Could not save {path}: the data would not read back the same; nothing was written.")
    return encoded


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old file or the new one.

    Only a file (or nothing) is ever replaced: a device, a pipe or a folder of that name is refused, so
    a save can never turn /dev/null into a file, even as root.
    """
    _refuse_special(path)
    _put_in_place(path, data, lambda tmp: os.replace(tmp, path))


def _put_in_place(path: Path, data: bytes, put: Callable[[str], None]) -> None:
    """Write `data` whole to a private (0600), fsynced temp file beside `path`, let `put` move it into place
    (os.replace, or a hard link that never replaces, which then removes the temp name), then fsync the
    folder. A failure removes the temp file; an OSError is one sentence (os_failure)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise os_failure("save", path, err) from err
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        put(tmp)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise os_failure("save", path, err) from err
        raise
    _fsync_dir(path.parent)


def _special(path: Path) -> os.stat_result | None:
    """What `path` names (links followed) when that is neither a file nor missing, else None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return None if stat.S_ISREG(info.st_mode) else info


def _refuse_special(path: Path) -> None:
    info = _special(path)
    if info is None:
        return
    if stat.S_ISDIR(info.st_mode):
        raise StorageError(f"{path} is a folder, so nothing was written; give a file name.")
    raise StorageError(f"{path} is not a file (a device or a pipe), so Tillit did not replace it; give a file name.")


class OutputRefused(StorageError, UsageError):
    """A file the user named (-o FILE, an export, a handout) that Tillit will not write: it exists, it is a
    folder, or its folder is missing. Both a StorageError (it is about a file) and a UsageError (the user can
    fix it by choosing another name, or --force)."""


def exists_sentence(path: Path) -> str:
    """The one sentence for a file that is there already (every -o FILE of the command line says this)."""
    return f"{path} already exists, so nothing was written; add --force to replace it, or choose another file name."


def check_new_file(path: Path, replace: bool = False) -> None:
    """Raise OutputRefused when write_new_file(path, …, replace=replace) would refuse; so a command can
    say so before it asks a question or writes the first of several files."""
    info = _special(path)
    if info is not None:
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            return  # /dev/null, /dev/stdout, a named pipe: written into, never replaced
        if stat.S_ISDIR(info.st_mode):
            raise OutputRefused(f"{path} is a folder, so nothing was written; give a file name.", path=path)
        raise OutputRefused(
            f"{path} is not a file (a device or a pipe), so Tillit did not replace it; give a file name.", path=path
        )
    if not replace and (path.exists() or path.is_symlink()):
        raise OutputRefused(exists_sentence(path), path=path)
    if not path.parent.is_dir():
        raise OutputRefused(
            f"The folder {path.parent} does not exist, so nothing was written; create it first or choose another place.",
            path=path,
        )


def write_new_file(path: Path, data: bytes | str, replace: bool = False) -> None:
    """Write a file the user asked for (an export, a handout, a share file, a plan, a quiz): the one rule.

    An existing file (or a link of that name, even a broken one) is never replaced unless `replace`
    (the command line's --force, or a screen that asked): OutputRefused says so in one sentence. The
    file is written whole to a temp file beside it and then put in place, private (0600); without
    `replace` it is put there with a hard link, which fails if a file of that name appeared meanwhile.
    A device or a pipe the user names (/dev/null, /dev/stdout, a named pipe) is written into as it is,
    never replaced; a folder, or a missing folder, is refused.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    check_new_file(path, replace)
    info = _special(path)
    if info is not None:  # a device or a pipe (check_new_file refused anything else)
        _write_into(path, raw)
        return
    if replace:
        atomic_write(path, raw)
        return

    def link(tmp: str) -> None:
        try:
            os.link(tmp, path)  # never over a file: fails with EEXIST when one is there now
        except FileExistsError:
            raise OutputRefused(exists_sentence(path), path=path) from None
        except OSError:  # a file system without hard links (FAT, some network shares)
            if path.exists() or path.is_symlink():
                raise OutputRefused(exists_sentence(path), path=path) from None
            os.replace(tmp, path)
            return
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # the file is in place under its own name now

    _put_in_place(path, raw, link)


def _write_into(path: Path, data: bytes) -> None:
    """Write into a device or a pipe the user named, as it is."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as err:
        raise os_failure("save", path, err) from err


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def with_checksum(body: bytes) -> bytes:
    """HEADER + body + the checksum line over both: how every data file is laid out on disk."""
    signed = HEADER + body
    if not signed.endswith(b"\n"):
        signed += b"\n"
    return signed + TRAILER + hashlib.sha256(signed).hexdigest().encode("ascii") + b"\n"


def checksum_ok(raw: bytes) -> bool | None:
    """None when the file carries no checksum (older or hand-written: nothing to check), else whether it is whole.

    A file that claims a checksum but has a damaged header (its last line is a checksum line, or its
    first line still says it is checksummed) counts as damaged, so one flipped bit in the header can
    never switch the check off.
    """
    if not raw.startswith(_HEADERS):
        first = raw[: len(HEADER) + 8].split(b"\n", 1)[0]
        last = raw.removesuffix(b"\n").rpartition(b"\n")[2]
        claims = last.startswith(TRAILER) or (first.startswith(b"#") and b"checksum" in first)
        return False if claims else None
    body, sep, last = raw.removesuffix(b"\n").rpartition(b"\n")
    if not sep or not last.startswith(TRAILER):
        return False
    return hashlib.sha256(body + b"\n").hexdigest().encode("ascii") == last[len(TRAILER) :]


Seal = Literal["whole", "unsigned", "edited", "cut"]


def seal(raw: bytes) -> Seal:
    """How a data file's bytes stand against their checksum line.

    "whole": the checksum matches. "unsigned": no header and no checksum line (a file from before the
    checksum, or written by hand from scratch). "cut": the file claims a checksum but does not end in a
    whole checksum line — a file cut off anywhere loses its end, and so that line, first. "edited": it
    ends in a whole checksum line that does not match, so it was changed inside (by hand, in an editor),
    not cut; it is used when it still reads and checks as valid data. Trailing blank lines and spaces
    (an editor's) do not count.
    """
    whole = checksum_ok(raw)
    if whole is None:
        return "unsigned"
    if whole:
        return "whole"
    last = raw.rstrip(b" \t\r\n").rpartition(b"\n")[2]
    return "edited" if _WHOLE_TRAILER.fullmatch(last) else "cut"


def keep_hand_edit(path: Path, root: Path, raw: bytes) -> tuple[Path, bool]:
    """Keep `raw`, the bytes of a hand-edited data file as Tillit accepts it, in <root>/backups/hand-edits/.

    The copy is named after the file's place in the data folder and the moment
    ("journal__x__y.toml.edited-<time>"); the same bytes are kept once, so this returns (the copy, True)
    the first time and (the earlier copy, False) after that. The file itself is left as the learner
    wrote it; its next save by Tillit writes a fresh checksum line. Call it under the save lock.
    """
    folder = root / HAND_EDITS
    base = quarantine_name(path, root)
    with contextlib.suppress(OSError):
        for earlier in sorted(folder.glob(f"{base}.edited-*")):
            same_size = earlier.is_file() and not earlier.is_symlink() and earlier.stat().st_size == len(raw)
            if same_size and earlier.read_bytes() == raw:
                return earlier, False
    ensure_dir(folder.parent)
    ensure_dir(folder)
    name = f"{base}.edited-{time.strftime('%Y%m%d-%H%M%S')}"
    target = folder / name
    n = 1
    while target.exists() or target.is_symlink():
        n += 1
        target = folder / f"{name}-{n}"
    atomic_write(target, raw)
    return target, True


def hand_edit_copies(root: Path) -> list[Path]:
    """The copies keep_hand_edit made, oldest first."""
    folder = root / HAND_EDITS
    try:
        found = [p for p in folder.iterdir() if ".edited-" in p.name and p.is_file() and not p.is_symlink()]
    except OSError:
        return []
    return sorted(found, key=lambda p: (p.name.rpartition(".edited-")[2], p.name))


def too_large(size: int) -> str:
    """The reason a file of `size` bytes is refused (on save and on read alike)."""
    return f"it is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"


def write_toml(path: Path, data: Mapping[str, Any]) -> None:
    """Write one data file atomically: the header, the schema number first, the data, the checksum line.

    A file larger than MAX_FILE_BYTES is refused with StorageError before anything is written: the
    same cap applies when it is read, so Tillit never acknowledges what it would refuse to read.
    """
    body = dumps({"schema": SCHEMA, **{k: v for k, v in data.items() if k != "schema"}}, path)
    signed = with_checksum(body)
    if len(signed) > MAX_FILE_BYTES:
        size = len(signed) / (1024 * 1024)
        raise StorageError(
            f"Could not save {path}: it would be {size:.1f} MiB, and a data file can be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MiB; shorten the text (nothing was written).",
            path=path,
        )
    atomic_write(path, signed)


# Tillit's own files have a plain shape: ids as keys, tables at most a few levels deep, no long dotted
# keys. tomllib's cost grows quadratically with dotted keys and steeply with tables, so a small file
# of another shape can cost seconds and gigabytes. Such a file is parsed in the sandbox (course.store.sandbox:
# the same memory and CPU limits as a file from someone else); one of Tillit's own shape is parsed here.
def quarantine_name(path: Path, root: Path) -> str:
    """The name a file gets in the quarantine: its path inside the data folder, with "__" for "/"."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = (path.name,)
    return "__".join(parts)


def move_aside(path: Path, root: Path | None = None, why: str = "") -> Path:
    """Move an unreadable file into <root>/quarantine/ (never delete or overwrite anything) and return its new path.

    The new name keeps the file's path inside the data folder ("journal/x/y.toml" becomes
    "journal__x__y.toml.unreadable-<time>"), and a small "<new name>.note.txt" beside it says when
    and why it was moved. `root` is the data folder (the file's own folder when not given).
    """
    base = path.parent if root is None else root
    folder = base / QUARANTINE
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{quarantine_name(path, base)}.unreadable-{stamp}"
    try:
        ensure_dir(folder)
    except StorageError as err:
        raise StorageError(f"{path} cannot be read and could not be moved aside: {err}") from err
    target = folder / name
    n = 1
    while target.exists() or target.with_name(target.name + ".note.txt").exists():
        n += 1
        target = folder / f"{name}-{n}"
    try:
        os.rename(path, target)
    except OSError as err:
        raise StorageError(f"{path} cannot be read and could not be moved aside: {reason(err)}.") from err
    _fsync_dir(path.parent)
    note = (
        f"Tillit moved this file here on {time.strftime('%Y-%m-%d %H:%M:%S %z')} because it could not be read.\n"
        f"It was: {path}\n"
        f"Why: {why or 'it could not be read'}\n"
        "Tillit never deletes it. To use it again, repair it and move it back (without the\n"
        "'.unreadable-…' ending) while Tillit is closed; or delete it when you no longer need it.\n"
        "Tillit takes a file edited by hand when it is valid TOML of the right shape and its last line\n"
        "is still the '# tillit-sha256: …' checksum line (it need not match). A file that lost that\n"
        "line was cut off: part of it may be missing (the backups/ folder has earlier copies); to use\n"
        "what is left anyway, also delete its first line, the '# Tillit data file' comment.\n"
    )
    with contextlib.suppress(StorageError):  # the note is a courtesy; the move itself has happened
        atomic_write(target.with_name(target.name + ".note.txt"), note.encode("utf-8"))
    return target


# The temp files atomic_write makes: "." + the file's name + "." + mkstemp's random characters + ".tmp".
TEMP_NAME = re.compile(r"^\.(?P<name>[A-Za-z0-9_.-]+\.(?:toml|json|txt))\.[A-Za-z0-9_]{1,16}\.tmp$")
# The folders of the data folder whose temp files are Tillit's (sessions/ and present/ are left to their owners).
_SWEPT = ("", "journal", "attempts", "assessments", "commitments", QUARANTINE, HAND_EDITS)


def sweep_temp_files(root: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove the temp files a crashed save left in Tillit's own folders; return how many were removed.

    Only names that atomic_write makes are touched, only in the data folder's own sub-folders, only under
    the save lock (which every save holds while its temp file exists), and only when older than
    `older_than` seconds, in case a Tillit from before the lock is writing beside this one.
    """
    removed = 0
    cutoff = time.time() - older_than
    if not root.is_dir():
        return 0
    with locked(root):
        folders = [root / sub for sub in _SWEPT]
        journal = root / "journal"
        with contextlib.suppress(OSError):
            folders += [e for e in journal.iterdir() if e.is_dir() and not e.is_symlink()]
            trash = journal / ".trash"
            if trash.is_dir() and not trash.is_symlink():
                folders += [trash, *(e for e in trash.iterdir() if e.is_dir() and not e.is_symlink())]
        for folder in folders:
            try:
                with os.scandir(folder) as scan:
                    names = [e for e in scan if TEMP_NAME.match(e.name) and e.is_file(follow_symlinks=False)]
            except OSError:
                continue
            for entry in names:
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime <= cutoff:
                        os.unlink(entry.path)
                        removed += 1
    return removed


_READ_ONLY: set[str] = set()


def set_read_only(root: Path, read_only: bool = True) -> None:
    """Mark a data folder as another Tillit's for this process: unreadable files in it are reported, not moved."""
    key = os.path.realpath(root)
    if read_only:
        _READ_ONLY.add(key)
    else:
        _READ_ONLY.discard(key)


def is_read_only(root: Path) -> bool:
    """True when this process must leave the data folder `root` as it finds it (see set_read_only)."""
    return bool(_READ_ONLY) and os.path.realpath(root) in _READ_ONLY


LOCK_TIMEOUT = 60.0  # seconds a save waits for another one (a restore of a big journal takes a few)


class _Held:
    """This process's hold on one data folder's save lock: re-entrant within a thread, exclusive between threads."""

    def __init__(self) -> None:
        self.thread = threading.RLock()
        self.fd: int | None = None
        self.depth = 0
        self.owner = 0


_HELD: dict[str, _Held] = {}
_HELD_GUARD = threading.Lock()


def _busy(root: Path) -> StorageError:
    return StorageError(
        f"The data folder {root} is busy: another Tillit has been saving for over {LOCK_TIMEOUT:g} s "
        "(a restore or a backup of a big journal?); nothing was changed — try again in a moment, "
        "or run `tillit doctor` to see what holds it."
    )


def _flock(fd: int, root: Path, deadline: float) -> None:
    """Take the flock on `fd`, waiting until `deadline` (then StorageError, with `fd` closed)."""
    import fcntl

    pause = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise _busy(root) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        except OSError as err:
            os.close(fd)
            raise os_failure("folder", root, err) from err


def _open_lock(root: Path, key: str) -> int | None:
    """The lock file's descriptor; None on a read-only disk without one (nothing can be saved there anyway,
    and the save itself then says why, naming its own file)."""
    path = os.path.join(key, LOCK_NAME)
    flags = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o600)
    except OSError as err:
        if err.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise os_failure("folder", root, err) from err
    try:
        return os.open(path, os.O_RDONLY | flags)  # flock works on a descriptor opened for reading
    except FileNotFoundError:
        return None
    except OSError as err:
        raise os_failure("folder", root, err) from err


@contextlib.contextmanager
def locked(root: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the data folder's save lock (the sidecar `.lock`, never a data file itself) for a whole change.

    Every writer takes it for the span of its change: a save, a quarantine move, a backup, a restore,
    a sweep, doctor's fixes. It is re-entrant (a store may save inside another store's locked change) and
    waits at most `timeout` seconds for another process, then raises StorageError.
    """
    if os.name != "posix":  # pragma: no cover - Windows: single-instance only
        yield
        return
    key = os.path.realpath(root)
    with _HELD_GUARD:
        held = _HELD.setdefault(key, _Held())
    deadline = time.monotonic() + timeout
    if not held.thread.acquire(timeout=max(timeout, 0.001)):
        raise _busy(root)
    try:
        if held.depth == 0:
            fd = _open_lock(root, key)
            if fd is not None:
                _flock(fd, root, deadline)
            held.fd = fd
        held.owner = threading.get_ident()
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0:
                held.owner = 0
                if held.fd is not None:
                    fd, held.fd = held.fd, None
                    os.close(fd)
    finally:
        held.thread.release()


def lock_held(path: Path) -> bool:
    """True when this thread holds the save lock of a data folder that contains `path`."""
    me = threading.get_ident()
    real = os.path.realpath(path)
    return any(
        h.depth > 0 and h.owner == me and (real == key or real.startswith(key.rstrip(os.sep) + os.sep))
        for key, h in list(_HELD.items())
    )

MARKER = "tillit-data.toml"  # <data>/tillit-data.toml: this folder is Tillit's (and a backup holds a copy)
