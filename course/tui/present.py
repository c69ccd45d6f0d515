"""Facilitator mode on screen: slides for the room with the countdown always in view, and a notes view
that follows them from a second terminal (or in a split the trainer toggles).

Everything that decides something (reveal order, answers, timers, drift) lives in course.trainer.present; these
screens show it and pass keys on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Digits, Footer, Markdown, Static
from textual.widgets.option_list import Option

from course.content.model import Course
from course.content.terminal_text import visible
from course.errors import StorageError, TillitError
from course.i18n import describe, formats, tr
from course.trainer.plan import label as plan_label
from course.trainer.present import (
    Clock,
    Deck,
    Presenter,
    Slide,
    clock_text,
    deck_for_lessons,
    deck_for_plan,
    hours_text,
    read_state,
    state_path,
    write_state,
)
from course.tui.base import InertTextApp, inert, localize_bindings
from course.tui.dialogs import ConfirmDialog, JumpDialog, TextDialog

TICK = 0.25  # how often the countdown is redrawn
FOLLOW = 0.3  # how often a notes view looks at the presenter's state
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _minutes(seconds: float) -> int:
    return round(abs(seconds) / 60)


def session_line(p: Presenter, lang: str) -> str:
    """`Session 0:42 of 1:30 · 3 min behind plan`, or how to start it."""
    total = hours_text(p.deck.total_minutes * 60)
    if p.session_started is None:
        return tr("present.session.idle", lang, total=total)
    drift = p.drift()
    if abs(drift) < 60:
        pace = tr("present.pace.on", lang)
    elif drift > 0:
        pace = tr("present.pace.behind", lang, n=_minutes(drift))
    else:
        pace = tr("present.pace.ahead", lang, n=_minutes(drift))
    return tr("present.session", lang, elapsed=hours_text(p.elapsed()), total=total, pace=pace)


def timer_label(p: Presenter, lang: str) -> str:
    """Words beside the countdown, so its state reads without colour."""
    c = p.countdown
    if c.expired:
        return tr("present.timer.over", lang) if c.remaining() < 0 else tr("present.timer.zero", lang)
    if c.last_minute:
        return tr("present.timer.last", lang)
    return tr("present.timer.running", lang) if c.running else tr("present.timer.paused", lang)


def answer_lines(slide: Slide, lang: str) -> list[str]:
    """A question's options with which are right, each with its explanation (symbol and word, no colour)."""
    q = slide.question
    if q is None:
        return []
    out: list[str] = []
    choices = q.choices(tr("quiz.true", lang), tr("quiz.false", lang))
    for letter, option in zip(LETTERS, choices, strict=False):
        mark = "✓ " + tr("present.right", lang) if option.correct else "✗ " + tr("present.wrong", lang)
        out.append(f"{letter}  {mark}: {option.text}")
        if not q.shared_explanation and option.explain:
            out.append(f"   {option.explain}")
    if q.shared_explanation and q.explain:
        out.append(q.explain)
    return out


def notes_text(p: Presenter, lang: str) -> str:
    """What the trainer reads beside the slide: the notes, the answer key, what comes next."""
    seg = p.segment
    parts = [f"{seg.title}  ·  {seg.minutes} min"]
    parts.append(seg.notes.strip() or tr("present.notes.none", lang))
    if p.slide.question is not None:
        key = tr("present.notes.key_shown" if p.answer else "present.notes.key_hidden", lang)
        parts.append(key + "\n" + "\n".join(answer_lines(p.slide, lang)))
    if p.index + 1 < len(p.deck.slides):
        nxt = p.deck.slides[p.index + 1]
        parts.append(tr("present.notes.next", lang, title=_slide_name(nxt, lang)))
    else:
        parts.append(tr("present.notes.last", lang))
    return "\n\n".join(parts)


def _slide_name(slide: Slide, lang: str) -> str:
    if slide.count:
        return f"{slide.title} {slide.number}/{slide.count}"
    return slide.title


def jump_options(deck: Deck, current: int, lang: str, start: datetime | None) -> list[Option]:
    """Every slide under its agenda item (with planned minutes, and clock times when the plan starts at one)."""
    options: list[Option] = []
    offset = 0
    for seg in deck.segments:
        when = formats.clock(start + timedelta(minutes=offset), lang) + "  " if start is not None else ""
        length = tr("format.minutes", lang, minutes=seg.minutes)
        options.append(Option(inert(f"{when}{seg.title}  ({length})"), disabled=True))
        for i in range(seg.first_slide, seg.first_slide + seg.slide_count):
            here = "▶ " if i == current else "  "
            options.append(Option(inert(f"  {here}{i + 1}. {_slide_name(deck.slides[i], lang)}"), id=str(i)))
        offset += seg.minutes
    return options


