"""Safe TOML files: atomic writes, careful reads, a sidecar lock, and moving unreadable files aside."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import math
import os
import re
import stat
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from course.errors import CorruptFileError, NewerFileError, NotDataFolderError, StorageError, UnreadableFileError
from course.i18n import describe_failure, tr

SCHEMA = 1
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_INDEX_BYTES = 512 * 1024 * 1024  # the journal's cache (journal/.index.json) of a very large journal
STALE_TEMP_SECONDS = 60.0  # doctor: a temp file younger than this may belong to a save in progress
LOCK_NAME = ".lock"
QUARANTINE = "quarantine"  # <data>/quarantine/: unreadable files moved aside, each with a .note.txt
# Every data file Tillit writes starts with HEADER and ends with a checksum line (TRAILER + the sha256
# of every byte before that line), so a file cut off anywhere, even where it still parses, is noticed.
HEADER = b"# Tillit data file: the last line is a checksum of the rest, so edits here make it unreadable.\n"
TRAILER = b"# tillit-sha256: "
TRUNCATED = "it was cut off or changed outside Tillit (checksum mismatch)"

_ADVICE = {
    errno.ENOSPC: "space",
    errno.EDQUOT: "space",
    errno.EROFS: "readonly",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
}


def advice(err: OSError) -> str:
    """A short 'what to do' for an OS error, in English."""
    return tr(f"advice.{_ADVICE.get(err.errno or 0, 'generic')}", "en")


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
        os.replace(tmp, path)
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


def write_output(path: Path, data: bytes) -> None:
    """Write a file the user asked for (an export, a handout, a share file): atomically, 0600.

    A device or a pipe the user names (/dev/null, /dev/stdout, a named pipe) is written into as it is,
    never replaced; a folder is refused in one sentence.
    """
    info = _special(path)
    if info is None or stat.S_ISDIR(info.st_mode):
        atomic_write(path, data)
        return
    if not (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        _refuse_special(path)
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
    if not raw.startswith(HEADER):
        first = raw[: len(HEADER) + 8].split(b"\n", 1)[0]
        last = raw.removesuffix(b"\n").rpartition(b"\n")[2]
        claims = last.startswith(TRAILER) or (first.startswith(b"#") and b"checksum" in first)
        return False if claims else None
    body, sep, last = raw.removesuffix(b"\n").rpartition(b"\n")
    if not sep or not last.startswith(TRAILER):
        return False
    return hashlib.sha256(body + b"\n").hexdigest().encode("ascii") == last[len(TRAILER) :]


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
_SHAPE_TOKENS = re.compile(r'"""|\'\'\'|["\'#\[\]{}.=\n]')
_MAX_DOTS_PER_LINE = 8
_MAX_DEPTH = 16
_MAX_KEYS = 50_000
_SCHEMA_LINE = re.compile(rb"^schema\s*=\s*(\d{1,9})\s*$", re.MULTILINE)


def _end_of_string(text: str, pos: int, quote: str) -> int:
    """The index just past the string that starts at `pos` (after its opening `quote`), or -1 when unclosed."""
    escapes = quote[0] == '"'
    while True:
        end = text.find(quote, pos)
        if end < 0:
            return -1
        if escapes:
            slashes = 0
            while end - slashes - 1 >= pos and text[end - slashes - 1] == "\\":
                slashes += 1
            if slashes % 2:
                pos = end + 1
                continue
        if len(quote) == 3:  # up to two more quotes belong to the text (\"\"\"\"\" ends with two)
            while text.startswith(quote[0], end + 3) and end + 3 < len(text):
                end += 1
        return end + len(quote)


