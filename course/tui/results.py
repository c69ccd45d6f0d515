"""Group results for a room: read the participants' share files, then show one result at a time, its
figures hidden until the trainer reveals them, and the reflections people chose to share.

Reading lives in course.trainer.shares, merging and every figure in course.trainer.results; this screen
shows them and passes keys on.
It needs no learner's Study (course and language are given), so `tillit results DIR --show` can open
it on its own through make_results_app.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets.option_list import Option

from course.content.model import Course
from course.errors import TillitError
from course.i18n import describe, formats, next_language, tr
from course.render.report import render_assessment_csv, render_csv, render_html
from course.store import storage
from course.store.paths import here
from course.trainer.results import SCALE, AssessmentStat, QuestionStat, Results, label, merge, plural, relabel
from course.trainer.shares import Skipped, load_shares
from course.tui.base import inert, localize_bindings
from course.tui.dialogs import AskDialog, ConfirmDialog, JumpDialog

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BAR = 16  # characters of a full bar
REPORT = "group-results.html"


def bar(count: int, total: int, width: int = BAR) -> str:
    """A bar of `count` out of `total` as text: filled █ then empty ░, so it reads without colour."""
    filled = round(width * count / total) if total else 0
    filled = max(min(filled, width), 1 if count else 0)
    return "█" * filled + "░" * (width - filled)


def parse_paths(answer: str) -> list[Path]:
    """The folder or files typed (quoted like a shell when there are several); the current folder when empty."""
    typed = answer.strip()
    if not typed:
        return [here()]
    whole = Path(typed).expanduser()
    if whole.exists():
        return [whole]
    try:
        parts = shlex.split(typed)
    except ValueError:
        parts = [typed]
    return [Path(p).expanduser() for p in parts] or [whole]


def count_files(paths: Sequence[Path]) -> int:
    """How many files load_shares will read: each file given and each *.toml directly in each folder."""
    n = 0
    for path in paths:
        try:
            n += sum(1 for p in path.iterdir() if p.suffix == ".toml") if path.is_dir() else 1
        except OSError:
            continue
    return n


def report_files(base: Path) -> tuple[Path, Path, Path]:
    """The HTML report and, beside it, the questions' and the self-assessment's CSV files."""
    html = base if base.suffix.lower() in (".html", ".htm") else base.with_name(base.name + ".html")
    stem = html.name[: -len(html.suffix)]
    return html, html.with_name(f"{stem}-questions.csv"), html.with_name(f"{stem}-assessment.csv")


def _people(n: int, lang: str) -> str:
    return plural("participants", n, lang)


class ResultsScreen(Screen[None]):
    """The group's results, one at a time for the room: the heading first, the figures when revealed.

    Not a TillitScreen: it needs no learner's Study, so it runs in the learner app and on its own alike.
    """

    HELP_SECTION = "results.title"
    BINDINGS = [
        Binding("right,l,enter", "next", "key.results.next", key_display="→"),
        Binding("left,h,backspace", "prev", "key.results.prev", key_display="←"),
        # What a presentation clicker sends; priority, or the focused stage would scroll instead.
        Binding("pagedown", "next", "key.results.next", show=False, priority=True),
        Binding("pageup", "prev", "key.results.prev", show=False, priority=True),
        Binding("space,a", "reveal", "key.results.reveal", key_display="space"),
        Binding("v", "reveal_all", "key.results.reveal_all"),
        Binding("g", "jump", "key.results.jump"),
        Binding("e", "export", "key.results.export"),
        Binding("s", "skipped", "key.results.skipped"),
        # Priority: the focused stage would otherwise scroll to its own top or bottom.
        Binding("home", "first", "key.results.first", show=False, priority=True),
        Binding("end", "last", "key.results.last", show=False, priority=True),
        Binding("f2", "language", "key.language"),
        Binding("escape,q", "leave", "key.back", key_display="esc"),
        # The learner's journal stays closed while a room is watching (the palette would list it too).
        Binding("j,ctrl+p", "nothing", show=False),
    ]

    def __init__(
        self,
        course: Course,
        lang: str,
        paths: Sequence[Path] = (),
        on_leave: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.course = course
        self.lang = course.pick_lang(lang)
        self.paths = list(paths)
        self.on_leave = on_leave
        self.results: Results | None = None
        self.skipped: list[Skipped] = []
        self.index = 0
        self.revealed: set[int] = set()
        self.show_skipped = False
        self.reading = False
        self.failure = ""

    # --- language: given, not taken from a learner's study ---------------------------------------------

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def on_mount(self) -> None:
        localize_bindings(self, self.lang, self.course.languages)
        self.refresh_bindings()
        if self.paths:
            self.load(self.paths)
        else:
            self.ask_for_files()

    async def action_language(self) -> None:
        """Switch between the course's languages (in the learner app: the app's language, remembered)."""
        from course.tui.app import TillitApp

        app = self.app
        if isinstance(app, TillitApp):
            await app.action_language()
            lang = app.study.lang
        else:
            lang = next_language(self.lang, self.course.languages)
        self.lang = self.course.pick_lang(lang)
        if self.results is not None:
            self.results = relabel(self.results, self.course, self.lang)
        localize_bindings(self, self.lang, self.course.languages)
        await self.recompose()
        self.refresh_bindings()
        self.show_page()

    # --- reading the files -------------------------------------------------------------------------------

    def ask_for_files(self) -> None:
        def answered(answer: str | None) -> None:
            if answer is None:
                self.leave()
            else:
                self.load(parse_paths(answer))

        self.app.push_screen(AskDialog(self.t("results.ask"), str(here()), self.lang), answered)

    def load(self, paths: list[Path]) -> None:
        """Read and merge the share files in a thread (hundreds of files take a few seconds)."""
        self.paths = paths
        self.reading = True
        self.results = None
        self.update_bar()
        self.show_message(self.t("results.looking"))
        self.run_worker(lambda: self._load(paths), thread=True, exclusive=True, group="results-read")

    def _load(self, paths: list[Path]) -> None:
        n = count_files(paths)
        self.app.call_from_thread(
            self.show_message, formats.plural("results.reading", n, self.lang)
        )
        try:
            shares, skipped = load_shares(paths)
            results = merge(shares, self.course, self.lang)
        except (TillitError, OSError) as err:
            self.app.call_from_thread(self.show_failure, describe(err, self.lang))
            return
        self.app.call_from_thread(self.show_results, results, skipped)

    def show_failure(self, sentence: str) -> None:
        self.reading = False
        self.failure = sentence
        self.show_message("✗ " + sentence)

    def show_results(self, results: Results, skipped: list[Skipped]) -> None:
        self.reading = False
        self.results = results
        self.skipped = skipped
        self.index = 0
        self.revealed = set()
        self.show_skipped = not results.participants and bool(skipped)
        self.show_page()

    def folder(self) -> Path:
        """The folder that was read (of the first file given, when files were given)."""
        first = self.paths[0] if self.paths else here()
        return first if first.is_dir() else first.parent

    def shown_path(self, path: Path) -> str:
        """A file as the trainer typed it: its name inside the folder read, else the whole path."""
        try:
            return str(path.relative_to(self.folder()))
        except ValueError:
            return str(path)

    # --- drawing -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="results-bar"):
            with Horizontal(id="results-top"):
                yield Static(id="results-summary")
                yield Static(id="results-place")
            yield Static(id="results-notes")
            yield Static(id="results-skipped-line")
        with VerticalScroll(id="results-skipped"):
            yield Static(id="results-skipped-list")
        yield VerticalScroll(id="results-stage")
        yield Footer(show_command_palette=False)

    def items(self) -> list[QuestionStat | AssessmentStat]:
        """The results to show one by one: the questions someone answered (weakest first), then the
        behaviours someone rated. The rest would only say "nobody"; the exported report lists them."""
        if self.results is None:
            return []
        return [s for s in self.results.items() if (s.answered if isinstance(s, QuestionStat) else s.n)]

    def left_out(self) -> list[str]:
        """What items() leaves out, as sentences."""
        if self.results is None:
            return []
        questions = sum(1 for s in self.results.questions if not s.answered)
        behaviours = sum(1 for a in self.results.assessments if not a.n)
        parts = []
        if questions:
            parts.append(formats.plural("results.left_out.questions", questions, self.lang))
        if behaviours:
            parts.append(formats.plural("results.left_out.behaviours", behaviours, self.lang))
        return [self.t("results.left_out", what=" · ".join(parts))] if parts else []

    def pages(self) -> int:
        """The results one by one, then the shared reflections."""
        return len(self.items()) + 1 if self.results is not None else 0

    def headings(self) -> list[str]:
        if self.results is None:
            return []
        out = []
        for n, item in enumerate(self.items(), 1):
            head = item.text if isinstance(item, QuestionStat) else item.behaviour
            out.append(f"{n}. {' '.join(head.split())}")
        out.append(label("reflections", self.lang))
        return out

    def show_message(self, text: str) -> None:
        stage = self.query_one("#results-stage", VerticalScroll)
        stage.remove_children()
        stage.mount(Static(inert(text), classes="results-message"))

    def update_bar(self) -> None:
        results = self.results
        summary, place, notes, skipped_line = "", "", "", ""
        if results is not None:
            summary = " · ".join(
                (
                    label("title", self.lang),
                    _people(results.participants, self.lang),
                    self.t("results.named", n=results.named),
                )
            )
            notes = " ".join([*results.notes(self.lang), *self.left_out()])
            items = len(self.items())
            place = (
                self.t("results.place", k=self.index + 1, n=items)
                if self.index < items
                else label("reflections", self.lang)
            )
        if self.skipped:
            skipped_line = (
                formats.plural("results.skipped", len(self.skipped), self.lang)
                + "  "
                + self.t("results.skipped.hide" if self.show_skipped else "results.skipped.show")
            )
        self.query_one("#results-summary", Static).update(inert(summary))
        self.query_one("#results-place", Static).update(inert(place))
        notes_view = self.query_one("#results-notes", Static)
        notes_view.update(inert(notes))
        notes_view.display = bool(notes)
        line = self.query_one("#results-skipped-line", Static)
        line.update(inert(skipped_line))
        line.display = bool(skipped_line)
        listing = "\n".join(f"{self.shown_path(s.path)} — {s.reason}" for s in self.skipped)
        self.query_one("#results-skipped-list", Static).update(inert(listing))
        self.query_one("#results-skipped", VerticalScroll).display = self.show_skipped and bool(self.skipped)

    def show_page(self) -> None:
        """Draw the current result (as far as it is revealed), or the shared reflections."""
        self.update_bar()
        results = self.results
        if results is None:
            if self.failure:
                self.show_message("✗ " + self.failure)
            return
        stage = self.query_one("#results-stage", VerticalScroll)
        if not results.participants:
            self.show_message(self.t("results.none", where=", ".join(str(p) for p in self.paths)))
            return
        items = self.items()
        if self.index < len(items):
            item = items[self.index]
            shown = self.index in self.revealed
            widgets = self.question(item, shown) if isinstance(item, QuestionStat) else self.behaviour(item, shown)
        else:
            widgets = self.reflections(results)
        with self.app.batch_update():
            stage.remove_children()
            stage.mount_all(widgets)
        stage.scroll_home(animate=False)
        stage.focus()

    def hidden_hint(self) -> Static:
        return Static(inert(self.t("results.hidden")), classes="results-hidden")

    def question(self, s: QuestionStat, shown: bool) -> list[Widget]:
        kind = self.t("results.kind.question") + " · " + s.lesson_title
        out: list[Widget] = [
            Static(inert(kind), classes="results-kind"),
            Static(inert(s.text), classes="results-heading"),
        ]
        right, wrong = "✓ " + self.t("present.right"), "✗ " + self.t("present.wrong")
        width = max(len(right), len(wrong))
        if shown:
            out.append(Static(inert(s.lines(self.lang)[1]), classes="results-figures"))
        else:
            out.append(self.hidden_hint())
        for letter, o in zip(LETTERS, s.options, strict=False):
            if shown and s.answered:
                mark = (right if o.correct else wrong).ljust(width)
                figures = f"{letter}  {mark}  {bar(o.picked, s.answered)} {o.picked:>3}"
                row_class = "results-option shown"
            else:
                figures, row_class = letter, "results-option"
            out.append(
                Horizontal(
                    Static(inert(figures), classes="results-option-figures"),
                    Static(inert(o.text), classes="results-option-text"),
                    classes=row_class,
                )
            )
        if shown and s.answered and s.common_wrong is not None:
            out.append(Static(inert(s.lines(self.lang)[-1]), classes="results-common-wrong"))
        return out

    def behaviour(self, a: AssessmentStat, shown: bool) -> list[Widget]:
        out: list[Widget] = [
            Static(inert(self.t("results.kind.behaviour")), classes="results-kind"),
            Static(inert(a.behaviour), classes="results-heading"),
            Static(inert(a.text), classes="results-statement"),
        ]
        if not shown:
            out.append(self.hidden_hint())
            return out
        lines = a.lines(self.lang)
        out.append(Static(inert(lines[1]), classes="results-figures"))
        if a.n:
            rows = [f"{r}  {bar(c, a.n)} {c:>3}" for r, c in zip(SCALE, a.distribution, strict=True)]
            out.append(Static(inert(label("distribution", self.lang)), classes="results-figures"))
            out.append(Static(inert("\n".join(rows)), classes="results-distribution"))
            out.append(Static(inert(lines[-1]), classes="results-figures"))
        return out

    def reflections(self, results: Results) -> list[Widget]:
        out: list[Widget] = [
            Static(inert(label("reflections", self.lang)), classes="results-heading"),
            Static(inert(label("reflections.note", self.lang)), classes="results-kind"),
        ]
        if not results.reflections:
            out.append(Static(inert(label("reflections.none", self.lang)), classes="results-figures"))
        for group in results.reflections:
            out.append(Static(inert(group.title), classes="results-lesson"))
            shown_prompt = None
            for r in group.reflections:  # sorted by prompt: each prompt once, above its answers
                if r.prompt != shown_prompt:
                    shown_prompt = r.prompt
                    out.append(Static(inert(r.prompt_text), classes="results-prompt"))
                out.append(Static(inert(r.text), classes="results-reflection"))
        return out

    # --- keys ----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next", "prev", "reveal", "reveal_all", "jump", "export", "first", "last"):
            return self.results is not None and self.results.participants > 0
        if action == "skipped":
            return bool(self.skipped)
        return True

    def go(self, index: int) -> None:
        self.index = max(0, min(index, self.pages() - 1))
        self.show_page()

    def action_next(self) -> None:
        if self.index + 1 >= self.pages():
            stage = self.query_one("#results-stage", VerticalScroll)
            if stage.scroll_y < stage.max_scroll_y:  # the shared reflections can be long: read on
                stage.scroll_page_down(animate=False)
            else:
                self.notify(self.t("results.end"), markup=False)
            return
        self.go(self.index + 1)

    def action_prev(self) -> None:
        self.go(self.index - 1)

    def action_first(self) -> None:
        self.go(0)

    def action_last(self) -> None:
        self.go(self.pages() - 1)

    def action_reveal(self) -> None:
        if self.index < len(self.items()) and self.index not in self.revealed:
            self.revealed.add(self.index)
            self.show_page()

    def action_reveal_all(self) -> None:
        if self.results is None:
            return
        everything = set(range(len(self.items())))
        self.revealed = set() if self.revealed >= everything else everything
        self.show_page()

    def action_skipped(self) -> None:
        self.show_skipped = not self.show_skipped
        self.update_bar()

    def action_jump(self) -> None:
        def jumped(index: int | None) -> None:
            if index is not None:
                self.go(index)

        options = [Option(inert(h), id=str(n)) for n, h in enumerate(self.headings())]
        self.app.push_screen(JumpDialog(tr("results.jump.title", self.lang), options, self.index), jumped)

    def action_export(self) -> None:
        """Ask for the report's name, then write it and the two CSV files beside it."""
        results = self.results
        if results is None:
            return

        def answered(answer: str | None) -> None:
            if answer is None:
                return
            typed = answer.strip() or REPORT
            base = Path(typed).expanduser().absolute()
            if base.is_dir():
                self.notify(self.t("share.is_folder", path=base, example=base / REPORT), severity="error", markup=False)
                return
            if not base.parent.is_dir():
                self.notify(self.t("share.no_folder", folder=base.parent), severity="error", markup=False)
                return
            files = report_files(base)
            existing = [f for f in files if f.exists()]
            if existing:
                names = ", ".join(f.name for f in existing)
                self.app.push_screen(
                    ConfirmDialog(self.t("results.export.replace", files=names, folder=base.parent), self.lang),
                    lambda yes: self.export(results, files) if yes else None,
                )
            else:
                self.export(results, files)

        default = str(self.folder() / REPORT)
        self.app.push_screen(AskDialog(self.t("results.export.ask"), default, self.lang), answered)

    def export(self, results: Results, files: tuple[Path, Path, Path]) -> None:
        html, questions, assessment = files
        texts = (
            render_html(results, self.course, self.lang),
            render_csv(results),
            render_assessment_csv(results),
        )
        try:
            for path, text in zip(files, texts, strict=True):
                storage.write_new_file(path, text, replace=True)  # asked first when any was there
        except TillitError as err:
            self.notify(describe(err, self.lang), severity="error", markup=False, timeout=20)
            return
        done = self.t(
            "results.export.done", html=html.name, csv=questions.name, assessment=assessment.name, folder=html.parent
        )
        self.notify(done, markup=False, timeout=15)

    def action_nothing(self) -> None:
        """Keys that must do nothing while a room is watching."""

    def action_leave(self) -> None:
        self.leave()

    def leave(self) -> None:
        if self.on_leave is not None:
            self.on_leave()
        else:
            self.app.pop_screen()


def make_results_app(course: Course, lang: str, paths: Sequence[Path]) -> App[Any]:
    """The results screen on its own (`tillit results DIR --show`): asks for the files when none are given."""
    from course.tui.present import PresentApp

    return PresentApp(lambda app: ResultsScreen(course, lang, paths, on_leave=app.exit), lang)
