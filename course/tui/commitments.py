"""Commitments: what a learner will try, the day it comes back, and how it went (a follow-up reflection)."""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    ListItem,
    ListView,
    Static,
    TextArea,
)

from course.errors import TillitError
from course.i18n import describe, formats, tr
from course.learner.practice import Commitment
from course.tui.base import TillitScreen, inert


class CommitDialog(ModalScreen[Commitment | None]):
    """'What will I try?': a commitment from a lesson, with a date to follow it up."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False), Binding("ctrl+s", "save", "Save", show=False)]

    def __init__(self, lesson_id: str, lang: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(inert(tr("commit.ask", self.lang)), classes="dialog-title")
            yield TextArea(id="commit-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            yield Static(inert(tr("commit.when", self.lang)))
            yield Input((date.today() + timedelta(days=7)).isoformat(), id="commit-due", compact=True, max_length=10)
            yield Static(id="commit-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("commit.save", self.lang) + " (ctrl+s)", id="ok", variant="primary")
                yield Button(tr("dialog.cancel", self.lang) + " (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#commit-text", TextArea).focus()

    def action_save(self) -> None:
        from course.tui.app import TillitApp

        text = self.query_one("#commit-text", TextArea).text.strip()
        status = self.query_one("#commit-status", Static)
        try:
            due = date.fromisoformat(self.query_one("#commit-due", Input).value.strip())
        except ValueError:
            status.update(inert(tr("commit.bad_date", self.lang)))
            return
        if not text:
            status.update(inert(tr("commit.empty", self.lang)))
            return
        app = self.app
        assert isinstance(app, TillitApp)
        try:
            commitment = app.practice.add_commitment(self.lesson_id, text, due)
        except TillitError as err:
            status.update(inert("✗ " + describe(err, self.lang)))
            return
        self.dismiss(commitment)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FollowUpDialog(ModalScreen[bool]):
    """'How did it go?': the answer becomes a reflection linked to the commitment."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False), Binding("ctrl+s", "save", "Save", show=False)]

    def __init__(self, commitment: Commitment, lang: str) -> None:
        super().__init__()
        self.commitment = commitment
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(inert(tr("commit.how", self.lang)), classes="dialog-title")
            quote = f"{tr('quote.open', self.lang)}{self.commitment.text}{tr('quote.close', self.lang)}"
            yield Static(inert(quote), classes="dialog-text")
            yield TextArea(id="follow-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            yield Static(id="follow-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("commit.done", self.lang) + " (ctrl+s)", id="ok", variant="primary")
                yield Button(tr("dialog.cancel", self.lang) + " (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#follow-text", TextArea).focus()

    def action_save(self) -> None:
        from course.tui.app import TillitApp

        text = self.query_one("#follow-text", TextArea).text
        app = self.app
        assert isinstance(app, TillitApp)
        if not text.strip():
            self.query_one("#follow-status", Static).update(inert(tr("commit.empty", self.lang)))
            return
        try:
            app.practice.complete_commitment(self.commitment, text)
        except TillitError as err:
            self.query_one("#follow-status", Static).update(inert("✗ " + describe(err, self.lang)))
            return
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_save()
        else:
            self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)


class CommitmentItem(ListItem):
    """One commitment in the list."""

    def __init__(self, commitment: Commitment, label: str) -> None:
        super().__init__(Label(inert(label)))
        self.commitment = commitment


