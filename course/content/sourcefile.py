"""Reading course files so that every problem is reported with its file and line, never raised one by one."""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
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


def entry_line(text: str, key: str, start: int = 1, prefix: str = "") -> int:
    """Where `key` is written in the table that starts at line `start`: its `key = …` line (quoted or
    dotted keys too), else the header of a `[prefix.key]` or `[[prefix.key]]` table at or after `start`;
    `start` when neither is found. `prefix` names the table, e.g. "question." for a question's keys."""
    lines = _lines(text)
    written = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=.]")
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(prefix + key)}\s*[\].]")
    for index in range(max(start, 1) - 1, len(lines)):
        if index + 1 > start and _TABLE_HEADER.match(lines[index]):
            break
        if written.match(lines[index]):
            return index + 1
    for index in range(max(start, 1) - 1, len(lines)):
        if header.match(lines[index]):
            return index + 1
    return start


# --- did you mean ----------------------------------------------------------------------------------------


def suggestion(word: str, choices: Sequence[str]) -> str | None:
    """The one of `choices` that `word` is most likely a slip for (`note` → `notes`, `Key-Points` →
    `key_points`), if one is close."""
    folded = {choice.lower().replace("-", "_"): choice for choice in choices}
    said = word.lower().replace("-", "_").replace(" ", "_")
    close = [said] if said in folded else difflib.get_close_matches(said, list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def shown(value: object) -> str:
    """A value as a problem may quote it: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def unknown_keys(
    data: Mapping[str, object], allowed: Sequence[str], what: str, path: Path, rep: Report,
    line: Callable[[str], int],
) -> None:  # fmt: skip
    """A problem for every key of `data` not in `allowed`, at `line(key)`, with "did you mean" when one is
    close: a slip like `note` for `notes` would otherwise pass silently and its text never be shown.

    The one way course files, plans and companions report unknown keys (`what`: "the lesson", "block 3")."""
    for key in data:
        if key in allowed:
            continue
        close = suggestion(key, allowed)
        fix = f"did you mean '{close}'? Rename it" if close else f"remove it; {what} may have {', '.join(allowed)}"
        rep.add(path, line(key), f"{what} has an unknown key {shown(key)}", fix)


# --- values of the wrong type, in plain words --------------------------------------------------------------

_TRUTH = {"true": "true", "false": "false", "yes": "true", "no": "false", "ja": "true", "nej": "false"}


def value_fix(key: str, value: object, want: str, example: str) -> str:
    """What to write instead of `key = value` when it is not the `want`ed kind of value ("true or false",
    "whole number", "number" or "text"), in words for someone who has never seen TOML; `example` is a
    right value, e.g. "10"."""
    said = value.strip().lower().replace(",", ".") if isinstance(value, str) else ""
    if want == "true or false":
        if said in _TRUTH:
            return f"write true or false without quotes: {key} = {_TRUTH[said]}"
        return f"write {key} = true or {key} = false, without quotes"
    if want == "text":
        return f'put the text in quotation marks: {key} = "…"'
    if said.endswith("%") and re.fullmatch(r"\d+(\.\d+)?%", said):
        return f"write the share as a number between 0 and 1, without quotes: {key} = {float(said[:-1]) / 100:g}"
    if re.fullmatch(r"-?\d+(\.\d+)?", said):
        number = float(said)
        if want == "whole number" and not number.is_integer():
            return f"write a whole number, without quotes or decimals: {key} = {round(number)}"
        return f"write the number without quotes: {key} = {int(number) if number.is_integer() else said}"
    if want == "whole number" and isinstance(value, float):
        return f"write a whole number, without decimals: {key} = {round(value)}"
    return f"write {key} = {example}, without quotes"


# --- TOML errors in plain words --------------------------------------------------------------------------

_TOML_AT = re.compile(r"^(?P<what>.*) \(at (?:line (?P<line>\d+), column \d+|end of document)\)$", re.DOTALL)
_FANCY_QUOTES = "“”„«»‘’‚‹›"
_BARE_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def _opening(lines: Sequence[str], pattern: str, last: bool = False) -> int | None:
    """The 0-based index of the first (or `last`) line matching `pattern`."""
    found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    return (found[-1] if last else found[0]) if found else None


def _code_point(what: str) -> str:
    """The code point tomllib's "Illegal character '\\x01'" names, as U+0001."""
    quoted = what.rpartition(" ")[2].strip("'")
    try:
        char = quoted.encode("ascii", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return quoted
    return f"U+{ord(char):04X}" if len(char) == 1 else quoted


def _written_twice(lines: Sequence[str]) -> int | None:
    """The 0-based index of the first line that sets a key its table has set already."""
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if _TABLE_HEADER.match(line):
            seen = set()
        match = _BARE_KEY.match(line)
        if match:
            if match.group(1) in seen:
                return index
            seen.add(match.group(1))
    return None


def _bad_value(key: str, value: str, in_list: bool) -> tuple[str, str]:
    """(problem, fix) for a value TOML cannot read at all; "{line}" stands for its line."""
    said = value.rstrip(",").strip()
    name = key or "title"
    if not said:
        return "line {line} has nothing after =", f'write the value after =, e.g. {name} = "…"'
    if said.startswith("="):
        return "line {line} has = twice", f"write one: {name} = {said.lstrip('= ')}"
    if said.lower() in ("true", "false"):
        return "true and false are written in small letters (line {line})", f"write {name} = {said.lower()}"
    if said.lower() in _TRUTH:
        return "line {line} says yes or no", f"write true or false, without quotes: {name} = {_TRUTH[said.lower()]}"
    if said[0] in _FANCY_QUOTES:
        return (
            f"the text on line {{line}} has typographic quotation marks ({said[0]}) around it",
            f'put it in straight quotation marks: {name} = "…" (“ ” may stay inside the text)',
        )
    if re.match(r"\d{1,2}:\d{2}", said):
        return "the time on line {line} is not written as TOML needs it", "write the hour with two digits, e.g. 09:00"
    if in_list:
        return "an item of the list on line {line} has no quotation marks", 'write each item in quotation marks: "…",'
    return "the text on line {line} has no quotation marks around it", f'put it in quotation marks: {name} = "…"'


def plain_toml_error(message: str, text: str, offset: int = 0) -> tuple[int, str, str]:
    """(line, problem, fix) for tomllib's `message` about `text`, in words for someone who has never seen
    TOML ("a quotation mark is not closed on line 12"); tomllib's own words are kept only for an error
    this does not know, where they are all there is. Lines are those of `text`, plus `offset`."""
    found = _TOML_AT.match(message.strip())
    what = found.group("what") if found else message.strip()
    lines = _lines(text)
    if found and found.group("line"):
        index = int(found.group("line")) - 1
    else:  # "at end of document": the last line with something on it, unless a rule below knows better
        index = max((i for i, line in enumerate(lines) if line.strip()), default=0)
    source = lines[index] if index < len(lines) else ""
    name, eq, value = source.partition("=")
    key = name.strip().strip("\"'") if eq else ""
    value = value.strip() if eq else source.strip()

    def at(where: int | None, problem: str, fix: str) -> tuple[int, str, str]:
        line = (index if where is None else where) + 1 + offset
        return line, problem.replace("{line}", str(line)), fix

    if what in ("Illegal character '\\n'", "Found invalid character '\\n'") or what == 'Expected "\'"':
        if what == 'Expected "\'"':  # a ' never closed: tomllib only notices at the end of the file
            opener = _opening(lines, r"(^|[=\[,])\s*'(?!'')[^']*$")
            index = index if opener is None else opener
        return at(
            None,
            "a quotation mark is not closed on line {line}",
            'end the text with the same quotation mark on that line; a text over several lines needs three: """…"""',
        )
    if what == "Unterminated string":
        # Everything after the opening marks is inside the text, so the last marks in the file opened it.
        opener = _opening(lines, "\"\"\"|'''", last=True)
        if opener is not None:
            marks = max(('"""', "'''"), key=lambda m: lines[opener].rfind(m))
            return at(
                opener, f"the text that starts with {marks} on line {{line}} is never closed", f"end it with {marks}"
            )
        return at(None, "a quotation mark is not closed on line {line}", "end the text with the same quotation mark")
    if what.startswith(("Illegal character", "Found invalid character")):
        return at(
            None,
            f"line {{line}} has an invisible control character ({_code_point(what)})",
            "delete it: retype the words around it",
        )
    if what == "Invalid value":
        return at(None, *_bad_value(key, value, in_list=not eq))
    if what == "Expected newline or end of document after a statement":
        if value.startswith(('"', "'")) and value.count(value[0]) >= 3:
            return at(
                None,
                "a quotation mark inside the text on line {line} ends the text too early",
                'write \\" for a quotation mark inside a text, or use typographic ones: “ ”',
            )
        if re.match(r"\d{1,2}:\d{2}", value):
            return at(
                None,
                "the time on line {line} is not written as TOML needs it",
                "write the hour with two digits, e.g. 09:00",
            )
        if re.match(r"\d{4}-\d{1,2}-\d{1,2}", value):
            return at(
                None, "the date on line {line} is not a real date", "write year-month-day, e.g. date = 2026-12-03"
            )
        if re.fullmatch(r"-?\d+,\d+", value):
            return at(
                None,
                "the number on line {line} has a decimal comma",
                f"write a decimal point: {key} = {value.replace(',', '.')}",
            )
        number = re.match(r"-?\d+(\.\d+)?(?=\s)", value)
        if number:
            return at(
                None, "line {line} has words after its number", f"write only the number: {key} = {number.group()}"
            )
        return at(
            None,
            "line {line} has more after its value",
            "put each setting on a line of its own, and the whole of a text inside its quotation marks",
        )
    if what == "Expected '=' after a key in a key/value pair":
        if eq:
            return at(
                None,
                "the name before = on line {line} has a space in it",
                "write names without spaces, e.g. key_points",
            )
        return at(
            None,
            "line {line} is not a setting: it has no =",
            'write it as name = value; a text over several lines needs three quotation marks: """…"""',
        )
    if what in ("Invalid statement", "Invalid initial character for a key part"):
        return at(
            None,
            "line {line} is not a setting, a [table] or a comment",
            "write it as name = value (names use a–z, 0–9, - and _), or start it with # to make it a comment",
        )
    if what == "Cannot overwrite a value" or what.startswith(("Cannot declare", "Duplicate inline table key")):
        twice = _written_twice(lines) if not found or not found.group("line") else None
        again = lines[index if twice is None else twice] if lines else ""
        header = re.match(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]", again)
        named = header.group(2) if header else again.partition("=")[0].strip()
        fix = "keep one of the two, or rename one"
        if header and header.group(1) == "[" and what.startswith("Cannot declare"):
            fix = f"write [[{named}]], with two brackets, to start another one; or keep one of the two"
        return at(twice, f"line {{line}} sets {shown(named)} again, which is already set above it", fix)
    if what == "Unclosed array":
        return at(
            None,
            "a list is missing a comma or its closing ] (line {line})",
            "put a comma after each item, and ] after the last",
        )
    if what == "Unclosed inline table":
        return at(None, "a { on line {line} is not closed with }", "write it on one line as { key = value, … }")
    if what.startswith("Expected ']"):
        brackets = "]]" if "]]" in what else "]"
        return at(
            None, f"the table name on line {{line}} is not closed with {brackets}", "write e.g. [[question]] or [title]"
        )
    if what == "Invalid date or datetime":
        return at(None, "the date on line {line} is not a real date", "write year-month-day, e.g. date = 2026-12-03")
    if what in ("Unescaped '\\' in a string", "Invalid hex value", "Escaped character is not a Unicode scalar value"):
        return at(
            None,
            "a backslash (\\) in the text on line {line} is not one TOML understands",
            "write \\\\ for a backslash, or put the text in single quotes '…'",
        )
    return at(None, f"line {{line}} is not valid TOML ({what})", "compare it with the examples in docs/authoring.md")


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
    rep.add(path, *plain_toml_error(str(err), text, line_offset))
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
    at = line or line_of(text, rf"^\s*\[{re.escape(name)}\]")
    for lang in langs:
        if not isinstance(table.get(lang), str) or not table[lang].strip():
            rep.add(path, at, f"[{name}] has no text for '{lang}'", f'add {lang} = "…" under [{name}]')
    if langs:  # a text for a language the course does not have (or `sw` for `sv`) would never be shown
        unknown_keys(table, langs, f"[{name}]", path, rep, functools.partial(entry_line, text, start=at))
    return {k: v for k, v in table.items() if isinstance(v, str)}
