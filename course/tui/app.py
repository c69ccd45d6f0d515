"""The Tillit app: screens, navigation, language and theme, the command palette, and safe quitting."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.theme import Theme, ThemeProvider
from textual.widgets.option_list import Option

from course import __version__
from course.content.companions import about_text
from course.errors import TillitError
from course.i18n import describe, describe_failure, language_name, next_language, tr
from course.learner.progress import Notice, Place
from course.learner.study import Study
from course.tui.base import InertTextApp, TillitScreen, inert, localize_bindings
from course.tui.dialogs import ConfirmDialog, TextDialog
from course.tui.home import HomeScreen
from course.tui.lesson import LessonScreen
from course.tui.quiz import QuizScreen
from course.tui.reflect import ReflectScreen

if TYPE_CHECKING:
    from textual.driver import Driver

    from course.learner.practice import Practice


def arm_exit_deadline(seconds: float) -> None:
    """Have the kernel end this process in `seconds` unless it exits first (replaces an earlier deadline).

    Safe inside a signal handler, and works whatever state Python is in: SIGALRM's default action
    ends the process, and the kernel then drops the flock on `.writer.lock`. A no-op without SIGALRM.
    """
    alarm = getattr(signal, "SIGALRM", None)
    if alarm is None:  # pragma: no cover - Windows
        return
    signal.signal(alarm, signal.SIG_DFL)  # an ignored SIGALRM may be inherited from the parent
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))


def help_screens() -> tuple[type[TillitScreen], ...]:
    """Every screen whose keys the help lists (the journal and practice screens load on first use)."""
    from course.tui.commitments import CommitmentsScreen
    from course.tui.journal import JournalScreen
    from course.tui.practice import AssessmentScreen
    from course.tui.results import ResultsScreen
    from course.tui.share import ShareScreen

    # The results screen is no TillitScreen (it runs without a Study too), but has HELP_SECTION and its keys.
    results = cast("type[TillitScreen]", ResultsScreen)
    return (
        HomeScreen, LessonScreen, QuizScreen, ReflectScreen, JournalScreen, AssessmentScreen, CommitmentsScreen,
        ShareScreen, results,
    )  # fmt: skip


class LessonCommands(Provider):
    """Command palette entries: open, quiz or reflect on any lesson."""

    def _commands(self) -> list[tuple[str, str, str]]:
        app = self.app
        assert isinstance(app, TillitApp)
        study = app.study
        found = []
        for lid in study.course.lesson_ids:
            title = study.course.lesson(lid, study.lang).title
            found.append((tr("cmd.open", study.lang, title=title), lid, "lesson"))
            if study.course.quiz(lid, study.lang) is not None:
                found.append((tr("cmd.quiz", study.lang, title=title), lid, "quiz"))
            found.append((tr("cmd.reflect", study.lang, title=title), lid, "reflect"))
            found.append((tr("cmd.present", study.lang, title=title), lid, "present"))
        return found

    async def discover(self) -> Hits:
        app = self.app
        assert isinstance(app, TillitApp)
        for text, lid, view in self._commands():
            if view == "lesson":
                yield DiscoveryHit(text, partial(app.show, lid, view), help=tr("cmd.open.help", app.study.lang))

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, TillitApp)
        matcher = self.matcher(query)
        for text, lid, view in self._commands():
            match = matcher.match(text)
            if match > 0:
                if view == "present":
                    yield Hit(
                        match,
                        matcher.highlight(text),
                        partial(app.present, [lid]),
                        help=tr("cmd.present.help", app.study.lang),
                    )
                else:
                    yield Hit(match, matcher.highlight(text), partial(app.show, lid, view))
        for title, path in app.session_plans():
            text = tr("cmd.session", app.study.lang, title=title)
            match = matcher.match(text)
            if match > 0:
                yield Hit(match, matcher.highlight(text), partial(app.present, plan_path=path))


class Palette(CommandPalette):
    """The command palette in the learner's language: its prompt, and the line saying nothing matches."""

    def __init__(self, lang: str, providers: list[type[Provider]] | None = None, placeholder: str = "") -> None:
        super().__init__(providers, placeholder=placeholder or tr("palette.search", lang), id="--command-palette")
        self.lang = lang

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own says "No matches found" in English; this says it in the learner's language, at the
        # same moment (after _NO_MATCHES_COUNTDOWN seconds without a hit) and in the same place.
        self._stop_no_matches_countdown()

        def nothing_found() -> None:
            if not search_value:  # nothing typed: the list of everything simply stays closed
                self._list_visible = False
                return
            self.query_one(CommandList).add_option(
                Option(inert(tr("palette.no_match", self.lang)), disabled=True, id=self._NO_MATCHES)
            )
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, nothing_found)


