"""Facilitator mode on screen: slides for the room with the countdown always in view, and a notes view
(course.tui.notes) that follows them from a second terminal and drives them.

Everything that decides something (reveal order, answers, timers, drift) lives in course.trainer.present; these
screens show it and pass keys on. How a slide is laid out for the room is course.tui.slides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from course.content.model import Course
from course.errors import StorageError
from course.i18n import describe
from course.trainer.commands import CommandReader
from course.trainer.present import HEARTBEAT, Clock, Deck, write_state
from course.tui.base import InertTextApp, inert
from course.tui.dialogs import ConfirmDialog, JumpDialog, TextDialog
from course.tui.notes import NOTES_CSS, NotesScreen
from course.tui.slides import (
    ROOM_CSS,
    DeckView,
    Title,
    help_text,
    jump_options,
    notes_text,
    session_line,
    timer_label,
)

__all__ = ["NotesScreen", "PresentApp", "PresentScreen", "make_notes_app", "make_present_app", "session_line", "timer_label"]

COMMAND_POLL = 0.1  # how often the presenter looks for a notes view's commands (seconds)

class PresentScreen(DeckView):
    """The screen for the room: one slide at a time, the countdown always visible, the notes only when asked."""

    HELP_SECTION = "help.present"
    BINDINGS = [
        Binding("right,space,enter,pagedown,l", "next", "key.present.next", key_display="→", priority=True),
        Binding("left,backspace,pageup,h", "prev", "key.present.prev", key_display="←", priority=True),
        Binding("a", "reveal", "key.present.answer"),
        Binding("v", "reveal_all", "key.present.all"),
        Binding("t", "timer", "key.present.timer"),
        Binding("plus,equals_sign", "add_minute", "key.present.add", key_display="+", show=False),
        Binding("minus", "less_minute", "key.present.less", key_display="-", show=False),
        Binding("r", "reset_timer", "key.present.reset", show=False),
        Binding("b,full_stop", "blackout", "key.present.black"),
        Binding("g", "jump", "key.present.jump"),
        Binding("n", "notes", "key.present.notes"),
        Binding("home", "first", "key.present.first", show=False, priority=True),
        Binding("end", "last", "key.present.last", show=False, priority=True),
        Binding("f1,question_mark", "present_help", "key.help", key_display="f1"),
        Binding("escape", "leave", "key.present.leave", key_display="esc"),
        Binding("q", "leave(True)", "key.present.leave", show=False),
        # The learner's own keys stay off while a room is watching: the journal is private, the language
        # is chosen before presenting, and the command palette would list the learner's commands.
        Binding("j,f2,ctrl+p", "nothing", show=False),
        Binding("ctrl+q", "app.quit", show=False, priority=True),  # still quits, but off the footer
    ]
    WIDE_ONLY = ("prev", "notes")

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
        self.published = 0.0
        self.ended = False
        self.commands = CommandReader(data_dir, self.presenter.id) if data_dir is not None else None

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with Horizontal(id="stage"):
            with Vertical(id="room"):
                yield Title("", classes="slide-title")
                yield VerticalScroll(id="room-body")
            with VerticalScroll(id="notes-panel"):
                yield Static(id="notes-text")
        yield Static(id="blackout")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.show_slide()
        if self.commands is not None:
            self.set_interval(COMMAND_POLL, self.obey)

    def on_unmount(self) -> None:
        self.publish(ended=True)

    # --- drawing -----------------------------------------------------------------------------------

    def show_slide(self) -> None:
        self.refresh_bindings()
        p = self.presenter
        self.set_class(p.blackout, "blacked-out")
        room = self.query_one("#room", Vertical)
        old = room.query_one(Title)
        body = self.query_one("#room-body", VerticalScroll)
        with self.app.batch_update():
            old.remove()
            room.mount(self.title_widget(), before=body)
            body.remove_children()
            body.mount_all(self.slide_widgets())
        # The newest point in view; a question from its top (its answer fits below it, its explanations may not).
        show = body.scroll_home if p.slide.question is not None else body.scroll_end
        body.call_after_refresh(show, animate=False)
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
        elif time.monotonic() - self.published >= HEARTBEAT:
            self.publish()  # the heartbeat: a notes view knows the presentation is still running

    def publish(self, ended: bool = False) -> None:
        """Tell a notes view where we are (a failure is said once; presenting goes on)."""
        if self.data_dir is None or self.ended:
            return
        self.ended = ended
        self.published = time.monotonic()
        try:
            state = self.presenter.state(ended=ended)
            state["start"] = self.start.isoformat(timespec="minutes") if self.start is not None else None
            write_state(self.data_dir, state)
        except StorageError as err:
            if not self.publish_failed and not ended:
                self.publish_failed = True
                self.notify(describe(err, self.lang), severity="warning", markup=False)

    def obey(self) -> None:
        """Carry out what a notes view asked for since the last look (each command once)."""
        if self.commands is None or self.ended:
            return
        for command in self.commands.poll():
            if command == "leave":
                self.leave()
                return
            action = {"next": self.action_next, "prev": self.action_prev, "reveal": self.action_reveal,
                      "timer": self.action_timer, "blackout": self.action_blackout,
                      "add": self.action_add_minute, "less": self.action_less_minute}[command]  # fmt: skip
            action()

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
        p = self.presenter
        slide = p.slide
        if action == "reveal":
            return slide.question is not None and not p.finished
        if action == "reveal_all":
            return slide.question is None and p.shown < len(slide.steps) and not p.finished
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

    def action_leave(self, always_ask: bool = False) -> None:
        """End the presentation: esc asks once the session clock runs, q always (it is easily hit)."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.leave()

        if always_ask or self.presenter.session_started is not None:
            self.app.push_screen(ConfirmDialog(self.t("present.leave.confirm"), self.lang), answered)
        else:
            self.leave()

    def leave(self) -> None:
        self.publish(ended=True)
        if self.on_leave is not None:
            self.on_leave()
        else:
            self.app.pop_screen()


def present_help_text(lang: str) -> str:
    return help_text(PresentScreen.BINDINGS, lang, "present.help.notes")


class PresentApp(InertTextApp):
    """`tillit present` and `tillit session run`: the presenting screen (or the notes view) on its own."""

    CSS_PATH = "tillit.tcss"
    # Textual loads a screen's own CSS when it is pushed, not for the default screen: the app brings it.
    CSS = ROOM_CSS + NOTES_CSS
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
