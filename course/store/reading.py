"""Careful reads of data files: only regular files, never through a link, bounded in size, with TOML that
could cost too much parsed in the sandbox, and the checksum checked before anything is believed."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.errors import CorruptFileError, NewerFileError, UnreadableFileError
from course.i18n import describe_failure
from course.store.storage import MAX_FILE_BYTES, SCHEMA, TRUNCATED, advice_key, reason, seal, too_large

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
    message = describe_failure("read", path, why, advice_key(err), "en")
    failure = UnreadableFileError(
        message, action="read", path=path, reason=why, advice=advice_key(err)
    )
    return failure


@dataclass(frozen=True)
class DataFile:
    """A data file as read: its data, its bytes, and whether it was edited outside Tillit (see storage.seal)."""

    data: dict[str, Any]
    raw: bytes
    edited: bool


def read_toml(path: Path) -> dict[str, Any] | None:
    """Read a data file; None when it does not exist.

    Raises CorruptFileError when it cannot be understood (it is then moved aside by the caller),
    UnreadableFileError when the operating system refuses the read (it is then skipped, not moved)
    and NewerFileError when a newer Tillit wrote it. The checksum is checked before anything is parsed,
    and parsing is bounded (see parse_limited), so no file can cost more than a moment. A file edited by
    hand (a whole checksum line that does not match) is read like any other; read_data says it was.
    """
    found = read_data(path)
    return None if found is None else found.data


def read_data(path: Path) -> DataFile | None:
    """read_toml, with the bytes read and whether the file was edited outside Tillit; None when missing."""
    try:
        raw = _read_bytes(path)
    except FileNotFoundError:
        return None
    digest = hashlib.sha256(raw).digest()
    known = _REFUSED.get(digest)
    if known is not None:  # the very same bytes were refused a moment ago (load_checked reads again under the lock)
        raise CorruptFileError(path, known)
    try:
        data, edited = _parse_data(raw, path)
    except CorruptFileError as err:
        if len(_REFUSED) >= 64:
            _REFUSED.clear()
        _REFUSED[digest] = err.reason
        raise
    return DataFile(data, raw, edited)


# The verdicts on files that could not be understood, by the SHA-256 of their bytes, so a file is
# never parsed twice (a TOML bomb costs a sandboxed parse of up to two seconds each time).
_REFUSED: dict[bytes, str] = {}


def _parse_data(raw: bytes, path: Path) -> tuple[dict[str, Any], bool]:
    """The data of a data file's bytes, and whether it was edited by hand; see read_toml."""
    state = seal(raw)
    if state == "cut":
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
        edited = "it was changed outside Tillit and is " if state == "edited" else ""
        raise CorruptFileError(path, f"{edited}not valid TOML: {err}") from err
    schema = data.get("schema")
    if schema is None:
        raise CorruptFileError(path, "it has no schema number")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise CorruptFileError(path, "its schema number is not a positive whole number")
    if schema > SCHEMA:
        raise NewerFileError(path, schema)
    return data, state == "edited"
