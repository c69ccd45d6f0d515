"""Taking a lesson's quiz: one question at a time, feedback on every option, a hint, and a final score."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Button, Checkbox, Footer, Header, RadioButton, RadioSet, Static
from textual.widgets._toggle_button import ToggleButton

from course.content.quiz import Option, Question, Quiz, QuizResult
from course.errors import TillitError
from course.i18n import describe
from course.learner.progress import Place
from course.tui.base import TillitScreen, inert


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
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("enter", "primary", "key.check", priority=True),
        Binding("h", "hint", "key.hint"),
        Binding("r", "retry", "key.retry", show=False),
        Binding("w", "reflect", "key.reflect", show=False),
        Binding("n", "next_lesson", "key.next", show=False),
        Binding("c", "commit", "key.commit", show=False),
        *[Binding(str(i), f"choose({i - 1})", "key.choose", show=False) for i in range(1, 10)],
    ]

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.phase = "ask"
        self.index = 0
        self.chosen: list[str] = []
        self.hint_shown = False
        self.result: QuizResult | None = None
        self.all_answered: bool | None = None

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
        return self.question.choices(self.t("quiz.true"), self.t("quiz.false"))

    def resume(self) -> bool:
        """Pick up the attempt in progress at its first unanswered question; False when none is left."""
        draft = self.study.start_quiz(self.lesson_id)
        unanswered = [i for i, q in enumerate(self.questions) if q.id not in draft.answers]
        self.index = unanswered[0] if unanswered else len(self.questions) - 1
        return bool(unanswered)

    def on_mount(self) -> None:
        super().on_mount()
        if not self.all_answered:
            self.remember()
        self.call_after_refresh(self.focus_options)
        if self.all_answered:
            self.call_after_refresh(self.finish)

    # --- drawing -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.all_answered is None:
            self.all_answered = not self.resume()
        yield Header()
        with VerticalScroll(id="quiz-body"):
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
        with Horizontal(id="result-buttons"):
            yield Button(self.t("quiz.retry") + " (r)", id="retry", variant="primary")
            yield Button(self.t("quiz.to_reflect") + " (w)", id="reflect")
            yield Button(self.t("quiz.to_commit") + " (c)", id="commit")
            if self.study.course.neighbours(self.lesson_id)[1] is not None:
                yield Button(self.t("quiz.to_next") + " (n)", id="next-lesson")
            yield Button(self.t("quiz.to_lesson") + " (esc)", id="to-lesson")

    async def redraw(self) -> None:
        await self.recompose()
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

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        name = event.pressed.name
        self.chosen = [name] if name else []

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        name = event.checkbox.name or ""
        if event.value and name not in self.chosen:
            self.chosen.append(name)
        elif not event.value and name in self.chosen:
            self.chosen.remove(name)

    def action_choose(self, n: int) -> None:
        if self.phase != "ask" or n >= len(self.choices()):
            return
        if self.question.several:
            boxes = list(self.query(Checkbox))
            boxes[n].toggle()
            boxes[n].focus()
        else:
            buttons = list(self.query(RadioButton))
            buttons[n].value = True
            buttons[n].focus()

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
        order = [o.id for o in self.choices()]
        self.chosen.sort(key=order.index)
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
            self.result, _attempt = self.study.finish_quiz(self.lesson_id)
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
        self.study.start_quiz(self.lesson_id)
        self.index, self.chosen, self.hint_shown, self.result = 0, [], False, None
        self.phase = "ask"
        self.study.go(Place(self.lesson_id, "quiz", question=0))
        await self.redraw()

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
        elif button == "to-lesson":
            self.action_back()
