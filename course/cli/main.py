"""The `tillit` command line: open the course, check a course, show where things are."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from course import __version__
from course.content.loader import check_course, load_course
from course.content.terminal_text import visible
from course.errors import ContentError, Problem, StorageError, TillitError, UsageError
from course.store import paths

if TYPE_CHECKING:
    from course.learner.journal import Reflection
    from course.learner.journal_query import JournalFilter
    from course.learner.study import Study

EPILOG = """commands:
  (none)   open the course in the terminal
  check    check a course folder and list every problem as file:line
  where    show which course and data folders are in use
  journal  add, list, search or export reflections (see `tillit journal --help`)
  backup   copy your data folder into its backups/ folder (--list shows them)
  restore  put a backup back (after backing up the current state)
  doctor   check the data folder and say what is wrong (--fix fixes what is safe)
  present  show lessons to a room: slides, hidden quiz answers, timers (--notes: speaker view)
  session  new | run | list: session plans for a workshop
  handout  a participant workbook or a facilitator guide (md, or HTML that prints on A4)
  share    an anonymous file of your quiz answers and self-assessments for your trainer
  results  merge participants' share files: weakest questions first, the group's ratings
  import   turn a Moodle GIFT question bank into a Tillit quiz (`tillit import gift FILE -o QUIZ.toml`)
  serve    open Tillit in web browsers, each browser session with its own data

data folder: --data DIR, else $TILLIT_DATA, else progress/ in a source checkout,
else your user data folder."""


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--course", metavar="DIR", default=default, help="use the course in DIR instead of the built-in one"
    )
    parser.add_argument("--data", metavar="DIR", default=default, help="keep your progress and journal in DIR")


_VALUED = ("--course", "--data", "--lang")


def only_options(argv: Sequence[str]) -> bool:
    """True when `argv` names no command (`tillit --data D --lang sv`): opening the app needs none of the
    trainer's parsers, and building them costs start-up time."""
    tokens = iter(argv)
    for token in tokens:
        if token in _VALUED:
            next(tokens, None)
        elif not token.startswith("-") or token in ("-h", "--help"):
            return False
    return True


def build_parser(learner_only: bool = False) -> argparse.ArgumentParser:
    """The argument parser for `tillit`."""
    parser = argparse.ArgumentParser(
        prog="tillit",
        description="Tillit: a terminal course on trust-based leadership, with a private reflection journal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tillit {__version__}")
    _common(parser, suppress=False)
    parser.add_argument(
        "--lang",
        choices=("sv", "en"),
        help="language for the course and the app (default: your saved choice, else the system locale)",
    )
    sub = parser.add_subparsers(dest="command", metavar="command")
    check = sub.add_parser("check", help="check a course folder and list every problem")
    _common(check, suppress=True)
    where = sub.add_parser("where", help="show which course and data folders are in use")
    _common(where, suppress=True)
    run = sub.add_parser("run", help="open the course (the default)")
    _common(run, suppress=True)
    run.add_argument(
        "--lang", choices=("sv", "en"), default=argparse.SUPPRESS, help="language for the course and the app"
    )
    check.add_argument("plans", nargs="*", metavar="PLAN", help="session plan files to check as well")
    _journal_parser(sub)
    _data_parsers(sub)
    if learner_only:
        return parser
    from course.cli import group as cli_group
    from course.cli import trainer as cli_trainer

    cli_trainer.add_parsers(sub, lambda p: _common(p, suppress=True))
    cli_group.add_parsers(sub, lambda p: _common(p, suppress=True))
    return parser


EXPORT_FORMATS = ("md", "html", "toml")  # course.render.export.FORMATS, without importing it for every start-up
JOURNAL_EPILOG = """examples:
  tillit journal add "Today I let the team plan the week themselves."
  echo "Asked instead of told." | tillit journal add --lesson trust-culture --tag feedback
  tillit journal add                       (opens $EDITOR, default vi)
  tillit journal list --since 2025-01-01 --starred
  tillit journal search återkoppling       (finds aterkoppling and Återkoppling too)
  tillit journal export --format html -o journal.html"""


