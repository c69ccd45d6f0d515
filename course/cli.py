"""The `tillit` command line: open the course, check a course, show where things are."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from course import __version__, paths
from course.content import check_course, load_course
from course.errors import ContentError, Problem, TillitError

EPILOG = """commands:
  (none)   open the course in the terminal
  check    check a course folder and list every problem as file:line
  where    show which course and data folders are in use

data folder: --data DIR, else $TILLIT_DATA, else progress/ in a source checkout,
else your user data folder."""


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--course", metavar="DIR", default=default, help="use the course in DIR instead of the built-in one"
    )
    parser.add_argument("--data", metavar="DIR", default=default, help="keep your progress and journal in DIR")


def build_parser() -> argparse.ArgumentParser:
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
    return parser


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def render_problem(problem: Problem) -> str:
    """`file:line: problem — what to do`, with the file relative to the current folder when it can be."""
    return f"{_shown(problem.file)}:{problem.line}: {problem.problem} — {problem.fix}"


def _check(locations: paths.Locations) -> int:
    problems = check_course(locations.course)
    for problem in problems:
        print(render_problem(problem))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{len(problems)} {noun} in {_shown(locations.course)}", file=sys.stderr)
        return 1
    course = load_course(locations.course)
    print(f"OK: {_shown(locations.course)} — {len(course.lesson_ids)} lessons in {', '.join(course.languages)}")
    return 0


def _where(locations: paths.Locations) -> int:
    print(f"course: {locations.course}  ({locations.course_reason})")
    exists = "" if locations.data.exists() else ", not created yet"
    print(f"data:   {locations.data}  ({locations.data_reason}{exists})")
    return 0


def _run(locations: paths.Locations, lang: str | None) -> int:
    from course.study import Study

    course = load_course(locations.course)
    study = Study(course, locations.data, lang)
    # Textual takes about 0.2 s to import; only the TUI path pays for it.
    from course.tui.app import make_app

    make_app(study).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        locations = paths.resolve(args.course, args.data)
        if args.command == "check":
            return _check(locations)
        if args.command == "where":
            return _where(locations)
        if args.course is not None and not locations.course.is_dir():
            print(f"tillit: {args.course} is not a folder; point --course at a course folder.", file=sys.stderr)
            return 2
        return _run(locations, args.lang)
    except ContentError as err:
        for problem in err.problems:
            print(render_problem(problem), file=sys.stderr)
        print(
            f"tillit: the course in {_shown(locations.course)} has problems; fix them and run `tillit check`.",
            file=sys.stderr,
        )
        return 2
    except TillitError as err:
        print(f"tillit: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
