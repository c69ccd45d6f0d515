"""`tillit journal add|list|search|export`: the reflection journal from the command line, through the same
Study as the app."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from course.cli.options import add_force, add_lang
from course.content.loader import load_course
from course.content.terminal_text import visible
from course.errors import StorageError, UsageError
from course.store import paths

if TYPE_CHECKING:
    from course.learner.journal import Reflection
    from course.learner.journal_query import JournalFilter
    from course.learner.study import Study


EXPORT_FORMATS = ("md", "html", "toml")  # course.render.export.FORMATS, without importing it for every start-up
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".toml": "toml"}  # -o x.html: html
JOURNAL_EPILOG = """examples:
  tillit journal add "Today I let the team plan the week themselves."
  echo "Asked instead of told." | tillit journal add --lesson trust-culture --tag feedback
  tillit journal add                       (opens $EDITOR, default vi)
  tillit journal list --since 2025-01-01 --starred
  tillit journal search återkoppling       (finds aterkoppling and Återkoppling too)
  tillit journal trash                     (reflections deleted in the app; restore one by its id)
  tillit journal restore 20261130-091500-ab12cd
  tillit journal export -o journal.html    (the format from the name: .md, .html or .toml)"""


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Callable[[argparse.ArgumentParser], None]
) -> None:
    journal = sub.add_parser(
        "journal",
        help="add, list, search, export or restore reflections",
        description="Your reflection journal from the shell: the same data, locking and safety as the app.",
        epilog=JOURNAL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(journal)
    actions = journal.add_subparsers(dest="journal_command", metavar="action", required=True)

    add = actions.add_parser(
        "add",
        help="save a new reflection",
        description=(
            "Save a new reflection and print its id. The text is TEXT when given, else standard input "
            "when it is not a terminal, else what you write in $EDITOR (default: vi), below which the prompt "
            "is shown as # comment lines that are left out when it is saved; empty text saves nothing."
        ),
    )
    add.add_argument("--lesson", metavar="ID", help="the lesson it belongs to (default: the first lesson)")
    add.add_argument("--prompt", metavar="ID", help="the lesson's prompt it answers (default: its first prompt)")
    add.add_argument("--tag", metavar="T", action="append", default=[], help="a tag; repeat for more tags")
    add.add_argument("text", nargs="*", metavar="TEXT", help="the reflection (several words are joined by spaces)")
    common(add)
    _lang(add)

    listing = actions.add_parser(
        "list", help="show reflections, newest day first", description="Show reflections, newest day first."
    )
    _filters(listing, common)
    listing.add_argument("--format", choices=("text", "toml"), default="text", help="text (default) or toml")

    search = actions.add_parser(
        "search",
        help="find reflections that contain every word",
        description=(
            "Find the reflections whose text, tags or prompt contain every word, ignoring case and accents "
            "(aterkoppling finds återkoppling)."
        ),
    )
    search.add_argument("words", nargs="+", metavar="WORD", help="a word that must occur")
    _filters(search, common)
    search.add_argument("--format", choices=("text", "toml"), default="text", help="text (default) or toml")

    export = actions.add_parser(
        "export",
        help="export reflections as Markdown, HTML or TOML",
        description=(
            "Export the journal, or the reflections that match the filters: md (Markdown), html (one "
            "self-contained file that prints well, with your self-assessment chart) or toml (every detail)."
        ),
    )
    export.add_argument(
        "--format", choices=EXPORT_FORMATS, help="md, html or toml (default: from FILE's name, as -o notes.html)"
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (private, 0600) instead of standard output"
    )
    add_force(export)
    _filters(export, common)

    trash = actions.add_parser(
        "trash",
        help="list deleted reflections, which can be restored",
        description=(
            "List the reflections deleted in the app, the most recently deleted first: id, when it was "
            "deleted, lesson and first words. `tillit journal restore ID` puts one back."
        ),
    )
    common(trash)
    _lang(trash)
    restore = actions.add_parser(
        "restore",
        help="put a deleted reflection back",
        description="Put a deleted reflection back into the journal, as it was when it was deleted.",
    )
    restore.add_argument(
        "id", metavar="ID", help="its id from `tillit journal trash` (the first characters do when no other id starts so)"
    )
    common(restore)
    _lang(restore)


def _lang(parser: argparse.ArgumentParser) -> None:
    add_lang(parser, "language for lesson titles and prompts")


def _filters(parser: argparse.ArgumentParser, common: Callable[[argparse.ArgumentParser], None]) -> None:
    parser.add_argument("--lesson", metavar="ID", help="only this lesson's reflections")
    parser.add_argument("--tag", metavar="T", help="only reflections with this tag")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only reflections written on or after this day")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="only reflections written on or before this day")
    parser.add_argument("--starred", action="store_true", help="only starred reflections")
    common(parser)
    _lang(parser)


def open_study(locations: paths.Locations, args: argparse.Namespace) -> Study:
    """The learner's Study for a command; its --lang, when given, is remembered as the app's f2 remembers
    a switch (a read-only Tillit keeps it for this command only)."""
    from course.learner.study import Study

    lang = getattr(args, "lang", None)
    study = Study(load_course(locations.course), locations.data, lang)
    if lang:
        study.set_language(lang)
    return study


def run(args: argparse.Namespace, locations: paths.Locations) -> int:
    study = open_study(locations, args)
    try:
        if args.journal_command == "add":
            return _journal_add(study, args)
        if args.journal_command == "export":
            return _journal_export(study, args)
        if args.journal_command == "trash":
            return _journal_trash(study)
        if args.journal_command == "restore":
            return _journal_restore(study, args.id)
        words = " ".join(args.words) if args.journal_command == "search" else ""
        return _journal_list(study, args, words)
    finally:
        print_notices(study)


def print_notices(study: Study) -> None:
    """What the learner must know about their files (one moved aside, one from a newer Tillit), on stderr."""
    from course.i18n import tr

    for notice in study.notices:
        text = tr(f"notice.{notice.kind}", "en", path=notice.path, detail=notice.detail, moved_to=notice.moved_to)
        print(visible(f"tillit: {text}"), file=sys.stderr)  # a path is a name someone chose: shown, never obeyed
    study.notices.clear()


def _lesson_list(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def editor_comment(study: Study, lesson_id: str, prompt_id: str) -> str:
    """What the draft in $EDITOR starts with, git-commit style: an empty line to write on, then the
    lesson and its prompt as # comment lines under a marker line saying they are left out when saved."""
    import textwrap

    from course.i18n import tr

    lang = study.lang
    lesson = study.course.lesson(lesson_id, lang)
    lines = ["", tr("journal.editor.marker", lang), tr("journal.editor.lesson", lang, title=" ".join(lesson.title.split()))]
    prompt = lesson.prompt(prompt_id)
    if prompt is not None:
        wrapped = textwrap.wrap(" ".join(prompt.text.split()), 68) or [""]
        lines.append(tr("journal.editor.prompt", lang, prompt=wrapped[0]))
        lines += [f"#   {more}" for more in wrapped[1:]]
    lines.append(tr("journal.editor.empty", lang))
    return visible("\n".join(lines)) + "\n"