class TillitApp(InertTextApp):
    """The whole course in the terminal, driven by one Study."""

    CSS_PATH = "tillit.tcss"
    TITLE = "Tillit"
    COMMANDS = App.COMMANDS | {LessonCommands}
    BINDINGS = [
        Binding("f1,question_mark", "help", "key.help", key_display="f1"),
        Binding("f2", "language", "key.language"),
        Binding("j", "journal", "key.journal"),
        Binding("ctrl+p", "command_palette", "key.palette", show=False),
        Binding("ctrl+q", "quit", "key.quit", priority=True),
    ]

    # After SIGHUP or SIGTERM: seconds until the text is saved, then until the process has exited, before
    # the kernel ends it (a stuck shutdown must never keep the data folder's writer lock for ever).
    SAVE_DEADLINE = 10.0
    EXIT_DEADLINE = 3.0

    def __init__(self, study: Study) -> None:
        self._close_signalled = False
        self._signal_loop: asyncio.AbstractEventLoop | None = None
        super().__init__()
        self.study = study
        self._shown_notices = 0
        self._practice: Practice | None = None
        self._plans: dict[str, list[tuple[str, Path]]] = {}

    @property
    def practice(self) -> Practice:
        """Self-assessments, commitments and spaced review for this learner."""
        if self._practice is None:
            from course.learner.practice import Practice

            self._practice = Practice(self.study)
        return self._practice

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
            from course.tui.terminal import TerminalDriver

            return TerminalDriver  # the same, made safe for a terminal that closes under it
        return driver

    def get_default_screen(self) -> Screen[None]:
        return HomeScreen()

    def on_mount(self) -> None:
        localize_bindings(self, self.study.lang, self.study.course.languages)
        saved_theme = self.study.progress.current.theme
        if saved_theme and saved_theme in self.available_themes:
            self.theme = saved_theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.study.read_only:
            key = "data.read_only_folder" if self.study.folder_read_only else "data.read_only"
            self.notify(tr(key, self.study.lang), severity="warning", timeout=3600, markup=False)
        self.show_notices()
        # Stores add notices as they meet trouble (a file moved aside, a save refused); tell the learner soon.
        self.set_interval(0.5, self.show_notices)
        # A closed terminal (SIGHUP) or a kill (SIGTERM) would otherwise end the process without saving.
        # A plain handler, not loop.add_signal_handler: it runs even while the loop is stuck, and arms
        # the deadline that ends the process whatever happens next.
        self._signal_loop = asyncio.get_running_loop()
        if not self.is_headless:
            for sig in (getattr(signal, "SIGHUP", None), signal.SIGTERM):
                if sig is not None:
                    with contextlib.suppress(ValueError, OSError):  # ValueError: not the main thread
                        signal.signal(sig, self._on_close_signal)

    def flush_all(self) -> bool:
        """Ask every screen to save what it holds; False when some text could not be saved."""
        saved = True
        for screen in reversed(self.screen_stack):
            if isinstance(screen, TillitScreen):
                saved = screen.flush() and saved
        return saved

    def save_and_exit(self) -> None:
        """Save what every screen holds, then quit (a closed terminal cannot wait for an answer)."""
        self.flush_all()
        if self._close_signalled:  # saved; now the normal exit gets EXIT_DEADLINE seconds
            arm_exit_deadline(self.EXIT_DEADLINE)
        self.exit()

    def _on_close_signal(self, signum: int, frame: object) -> None:
        """SIGHUP or SIGTERM: save, then exit, and never live past the deadlines (runs in the main thread)."""
        if self._close_signalled:
            return  # a hang-up brings SIGHUP more than once; the first one is being handled
        self._close_signalled = True
        if self._driver is not None and hasattr(self._driver, "closing"):
            self._driver.closing = True  # TerminalDriver: the SIGCONT after a hang-up must not restart the terminal
        arm_exit_deadline(self.SAVE_DEADLINE)
        loop = self._signal_loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.save_and_exit)
        else:  # the app has already finished; let the process end
            arm_exit_deadline(self.EXIT_DEADLINE)

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self.study.progress.current.theme:
            self.study.set_theme(theme.name)

    def show_notices(self) -> None:
        """Tell the learner, once, about data files that were moved aside or left untouched."""
        for notice in self.study.notices[self._shown_notices :]:
            self.notify(self.notice_text(notice), severity="warning", timeout=20, markup=False)
        self._shown_notices = len(self.study.notices)

    def notice_text(self, notice: Notice) -> str:
        """A notice as one sentence in the learner's language."""
        if notice.kind == "error" and notice.action:
            return describe_failure(notice.action, notice.path, notice.reason, notice.advice, self.study.lang)
        return tr(
            f"notice.{notice.kind}", self.study.lang, path=notice.path, detail=notice.detail, moved_to=notice.moved_to
        )

    # --- navigation ----------------------------------------------------------------------------------

    def show(self, lesson_id: str, view: str = "lesson", scroll: int = 0, resume: bool = False) -> None:
        """Go to a lesson (and its quiz or journal), keeping home at the bottom of the stack; with `resume`
        (Continue) a reflection view opens the draft the learner left, not a new reflection.

        Only the screen in front records the place (TillitScreen.in_front), so opening the lesson and its
        quiz or reflection in one go never leaves the lesson's place saved over the quiz's or the draft's."""
        if not self.flush_all():
            return  # a reflection could not be saved: stay with it (its status line says why)
        while len(self.screen_stack) > 1:
            top = self.screen_stack[-1]
            if isinstance(top, LessonScreen) and top.lesson_id == lesson_id:
                break
            self.pop_screen()
        top = self.screen_stack[-1]
        if not (isinstance(top, LessonScreen) and top.lesson_id == lesson_id):
            self.push_screen(LessonScreen(lesson_id, scroll))
        elif view == "lesson":
            self.study.go(Place(lesson_id, "lesson", scroll=top.current_scroll()))
        if view == "quiz" and self.study.course.quiz(lesson_id, self.study.lang) is not None:
            self.push_screen(QuizScreen(lesson_id))
        elif view == "reflect":
            self.push_screen(ReflectScreen(lesson_id, resume=resume))
        self.call_after_refresh(self.show_notices)

    def present(self, lesson_ids: Sequence[str] = (), plan_path: Path | None = None) -> None:
        """Facilitator mode over the app: lessons (or a session plan) as slides for a room, with timers."""
        if not self.flush_all():
            return
        from datetime import date, datetime

        from course.trainer.present import deck_for_lessons, deck_for_plan
        from course.tui.present import PresentScreen

        start = None
        try:
            if plan_path is not None:
                from course.trainer.plan import read_plan

                plan = read_plan(plan_path, self.study.course)
                deck = deck_for_plan(self.study.course, self.study.lang, plan)
                if plan.start is not None:
                    start = datetime.combine(plan.date or date.today(), plan.start)
            else:
                deck = deck_for_lessons(self.study.course, self.study.lang, lesson_ids)
        except TillitError as err:
            self.notify(describe(err, self.study.lang), severity="error", markup=False)
            return
        self.push_screen(PresentScreen(deck, deck.lang, self.study.data_dir, start=start))

    def action_present_highlighted(self) -> None:
        """F5 on the course map (its binding names this action): present the highlighted lesson."""
        if isinstance(self.screen, HomeScreen):
            self.present([self.screen.selected()])

    def session_plans(self) -> list[tuple[str, Path]]:
        """The session plans that come with the course, in the learner's language: (title, file).
        Read once per language (the palette asks on every keystroke)."""
        if self.study.lang in self._plans:
            return self._plans[self.study.lang]
        from course.trainer.plan import is_builtin_plan, read_plan, shipped_plans

        found = []
        for path in shipped_plans(self.study.course):
            if path.parent.name != self.study.lang:
                continue
            try:
                found.append((read_plan(path, self.study.course, untrusted=not is_builtin_plan(path)).title, path))
            except TillitError:
                continue
        self._plans[self.study.lang] = found
        return found

    def go_home(self) -> None:
        """Back to the course map."""
        if not self.flush_all():
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()

    # --- app-wide actions ----------------------------------------------------------------------------

    async def action_language(self) -> None:
        """Switch to the course's next language (in the order course.toml lists them), and remember it."""
        self.study.set_language(next_language(self.study.lang, self.study.course.languages))
        localize_bindings(self, self.study.lang, self.study.course.languages)
        for screen in self.screen_stack:
            if isinstance(screen, TillitScreen):
                await screen.relocalize()
        self.notify(tr("language.switched", self.study.lang), markup=False)

    def action_journal(self) -> None:
        """Open the journal workspace (from anywhere; a second press does nothing)."""
        from course.tui.journal import JournalScreen

        if not isinstance(self.screen, JournalScreen):
            self.push_screen(JournalScreen())

    def action_assess(self) -> None:
        """The self-assessment of the seven behaviours, with every earlier one over time."""
        from course.tui.practice import AssessmentScreen

        if self.study.course.assessment is None:
            self.notify(tr("assess.none", self.study.lang), markup=False)
        elif not isinstance(self.screen, AssessmentScreen):
            self.push_screen(AssessmentScreen())

    def action_commitments(self) -> None:
        """Open and done commitments."""
        from course.tui.commitments import CommitmentsScreen

        if not isinstance(self.screen, CommitmentsScreen):
            self.push_screen(CommitmentsScreen())

    def action_review(self, practice_mode: bool = False) -> None:
        """Questions answered wrong before: the ones due, or (practice) all of them without moving the schedule."""
        from datetime import date

        from course.tui.practice import ReviewScreen

        items = self.practice.review_questions(date.max if practice_mode else None)
        if not items:
            self.notify(tr("review.nothing", self.study.lang), markup=False)
            return
        self.push_screen(ReviewScreen(items, practice_mode))

    def action_share(self) -> None:
        """Share quiz answers, self-assessments and chosen reflections with the trainer, as one file."""
        from course.tui.share import ShareScreen

        if not isinstance(self.screen, ShareScreen):
            self.push_screen(ShareScreen())

    def action_results(self) -> None:
        """The trainer's view of a group's share files, one result at a time (asks for the folder first)."""
        from course.tui.results import ResultsScreen

        if not isinstance(self.screen, ResultsScreen):
            self.push_screen(ResultsScreen(self.study.course, self.study.lang))

    def action_help(self) -> None:
        """Show every key, screen by screen."""
        lang = self.study.lang
        lines: list[str] = []

        def section(title: str, bindings: Iterable[Binding]) -> None:
            lines.append(title)
            seen: set[tuple[str, str]] = set()
            for binding in bindings:
                if not binding.description.startswith("key."):
                    continue  # Textual's own (focus, copy) are covered by the closing line
                label = self.switch_label() if binding.action == "language" else tr(binding.description, lang)
                key = binding.key_display or self.get_key_display(binding)
                if binding.action.startswith("choose"):
                    key, label = "1–9", tr("key.choose", lang)
                if (key, label) in seen:
                    continue
                seen.add((key, label))
                lines.append(f"  {key:<10} {label}")
            lines.append("")

        section(tr("help.everywhere", lang), (b for _k, b in (TillitApp._merged_bindings or [])))
        for screen_cls in help_screens():
            section(tr(screen_cls.HELP_SECTION, lang), (b for _k, b in (screen_cls._merged_bindings or [])))
        lines.append(tr("help.mouse", lang))
        self.push_screen(TextDialog(tr("help.title", lang), "\n".join(lines), lang))

    def switch_label(self) -> str:
        """ "Switch language to Swedish": F2's meaning, in the words of the language shown now."""
        lang = self.study.lang
        following = next_language(lang, self.study.course.languages)
        return tr("cmd.language", lang, language=language_name(following, lang))

    def action_about(self) -> None:
        """The course, where it comes from, the glossary, further reading, and where the learner's data is."""
        lang = self.study.lang
        body = about_text(self.study.course, lang, self.study.data_dir, __version__)
        self.push_screen(TextDialog(self.study.course.title(lang), body, lang))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not self.screen.has_class("--textual-command-palette"):  # none open yet
            self.push_screen(Palette(self.study.lang))

    def search_themes(self) -> None:
        """The themes to choose from, searched in a palette that speaks the learner's language."""
        self.push_screen(Palette(self.study.lang, [ThemeProvider], tr("palette.themes", self.study.lang)))

    def action_help_quit(self) -> None:
        """ctrl+c (which copies selected text): say how to quit, in the learner's language."""
        lang = self.study.lang
        self.notify(tr("quit.how", lang, shortcut="ctrl+q"), title=tr("quit.how_title", lang), markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands that make sense here (theme, quit, maximize), in the learner's language, then
        Tillit's own. Textual's key panel is left out (f1's help lists every key, translated), and so is its
        screenshot (its messages are English, and it writes into the Downloads folder unasked)."""
        lang = self.study.lang
        yield SystemCommand(tr("cmd.theme", lang), tr("cmd.theme.help", lang), self.action_change_theme)
        yield SystemCommand(tr("cmd.quit", lang), tr("cmd.quit.help", lang), self.action_quit)
        if screen.maximized is not None:
            yield SystemCommand(tr("cmd.minimize", lang), tr("cmd.minimize.help", lang), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(tr("cmd.maximize", lang), tr("cmd.maximize.help", lang), screen.action_maximize)
        yield SystemCommand(self.switch_label(), self.switch_label(), self.action_language)
        yield SystemCommand(tr("cmd.keys", lang), tr("cmd.keys", lang), self.action_help)
        yield SystemCommand(tr("cmd.about", lang), tr("cmd.about.help", lang), self.action_about)
        yield SystemCommand(tr("cmd.journal", lang), tr("cmd.journal", lang), self.action_journal)
        yield SystemCommand(tr("cmd.assess", lang), tr("cmd.assess", lang), self.action_assess)
        yield SystemCommand(tr("cmd.commitments", lang), tr("cmd.commitments", lang), self.action_commitments)
        yield SystemCommand(tr("cmd.review", lang), tr("cmd.review", lang), self.action_review)
        yield SystemCommand(tr("cmd.practise", lang), tr("cmd.practise", lang), partial(self.action_review, True))
        yield SystemCommand(tr("cmd.share", lang), tr("cmd.share", lang), self.action_share)
        yield SystemCommand(tr("cmd.results", lang), tr("cmd.results", lang), self.action_results)

    async def action_quit(self) -> None:
        """Save everything on every screen, then quit; ask first if some text could not be saved."""
        if self.flush_all():
            self.exit()
            return

        def answer(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(ConfirmDialog(tr("confirm.quit_unsaved", self.study.lang), self.study.lang), answer)


def make_app(study: Study) -> TillitApp:
    """Build the app for the command line, the tests and the snapshots alike."""
    return TillitApp(study)
