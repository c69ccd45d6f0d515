"""The learning loop: spaced review of quiz questions, the self-assessment over time, and commitments."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    Static,
)

from course.content.quiz import Question
from course.errors import TillitError
from course.i18n import describe, formats
from course.learner.practice import RATING_MAX, RATING_MIN
from course.tui.base import TillitScreen, editable, inert
from course.tui.quiz import QuizScreen


class ReviewScreen(QuizScreen):
    """The quiz questions FSRS says are due, one at a time, then how likely each lesson is still remembered;
    practice mode (every scheduled question) leaves the schedule alone."""

    HELP_SECTION = "help.review"
    DEFAULT_CSS = """
    ReviewScreen #remembered {
        margin-top: 1;
    }
    """

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
        lines = self.remembered_lines()
        if lines:
            yield Static(inert("\n".join([self.t("review.remembered"), *lines])), id="remembered")
        with Horizontal(id="result-buttons"):
            yield Button(self.t("review.back") + " (esc)", id="to-lesson", variant="primary")

    def remembered_lines(self) -> list[str]:
        """FSRS's "likely remembered" now for each lesson this review asked about, in course order."""
        practice = self.tillit.practice
        chances = practice.remembered()
        course = self.study.course
        asked = {lid for lid, _ in self.items}
        lines: list[str] = []
        for n, lid in enumerate(course.lesson_ids, 1):
            if lid in asked and lid in chances:
                percent = formats.percent(round(100 * chances[lid]), self.study.lang)
                title = course.lesson(lid, self.study.lang).title
                lines.append(self.t("review.remembered_line", n=n, title=title, percent=percent))
        reminder = practice.review_reminder(self.study.lang)
        if lines and reminder:
            lines.append(reminder)
        return lines

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


SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 16  # the latest ratings a history row draws, one cell each


def spark(ratings: Sequence[int], width: int = SPARK_WIDTH) -> str:
    """The latest `width` ratings, one cell each, on the fixed 1–5 scale: 1 is the lowest bar, 5 the full one.

    (Textual's Sparkline scales a row to its own lowest and highest value, so 5 → 5 drew as the lowest.)"""
    top = len(SPARK_BARS) - 1
    return "".join(
        SPARK_BARS[round((min(max(r, RATING_MIN), RATING_MAX) - RATING_MIN) * top / (RATING_MAX - RATING_MIN))]
        for r in ratings[-width:]
    )


class RatingRow(Widget, can_focus=True):
    """One statement's rating from 1 to 5: ○ for a value not chosen, ● for the chosen one (in reverse too),
    ▸ in front while it has focus, so the choice reads without colour (NO_COLOR, a screen capture).

    ←/→ change the rating, ↑/↓ (and enter) go to the statement above or below; 1–5 are the screen's."""

    DEFAULT_CSS = """
    RatingRow {
        height: 1;
        width: 1fr;
    }
    RatingRow:focus {
        background: $boost;
    }
    """
    BINDINGS = [
        Binding("left", "change(-1)", show=False),
        Binding("right", "change(1)", show=False),
        Binding("up", "step(-1)", show=False),
        Binding("down,enter", "step(1)", show=False),
    ]
    CELL = 5  # "○ 1" and two spaces
    LEAD = 2  # "▸ "

    value: reactive[int | None] = reactive(None)

    class Changed(Message):
        """The rating of a statement changed."""

        def __init__(self, row: RatingRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, statement_id: str, scale: Sequence[str], value: int | None = None) -> None:
        super().__init__(id=f"r-{statement_id}", classes="rating-row")
        self.statement_id = statement_id
        self.scale = tuple(scale)
        self.set_reactive(RatingRow.value, value)

    def render(self) -> Content:
        parts = [inert("▸ " if self.has_focus else "  ")]
        for n in range(RATING_MIN, RATING_MAX + 1):
            if n == self.value:
                parts.append(inert(f"● {n}").stylize("bold reverse"))
            else:
                parts.append(inert(f"○ {n}").stylize("dim"))
            parts.append(inert("  "))
        if self.value is not None and len(self.scale) >= self.value:
            parts.append(inert(f" {self.scale[self.value - 1]}").stylize("italic"))
        return Content("").join(parts)

    def watch_value(self) -> None:
        self.post_message(self.Changed(self))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        n, inside = divmod(event.x - self.LEAD, self.CELL)
        if event.x >= self.LEAD and inside < 3 and 0 <= n <= RATING_MAX - RATING_MIN:
            self.value = RATING_MIN + n
        self.focus()

    def action_change(self, delta: int) -> None:
        if self.value is None:
            self.value = RATING_MIN if delta > 0 else RATING_MAX
        else:
            self.value = min(max(self.value + delta, RATING_MIN), RATING_MAX)

    def action_step(self, delta: int) -> None:
        screen = self.screen
        if isinstance(screen, AssessmentScreen):
            screen.step_from(self.statement_id, delta)


