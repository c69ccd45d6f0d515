"""Pilot tests for the learning loop: the journal workspace, self-assessment, commitments, review, export."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from course.content.model import Course
from course.learner.journal import Version
from course.learner.study import Study
from course.tui.app import TillitApp
from course.tui.commitments import CommitDialog, CommitmentsScreen, FollowUpDialog
from course.tui.dialogs import AskDialog, ColumnsDialog, ConfirmDialog
from course.tui.home import HomeScreen
from course.tui.journal import JournalScreen
from course.tui.journal_dialogs import ExportDialog, VersionsDialog
from course.tui.lesson import LessonScreen
from course.tui.practice import AssessmentScreen, RatingRow, ReviewScreen
from course.tui.quiz import QuizScreen
from course.tui.reflect import ReflectScreen
from tests.tui_helpers import journal_files, new_app, read, screen_text, showing, shows, toasts, until

LESSON = "trust-culture"


def seed(study: Study) -> None:
    first, second = (p.id for p in study.course.lesson(LESSON, "en").prompts[:2])
    study.save_reflection(LESSON, first, "Vi behöver mer återkoppling i teamet.", None)
    study.save_reflection(LESSON, second, "Handläggarna vet mest om ärendena.", None)


async def open_journal(app: TillitApp, pilot: Pilot[None]) -> JournalScreen:
    await pilot.press("j")
    await until(pilot, lambda: showing(app, JournalScreen)() and "Showing " in screen_text(app))
    screen = pilot.app.screen
    assert isinstance(screen, JournalScreen)
    return screen


async def test_journal_lists_searches_stars_tags_deletes_and_undoes(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    seed(app.study)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = await open_journal(app, pilot)
        text = screen_text(app)
        assert date.today().isoformat() in text
        assert "Showing 2 of 2 reflections" in text
        # search, forgiving of Swedish letters
        screen.query_one("#search", Input).value = "aterkoppling"
        await until(pilot, shows(app, "Showing 1 of 2 reflections"))
        assert "Showing 1 of 2 reflections" in screen_text(app)
        assert "återkoppling" in screen_text(app)
        screen.query_one("#search", Input).value = ""
        await until(pilot, shows(app, "Showing 2 of 2 reflections"))
        screen.query_one("#entries").focus()
        await until(pilot, lambda: screen.query_one("#entries").has_focus)
        target = screen.current()
        assert target is not None

        def saved_entry() -> dict[str, object]:
            assert target is not None
            return read(next(f for f in journal_files(data_dir) if target.id in f.name))

        # star
        await pilot.press("s")
        await until(pilot, lambda: saved_entry()["starred"] is True and "★" in screen_text(app))
        saved = saved_entry()
        assert saved["starred"] is True
        assert "★" in screen_text(app)
        # tags
        await pilot.press("t")
        await until(pilot, showing(app, AskDialog))
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one("#answer", Input).value = "vecka, Ledning"
        await pilot.press("enter")
        await until(pilot, lambda: saved_entry()["tags"] == ["ledning", "vecka"])
        saved = saved_entry()
        assert saved["tags"] == ["ledning", "vecka"]
        # delete, with a confirmation, and undo
        await pilot.press("d")
        await until(pilot, showing(app, ConfirmDialog))
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await until(pilot, shows(app, "Showing 1 of 1 reflection ·"))
        assert len(journal_files(data_dir)) == 1
        assert list((data_dir / "journal" / ".trash").rglob("*.toml"))
        assert "Showing 1 of 1 reflection ·" in screen_text(app)
        await pilot.press("u")
        await until(pilot, shows(app, "Showing 2 of 2 reflections"))
        assert len(journal_files(data_dir)) == 2
        assert "Showing 2 of 2 reflections" in screen_text(app)


async def test_journal_versions_then_and_now_and_edit(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    study = app.study
    prompt = course.lesson(LESSON, "en").prompts[0].id
    old = study.save_reflection(LESSON, prompt, "Förra månaden: mest kontroll.", None)
    older = replace(old, created=old.created - timedelta(days=30), updated=old.updated - timedelta(days=30))
    study.journal.save(older)
    newer = study.save_reflection(LESSON, prompt, "I dag: mer tillit.", None)
    with_version = replace(newer, versions=(Version("Första utkastet.", newer.created),))
    study.journal.save(with_version)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = await open_journal(app, pilot)
        screen.query_one("#entries").focus()
        await until(pilot, lambda: screen.query_one("#entries").has_focus)
        assert screen.current() is not None and screen.current().id == newer.id  # type: ignore[union-attr]
        await pilot.press("v")
        await until(pilot, showing(app, VersionsDialog))
        assert isinstance(app.screen, VersionsDialog)
        assert [v.text for v in app.screen.versions] == ["Första utkastet."]
        await pilot.press("escape")
        await until(pilot, showing(app, JournalScreen))
        await pilot.press("n")
        await until(pilot, showing(app, ColumnsDialog))
        assert isinstance(app.screen, ColumnsDialog)
        assert [body for _, body in app.screen.columns] == ["Förra månaden: mest kontroll.", "I dag: mer tillit."]
        await pilot.press("escape")
        await until(pilot, showing(app, JournalScreen))
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                showing(app, ReflectScreen)() and app.screen.query_one("#editor", TextArea).text == "I dag: mer tillit."
            ),
        )
        assert isinstance(app.screen, ReflectScreen)
        assert app.screen.query_one("#editor", TextArea).text == "I dag: mer tillit."
        await pilot.press("escape")
        await until(pilot, showing(app, JournalScreen))
        assert isinstance(app.screen, JournalScreen)


async def test_export_from_the_journal(course: Course, data_dir: Path, tmp_path: Path) -> None:
    app = new_app(course, data_dir)
    seed(app.study)
    target = tmp_path / "out" / "mitt.html"
    target.parent.mkdir()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await open_journal(app, pilot)
        await pilot.press("e")
        await until(pilot, showing(app, ExportDialog))
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one("#path", Input).value = str(target)
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: any("reflections exported" in t for t in toasts(app)))
        assert "2 reflections exported" in toasts(app)[-1]
    html = target.read_text(encoding="utf-8")
    assert "återkoppling" in html and "Handläggarna vet mest" in html
    assert target.stat().st_mode & 0o777 == 0o600


def rate(screen: AssessmentScreen, value: int) -> None:
    for row in screen.query(RatingRow):
        row.value = value


async def test_self_assessment_is_offered_kept_and_charted(course: Course, data_dir: Path) -> None:
    if course.assessment is None:
        pytest.skip("the built-in course has no self-assessment")
    app = new_app(course, data_dir)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "Before you start: rate yourself on the seven behaviours (s)" in screen_text(app)
        await pilot.press("s")
        await until(pilot, showing(app, AssessmentScreen))
        screen = app.screen
        assert isinstance(screen, AssessmentScreen)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Rate all" in str(screen.query_one("#assess-status", Static).visual))
        assert "Rate all seven first (7 missing)." in str(screen.query_one("#assess-status", Static).visual)
        assert not (data_dir / "assessments").exists() or not list((data_dir / "assessments").glob("*.toml"))
        rate(screen, 3)
        screen.query_one("#n-room-to-act", Input).value = "Svårt när det är bråttom [/]"
        await pilot.press("ctrl+s")
        await until(pilot, shows(app, "Your ratings so far"))
        files = list((data_dir / "assessments").glob("*.toml"))
        assert len(files) == 1
        with files[0].open("rb") as f:
            saved = tomllib.load(f)
        assert set(saved["ratings"].values()) == {3}
        assert saved["notes"]["room-to-act"] == "Svårt när det är bråttom [/]"
        screen = app.screen
        assert isinstance(screen, AssessmentScreen)
        assert "Your ratings so far" in screen_text(app)
        rate(screen, 2)
        await pilot.press("ctrl+s")
        await until(pilot, shows(app, "3 → 2"))
        assert "3 → 2" in screen_text(app)
        revisit = next(t for t in toasts(app) if t.startswith("Worth revisiting"))
        assert "2. Seven manager behaviours that build trust" in revisit
        assert len(list((data_dir / "assessments").glob("*.toml"))) == 2


async def test_a_commitment_comes_back_on_its_day_and_becomes_a_reflection(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, showing(app, LessonScreen))
        await pilot.press("c")
        await until(pilot, showing(app, CommitDialog))
        dialog = app.screen
        assert isinstance(dialog, CommitDialog)
        dialog.query_one("#commit-text", TextArea).insert("Fråga varje medarbetare vilket ledarskap hen behöver.")
        dialog.query_one("#commit-due", Input).value = date.today().isoformat()
        await pilot.press("ctrl+s")
        await until(pilot, showing(app, LessonScreen))
        assert len(list((data_dir / "commitments").glob("*.toml"))) == 1
        await pilot.press("escape")
        await until(pilot, shows(app, "⏰ 1 commitment to follow up (k)"))
        assert "⏰ 1 commitment to follow up (k)" in screen_text(app)
        await pilot.press("k")
        await until(pilot, lambda: showing(app, CommitmentsScreen)() and "Fråga varje medarbetare" in screen_text(app))
        assert isinstance(app.screen, CommitmentsScreen)
        assert "Fråga varje medarbetare" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, showing(app, FollowUpDialog))
        follow = app.screen
        assert isinstance(follow, FollowUpDialog)
        follow.query_one("#follow-text", TextArea).insert("Två samtal hittills, bra start.")
        await pilot.press("ctrl+s")
        await until(pilot, shows(app, "✓ done"))
        assert "✓ done" in screen_text(app)
    reflections = [read(f) for f in journal_files(data_dir)]
    assert [r["text"] for r in reflections] == ["Två samtal hittills, bra start."]
    assert reflections[0]["commitment"]
    with next((data_dir / "commitments").glob("*.toml")).open("rb") as f:
        assert tomllib.load(f)["follow_up"] == reflections[0]["id"]


async def test_a_missed_question_comes_back_for_review(course: Course, data_dir: Path) -> None:
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None
    first = quiz.questions[0]
    right = next(i for i, o in enumerate(first.options) if o.correct) + 1  # a review shows them as authored
    app = new_app(course, data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await until(pilot, lambda: showing(app, QuizScreen)() and "Question 1 of" in screen_text(app))
        assert isinstance(app.screen, QuizScreen)
        wrong = next(i for i, o in enumerate(app.screen.choices()) if not o.correct) + 1  # shuffled per attempt
        await pilot.press(str(wrong), "enter")
        await until(pilot, shows(app, "✗ Not quite."))
        assert (data_dir / "review.toml").exists()
        # pretend tomorrow has come
        app.practice.record_answer(LESSON, first.id, False, today=date.today() - timedelta(days=1))
        await pilot.press("escape")
        await until(pilot, showing(app, LessonScreen))
        await pilot.press("escape")
        await until(pilot, shows(app, "↻ 1 question to review (v)"))
        assert "↻ 1 question to review (v)" in screen_text(app)
        before = (data_dir / "review.toml").read_bytes()
        # practice mode leaves the schedule alone
        await pilot.press("V")
        await until(pilot, lambda: showing(app, ReviewScreen)() and "Question 1 of" in screen_text(app))
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press(str(right), "enter")
        await until(pilot, shows(app, "✓ Right!"))
        await pilot.press("enter")
        await until(pilot, shows(app, "You answered 1 of 1 right."))
        assert "You answered 1 of 1 right." in screen_text(app)
        await pilot.press("escape")
        await until(pilot, showing(app, HomeScreen))
        assert (data_dir / "review.toml").read_bytes() == before
        # the real review moves it up
        await pilot.press("v")
        await until(pilot, lambda: showing(app, ReviewScreen)() and "Question 1 of" in screen_text(app))
        await pilot.press(str(right), "enter")
        await until(pilot, shows(app, "✓ Right!"))
        await pilot.press("enter")
        await until(pilot, shows(app, "You answered 1 of 1 right."))
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, HomeScreen)() and "to review" not in screen_text(app))
        assert "to review" not in screen_text(app)
    assert (data_dir / "review.toml").read_bytes() != before


async def test_journal_filters_by_lesson_tag_star_and_dates(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    study = app.study
    first = course.lesson(LESSON, "en").prompts[0].id
    second_lesson = course.lesson_ids[1]
    other = course.lesson(second_lesson, "en").prompts[0].id
    a = study.save_reflection(LESSON, first, "Alpha text", None)
    b = study.save_reflection(second_lesson, other, "Beta text", None)
    old = study.save_reflection(LESSON, first, "Gamma text from last year", None)
    study.journal.save(
        replace(old, created=old.created - timedelta(days=400), updated=old.updated - timedelta(days=400))
    )
    study.set_tags(a, ["team"])
    study.set_star(b, True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = await open_journal(app, pilot)

        def shown() -> set[str]:
            return {r.text for r in screen.shown}

        def filtered(expected: set[str]) -> Callable[[], bool]:
            return lambda: shown() == expected

        await until(pilot, filtered({"Alpha text", "Beta text", "Gamma text from last year"}))
        assert shown() == {"Alpha text", "Beta text", "Gamma text from last year"}
        screen.query_one("#f-lesson", Select).value = second_lesson
        await until(pilot, filtered({"Beta text"}))
        assert shown() == {"Beta text"}
        screen.query_one("#f-lesson", Select).value = "*"
        screen.query_one("#f-tag", Select).value = "team"
        await until(pilot, filtered({"Alpha text"}))
        assert shown() == {"Alpha text"}
        screen.query_one("#f-tag", Select).value = "*"
        screen.query_one("#f-star", Checkbox).value = True
        await until(pilot, filtered({"Beta text"}))
        assert shown() == {"Beta text"}
        screen.query_one("#f-star", Checkbox).value = False
        screen.query_one("#f-since", Input).value = (date.today() - timedelta(days=1)).isoformat()
        await until(pilot, filtered({"Alpha text", "Beta text"}))
        assert shown() == {"Alpha text", "Beta text"}
        screen.query_one("#f-since", Input).value = ""
        screen.query_one("#f-until", Input).value = (date.today() - timedelta(days=300)).isoformat()
        await until(pilot, filtered({"Gamma text from last year"}))
        assert shown() == {"Gamma text from last year"}
        await until(pilot, shows(app, "Showing 1 of 3 reflections"))
        assert "Showing 1 of 3 reflections" in screen_text(app)
