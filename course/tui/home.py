"""The course map: every lesson with its status, best score and length, overall progress, and Continue."""

from __future__ import annotations

import textwrap

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Footer, Header, ProgressBar, Static

from course.errors import TillitError
from course.i18n import describe, formats
from course.learner.progress import Place, ShownStatus
from course.tui.base import TillitScreen, inert, inert_text
from course.tui.dialogs import ConfirmDialog

SHOWN_STATUSES: tuple[ShownStatus, ...] = ("not_started", "in_progress", "read", "completed")
SUMMARY_LINES = 4
"""The most rows the highlighted lesson's summary and the tip under the table take (tillit.tcss #summary)."""


def describe_place(screen: TillitScreen, place: Place) -> str:
    """Where a Continue goes, in words: the lesson, and the quiz question or the journal."""
    title = screen.study.course.lesson(place.lesson, screen.study.lang).title
    if place.view == "quiz":
        return screen.t("where.quiz", title=title, n=place.question + 1)
    if place.view == "reflect":
        return screen.t("where.reflect", title=title)
    if place.scroll > 0:
        return screen.t("where.lesson_pos", title=title)
    return screen.t("where.lesson", title=title)


class HomeScreen(TillitScreen):
    """The first screen: the map of the course."""

    HELP_SECTION = "help.home"
    FOOTER_FIRST = ("help", "continue", "quiz", "reflect", "journal", "quit", "language", "reset")
    BINDINGS = [
        Binding("c", "continue", "key.continue"),
        Binding("enter", "open", "key.open", show=False),
        Binding("q", "quiz", "key.quiz"),
        Binding("w", "reflect", "key.reflect"),
        Binding("f5", "app.present_highlighted", "key.present", show=False),
        Binding("r", "reset", "key.reset"),
        Binding("R", "reset_all", "key.reset_all", show=False),
        Binding("a", "about", "key.about", show=False),
        Binding("s", "assess", "key.assess", show=False),
        Binding("k", "commitments", "key.commitments", show=False),
        Binding("v", "review", "key.review", show=False),
        Binding("V", "practise", "key.practise", show=False),
    ]

    def compose(self) -> ComposeResult:
        study = self.study
        yield Header()
        yield Button("", id="continue", variant="primary")
        with Horizontal(id="overall"):
            yield ProgressBar(
                total=len(study.course.lesson_ids), show_eta=False, show_percentage=False, id="overall-bar"
            )
            yield Static(id="overall-text")
        yield Static(id="due")
        table: DataTable[Text] = DataTable(id="lessons", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="summary")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.study.course.title(self.study.lang)
        self.fill()
        self.query_one("#lessons", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refill()

    def refill(self) -> None:
        """Fill again, keeping the highlighted lesson."""
        if self.query("#lessons"):
            row = self.query_one("#lessons", DataTable).cursor_row
            self.fill()
            self.query_one("#lessons", DataTable).move_cursor(row=row)

    def fill(self) -> None:
        """Fill Continue, the progress bar and the lesson table from the study."""
        study = self.study
        place = study.continue_place()
        label = "home.continue" if study.has_started() else "home.start"
        self.query_one("#continue", Button).label = inert(self.t(label, where=describe_place(self, place)))
        done, total = study.completed_count(), len(study.course.lesson_ids)
        self.query_one("#overall-bar", ProgressBar).update(progress=done)
        self.query_one("#overall-text", Static).update(
            inert(formats.plural("home.progress", total, self.study.lang, done=done, total=total,
                                 percent=round(100 * done / total)))
        )  # fmt: skip
        # What is waiting reads a few more files: show the course map first, then this line.
        self.call_after_refresh(self.show_due)
        table: DataTable[Text] = self.query_one("#lessons", DataTable)
        table.clear(columns=True)
        status_width = max(cell_len(self.t(f"status.{s}")) for s in SHOWN_STATUSES)
        # The title takes what is left, so the table fits 80 columns, and no more than the longest title
        # needs, so that on a wide terminal the status stands beside the title, not far off to the right.
        # the last 2 leave room for the scrollbar of a course longer than the screen
        room = max(20, self.app.size.width - (2 + status_width + 5 + 3) - 2 * 5 - 3 - 2)
        longest = max(cell_len(study.course.lesson(lid, study.lang).title) for lid in study.course.lesson_ids)
        title_width = min(room, max(longest, cell_len(self.t("home.col.lesson"))))
        table.add_column("#", key="n", width=2)
        table.add_column(self.t("home.col.lesson"), key="title", width=title_width)
        table.add_column(self.t("home.col.status"), key="status", width=status_width)
        table.add_column(self.t("home.col.best"), key="best", width=5)
        table.add_column(self.t("home.col.minutes"), key="minutes", width=3)
        for n, lid in enumerate(study.course.lesson_ids, 1):
            lesson = study.course.lesson(lid, study.lang)
            best = study.best(lid)
            best_text = f"{best.points}/{best.max_points}" if best else "–"
            table.add_row(
                inert_text(str(n)),
                inert_text(lesson.title, overflow="ellipsis", no_wrap=True),
                inert_text(self.t(f"status.{study.shown_status(lid)}")),
                inert_text(best_text),
                inert_text(str(lesson.minutes), justify="right"),
                key=lid,
            )
        self.show_summary()
        self.call_after_refresh(self.fit_table)

    def fit_table(self) -> None:
        """The table as tall as its rows, as far as the screen has room, so the summary sits right under it."""
        if not self.query("#lessons"):
            return
        table = self.query_one("#lessons", DataTable)
        room = self.size.height - table.region.y - self.summary_room() - 1  # and the footer
        rows = table.row_count + 1  # and the header
        height = max(3, min(rows, room))
        if table.styles.height is None or table.styles.height.value != height:
            table.styles.height = height

    def summary_room(self) -> int:
        """Rows to keep under the table for the longest summary at this width, the tip and the margin above."""
        width = max(10, self.size.width - 2)
        lines = max(
            len(textwrap.wrap(self.study.course.lesson(lid, self.study.lang).summary, width)) or 1
            for lid in self.study.course.lesson_ids
        )
        return min(SUMMARY_LINES, lines + 1) + 1

    def show_due(self) -> None:
        if self.query("#due"):
            self.query_one("#due", Static).update(inert(self.due_line()))
            self.call_after_refresh(self.fit_table)  # the line may have wrapped onto a second row

    def due_line(self) -> str:
        """What is waiting: commitments to follow up, questions to review, or the first self-assessment."""
        practice = self.tillit.practice
        parts: list[str] = []
        try:
            commitments = len(practice.due_commitments())
            reviews = len(practice.due_reviews())
            offer = self.study.course.assessment is not None and practice.should_offer_assessment()
        except TillitError as err:
            return describe(err, self.study.lang)
        if offer:
            parts.append(self.t("home.offer_assessment"))
        if commitments:
            parts.append(formats.plural("home.commitments_due", commitments, self.study.lang))
        if reviews:
            parts.append(formats.plural("home.reviews_due", reviews, self.study.lang))
        elif reminder := practice.review_reminder(self.study.lang):  # "↻ next review: Thursday"
            parts.append(reminder)
        return " · ".join(parts) if parts else self.t("home.loop_keys")

    def selected(self) -> str:
        """The id of the highlighted lesson."""
        table = self.query_one("#lessons", DataTable)
        ids = self.study.course.lesson_ids
        return ids[min(max(table.cursor_row, 0), len(ids) - 1)]

    def show_summary(self) -> None:
        lesson = self.study.course.lesson(self.selected(), self.study.lang)
        self.query_one("#summary", Static).update(inert(f"{lesson.summary}\n{self.t('home.tip')}"))

    def on_resize(self) -> None:
        self.refill()

    def on_data_table_row_highlighted(self) -> None:
        if self.query("#summary"):
            self.show_summary()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.tillit.show(str(event.row_key.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "continue":
            self.action_continue()

    def action_continue(self) -> None:
        place = self.study.continue_place()
        self.tillit.show(place.lesson, place.view, place.scroll, resume=True)

    def action_open(self) -> None:
        self.tillit.show(self.selected())

    def action_quiz(self) -> None:
        self.tillit.show(self.selected(), "quiz")

    def action_reflect(self) -> None:
        self.tillit.show(self.selected(), "reflect")

    def action_about(self) -> None:
        self.tillit.action_about()

    def action_assess(self) -> None:
        self.tillit.action_assess()

    def action_commitments(self) -> None:
        self.tillit.action_commitments()

    def action_review(self) -> None:
        self.tillit.action_review()

    def action_practise(self) -> None:
        self.tillit.action_review(practice_mode=True)

    def action_reset(self) -> None:
        lid = self.selected()
        title = self.study.course.lesson(lid, self.study.lang).title

        def done(answer: bool | None) -> None:
            if answer:
                try:
                    self.study.reset_lesson(lid)
                except TillitError as err:
                    self.notify(describe(err, self.study.lang), severity="error", markup=False)
                    return
                self.notify(self.t("done.reset", title=title), markup=False)
                self.refill()

        self.app.push_screen(ConfirmDialog(self.t("confirm.reset", title=title), self.study.lang), done)

    def action_reset_all(self) -> None:
        def done(answer: bool | None) -> None:
            if answer:
                try:
                    self.study.reset_all()
                except TillitError as err:
                    self.notify(describe(err, self.study.lang), severity="error", markup=False)
                    return
                self.notify(self.t("done.reset_all"), markup=False)
                self.refill()

        self.app.push_screen(ConfirmDialog(self.t("confirm.reset_all"), self.study.lang), done)