def _journal_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    journal = sub.add_parser(
        "journal",
        help="add, list, search or export reflections",
        description="Your reflection journal from the shell: the same data, locking and safety as the app.",
        epilog=JOURNAL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(journal, suppress=True)
    actions = journal.add_subparsers(dest="journal_command", metavar="action", required=True)

    add = actions.add_parser(
        "add",
        help="save a new reflection",
        description=(
            "Save a new reflection and print its id. The text is TEXT when given, else standard input "
            "when it is not a terminal, else what you write in $EDITOR (default: vi); empty text saves nothing."
        ),
    )
    add.add_argument("--lesson", metavar="ID", help="the lesson it belongs to (default: the first lesson)")
    add.add_argument("--prompt", metavar="ID", help="the lesson's prompt it answers (default: its first prompt)")
    add.add_argument("--tag", metavar="T", action="append", default=[], help="a tag; repeat for more tags")
    add.add_argument("text", nargs="*", metavar="TEXT", help="the reflection (several words are joined by spaces)")
    _common(add, suppress=True)
    _lang(add)

    listing = actions.add_parser(
        "list", help="show reflections, newest day first", description="Show reflections, newest day first."
    )
    _filters(listing)
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
    _filters(search)
    search.add_argument("--format", choices=("text", "toml"), default="text", help="text (default) or toml")

    export = actions.add_parser(
        "export",
        help="export reflections as Markdown, HTML or TOML",
        description=(
            "Export the journal, or the reflections that match the filters: md (Markdown), html (one "
            "self-contained file that prints well, with your self-assessment chart) or toml (every detail)."
        ),
    )
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="md, html or toml")
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (private, 0600) instead of standard output"
    )
    _filters(export)


def _lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", choices=("sv", "en"), default=argparse.SUPPRESS, help="language for lesson titles and prompts"
    )


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lesson", metavar="ID", help="only this lesson's reflections")
    parser.add_argument("--tag", metavar="T", help="only reflections with this tag")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only reflections written on or after this day")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="only reflections written on or before this day")
    parser.add_argument("--starred", action="store_true", help="only starred reflections")
    _common(parser, suppress=True)
    _lang(parser)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # OSError: the current folder was deleted; the full path still says where
        return str(path)


