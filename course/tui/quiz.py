"""Taking a lesson's quiz: one question at a time, feedback on every option, a hint, a final score with a
question-by-question summary, and every past attempt reviewed the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import ItemGrid, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Button, Checkbox, Footer, Header, RadioButton, RadioSet, Static
from textual.widgets._toggle_button import ToggleButton

from course.content.quiz import Option, Question, Quiz, QuizResult, Reviewed, canonical, in_order, review
from course.errors import TillitError
from course.i18n import describe
from course.learner.progress import Attempt, Place
from course.tui.attempts import AttemptsScreen, missed_line, summary
from course.tui.base import TillitScreen, inert
from course.tui.fitting import MEASURE, fitted_bindings


class _WrappedChoice(ToggleButton):
    """Listed after the real widget class in each subclass, so Textual's CSS and queries still see it.

    A choice that wraps long answers and whose mark is blank when not chosen (so it shows without colour)."""

    MARK = "X"

    def render(self) -> Content:
        self.BUTTON_INNER = self.MARK if self.value else " "
        return super().render()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # ToggleButton is always one line high; an answer of two sentences needs more at 80 columns.
        return self.render().get_height(self.styles, width)  # type: ignore[arg-type]  # as Widget does


class MarkedRadio(RadioButton, _WrappedChoice):
    """One answer of a single-choice or true/false question."""

    MARK = "●"


class MarkedCheckbox(Checkbox, _WrappedChoice):
    """One answer of a select-all-that-apply question."""


class QuizScreen(TillitScreen):
    """A quiz in three phases: ask, feedback, result."""

    HELP_SECTION = "help.quiz"
    DEFAULT_CSS = f"""
    #quiz-column {{
        height: auto;
        max-width: {MEASURE};
    }}
    #result-buttons {{
        grid-gutter: 0 1;
    }}
    #result-buttons Button {{
        width: 1fr;
        margin-right: 0;
    }}
    .missed, .review-heading {{
        margin-top: 1;
    }}
    .review-heading {{
        text-style: bold;
    }}
    .review-question {{
        margin-top: 1;
        text-style: bold;
    }}
    .review-answer, .review-note {{
        padding-left: 2;
    }}
    """
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("enter", "primary", "key.check", priority=True),
        Binding("h", "hint", "key.hint"),
        Binding("a", "attempts", "key.attempts"),
        Binding("r", "retry", "key.retry", show=False),
        Binding("w", "reflect", "key.reflect", show=False),
        Binding("n", "next_lesson", "key.next", show=False),
        Binding("c", "commit", "key.commit", show=False),
        # Priority, as Enter is: both are then handled in the order they were typed. A plain binding waits
        # for the focused widget to pass the key on, and a pasted "2⏎" would check before choosing.
        *[Binding(str(i), f"choose({i - 1})", "key.choose", show=False, priority=True) for i in range(1, 10)],
    ]
    PHASE_ACTIONS = {
        "hint": "ask",
        "choose": "ask",
        "retry": "result",
        "reflect": "result",
        "next_lesson": "result",
        "commit": "result",
    }

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.phase = "ask"
        self.index = 0
        self.chosen: list[str] = []
        self.hint_shown = False
        self.result: QuizResult | None = None
        self.all_answered: bool | None = None
        self.order: dict[str, tuple[str, ...]] = {}
        self.attempt: Attempt | None = None
        # True once this screen holds an attempt of the lesson's quiz (a review of due questions does not),
        # so that an unchecked choice is kept with the attempt and the past attempts can be listed.
        self.taking_quiz = False
        # RadioSet.Changed messages still to come for choices a number key has already applied.
        self._key_choices = 0

    @property
    def quiz(self) -> Quiz:
        quiz = self.study.course.quiz(self.lesson_id, self.study.lang)
        assert quiz is not None
        return quiz

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.quiz.questions

    @property
    def question(self) -> Question:
        return self.questions[self.index]

    def choices(self) -> tuple[Option, ...]:
        """The question's options in the order this attempt shows them."""
        q = self.question
        return in_order(q.choices(self.t("quiz.true"), self.t("quiz.false")), self.order.get(q.id, ()))

    def resume(self) -> bool:
        """Pick up the attempt in progress at its first unanswered question, with its order and whatever was
        chosen there but not checked; False when no question is left."""
        draft = self.study.start_quiz(self.lesson_id)
        self.taking_quiz = True
        self.order = dict(draft.order)
        unanswered = [i for i, q in enumerate(self.questions) if q.id not in draft.answers]
        self.index = unanswered[0] if unanswered else len(self.questions) - 1
        if unanswered:
            valid = self.question.valid_ids
            chosen = [c for c in draft.pending.get(self.question.id, ()) if c in valid]
            self.chosen = chosen if self.question.several else chosen[:1]
        return bool(unanswered)

    def on_mount(self) -> None:
        super().on_mount()
        if not self.all_answered:
            self.remember()
        self.call_after_refresh(self.focus_options)
        if self.all_answered:
            self.call_after_refresh(self.finish)

    # --- keys ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key works (and shows) only in the phase it belongs to; past attempts belong to a lesson's quiz."""
        phase = self.PHASE_ACTIONS.get(action)
        if phase is not None and phase != self.phase:
            return False
        return self.taking_quiz or action != "attempts"

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        if self.phase == "result" and "enter" in bindings:
            # Enter presses the focused button there, whose label says what it does: not "check".
            active = bindings["enter"]
            bindings["enter"] = active._replace(binding=replace(active.binding, show=False))
        return fitted_bindings(self, bindings)

    def on_resize(self) -> None:
        self.refresh_bindings()

    # --- drawing -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.all_answered is None:
            self.all_answered = not self.resume()
        self._key_choices = 0
        yield Header()
        with VerticalScroll(id="quiz-body"), Vertical(id="quiz-column"):
            if self.phase == "result":
                yield from self.compose_result()
            else:
                yield from self.compose_question()
        yield Footer(show_command_palette=False)

    def compose_question(self) -> ComposeResult:
        q = self.question
        yield Static(inert(self.t("quiz.counter", n=self.index + 1, total=len(self.questions))), classes="quiz-counter")
        yield Static(inert(q.text), classes="quiz-question")
        yield Static(inert(self.t(f"quiz.kind.{q.kind}")), classes="quiz-kind")
        choices = self.choices()
        if self.phase == "ask":
            labels = [inert(f"{n}. {o.text}") for n, o in enumerate(choices, 1)]
            if q.several:
                with Vertical(id="options"):
                    for o, label in zip(choices, labels, strict=True):
                        yield MarkedCheckbox(label, o.id in self.chosen, name=o.id)
            else:
                with RadioSet(id="options"):
                    for o, label in zip(choices, labels, strict=True):
                        yield MarkedRadio(label, o.id in self.chosen, name=o.id)
            if self.hint_shown:
                yield Static(inert(self.t("quiz.hint", hint=q.hint) if q.hint else self.t("quiz.no_hint")), id="hint")
            yield Button(self.t("quiz.check") + " ⏎", id="check", variant="primary")
            return
        right = q.is_correct(self.chosen)
        yield Static(
            inert(self.t("quiz.right" if right else "quiz.wrong")),
            id="verdict",
            classes="right" if right else "wrong",
        )
        for n, o in enumerate(choices, 1):
            picked = o.id in self.chosen
            if o.correct:
                mark = self.t("quiz.mark.right_chosen" if picked else "quiz.mark.right_missed")
            else:
                mark = self.t("quiz.mark.wrong_chosen" if picked else "quiz.mark.wrong")
            css = "feedback right" if o.correct else "feedback wrong"
            yield Static(inert(f"{n}. {o.text}\n   [{mark}]"), classes=css + (" picked" if picked else ""))
            if not q.shared_explanation:
                yield Static(inert(o.explain), classes="explain")
        if q.shared_explanation:
            yield Static(inert(q.explain), classes="explain")
        last = self.index + 1 >= len(self.questions)
        yield Button(self.t("quiz.finish" if last else "quiz.next") + " ⏎", id="next", variant="primary")

    def compose_result(self) -> ComposeResult:
        result = self.result
        assert result is not None
        percent = round(100 * result.share)
        yield Static(
            inert(self.t("quiz.score", points=result.points, max=result.max_points, percent=percent)), id="score"
        )
        if result.passed:
            yield Static(inert(self.t("quiz.passed")), id="pass", classes="right")
        else:
            need = round(100 * result.pass_mark)
            yield Static(inert(self.t("quiz.not_passed", need=need)), id="pass", classes="wrong")
        attempts = self.study.counted_attempts(self.lesson_id)
        best = self.study.best(self.lesson_id)
        best_text = f"{best.points}/{best.max_points}" if best else "–"
        yield Static(inert(self.t("quiz.attempts", count=len(attempts), best=best_text)), id="attempts")
        rows: list[Reviewed] = []
        gone = 0
        if self.attempt is not None:
            rows, gone = self.reviewed(self.attempt)
            yield Static(inert(missed_line(self, rows)), classes="missed")
        labels = [
            (self.t("quiz.retry") + " (r)", "retry"),
            (self.t("quiz.to_reflect") + " (w)", "reflect"),
            (self.t("quiz.to_commit") + " (c)", "commit"),
        ]
        if self.study.course.neighbours(self.lesson_id)[1] is not None:
            labels.append((self.t("quiz.to_next") + " (n)", "next-lesson"))
        labels += [(self.t("quiz.to_attempts") + " (a)", "past"), (self.t("quiz.to_lesson") + " (esc)", "to-lesson")]
        # As many columns as fit, rows equally full; a label longer than a column wraps instead of being cut.
        widest = max(cell_len(label) for label, _ in labels)
        with ItemGrid(id="result-buttons", min_column_width=max(16, min(24, widest + 4)), regular=True):
            for label, button_id in labels:
                yield Button(label, id=button_id, variant="primary" if button_id == "retry" else "default")
        if self.attempt is not None:
            yield from summary(self, rows, gone)

    def reviewed(self, attempt: Attempt) -> tuple[list[Reviewed], int]:
        return review(self.quiz, attempt.answers, attempt.order, self.t("quiz.true"), self.t("quiz.false"))

    async def redraw(self) -> None:
        await self.recompose()
        self.refresh_bindings()
        self.after_recompose()

    def after_recompose(self) -> None:
        self.focus_options()

    def screen_title(self) -> str:
        return self.t("quiz.title", title=self.study.course.lesson(self.lesson_id, self.study.lang).title)

    def focus_options(self) -> None:
        self.title = self.screen_title()
        # Focus without scrolling: the question (or the verdict) at the top is what to read first.
        if self.phase == "ask":
            options = self.query("#options")
            if options:
                widget = options.first()
                target = widget.children[0] if isinstance(widget, Vertical) and widget.children else widget
                target.focus(scroll_visible=False)
        else:
            buttons = self.query(Button)
            if buttons:
                buttons.first().focus(scroll_visible=False)
        bodies = self.query("#quiz-body")
        if bodies:
            bodies.first().scroll_home(animate=False, immediate=True)

    # --- reacting ----------------------------------------------------------------------------------

    def set_chosen(self, chosen: Iterable[str]) -> None:
        """What is chosen now (not checked yet), kept with the attempt so a resume shows it chosen."""
        self.chosen = list(chosen)
        if self.taking_quiz and self.phase == "ask":
            self.study.choose(self.lesson_id, self.question.id, canonical(self.question, self.chosen))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if self.phase != "ask":
            return
        if self._key_choices:  # a number key chose this already, before Enter could be handled
            self._key_choices -= 1
            return
        name = event.pressed.name
        self.set_chosen([name] if name else [])

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if self.phase != "ask" or not isinstance(event.checkbox, MarkedCheckbox):
            return
        # The boxes themselves say what is chosen: a message that comes late changes nothing.
        self.set_chosen(box.name or "" for box in self.query(MarkedCheckbox) if box.value)

    def action_choose(self, n: int) -> None:
        """A number key chooses (or, select-all, toggles) an option at once: a paste of "2⏎" checks option 2."""
        if self.phase != "ask" or n >= len(self.choices()):
            return
        if self.question.several:
            boxes = list(self.query(MarkedCheckbox))
            boxes[n].toggle()
            boxes[n].focus()
            self.set_chosen(box.name or "" for box in boxes if box.value)
        else:
            buttons = list(self.query(MarkedRadio))
            if not buttons[n].value:
                self._key_choices += 1  # the RadioSet will tell of it once more, later
                buttons[n].value = True
            self.set_chosen([buttons[n].name or ""])

    async def action_primary(self) -> None:
        if self.phase == "ask":
            await self.check()
        elif self.phase == "feedback":
            await self.advance()
        else:
            focused = self.focused
            if isinstance(focused, Button):
                focused.press()

    async def check(self) -> None:
        if not self.chosen:
            self.notify(self.t("quiz.choose_first"), markup=False)
            return
        self.chosen = list(canonical(self.question, self.chosen))
        self.record_answer(self.question.is_correct(self.chosen))
        self.phase = "feedback"
        await self.redraw()

    def record_answer(self, right: bool) -> None:
        """Keep the answer in the attempt in progress, and schedule a wrong one for review."""
        self.study.answer(self.lesson_id, self.question.id, self.chosen, self.index)
        self.schedule(self.lesson_id, right)

    def schedule(self, lesson_id: str, right: bool) -> None:
        try:
            self.tillit.practice.record_answer(lesson_id, self.question.id, right)
        except TillitError as err:
            self.notify(describe(err, self.study.lang), severity="warning", markup=False)

    def remember(self) -> None:
        self.study.go(Place(self.lesson_id, "quiz", question=self.index))

    async def advance(self) -> None:
        if self.index + 1 >= len(self.questions):
            await self.finish()
            return
        self.index += 1
        self.chosen = []
        self.hint_shown = False
        self.phase = "ask"
        self.remember()
        await self.redraw()

    async def finish(self) -> None:
        self.all_answered = False
        try:
            self.result, self.attempt = self.study.finish_quiz(self.lesson_id)
        except TillitError as err:
            # The answers stay in the attempt in progress; finishing again later saves them.
            detail = describe(err, self.study.lang)
            self.notify(self.t("notice.save_failed", detail=detail), severity="error", timeout=20, markup=False)
            return
        self.study.go(Place(self.lesson_id, "lesson"))
        self.phase = "result"
        await self.redraw()

    async def action_hint(self) -> None:
        if self.phase == "ask" and not self.hint_shown:
            self.hint_shown = True
            await self.redraw()

    async def action_retry(self) -> None:
        if self.phase != "result":
            return
        self.study.drop_quiz(self.lesson_id)
        draft = self.study.start_quiz(self.lesson_id)
        self.order = dict(draft.order)
        self.index, self.chosen, self.hint_shown, self.result, self.attempt = 0, [], False, None, None
        self.phase = "ask"
        self.study.go(Place(self.lesson_id, "quiz", question=0))
        await self.redraw()

    def action_attempts(self) -> None:
        """Every finished attempt at this lesson's quiz, to open and look through."""
        if not self.taking_quiz:
            return
        self.app.push_screen(AttemptsScreen(self.lesson_id))

    def action_reflect(self) -> None:
        if self.phase == "result":
            self.tillit.show(self.lesson_id, "reflect")

    def action_commit(self) -> None:
        if self.phase != "result":
            return
        from course.tui.commitments import CommitDialog

        def done(commitment: object) -> None:
            if commitment is not None:
                self.notify(self.t("commit.saved"), markup=False)

        self.app.push_screen(CommitDialog(self.lesson_id, self.study.lang), done)

    def action_next_lesson(self) -> None:
        target = self.study.course.neighbours(self.lesson_id)[1]
        if self.phase == "result" and target is not None:
            self.tillit.show(target)

    def action_back(self) -> None:
        self.tillit.show(self.lesson_id)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "check":
            await self.check()
        elif button == "next":
            await self.advance()
        elif button == "retry":
            await self.action_retry()
        elif button == "reflect":
            self.action_reflect()
        elif button == "commit":
            self.action_commit()
        elif button == "next-lesson":
            self.action_next_lesson()
        elif button == "past":
            self.action_attempts()
        elif button == "to-lesson":
            self.action_back()
