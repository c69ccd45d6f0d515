"""Modal dialogs: a yes/no confirmation, the help screen listing every key, and the About page.

Every dialog (a ModalScreen, here or in a screen's own module) is centred on the screen by
tillit.tcss, at any terminal size."""

from __future__ import annotations

import contextlib

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from course.i18n import tr
from course.tui.base import editable, inert


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with the answer. "No" has the focus, so Enter never does harm.

    `yes` and `no` name the two answers when plain Yes and No would not say what happens
    ("Replace", "Choose another name"); y and n still give them.
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, lang: str, yes: str = "", no: str = "") -> None:
        super().__init__()
        self.question = question
        self.lang = lang
        self.yes = yes or tr("key.yes", lang)
        self.no = no or tr("key.no", lang)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(inert(self.question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(inert(self.yes + " (y)"), id="yes", variant="error")
                yield Button(inert(self.no + " (n)"), id="no", variant="primary")

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
            yield Static(inert(self.heading), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(inert(self.body))
            yield Button(tr("help.close", self.lang) + " (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one(".dialog-body", VerticalScroll).focus()  # arrows and page keys scroll at once

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class AskDialog(ModalScreen[str | None]):
    """Ask for one line of text; dismisses with it, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, question: str, value: str, lang: str) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(inert(self.question), classes="dialog-text")
            yield Input(editable(self.value), id="answer")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("dialog.ok", self.lang) + " ⏎", id="ok", variant="primary")
                yield Button(tr("dialog.cancel", self.lang) + " (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def on_input_submitted(self) -> None:
        self.dismiss(self.query_one("#answer", Input).value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one("#answer", Input).value if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ColumnsDialog(ModalScreen[None]):
    """Texts side by side in columns (oldest left), every word wrapped inside its column.

    The columns share the dialog's width; when that would make them narrower than MIN_COLUMN cells
    (many answers, or a small terminal) they are stacked instead, oldest first, and scroll up and down.
    """

    BINDINGS = [Binding("escape,q,enter", "close", "Close", show=False)]
    MIN_COLUMN = 26  # cells of text: narrower columns read as a list of single words

    def __init__(self, title: str, lead: str, columns: list[tuple[str, str]], lang: str) -> None:
        super().__init__()
        self.heading = title
        self.lead = lead
        self.columns = columns
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog full"):
            yield Static(inert(self.heading), classes="dialog-title")
            yield Static(inert(self.lead), classes="dialog-text")
            with VerticalScroll(id="columns"), Horizontal(id="columns-row"):
                for head, body in self.columns:
                    with Vertical(classes="column"):
                        yield Static(inert(head), classes="column-head")
                        yield Static(inert(body), classes="column-body")
            yield Button(tr("help.close", self.lang) + " (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#columns", VerticalScroll).focus()
        self.lay_out_columns()

    def on_resize(self) -> None:
        self.call_after_refresh(self.lay_out_columns)  # once the new size is laid out

    def lay_out_columns(self) -> None:
        """Side by side when every column gets MIN_COLUMN cells (and the gap between them), else stacked."""
        width = self.query_one("#columns", VerticalScroll).scrollable_content_region.width
        if not width:  # not laid out yet: once it is, look again
            self.call_after_refresh(self.lay_out_columns)
            return
        count = max(1, len(self.columns))
        stacked = count > 1 and width < count * (self.MIN_COLUMN + 2)
        self.query_one("#columns-row", Horizontal).set_class(stacked, "stacked")

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class JumpDialog(ModalScreen[int | None]):
    """A list to jump to (slides, results): options whose ids are positions; Enter goes there, Escape stays."""

    BINDINGS = [Binding("escape,g,q", "close", "Close", show=False)]

    def __init__(self, title: str, options: list[Option], current: int) -> None:
        super().__init__()
        self.heading = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(inert(self.heading), classes="dialog-title")
            yield OptionList(*self.options, id="jump-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        with contextlib.suppress(OptionDoesNotExist):
            options.highlighted = options.get_option_index(str(self.current))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.dismiss(int(event.option.id))

    def action_close(self) -> None:
        self.dismiss(None)
