"""A few pictures at 80×24, compared byte for byte: home, a lesson, quiz feedback, the journal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import TextArea

from course.content.model import Course
from course.tui.reflect import ReflectScreen
from tests.tui_helpers import new_app, showing, shows, until

SIZE = (80, 24)


def test_home(course: Course, data_dir: Path, snap_compare: Any) -> None:
    assert snap_compare(new_app(course, data_dir), terminal_size=SIZE)


def test_lesson(course: Course, data_dir: Path, snap_compare: Any) -> None:
    assert snap_compare(new_app(course, data_dir), press=["enter"], terminal_size=SIZE)


def test_quiz_feedback(course: Course, data_dir: Path, snap_compare: Any) -> None:
    assert snap_compare(new_app(course, data_dir), press=["q", "1", "enter"], terminal_size=SIZE)


def test_reflection_swedish(course: Course, data_dir: Path, snap_compare: Any) -> None:
    async def write(pilot: Pilot[None]) -> None:
        await pilot.press("w")
        await until(pilot, showing(pilot.app, ReflectScreen))
        pilot.app.screen.query_one("#editor", TextArea).insert("Mest kontroll i dag: [bold] attester [/] överallt.")
        await until(pilot, shows(pilot.app, "[bold] attester [/] överallt."))

    assert snap_compare(new_app(course, data_dir, lang="sv"), run_before=write, terminal_size=SIZE)


def test_quiz_select_all_wraps_long_answers(course: Course, data_dir: Path, snap_compare: Any) -> None:
    app = new_app(course, data_dir, lang="sv")
    assert snap_compare(app, press=["down", "q", "1", "3"], terminal_size=SIZE)


def test_presenting_a_question_with_its_answer_hidden(course: Course, data_dir: Path, snap_compare: Any) -> None:
    from course.trainer.present import deck_for_lessons
    from course.tui.present import make_present_app

    deck = deck_for_lessons(course, "sv", ["trust-culture"])
    app = make_present_app(deck, "sv", data_dir)
    assert snap_compare(app, press=["end"], terminal_size=SIZE)
