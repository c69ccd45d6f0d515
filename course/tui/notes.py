"""The speaker view (`tillit present --notes`): on the trainer's laptop, beside a presentation on the projector.

It follows the presenter through the state file in the data folder's present/ folder, shows the notes, the
answer key and the same timers, and drives the presentation: its keys are sent to the presenter through the
command channel (course.trainer.commands). It notices when the presentation has ended and says so.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from course.content.model import Course
from course.errors import StorageError, TillitError
from course.i18n import describe
from course.trainer.commands import CommandSender
from course.trainer.present import (
    Clock,
    Deck,
    Followed,
    Presenter,
    deck_for_lessons,
    deck_for_plan,
    read_state,
    state_path,
)
from course.tui.base import inert
from course.tui.dialogs import ConfirmDialog, TextDialog
from course.tui.slides import DeckView, help_text, notes_text, slide_name

FOLLOW = 0.3  # how often a notes view looks at the presenter's state

NOTES_CSS = """
NotesScreen.waiting #present-bar { display: none; }
"""


class NotesScreen(DeckView):
    """The trainer's own view in a second terminal: it follows the presenting screen, shows the notes, the
    answer key and the same timers, and its keys drive the presentation."""

    CSS = DeckView.CSS + NOTES_CSS
    BINDINGS = [
        Binding("right,space,enter,pagedown,l", "send('next')", "key.present.next", key_display="→", priority=True),
        Binding("left,backspace,pageup,h", "send('prev')", "key.present.prev", key_display="←", priority=True),
        Binding("a", "send('reveal')", "key.present.answer"),
        Binding("t", "send('timer')", "key.present.timer"),
        Binding("b,full_stop", "send('blackout')", "key.present.black"),
        Binding("plus,equals_sign", "send('add')", "key.present.add", key_display="+", show=False),
        Binding("minus", "send('less')", "key.present.less", key_display="-", show=False),
        Binding("f1,question_mark", "notes_help", "key.help", key_display="f1"),
        Binding("escape", "end", "key.present.leave", key_display="esc"),
        Binding("q", "close", "key.notes.close"),
    ]
    WIDE_ONLY = ("send('prev')",)

    def __init__(self, course: Course, lang: str, data_dir: Path, clock: Clock = time.monotonic) -> None:
        super().__init__(deck_for_lessons(course, lang, course.lesson_ids[:1]), lang, clock)
        self.course = course
        self.data_dir = data_dir
        self.seen: bytes | None = None
        self.state: Followed | None = None
        self.read_at = 0.0
        self.following = False
        self.sender = CommandSender(data_dir)

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with VerticalScroll(id="notes-view"):
            yield Static(id="notes-status", classes="notes-status")
            yield Static(id="notes-slide", classes="slide-title")
            yield Static(id="notes-text")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.add_class("waiting")
        self.set_interval(FOLLOW, self.follow)
        self.follow()

    def status(self, text: str) -> None:
        self.query_one("#notes-status", Static).update(inert(text))

    def follow(self) -> None:
        # The file's bytes, not its time and size: a coarse clock can give two states the same of both.
        try:
            stamp: bytes | None = state_path(self.data_dir).read_bytes()
        except OSError:
            stamp = None
        if stamp is None or stamp != self.seen:
            self.seen = stamp
            self.state = read_state(self.data_dir)
            self.read_at = time.time()
            if self.state is not None and self.state.alive():
                self.track(self.state)
                return
        state = self.state
        if state is None:
            self.stop(self.t("present.notes.waiting"))
        elif not state.alive(later=time.time() - self.read_at):
            self.stop(self.t("present.notes.ended"))

    def stop(self, why: str) -> None:
        """No presentation to follow: say why, and stop the timers."""
        self.presenter.countdown.pause()
        self.presenter.session_started = None
        self.following = False
        self.add_class("waiting")
        self.status(why)
        self.refresh_bindings()

    def track(self, state: Followed) -> None:
        if state.source != self.deck.source:
            try:
                self.deck = self._deck_from(state.source)
            except (TillitError, KeyError) as err:  # a plan that no longer reads: say so, keep waiting
                self.following = False
                self.status(describe(err, self.lang))
                return
            self.presenter = Presenter(self.deck, self.presenter.clock)
        state.apply(self.presenter)
        self.start = _start(state.start)
        self.following = True
        self.remove_class("waiting")
        self.show_notes()
        self.refresh_bindings()

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
        if p.finished:
            room.append(self.t("present.notes.room_end"))
        elif p.slide.question is not None:
            if p.explained:
                room.append(self.t("present.notes.room_explained"))
            else:
                room.append(self.t("present.notes.room_answer" if p.answer else "present.notes.room_question"))
        elif p.slide.steps:
            room.append(self.t("present.notes.steps", shown=p.shown, total=len(p.slide.steps)))
        self.status("  ·  ".join(room))
        self.query_one("#notes-slide", Static).update(inert(f"{p.index + 1}. {slide_name(p.slide, self.lang)}"))
        self.query_one("#notes-text", Static).update(inert(notes_text(p, self.lang)))
        self.show_place()

    # --- keys --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that drive the presentation are offered while there is one to drive (the answer on a
        question only)."""
        if action == "send":
            if parameters == ("reveal",):
                return self.following and self.presenter.slide.question is not None and not self.presenter.finished
            return self.following
        return True

    def action_send(self, command: str) -> None:
        """Ask the presenter to do what this key does there."""
        state = self.state
        if not self.following or state is None:
            return  # the footer does not offer it then
        try:
            self.sender.send(state.presenter, command)
        except StorageError as err:
            self.notify(describe(err, self.lang), severity="error", markup=False)

    def action_end(self) -> None:
        """esc: end the presentation (after asking); with none running, close this view."""
        if not self.following:
            self.app.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_send("leave")

        self.app.push_screen(ConfirmDialog(self.t("present.leave.confirm"), self.lang), answered)

    def action_close(self) -> None:
        self.app.exit()

    def action_notes_help(self) -> None:
        self.app.push_screen(TextDialog(self.t("help.notes"), notes_help_text(self.lang), self.lang))


def _start(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def notes_help_text(lang: str) -> str:
    return help_text(NotesScreen.BINDINGS, lang, "present.notes.help")