def _cwd_gone() -> bool:
    """True when the current folder no longer exists (it was deleted while the shell stood in it)."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


CWD_GONE = "the current folder no longer exists (it was deleted); cd to a folder that exists and run the command again"


def _locations(args: argparse.Namespace) -> paths.Locations:
    """paths.resolve, with one sentence instead of a traceback when a relative path meets a deleted cwd."""
    try:
        return paths.resolve(args.course, args.data)
    except FileNotFoundError:
        if not _cwd_gone():
            raise
        options = (("--course", args.course), ("--data", args.data))
        given = [f"{o} {v}" for o, v in options if v is not None and not Path(v).expanduser().is_absolute()]
        env = os.environ.get("TILLIT_DATA")
        if args.data is None and env and not Path(env).expanduser().is_absolute():
            given.append(f"$TILLIT_DATA ({env})")
        what = " and ".join(given) or "a relative path"
        raise UsageError(
            f"The current folder no longer exists (it was deleted), so {what} cannot be found; "
            "cd to a folder that exists, or give full paths."
        ) from None


def render_problem(problem: Problem) -> str:
    """`file:line: problem — what to do`, with the file relative to the current folder when it can be."""
    return f"{_shown(problem.file)}:{problem.line}: {problem.problem} — {problem.fix}"


def _check(locations: paths.Locations, plans: Sequence[Path] = ()) -> int:
    problems = check_course(locations.course)
    course = None
    if not problems:
        from course.trainer.plan import check_plan, check_plans

        course = load_course(locations.course)
        problems = check_plans(course)
        for plan in plans:
            problems.extend(check_plan(plan, course))
    for problem in problems:
        print(visible(render_problem(problem)))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        root = locations.course.resolve()
        outside = sorted({_shown(p.file) for p in problems if not p.file.resolve().is_relative_to(root)})
        where = _shown(locations.course) if not outside else ", ".join(outside)
        print(visible(f"{len(problems)} {noun} in {where}"), file=sys.stderr)
        return 1
    assert course is not None
    checked = f", and {len(plans)} plan{'s' if len(plans) != 1 else ''}" if plans else ""
    print(f"OK: {_shown(locations.course)} — {len(course.lesson_ids)} lessons in {', '.join(course.languages)}{checked}")
    return 0


def _where(locations: paths.Locations) -> int:
    print(f"course: {locations.course}  ({locations.course_reason})")
    exists = "" if locations.data.exists() else ", not created yet"
    print(f"data:   {locations.data}  ({locations.data_reason}{exists})")
    return 0


# --- tillit journal ----------------------------------------------------------------------------------


# --- tillit backup / restore / doctor ---------------------------------------------------------------


def _data_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser(
        "backup",
        help="copy your data folder into its backups/ folder",
        description="Copy every data file into <data>/backups/<time>-manual/ and print its path (the newest 14 are kept).",
    )
    backup.add_argument("--list", action="store_true", help="list the backups, oldest first, instead of making one")
    _common(backup, suppress=True)
    restore = sub.add_parser(
        "restore",
        help="put a backup back",
        description=(
            "Make the data folder what BACKUP holds. The current state is backed up first, so a restore can "
            "itself be undone. Refuses while a Tillit app is open on the folder."
        ),
    )
    restore.add_argument(
        "backup", metavar="BACKUP", help="a name from `tillit backup --list`, or a backup folder's path"
    )
    _common(restore, suppress=True)
    doctor = sub.add_parser(
        "doctor",
        help="check the data folder",
        description=(
            "Check the data folder: permissions, temp files left by a crash, unreadable files in quarantine, "
            "files from a newer Tillit, locks, backups. Exit status 0 when healthy, 1 when problems remain."
        ),
    )
    doctor.add_argument("--fix", action="store_true", help="fix what is safe: permissions and old temp files")
    _common(doctor, suppress=True)


def _data_command(args: argparse.Namespace, locations: paths.Locations) -> int:
    from course.store import backup

    data = locations.data
    if args.command == "doctor":
        from course.learner import doctor

        lines, code = doctor.run(data, args.fix)
        print(visible("\n".join(lines)))  # names found in the folder are shown, never obeyed
        return code
    if args.command == "backup" and args.list:
        found = backup.list_backups(data)
        if not found:
            print(f"tillit: no backups yet in {data / backup.BACKUPS}.", file=sys.stderr)
        for b in found:
            noun = "file" if b.files == 1 else "files"
            print(f"{b.name}  {b.files} {noun}  {b.path}")
        return 0
    if args.command == "backup":
        print(backup.make_backup(data, "manual"))
        return 0
    done = backup.restore_backup(data, backup.find_backup(data, args.backup))
    put = f"{done.written} file{'s' if done.written != 1 else ''}"
    print(
        f"Restored {done.backup.name}: put back {put} and removed {done.removed} that the backup does not have. "
        f"The state before the restore is kept in {done.safety}; `tillit restore {done.safety.name}` undoes this."
    )
    return 0


def _journal(args: argparse.Namespace, locations: paths.Locations) -> int:
    from course.learner.study import Study

    study = Study(load_course(locations.course), locations.data, args.lang)
    try:
        if args.journal_command == "add":
            return _journal_add(study, args)
        if args.journal_command == "export":
            return _journal_export(study, args)
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


def _journal_add(study: Study, args: argparse.Namespace) -> int:
    from course.learner.journal import Reflection, clean_text, new_id, normalise_tags
    from course.learner.progress import now

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
    if args.text:
        text = " ".join(args.text)
    elif not sys.stdin.isatty():
        text = _read_stdin()
    else:
        text, draft = _from_editor(study.data_dir)
    text = text.rstrip()
    try:
        if not text.strip():
            raise UsageError("The text is empty, so nothing was saved.")
        when = now()
        saved = Reflection(new_id(when), lesson_id, prompt_id, clean_text(text), when, when, tags)
        try:
            study.journal.save(saved)  # one atomic write, tags included (as Study.save_reflection + set_tags)
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


def _from_editor(data_dir: Path) -> tuple[str, Path]:
    """Let the learner write in $EDITOR (default: vi); returns the text and the draft file (0600, in the data folder)."""
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
    os.close(fd)
    draft = Path(name)
    try:
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
        lines.append(day.isoformat())
        for r in group:
            about = describe(study.course, study.lang, r)
            head = [r.id, r.created.astimezone().strftime("%H:%M")]
            if r.starred:
                head.append("★")
            head += [f"#{t}" for t in r.tags]
            lines.append("  " + "  ".join(visible(h) for h in head))
            lines.append(f"  {visible(about.lesson_title)} — {visible(about.prompt_text)}")
            lines += [f"    {line}" for line in visible(r.text).split("\n")]
            lines.append("")
    sys.stdout.write("\n".join(lines))
    return 0


def _journal_export(study: Study, args: argparse.Namespace) -> int:
    from course.learner.practice import Practice
    from course.render.export import render, write

    found = _selected(study, args, "")
    assessments = Practice(study).assessments() if args.format in ("html", "toml") else []
    text = render(found, study.course, study.lang, args.format, assessments)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    target = Path(args.output).expanduser()
    write(target, text)
    noun = "reflection" if len(found) == 1 else "reflections"
    print(f"Exported {len(found)} {noun} to {target}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, so that a closed pipe is caught below and not at interpreter exit
        return code
    except BrokenPipeError:
        # `tillit journal list | head -1`: the reader has all it wanted. End quietly, as cat and grep do
        # (141 = killed by SIGPIPE), and point stdout at /dev/null so that Python's own flush at exit
        # finds nothing to complain about.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return 141


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser(learner_only=only_options(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    locations: paths.Locations | None = None
    try:
        locations = _locations(args)
        if args.command == "check":
            return _check(locations, [Path(p) for p in args.plans])
        if args.command == "where":
            return _where(locations)
        if args.command in ("backup", "restore", "doctor"):
            return _data_command(args, locations)
        if args.course is not None and not locations.course.is_dir():
            print(f"tillit: {args.course} is not a folder; point --course at a course folder.", file=sys.stderr)
            return 2
        if args.command == "journal":
            return _journal(args, locations)
        if args.command in ("present", "session", "handout"):
            from course.cli import trainer as cli_trainer

            return cli_trainer.run(args, locations)
        if args.command in ("share", "results", "import", "serve"):
            from course.cli import group as cli_group

            return cli_group.run(args, locations)
        from course.tui.launch import run_app

        return run_app(locations, args.lang)
    except ContentError as err:
        for problem in err.problems:
            print(visible(render_problem(problem)), file=sys.stderr)
        where = _shown(locations.course) if locations is not None else "the course folder"
        print(f"tillit: the course in {where} has problems; fix them and run `tillit check`.", file=sys.stderr)
        return 2
    except TillitError as err:
        print(visible(f"tillit: {err}"), file=sys.stderr)
        return 2
    except FileNotFoundError:
        if not _cwd_gone():
            raise
        print(f"tillit: {CWD_GONE}.", file=sys.stderr)  # a relative path met a deleted cwd somewhere else
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
