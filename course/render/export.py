"""Exporting the journal (all of it or a selection) as Markdown, one self-contained HTML file, or TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeGuard, get_args

from course.content.model import Course
from course.errors import CorruptFileError, StorageError, UsageError
from course.i18n import formats, tr
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection, parse_reflection
from course.learner.journal_query import by_date
from course.learner.progress import now
from course.render import markdown as md
from course.store import storage
from course.store.storage import SCHEMA

if TYPE_CHECKING:
    from course.learner.practice import Assessment

ExportFormat = Literal["md", "html", "toml"]
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)


def is_format(value: object) -> TypeGuard[ExportFormat]:
    """True for a format the journal can be exported in (see FORMATS)."""
    return value in FORMATS
EXPORT_FORMAT = 1  # the layout of a TOML export; raise it when a reader would have to change


@dataclass(frozen=True)
class Described:
    """A reflection with what the course says about it: the lesson's title and the prompt's text."""

    reflection: Reflection
    lesson_title: str
    prompt_text: str


def describe(course: Course, lang: str, r: Reflection, commitments: Mapping[str, str] | None = None) -> Described:
    """The lesson title and prompt text of a reflection in `lang` (its ids when the course no longer has them);
    a follow-up's prompt names the commitment it answers when `commitments` (id -> text) has it."""
    try:
        lesson = course.lesson(r.lesson, lang)
    except KeyError:
        lesson = None
    if r.prompt == FOLLOW_UP_PROMPT:
        answered = (commitments or {}).get(r.commitment)
        prompt_text = tr("journal.follow_up_of", lang, text=answered) if answered else tr("journal.follow_up", lang)
    else:
        prompt = lesson.prompt(r.prompt) if lesson is not None else None
        prompt_text = prompt.text if prompt is not None else r.prompt
    return Described(r, lesson.title if lesson is not None else r.lesson, prompt_text)


def prompt_texts(course: Course, lang: str) -> dict[tuple[str, str], str]:
    """(lesson id, prompt id) -> the prompt's text in `lang`, follow-ups included: what search also looks in."""
    out: dict[tuple[str, str], str] = {}
    for lid in course.lesson_ids:
        for prompt in course.lesson(lid, lang).prompts:
            out[(lid, prompt.id)] = prompt.text
        out[(lid, FOLLOW_UP_PROMPT)] = tr("journal.follow_up", lang)
    return out


def render(
    reflections: Sequence[Reflection],
    course: Course,
    lang: str,
    fmt: str,
    assessments: Sequence[Assessment] = (),
    title: str = "",
    commitments: Mapping[str, str] | None = None,
) -> str:
    """The reflections (in the order given, grouped by local date) as one document in `fmt` (see FORMATS);
    `commitments` (id -> text, Practice.commitment_texts) lets a follow-up name the commitment it answers."""
    if not is_format(fmt):
        raise UsageError(f"{fmt!r} is not an export format; use one of {', '.join(FORMATS)}.")
    entries = [describe(course, lang, r, commitments) for r in reflections]
    heading = title or tr("export.title", lang)
    if fmt == "toml":
        return _toml(entries, course, lang, assessments, title)
    if fmt == "md":
        return _markdown(entries, course, lang, heading, assessments)
    return _html(entries, course, lang, assessments, heading)


# --- shared ------------------------------------------------------------------------------------------


def _when(moment: datetime, lang: str) -> str:
    return formats.moment(moment.astimezone(), lang)


def _count(n: int, lang: str) -> str:
    return formats.plural("export.count", n, lang, count=n)


def _subtitle(course: Course, lang: str, n: int) -> str:
    return f"{tr('export.subtitle', lang, course=course.title(lang), when=_when(now(), lang))} · {_count(n, lang)}"


def _meta(r: Reflection, lang: str) -> list[str]:
    """The line under a reflection's heading: written, edited, starred, tags (user tags left raw)."""
    parts = [tr("export.written", lang, when=_when(r.created, lang))]
    if r.updated != r.created:
        parts.append(tr("export.edited", lang, when=_when(r.updated, lang)))
    if r.starred:
        parts.append(tr("export.starred", lang))
    return parts


def _grouped(entries: Sequence[Described], lang: str) -> list[tuple[str, list[Described]]]:
    described = {id(e.reflection): e for e in entries}
    return [
        (formats.day(day, lang), [described[id(r)] for r in group]) for day, group in by_date([e.reflection for e in entries])
    ]


def _series(course: Course, lang: str, assessments: Sequence[Assessment]) -> list[tuple[str, list[tuple[date, int]]]]:
    """Per statement of the course's self-assessment: (behaviour in `lang`, [(local date, rating)] oldest first)."""
    if course.assessment is None:
        return []
    fallback = course.languages[0]
    taken = sorted(assessments, key=lambda a: (a.taken, a.id))
    return [
        (
            s.behaviour.get(lang) or s.behaviour.get(fallback) or s.id,
            [(a.taken.astimezone().date(), a.ratings[s.id]) for a in taken if s.id in a.ratings],
        )
        for s in course.assessment.statements
    ]


