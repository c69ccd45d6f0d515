"""The learning loop: spaced review of missed questions, the self-assessment over time, and commitments."""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    ListItem,
    ListView,
    RadioButton,
    RadioSet,
    Sparkline,
    Static,
    TextArea,
)

from course.content.quiz import Question
from course.errors import TillitError
from course.i18n import describe, formats, tr
from course.learner.practice import Commitment
from course.tui.base import TillitScreen, inert
from course.tui.quiz import QuizScreen


class ReviewScreen(QuizScreen):
    """Questions answered wrong before, one at a time; practice mode leaves the schedule alone."""

    HELP_SECTION = "help.review"

    def __init__(self, items: list[tuple[str, Question]], practice_mode: bool = False) -> None:
        super().__init__(items[0][0] if items else "")
        self.items = items
        self.practice_mode = practice_mode
        self.right = 0

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for _, q in self.items)

    def resume(self) -> bool:
        self.index = 0
        return bool(self.items)

    def remember(self) -> None:
        """A review does not move the learner's place in the course."""

    def screen_title(self) -> str:
        key = "review.title_practice" if self.practice_mode else "review.title"
        return self.t(key)

    def record_answer(self, right: bool) -> None:
        self.lesson_id = self.items[self.index][0]
        self.right += right
        if not self.practice_mode:
            self.schedule(self.lesson_id, right)

    async def finish(self) -> None:
        self.all_answered = False
        self.phase = "result"
        await self.redraw()

    def compose_result(self) -> ComposeResult:
        yield Static(inert(self.t("review.done", right=self.right, total=len(self.items))), id="score")
        if not self.practice_mode:
            yield Static(inert(self.t("review.schedule")), id="attempts")
        with Horizontal(id="result-buttons"):
            yield Button(self.t("review.back") + " (esc)", id="to-lesson", variant="primary")

    def action_back(self) -> None:
        self.app.pop_screen()

    async def action_retry(self) -> None:
        """Retrying belongs to a lesson's quiz, not to a review."""

    def action_reflect(self) -> None:
        """Reflection belongs to a lesson."""

    def action_next_lesson(self) -> None:
        """A review has no next lesson."""

    def action_commit(self) -> None:
        """Commitments come from lessons."""


class AssessmentScreen(TillitScreen):
    """Rate the seven behaviours 1–5 with an optional note; see every earlier rating over time."""

    HELP_SECTION = "help.assessment"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("ctrl+s", "save", "key.save"),
    ]

    def compose(self) -> ComposeResult:
        study = self.study
        content = study.course.assessment
        assert content is not None
        lang = study.course.pick_lang(study.lang)
        yield Header()
        with VerticalScroll(id="assessment"):
            yield Static(inert(content.intro.get(lang, "")), classes="intro")
            history = self.tillit.practice.series(study.lang)
            if any(points for _, points in history):
                yield Static(inert(self.t("assess.history")), classes="section-title")
                for name, points in history:
                    values = [float(v) for _, v in points]
                    with Horizontal(classes="history-row"):
                        yield Label(inert(name), classes="history-name")
                        yield Sparkline(values, classes="history-spark")
                        trail = " → ".join(str(v) for _, v in points[-6:])
                        since = formats.day(points[0][0], study.lang) if points else ""
                        yield Label(inert(f"{trail}  ({self.t('assess.since', day=since)})"), classes="history-values")
            yield Static(inert(self.t("assess.new")), classes="section-title")
            scale = content.scale.get(lang, ())
            yield Static(inert("   ".join(f"{n} = {label}" for n, label in enumerate(scale, 1))), classes="scale")
            for statement in content.statements:
                yield Static(inert(statement.behaviour.get(lang, statement.id)), classes="behaviour")
                yield Static(inert(statement.text.get(lang, "")), classes="statement")
                with RadioSet(id=f"r-{statement.id}", classes="rating"):
                    for n in range(1, 6):
                        yield RadioButton(str(n), name=str(n))
                yield Input(placeholder=self.t("assess.note"), id=f"n-{statement.id}", compact=True)
            yield Static(id="assess-status")
            yield Button(self.t("assess.save") + " (ctrl+s)", id="save", variant="primary")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.t("assess.title")

    def ratings(self) -> tuple[dict[str, int], dict[str, str]]:
        content = self.study.course.assessment
        assert content is not None
        ratings: dict[str, int] = {}
        notes: dict[str, str] = {}
        for statement in content.statements:
            pressed = self.query_one(f"#r-{statement.id}", RadioSet).pressed_button
            if pressed is not None and pressed.name:
                ratings[statement.id] = int(pressed.name)
            note = self.query_one(f"#n-{statement.id}", Input).value.strip()
            if note:
                notes[statement.id] = note
        return ratings, notes

    def action_save(self) -> None:
        content = self.study.course.assessment
        assert content is not None
        ratings, notes = self.ratings()
        status = self.query_one("#assess-status", Static)
        if len(ratings) < len(content.statements):
            status.update(inert(self.t("assess.missing", n=len(content.statements) - len(ratings))))
            return
        try:
            self.tillit.practice.add_assessment(ratings, notes)
        except TillitError as err:
            status.update(inert("✗ " + describe(err, self.study.lang)))
            return
        self.notify(self.t("assess.saved"), markup=False)
        revisit = [lid for st in content.statements if ratings.get(st.id, 5) <= 2 for lid in st.lessons]
        if revisit:
            ids = self.study.course.lesson_ids
            names = [
                f"{ids.index(lid) + 1}. {self.study.course.lesson(lid, self.study.lang).title}"
                for lid in dict.fromkeys(revisit)
                if lid in ids
            ]
            self.notify(self.t("assess.revisit", lessons="; ".join(names)), markup=False, timeout=20)
        self.app.pop_screen()
        self.app.push_screen(AssessmentScreen())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()

    def action_back(self) -> None:
        self.app.pop_screen()


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
            yield Static(inert(f"“{self.commitment.text}”"), classes="dialog-text")
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
    """Open commitments (by follow-up date) and done ones; enter follows one up."""

    HELP_SECTION = "help.commitments"
    BINDINGS = [Binding("escape", "back", "key.back")]

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

    async def fill(self) -> None:
        practice = self.tillit.practice
        today = date.today()
        items = practice.commitments()
        view = self.query_one("#commitments", ListView)
        await view.clear()
        open_count = 0
        for c in items:
            title = (
                self.study.course.lesson(c.lesson, self.study.lang).title
                if c.lesson in self.study.course.lesson_ids
                else c.lesson
            )
            if c.done is None:
                open_count += 1
                mark = "⏰" if c.due <= today else "○"
                label = f"{mark} {self.t('commit.due', day=formats.day(c.due, self.study.lang))} · {title}\n   {c.text}"
            else:
                label = (
                    f"✓ {self.t('commit.done_on', day=formats.day(c.done.astimezone().date(), self.study.lang))} · {title}\n   {c.text}"
                )
            await view.append(CommitmentItem(c, label))
        self.query_one("#commit-count", Static).update(
            inert(
                self.t("commit.count", open=open_count, done=len(items) - open_count)
                if items
                else self.t("commit.none")
            )
        )
        view.focus()
        if items:
            view.index = 0

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if isinstance(event.item, CommitmentItem) and event.item.commitment.done is None:

            def done(finished: bool | None) -> None:
                if finished:
                    self.notify(self.t("commit.followed_up"), markup=False)
                    self.call_later(self.fill)

            self.app.push_screen(FollowUpDialog(event.item.commitment, self.study.lang), done)

    def action_back(self) -> None:
        self.app.pop_screen()
