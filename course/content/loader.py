"""The course: reading and checking lessons, quizzes and the manifest, reporting every problem with its line."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from course.content.catalogs import Catalogs
from course.content.companions import read_about, read_assessment
from course.content.model import Course, Lesson, Prompt, valid_id
from course.content.quiz import Quiz
from course.content.quizfile import read_quiz
from course.content.sourcefile import (
    Report,
    entry_line,
    key_line,
    lang_table,
    line_of,
    parse_toml,
    read_text,
    reading,
    report_links,
    shown,
    unknown_keys,
    value_fix,
)
from course.content.terminal_text import visible_all
from course.errors import ContentError, Problem

CONTENT_SCHEMA = 1
# Every key each file may have: any other is reported, so that a slip (`note` for `notes`) is not silently lost.
MANIFEST_KEYS = ("schema", "id", "languages", "lessons", "title", "description", "source")
SOURCE_KEYS = ("author", "title", "publisher", "date")
LESSON_KEYS = (
    "id", "title", "summary", "minutes", "objectives", "key_points", "sources", "notes", "prompt", "discussion",
)  # fmt: skip
PROMPT_KEYS = ("id", "text")
NOT_A_FOLDER = "this is not a folder, so the files that belong in it cannot be read"


def _str(
    data: dict[str, Any], key: str, path: Path, text: str, rep: Report, start: int = 1, required: bool = True
) -> str:
    value = data.get(key)
    if value is None:
        if required:
            rep.add(path, start, f"'{key}' is missing", f'add {key} = "…"')
        return ""
    if not isinstance(value, str) or not value.strip():
        fix = f'write {key} = "…"' if isinstance(value, str) else value_fix(key, value, "text", '"…"')
        rep.add(path, key_line(text, key, start), f"'{key}' should be non-empty text", fix)
        return ""
    return value


def _str_list(
    data: dict[str, Any], key: str, path: Path, text: str, rep: Report, required: bool = False
) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        if required:
            rep.add(path, 1, f"'{key}' is missing", f'add {key} = ["…"] with at least one item')
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        rep.add(path, key_line(text, key), f"'{key}' should be a list of non-empty texts", f'write {key} = ["…", "…"]')
        return ()
    if required and not value:
        rep.add(path, key_line(text, key), f"'{key}' is empty", "add at least one item")
    return tuple(value)


def _prompts(data: dict[str, Any], key: str, path: Path, text: str, rep: Report) -> tuple[Prompt, ...]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        rep.add(
            path,
            line_of(text, rf"^\s*\[\[?{key}"),
            f"'{key}' should be a list of [[{key}]] tables",
            f"write each one as [[{key}]] with id and text",
        )
        return ()
    out: list[Prompt] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        line = line_of(text, rf"^\s*\[\[\s*{key}\s*\]\]", nth=n)
        if not isinstance(item, dict):
            rep.add(path, line, f"{key} {n + 1} is not a table", f"write it as [[{key}]] with id and text")
            continue
        pid = item.get("id")
        label = f"{key} '{pid}'" if isinstance(pid, str) and valid_id(pid) else f"{key} {n + 1}"
        unknown_keys(item, PROMPT_KEYS, label, path, rep, partial(entry_line, text, start=line, prefix=f"{key}."))
        body = item.get("text")
        if not isinstance(pid, str) or not valid_id(pid):
            rep.add(
                path,
                line,
                f"{key} {n + 1} has no valid id ({pid!r})",
                'use lower-case letters, digits and hyphens, e.g. id = "own-workplace"',
            )
        elif pid in seen:
            rep.add(path, line, f"{key} id '{pid}' is used twice", "give each one its own id")
        elif isinstance(body, str) and body.strip():
            out.append(Prompt(pid, body))
        seen.add(str(pid))
        if not isinstance(body, str) or not body.strip():
            rep.add(path, line, f"{label} has no text", 'add text = "…"')
    return tuple(out)


def _split_front_matter(text: str, path: Path, rep: Report) -> tuple[str, str, int] | None:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        rep.add(
            path, 1, "the lesson does not start with a +++ line", "start the file with +++, the front matter, then +++"
        )
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "+++":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    rep.add(path, 1, "the front matter has no closing +++ line", "add a line with +++ after the front matter")
    return None


def _read_lesson(path: Path, lesson_id: str, lang: str, rep: Report, texts: dict[Path, str]) -> Lesson | None:
    text = read_text(path, rep)
    if text is None:
        return None
    texts[path] = text
    split = _split_front_matter(text, path, rep)
    if split is None:
        return None
    front, body, body_line = split
    before = len(rep.problems)
    data = parse_toml(front, path, rep, line_offset=1)
    if data is None:
        return None
    matter = "\n" + front  # line numbers in `matter` match the file's (line 1 is +++)
    unknown_keys(data, LESSON_KEYS, "the lesson", path, rep, lambda key: entry_line(matter, key))
    if data.get("id") != lesson_id:
        rep.add(
            path,
            key_line(matter, "id"),
            f"id is {data.get('id')!r} but the file is named {lesson_id}.md",
            f'set id = "{lesson_id}" or rename the file',
        )
    title = _str(data, "title", path, matter, rep)
    summary = _str(data, "summary", path, matter, rep)
    minutes = data.get("minutes")
    if minutes is None:
        rep.add(path, 1, "'minutes' is missing", "add minutes = 10 (the reading time)")
        minutes = 0
    elif not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600:
        rep.add(
            path,
            key_line(matter, "minutes"),
            "'minutes' should be a whole number of minutes",
            value_fix("minutes", minutes, "whole number", "10")
            if not isinstance(minutes, int)
            else "write e.g. minutes = 10",
        )
        minutes = 0
    objectives = _str_list(data, "objectives", path, matter, rep, required=True)
    key_points = _str_list(data, "key_points", path, matter, rep)
    sources = _str_list(data, "sources", path, matter, rep)
    notes = _str(data, "notes", path, matter, rep, required=False)
    prompts = _prompts(data, "prompt", path, matter, rep)
    if not prompts and "prompt" not in data:
        rep.add(path, 1, "the lesson has no reflection prompt", 'add [[prompt]] with id = "…" and text = "…"')
    discussions = _prompts(data, "discussion", path, matter, rep)
    if not body.strip():
        rep.add(
            path,
            body_line,
            "the lesson has no text after the front matter",
            "write the lesson in Markdown below the second +++",
        )
    if len(rep.problems) > before:
        return None
    return Lesson(
        lesson_id, lang, title, summary, minutes, objectives, key_points, sources, notes,
        prompts, discussions, body.strip("\n") + "\n", path,
    )  # fmt: skip


def _read_manifest(root: Path, rep: Report) -> tuple[dict[str, Any], str] | None:
    path = root / "lessons" / "course.toml"
    if not os.path.lexists(path):  # a folder or a pipe in its place is read, and reported as what it is
        rep.add(
            path,
            1,
            "there is no course manifest",
            "create lessons/course.toml (see docs/authoring.md), or point --course at a course folder",
        )
        return None
    text = read_text(path, rep)
    if text is None:
        return None
    data = parse_toml(text, path, rep)
    if data is None:
        return None
    return data, text


def _read(root: Path) -> tuple[Course | None, list[Problem]]:
    rep = Report()
    read = _read_manifest(root, rep)
    if read is None:
        return None, rep.problems
    mpath = root / "lessons" / "course.toml"
    manifest, mtext = read
    unknown_keys(manifest, MANIFEST_KEYS, "course.toml", mpath, rep, lambda key: entry_line(mtext, key))
    if manifest.get("schema") != CONTENT_SCHEMA:
        rep.add(
            mpath,
            key_line(mtext, "schema"),
            f"schema should be {CONTENT_SCHEMA}",
            f"write schema = {CONTENT_SCHEMA} at the top",
        )
    course_id = manifest.get("id")
    if not valid_id(course_id):
        rep.add(
            mpath,
            key_line(mtext, "id"),
            "the course has no valid id",
            'write id = "my-course" (lower-case letters, digits, hyphens)',
        )
    langs = manifest.get("languages")
    if (
        not isinstance(langs, list)
        or not langs
        or not all(isinstance(x, str) and re.fullmatch(r"[a-z]{2,3}", x) for x in langs)
    ):
        rep.add(
            mpath,
            key_line(mtext, "languages"),
            "'languages' should list language codes",
            'write languages = ["sv", "en"]',
        )
        langs = []
    lesson_ids = manifest.get("lessons")
    if not isinstance(lesson_ids, list) or not lesson_ids:
        rep.add(
            mpath,
            key_line(mtext, "lessons"),
            "'lessons' should list the lesson ids in course order",
            'write lessons = ["first-lesson", "second-lesson"]',
        )
        lesson_ids = []
    ok_ids: list[str] = []
    list_line = key_line(mtext, "lessons")

    def id_line(lid: object) -> int:
        """Where a lesson id is written in the list (the list may span lines)."""
        return line_of(mtext, re.escape(f'"{lid}"'), start=list_line) if isinstance(lid, str) else list_line

    for lid in lesson_ids:
        if not valid_id(lid):
            rep.add(
                mpath,
                id_line(lid),
                f"lesson id {lid!r} is not a valid id",
                "use lower-case letters, digits and hyphens",
            )
        elif lid in ok_ids:
            rep.add(mpath, id_line(lid), f"lesson '{lid}' is listed twice", "list each lesson once")
        else:
            ok_ids.append(lid)
    titles = lang_table(manifest, "title", langs, mpath, mtext, rep)
    descriptions = lang_table(manifest, "description", langs, mpath, mtext, rep)
    source = manifest.get("source", {})
    if isinstance(source, dict):
        at = line_of(mtext, r"^\s*\[\s*source\s*\]")
        unknown_keys(source, SOURCE_KEYS, "[source]", mpath, rep, lambda key: entry_line(mtext, key, at, "source."))
        source = {k: str(v) for k, v in source.items()}
    else:
        rep.add(
            mpath,
            key_line(mtext, "source"),
            f"source is {shown(source)}, not a table",
            "write [source] with author, title, publisher and date on the lines below it",
        )
        source = {}

    lessons: dict[tuple[str, str], Lesson] = {}
    quizzes: dict[tuple[str, str], Quiz] = {}
    texts: dict[Path, str] = {}  # each file's text as read once: a file is never opened a second time
    for folder in (root / "quizzes", *(root / top / lang for top in ("lessons", "quizzes") for lang in langs)):
        if os.path.lexists(folder) and not folder.is_dir():
            rep.add(folder, 1, NOT_A_FOLDER, "put a folder with this name in its place, with the files in it")
    for lang in langs:
        for lid in ok_ids if (root / "lessons" / lang).is_dir() or not os.path.lexists(root / "lessons" / lang) else []:
            lpath = root / "lessons" / lang / f"{lid}.md"
            if not os.path.lexists(lpath):  # a folder or a pipe in its place is read, and reported as what it is
                rep.add(
                    mpath,
                    id_line(lid),
                    f"lesson '{lid}' has no {lang} file (lessons/{lang}/{lid}.md)",
                    f"write lessons/{lang}/{lid}.md, or remove '{lid}' from lessons",
                )
                continue
            lesson = _read_lesson(lpath, lid, lang, rep, texts)
            if lesson is not None:
                lessons[(lid, lang)] = lesson
            qpath = root / "quizzes" / lang / f"{lid}.toml"
            if os.path.lexists(qpath):  # likewise: a folder or a pipe is a problem, never a quiz quietly missing
                quiz = read_quiz(qpath, lid, lang, rep, texts)
                if quiz is not None:
                    quizzes[(lid, lang)] = quiz
        for folder, suffix in (("lessons", ".md"), ("quizzes", ".toml")):
            d = root / folder / lang
            for extra in sorted(d.glob(f"*{suffix}")) if d.is_dir() else []:
                if extra.stem not in ok_ids:
                    rep.add(
                        extra,
                        1,
                        f"'{extra.stem}' is not in the course's lesson list",
                        f'add "{extra.stem}" to lessons in lessons/course.toml, or remove the file',
                    )
    _check_parity(langs, ok_ids, lessons, quizzes, root, rep, texts)
    about = read_about(root / "lessons", langs, rep)
    assessment = read_assessment(root / "lessons", langs, ok_ids, rep)
    if rep.problems:
        return None, rep.problems
    course = Course(
        root, str(course_id), tuple(langs), tuple(ok_ids), titles, descriptions, source, lessons, quizzes,
        about, assessment,
    )  # fmt: skip
    # A course folder may be anyone's: every text in it is made inert here, once, so that no screen,
    # printout or page can pass an escape sequence (or a bidi override) from it to a terminal.
    return visible_all(course), []


def _first_difference(base: Sequence[object], other: Sequence[object], ids: Sequence[str] | None = None) -> str | None:
    """The id in `other` where it first differs from `base` (its last id when it is only shorter)."""
    names = [str(x) for x in other] if ids is None else list(ids)
    for i, (a, b) in enumerate(zip(base, other, strict=False)):
        if a != b:
            return names[i]
    return names[-1] if names else None


def _id_line(text: str, ident: str | None) -> int:
    """The line where `id = "ident"` is written in a course file's text; 1 when it cannot be found."""
    return 1 if ident is None else line_of(text, rf"^\s*id\s*=\s*[\"']{re.escape(ident)}[\"']")


