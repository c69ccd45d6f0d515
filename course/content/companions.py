"""The course's companion content: the About page (origin, glossary, further reading) and the self-assessment."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.content.sourcefile import (
    Report,
    entry_line,
    key_line,
    lang_table,
    line_of,
    parse_toml,
    read_text,
    unknown_keys,
)

if TYPE_CHECKING:
    from course.content.model import Course

ABOUT_FILE = "about.toml"
ASSESSMENT_FILE = "self-assessment.toml"
SCALE_POINTS = 5
ABOUT_KEYS = ("schema", "origin", "term", "reading")
READING_KEYS = ("cite", "about")
ASSESSMENT_KEYS = ("schema", "intro", "scale", "statement")
STATEMENT_KEYS = ("id", "lessons", "behaviour", "text")


@dataclass(frozen=True)
class Term:
    """One glossary entry: the term in each language and an optional note per language."""

    names: dict[str, str]
    notes: dict[str, str]


@dataclass(frozen=True)
class Reading:
    """One piece of further reading: the citation as published, and what it offers, per language."""

    cite: str
    about: dict[str, str]


@dataclass(frozen=True)
class About:
    """Where the course comes from, its glossary and its further reading."""

    origin: dict[str, str]
    terms: tuple[Term, ...]
    reading: tuple[Reading, ...]


@dataclass(frozen=True)
class Statement:
    """One self-assessment statement for one behaviour, rated 1–5."""

    id: str
    behaviour: dict[str, str]
    text: dict[str, str]
    lessons: tuple[str, ...]  # lessons to revisit after a low rating


@dataclass(frozen=True)
class SelfAssessment:
    """The self-assessment: an introduction, the five labels of the scale, and the statements."""

    intro: dict[str, str]
    scale: dict[str, tuple[str, ...]]
    statements: tuple[Statement, ...]


def _nth_line(text: str, header: str, n: int) -> int:
    return line_of(text, rf"^\s*\[\[{header}\]\]", nth=n)


def read_about(folder: Path, langs: Sequence[str], rep: Report) -> About | None:
    """lessons/about.toml, when the course has one; problems are added to `rep`."""
    path = folder / ABOUT_FILE
    opened = _open(path, rep)
    if opened is None:
        return None
    text, data = opened
    before = len(rep.problems)
    unknown_keys(data, ABOUT_KEYS, ABOUT_FILE, path, rep, partial(entry_line, text))
    _schema(data, path, text, rep)
    origin = lang_table(data, "origin", langs, path, text, rep)
    terms: list[Term] = []
    for n, item in enumerate(_array(data, "term", path, text, rep)):
        line = _nth_line(text, "term", n)
        if langs:
            unknown_keys(
                item,
                [*langs, "note"],
                f"term {n + 1}",
                path,
                rep,
                partial(entry_line, text, start=line, prefix="term."),
            )
        names = {lang: item.get(lang) for lang in langs}
        if not all(isinstance(v, str) and v.strip() for v in names.values()):
            rep.add(
                path,
                line,
                f"term {n + 1} does not name the term in every language",
                "write " + ", ".join(f'{lang} = "…"' for lang in langs),
            )
            continue
        notes = item.get("note", {})
        if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
            rep.add(
                path,
                line,
                f"the note of term {n + 1} should be a table of texts",
                'write [term.note] with sv = "…" and en = "…"',
            )
            continue
        if langs and notes:
            note_line = line_of(text, r"^\s*\[\s*term\.note\s*\]", start=line)
            unknown_keys(
                notes, langs, f"the note of term {n + 1}", path, rep, partial(entry_line, text, start=note_line)
            )
        terms.append(Term({k: str(v) for k, v in names.items()}, dict(notes)))
    reading: list[Reading] = []
    for n, item in enumerate(_array(data, "reading", path, text, rep)):
        line = _nth_line(text, "reading", n)
        unknown_keys(
            item, READING_KEYS, f"reading {n + 1}", path, rep, partial(entry_line, text, start=line, prefix="reading.")
        )
        cite = item.get("cite")
        if not isinstance(cite, str) or not cite.strip():
            rep.add(path, line, f"reading {n + 1} has no citation", 'add cite = "Author (year). Title. Publisher."')
            continue
        about_line = line_of(text, r"^\s*\[reading\.about\]", start=line)
        about = lang_table(item, "about", langs, path, text, rep, line=about_line, table_name="reading.about")
        reading.append(Reading(cite, about))
    if len(rep.problems) > before:
        return None
    return About(origin, tuple(terms), tuple(reading))


def read_assessment(
    folder: Path, langs: Sequence[str], lesson_ids: Sequence[str], rep: Report
) -> SelfAssessment | None:
    """lessons/self-assessment.toml, when the course has one; problems are added to `rep`."""
    from course.content.model import valid_id  # content imports this module; the id rule lives there

    path = folder / ASSESSMENT_FILE
    opened = _open(path, rep)
    if opened is None:
        return None
    text, data = opened
    before = len(rep.problems)
    unknown_keys(data, ASSESSMENT_KEYS, ASSESSMENT_FILE, path, rep, partial(entry_line, text))
    _schema(data, path, text, rep)
    intro = lang_table(data, "intro", langs, path, text, rep)
    raw_scale = data.get("scale")
    scale: dict[str, tuple[str, ...]] = {}
    for lang in langs:
        labels = raw_scale.get(lang) if isinstance(raw_scale, dict) else None
        if (
            not isinstance(labels, list)
            or len(labels) != SCALE_POINTS
            or not all(isinstance(x, str) and x.strip() for x in labels)
        ):
            rep.add(
                path,
                line_of(text, r"^\s*\[scale\]"),
                f"[scale] needs {SCALE_POINTS} labels for '{lang}'",
                f'write {lang} = ["…", "…", "…", "…", "…"] under [scale], from 1 to {SCALE_POINTS}',
            )
        else:
            scale[lang] = tuple(labels)
    if isinstance(raw_scale, dict) and langs:
        at = line_of(text, r"^\s*\[\s*scale\s*\]")
        unknown_keys(raw_scale, langs, "[scale]", path, rep, partial(entry_line, text, start=at))
    statements: list[Statement] = []
    seen: set[str] = set()
    for n, item in enumerate(_array(data, "statement", path, text, rep)):
        line = _nth_line(text, "statement", n)
        sid = item.get("id")
        name = f"statement '{sid}'" if valid_id(sid) else f"statement {n + 1}"
        unknown_keys(item, STATEMENT_KEYS, name, path, rep, partial(entry_line, text, start=line, prefix="statement."))
        if not valid_id(sid) or sid in seen:
            rep.add(
                path,
                line,
                f"statement {n + 1} has no valid, unique id ({sid!r})",
                'use lower-case letters, digits and hyphens, e.g. id = "ethics-and-care"',
            )
            continue
        assert isinstance(sid, str)
        seen.add(sid)
        lessons = item.get("lessons", [])
        if not isinstance(lessons, list) or not all(isinstance(x, str) for x in lessons):
            rep.add(
                path,
                key_line(text, "lessons", line),
                f"statement '{sid}' lessons should be a list of lesson ids",
                'write lessons = ["seven-manager-behaviours"]',
            )
            continue
        for lid in lessons:
            if lid not in lesson_ids:
                rep.add(
                    path,
                    key_line(text, "lessons", line),
                    f"statement '{sid}' names lesson '{lid}', which is not in the course",
                    "use an id from lessons in lessons/course.toml",
                )
        behaviour = lang_table(
            item, "behaviour", langs, path, text, rep,
            line=line_of(text, r"^\s*\[statement\.behaviour\]", start=line), table_name="statement.behaviour",
        )  # fmt: skip
        said = lang_table(
            item, "text", langs, path, text, rep,
            line=line_of(text, r"^\s*\[statement\.text\]", start=line), table_name="statement.text",
        )  # fmt: skip
        statements.append(Statement(sid, behaviour, said, tuple(lessons)))
    if not statements and len(rep.problems) == before:
        rep.add(
            path,
            1,
            "the self-assessment has no statements",
            "add [[statement]] tables with id, lessons, [statement.behaviour] and [statement.text]",
        )
    if len(rep.problems) > before:
        return None
    return SelfAssessment(intro, scale, tuple(statements))


def _open(path: Path, rep: Report) -> tuple[str, dict[str, Any]] | None:
    """An optional companion file's text and data; None when it is absent or unreadable (then reported)."""
    if not os.path.lexists(path):  # a folder or a pipe in its place is read, and reported as what it is
        return None
    text = read_text(path, rep)
    data = parse_toml(text, path, rep) if text is not None else None
    return None if data is None or text is None else (text, data)


