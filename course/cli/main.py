"""The `tillit` command line: open the course, check a course, show where things are."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from course import __version__
from course.cli import journal as cli_journal
from course.cli.options import add_lang, find_languages
from course.content.loader import check_course, load_course
from course.content.terminal_text import visible
from course.errors import ContentError, Problem, TillitError, UsageError
from course.store import paths

if TYPE_CHECKING:
    pass

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


def build_parser(learner_only: bool = False, argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser for `tillit` (`argv`: the command line it will parse, for the languages of
    the course it names; default sys.argv)."""
    find_languages(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="tillit",
        description="Tillit: a terminal course on trust-based leadership, with a private reflection journal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tillit {__version__}")
    _common(parser, suppress=False)
    add_lang(
        parser,
        "language for the course and the app (default: your saved choice, else the system locale)",
        suppress=False,
    )
    sub = parser.add_subparsers(dest="command", metavar="command")
    check = sub.add_parser("check", help="check a course folder and list every problem")
    _common(check, suppress=True)
    where = sub.add_parser("where", help="show which course and data folders are in use")
    _common(where, suppress=True)
    run = sub.add_parser("run", help="open the course (the default)")
    _common(run, suppress=True)
    add_lang(run, "language for the course and the app")
    check.add_argument("plans", nargs="*", metavar="PLAN", help="session plan files to check as well")
    cli_journal.add_parsers(sub, lambda p: _common(p, suppress=True))
    _data_parsers(sub)
    if learner_only:
        return parser
    from course.cli import group as cli_group
    from course.cli import trainer as cli_trainer

    cli_trainer.add_parsers(sub, lambda p: _common(p, suppress=True))
    cli_group.add_parsers(sub, lambda p: _common(p, suppress=True))
    return parser


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
    given = sys.argv[1:] if argv is None else argv
    args = build_parser(learner_only=only_options(given), argv=given).parse_args(argv)
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
            return cli_journal.run(args, locations)
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
