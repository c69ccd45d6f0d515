"""Issue 13, the quiz: options shuffled per attempt (kept with the draft and the attempt), a choice not yet
checked survives a restart, a number and Enter typed at once check that number, a question-by-question
summary at the end and of every past attempt, and a layout that fits 80×24 and stays readable at 160×48."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Footer, RadioButton, Static
from textual.widgets._footer import FooterKey

from course.content.model import Course
from course.content.quiz import FALSE_ID, TRUE_ID, Question, in_order, shuffle_options
from course.i18n import tr
from course.learner.progress import Attempt, QuizDraft, now
from course.learner.study import Study
from course.store import storage
from course.tui.attempts import AttemptReviewScreen, AttemptsScreen
from course.tui.quiz import MarkedCheckbox, QuizScreen
from tests.tui_helpers import new_app, read, screen_text, showing, shows, toasts, until

LESSON = "trust-culture"


def authored(q: Question) -> tuple[str, ...]:
    return tuple(o.id for o in q.options)


def quiz_screen(pilot: Pilot[Any]) -> QuizScreen:
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen)
    return screen


async def open_quiz(pilot: Pilot[Any]) -> QuizScreen:
    app = pilot.app
    await until(pilot, lambda: app.screen.is_mounted, "home is up")
    app.show(LESSON, "quiz")  # type: ignore[attr-defined]
    await until(pilot, lambda: showing(app, QuizScreen)() and bool(app.screen.query("#options")), "the quiz")
    return quiz_screen(pilot)


def statics(screen: Screen[Any]) -> str:
    """The words of every Static on a screen (scrolled into view or not)."""
    return " ".join(str(w.visual) for w in screen.query(Static))


def shown_ids(screen: QuizScreen) -> list[str]:
    """The option ids in the order the screen lists them (its widgets, as the learner sees them)."""
    return [w.name or "" for w in screen.query("#options > *")]


async def answer(pilot: Pilot[Any], right: bool) -> None:
    """Answer the question on screen by its shown numbers (right, or with one wrong option), then go on."""
    screen = quiz_screen(pilot)
    q = screen.question
    ids = [o.id for o in screen.choices()]
    picks = sorted(q.correct_ids) if right else [next(i for i in ids if i not in q.correct_ids)]
    for oid in picks:
        await pilot.press(str(ids.index(oid) + 1))
    await pilot.press("enter")
    await until(pilot, lambda: screen.phase == "feedback", "the feedback")
    await pilot.press("enter")


# --- 1. options shuffled per attempt, kept with the draft and the attempt ----------------------------


def test_each_attempt_has_its_own_order_kept_in_the_draft_and_the_attempt(course: Course, data_dir: Path) -> None:
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None
    study = Study(course, data_dir, "en")
    draft = study.start_quiz(LESSON)
    for q in quiz.questions:
        if q.kind == "true_false":
            assert q.id not in draft.order, "true/false keeps its order: true, then false"
        else:
            assert sorted(draft.order[q.id]) == sorted(authored(q)), "every option once"
            if len(q.options) >= 3:
                assert draft.order[q.id] != authored(q), "not as the presenter shows it"
    saved = read(data_dir / "progress.toml")["quiz"][LESSON]["order"]
    assert {k: tuple(v) for k, v in saved.items()} == draft.order
    # a restart (another Study on the same folder) continues with the same order
    assert Study(course, data_dir, "en").start_quiz(LESSON).order == draft.order
    for i, q in enumerate(quiz.questions):
        study.answer(LESSON, q.id, sorted(q.correct_ids), i)
    _, attempt = study.finish_quiz(LESSON)
    assert attempt.order == draft.order
    kept = read(data_dir / "attempts" / f"{LESSON}.toml")["attempt"][0]["order"]
    assert {k: tuple(v) for k, v in kept.items()} == draft.order
    assert study.attempts.list(LESSON)[0].order == draft.order
    # the next attempt shows every question of three or more options differently
    second = study.start_quiz(LESSON)
    for q in quiz.questions:
        if len(q.options) >= 3:
            assert second.order[q.id] != draft.order[q.id], q.id


def test_files_from_before_the_shuffle_still_read(course: Course, data_dir: Path) -> None:
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None
    first = quiz.questions[0]
    Study(course, data_dir, "en")  # makes the data folder Tillit's
    when = now()
    earlier = when - timedelta(days=1)
    storage.write_toml(
        data_dir / "progress.toml",
        {"quiz": {LESSON: {"started": when, "answers": {first.id: [sorted(first.correct_ids)[0]]}}}},
    )
    storage.ensure_dir(data_dir / "attempts")
    storage.write_toml(
        data_dir / "attempts" / f"{LESSON}.toml",
        {
            "lesson": LESSON,
            "attempt": [
                {"started": earlier, "finished": earlier, "points": 1, "max_points": 5, "passed": False,
                 "answers": {first.id: [sorted(first.correct_ids)[0]]}},
            ],
        },
    )  # fmt: skip
    study = Study(course, data_dir, "en")
    assert study.notices == []
    draft = study.quiz_draft(LESSON)
    assert draft == QuizDraft(when, {first.id: (sorted(first.correct_ids)[0],)})
    assert draft.order == {} and draft.pending == {}, "an old draft shows the options as authored"
    (old,) = study.attempts.list(LESSON)
    assert old.order == {} and old.points == 1
    # saving again keeps the old attempt as it was, and an old draft is not given an order midway
    study.answer(LESSON, quiz.questions[1].id, ["true"], 1)
    assert "order" not in read(data_dir / "progress.toml")["quiz"][LESSON]


def test_a_saved_order_survives_a_changed_course() -> None:
    from course.content.quiz import Option

    options = tuple(Option(i, i.upper(), i == "b", "") for i in ("a", "b", "c", "new"))
    # "gone" is no longer in the course; "new" was added after the attempt: it comes last
    assert [o.id for o in in_order(options, ("c", "gone", "a", "b"))] == ["c", "a", "b", "new"]
    assert [o.id for o in in_order(options, ())] == ["a", "b", "c", "new"]


def test_the_shuffle_is_reproducible_and_leaves_true_false_alone(course: Course) -> None:
    quiz = course.quiz(LESSON, "sv")
    assert quiz is not None
    assert shuffle_options(quiz, "x/1") == shuffle_options(quiz, "x/1")
    assert all(q.id not in shuffle_options(quiz, "x/1") for q in quiz.questions if q.kind == "true_false")


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_the_screen_shows_the_attempts_order_and_keeps_it_on_resume(
    course: Course, data_dir: Path, lang: str
) -> None:
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        order = dict(app.study.quiz_draft(LESSON).order)  # type: ignore[union-attr]
        first = screen.questions[0]
        assert shown_ids(screen) == list(order[first.id])
        assert shown_ids(screen) != list(authored(first))
        texts = [o.text for o in in_order(first.options, order[first.id])]
        assert f"1. {texts[0]}" in screen_text(app) or texts[0][:40] in screen_text(app)
        await answer(pilot, right=False)
        await until(pilot, lambda: screen.index == 1 and bool(screen.query("#options")), "question 2")
        second = screen.question
        expected = [TRUE_ID, FALSE_ID] if second.kind == "true_false" else list(order[second.id])
        assert shown_ids(screen) == expected
        await pilot.press("ctrl+q")

    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        assert screen.index == 1
        assert shown_ids(screen) == expected, "a resume shows the options in the same order"


async def test_feedback_lists_the_options_as_they_were_asked(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(100, 60)) as pilot:
        screen = await open_quiz(pilot)
        ids = shown_ids(screen)
        texts = {o.id: o.text for o in screen.question.options}
        await pilot.press("2", "enter")
        await until(pilot, lambda: screen.phase == "feedback")
        feedback = [str(w.visual) for w in screen.query(".feedback").results(Static)]
        assert [line.split("\n")[0] for line in feedback] == [f"{n}. {texts[i]}" for n, i in enumerate(ids, 1)]


def test_the_presenter_keeps_the_authored_order(course: Course, data_dir: Path) -> None:
    from course.trainer.present import deck_for_lessons

    draft = Study(course, data_dir, "en").start_quiz(LESSON)
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None
    slides = [s for s in deck_for_lessons(course, "en", [LESSON]).slides if s.question is not None]
    assert [s.question.id for s in slides if s.question] == [q.id for q in quiz.questions]
    for slide, q in zip(slides, quiz.questions, strict=True):
        assert slide.question is not None
        assert [o.id for o in slide.question.choices("True", "False")] == [o.id for o in q.choices("True", "False")]
    assert any(draft.order[q.id] != authored(q) for q in quiz.questions if q.id in draft.order)


# --- 2. a summary at the end, and every past attempt reviewed the same way --------------------------


@pytest.mark.parametrize(("lang", "size"), [("en", (80, 24)), ("sv", (80, 24)), ("en", (160, 48)), ("sv", (160, 48))])
async def test_the_result_has_a_question_by_question_summary(
    course: Course, data_dir: Path, lang: str, size: tuple[int, int]
) -> None:
    def t(key: str, **values: object) -> str:
        return tr(key, lang, **values)

    app = new_app(course, data_dir, lang)
    async with app.run_test(size=size) as pilot:
        screen = await open_quiz(pilot)
        first = screen.question
        asked = screen.choices()
        wrong = next(o for o in asked if not o.correct)
        right = next(o for o in asked if o.correct)
        await pilot.press(str(asked.index(wrong) + 1), "enter")
        await until(pilot, lambda: screen.phase == "feedback")
        await pilot.press("enter")
        for _ in range(len(screen.questions) - 1):
            await until(pilot, lambda: screen.phase == "ask" and bool(screen.query("#options")))
            await answer(pilot, right=True)
        await until(pilot, lambda: screen.phase == "result" and bool(screen.query(".review-question")), "the result")
        words = statics(screen)
        assert t("quiz.review.missed.one", numbers="1") in words
        assert t("quiz.review.heading") in words
        assert f"✗ 1. {first.text}" in words
        assert t("quiz.review.yours", answer=f"{asked.index(wrong) + 1}. {wrong.text}") in words
        assert t("quiz.review.right", answer=f"{asked.index(right) + 1}. {right.text}") in words
        assert wrong.explain in words, "why the chosen answer was wrong"
        assert f"✓ 2. {screen.questions[1].text}" in words
        assert screen_text(app).count(t("quiz.review.missed.one", numbers="1")) == 1


async def test_every_past_attempt_opens_for_review(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        await pilot.press("a")
        await until(pilot, shows(app, "No finished attempts yet."), "an empty list says so")
        await pilot.press("escape")
        await until(pilot, showing(app, QuizScreen))
        first_order = dict(app.study.quiz_draft(LESSON).order)  # type: ignore[union-attr]
        first_q = screen.question
        first_wrong = next(o for o in screen.choices() if not o.correct)
        for i in range(len(screen.questions)):
            await until(pilot, lambda: screen.phase == "ask" and bool(screen.query("#options")))
            await answer(pilot, right=i > 0)
        await until(pilot, lambda: screen.phase == "result")
        await pilot.press("r")
        await until(pilot, lambda: screen.phase == "ask" and bool(screen.query("#options")))
        for _ in range(len(screen.questions)):
            await until(pilot, lambda: screen.phase == "ask" and bool(screen.query("#options")))
            await answer(pilot, right=True)
        await until(pilot, lambda: screen.phase == "result" and bool(screen.query("#past")))
        assert shows(app, "Past attempts (a)")(), "the result offers the past attempts"
        await pilot.press("a")
        await until(pilot, showing(app, AttemptsScreen))
        text = screen_text(app)
        assert "2. " in text and "5/5 (100%) · ✓ passed" in text
        assert "1. " in text and "4/5 (80%) · ✓ passed" in text
        assert text.index("5/5") < text.index("4/5"), "newest first"
        await pilot.press("down", "enter")  # the older one
        await until(pilot, showing(app, AttemptReviewScreen))
        review = app.screen
        words = statics(review)
        number = first_order[first_q.id].index(first_wrong.id) + 1
        assert "Missed: question 1 – see below." in words
        assert f"Your answer: {number}. {first_wrong.text}" in words, "numbered as that attempt showed them"
        assert not review.query(Button) and not review.query(RadioButton), "read-only"
        await pilot.press("escape")
        await until(pilot, showing(app, AttemptsScreen))
        await pilot.press("escape")
        await until(pilot, showing(app, QuizScreen))
        assert quiz_screen(pilot).phase == "result"


# --- 3. a choice not yet checked is kept with the draft -------------------------------------------


@pytest.mark.parametrize("several", [False, True])
async def test_a_choice_not_yet_checked_survives_a_restart(course: Course, data_dir: Path, several: bool) -> None:
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None
    target = next(i for i, q in enumerate(quiz.questions) if q.several == several and q.kind != "true_false")
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        for _ in range(target):
            await answer(pilot, right=True)
            await until(pilot, lambda: screen.phase == "ask" and bool(screen.query("#options")))
        await until(pilot, lambda: screen.index == target)
        keys = ["3", "1"] if several else ["3"]
        await pilot.press(*keys)
        ids = shown_ids(screen)
        picked = sorted({ids[int(k) - 1] for k in keys})
        await until(pilot, lambda: sorted(screen.chosen) == picked)
        await pilot.press("ctrl+q")
    saved = read(data_dir / "progress.toml")["quiz"][LESSON]["pending"]
    assert {k: sorted(v) for k, v in saved.items()} == {quiz.questions[target].id: picked}

    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        assert screen.index == target
        chosen_widgets = sorted(w.name or "" for w in screen.query("#options > *") if getattr(w, "value", False))
        assert chosen_widgets == picked, "the choice shows as it was left"
        await pilot.press("enter")
        await until(pilot, lambda: screen.phase == "feedback", "Enter checks the restored choice")
    assert sorted(read(data_dir / "progress.toml")["quiz"][LESSON]["answers"][quiz.questions[target].id]) == picked
    assert "pending" not in read(data_dir / "progress.toml")["quiz"][LESSON], "a checked choice is done with"


# --- 4. a number and Enter in one go ----------------------------------------------------------------


def type_at_once(pilot: Pilot[Any], *keys: tuple[str, str]) -> None:
    """Keys as a paste or a macro sends them: all queued before the app handles the first."""
    for key, char in keys:
        pilot.app.post_message(events.Key(key, char))


@pytest.mark.parametrize("several", [False, True])
async def test_a_number_and_enter_typed_at_once_check_that_number(
    course: Course, data_dir: Path, several: bool
) -> None:
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None
    target = next(i for i, q in enumerate(quiz.questions) if q.several == several and q.kind != "true_false")
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        for _ in range(target):
            await answer(pilot, right=True)
            await until(pilot, lambda: screen.phase == "ask" and bool(screen.query("#options")))
        ids = shown_ids(screen)
        type_at_once(pilot, ("2", "2"), ("enter", "\r"))
        await until(pilot, lambda: screen.phase == "feedback" or bool(toasts(app)), "the check or a message")
        assert tr("quiz.choose_first", "en") not in toasts(app)
        assert screen.phase == "feedback"
        assert screen.chosen == [ids[1]]
        if several:
            assert read(data_dir / "progress.toml")["quiz"][LESSON]["answers"][screen.question.id] == [ids[1]]


async def test_two_numbers_at_once_leave_the_second_chosen(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        ids = shown_ids(screen)
        type_at_once(pilot, ("1", "1"), ("3", "3"), ("enter", "\r"))
        await until(pilot, lambda: screen.phase == "feedback")
        assert screen.chosen == [ids[2]]
        assert read(data_dir / "progress.toml")["quiz"][LESSON]["answers"][screen.question.id] == [ids[2]]
        await until(pilot, lambda: not screen.query(MarkedCheckbox))  # the messages that came late change nothing
        assert screen.chosen == [ids[2]]


# --- 5. layout ------------------------------------------------------------------------------------


async def finish_quiz(pilot: Pilot[Any], screen: QuizScreen | None = None) -> QuizScreen:
    """Answer the rest of the quiz (every other answer right), and wait for its result."""
    screen = screen or await open_quiz(pilot)
    if screen.phase == "feedback":
        await pilot.press("enter")
    while True:
        await until(
            pilot, lambda: screen.phase == "result" or (screen.phase == "ask" and bool(screen.query("#options")))
        )
        if screen.phase == "result":
            break
        await answer(pilot, right=screen.index % 2 == 0)
    await until(pilot, lambda: screen.phase == "result" and bool(screen.query("#result-buttons Button")))
    return screen


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_result_buttons_are_never_cut_off(
    course: Course, data_dir: Path, lang: str, size: tuple[int, int]
) -> None:
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=size) as pilot:
        screen = await finish_quiz(pilot)
        await until(pilot, lambda: all(b.region.width for b in screen.query("#result-buttons Button")))
        buttons = list(screen.query("#result-buttons Button").results(Button))
        text = screen_text(app)
        for button in buttons:
            assert button.region.right <= size[0], f"{button.label} runs off the screen"
            label = str(button.label)
            assert label.split()[0] in text and label.split()[-1] in text, f"{label} is shown whole"
        rows = {b.region.y for b in buttons}
        assert len(rows) <= 2, "two rows of buttons at most"
        assert len(buttons) == 6, "the past attempts have a button too"


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_quiz_text_keeps_a_readable_measure_at_160_columns(course: Course, data_dir: Path, lang: str) -> None:
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_quiz(pilot)
        question = screen.query_one(".quiz-question")
        assert question.region.width <= 100, "a question as wide as a lesson's text at most"
        assert all(w.region.right <= 102 for w in screen.query("#options > *"))
        await pilot.press("1", "enter")
        await until(pilot, lambda: screen.phase == "feedback" and bool(screen.query(".explain")))
        assert all(w.region.right <= 102 for w in screen.query(".explain"))


def in_phase(screen: QuizScreen, phase: str) -> bool:
    return screen.phase == phase and bool(screen.query(FooterKey))


def footer_entries(app: Any) -> list[FooterKey]:
    return [k for k in app.screen.query_one(Footer).query(FooterKey)]


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_the_quiz_footer_shows_what_fits_and_always_f1_and_esc(course: Course, data_dir: Path, lang: str) -> None:
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_quiz(pilot)
        for phase in ("ask", "feedback", "result"):
            if phase == "feedback":
                await pilot.press("1", "enter")
            if phase == "result":
                screen = await finish_quiz(pilot, screen)
            await until(pilot, partial(in_phase, screen, phase))
            await until(pilot, lambda: all(k.region.width for k in footer_entries(app)))
            keys = footer_entries(app)
            assert all(k.region.right <= 80 for k in keys), f"{phase}: a key runs off the footer"
            actions = [k.action for k in keys]
            assert "help" in actions and "back" in actions, phase
            footer = screen_text(app).splitlines()[-1]
            assert f"f1 {tr('key.help', lang)}" in footer and f"esc {tr('key.back', lang)}" in footer
            if phase != "ask":
                assert "hint" not in actions, "a key that does nothing here is not offered"
            if phase == "result":
                assert "primary" not in actions, "Enter presses the focused button, whose label says what it does"


async def test_an_unreadable_order_is_a_sentence_not_a_traceback(course: Course, data_dir: Path) -> None:
    Study(course, data_dir, "en")
    storage.write_toml(
        data_dir / "progress.toml",
        {"quiz": {LESSON: {"started": now(), "answers": {}, "order": {"q": "not a list"}}}},
    )
    study = Study(course, data_dir, "en")
    assert [n.kind for n in study.notices] == ["moved"]
    assert "'order' of question 'q' should be a list of option ids" in study.notices[0].detail


def test_an_attempt_written_with_its_order_reads_back_equal(course: Course, data_dir: Path) -> None:
    study = Study(course, data_dir, "en")
    when = now()
    attempt = Attempt(when, when, 1, 2, False, {"a": ("x",)}, {"a": ("y", "x")})
    study.attempts.add(LESSON, attempt)
    assert list(study.attempts.list(LESSON)) == [attempt]