def _schema(data: dict[str, Any], path: Path, text: str, rep: Report) -> None:
    if data.get("schema") != 1:
        rep.add(path, key_line(text, "schema"), "schema should be 1", "write schema = 1 at the top")


def _array(data: dict[str, Any], key: str, path: Path, text: str, rep: Report) -> list[dict[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        rep.add(
            path,
            line_of(text, rf"^\s*\[\[?{key}"),
            f"'{key}' should be a list of [[{key}]] tables",
            f"write each one as [[{key}]]",
        )
        return []
    return raw


def about_text(course: Course, lang: str, data_dir: Path, version: str) -> str:
    """The About page as plain text: the course, its origin, the glossary, further reading, your data."""
    from course.i18n import tr

    fallback = course.languages[0]

    def pick(texts: dict[str, str]) -> str:
        return texts.get(lang) or texts.get(fallback, "")

    lines = [pick(course.descriptions)]
    about = course.about
    if about is not None:
        lines += ["", pick(about.origin).strip()]
    src = course.source
    if src:
        lines += ["", tr("about.source", lang, **{k: src.get(k, "") for k in ("author", "title", "publisher", "date")})]
    if about is not None and about.terms:
        lines += ["", tr("about.glossary", lang), ""]
        other = next((x for x in course.languages if x != lang), lang)
        for term in about.terms:
            lines.append(f"  {term.names.get(lang, '')} – {term.names.get(other, '')}")
            note = pick(term.notes)
            if note:
                lines.append(f"      {note}")
    if about is not None and about.reading:
        lines += ["", tr("about.reading", lang), ""]
        for item in about.reading:
            lines.append(f"  {item.cite}")
            lines.append(f"      {pick(item.about)}")
            lines.append("")
    lines += ["", tr("about.data", lang, path=data_dir), "", f"Tillit {version}"]
    return "\n".join(lines).strip()
