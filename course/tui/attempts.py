"""A quiz attempt looked back on: the question-by-question summary, every past attempt listed and each
reviewed read-only, in the order that attempt showed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option as ListOption

from course.content.quiz import Option, Reviewed, review
from course.i18n import formats
from course.learner.progress import Attempt
from course.tui.base import TillitScreen, inert
from course.tui.fitting import MEASURE, fitted_bindings

if TYPE_CHECKING:
    pass

def summary(screen: TillitScreen, rows: Sequence[Reviewed], gone: int) -> ComposeResult:
    """The attempt question by question: right or missed, the learner's answer, the right one and why.

    Options carry the numbers the attempt showed them with, so the summary reads like the questions did."""
    t = screen.t
    yield Static(inert(t("quiz.review.heading")), classes="review-heading")
    for row in rows:
        mark = "✓" if row.right else "✗"
        yield Static(
            inert(f"{mark} {row.number}. {row.question.text}"),
            classes="review-question " + ("right" if row.right else "wrong"),
        )
        lines: list[str] = []
        if not row.answered:
            lines.append(t("quiz.review.unanswered"))
        else:
            lines += _listed(screen, "quiz.review.yours", row.picked, row)
            if not row.right:
                lines += _listed(screen, "quiz.review.right", row.correct, row)
        yield Static(inert("\n".join(lines)), classes="review-answer")
        if row.answered and not row.right:
            for text in row.explanations:
                yield Static(inert(text), classes="explain review-explain")
    if gone:
        yield Static(inert(formats.plural("quiz.review.gone", gone, screen.study.lang)), classes="review-note")


def _listed(screen: TillitScreen, key: str, options: Sequence[Option], row: Reviewed) -> list[str]:
    """The text of `key` with the first option in it, each further one on a line of its own under the first
    ("Your answer: 2. …")."""
    items = [f"{row.position(o.id)}. {o.text}" for o in options] or ["–"]
    indent = " " * cell_len(screen.t(key, answer=""))
    return [screen.t(key, answer=items[0]), *(indent + item for item in items[1:])]


def missed_line(screen: TillitScreen, rows: Sequence[Reviewed]) -> str:
    """Which questions were missed, in one sentence pointing at the summary below."""
    missed = [str(r.number) for r in rows if not r.right]
    if not missed:
        return screen.t("quiz.review.all_right")
    return formats.plural("quiz.review.missed", len(missed), screen.study.lang, numbers=", ".join(missed))


class AttemptsScreen(TillitScreen):
    """The finished attempts at one lesson's quiz, newest first; Enter opens one for review (read-only).

    Also meant for the lesson screen: push AttemptsScreen(lesson_id)."""

    DEFAULT_CSS = f"""
    #attempts-body {{
        height: 1fr;
        padding: 0 1;
    }}
    #attempt-list {{
        height: auto;
        max-height: 100%;
        max-width: {MEASURE};
    }}
    .attempts-lead {{
        margin: 1 0;
    }}
    """
    BINDINGS = [Binding("escape", "back", "key.back")]

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return fitted_bindings(self, super().active_bindings)

    def on_resize(self) -> None:
        self.refresh_bindings()

    def attempts(self) -> list[Attempt]:
        """Every saved attempt, newest first."""
        return list(reversed(self.study.attempts.list(self.lesson_id)))

    def compose(self) -> ComposeResult:
        yield Header()
        attempts = self.attempts()
        with Vertical(id="attempts-body"):
            if not attempts:
                yield Static(inert(self.t("quiz.past.none")), classes="attempts-lead")
            else:
                yield Static(inert(self.t("quiz.past.lead")), classes="attempts-lead")
                counted = {(a.started, a.finished) for a in self.study.counted_attempts(self.lesson_id)}
                total = len(attempts)
                options = [
                    ListOption(inert(self.line(total - i, a, (a.started, a.finished) in counted)), id=str(i))
                    for i, a in enumerate(attempts)
                ]
                yield OptionList(*options, id="attempt-list")
        yield Footer(show_command_palette=False)

    def line(self, number: int, attempt: Attempt, counted: bool) -> str:
        lang = self.study.lang
        verdict = self.t("quiz.past.passed" if attempt.passed else "quiz.past.not_passed")
        text = self.t(
            "quiz.past.line",
            number=number,
            when=formats.moment(attempt.finished, lang),
            points=attempt.points,
            max=attempt.max_points,
            percent=formats.percent(round(100 * attempt.share), lang),
            verdict=verdict,
        )
        return text if counted else text + " " + self.t("quiz.past.before_reset")

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.t("quiz.past.title", title=self.study.course.lesson(self.lesson_id, self.study.lang).title)
        lists = self.query(OptionList)
        if lists:
            lists.first().focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        attempts = self.attempts()
        i = int(event.option.id or 0)
        if 0 <= i < len(attempts):
            self.app.push_screen(AttemptReviewScreen(self.lesson_id, attempts[i], len(attempts) - i))

    def action_back(self) -> None:
        self.app.pop_screen()


class AttemptReviewScreen(TillitScreen):
    """One finished attempt as it was: the score, then question by question, options numbered as shown."""

    DEFAULT_CSS = f"""
    #review-body {{
        height: 1fr;
        padding: 0 1;
    }}
    #review-column {{
        height: auto;
        max-width: {MEASURE};
    }}
    #review-score {{
        margin-top: 1;
        text-style: bold;
    }}
    .missed, .review-heading, .review-question {{
        margin-top: 1;
    }}
    .review-heading, .review-question {{
        text-style: bold;
    }}
    .review-answer, .review-note {{
        padding-left: 2;
    }}
    """
    BINDINGS = [Binding("escape", "back", "key.back")]

    def __init__(self, lesson_id: str, attempt: Attempt, number: int) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.attempt = attempt
        self.number = number

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return fitted_bindings(self, super().active_bindings)

    def on_resize(self) -> None:
        self.refresh_bindings()

    def compose(self) -> ComposeResult:
        yield Header()
        quiz = self.study.course.quiz(self.lesson_id, self.study.lang)
        a = self.attempt
        lang = self.study.lang
        with VerticalScroll(id="review-body"), Vertical(id="review-column"):
            score = self.t(
                "quiz.past.score",
                when=formats.moment(a.finished, lang),
                points=a.points,
                max=a.max_points,
                percent=formats.percent(round(100 * a.share), lang),
            )
            yield Static(inert(score), id="review-score")
            if quiz is None:
                yield Static(inert(self.t("lesson.no_quiz")))
            else:
                rows, gone = review(quiz, a.answers, a.order, self.t("quiz.true"), self.t("quiz.false"))
                yield Static(inert(missed_line(self, rows)), classes="missed")
                yield from summary(self, rows, gone)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        title = self.study.course.lesson(self.lesson_id, self.study.lang).title
        self.title = self.t("quiz.past.review_title", number=self.number, title=title)
        self.query_one("#review-body", VerticalScroll).focus(scroll_visible=False)

    def action_back(self) -> None:
        self.app.pop_screen()
