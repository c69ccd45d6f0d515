"""Issue 13, the practice group: self-assessment by number keys, its history on the fixed 1–5 scale with
its notes, commitments that can be postponed or marked "didn't happen", follow-ups that show their
commitment, and spaced review scheduled by FSRS."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Button

from course.content.model import Course
from course.i18n import formats
from course.learner.practice import Practice
from course.learner.study import Study
from course.tui.app import TillitApp
from course.tui.home import HomeScreen
from course.tui.practice import AssessmentScreen, RatingRow, spark
from tests.tui_helpers import new_app, read, screen_text, showing, shows, until

SIZES = [(80, 24), (160, 48)]
LANGS = ["sv", "en"]


def statements(course: Course) -> list[str]:
    assert course.assessment is not None
    return [s.id for s in course.assessment.statements]


def row_line(app: TillitApp, marker: str) -> str:
    """The screen line of the rating row whose first characters are `marker` (▸ for the one with focus)."""
    return next(line for line in screen_text(app).splitlines() if line.strip().startswith(marker))


async def open_assessment(app: TillitApp, pilot: object) -> AssessmentScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await until(pilot, showing(app, HomeScreen))
    await pilot.press("s")
    await until(pilot, lambda: showing(app, AssessmentScreen)() and isinstance(app.screen.focused, RatingRow))
    screen = app.screen
    assert isinstance(screen, AssessmentScreen)
    return screen


# --- 1. self-assessment: focus at once, 1–5 rate and move on, arrows move ---------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
async def test_seven_number_keys_rate_the_seven_statements(
    course: Course, data_dir: Path, size: tuple[int, int], lang: str
) -> None:
    ids = statements(course)
    keys = ["3", "4", "5", "2", "1", "5", "4"][: len(ids)]
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=size) as pilot:
        screen = await open_assessment(app, pilot)
        focused = screen.focused
        assert isinstance(focused, RatingRow) and focused.statement_id == ids[0], "no tab needed"
        assert "▸ ○ 1  ○ 2  ○ 3  ○ 4  ○ 5" in screen_text(app), "the statement with focus is marked on screen"
        await pilot.press(keys[0])
        await until(pilot, lambda: isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[1])
        first = screen.query_one(f"#r-{ids[0]}", RatingRow)
        assert first.value == 3
        # the choice reads without colour: a filled mark for the chosen value, hollow ones for the rest
        assert first.render().plain.startswith("  ○ 1  ○ 2  ● 3  ○ 4  ○ 5")
        for key in keys[1:]:
            await pilot.press(key)
        await until(pilot, lambda: isinstance(screen.focused, Button) and screen.focused.id == "save")
        assert [screen.query_one(f"#r-{sid}", RatingRow).value for sid in ids] == [int(k) for k in keys]
        await pilot.press("enter")
        await until(pilot, lambda: (data_dir / "assessments").is_dir() and any((data_dir / "assessments").iterdir()))
    (saved,) = (data_dir / "assessments").glob("*.toml")
    assert read(saved)["ratings"] == dict(zip(ids, [int(k) for k in keys], strict=True))


async def test_arrows_move_between_statements_and_change_a_rating(course: Course, data_dir: Path) -> None:
    ids = statements(course)
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_assessment(app, pilot)

        def on(n: int) -> bool:
            return isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[n]

        await pilot.press("down")
        await until(pilot, lambda: on(1))
        await pilot.press("down", "up")
        await until(pilot, lambda: on(1))
        await pilot.press("right", "right", "right")
        row = screen.query_one(f"#r-{ids[1]}", RatingRow)
        await until(pilot, lambda: row.value == 3)
        await pilot.press("left")
        await until(pilot, lambda: row.value == 2)
        assert on(1), "left and right change the rating where it is"
        await until(pilot, lambda: "● 2" in row_line(app, "▸"))
        # tab reaches the note, whose up arrow goes back to its own rating
        await pilot.press("tab")
        await until(pilot, lambda: getattr(screen.focused, "id", "") == f"n-{ids[1]}")
        await pilot.press("3")
        await until(pilot, lambda: getattr(screen.focused, "value", "") == "3")
        assert row.value == 2, "a digit typed in a note is text, not a rating"
        await pilot.press("up")
        await until(pilot, lambda: on(1))


async def test_ratings_survive_a_language_switch(course: Course, data_dir: Path) -> None:
    ids = statements(course)
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_assessment(app, pilot)
        await pilot.press("4", "2")
        await until(pilot, lambda: isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[2])
        await pilot.press("f2")
        await until(pilot, shows(app, "Självskattning"))
        await until(pilot, lambda: screen.query_one(f"#r-{ids[1]}", RatingRow).value == 2)
        assert screen.query_one(f"#r-{ids[0]}", RatingRow).value == 4
        await until(pilot, lambda: isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[2])
        await until(pilot, lambda: "▸ ○ 1" in screen_text(app), "the statement with focus is scrolled into view")


# --- 2. the history on the fixed 1–5 scale, with its notes --------------------------------------------------


def test_the_spark_uses_the_fixed_scale() -> None:
    assert spark([5, 5]) == "██", "5 → 5 is the top of the scale, not the bottom"
    assert spark([1, 1]) == "▁▁"
    assert spark([1, 2, 3, 4, 5]) == "▁▃▅▆█"
    assert spark([3]) == "▅"
    assert spark([1, 2, 3, 4, 5], width=2) == "▆█", "the latest ones"
    assert len(spark([3] * 40)) == 16


@pytest.mark.parametrize("size", SIZES)
async def test_the_history_draws_top_ratings_high_and_shows_the_notes(
    course: Course, data_dir: Path, size: tuple[int, int]
) -> None:
    ids = statements(course)
    study = Study(course, data_dir, "en")
    practice = Practice(study)
    practice.add_assessment(dict.fromkeys(ids, 5), {ids[0]: "Hard when we are in a hurry [/]"})
    practice.add_assessment(dict.fromkeys(ids, 5), {})
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=size) as pilot:
        screen = await open_assessment(app, pilot)
        screen.query_one("#assessment").scroll_home(animate=False)
        await until(pilot, shows(app, "Your ratings so far"))
        assert course.assessment is not None
        name = course.assessment.statements[0].behaviour["en"]
        line = next(line for line in screen_text(app).splitlines() if line.strip().startswith(name))
        assert "██" in line and "▁" not in line, line
        assert "5 → 5" in line
        assert f"{formats.day(date.today(), 'en')} (5): Hard when we are in a hurry [/]" in screen_text(app)
