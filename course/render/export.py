"""Exporting the journal (all of it or a selection) as Markdown, one self-contained HTML file, or TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.content.model import Course
from course.content.terminal_text import visible
from course.errors import CorruptFileError, StorageError, UsageError
from course.i18n import tr
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection, parse_reflection
from course.learner.journal_query import by_date
from course.learner.progress import now
from course.store import storage
from course.store.storage import SCHEMA

if TYPE_CHECKING:
    from course.learner.practice import Assessment

FORMATS = ("md", "html", "toml")
EXPORT_FORMAT = 1  # the layout of a TOML export; raise it when a reader would have to change


@dataclass(frozen=True)
class Described:
    """A reflection with what the course says about it: the lesson's title and the prompt's text."""

    reflection: Reflection
    lesson_title: str
    prompt_text: str


def describe(course: Course, lang: str, r: Reflection) -> Described:
    """The lesson title and prompt text of a reflection in `lang` (its ids when the course no longer has them)."""
    try:
        lesson = course.lesson(r.lesson, lang)
    except KeyError:
        lesson = None
    if r.prompt == FOLLOW_UP_PROMPT:
        prompt_text = tr("journal.follow_up", lang)
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
) -> str:
    """The reflections (in the order given, grouped by local date) as one document in `fmt` (see FORMATS)."""
    if fmt not in FORMATS:
        raise UsageError(f"{fmt!r} is not an export format; use one of {', '.join(FORMATS)}.")
    entries = [describe(course, lang, r) for r in reflections]
    heading = title or tr("export.title", lang)
    if fmt == "toml":
        return _toml(entries, course, lang, assessments, title)
    if fmt == "md":
        return _markdown(entries, course, lang, heading)
    return _html(entries, course, lang, assessments, heading)


def write(path: Path, text: str) -> None:
    """Write an export atomically (a crash leaves the old file or the new one), readable only by you (0600)."""
    storage.write_output(path, text.encode("utf-8"))


# --- shared ------------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _count(n: int, lang: str) -> str:
    return tr("export.count.one", lang) if n == 1 else tr("export.count.many", lang, count=n)


def _subtitle(course: Course, lang: str, n: int) -> str:
    return f"{tr('export.subtitle', lang, course=course.title(lang), when=_when(now()))} · {_count(n, lang)}"


def _meta(r: Reflection, lang: str) -> list[str]:
    """The line under a reflection's heading: written, edited, starred, tags (user tags left raw)."""
    parts = [tr("export.written", lang, when=_when(r.created))]
    if r.updated != r.created:
        parts.append(tr("export.edited", lang, when=_when(r.updated)))
    if r.starred:
        parts.append(tr("export.starred", lang))
    return parts


def _grouped(entries: Sequence[Described]) -> list[tuple[str, list[Described]]]:
    described = {id(e.reflection): e for e in entries}
    return [
        (day.isoformat(), [described[id(r)] for r in group]) for day, group in by_date([e.reflection for e in entries])
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


# --- Markdown ----------------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>&|~"})


def _md_inline(text: str) -> str:
    """Text inside a Markdown line, shown literally: the characters Markdown would act on are escaped."""
    return " ".join(visible(text).split()).translate(_MD_SPECIAL)


def _md_fenced(text: str) -> list[str]:
    """User text as a fenced block: nothing in it is Markdown (not #, >, -, 1. or [x](y)), line breaks kept."""
    body = visible(text)
    longest = run = 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *body.split("\n"), fence]


