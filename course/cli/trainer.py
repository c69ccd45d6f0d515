"""The trainer's commands: `tillit present`, `tillit session new|run|list`, `tillit handout`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from course.cli.options import add_force, add_lang
from course.content.loader import load_course
from course.content.model import Course
from course.errors import ContentError, StorageError, TillitError, UsageError
from course.store import paths

if TYPE_CHECKING:
    from course.trainer.plan import Plan
    from course.trainer.present import Deck

SESSION_EPILOG = """examples:
  tillit session list
  tillit session new trust-culture seven-manager-behaviours -o workshop.toml --date 2026-12-03 --start 09:00
  tillit check workshop.toml               (finds unknown lessons and bad times, with file:line)
  tillit session run workshop.toml         (and `tillit present --notes` in a second terminal)
  tillit session run intro-90              (a plan that comes with Tillit)"""

HANDOUT_EPILOG = """examples:
  tillit handout --plan intro-90 --for participants --format html -o workbook.html
  tillit handout trust-culture --for trainer --format md -o guide.md"""


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Callable[[argparse.ArgumentParser], None]
) -> None:
    """The trainer's sub-commands; `common` adds --course and --data to each."""
    present = sub.add_parser(
        "present",
        help="present lessons to a room (slides, hidden answers, timers)",
        description=(
            "Present lessons to a room: their sections and key points one point at a time, discussion cards, "
            "the quiz one question at a time with the answers hidden until you reveal them, and a countdown "
            "for each part. Without lessons: the whole course. Press f1 for the keys."
        ),
    )
    present.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids, in the order to present them")
    present.add_argument("--plan", metavar="PLAN", help="present a session plan (a file, or the name of one that comes with Tillit)")
    present.add_argument(
        "--notes",
        action="store_true",
        help="show the speaker view that follows a presentation running in another terminal (same data folder)",
    )
    common(present)
    _lang(present)

    session = sub.add_parser(
        "session",
        help="write, list or run a session plan",
        description="Session plans: a workshop's agenda as a TOML file of timed blocks.",
        epilog=SESSION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(session)
    actions = session.add_subparsers(dest="session_command", metavar="action", required=True)
    new = actions.add_parser(
        "new",
        help="write a commented plan for some lessons, with sensible timings",
        description="Write a commented session plan for the lessons (default: all), with default timings to adjust.",
    )
    new.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: every lesson)")
    new.add_argument("-o", "--output", metavar="FILE", default="session-plan.toml", help="where to write it (default: session-plan.toml; - for standard output)")
    new.add_argument("--title", help="the session's title")
    new.add_argument("--date", metavar="YYYY-MM-DD", help="the day of the session")
    new.add_argument("--start", metavar="HH:MM", help="the time it starts (the agenda then shows clock times)")
    add_force(new)
    common(new)
    _lang(new)
    run = actions.add_parser(
        "run", help="present a plan block by block, with its timings", description="Present a plan with its timings."
    )
    run.add_argument("plan", metavar="PLAN", help="a plan file, or the name of one that comes with Tillit")
    common(run)
    _lang(run)
    listing = actions.add_parser("list", help="list the plans that come with Tillit")
    common(listing)
    _lang(listing)

    handout = sub.add_parser(
        "handout",
        help="write a participant workbook or a facilitator guide",
        description=(
            "Write a handout for lessons (default: all) or for the lessons of a plan: a participant workbook "
            "(summary, key points, prompts with room to write, discussion questions) or a facilitator guide "
            "(also objectives, notes, timings and the answer key). HTML is one file that prints on A4."
        ),
        epilog=HANDOUT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    handout.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: every lesson, or the plan's)")
    handout.add_argument("--plan", metavar="PLAN", help="the lessons and timings of a plan")
    handout.add_argument("--for", dest="audience", choices=("participants", "trainer"), required=True, help="who it is for")
    handout.add_argument("--format", choices=("md", "html"), required=True, help="md or html")
    handout.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    add_force(handout)
    common(handout)
    _lang(handout)


def _lang(parser: argparse.ArgumentParser) -> None:
    add_lang(parser, "the language to use")


def language(args: argparse.Namespace, course: Course, data: Path) -> str:
    """--lang, else the language saved in the data folder, else the system's."""
    from course.learner.study import detect_language

    chosen = getattr(args, "lang", None)
    if chosen:
        return course.pick_lang(chosen)
    return course.pick_lang(saved_language(data) or detect_language())


def saved_language(data: Path) -> str | None:
    """The language saved in `data`'s progress, read without changing anything there.

    Only a Tillit folder is read (one with the marker, or with nothing in it Tillit did not make); no
    lock is taken and a damaged file is not moved aside, since presenting or printing a handout must never
    touch a learner's folder, let alone a stranger's. A saved choice is a convenience, so any trouble
    reading it gives None.
    """
    from course.store import datafolder, reading

    try:
        if not data.is_dir() or data.is_symlink():
            return None
        if not datafolder.is_marked(data) and datafolder.foreign_entry(data) is not None:
            return None
        saved = reading.read_toml(data / "progress.toml")
    except (TillitError, OSError):
        return None
    settings = (saved or {}).get("settings")
    language = settings.get("language") if isinstance(settings, dict) else None
    return language if isinstance(language, str) else None


def run(args: argparse.Namespace, locations: paths.Locations) -> int:
    course = load_course(locations.course)
    lang = language(args, course, locations.data)
    if args.command == "present":
        return _present(args, course, lang, locations.data)
    if args.command == "handout":
        return _handout(args, course, lang)
    if args.session_command == "new":
        return _session_new(args, course, lang)
    if args.session_command == "list":
        return _session_list(course, lang)
    return _present_plan(args.plan, course, lang, locations.data, getattr(args, "lang", None))


def _present(args: argparse.Namespace, course: Course, lang: str, data: Path) -> int:
    if args.notes:
        from course.store import datafolder
        from course.tui.present import make_notes_app

        datafolder.open_data_folder(data)
        make_notes_app(course, lang, data).run()
        return 0
    if args.plan:
        if args.lessons:
            raise UsageError("give either lessons or --plan, not both")
        return _present_plan(args.plan, course, lang, data, getattr(args, "lang", None))
    from course.trainer.present import deck_for_lessons

    deck = deck_for_lessons(course, lang, args.lessons)
    return _show(deck, data, None)


def load_plan(name: str, course: Course, lang: str) -> Plan:
    """A plan by file or by the name of a shipped one; its problems as file:line lines, then one sentence."""
    from course.cli.main import render_problem
    from course.trainer.plan import find_plan, is_builtin_plan, read_plan

    path = find_plan(name, course, lang)
    try:
        return read_plan(path, course, untrusted=not is_builtin_plan(path))
    except ContentError as err:
        for problem in err.problems:
            print(render_problem(problem), file=sys.stderr)
        raise UsageError(f"the plan {path} has problems; fix them and run `tillit check {path}`") from None


def _present_plan(name: str, course: Course, lang: str, data: Path, asked: str | None = None) -> int:
    from course.trainer.plan import plan_language
    from course.trainer.present import deck_for_plan

    plan = load_plan(name, course, lang)
    lang = plan_language(plan, course, asked, lang)  # --lang wins over the plan's own lang
    deck = deck_for_plan(course, lang, plan)
    start = datetime.combine(plan.date or date.today(), plan.start) if plan.start is not None else None
    return _show(deck, data, start)


def _show(deck: Deck, data: Path, start: datetime | None) -> int:
    from course.store import datafolder
    from course.tui.present import make_present_app

    try:
        datafolder.open_data_folder(data)
        target: Path | None = data
    except StorageError:
        target = None  # presenting works without a data folder; only the notes view cannot follow
    make_present_app(deck, deck.lang, target, start).run()
    return 0


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-03") from None


def _clock(value: str | None) -> time | None:
    if value is None:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--start {value} is not a time; write it as HH:MM, e.g. 09:00") from None


def _session_new(args: argparse.Namespace, course: Course, lang: str) -> int:
    from course.store.storage import check_new_file, write_new_file
    from course.trainer.plan_template import template

    ids = list(args.lessons) or list(course.lesson_ids)
    target = None if args.output == "-" else Path(args.output).expanduser()
    if target is not None:
        check_new_file(target, args.force)
    text = template(course, ids, lang, title=args.title, when=_day(args.date), start=_clock(args.start))
    if target is None:
        sys.stdout.write(text)
        return 0
    write_new_file(target, text, replace=args.force)
    print(f"Wrote a session plan for {len(ids)} lesson{'s' if len(ids) != 1 else ''} to {target}.")
    print(f"Adjust it, run `tillit check {target}`, then `tillit session run {target}`.")
    return 0


def _session_list(course: Course, lang: str) -> int:
    from course.trainer.plan import shipped_plans

    found = [p for p in shipped_plans(course) if p.parent.name == lang] or shipped_plans(course)
    if not found:
        print("No session plans come with this course; write one with `tillit session new`.")
        return 0
    for path in found:
        plan = load_plan(str(path), course, lang)
        h, m = divmod(plan.total_minutes, 60)
        length = f"{h} h {m:02d} min" if h else f"{m} min"
        print(f"{path.stem:<12} {length:>12}  {plan.title}")
    print("Run one with `tillit session run NAME`, or copy it with `tillit session new` and edit.")
    return 0


def _handout(args: argparse.Namespace, course: Course, lang: str) -> int:
    from course.render.handout import render_handout
    from course.store.storage import check_new_file, write_new_file

    target = None if args.output is None else Path(args.output).expanduser()
    if target is not None:
        check_new_file(target, args.force)
    plan = None
    ids = list(args.lessons)
    if args.plan:
        plan = load_plan(args.plan, course, lang)
        from course.trainer.plan import plan_language

        lang = plan_language(plan, course, getattr(args, "lang", None), lang)  # --lang wins over the plan's
        ids = ids or list(plan.lesson_ids())
    ids = ids or list(course.lesson_ids)
    text = render_handout(course, lang, ids, args.audience, args.format, plan)
    if target is None:
        sys.stdout.write(text)
        return 0
    write_new_file(target, text, replace=args.force)
    who = "workbook" if args.audience == "participants" else "facilitator guide"
    print(f"Wrote the {who} for {len(ids)} lesson{'s' if len(ids) != 1 else ''} to {target}.")
    return 0
