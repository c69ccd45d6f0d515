"""Reading course files so that every problem is reported with its file and line, never raised one by one."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
import tomllib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from course.errors import Problem

MAX_CONTENT_BYTES = 2 * 1024 * 1024
UNSAFE = "the file could not be read safely: too complex or too large"
UNSAFE_FIX = "simplify it"
OUTSIDE = "the file is a link to somewhere outside the course folder"
OUTSIDE_FIX = "replace the link with a copy of the file"
NOT_A_FILE = "this is {kind}, not a file, so it cannot be read"
NOT_A_FILE_FIX = "put a regular file with this name in its place"
TOO_LARGE = "the file is larger than 2 MiB"
TOO_LARGE_FIX = "split it into smaller lessons"


class _Reading:
    """The course folder being read, and (for a course that is not the built-in one) its parser process."""

    def __init__(self, root: Path, untrusted: bool, cached: bool = False) -> None:
        self.root = root.resolve()
        self.sandbox = None
        self.cache = None
        if untrusted:
            from course.store.sandbox import TomlSandbox

            self.sandbox = TomlSandbox()
        elif cached:
            from course.content.parsecache import ParseCache, cache_file

            self.cache = ParseCache(cache_file())

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
        if self.cache is not None:
            self.cache.save()


_READING: ContextVar[_Reading | None] = ContextVar("tillit_course_reading", default=None)


@contextlib.contextmanager
def reading(root: Path, untrusted: bool, cached: bool = False) -> Iterator[None]:
    """While a course is read: links out of `root` are refused, and when `untrusted` every TOML text is
    parsed in a child process with memory and CPU limits (see course.store.sandbox). `cached` (trusted only:
    the built-in course) keeps parsed TOML between runs (see course.content.parsecache)."""
    state = _Reading(root, untrusted, cached)
    token = _READING.set(state)
    try:
        yield
    finally:
        _READING.reset(token)
        state.close()


def outside_root(path: Path) -> bool:
    """True when `path` (following every link) is not inside the course folder being read."""
    state = _READING.get()
    if state is None:
        return False
    try:
        return not Path(os.path.realpath(path)).is_relative_to(state.root)
    except (OSError, ValueError):
        return True


def report_links(folders: Sequence[Path], rep: Report) -> None:
    """A problem for every link in `folders` that points out of the course folder (links are never followed)."""
    for top in folders:
        if top.is_symlink() and outside_root(top):
            rep.add(top, 1, OUTSIDE, OUTSIDE_FIX)
            continue
        for folder, dirs, files in os.walk(top, followlinks=False):
            for name in sorted([*dirs, *files]):
                path = Path(folder) / name
                if path.is_symlink() and outside_root(path):
                    rep.add(path, 1, OUTSIDE, OUTSIDE_FIX)


class Report:
    """Collects problems while a course is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: Path, line: int, problem: str, fix: str) -> None:
        self.problems.append(Problem(file, max(line, 1), problem, fix))


@functools.lru_cache(maxsize=16)
def _lines(text: str) -> tuple[str, ...]:
    """A file's lines, split once: a course file is searched for hundreds of keys while it is read."""
    return tuple(text.splitlines())


def line_of(text: str, pattern: str, start: int = 1, nth: int = 0) -> int:
    """The 1-based line of the nth line matching `pattern` at or after line `start`; `start` if none."""
    rx = re.compile(pattern)
    lines = _lines(text)
    seen = 0
    for index in range(max(start, 1) - 1, len(lines)):
        if rx.search(lines[index]):
            if seen == nth:
                return index + 1
            seen += 1
    return start


_TABLE_HEADER = re.compile(r"^\s*\[")


def key_line(text: str, key: str, start: int = 1) -> int:
    """The line where `key = …` is written in the table that starts at line `start` (the top of the file
    by default), looking no further than the next table header; `start` when the table does not have it.

    So a key missing from one [[question]] is reported at that question, not at the next one that has it.
    """
    rx = re.compile(rf"^\s*{re.escape(key)}\s*=")
    lines = _lines(text)
    for index in range(max(start, 1) - 1, len(lines)):
        if index + 1 > start and _TABLE_HEADER.match(lines[index]):
            break
        if rx.search(lines[index]):
            return index + 1
    return start