class _DeckView(Screen[None]):
    """What the presenting screen and the notes view share: the timer bar and the slide's words."""

    def __init__(self, deck: Deck, lang: str, clock: Clock) -> None:
        super().__init__()
        self.deck = deck
        self.lang = lang
        self.presenter = Presenter(deck, clock)

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def compose_bar(self) -> ComposeResult:
        with Horizontal(id="present-bar"):
            with Vertical(id="present-where"):
                yield Static(id="present-segment")
                yield Static(id="present-session")
            yield Static(id="timer-label")
            yield Digits("0:00", id="timer")

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self.refresh_bindings()
        self.set_interval(TICK, self.tick)

    def tick(self) -> None:
        self.show_timer()

    def show_timer(self) -> None:
        p = self.presenter
        c = p.countdown
        timer = self.query_one("#timer", Digits)
        timer.update(clock_text(c.remaining()))
        timer.set_class(c.last_minute, "last-minute")
        timer.set_class(c.expired, "overtime")
        timer.set_class(not c.running, "paused")
        self.query_one("#timer-label", Static).update(inert(timer_label(p, self.lang)))
        self.query_one("#present-session", Static).update(inert(session_line(p, self.lang)))

    def show_place(self) -> None:
        p = self.presenter
        seg = p.segment
        where = f"{seg.title}  ·  {p.index + 1}/{len(self.deck.slides)}"
        self.query_one("#present-segment", Static).update(inert(where))
        self.show_timer()

    def slide_widgets(self, slide: Slide, steps: tuple[str, ...], answer: bool) -> list[Any]:
        """The widgets that show one slide as far as it is revealed."""
        widgets: list[Any] = [Static(inert(_slide_name(slide, self.lang)), classes="slide-title")]
        if slide.kind == "discussion":
            widgets.append(Static(inert(steps[0] if steps else ""), classes="card"))
        elif slide.question is not None:
            widgets.append(Static(inert(slide.question.text), classes="question-text"))
            if slide.question.several:
                widgets.append(Static(inert(self.t("quiz.kind.multiple")), classes="question-hint"))
            if answer:
                widgets.append(Static(inert("\n".join(answer_lines(slide, self.lang))), classes="answers revealed"))
            else:
                choices = slide.question.choices(self.t("quiz.true"), self.t("quiz.false"))
                listed = "\n".join(f"{letter}  {o.text}" for letter, o in zip(LETTERS, choices, strict=False))
                widgets.append(Static(inert(listed), classes="answers"))
        elif slide.kind == "activity":
            seg = self.deck.segments[slide.segment]
            kind = seg.kind if seg.kind in ("break", "exercise") else "exercise"
            widgets.append(Static(inert(plan_label(kind, self.lang)), classes="activity-kind"))
            if steps:
                widgets.append(Static(inert(steps[0]), classes="card"))
            countdown = self.presenter.countdown
            if kind == "break" and countdown.running and self.presenter.timer_segment == slide.segment:
                back = datetime.now() + timedelta(seconds=max(countdown.remaining(), 0))
                widgets.append(Static(inert(self.t("present.back_at", time=formats.clock(back, self.lang))), classes="card"))
        else:
            if steps:
                widgets.append(Markdown(visible("\n\n".join(steps)), classes="slide-body"))
        return widgets