def without_comment_block(text: str, marker: str) -> str:
    """`text` without the comment block editor_comment wrote: its marker line and the # lines right after
    it. The learner's own lines, # ones included, are kept, above the block or below it."""
    lines = text.split("\n")
    starts = [n for n, line in enumerate(lines) if line.rstrip() == marker]
    if not starts:
        return text
    start = end = starts[-1]
    while end + 1 < len(lines) and lines[end + 1].lstrip().startswith("#"):
        end += 1
    return "\n".join(lines[:start] + lines[end + 1 :])


def _journal_add(study: Study, args: argparse.Namespace) -> int:
    from course.i18n import tr
    from course.learner.journal import normalise_tags

    course = study.course
    lesson_id = args.lesson if args.lesson is not None else course.lesson_ids[0]
    if lesson_id not in course.lesson_ids:
        raise UsageError(
            f"There is no lesson {lesson_id!r} in the course; use one of {_lesson_list(course.lesson_ids)}."
        )
    prompts = [p.id for p in course.lesson(lesson_id, study.lang).prompts]
    prompt_id = args.prompt if args.prompt is not None else (prompts[0] if prompts else "")
    if prompt_id not in prompts:
        choices = f"use one of {_lesson_list(prompts)}" if prompts else "it has no prompts; choose another lesson"
        raise UsageError(f"The lesson {lesson_id!r} has no prompt {prompt_id!r}; {choices}.")
    tags = normalise_tags(args.tag)
    study.check_writable()  # a read-only disk (or another Tillit's folder) says so before any text is asked for
    draft: Path | None = None
    marker = tr("journal.editor.marker", study.lang)
    if args.text:
        text = " ".join(args.text)
    elif not sys.stdin.isatty():
        text = without_comment_block(_read_stdin(), marker)  # a draft left by the editor reads as it was meant
    else:
        text, draft = _from_editor(study.data_dir, editor_comment(study, lesson_id, prompt_id))
        text = without_comment_block(text, marker)
    text = text.rstrip()
    try:
        if not text.strip():
            raise UsageError("The text is empty, so nothing was saved.")
        try:
            saved = study.save_reflection(lesson_id, prompt_id, text, None, tags)  # as the app saves: one write
        except StorageError as err:
            if draft is None:
                raise
            keep, draft = draft, None  # the learner's words stay in the draft file; say where
            raise StorageError(f"{str(err).rstrip('.')}; your text is kept in {keep}.") from err
    finally:
        if draft is not None:
            draft.unlink(missing_ok=True)
    print(saved.id)
    return 0