def toml_error_line(err: Exception) -> int:
    """The line number in a TOML error message (tomllib puts it only in the text before Python 3.14)."""
    match = re.search(r"at line (\d+)", str(err))
    return int(match.group(1)) if match else 1


def _not_a_file(mode: int) -> str:
    """What a path that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "something other than a file"


def read_text(path: Path, rep: Report) -> str | None:
    """A course file's text with Windows line endings made plain; None (and a problem) when unreadable.

    Only a regular file is read: it is opened without blocking, so a named pipe (FIFO) in its place
    can never stall a reading, and a pipe, a folder or a device is one problem that says what it is.
    """
    if outside_root(path):
        rep.add(path, 1, OUTSIDE, OUTSIDE_FIX)
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except IsADirectoryError:  # where a folder cannot be opened at all (Linux opens it; fstat says below)
        rep.add(path, 1, NOT_A_FILE.format(kind="a folder"), NOT_A_FILE_FIX)
        return None
    except OSError as err:
        rep.add(path, 1, f"the file cannot be read ({err.strerror})", "check that it exists and is readable")
        return None
    raw = b""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            rep.add(path, 1, NOT_A_FILE.format(kind=_not_a_file(info.st_mode)), NOT_A_FILE_FIX)
            return None
        if info.st_size > MAX_CONTENT_BYTES:
            rep.add(path, 1, TOO_LARGE, TOO_LARGE_FIX)
            return None
        chunks: list[bytes] = []
        left = MAX_CONTENT_BYTES + 1  # never more than the cap, even if the file grows meanwhile
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
        if len(raw) > MAX_CONTENT_BYTES:
            rep.add(path, 1, TOO_LARGE, TOO_LARGE_FIX)
            return None
        return raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1  # the line of the first byte that is not UTF-8
        rep.add(path, line, "the file is not UTF-8 text", "save it as UTF-8 in your editor")
    except OSError as err:
        rep.add(path, 1, f"the file cannot be read ({err.strerror})", "check that it exists and is readable")
    finally:
        os.close(fd)
    return None


def parse_toml(text: str, path: Path, rep: Report, line_offset: int = 0) -> dict[str, Any] | None:
    """Parsed TOML, or None and a problem at the line the error names.

    For a course that is not the built-in one the text is parsed in a child process with memory
    and CPU limits; a file that hits them is one problem (UNSAFE), never a hang or a crash.
    """
    state = _READING.get()
    if state is not None and state.sandbox is not None:
        kind, value = state.sandbox.parse(text)
        if kind == "ok":
            assert isinstance(value, dict)
            return value
        if kind == "limit":
            rep.add(path, 1 + line_offset, UNSAFE, UNSAFE_FIX)
            return None
        err: Exception = ValueError(str(value))
    else:
        cache = state.cache if state is not None else None
        hit = cache.get(text) if cache is not None else None
        if hit is not None:
            return hit
        try:
            value = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError, ValueError) as caught:
            err = caught
        else:
            if cache is not None:
                cache.put(text, value)
            return value
    if isinstance(err, RecursionError):
        rep.add(path, 1 + line_offset, UNSAFE, UNSAFE_FIX)
        return None
    message = str(err).split(" (at line")[0]
    rep.add(
        path, toml_error_line(err) + line_offset, f"TOML syntax error: {message}", "fix the TOML syntax on this line"
    )
    return None


def lang_table(
    data: dict[str, Any],
    key: str,
    langs: Sequence[str],
    path: Path,
    text: str,
    rep: Report,
    line: int | None = None,
    table_name: str | None = None,
) -> dict[str, str]:
    """A `[key]` table with one non-empty text per language (`sv = "…"`, `en = "…"`).

    `table_name` and `line` say where it is when the table sits inside an array of tables.
    """
    name = table_name or key
    table = data.get(key)
    if not isinstance(table, dict):
        rep.add(path, line or 1, f"[{name}] is missing", f"add a [{name}] table with one line per language")
        return {}
    for lang in langs:
        if not isinstance(table.get(lang), str) or not table[lang].strip():
            rep.add(
                path,
                line or line_of(text, rf"^\s*\[{re.escape(name)}\]"),
                f"[{name}] has no text for '{lang}'",
                f'add {lang} = "…" under [{name}]',
            )
    return {k: v for k, v in table.items() if isinstance(v, str)}
