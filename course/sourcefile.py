"""Reading course files so that every problem is reported with its file and line, never raised one by one."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from course.errors import Problem

MAX_CONTENT_BYTES = 2 * 1024 * 1024


class Report:
    """Collects problems while a course is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: Path, line: int, problem: str, fix: str) -> None:
        self.problems.append(Problem(file, max(line, 1), problem, fix))


def line_of(text: str, pattern: str, start: int = 1, nth: int = 0) -> int:
    """The 1-based line of the nth line matching `pattern` at or after line `start`; `start` if none."""
    rx = re.compile(pattern)
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and rx.search(line):
            if seen == nth:
                return number
            seen += 1
    return start


def key_line(text: str, key: str, start: int = 1) -> int:
    """The line where `key = …` is written, at or after line `start`."""
    return line_of(text, rf"^\s*{re.escape(key)}\s*=", start)


def toml_error_line(err: Exception) -> int:
    """The line number in a TOML error message (tomllib puts it only in the text before Python 3.14)."""
    match = re.search(r"at line (\d+)", str(err))
    return int(match.group(1)) if match else 1


def read_text(path: Path, rep: Report) -> str | None:
    """A course file's text with Windows line endings made plain; None (and a problem) when unreadable."""
    try:
        if path.stat().st_size > MAX_CONTENT_BYTES:
            rep.add(path, 1, "the file is larger than 2 MiB", "split it into smaller lessons")
            return None
        raw = path.read_bytes()
        return raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1  # the line of the first byte that is not UTF-8
        rep.add(path, line, "the file is not UTF-8 text", "save it as UTF-8 in your editor")
    except OSError as err:
        rep.add(path, 1, f"the file cannot be read ({err.strerror})", "check that it exists and is readable")
    return None


def parse_toml(text: str, path: Path, rep: Report, line_offset: int = 0) -> dict[str, Any] | None:
    """Parsed TOML, or None and a problem at the line the error names."""
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as err:
        message = str(err).split(" (at line")[0]
        rep.add(
            path,
            toml_error_line(err) + line_offset,
            f"TOML syntax error: {message}",
            "fix the TOML syntax on this line",
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