def _notes(course: Course, lang: str, assessments: Sequence[Assessment]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Per statement with notes, in course order: (behaviour in `lang`, [(local date, that day's rating, note)])."""
    if course.assessment is None:
        return []
    fallback = course.languages[0]
    taken = sorted(assessments, key=lambda a: (a.taken, a.id))
    out: list[tuple[str, list[tuple[str, str, str]]]] = []
    for s in course.assessment.statements:
        notes = [
            (formats.day(a.taken.astimezone().date(), lang), str(a.ratings.get(s.id, "–")), a.notes[s.id])
            for a in taken
            if a.notes.get(s.id)
        ]
        if notes:
            out.append((s.behaviour.get(lang) or s.behaviour.get(fallback) or s.id, notes))
    return out


# --- Markdown ----------------------------------------------------------------------------------------


def _markdown(
    entries: Sequence[Described], course: Course, lang: str, heading: str, assessments: Sequence[Assessment] = ()
) -> str:
    lines = [f"# {md.inline(heading)}", "", md.inline(_subtitle(course, lang, len(entries))), ""]
    series = [(name, points) for name, points in _series(course, lang, assessments) if points]
    if series:  # the self-assessment: each behaviour's ratings, then its notes
        lines += [f"## {md.inline(tr('export.assessment', lang))}", ""]
        for name, points in series:
            lines.append(f"- {md.inline(name)}: {' → '.join(str(v) for _, v in points)}")
        lines.append("")
        for name, notes in _notes(course, lang, assessments):
            lines += [f"### {md.inline(name)}", ""]
            lines += [f"- {md.inline(tr('assess.note_line', lang, day=d, rating=v, note=n))}" for d, v, n in notes]
            lines.append("")
    if not entries:
        lines += [tr("export.empty", lang), ""]
    for day, group in _grouped(entries, lang):
        lines += [f"## {day}", ""]
        for e in group:
            r = e.reflection
            meta = [md.inline(p) for p in _meta(r, lang)]
            if r.tags:
                meta.append(md.inline(tr("export.tags", lang, tags=", ".join(r.tags))))
            lines += [f"### {md.inline(e.lesson_title)}", "", f"*{md.inline(e.prompt_text)}*", ""]
            lines += [" · ".join(meta), "", *md.prose(r.text), ""]
            if r.versions:
                lines += [f"#### {md.inline(tr('export.versions', lang, count=len(r.versions)))}", ""]
                for v in reversed(r.versions):
                    lines += [md.inline(tr("export.version_saved", lang, when=_when(v.saved, lang))), ""]
                    lines += [*md.prose(v.text), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- HTML --------------------------------------------------------------------------------------------


def _html(
    entries: Sequence[Described], course: Course, lang: str, assessments: Sequence[Assessment], heading: str
) -> str:
    """The page is templates/journal.html.j2; every text in it is made inert and escaped there."""
    from course.render.pages import render as page

    series = _series(course, lang, assessments) if assessments else []
    chart = None
    if series:
        from course.render.chart import assessment_chart

        chart = assessment_chart(series, lang)
    return page(
        "journal.html.j2",
        lang=lang,
        heading=heading,
        subtitle=_subtitle(course, lang, len(entries)),
        chart=chart,
        notes=_notes(course, lang, assessments),
        days=_grouped(entries, lang),
        t=lambda key, **values: tr(key, lang, **values),
        when=lambda moment: _when(moment, lang),
    )


# --- TOML --------------------------------------------------------------------------------------------


def _toml(
    entries: Sequence[Described], course: Course, lang: str, assessments: Sequence[Assessment], title: str
) -> str:
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "export_format": EXPORT_FORMAT,
        "exported": now(),
        "course": course.id,
        "lang": lang,
    }
    if title:
        data["title"] = title
    data["reflection"] = [
        {
            "id": e.reflection.id,
            "lesson": e.reflection.lesson,
            "prompt": e.reflection.prompt,
            "created": e.reflection.created,
            "updated": e.reflection.updated,
            "starred": e.reflection.starred,
            "tags": list(e.reflection.tags),
            "commitment": e.reflection.commitment,
            "lesson_title": e.lesson_title,
            "prompt_text": e.prompt_text,
            "text": e.reflection.text,
            "versions": [{"saved": v.saved, "text": v.text} for v in e.reflection.versions],
        }
        for e in entries
    ]
    if assessments:
        data["assessment"] = [
            {"id": a.id, "taken": a.taken, "ratings": dict(a.ratings), "notes": dict(a.notes)} for a in assessments
        ]
    try:  # the same writer, and the same proof of a faithful copy, as every save
        return storage.dumps(data, Path("export.toml")).decode("utf-8")
    except StorageError as err:
        raise UsageError("The export would not read back the same, so it was not made; please report this.") from err


def read_toml_export(text: str, path: Path) -> list[Reflection]:
    """The reflections of a TOML export (the inverse of render(..., "toml")); CorruptFileError when unusable."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CorruptFileError(path, f"not valid TOML: {err}") from err
    if data.get("export_format") != EXPORT_FORMAT:
        raise CorruptFileError(path, f"it is not a Tillit export of format {EXPORT_FORMAT}")
    tables = data.get("reflection", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise CorruptFileError(path, "'reflection' should be a list of tables")
    return [parse_reflection(t, path) for t in tables]
