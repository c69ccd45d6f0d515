"""Safe TOML files: atomic writes, careful reads, a sidecar lock, and moving unreadable files aside."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import math
import os
import stat
import tempfile
import time
import tomllib
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from course.errors import CorruptFileError, NewerFileError, StorageError
from course.i18n import describe_failure, tr

SCHEMA = 1
MAX_FILE_BYTES = 8 * 1024 * 1024
STALE_TEMP_SECONDS = 60.0
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
    """Create a private folder (0700) if it is missing, or raise StorageError."""
    if path.exists() and not path.is_dir():
        raise StorageError(
            f"Cannot use the data folder {path}: it is a file, not a folder; choose another with --data."
        )
    try:
        # mkdir(parents=True) would create the missing parents with the umask's mode (0777 under umask 0).
        for parent in reversed([p for p in path.parents if not p.exists()]):
            parent.mkdir(mode=0o700, exist_ok=True)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if stat.S_IMODE(path.stat().st_mode) != 0o700:
            path.chmod(0o700)
    except OSError as err:
        raise os_failure("folder", path, err) from err


def dumps(data: Mapping[str, Any], path: Path) -> bytes:
    """Serialise fully in memory and prove it reads back identically before anything is written."""
    try:
        text = tomli_w.dumps(data, multiline_strings=True)
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
    """Replace `path` with `data` so that a crash leaves either the old file or the new one."""
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
    """None when the file has no HEADER (older or hand-written: nothing to check), else whether it is whole."""
    if not raw.startswith(HEADER):
        return None
    body, sep, last = raw.removesuffix(b"\n").rpartition(b"\n")
    if not sep or not last.startswith(TRAILER):
        return False
    return hashlib.sha256(body + b"\n").hexdigest().encode("ascii") == last[len(TRAILER) :]


def write_toml(path: Path, data: Mapping[str, Any]) -> None:
    """Write one data file atomically: the header, the schema number first, the data, the checksum line."""
    body = dumps({"schema": SCHEMA, **{k: v for k, v in data.items() if k != "schema"}}, path)
    atomic_write(path, with_checksum(body))


def read_toml(path: Path) -> dict[str, Any] | None:
    """Read a data file; None when it does not exist, CorruptFileError/NewerFileError when unusable."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise os_failure("read", path, err) from err
    if not stat.S_ISREG(info.st_mode):
        raise CorruptFileError(path, "it is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise CorruptFileError(path, f"it is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise os_failure("read", path, err) from err
    whole = checksum_ok(raw)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
        data = tomllib.loads(text)
    except UnicodeDecodeError as err:
        raise CorruptFileError(path, TRUNCATED if whole is False else "it is not UTF-8 text") from err
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as err:
        raise CorruptFileError(path, TRUNCATED if whole is False else f"not valid TOML: {err}") from err
    schema = data.get("schema")
    if whole is False and not (isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA):
        raise CorruptFileError(path, TRUNCATED)  # a newer Tillit's file is left alone (below), whatever it holds
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


def sweep_temp_files(root: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove temp files that a crashed save left behind; return how many were removed."""
    removed = 0
    cutoff = time.time() - older_than
    if not root.is_dir():
        return 0
    for tmp in root.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the data folder's sidecar lock file (never on a data file itself)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: single-instance only
        yield
        return
    try:
        fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        raise os_failure("folder", root, err) from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
