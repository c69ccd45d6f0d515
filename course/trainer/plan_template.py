"""A new session plan for `tillit session new`: the default timings for some lessons, as a commented TOML
file in the trainer's language that reads back with no problems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from course.content.model import Course
from course.errors import UsageError
from course.store.storage import toml_value
from course.trainer.plan import PLAN_SCHEMA, default_blocks, format_minutes


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _comment(value: str) -> str:
    """Text fit for a TOML comment: one line, without the control characters TOML forbids there."""
    return "".join(c for c in _one_line(value) if c == "\t" or not (ord(c) < 0x20 or ord(c) == 0x7F))


_TEMPLATE: dict[str, dict[str, str]] = {
    "sv": {
        "head": "# Plan för ett pass med Tillit: agendan, block för block.",
        "total": "# Total tid: {total}{minutes}, {breaks}.",
        "in_minutes": " ({minutes} minuter)",
        "breaks": "varav {breaks} paus",
        "no_breaks": "utan paus",
        "or": "eller",
        "clock": "# Klockslag: {start}–{end}.",
        "edit": (
            "#\n"
            "# Ändra fritt: stryk, lägg till eller flytta block. Tiderna är förslag.\n"
            "# Rader som börjar med # är kommentarer och läses inte av Tillit."
        ),
        "schema": "# Formatets version. Låt den stå kvar.",
        "title": "# Passets namn, som det står överst i agendan.",
        "date": "# Dag för passet, utan citattecken (ÅÅÅÅ-MM-DD). Valfritt.",
        "place": "# Plats. Valfritt.",
        "place_example": "Kommunhuset, sal 2",
        "lang": "# Språket planen är skriven på ({langs}). Valfritt.",
        "start": "# Starttid, utan citattecken. Med den visar agendan klockslag. Valfritt.",
        "blocks": (
            "# Varje [[block]] är en punkt på agendan, i den ordning de står.\n"
            '#   kind    – vad som händer: "lesson" (genomgång av en lektion), "discussion"\n'
            '#             (gruppdiskussion med lektionens diskussionsfrågor), "quiz",\n'
            '#             "exercise" (övning) eller "break" (paus)\n'
            "#   lesson  – lektionens id; krävs för lesson, discussion och quiz, valfritt för\n"
            "#             exercise, inte tillåtet för break\n"
            "#   minutes – hur länge blocket pågår, i hela minuter (1–480)\n"
            "#   title   – egen rubrik i agendan; valfri, men krävs för exercise\n"
            "#   task    – för exercise och break: det deltagarna läser på bilden; valfri\n"
            '#   notes   – dina anteckningar som kursledare, visas aldrig för gruppen; valfria.\n'
            '#             Flera rader skrivs mellan """ och """.'
        ),
        "discussion": "# Diskussion: {lesson}",
        "quiz": "# Quiz: {lesson}",
        "break": "# Paus",
        "exercise": (
            "# En övning kan se ut så här (ta bort # framför raderna för att använda den):\n"
            "# [[block]]\n"
            '# kind = "exercise"\n'
            '# title = "Ett första steg"\n'
            '# task = "Skriv ner en sak du vill pröva i ditt team den här månaden."\n'
            "# minutes = 10\n"
            '# notes = """Var och en skriver ner en sak att pröva i sitt team den här månaden."""'
        ),
    },
    "en": {
        "head": "# A Tillit session plan: the agenda, block by block.",
        "total": "# Total time: {total}{minutes}, {breaks}.",
        "in_minutes": " ({minutes} minutes)",
        "breaks": "including {breaks} of breaks",
        "no_breaks": "no breaks",
        "or": "or",
        "clock": "# Clock times: {start}–{end}.",
        "edit": (
            "#\n"
            "# Change anything: remove, add or move blocks. The timings are suggestions.\n"
            "# Lines starting with # are comments; Tillit does not read them."
        ),
        "schema": "# The format's version. Leave it as it is.",
        "title": "# The session's name, shown at the top of the agenda.",
        "date": "# The day of the session, without quotes (YYYY-MM-DD). Optional.",
        "place": "# Where it takes place. Optional.",
        "place_example": "Town hall, room 2",
        "lang": "# The language the plan is written in ({langs}). Optional.",
        "start": "# When the session starts, without quotes. With it, the agenda shows clock times. Optional.",
        "blocks": (
            "# Each [[block]] is one item on the agenda, in the order they appear.\n"
            '#   kind    – what happens: "lesson" (presenting a lesson), "discussion" (group\n'
            '#             discussion of the lesson\'s discussion questions), "quiz",\n'
            '#             "exercise" or "break"\n'
            "#   lesson  – the lesson's id; required for lesson, discussion and quiz, optional\n"
            "#             for exercise, not allowed for break\n"
            "#   minutes – how long the block lasts, in whole minutes (1–480)\n"
            "#   title   – your own heading on the agenda; optional, but required for exercise\n"
            "#   task    – for exercise and break: what the group reads on the slide; optional\n"
            "#   notes   – your notes as the trainer, never shown to the group; optional.\n"
            '#             Write several lines between """ and """.'
        ),
        "discussion": "# Discussion: {lesson}",
        "quiz": "# Quiz: {lesson}",
        "break": "# Break",
        "exercise": (
            "# An exercise can look like this (remove the # in front of the lines to use it):\n"
            "# [[block]]\n"
            '# kind = "exercise"\n'
            '# title = "A first step"\n'
            '# task = "Write down one thing you want to try with your team this month."\n'
            "# minutes = 10\n"
            '# notes = """Everyone writes down one thing to try with their team this month."""'
        ),
    },
}


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
    say = _TEMPLATE.get(lang, _TEMPLATE["en"])
    if title is None or not title.strip():
        title = course.lesson(lesson_ids[0], lang).title if len(lesson_ids) == 1 else course.title(lang)
    total = sum(b.minutes for b in blocks)
    breaks = sum(b.minutes for b in blocks if b.kind == "break")
    out = [
        say["head"],
        say["total"].format(
            total=format_minutes(total, lang),
            minutes=say["in_minutes"].format(minutes=total) if total >= 60 else "",
            breaks=say["breaks"].format(breaks=format_minutes(breaks, lang)) if breaks else say["no_breaks"],
        ),
    ]
    if start is not None:
        out.append(say["clock"].format(start=_time_text(start), end=_time_text(_clock(start, total))))
    out += [
        say["edit"],
        "",
        say["schema"],
        f"schema = {PLAN_SCHEMA}",
        say["title"],
        f"title = {toml_value(_one_line(title))}",
    ]
    out += [say["date"], f"date = {when.isoformat()}" if when is not None else "# date = 2026-12-03"]
    out += [say["place"], f"# place = {toml_value(say['place_example'])}"]
    out += [say["lang"].format(langs=_either(course.languages, say["or"])), f"lang = {toml_value(lang)}"]
    out += [say["start"], f"start = {_time_text(start)}" if start is not None else "# start = 09:00"]
    out += ["", say["blocks"]]
    for block in blocks:
        out.append("")
        if block.kind == "break":
            out.append(say["break"])
        else:
            assert block.lesson is not None
            name = _comment(course.lesson(block.lesson, lang).title)
            out.append(f"# {name}" if block.kind == "lesson" else say[block.kind].format(lesson=name))
        out.append("[[block]]")
        out.append(f"kind = {toml_value(block.kind)}")
        if block.lesson is not None:
            out.append(f"lesson = {toml_value(block.lesson)}")
        out.append(f"minutes = {block.minutes}")
    out += ["", say["exercise"], ""]
    return "\n".join(out)


def write_template(path: Path, text: str, force: bool = False) -> None:
    """Write a new plan to `path` atomically; an existing file is kept unless `force`."""
    from course.store.storage import atomic_write

    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name for the plan, e.g. {path / 'plan.toml'}.")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; choose another file name, or use --force to replace it.")
    if not path.parent.is_dir():
        raise UsageError(f"The folder {path.parent} does not exist; create it first or choose another place.")
    atomic_write(path, text.encode("utf-8"))