def _markdown(entries: Sequence[Described], course: Course, lang: str, heading: str) -> str:
    lines = [f"# {_md_inline(heading)}", "", _md_inline(_subtitle(course, lang, len(entries))), ""]
    if not entries:
        lines += [tr("export.empty", lang), ""]
    for day, group in _grouped(entries):
        lines += [f"## {day}", ""]
        for e in group:
            r = e.reflection
            meta = [_md_inline(p) for p in _meta(r, lang)]
            if r.tags:
                meta.append(_md_inline(tr("export.tags", lang, tags=", ".join(r.tags))))
            lines += [f"### {_md_inline(e.lesson_title)}", "", f"*{_md_inline(e.prompt_text)}*", ""]
            lines += [" · ".join(meta), "", *_md_fenced(r.text), ""]
            if r.versions:
                lines += [f"#### {_md_inline(tr('export.versions', lang, count=len(r.versions)))}", ""]
                for v in reversed(r.versions):
                    lines += [_md_inline(tr("export.version_saved", lang, when=_when(v.saved))), ""]
                    lines += [*_md_fenced(v.text), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- HTML --------------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; background: #fff;
       max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
header h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
header p, .note { color: #444; margin: 0; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #888; padding-bottom: .15rem; margin: 2.2rem 0 .6rem; }
article { border-left: 3px solid #888; padding: 0 0 0 .9rem; margin: 1.1rem 0 1.6rem; }
h3 { font-size: 1.02rem; margin: 0; }
.prompt { font-style: italic; margin: .15rem 0; }
.meta { font-size: .85rem; color: #444; margin: .15rem 0 .5rem; }
.star { font-weight: bold; color: #111; }
.tags { font-size: .85rem; margin: .15rem 0; }
.tag { border: 1px solid #888; border-radius: .6rem; padding: 0 .45rem; margin-right: .25rem; white-space: nowrap; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .4rem 0; }
.versions { margin-top: .6rem; font-size: .92rem; }
.versions h4 { font-size: .92rem; margin: .6rem 0 .2rem; }
.version .text { color: #333; border-left: 2px dotted #999; padding-left: .6rem; }
.assessment-section svg { max-width: 100%; height: auto; display: block; margin: .6rem 0; }
@page { margin: 18mm 16mm; }
@media print {
  body { font: 11pt/1.45 Georgia, "Times New Roman", serif; max-width: none; margin: 0; padding: 0; }
  header p, .note, .meta { color: #000; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, .prompt { break-after: avoid; page-break-after: avoid; }
  article { break-inside: avoid-page; page-break-inside: avoid; border-left-color: #000; }
  .assessment-section { break-inside: avoid-page; page-break-inside: avoid; }
}
"""


def _h(text: str) -> str:
    """A user or course string as HTML text: control characters and bidi controls made visible, then escaped."""
    return escape(visible(text), quote=True)


def _html(
    entries: Sequence[Described], course: Course, lang: str, assessments: Sequence[Assessment], heading: str
) -> str:
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang, quote=True)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(heading)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<!-- Every text here is escaped, and control characters other than newline and tab are replaced by",
        "     visible symbols (ESC shows as U+241B), so no escape sequence from a reflection survives raw;",
        "     bidi override and isolate controls are shown by name (U+202E as a visible label). -->",
        "<header>",
        f"<h1>{_h(heading)}</h1>",
        f"<p>{_h(_subtitle(course, lang, len(entries)))}</p>",
        "</header>",
        "<main>",
    ]
    series = _series(course, lang, assessments) if assessments else []
    if series:
        from course.render.chart import assessment_svg

        out += [
            '<section class="assessment-section">',
            f"<h2>{_h(tr('export.assessment', lang))}</h2>",
            f'<p class="note">{_h(tr("export.assessment_note", lang))}</p>',
            assessment_svg(series, lang),
            "</section>",
        ]
    if not entries:
        out.append(f"<p>{_h(tr('export.empty', lang))}</p>")
    for day, group in _grouped(entries):
        out += ['<section class="day">', f'<h2><time datetime="{day}">{day}</time></h2>']
        for e in group:
            out += _html_entry(e, lang)
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_entry(e: Described, lang: str) -> list[str]:
    r = e.reflection
    meta = [f'<time datetime="{r.created.isoformat()}">{_h(tr("export.written", lang, when=_when(r.created)))}</time>']
    if r.updated != r.created:
        edited = tr("export.edited", lang, when=_when(r.updated))
        meta.append(f'<time datetime="{r.updated.isoformat()}">{_h(edited)}</time>')
    if r.starred:
        meta.append(f'<span class="star">{_h(tr("export.starred", lang))}</span>')
    out = [
        f'<article class="reflection" id="r-{_h(r.id)}" data-lesson="{_h(r.lesson)}" data-prompt="{_h(r.prompt)}">',
        f"<h3>{_h(e.lesson_title)}</h3>",
        f'<p class="prompt">{_h(e.prompt_text)}</p>',
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if r.tags:
        tags = " ".join(f'<span class="tag">{_h(t)}</span>' for t in r.tags)
        out.append(f'<p class="tags">{_h(tr("export.tags", lang, tags=""))}{tags}</p>')
    out.append(f'<div class="text" dir="auto">{_h(r.text)}</div>')
    if r.versions:
        out += ['<div class="versions">', f"<h4>{_h(tr('export.versions', lang, count=len(r.versions)))}</h4>"]
        for v in reversed(r.versions):
            saved = _h(tr("export.version_saved", lang, when=_when(v.saved)))
            out += [
                '<div class="version">',
                f'<p class="meta"><time datetime="{v.saved.isoformat()}">{saved}</time></p>',
                f'<div class="text" dir="auto">{_h(v.text)}</div>',
                "</div>",
            ]
        out.append("</div>")
    out.append("</article>")
    return out


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