def costly_shape(text: str) -> bool:
    """True when the TOML text is not of the plain shape Tillit writes (a cheap scan, strings skipped)."""
    pos, dots, depth, keys = 0, 0, 0, 0
    search = _SHAPE_TOKENS.search
    while True:
        found = search(text, pos)
        if found is None:
            return False
        token, pos = found.group(), found.end()
        if token in ('"""', "'''", '"', "'"):
            pos = _end_of_string(text, pos, token)
            if pos < 0:
                return False  # unclosed: tomllib says so at once
        elif token == "#":
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline
        elif token == "\n":
            dots = 0
        elif token == ".":
            dots += 1
            if dots > _MAX_DOTS_PER_LINE:
                return True
        elif token == "=":
            keys += 1
            if keys > _MAX_KEYS:
                return True
        elif token in "[{":
            depth += 1
            keys += 1
            if depth > _MAX_DEPTH or keys > _MAX_KEYS:
                return True
        else:
            depth = max(0, depth - 1)


def parse_limited(text: str) -> dict[str, Any]:
    """tomllib.loads, within limits: in-process for Tillit's own shape, else in the sandbox.

    Raises tomllib.TOMLDecodeError (or ValueError) for text that is not TOML and RecursionError
    for text that hits a limit, as tomllib itself would for a deeply nested file.
    """
    if not costly_shape(text):
        return tomllib.loads(text)
    from course.store.sandbox import TomlSandbox

    sandbox = TomlSandbox()
    try:
        kind, value = sandbox.parse(text)
    finally:
        sandbox.close()
    if kind == "ok" and isinstance(value, dict):
        return value
    if kind == "error":
        raise ValueError(str(value))
    raise RecursionError("too deeply nested or too large to read safely")


def _peek_schema(raw: bytes) -> int | None:
    """The schema number of a data file, read from its first lines without parsing it."""
    found = _SCHEMA_LINE.search(raw, 0, 4096)
    return int(found.group(1)) if found else None


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular data file, never through a link; CorruptFileError/UnreadableFileError otherwise."""
    return read_regular(path, MAX_FILE_BYTES)


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them, never through a link and never
    waiting on a FIFO or a device; FileNotFoundError when it is missing, CorruptFileError (a link, not a
    regular file, too large) or UnreadableFileError (the system refused) otherwise."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise
    except OSError as err:
        raise unreadable(path, err) from err
    if stat.S_ISLNK(info.st_mode):
        raise CorruptFileError(path, "it is a link, and Tillit never follows links in its data folder")
    if not stat.S_ISREG(info.st_mode):
        raise CorruptFileError(path, "it is not a regular file")
    if info.st_size > limit:
        raise CorruptFileError(path, too_large(info.st_size))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as err:
        if err.errno == errno.ELOOP:  # swapped for a link since the lstat
            raise CorruptFileError(path, "it is a link, and Tillit never follows links in its data folder") from err
        raise unreadable(path, err) from err
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CorruptFileError(path, "it is not a regular file")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise CorruptFileError(path, too_large(size))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise unreadable(path, err) from err
    finally:
        os.close(fd)


def unreadable(path: Path, err: OSError) -> UnreadableFileError:
    """The error for a file the operating system would not let Tillit read: it is skipped, never moved."""
    why = reason(err)
    message = describe_failure("read", path, why, _ADVICE.get(err.errno or 0, "generic"), "en")
    failure = UnreadableFileError(
        message, action="read", path=path, reason=why, advice=_ADVICE.get(err.errno or 0, "generic")
    )
    return failure


def read_toml(path: Path) -> dict[str, Any] | None:
    """Read a data file; None when it does not exist.

    Raises CorruptFileError when it cannot be understood (it is then moved aside by the caller),
    UnreadableFileError when the operating system refuses the read (it is then skipped, not moved)
    and NewerFileError when a newer Tillit wrote it. The checksum is checked before anything is parsed,
    and parsing is bounded (see parse_limited), so no file can cost more than a moment.
    """
    try:
        raw = _read_bytes(path)
    except FileNotFoundError:
        return None
    digest = hashlib.sha256(raw).digest()
    known = _REFUSED.get(digest)
    if known is not None:  # the very same bytes were refused a moment ago (load_checked reads again under the lock)
        raise CorruptFileError(path, known)
    try:
        return _parse_data(raw, path)
    except CorruptFileError as err:
        if len(_REFUSED) >= 64:
            _REFUSED.clear()
        _REFUSED[digest] = err.reason
        raise


# The verdicts on files that could not be understood, by the SHA-256 of their bytes, so a file is
# never parsed twice (a TOML bomb costs a sandboxed parse of up to two seconds each time).
_REFUSED: dict[bytes, str] = {}


def _parse_data(raw: bytes, path: Path) -> dict[str, Any]:
    """The data of a data file's bytes; see read_toml."""
    whole = checksum_ok(raw)
    if whole is False:
        schema = _peek_schema(raw)
        if schema is not None and schema > SCHEMA:
            raise NewerFileError(path, schema)  # a newer Tillit's file is left alone, whatever it holds
        raise CorruptFileError(path, TRUNCATED)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
        data = parse_limited(text)
    except UnicodeDecodeError as err:
        raise CorruptFileError(path, "it is not UTF-8 text") from err
    except (RecursionError, MemoryError) as err:
        raise CorruptFileError(path, "it is too deeply nested or too large to read safely") from err
    except (tomllib.TOMLDecodeError, ValueError) as err:
        raise CorruptFileError(path, f"not valid TOML: {err}") from err
    schema = data.get("schema")
    if schema is None:
        raise CorruptFileError(path, "it has no schema number")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise CorruptFileError(path, "its schema number is not a positive whole number")
    if schema > SCHEMA:
        raise NewerFileError(path, schema)
    return data


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
    )
    with contextlib.suppress(StorageError):  # the note is a courtesy; the move itself has happened
        atomic_write(target.with_name(target.name + ".note.txt"), note.encode("utf-8"))
    return target


