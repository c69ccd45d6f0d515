"""Group commands: `tillit share`, `tillit results`, `tillit import gift`, `tillit serve`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from course.cli.options import add_force, add_lang
from course.content.loader import load_course
from course.content.model import Course
from course.content.terminal_text import visible
from course.errors import UsageError
from course.store import paths

if TYPE_CHECKING:
    from course.trainer.results import Results

Adder = Callable[[argparse.ArgumentParser], None]

SHARE_EPILOG = """examples:
  tillit share -o ~/tillit-share.toml                  quiz answers and self-assessments, no name
  tillit share --name "Anna" -o share.toml             with a name
  tillit share --reflection 20261130-0915-ab12 -o share.toml
                                                       also that reflection (you are shown it and asked first)
  tillit share                                         only show what would be shared"""

RESULTS_EPILOG = """examples:
  tillit results shares/                               a summary, weakest questions first
  tillit results shares/ --html report.html --csv questions.csv --assessment-csv behaviours.csv
  tillit results shares/ --show                        one result at a time for the projector"""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Adder) -> None:
    """The group sub-commands; `common` adds --course and --data to each."""
    share = sub.add_parser(
        "share",
        help="write an anonymous file of your quiz answers and self-assessments for your trainer",
        description=(
            "Write a file for your trainer with your quiz answers (per question: what you chose, right or "
            "wrong) and your self-assessment ratings. No name unless you give one; a random id lets a later "
            "file replace an earlier one. Reflections are shared only when you name them with --reflection, "
            "after you have seen them and said yes. Without -o the file is only shown."
        ),
        epilog=SHARE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    share.add_argument(
        "-o", "--output", metavar="FILE", help="write the share file here (private, 0600); - for standard output"
    )
    share.add_argument("--name", default="", help="your name, if you want the trainer to see it")
    share.add_argument(
        "--reflection", metavar="ID", action="append", default=[], help="also share this reflection (repeat for more)"
    )
    share.add_argument("--yes", action="store_true", help="do not ask before sharing reflections")
    add_force(share)
    common(share)

    results = sub.add_parser(
        "results",
        help="merge participants' share files into group results",
        description=(
            "Merge share files (folders mean every .toml in them): per quiz question how many answered, "
            "the share right first time, how often each option was picked, the most common wrong option "
            "(weakest first); per behaviour the group's ratings and change; shared reflections by lesson. "
            "A file that cannot be used is skipped with a reason; the rest still merge."
        ),
        epilog=RESULTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    results.add_argument("inputs", nargs="+", metavar="DIR|FILE", help="folders of share files, or share files")
    results.add_argument("--html", metavar="FILE", help="write the report as one self-contained HTML file")
    results.add_argument("--csv", metavar="FILE", help="write the per-question figures as CSV")
    results.add_argument("--assessment-csv", metavar="FILE", help="write the per-behaviour figures as CSV")
    results.add_argument("--show", action="store_true", help="show the results one at a time, hidden until revealed")
    add_force(results, "a FILE given to --html, --csv or --assessment-csv")
    add_lang(results, "language of the report")
    common(results)

    imp = sub.add_parser(
        "import",
        help="convert questions from elsewhere (a Moodle GIFT file) into a Tillit quiz",
        description="Convert a question bank into a Tillit quiz file.",
    )
    kinds = imp.add_subparsers(dest="import_format", metavar="format", required=True)
    gift = kinds.add_parser(
        "gift",
        help="a Moodle GIFT question bank",
        description=(
            "Convert a Moodle GIFT file: multiple choice with feedback, multiple answers with weights, "
            "true/false. Types Tillit cannot ask (short answer, numerical, matching, essay) are listed "
            "with their line numbers and skipped; options without feedback get a marked placeholder that "
            "`tillit check` reports until you write the explanation."
        ),
    )
    gift.add_argument("file", metavar="FILE", help="the GIFT file")
    gift.add_argument("-o", "--output", metavar="QUIZ.toml", required=True, help="the quiz file to write")
    gift.add_argument("--lesson", metavar="ID", help="the lesson the quiz belongs to (default: from QUIZ.toml's name)")
    add_force(gift, "QUIZ.toml")
    common(gift)

    serve = sub.add_parser(
        "serve",
        help="open Tillit in a web browser (each browser session gets its own data)",
        description=(
            "Serve Tillit to web browsers with textual-serve. It listens on 127.0.0.1 (this computer only) "
            "unless you give --host; every browser session gets its own new data folder under the data "
            "folder's sessions/."
        ),
    )
    serve.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    serve.add_argument(
        "--host",
        help="listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0): anyone who can reach the port can use it",
    )
    serve.add_argument("--public-url", metavar="URL", help="the address browsers use, when behind a proxy")
    add_lang(serve, "the app's language")
    serve.add_argument(
        "--trainer",
        action="store_true",
        help="for a trainer alone on this computer (127.0.0.1 only): the browser may read share files anywhere",
    )
    common(serve)


def run(args: argparse.Namespace, locations: paths.Locations) -> int:
    if args.command == "share":
        return _share(args, locations)
    if args.command == "import":
        return _import_gift(args)
    course = load_course(locations.course)
    if args.command == "serve":
        return _serve(args, locations)
    return _results(args, course, locations)


# --- share ---------------------------------------------------------------------------------------------


def _share(args: argparse.Namespace, locations: paths.Locations) -> int:
    from course.cli.journal import open_study, print_notices
    from course.learner.share import build_share, render_share

    study = open_study(locations, args)
    try:
        text = render_share(build_share(study, args.name, args.reflection))
    finally:
        print_notices(study)  # a damaged attempts file was moved aside: said before anything is written
    return _write_share(args, text)


def _write_share(args: argparse.Namespace, text: str) -> int:
    if args.output is None:
        sys.stdout.write(text)
        print("\n(Nothing was written: add -o FILE to save this.)", file=sys.stderr)
        return 0
    if args.output == "-":  # standard output, as `-o -` means elsewhere: for a pipe or a redirect
        if args.reflection and not args.yes:
            raise UsageError(
                "Writing reflections to standard output needs --yes; run the same command without -o first "
                "to read what would be shared."
            )
        sys.stdout.write(text)
        return 0
    from course.store.storage import check_new_file, write_new_file

    target = Path(args.output).expanduser()
    check_new_file(target, args.force)  # before a question is asked
    if args.reflection and not args.yes:
        sys.stdout.write(text)
        if not sys.stdin.isatty():
            raise UsageError("sharing reflections needs a yes: run it in a terminal, or add --yes after reading the text above")
        n = len(args.reflection)
        answer = input(f"\nThe text above will be shared, including {n} reflection{'s' if n != 1 else ''}. Write it? [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "j", "ja"):
            print("Nothing was written.")
            return 1
    write_new_file(target, text, replace=args.force)
    print(f"Wrote {target}. Give it to your trainer; a later file from you replaces this one.")
    return 0


# --- results ---------------------------------------------------------------------------------------------


def _results(args: argparse.Namespace, course: Course, locations: paths.Locations) -> int:
    from course.cli.trainer import language
    from course.render.report import render_assessment_csv, render_csv, render_html
    from course.store import storage
    from course.trainer.results import merge
    from course.trainer.shares import load_shares

    lang = language(args, course, locations.data)
    targets = [Path(t).expanduser() for t in (args.html, args.csv, args.assessment_csv) if t]
    for path in targets:  # every one before the first is written
        storage.check_new_file(path, args.force)
    inputs = [Path(p).expanduser() for p in args.inputs]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise UsageError(f"{', '.join(missing)} does not exist; give folders or files of share files")
    if args.show:
        from course.tui.results import make_results_app

        make_results_app(course, lang, inputs).run()
        return 0
    shares, skipped = load_shares(inputs)
    for item in skipped:  # a file's name comes from whoever named it: shown, never obeyed
        print(visible(f"tillit: skipped {item.path}: {item.reason}"), file=sys.stderr)
    results = merge(shares, course, lang)
    outputs: tuple[tuple[str | None, Callable[[], str]], ...] = (
        (args.html, lambda: render_html(results, course, lang)),
        (args.csv, lambda: render_csv(results)),
        (args.assessment_csv, lambda: render_assessment_csv(results)),
    )
    wrote = []
    for target, render in outputs:
        if target:
            path = Path(target).expanduser()
            storage.write_new_file(path, render(), replace=args.force)
            wrote.append(str(path))
    print(summary(results, lang))
    if wrote:
        print(visible("Wrote " + ", ".join(wrote) + "."))
    return 0


def summary(results: Results, lang: str, limit: int = 10) -> str:
    """A plain-text overview: who shared, the weakest questions, the behaviours; safe to print to a
    terminal (the course's texts are inert from loading, and the whole is passed through `visible` again)."""
    from course.trainer.results import label

    who = f"{results.participants} participant{'s' if results.participants != 1 else ''}"
    if results.named:
        who += f" ({results.named} named)"
    lines = [f"{label('title', lang)}: {who}"]
    lines += results.notes(lang)
    answered = [q for q in results.questions if q.answered]
    if answered:
        lines += ["", label("questions", lang)]
        for stat in answered[:limit]:
            lines += ["", *stat.lines(lang)]
        if len(answered) > limit:
            lines.append(f"… and {len(answered) - limit} more (the HTML report has them all)")
    rated = [a for a in results.assessments if a.n]
    if rated:
        lines += ["", label("assessment", lang)]
        for rating in rated:
            lines += ["", *rating.lines(lang)]
    shared = sum(len(r.reflections) for r in results.reflections)
    if shared:
        lines += ["", f"{shared} shared reflection{'s' if shared != 1 else ''}: see --html or --show."]
    return visible("\n".join(lines))


# --- import gift -------------------------------------------------------------------------------------------


def _import_gift(args: argparse.Namespace) -> int:
    from course.content.gift import convert, read_gift
    from course.content.model import valid_id
    from course.store.storage import check_new_file, write_new_file

    source = Path(args.file).expanduser()
    target = Path(args.output).expanduser()
    lesson = args.lesson or target.stem
    if not valid_id(lesson):
        raise UsageError(
            f"'{lesson}' is not a lesson id; name the quiz file after its lesson (e.g. trust-culture.toml) or give --lesson"
        )
    check_new_file(target, args.force)
    conv = convert(read_gift(source), lesson, source.name)
    for item in conv.skipped:  # file:line first, so an editor can jump there; GIFT text is shown, never obeyed
        print(visible(f"{source}:{item.line}: skipped: {item.render().split(': ', 1)[1]}"), file=sys.stderr)
    for note in conv.notes:
        line, sep, rest = note.partition(": ")
        where = line.removeprefix("line ") if sep and line.startswith("line ") else ""
        print(visible(f"{source}:{where}: {rest}" if where else f"{source}: {note}"), file=sys.stderr)
    if conv.questions == 0:
        raise UsageError(f"{source} has no question Tillit can ask; nothing was written")
    write_new_file(target, conv.quiz_toml, replace=args.force)
    skipped = f", skipped {len(conv.skipped)} (listed above)" if conv.skipped else ""
    print(f"Wrote {conv.questions} question{'s' if conv.questions != 1 else ''} to {target}{skipped}.")
    if conv.placeholders:
        print(
            f"{conv.placeholders} answer{'s have' if conv.placeholders != 1 else ' has'} no explanation yet: "
            "`tillit check` lists them until you write them."
        )
    return 0


# --- serve ---------------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace, locations: paths.Locations) -> int:
    from course.web.serve import serve

    serve(
        locations.course,
        locations.data,
        host=args.host or "127.0.0.1",
        port=args.port,
        lang=getattr(args, "lang", None),
        public_url=args.public_url,
        allow_network=args.host is not None,
        trainer=args.trainer,
    )
    return 0