def _check_parity(
    langs: Sequence[str], ids: Sequence[str], lessons: dict[tuple[str, str], Lesson],
    quizzes: dict[tuple[str, str], Quiz], root: Path, rep: Report, texts: dict[Path, str],
) -> None:  # fmt: skip
    if not langs:
        return
    first = langs[0]
    for lid in ids:
        base = lessons.get((lid, first))
        for lang in langs[1:]:
            other = lessons.get((lid, lang))
            if base is not None and other is not None:
                for what, a, b in (
                    ("prompt", base.prompts, other.prompts),
                    ("discussion", base.discussions, other.discussions),
                ):
                    if [p.id for p in a] != [p.id for p in b]:
                        line = _id_line(
                            texts.get(other.path, ""), _first_difference([p.id for p in a], [p.id for p in b])
                        )
                        rep.add(
                            other.path,
                            line,
                            f"its {what} ids differ from the {first} lesson's",
                            f"use the same {what} ids in the same order in every language",
                        )
                if base.sources != other.sources:
                    rep.add(
                        other.path,
                        line_of(texts.get(other.path, ""), r"^\s*sources\s*="),
                        f"its sources differ from the {first} lesson's",
                        "copy the same quotes into every language: they quote the original, they are not translated",
                    )
            bq, oq = quizzes.get((lid, first)), quizzes.get((lid, lang))
            qpath = root / "quizzes" / lang / f"{lid}.toml"
            if (bq is None) != (oq is None) and (bq or oq):
                missing = lang if oq is None else first
                if os.path.lexists(root / "quizzes" / missing / f"{lid}.toml"):
                    continue  # that file has problems of its own, already reported
                rep.add(
                    root / "quizzes" / missing / f"{lid}.toml",
                    1,
                    f"lesson '{lid}' has a quiz in one language but not in {missing}",
                    "write the quiz in every language, or in none",
                )
            elif bq is not None and oq is not None:
                shape = [(q.id, q.kind, [(o.id, o.correct) for o in q.options], q.answer) for q in bq.questions]
                other_shape = [(q.id, q.kind, [(o.id, o.correct) for o in q.options], q.answer) for q in oq.questions]
                if shape != other_shape:
                    line = _id_line(
                        texts.get(qpath, ""), _first_difference(shape, other_shape, [q.id for q in oq.questions])
                    )
                    rep.add(
                        qpath,
                        line,
                        f"its questions differ from the {first} quiz (ids, kinds, options or answers)",
                        "use the same question ids, kinds, option ids and correct answers in the same order in every language",
                    )


