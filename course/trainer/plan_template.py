"""A new session plan for `tillit session new`: the default timings for some lessons, as a commented TOML
file in the trainer's language that reads back with no problems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from course.content.model import Course
from course.i18n import tr
from course.store.storage import toml_value
from course.trainer.plan import PLAN_SCHEMA, default_blocks, format_minutes


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _comment(value: str) -> str:
    """Text fit for a TOML comment: one line, without the control characters TOML forbids there."""
    return "".join(c for c in _one_line(value) if c == "\t" or not (ord(c) < 0x20 or ord(c) == 0x7F))


def _say(key: str, lang: str, **values: object) -> str:
    """One of the new plan's comments in `lang` (the catalogs' plan.new.*)."""
    return tr(f"plan.new.{key}", lang, **values)


def _either(items: Sequence[str], word: str) -> str:
    """ "a, b or c" """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _clock(start: time, minutes: int) -> time:
    return (datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)).time()


def _time_text(value: time) -> str:
    return value.strftime("%H:%M") if not value.second and not value.microsecond else value.strftime("%H:%M:%S")


def template(
    course: Course,
    lesson_ids: Sequence[str],
    lang: str,
    title: str | None = None,
    when: date | None = None,
    start: time | None = None,
) -> str:
    """A commented plan for these lessons with the default timings, in `lang` (the course's fallback
    when it does not have it); it reads back with no problems. Unknown lesson ids: UsageError."""
    blocks = default_blocks(course, lesson_ids, lang)
    lang = course.pick_lang(lang)
    if title is None or not title.strip():
        title = course.lesson(lesson_ids[0], lang).title if len(lesson_ids) == 1 else course.title(lang)
    total = sum(b.minutes for b in blocks)
    breaks = sum(b.minutes for b in blocks if b.kind == "break")
    out = [
        _say("head", lang),
        _say(
            "total",
            lang,
            total=format_minutes(total, lang),
            minutes=_say("in_minutes", lang, minutes=total) if total >= 60 else "",
            breaks=_say("breaks", lang, breaks=format_minutes(breaks, lang)) if breaks else _say("no_breaks", lang),
        ),
    ]
    if start is not None:
        out.append(_say("clock", lang, start=_time_text(start), end=_time_text(_clock(start, total))))
    out += [
        _say("edit", lang),
        "",
        _say("schema", lang),
        f"schema = {PLAN_SCHEMA}",
        _say("title", lang),
        f"title = {toml_value(_one_line(title))}",
    ]
    out += [_say("date", lang), f"date = {when.isoformat()}" if when is not None else "# date = 2026-12-03"]
    out += [_say("place", lang), f"# place = {toml_value(_say('place_example', lang))}"]
    out += [_say("lang", lang, langs=_either(course.languages, _say("or", lang))), f"lang = {toml_value(lang)}"]
    out += [_say("start", lang), f"start = {_time_text(start)}" if start is not None else "# start = 09:00"]
    out += ["", _say("blocks", lang)]
    for block in blocks:
        out.append("")
        if block.kind == "break":
            out.append(_say("break", lang))
        else:
            assert block.lesson is not None
            name = _comment(course.lesson(block.lesson, lang).title)
            out.append(f"# {name}" if block.kind == "lesson" else _say(block.kind, lang, lesson=name))
        out.append("[[block]]")
        out.append(f"kind = {toml_value(block.kind)}")
        if block.lesson is not None:
            out.append(f"lesson = {toml_value(block.lesson)}")
        out.append(f"minutes = {block.minutes}")
    out += ["", _say("exercise", lang), ""]
    return "\n".join(out)