def _read_stdin() -> str:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        return sys.stdin.read()
    try:
        return str(stream.read().decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as err:
        raise UsageError("The text on standard input is not UTF-8, so nothing was saved.") from err


def _from_editor(data_dir: Path, start: str = "") -> tuple[str, Path]:
    """Let the learner write in $EDITOR (default: vi) in a draft that starts with `start`; returns the text and
    the draft file (0600, in the data folder)."""
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(editor)
    except ValueError as err:
        raise UsageError(f"$EDITOR ({editor!r}) cannot be read as a command ({err}); fix it or give the text.") from err
    if not command:
        command = ["vi"]
    # Not named .*.tmp: a Tillit starting meanwhile sweeps those away as leftovers of a crash.
    try:
        fd, name = tempfile.mkstemp(dir=data_dir, prefix="journal-draft-", suffix=".md")
    except OSError as err:
        from course.store.storage import os_failure

        raise os_failure("save", data_dir, err) from err
    draft = Path(name)
    try:
        try:
            view = memoryview(start.encode("utf-8"))
            while view:
                view = view[os.write(fd, view) :]
        except OSError as err:
            from course.store.storage import os_failure

            raise os_failure("save", draft, err) from err
        finally:
            os.close(fd)
        try:
            done = subprocess.run([*command, str(draft)], check=False)
        except OSError as err:
            raise UsageError(
                f"Could not start the editor {editor!r} ({err.strerror or err}); set $EDITOR or give the text."
            ) from err
        if done.returncode != 0:
            raise UsageError(f"The editor {editor!r} stopped with exit status {done.returncode}, so nothing was saved.")
        try:
            return draft.read_bytes().decode("utf-8").removeprefix("\ufeff"), draft
        except UnicodeDecodeError as err:
            raise UsageError("The text from the editor is not UTF-8, so nothing was saved.") from err
    except BaseException:
        draft.unlink(missing_ok=True)
        raise


FIRST_WORDS = 60  # characters of a deleted reflection shown in the trash list


def first_words(text: str, limit: int = FIRST_WORDS) -> str:
    """A text on one line, cut at a word to at most `limit` characters (with … when cut)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "…"


def _journal_trash(study: Study) -> int:
    from course.i18n import formats
    from course.render.export import describe

    trashed = study.journal.trashed()
    if not trashed:
        print("tillit: the trash is empty: no deleted reflection to restore.", file=sys.stderr)
        return 0
    lines = []
    for t in trashed:
        r, deleted = t.reflection, t.deleted.astimezone()
        when = f"{formats.day(deleted.date(), study.lang)} {formats.clock(deleted, study.lang)}"
        title = describe(study.course, study.lang, r).lesson_title
        lines.append(visible(f"{r.id}  {when}  {title}: {first_words(r.text)}"))
    print("\n".join(lines))
    print("tillit: put one back with `tillit journal restore ID`.", file=sys.stderr)
    return 0


def _journal_restore(study: Study, wanted: str) -> int:
    from course.render.export import describe

    given = wanted.strip()
    trashed = study.journal.trashed()
    found = [t for t in trashed if t.reflection.id == given] or [
        t for t in trashed if given and t.reflection.id.startswith(given)
    ]
    if not found:
        raise UsageError(f"There is no deleted reflection {given!r}; `tillit journal trash` lists them.")
    if len(found) > 1:
        ids = ", ".join(t.reflection.id for t in found[:5])
        raise UsageError(f"{given!r} is the start of {len(found)} deleted reflections' ids ({ids}); give more of it.")
    r = found[0].reflection
    restored = study.restore_reflection(r.lesson, r.id)
    title = describe(study.course, study.lang, restored).lesson_title
    print(visible(f"Restored {restored.id} ({title}: {first_words(restored.text)})."))
    return 0


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} should be a date like 2025-05-21, not {value!r}.") from None


def _journal_filter(study: Study, args: argparse.Namespace, words: str) -> JournalFilter:
    from course.learner.journal import normalise_tags
    from course.learner.journal_query import JournalFilter

    lesson = args.lesson
    if lesson is not None and lesson not in study.course.lesson_ids and lesson not in study.journal.lesson_ids():
        raise UsageError(
            f"There is no lesson {lesson!r} in the course or the journal; use one of "
            f"{_lesson_list(study.course.lesson_ids)}."
        )
    tag = None
    if args.tag is not None:
        tags = normalise_tags([args.tag])
        if not tags:
            raise UsageError("--tag needs a tag that is not empty.")
        tag = tags[0]
    since, until = _day(args.since, "--since"), _day(args.until, "--until")
    if since is not None and until is not None and since > until:
        raise UsageError(f"--since ({since}) is after --until ({until}), so nothing could match.")
    return JournalFilter(lesson, tag, since, until, args.starred, words)


def _selected(study: Study, args: argparse.Namespace, words: str) -> list[Reflection]:
    from course.learner.journal_query import select
    from course.render.export import prompt_texts

    wanted = _journal_filter(study, args, words)
    return select(study.all_reflections(), wanted, prompt_texts(study.course, study.lang))


def _journal_list(study: Study, args: argparse.Namespace, words: str) -> int:
    from course.i18n import formats
    from course.learner.journal_query import by_date
    from course.render.export import describe, render

    found = _selected(study, args, words)
    if args.format == "toml":
        sys.stdout.write(render(found, study.course, study.lang, "toml"))
        return 0
    if not found:
        print("tillit: no reflections match.", file=sys.stderr)
        return 0
    lines: list[str] = []
    for day, group in by_date(found):
        lines.append(formats.day(day, study.lang))
        for r in group:
            about = describe(study.course, study.lang, r)
            head = [r.id, formats.clock(r.created.astimezone(), study.lang)]
            if r.starred:
                head.append("★")
            head += [f"#{t}" for t in r.tags]
            lines.append("  " + "  ".join(visible(h) for h in head))
            lines.append(f"  {visible(about.lesson_title)} — {visible(about.prompt_text)}")
            lines += [f"    {line}" for line in visible(r.text).split("\n")]
            lines.append("")
    sys.stdout.write("\n".join(lines))
    return 0


def export_format(given: str | None, output: str | None) -> str:
    """--format, else the format FILE's name ends in (-o notes.html: html); UsageError when neither says."""
    if given is not None:
        return given
    if output is not None:
        found = SUFFIXES.get(Path(output).suffix.lower())
        if found is not None:
            return found
        raise UsageError(
            f"The name {output!r} does not say which format to export; end it in .md, .html or .toml, "
            "or give --format md, html or toml."
        )
    raise UsageError("Say which format to export: --format md, html or toml (or -o FILE ending in one of them).")


def _journal_export(study: Study, args: argparse.Namespace) -> int:
    from course.learner.practice import Practice
    from course.render.export import render
    from course.store.storage import check_new_file, write_new_file

    fmt = export_format(args.format, args.output)
    target = None if args.output is None else Path(args.output).expanduser()
    if target is not None:
        check_new_file(target, args.force)
    found = _selected(study, args, "")
    assessments = Practice(study).assessments() if fmt in ("html", "toml") else []
    text = render(found, study.course, study.lang, fmt, assessments)
    if target is None:
        sys.stdout.write(text)
        return 0
    write_new_file(target, text, replace=args.force)
    noun = "reflection" if len(found) == 1 else "reflections"
    print(f"Exported {len(found)} {noun} to {target}.")
    return 0