# The temp files atomic_write makes: "." + the file's name + "." + mkstemp's random characters + ".tmp".
TEMP_NAME = re.compile(r"^\.(?P<name>[A-Za-z0-9_.-]+\.(?:toml|json|txt))\.[A-Za-z0-9_]{1,16}\.tmp$")
# The folders of the data folder whose temp files are Tillit's (sessions/ and present/ are left to their owners).
_SWEPT = ("", "journal", "attempts", "assessments", "commitments", QUARANTINE)


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


# --- the data folder's marker ---------------------------------------------------------------------

MARKER = "tillit-data.toml"  # <data>/tillit-data.toml: this folder is Tillit's (and a backup holds a copy)
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


# --- small validators shared by the stores -------------------------------------------------------


def want_str(data: Mapping[str, Any], key: str, path: Path, default: str | None = None) -> str:
    """The string at `key`, or raise CorruptFileError naming the key."""
    value = data.get(key, default)
    if not isinstance(value, str):
        raise CorruptFileError(path, f"'{key}' should be text")
    return value


def want_int(data: Mapping[str, Any], key: str, path: Path, default: int | None = None) -> int:
    """The whole number at `key` (not a bool), or raise CorruptFileError naming the key."""
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**53:
        raise CorruptFileError(path, f"'{key}' should be a whole number")
    return value


def want_float(data: Mapping[str, Any], key: str, path: Path) -> float:
    """The finite number at `key`, or raise CorruptFileError naming the key."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CorruptFileError(path, f"'{key}' should be a number")
    return float(value)


def want_time(data: Mapping[str, Any], key: str, path: Path, optional: bool = False) -> datetime | None:
    """The time-zone-aware date-time at `key`, or raise CorruptFileError naming the key."""
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise CorruptFileError(path, f"'{key}' should be a date and time with a time zone")
    return value


def want_table(data: Mapping[str, Any], key: str, path: Path) -> dict[str, Any]:
    """The table at `key` (empty when missing), or raise CorruptFileError naming the key."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise CorruptFileError(path, f"'{key}' should be a table")
    return value


def want_str_list(data: Mapping[str, Any], key: str, path: Path) -> list[str]:
    """The list of strings at `key` (empty when missing), or raise CorruptFileError naming the key."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CorruptFileError(path, f"'{key}' should be a list of text")
    return list(value)
