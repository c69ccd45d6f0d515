"""The whole learner path through the TUI, asserting what is on screen and what is saved."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Tabs, TextArea

from course.content.model import Course
from course.tui.home import HomeScreen
from course.tui.lesson import LessonScreen, LessonView
from course.tui.quiz import QuizScreen
from course.tui.reflect import ReflectScreen
from tests.tui_helpers import journal_files, new_app, read, screen_text, shows, toasts, until


async def test_whole_path_and_continue_after_restart(course: Course, data_dir: Path) -> None:
    quiz = course.quiz("trust-culture", "en")
    assert quiz is not None
    first = quiz.questions[0]
    right_second = quiz.questions[1]

    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        home = screen_text(app)
        assert "Start: What characterises a trust culture?" in home
        assert "0 of 10 lessons completed" in home
        assert "Not started" in home

        # open the first lesson
        await pilot.press("enter")
        await until(pilot, lambda: "Lesson 1 of 10" in screen_text(app))
        assert isinstance(app.screen, LessonScreen)
        assert "What characterises a trust culture?" in screen_text(app)
        assert "Lesson 1 of 10" in screen_text(app)

        # quiz: a wrong answer first
        await pilot.press("q")
        await until(pilot, lambda: "Question 1 of 5" in screen_text(app))
        assert isinstance(app.screen, QuizScreen)
        assert "Question 1 of 5" in screen_text(app)
        shown = app.screen.choices()  # the options are shuffled per attempt
        wrong = next(o for o in shown if not o.correct)
        wrong_n = shown.index(wrong) + 1
        await pilot.press(str(wrong_n), "enter")
        await until(pilot, lambda: "right, not chosen" in screen_text(app))
        text = screen_text(app)
        assert "✗ Not quite." in text
        assert "wrong, your choice" in text
        assert "right, not chosen" in text
        saved = read(data_dir / "progress.toml")
        assert saved["quiz"]["trust-culture"]["answers"][first.id] == [wrong.id]

        # next question, answered right
        await pilot.press("enter")
        await until(pilot, lambda: "Question 2 of 5" in screen_text(app))
        assert "Question 2 of 5" in screen_text(app)
        correct_ids = [o.id for o in right_second.choices("True", "False") if o.correct]
        assert isinstance(app.screen, QuizScreen)
        choices = app.screen.choices()
        for oid in correct_ids:
            await pilot.press(str([o.id for o in choices].index(oid) + 1))
        await pilot.press("enter")
        await until(pilot, lambda: "✓ Right!" in screen_text(app))
        assert "✓ Right!" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: "Question 3 of 5" in screen_text(app))
        assert "Question 3 of 5" in screen_text(app)
        assert read(data_dir / "progress.toml")["place"] == {
            "lesson": "trust-culture", "view": "quiz", "scroll": 0, "question": 2,
        }  # fmt: skip

        # leave the quiz, write a reflection
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, ReflectScreen))
        assert isinstance(app.screen, ReflectScreen)
        await pilot.press(*"Most of my week is [bold] control")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Saved reflections (1)" in screen_text(app))
        files = journal_files(data_dir)
        assert len(files) == 1
        entry = read(files[0])
        assert entry["text"] == "Most of my week is [bold] control"
        assert entry["lesson"] == "trust-culture"
        assert entry["prompt"] == course.lesson("trust-culture", "en").prompts[0].id
        assert entry["created"].tzinfo is not None
        assert "Saved reflections (1)" in screen_text(app)
        assert "Most of my week is [bold] control" in screen_text(app)
        # back in the quiz the learner went on where they were
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, QuizScreen) and "Question 3 of 5" in screen_text(app))
        assert "Question 3 of 5" in screen_text(app)
        await pilot.press("ctrl+q")

    # the next day: Continue lands on the same quiz question
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Continue: What characterises a trust culture? – quiz, question 3" in screen_text(app)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, QuizScreen) and "Question 3 of 5" in screen_text(app))
        assert isinstance(app.screen, QuizScreen)
        assert "Question 3 of 5" in screen_text(app)


async def test_finishing_the_quiz_completes_the_lesson_and_keeps_every_attempt(course: Course, data_dir: Path) -> None:
    quiz = course.quiz("trust-culture", "en")
    assert quiz is not None
    app = new_app(course, data_dir)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        for attempt in range(2):
            if attempt == 0:
                await pilot.press("q")
            else:
                await pilot.press("r")
            for n, q in enumerate(quiz.questions, start=1):
                await until(pilot, shows(app, f"Question {n} of 5"))
                assert isinstance(app.screen, QuizScreen)
                ids = [o.id for o in app.screen.choices()]  # as this attempt shows them
                for oid in sorted(q.correct_ids, key=ids.index):
                    await pilot.press(str(ids.index(oid) + 1))
                await pilot.press("enter")
                await until(pilot, lambda: "✓ Right!" in screen_text(app))
                await pilot.press("enter")
            await until(pilot, lambda: "Score: 5 of 5 points (100%)" in screen_text(app))
            text = screen_text(app)
            assert "Score: 5 of 5 points (100%)" in text
            assert "✓ Passed – the lesson is completed." in text
        assert "Attempts so far: 2 · best: 5/5" in screen_text(app)
        attempts = read(data_dir / "attempts" / "trust-culture.toml")["attempt"]
        assert len(attempts) == 2 and all(a["passed"] for a in attempts)
        assert read(data_dir / "progress.toml")["lessons"]["trust-culture"]["status"] == "completed"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("escape")
        await until(pilot, lambda: "1 of 10 lessons completed (10%)" in screen_text(app))
        text = screen_text(app)
        assert "1 of 10 lessons completed (10%)" in text
        assert "● Completed" in text
        assert "5/5" in text


async def test_lesson_position_is_kept_and_reaching_the_end_marks_read(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await until(
            pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.query_one(LessonView).max_scroll_y > 12
        )
        view = app.screen.query_one(LessonView)
        view.scroll_to(y=12, animate=False, immediate=True)
        await until(pilot, lambda: view.scroll_y == 12)
        await pilot.press("ctrl+q")
    assert read(data_dir / "progress.toml")["place"]["scroll"] == 12
    lessons = read(data_dir / "progress.toml").get("lessons", {})
    assert lessons["trust-culture"]["status"] == "not_started", "opened (in progress, as shown), not read"

    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "where you stopped reading" in screen_text(app)
        await pilot.press("c")
        await until(pilot, lambda: round(app.screen.query_one(LessonView).scroll_y) == 12)
        view = app.screen.query_one(LessonView)
        assert round(view.scroll_y) == 12
        view.scroll_end(animate=False, immediate=True)
        await until(pilot, lambda: "◐ Read" in screen_text(app))
        assert "◐ Read" in screen_text(app)
    assert read(data_dir / "progress.toml")["lessons"]["trust-culture"]["status"] == "read"


async def test_previous_and_next_lesson(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: "Lesson 1 of 10" in screen_text(app))
        await pilot.press("p")
        await until(pilot, lambda: "This is the first lesson." in toasts(app))
        assert "This is the first lesson." in toasts(app)
        await pilot.press("n")
        await until(pilot, lambda: "Lesson 2 of 10" in screen_text(app))
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson_id == "seven-manager-behaviours"
        assert "Lesson 2 of 10" in screen_text(app)
        app.show(course.lesson_ids[-1])
        await until(pilot, lambda: "Lesson 10 of 10" in screen_text(app))
        assert "Lesson 10 of 10" in screen_text(app)
        await pilot.press("n")
        await until(pilot, lambda: "This is the last lesson." in toasts(app))
        assert "This is the last lesson." in toasts(app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert isinstance(app.screen, HomeScreen)


async def test_reflections_autosave_list_newest_first_and_reopen(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, ReflectScreen))
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        await pilot.press(*"first thought")
        screen.autosave()  # what the 3-second timer does
        await pilot.pause()
        assert len(journal_files(data_dir)) == 1
        prompts = [p.id for p in course.lesson("trust-culture", "en").prompts]
        await pilot.press("ctrl+n", "ctrl+t")
        await until(pilot, lambda: screen.query_one("#prompt-tabs", Tabs).active == f"p-{prompts[1]}")
        await pilot.press(*"second [/] thought")
        await pilot.press("escape")  # leaving saves
        await until(pilot, lambda: not isinstance(app.screen, ReflectScreen) and len(journal_files(data_dir)) == 2)
        files = journal_files(data_dir)
        texts = {read(f)["text"]: read(f)["prompt"] for f in files}
        assert texts == {"first thought": prompts[0], "second [/] thought": prompts[1]}

        await pilot.press("w")
        await until(pilot, lambda: "Saved reflections (2), newest first" in screen_text(app))
        text = screen_text(app)
        assert "Saved reflections (2), newest first" in text
        assert text.index("second [/] thought") < text.index("first thought")
        # reopen the older one and edit it
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        saved = screen.query_one("#saved")
        saved.focus()
        await pilot.press("down", "down", "enter")
        area = screen.query_one("#editor", TextArea)
        await until(pilot, lambda: area.text == "first thought")
        assert area.text == "first thought"
        area.focus()
        await pilot.press("end")
        area.insert(" – och åäö 🙂")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "first thought – och åäö 🙂" in {read(f)["text"] for f in journal_files(data_dir)})
        after = {read(f)["text"] for f in journal_files(data_dir)}
        assert after == {"first thought – och åäö 🙂", "second [/] thought"}
        edited = next(read(f) for f in journal_files(data_dir) if read(f)["text"].startswith("first"))
        assert edited["updated"] >= edited["created"]
        assert len(journal_files(data_dir)) == 2
