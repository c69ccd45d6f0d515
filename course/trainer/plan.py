"""Session plans: a trainer's agenda for a workshop, as a TOML file of timed blocks.

A plan lives anywhere; a course may ship some in `lessons/plans/<lang>/<name>.toml`.

```toml
schema = 1                          # the format's version
title = "Introduktion: tillitsbaserad ledning"
date = 2026-12-03                   # optional TOML date
place = "Kommunhuset, sal 2"        # optional
lang = "sv"                         # optional; one of the course's languages
start = 09:00                       # optional local time (09:00 or 09:00:00): the agenda shows clock times

[[block]]                           # one per agenda item, in order
kind = "lesson"                     # lesson | discussion | quiz | exercise | break
lesson = "trust-culture"            # required for lesson, discussion, quiz; optional for exercise; not for break
minutes = 15                        # whole minutes, 1–480
title = "…"                         # optional; required for exercise (a break without one is called "Break")
# task = '''…'''                    # exercise and break only, optional: what the room reads on the slide
notes = '''…'''                     # optional trainer notes (any TOML string): never shown to the room
```

A plan adds up to at most 12 hours, and a quiz block needs a lesson with a quiz in the plan's language
(in every language when it names none). Every problem is reported as file:line with what to do, unknown
keys too, so `minuts` does not pass silently; a plan from outside the built-in course is parsed in the
sandboxed child process, like such a course.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from course.content.model import Course, valid_id
from course.content.sourcefile import Report, key_line, line_of, parse_toml, read_text, reading, unknown_keys
from course.content.terminal_text import visible_all
from course.errors import ContentError, Problem, UsageError
from course.i18n import tr
from course.i18n.formats import duration

KINDS = ("lesson", "discussion", "quiz", "exercise", "break")

PLAN_SCHEMA = 1
MAX_BLOCK_MINUTES = 480
MAX_TOTAL_MINUTES = 12 * 60
PLANS_DIR = ("lessons", "plans")
TOP_KEYS = ("schema", "title", "date", "place", "lang", "start", "block")
BLOCK_KEYS = ("kind", "lesson", "minutes", "title", "task", "notes")
NEEDS_LESSON = ("lesson", "discussion", "quiz")

# Default timings for a new plan (default_blocks); a lesson takes its own minutes.
DISCUSSION_MINUTES = 10
QUIZ_MINUTES = 8
BREAK_MINUTES = 15
BREAK_AFTER = 75  # a break is due once this much content has run since the last one…
BREAK_LATEST = 90  # …or before the next lesson would take it past this (after at least BREAK_SOONEST)
BREAK_SOONEST = 45


@dataclass(frozen=True)
class Block:
    """One item on the agenda."""

    kind: str  # one of KINDS
    minutes: int  # planned length, 1..480
    lesson: str | None  # the lesson id (required for lesson, discussion and quiz; optional for exercise)
    title: str  # what the agenda calls it; empty when the plan gave none (the lesson's title is used then)
    notes: str  # the trainer's notes for this block ("" when none)
    line: int  # where `[[block]]` starts in the plan file
    task: str = ""  # what the room reads on an exercise's (or a break's) slide ("" when none)


@dataclass(frozen=True)
class Plan:
    """A whole session."""

    path: Path
    title: str
    date: date | None
    place: str
    lang: str | None  # the language the plan is written for (None: the app's language)
    start: time | None  # the time the session starts, when the plan says
    blocks: tuple[Block, ...]

    @property
    def total_minutes(self) -> int:
        return sum(b.minutes for b in self.blocks)

    def lesson_ids(self) -> tuple[str, ...]:
        """The lessons the plan uses, in the order they first appear."""
        seen: list[str] = []
        for block in self.blocks:
            if block.lesson is not None and block.lesson not in seen:
                seen.append(block.lesson)
        return tuple(seen)

    def blocks_for(self, lesson_id: str) -> tuple[Block, ...]:
        """Every block about one lesson, in agenda order."""
        return tuple(b for b in self.blocks if b.lesson == lesson_id)


def plan_language(plan: Plan, course: Course, asked: str | None, otherwise: str) -> str:
    """The language to present (or print) a plan in: the one asked for (--lang, the app's), else the
    plan's own `lang`, else `otherwise`. A plan's `lang` never overrides a language asked for."""
    return course.pick_lang(asked or plan.lang or otherwise)


def label(kind: str, lang: str) -> str:
    """What a kind of block is called in `lang` ("Genomgång", "Break"; the catalogs' plan.kind.*)."""
    return tr(f"plan.kind.{kind}", lang)


def format_minutes(minutes: int, lang: str) -> str:
    """A length as people say it: "45 min", "2 h", "1 h 30 min" ("1 tim 30 min" in Swedish)."""
    return duration(minutes, lang)


# --- reading and checking ------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[")
_BLOCK_HEADER = r"^\s*\[\[\s*block\s*\]\]"
_SHORT_START = re.compile(r"^(\s*start\s*=\s*)(\d{2}:\d{2})(\s*(?:#.*)?)$")


def _allow_short_start(text: str) -> str:
    """`start = 09:00` as `start = 09:00:00`: TOML before 1.1 (tomllib before Python 3.14) wants seconds.

    Only the top-level `start` line is touched, and the line count stays the same.
    """
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _HEADER.match(line):
            break
        match = _SHORT_START.match(line)
        if match:
            lines[i] = f"{match.group(1)}{match.group(2)}:00{match.group(3)}"
            break
    return "\n".join(lines)


def _show(value: object) -> str:
    """A value as it may be quoted in a problem: repr, cut short."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _find(text: str, pattern: str, start: int, end: int) -> int | None:
    """The first line from `start` up to (not including) `end` that matches `pattern`, if any."""
    line = line_of(text, pattern, start)
    return line if start <= line < end and re.search(pattern, _nth(text, line)) else None


def _where(text: str, key: str, start: int, end: int, prefix: str = "", tables_end: int | None = None) -> int:
    """The line of `key = …` from line `start` up to `end`, else of a `[prefix.key]` table up to
    `tables_end` (default `end`); else `start`."""
    found = _find(text, rf"^\s*{re.escape(key)}\s*=", start, end)
    if found is None:
        table = rf"^\s*\[\[?\s*{re.escape(prefix + key)}\s*[\].]"
        found = _find(text, table, start, end if tables_end is None else tables_end)
    return start if found is None else found


def _nth(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _unknown_keys(
    data: dict[str, Any], allowed: Sequence[str], what: str, path: Path, text: str, rep: Report,
    start: int, end: int, prefix: str = "", tables_end: int | None = None,
) -> None:  # fmt: skip
    unknown_keys(data, allowed, what, path, rep, lambda key: _where(text, key, start, end, prefix, tables_end))


def _lesson_hint(value: str, course: Course) -> str:
    close = difflib.get_close_matches(value, course.lesson_ids, n=1, cutoff=0.6)
    if close:
        return f'did you mean lesson = "{close[0]}"?'
    ids = list(course.lesson_ids)
    shown = ", ".join(ids[:12]) + (", …" if len(ids) > 12 else "")
    return f"use one of the course's lesson ids: {shown}"


def _read_block(
    item: object, n: int, start: int, end: int, course: Course, langs: Sequence[str], path: Path, text: str,
    rep: Report,
) -> Block | None:  # fmt: skip
    name = f"block {n + 1}"
    if not isinstance(item, dict):
        rep.add(path, start, f"{name} is not a table", "write it as [[block]] with kind, minutes and the rest")
        return None
    before = len(rep.problems)
    _unknown_keys(item, BLOCK_KEYS, name, path, text, rep, start, end, prefix="block.")

    def at(key: str) -> int:
        return _where(text, key, start, end, prefix="block.")

    kind = item.get("kind")
    if kind is None:
        rep.add(path, start, f"{name} has no kind", f'add kind = "…", one of {", ".join(KINDS)}')
    elif kind not in KINDS:
        close = difflib.get_close_matches(str(kind), KINDS, n=1, cutoff=0.6) if isinstance(kind, str) else []
        hint = f'did you mean kind = "{close[0]}"? ' if close else ""
        rep.add(path, at("kind"), f"{name} has kind {_show(kind)}", f"{hint}use one of {', '.join(KINDS)}")
        kind = None
    lesson = item.get("lesson")
    if lesson is None:
        if kind in NEEDS_LESSON:
            rep.add(path, start, f"{name} ({kind}) has no lesson", 'add lesson = "…" with the lesson\'s id')
    elif kind == "break":
        rep.add(path, at("lesson"), f"{name} is a break but names a lesson", "remove the lesson line from the break")
        lesson = None
    elif not isinstance(lesson, str):
        rep.add(path, at("lesson"), f"{name} has a lesson that is not text", 'write lesson = "trust-culture"')
        lesson = None
    elif lesson not in course.lesson_ids:
        rep.add(
            path,
            at("lesson"),
            f"{name} names lesson {_show(lesson)}, which is not in the course",
            _lesson_hint(lesson, course),
        )
        lesson = None
    elif kind == "quiz":
        missing = [lang for lang in langs if (lesson, lang) not in course.quizzes]
        if missing:
            rep.add(
                path,
                at("lesson"),
                f"{name} is a quiz, but lesson '{lesson}' has no quiz in {', '.join(missing)}",
                "choose a lesson with a quiz, or make the block a discussion or an exercise",
            )
    minutes = item.get("minutes")
    if minutes is None:
        rep.add(path, start, f"{name} has no minutes", "add minutes = 15 (whole minutes)")
    elif isinstance(minutes, bool) or not isinstance(minutes, int):
        rep.add(
            path,
            at("minutes"),
            f"{name} has minutes = {_show(minutes)}, not a whole number",
            "write e.g. minutes = 15, without quotes or decimals",
        )
    elif not 1 <= minutes <= MAX_BLOCK_MINUTES:
        rep.add(
            path,
            at("minutes"),
            f"{name} is {minutes} minutes long",
            f"give it between 1 and {MAX_BLOCK_MINUTES} minutes",
        )
    title = item.get("title", "")
    if not isinstance(title, str):
        rep.add(path, at("title"), f"{name} has a title that is not text", 'write title = "…"')
    elif kind == "exercise" and not title.strip():
        rep.add(
            path,
            at("title") if "title" in item else start,
            f"{name} is an exercise without a title",
            'add title = "…" saying what the group does',
        )
    notes = item.get("notes", "")
    if not isinstance(notes, str):
        rep.add(path, at("notes"), f"{name} has notes that are not text", 'write notes = """…"""')
    task = item.get("task", "")
    if not isinstance(task, str):
        rep.add(path, at("task"), f"{name} has a task that is not text", 'write task = """…"""')
    elif task.strip() and kind not in ("exercise", "break"):
        rep.add(
            path,
            at("task"),
            f"{name} is a {kind} with a task",
            "a task is shown on an exercise's or a break's slide; move it to notes, or remove it",
        )
    if len(rep.problems) > before or kind is None:
        return None
    assert isinstance(minutes, int) and isinstance(title, str) and isinstance(notes, str) and isinstance(task, str)
    return Block(str(kind), minutes, lesson, title.strip(), notes, start, task.strip())


def _read(path: Path, course: Course, rep: Report) -> Plan | None:
    """The plan at `path`, or None with its problems added to `rep` (inside a `reading` context)."""
    raw = read_text(path, rep)
    if raw is None:
        return None
    before = len(rep.problems)
    text = _allow_short_start(raw)
    data = parse_toml(text, path, rep)
    if data is None:
        return None
    first_header = line_of(text, r"^\s*\[", 1)
    top_end = first_header if _HEADER.match(_nth(text, first_header)) else len(text.split("\n")) + 1

    schema = data.get("schema")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > PLAN_SCHEMA:
        rep.add(
            path,
            key_line(text, "schema"),
            f"the plan is written for a newer Tillit (schema {schema})",
            "upgrade Tillit to use this plan",
        )
        return None
    if schema is None:
        rep.add(path, 1, "'schema' is missing", f"write schema = {PLAN_SCHEMA} at the top")
    elif isinstance(schema, bool) or not isinstance(schema, int) or schema != PLAN_SCHEMA:
        rep.add(path, key_line(text, "schema"), f"schema is {_show(schema)}", f"write schema = {PLAN_SCHEMA}")
    nlines = len(text.split("\n"))
    _unknown_keys(data, TOP_KEYS, "the plan", path, text, rep, 1, top_end, tables_end=nlines + 1)

    title = data.get("title")
    if title is None:
        rep.add(path, 1, "the plan has no title", 'add title = "…" near the top')
    elif not isinstance(title, str) or not title.strip():
        rep.add(path, key_line(text, "title"), "the plan's title should be non-empty text", 'write title = "…"')
    when = data.get("date")
    if when is not None and (not isinstance(when, date) or isinstance(when, datetime)):
        rep.add(
            path,
            key_line(text, "date"),
            f"date is {_show(when)}, not a date",
            "write the day without quotes or a time, e.g. date = 2026-12-03",
        )
    place = data.get("place", "")
    if not isinstance(place, str):
        rep.add(path, key_line(text, "place"), "place should be text", 'write place = "…"')
    lang = data.get("lang")
    if lang is not None and lang not in course.languages:
        rep.add(
            path,
            key_line(text, "lang"),
            f"lang is {_show(lang)}, not a language of the course",
            "write " + " or ".join(f'lang = "{x}"' for x in course.languages) + ", or remove the line",
        )
    start = data.get("start")
    if start is not None and not isinstance(start, time):
        rep.add(
            path,
            key_line(text, "start"),
            f"start is {_show(start)}, not a time of day",
            "write the time without quotes, e.g. start = 09:00",
        )

    raw_blocks = data.get("block")
    blocks: list[Block] = []
    if raw_blocks is None:
        rep.add(path, 1, "the plan has no blocks", "add [[block]] tables with kind, minutes and (mostly) lesson")
    elif not isinstance(raw_blocks, list):
        rep.add(
            path,
            key_line(text, "block"),
            "'block' should be a list of [[block]] tables",
            "write each agenda item as [[block]]",
        )
    elif not raw_blocks:
        rep.add(path, key_line(text, "block"), "the plan has no blocks", "add at least one [[block]]")
    else:
        langs = [lang] if isinstance(lang, str) and lang in course.languages else list(course.languages)
        starts = [line_of(text, _BLOCK_HEADER, nth=n) for n in range(len(raw_blocks))]
        total, over = 0, 0
        for n, item in enumerate(raw_blocks):
            begin = starts[n]
            later = [s for s in starts[n + 1 :] if s > begin]
            end = later[0] if later else nlines + 1
            block = _read_block(item, n, begin, end, course, langs, path, text, rep)
            if block is None:
                continue
            blocks.append(block)
            total += block.minutes
            if total > MAX_TOTAL_MINUTES and not over:
                over = begin
        if over:
            rep.add(
                path,
                over,
                f"the plan passes 12 hours with this block ({format_minutes(total, 'en')} in all)",
                "shorten the blocks, or split the session into two plans",
            )
    if len(rep.problems) > before:
        return None
    assert isinstance(title, str)
    return Plan(
        path=path,
        title=title.strip(),
        date=when if isinstance(when, date) else None,
        place=place if isinstance(place, str) else "",
        lang=lang if isinstance(lang, str) else None,
        start=start if isinstance(start, time) else None,
        blocks=tuple(blocks),
    )


def _untrusted(root: Path) -> bool:
    """Everything but the built-in course is read as if it came from anyone (as content.py does)."""
    from course.store.paths import builtin_course_dir

    return root.resolve() != builtin_course_dir().resolve()


def is_builtin_plan(path: Path) -> bool:
    """True for a plan shipped with the built-in course, which may be parsed without the sandbox."""
    from course.store.paths import builtin_course_dir

    try:
        return Path(os.path.realpath(path)).is_relative_to(builtin_course_dir().resolve().joinpath(*PLANS_DIR))
    except (OSError, ValueError):
        return False


def check_plan(path: Path, course: Course, untrusted: bool = True) -> list[Problem]:
    """Every problem in the plan at `path`; an empty list when it is clean."""
    rep = Report()
    with reading(path.parent, untrusted):
        _read(path, course, rep)
    return rep.problems


def read_plan(path: Path, course: Course, untrusted: bool = True) -> Plan:
    """The plan at `path`, or ContentError listing every problem in it."""
    rep = Report()
    with reading(path.parent, untrusted):
        plan = _read(path, course, rep)
    if plan is None:
        raise ContentError(rep.problems or [Problem(path, 1, "the plan could not be read", "check the file")])
    return visible_all(plan)  # a plan may be anyone's: its texts can never act on a terminal


def shipped_plans(course: Course) -> list[Path]:
    """Every plan file the course ships (`lessons/plans/**/*.toml`), sorted; links are not followed into."""
    folder = course.root.joinpath(*PLANS_DIR)
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        found += [Path(top) / name for name in files if name.endswith(".toml")]
    return sorted(found)


def check_plans(course: Course) -> list[Problem]:
    """Every problem in the plans the course ships; none is fine."""
    paths = shipped_plans(course)
    if not paths:
        return []
    rep = Report()
    with reading(course.root, _untrusted(course.root)):
        for path in paths:
            _read(path, course, rep)
    return rep.problems


def plan_names(course: Course) -> list[str]:
    """The names of the shipped plans (`intro-90`), each once, sorted."""
    return sorted({p.stem for p in shipped_plans(course)})


def find_plan(name_or_path: str, course: Course, lang: str) -> Path:
    """A plan file: an existing path, else a shipped plan by name in `lang` (else another language)."""
    given = Path(name_or_path).expanduser()
    if given.is_file():
        return given
    names = plan_names(course)
    shipped = (
        f"the plans that come with the course are {', '.join(names)}"
        if names
        else "the course comes with no plans, so give the path to a plan file"
    )
    stem = name_or_path.removesuffix(".toml")
    if valid_id(stem) and "/" not in name_or_path and os.sep not in name_or_path:
        folder = course.root.joinpath(*PLANS_DIR)
        order = [lang, *(x for x in course.languages if x != lang)]
        for candidate in [folder / x / f"{stem}.toml" for x in order if valid_id(x)] + [folder / f"{stem}.toml"]:
            if candidate.is_file():
                return candidate
    raise UsageError(f"There is no plan file or shipped plan called {name_or_path!r}: {shipped}.")


# --- new plans -----------------------------------------------------------------------------------


def _unit(course: Course, lesson_id: str, lang: str) -> list[Block]:
    lesson = course.lesson(lesson_id, lang)
    blocks = [Block("lesson", max(lesson.minutes, 1), lesson_id, "", "", 0)]
    if lesson.discussions:
        blocks.append(Block("discussion", DISCUSSION_MINUTES, lesson_id, "", "", 0))
    if course.quiz(lesson_id, lang) is not None:
        blocks.append(Block("quiz", QUIZ_MINUTES, lesson_id, "", "", 0))
    return blocks


def _check_ids(course: Course, lesson_ids: Sequence[str]) -> None:
    if not lesson_ids:
        raise UsageError("Name at least one lesson for the plan, e.g. trust-culture.")
    unknown = [x for x in lesson_ids if x not in course.lesson_ids]
    if unknown:
        raise UsageError(
            f"The course has no lesson {', '.join(repr(x) for x in unknown)}; "
            f"its lessons are {', '.join(course.lesson_ids)}."
        )


def default_blocks(course: Course, lesson_ids: Sequence[str], lang: str) -> list[Block]:
    """Suggested blocks for a session on these lessons, in order.

    Per lesson: the lesson (its own minutes, as the lesson file gives them), a 10-minute discussion when it
    has discussion questions and an 8-minute quiz when it has a quiz. A 15-minute break goes between
    lessons once 75 minutes have run since the last break, or when the next lesson would take that
    stretch past 90 minutes (after at least 45); never at the end. Unknown lesson ids: UsageError.
    The blocks have line 0, as they are in no file yet.
    """
    _check_ids(course, lesson_ids)
    lang = course.pick_lang(lang)
    out: list[Block] = []
    since_break = 0
    for lesson_id in lesson_ids:
        unit = _unit(course, lesson_id, lang)
        length = sum(b.minutes for b in unit)
        if since_break >= BREAK_AFTER or (since_break >= BREAK_SOONEST and since_break + length > BREAK_LATEST):
            out.append(Block("break", BREAK_MINUTES, None, "", "", 0))
            since_break = 0
        out += unit
        since_break += length
    return out


# --- what the agenda calls a block ----------------------------------------------------------------------------------


def block_title(block: Block, course: Course, lang: str) -> str:
    """What the agenda calls a block: its own title, else the lesson's title or a name for its kind."""
    if block.title.strip():
        return block.title.strip()
    kind_name = label(block.kind, lang) if block.kind in KINDS else block.kind
    if block.lesson is None or block.lesson not in course.lesson_ids:
        return kind_name
    lesson_title = course.lesson(block.lesson, course.pick_lang(lang)).title
    if block.kind == "lesson":
        return lesson_title
    return f"{kind_name}: {lesson_title}"