def _read_safely(root: Path, catalogs: Catalogs | None = None) -> tuple[Course | None, list[Problem]]:
    """_read, refusing links out of the course folder; a course that is not the built-in one may come
    from anyone, so its TOML is parsed in a child process with memory and CPU limits. With `catalogs`,
    the course's UI catalogs are read into it too (course.content.catalogs): their problems are kept
    apart, as they never stop a course opening."""
    from course.store.paths import builtin_course_dir

    untrusted = root.resolve() != builtin_course_dir().resolve()
    with reading(root, untrusted, cached=not untrusted):
        links = Report()
        report_links([root / "lessons", root / "quizzes"], links)
        course, problems = _read(root)
        if course is not None and catalogs is not None:
            catalogs.read(root, course.languages)
    if links.problems:
        seen = {(p.file, p.problem) for p in problems}
        return None, [*problems, *(p for p in links.problems if (p.file, p.problem) not in seen)]
    return course, problems


def check_course(root: Path) -> list[Problem]:
    """Every problem in the course at `root` (its UI catalogs' included); an empty list when it is clean."""
    catalogs = Catalogs(check=True)
    course, problems = _read_safely(root, catalogs)
    return problems if course is None else [*problems, *catalogs.report.problems]


def load_course(root: Path) -> Course:
    """Read the course at `root`, or raise ContentError listing every problem. A UI catalog the course
    brings is then available to course.i18n (what `tillit check` finds wrong in one does not stop it)."""
    catalogs = Catalogs(check=False)
    course, problems = _read_safely(root, catalogs)
    if course is None:
        raise ContentError(problems or [Problem(root, 1, "the course could not be read", "run tillit check")], root)
    catalogs.use(root)
    return course