class PresentScreen(_DeckView):
    """The screen for the room: one slide at a time, the countdown always visible, the notes only when asked."""

    HELP_SECTION = "help.present"
    BINDINGS = [
        Binding("right,space,enter,pagedown,l", "next", "key.present.next", key_display="→", priority=True),
        Binding("left,backspace,pageup,h", "prev", "key.present.prev", key_display="←", priority=True),
        Binding("a", "reveal", "key.present.answer"),
        Binding("v", "reveal_all", "key.present.all"),
        Binding("t", "timer", "key.present.timer"),
        Binding("plus,equals_sign", "add_minute", "key.present.add", key_display="+"),
        Binding("minus", "less_minute", "key.present.less", key_display="-", show=False),
        Binding("r", "reset_timer", "key.present.reset", show=False),
        Binding("b,full_stop", "blackout", "key.present.black"),
        Binding("g", "jump", "key.present.jump"),
        Binding("n", "notes", "key.present.notes"),
        Binding("home", "first", "key.present.first", show=False, priority=True),
        Binding("end", "last", "key.present.last", show=False, priority=True),
        Binding("f1,question_mark", "present_help", "key.help", key_display="f1"),
        Binding("escape,q", "leave", "key.present.leave", key_display="esc"),
        # The learner's own keys stay off while a room is watching: the journal is private, and the
        # command palette would list it.
        Binding("j,f2,ctrl+p", "nothing", show=False),
    ]

    def __init__(
        self,
        deck: Deck,
        lang: str,
        data_dir: Path | None,
        clock: Clock = time.monotonic,
        start: datetime | None = None,
        on_leave: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(deck, lang, clock)
        self.data_dir = data_dir
        self.start = start
        self.on_leave = on_leave
        self.publish_failed = False

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with Horizontal(id="stage"):
            yield VerticalScroll(id="slide")
            with VerticalScroll(id="notes-panel"):
                yield Static(id="notes-text")
        yield Static(id="blackout")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.show_slide()

    # --- drawing -----------------------------------------------------------------------------------

    def show_slide(self) -> None:
        self.refresh_bindings()
        p = self.presenter
        self.set_class(p.blackout, "blacked-out")
        holder = self.query_one("#slide", VerticalScroll)
        with self.app.batch_update():
            holder.remove_children()
            holder.mount_all(self.slide_widgets(p.slide, p.visible_steps, p.answer))
        holder.call_after_refresh(holder.scroll_end, animate=False)
        self.query_one("#notes-text", Static).update(inert(notes_text(p, self.lang)))
        self.show_place()
        self.publish()

    def tick(self) -> None:
        super().tick()
        if self.presenter.due_signal():
            self.app.bell()
            self.add_class("flash")
            self.set_timer(1.5, lambda: self.remove_class("flash"))
            self.publish()

    def publish(self) -> None:
        """Tell a notes view where we are (a failure is said once; presenting goes on)."""
        if self.data_dir is None:
            return
        try:
            write_state(self.data_dir, self.presenter.state())
        except StorageError as err:
            if not self.publish_failed:
                self.publish_failed = True
                self.notify(describe(err, self.lang), severity="warning", markup=False)

    # --- keys --------------------------------------------------------------------------------------

    def action_next(self) -> None:
        if not self.presenter.next():
            self.notify(self.t("present.end"), markup=False)
        self.show_slide()

    def action_prev(self) -> None:
        self.presenter.prev()
        self.show_slide()

    def action_first(self) -> None:
        self.presenter.goto(0)
        self.show_slide()

    def action_last(self) -> None:
        self.presenter.goto(len(self.deck.slides) - 1)
        self.show_slide()

    def action_reveal(self) -> None:
        if not self.presenter.reveal():
            self.presenter.reveal_all()
        self.show_slide()

    def action_reveal_all(self) -> None:
        self.presenter.reveal_all()
        self.show_slide()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers what the slide can do: the answer on a question, every point elsewhere."""
        slide = self.presenter.slide
        if action == "reveal":
            return slide.question is not None
        if action == "reveal_all":
            return slide.question is None and self.presenter.shown < len(slide.steps)
        return True

    def action_timer(self) -> None:
        self.presenter.toggle_timer()
        self.show_timer()
        self.publish()

    def action_add_minute(self) -> None:
        self.presenter.add_minute(1)
        self.show_timer()
        self.publish()

    def action_less_minute(self) -> None:
        self.presenter.add_minute(-1)
        self.show_timer()
        self.publish()

    def action_reset_timer(self) -> None:
        self.presenter.reset_timer()
        self.show_timer()
        self.publish()

    def action_blackout(self) -> None:
        self.presenter.toggle_blackout()
        self.show_slide()

    def action_notes(self) -> None:
        self.toggle_class("with-notes")

    def action_jump(self) -> None:
        def jumped(index: int | None) -> None:
            if index is not None:
                self.presenter.goto(index)
                self.show_slide()

        options = jump_options(self.deck, self.presenter.index, self.lang, self.start)
        self.app.push_screen(JumpDialog(self.t("present.jump.title"), options, self.presenter.index), jumped)

    def action_present_help(self) -> None:
        self.app.push_screen(TextDialog(self.t("help.present"), present_help_text(self.lang), self.lang))

    def action_nothing(self) -> None:
        """Keys that must do nothing on a projected screen."""

    def action_leave(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.leave()

        if self.presenter.session_started is not None:
            self.app.push_screen(ConfirmDialog(self.t("present.leave.confirm"), self.lang), answered)
        else:
            self.leave()

    def leave(self) -> None:
        if self.on_leave is not None:
            self.on_leave()
        else:
            self.app.pop_screen()


def present_help_text(lang: str) -> str:
    lines = []
    for binding in PresentScreen.BINDINGS:
        assert isinstance(binding, Binding)
        if not binding.description:
            continue
        keys = binding.key_display or binding.key
        lines.append(f"  {keys:<10} {tr(binding.description, lang)}   ({binding.key.replace(',', ', ')})")
    lines.append("")
    lines.append(tr("present.help.notes", lang))
    return "\n".join(lines)


class NotesScreen(_DeckView):
    """The trainer's own view in a second terminal: it follows the presenting screen and shows the notes,
    the answer key and the same timers; it changes nothing."""

    BINDINGS = [Binding("escape,q", "leave", "key.present.leave", key_display="esc")]

    def __init__(self, course: Course, lang: str, data_dir: Path, clock: Clock = time.monotonic) -> None:
        super().__init__(deck_for_lessons(course, lang, course.lesson_ids[:1]), lang, clock)
        self.course = course
        self.data_dir = data_dir
        self.seen: bytes | None = None
        self.following = False

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with VerticalScroll(id="notes-view"):
            yield Static(id="notes-status", classes="notes-status")
            yield Static(id="notes-slide", classes="slide-title")
            yield Static(id="notes-text")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(FOLLOW, self.follow)
        self.follow()

    def follow(self) -> None:
        # The file's bytes, not its time and size: a coarse clock can give two states the same of both.
        try:
            stamp: bytes | None = state_path(self.data_dir).read_bytes()
        except OSError:
            stamp = None
        if stamp is not None and stamp == self.seen:
            return
        self.seen = stamp
        state = read_state(self.data_dir)
        if state is None:
            self.following = False
            self.query_one("#notes-status", Static).update(inert(self.t("present.notes.waiting")))
            return
        if state.source != self.deck.source:
            try:
                self.deck = self._deck_from(state.source)
            except (TillitError, KeyError) as err:  # a plan that no longer reads: say so, keep waiting
                self.query_one("#notes-status", Static).update(inert(describe(err, self.lang)))
                return
            self.presenter = Presenter(self.deck, self.presenter.clock)
        state.apply(self.presenter)
        self.following = True
        self.show_notes()

    def _deck_from(self, source: dict[str, Any]) -> Deck:
        lang = str(source.get("lang", self.lang))
        if "plan" in source:
            from course.trainer.plan import read_plan

            return deck_for_plan(self.course, lang, read_plan(Path(str(source["plan"])), self.course))
        lessons = source.get("lessons")
        ids = [str(x) for x in lessons] if isinstance(lessons, list) else []
        return deck_for_lessons(self.course, lang, ids)

    def show_notes(self) -> None:
        p = self.presenter
        room = [self.t("present.notes.following")]
        if p.blackout:
            room.append(self.t("present.notes.black"))
        if p.slide.question is not None:
            room.append(self.t("present.notes.room_answer" if p.answer else "present.notes.room_question"))
        elif p.slide.steps:
            room.append(self.t("present.notes.steps", shown=p.shown, total=len(p.slide.steps)))
        self.query_one("#notes-status", Static).update(inert("  ·  ".join(room)))
        self.query_one("#notes-slide", Static).update(inert(f"{p.index + 1}. {_slide_name(p.slide, self.lang)}"))
        self.query_one("#notes-text", Static).update(inert(notes_text(p, self.lang)))
        self.show_place()

    def action_leave(self) -> None:
        self.app.exit()


class PresentApp(InertTextApp):
    """`tillit present` and `tillit session run`: the presenting screen (or the notes view) on its own."""

    CSS_PATH = "tillit.tcss"
    TITLE = "Tillit"
    ENABLE_COMMAND_PALETTE = False  # nothing in it a room should see

    def __init__(self, screen_factory: Callable[[PresentApp], Screen[None]], lang: str) -> None:
        super().__init__()
        self.factory = screen_factory
        self.lang = lang

    def get_default_screen(self) -> Screen[None]:
        return self.factory(self)


def make_present_app(deck: Deck, lang: str, data_dir: Path | None, start: datetime | None = None) -> PresentApp:
    return PresentApp(lambda app: PresentScreen(deck, lang, data_dir, start=start, on_leave=app.exit), lang)


def make_notes_app(course: Course, lang: str, data_dir: Path) -> PresentApp:
    return PresentApp(lambda app: NotesScreen(course, lang, data_dir), lang)