class CommitmentsScreen(TillitScreen):
    """Open commitments (by follow-up date), then closed ones: followed up (with the start of how it went)
    or marked "didn't happen". Enter (or f) follows one up, p gives it a new date, x marks it as not done;
    the highlight stays on the commitment acted on."""

    HELP_SECTION = "help.commitments"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("f", "follow_up", "key.follow_up"),
        Binding("p", "postpone", "key.postpone"),
        Binding("x", "missed", "key.missed"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="commit-count")
        yield ListView(id="commitments")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.t("commit.title")
        self.call_later(self.fill)

    def label(self, c: Commitment, today: date) -> str:
        lang = self.study.lang
        course = self.study.course
        title = course.lesson(c.lesson, lang).title if c.lesson in course.lesson_ids else c.lesson
        if c.done is None:
            mark = "⏰" if c.due <= today else "○"
            head = f"{mark} {self.t('commit.due', day=formats.day(c.due, lang))} · {title}"
            if c.postponed:
                head += " · " + formats.plural("commit.postponed", len(c.postponed), lang)
            return f"{head}\n   {c.text}"
        closed = formats.day(c.done.astimezone().date(), lang)
        if c.missed:
            return f"✗ {self.t('commit.missed_on', day=closed)} · {title}\n   {c.text}"
        lines = [f"✓ {self.t('commit.done_on', day=closed)} · {title}", f"   {c.text}"]
        answer = self.study.journal.get(c.lesson, c.follow_up) if c.follow_up else None
        if answer is not None:
            first = next((line.strip() for line in answer.text.splitlines() if line.strip()), "")
            lines.append(f"   → {first}")
        return "\n".join(lines)

    async def fill(self, keep: str = "") -> None:
        """List the commitments again, the highlight on `keep` (a commitment id) or where it was."""
        view = self.query_one("#commitments", ListView)
        current = self.current()
        keep = keep or (current.id if current is not None else "")
        today = date.today()
        items = self.tillit.practice.commitments()
        await view.clear()
        for c in items:
            await view.append(CommitmentItem(c, self.label(c, today)))
        open_count = sum(1 for c in items if c.done is None)
        lang = self.study.lang
        counts = (
            f"{formats.plural('commit.open', open_count, lang)}, "
            f"{formats.plural('commit.closed', len(items) - open_count, lang)} · {self.t('commit.keys')}"
        )
        self.query_one("#commit-count", Static).update(inert(counts if items else self.t("commit.none")))
        view.focus()
        if items:
            ids = [c.id for c in items]
            view.index = ids.index(keep) if keep in ids else 0

    def current(self) -> Commitment | None:
        """The highlighted commitment."""
        views = self.query("#commitments")
        if not views:
            return None
        item = self.query_one("#commitments", ListView).highlighted_child
        return item.commitment if isinstance(item, CommitmentItem) else None

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        self.action_follow_up()

    def action_follow_up(self) -> None:
        c = self.current()
        if c is None:
            return
        if c.done is not None:
            self.notify(self.t("commit.closed_already"), markup=False)
            return

        def done(finished: bool | None) -> None:
            if finished:
                self.notify(self.t("commit.followed_up"), markup=False)
                self.call_later(self.fill, c.id)

        self.app.push_screen(FollowUpDialog(c, self.study.lang), done)

    def action_postpone(self) -> None:
        c = self.current()
        if c is None:
            return
        if c.done is not None and not c.missed:
            self.notify(self.t("commit.closed_already"), markup=False)
            return
        from course.tui.dialogs import AskDialog

        suggested = max(c.due, date.today()) + timedelta(days=7)

        def answered(value: str | None) -> None:
            if value is None:
                return
            try:
                due = date.fromisoformat(value.strip())
            except ValueError:
                self.notify(self.t("commit.bad_date"), severity="warning", markup=False)
                return
            try:
                moved = self.tillit.practice.postpone_commitment(c, due)
            except TillitError as err:
                self.notify(describe(err, self.study.lang), severity="error", markup=False)
                return
            self.notify(self.t("commit.postponed_to", day=formats.day(moved.due, self.study.lang)), markup=False)
            self.call_later(self.fill, c.id)

        self.app.push_screen(AskDialog(self.t("commit.postpone_ask"), suggested.isoformat(), self.study.lang), answered)

    async def action_missed(self) -> None:
        c = self.current()
        if c is None:
            return
        if c.done is not None:
            self.notify(self.t("commit.closed_already"), markup=False)
            return
        try:
            self.tillit.practice.mark_missed(c)
        except TillitError as err:
            self.notify(describe(err, self.study.lang), severity="error", markup=False)
            return
        self.notify(self.t("commit.marked_missed"), markup=False)
        await self.fill(c.id)

    def action_back(self) -> None:
        self.app.pop_screen()
