"""Modal dialogs: a yes/no confirmation, the help screen listing every key, and the About page."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from course.i18n import tr


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with the answer."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, lang: str) -> None:
        super().__init__()
        self.question = question
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("key.yes", self.lang) + " (y)", id="yes", variant="error")
                yield Button(tr("key.no", self.lang) + " (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextDialog(ModalScreen[None]):
    """A scrollable page of plain text (help, about) that any key in BINDINGS closes."""

    BINDINGS = [Binding("escape,q,question_mark,f1,enter", "close", "Close", show=False)]

    def __init__(self, title: str, body: str, lang: str) -> None:
        super().__init__()
        self.heading = title
        self.body = body
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Content(self.heading), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(Content(self.body))
            yield Button(tr("help.close", self.lang) + " (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one(".dialog-body", VerticalScroll).focus()  # arrows and page keys scroll at once

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