class NoteInput(Input):
    """A statement's note; ↑/↓ go to the rating above or below, as they do on a rating."""

    BINDINGS = [Binding("up", "step(-1)", show=False), Binding("down", "step(1)", show=False)]

    def __init__(self, statement_id: str, value: str, placeholder: str) -> None:
        super().__init__(editable(value), placeholder=placeholder, id=f"n-{statement_id}", compact=True)
        self.statement_id = statement_id

    def action_step(self, delta: int) -> None:
        screen = self.screen
        if isinstance(screen, AssessmentScreen):
            screen.step_from(self.statement_id, delta, from_note=True)


class AssessmentScreen(TillitScreen):
    """Rate the seven behaviours 1–5 with an optional note; see every earlier rating and note over time.

    The first statement has focus at once: 1–5 rate the statement with focus and go on to the next, so
    seven keys rate all seven; ↑/↓ move between statements, ←/→ change a rating, tab reaches the note."""

    HELP_SECTION = "help.assessment"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("ctrl+s", "save", "key.save"),
        *[
            Binding(str(n), f"rate({n})", "key.rate", show=n == RATING_MIN, key_display="1–5")
            for n in range(RATING_MIN, RATING_MAX + 1)
        ],
    ]

    def __init__(self, just_saved: bool = False) -> None:
        super().__init__()
        self.just_saved = just_saved  # opened again after a save: the history stays in sight at the top
        self.draft: dict[str, int] = {}  # what is chosen so far, kept when f2 rebuilds the screen
        self.draft_notes: dict[str, str] = {}
        self.focus_on = ""  # the statement whose rating (or note) had focus

    def compose(self) -> ComposeResult:
        study = self.study
        content = study.course.assessment
        assert content is not None
        lang = study.course.pick_lang(study.lang)
        yield Header()
        with VerticalScroll(id="assessment"):
            yield Static(inert(content.intro.get(lang, "")), classes="intro")
            history = self.tillit.practice.history(study.lang)
            if any(h.points or h.notes for h in history):
                yield Static(inert(self.t("assess.history")), classes="section-title")
                for h in history:
                    with Horizontal(classes="history-row"):
                        yield Label(inert(h.name), classes="history-name")
                        yield Static(inert(spark([v for _, v in h.points])), classes="history-spark")
                        trail = " → ".join(str(v) for _, v in h.points[-6:])
                        since = self.t("assess.since", day=formats.day(h.points[0][0], study.lang)) if h.points else ""
                        yield Label(inert(f"{trail}  ({since})" if since else ""), classes="history-values")
                    for day, rating, note in reversed(h.notes):
                        yield Static(
                            inert(
                                self.t(
                                    "assess.note_line",
                                    day=formats.day(day, study.lang),
                                    rating="–" if rating is None else rating,
                                    note=note,
                                )
                            ),
                            classes="history-note",
                        )
            yield Static(inert(self.t("assess.new")), classes="section-title")
            scale = content.scale.get(lang, ())
            yield Static(inert("   ".join(f"{n} = {label}" for n, label in enumerate(scale, 1))), classes="scale")
            yield Static(inert(self.t("assess.keys")), classes="assess-keys")
            for statement in content.statements:
                with Vertical(classes="statement-block"):
                    yield Static(inert(statement.behaviour.get(lang, statement.id)), classes="behaviour")
                    yield Static(inert(statement.text.get(lang, "")), classes="statement")
                    yield RatingRow(statement.id, scale, self.draft.get(statement.id))
                    yield NoteInput(statement.id, self.draft_notes.get(statement.id, ""), self.t("assess.note"))
            yield Static(id="assess-status")
            yield Button(self.t("assess.save") + " (ctrl+s)", id="save", variant="primary")
        yield Footer(show_command_palette=False)

    DEFAULT_CSS = """
    AssessmentScreen #assessment > * {
        max-width: 100;  /* a comfortable measure on a wide terminal, as a lesson's */
    }
    AssessmentScreen .history-note {
        color: $text-muted;
        padding-left: 2;
    }
    AssessmentScreen .assess-keys {
        color: $text-muted;
    }
    AssessmentScreen .statement-block {
        height: auto;
    }
    """

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.t("assess.title")
        rows = list(self.query(RatingRow))
        target = next((r for r in rows if r.statement_id == self.focus_on), None)
        if target is None:
            target = next((r for r in rows if r.value is None), rows[0] if rows else None)
        if target is not None:
            target.focus(scroll_visible=False)
            if not self.just_saved:
                self.call_after_refresh(self.show_statement, target)
        self.show_progress()

    def show_statement(self, row: RatingRow, tries: int = 5) -> None:
        """Scroll the statement of `row` (its behaviour, text, rating and note) into view, once it is laid out."""
        block = row.parent
        if not isinstance(block, Widget) or not row.is_attached:
            return
        if not block.region and tries:  # just recomposed (f2): not laid out yet
            self.call_after_refresh(self.show_statement, row, tries - 1)
            return
        block.scroll_visible(animate=False)

    def rows(self) -> list[RatingRow]:
        return list(self.query(RatingRow))

    def step_from(self, statement_id: str, delta: int, from_note: bool = False) -> None:
        """Focus the rating `delta` statements on from `statement_id` (from a note, ↑ is its own rating);
        past the last one the save button, before the first one the top of the screen."""
        rows = self.rows()
        ids = [r.statement_id for r in rows]
        here = ids.index(statement_id)
        there = here if from_note and delta < 0 else here + delta
        if there >= len(rows):
            self.query_one("#save", Button).focus()
        elif there < 0:
            self.query_one("#assessment", VerticalScroll).scroll_home(animate=False)
        else:
            rows[there].focus()
            self.call_after_refresh(self.show_statement, rows[there])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate" and not isinstance(self.focused, RatingRow):
            return None  # shown greyed (and does nothing) when no statement has focus
        return True

    def action_rate(self, value: int) -> None:
        """Rate the statement with focus and go on to the next (the save button after the last)."""
        row = self.focused
        if isinstance(row, RatingRow):
            row.value = value
            self.step_from(row.statement_id, 1)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, (RatingRow, NoteInput)):
            self.focus_on = widget.statement_id
        self.refresh_bindings()

    def on_rating_row_changed(self, event: RatingRow.Changed) -> None:
        if event.row.value is None:
            self.draft.pop(event.row.statement_id, None)
        else:
            self.draft[event.row.statement_id] = event.row.value
        self.show_progress()

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, NoteInput):
            self.draft_notes[event.input.statement_id] = event.value

    def show_progress(self) -> None:
        content = self.study.course.assessment
        if content is None or not self.query("#assess-status"):
            return
        total = len(content.statements)
        rated = sum(1 for s in content.statements if s.id in self.draft)
        self.query_one("#assess-status", Static).update(inert(self.t("assess.progress", n=rated, total=total)))

    def ratings(self) -> tuple[dict[str, int], dict[str, str]]:
        ratings: dict[str, int] = {}
        notes: dict[str, str] = {}
        for row in self.rows():
            if row.value is not None:
                ratings[row.statement_id] = row.value
        for note in self.query(NoteInput):
            if note.value.strip():
                notes[note.statement_id] = note.value.strip()
        return ratings, notes

    def action_save(self) -> None:
        content = self.study.course.assessment
        assert content is not None
        ratings, notes = self.ratings()
        status = self.query_one("#assess-status", Static)
        if len(ratings) < len(content.statements):
            status.update(inert(self.t("assess.missing", n=len(content.statements) - len(ratings))))
            first_missing = next(r for r in self.rows() if r.value is None)
            first_missing.focus()
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
        self.app.push_screen(AssessmentScreen(just_saved=True))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()

    def action_back(self) -> None:
        self.app.pop_screen()
