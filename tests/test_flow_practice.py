"""Issue 13, the practice group: self-assessment by number keys, its history on the fixed 1–5 scale with
its notes, commitments that can be postponed or marked "didn't happen", follow-ups that show their
commitment, and spaced review scheduled by FSRS."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from course.content.model import Course
from course.i18n import formats
from course.learner.practice import Practice, PracticeError
from course.learner.study import Study
from course.tui.app import TillitApp
from course.tui.dialogs import AskDialog
from course.tui.home import HomeScreen
from course.tui.practice import AssessmentScreen, CommitmentsScreen, RatingRow, spark
from tests.tui_helpers import flow, new_app, read, screen_text, showing, shows, toasts, until

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


# --- 3. commitments: postponed, "didn't happen", follow-ups that name their commitment; notes in exports ----


def test_a_commitment_can_be_postponed_or_marked_as_not_done(course: Course, data_dir: Path) -> None:
    practice = Practice(Study(course, data_dir, "en"))
    lesson = course.lesson_ids[0]
    today = date.today()
    c = practice.add_commitment(lesson, "Ask before I tell.", today)
    assert practice.due_commitments(today) == [c]
    moved = practice.postpone_commitment(c, today + timedelta(days=5))
    assert moved.due == today + timedelta(days=5) and moved.postponed == (today,) and moved.is_open
    assert practice.due_commitments(today) == []
    saved = read(data_dir / "commitments" / f"{c.id}.toml")
    assert saved["due"] == today + timedelta(days=5) and saved["postponed"] == [today]
    missed = practice.mark_missed(moved)
    assert missed.missed and missed.done is not None and not missed.follow_up
    assert practice.due_commitments(today + timedelta(days=30)) == []
    assert read(data_dir / "commitments" / f"{c.id}.toml")["missed"] is True
    with pytest.raises(PracticeError, match="not having happened"):
        practice.complete_commitment(missed, "It went well.")
    with pytest.raises(PracticeError, match="not having happened"):
        practice.mark_missed(missed)
    again = practice.postpone_commitment(missed, today + timedelta(days=9))
    assert again.is_open and not again.missed and again.postponed == (today, today + timedelta(days=5))
    assert practice.commitments() == [again]
    done, _ = practice.complete_commitment(again, "It went well.")
    with pytest.raises(PracticeError, match="already been followed up"):
        practice.postpone_commitment(done, today)
    with pytest.raises(PracticeError, match="already been followed up"):
        practice.mark_missed(done)
    assert "missed" not in read(data_dir / "commitments" / f"{c.id}.toml"), "the newer keys only when set"


@pytest.mark.parametrize(
    "extra",
    [
        b"missed = 1\n",  # not true/false
        b"missed = true\n",  # "didn't happen" but never closed
        b"postponed = [2025-05-21T10:00:00Z]\n",  # not dates
        b'postponed = "soon"\n',
    ],
)
def test_a_hand_broken_commitment_is_moved_aside(course: Course, data_dir: Path, extra: bytes) -> None:
    (data_dir / "commitments").mkdir(parents=True)
    path = data_dir / "commitments" / "20250101-000000-aaaaaa.toml"
    path.write_bytes(
        b'schema = 1\nid = "20250101-000000-aaaaaa"\nlesson = "trust-culture"\ntext = "x"\n'
        b"created = 2025-01-01T00:00:00Z\ndue = 2025-01-08\n" + extra
    )
    practice = Practice(Study(course, data_dir, "en"))
    assert practice.commitments() == []
    assert [n.kind for n in practice.notices] == ["moved"]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_commitments_screen_postpones_marks_and_keeps_its_place(
    course: Course, data_dir: Path, lang: str
) -> None:
    practice = Practice(Study(course, data_dir, lang))
    today = date.today()
    first = practice.add_commitment(course.lesson_ids[0], "Ask before I tell.", today)
    practice.add_commitment(course.lesson_ids[1], "Share the budget news early.", today + timedelta(days=2))
    answered = practice.add_commitment(course.lesson_ids[2], "Let the team plan.", today - timedelta(days=1))
    practice.complete_commitment(answered, "They planned more than I would have.\nSecond line.")
    app = new_app(course, data_dir, lang)
    words = {
        "sv": ("blev inte av", "flyttat en gång", "åtagande att följa upp"),
        "en": ("didn't happen", "postponed once", "commitment(s) to follow up"),
    }[lang]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, showing(app, HomeScreen))
        await until(pilot, lambda: words[2] in flow(screen_text(app)))
        await pilot.press("k")
        await until(pilot, lambda: showing(app, CommitmentsScreen)() and "Ask before I tell." in screen_text(app))
        screen = app.screen
        assert isinstance(screen, CommitmentsScreen)
        assert "→ They planned more than I would have." in screen_text(app), "a follow-up shows how it went"
        assert "Second line." not in screen_text(app)
        assert screen.current() == first
        await pilot.press("x")
        await until(pilot, shows(app, f"✗ {words[0]}"))
        current = screen.current()
        assert current is not None and current.id == first.id and current.missed, "the highlight stays on it"
        await pilot.press("p")
        await until(pilot, showing(app, AskDialog))
        dialog = app.screen
        assert isinstance(dialog, AskDialog)
        dialog.query_one("#answer", Input).value = (today + timedelta(days=10)).isoformat()
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, CommitmentsScreen)() and words[1] in screen_text(app))
        current = screen.current()
        assert current is not None and current.id == first.id and current.is_open
        assert current.due == today + timedelta(days=10)
        # a bad date changes nothing
        await pilot.press("p")
        await until(pilot, showing(app, AskDialog))
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one("#answer", Input).value = "next week"
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, CommitmentsScreen)() and bool(toasts(app)))
        assert read(data_dir / "commitments" / f"{first.id}.toml")["due"] == today + timedelta(days=10)
        await pilot.press("escape")
        await until(pilot, showing(app, HomeScreen))
        await until(pilot, lambda: words[2] not in flow(screen_text(app)), "nothing is due any more")


def test_exports_show_the_notes_and_the_commitment_a_follow_up_answers(course: Course, data_dir: Path) -> None:
    from course.render.export import render

    ids = statements(course)
    study = Study(course, data_dir, "en")
    practice = Practice(study)
    practice.add_assessment(dict.fromkeys(ids, 2), {ids[0]: "Hard when we are *busy*"})
    practice.add_assessment(dict.fromkeys(ids, 4), {ids[0]: "Better <b>now</b>"})
    c = practice.add_commitment(course.lesson_ids[0], "Ask <before> I tell", date.today())
    _, follow = practice.complete_commitment(c, "It went well.")
    assessments = practice.assessments()
    texts = practice.commitment_texts()
    assert texts == {c.id: "Ask <before> I tell"}
    day = formats.day(date.today(), "en")

    md = render([follow], course, "en", "md", assessments, commitments=texts)
    assert f"- {day} (2): Hard when we are \\*busy\\*" in md
    assert "(4): Better" in md
    assert "2 → 4" in md
    assert "Follow-up of the commitment “Ask" in md

    html = render([follow], course, "en", "html", assessments, commitments=texts)
    assert f"<li>{day} (2): Hard when we are *busy*</li>" in html
    assert "Better &lt;b&gt;now&lt;/b&gt;" in html and "<b>now" not in html
    assert "Follow-up of the commitment “Ask &lt;before&gt; I tell”" in html

    toml_text = render([follow], course, "en", "toml", assessments, commitments=texts)
    import tomllib

    data = tomllib.loads(toml_text)
    assert [a["notes"] for a in data["assessment"]] == [{ids[0]: "Hard when we are *busy*"}, {ids[0]: "Better <b>now</b>"}]
    assert data["reflection"][0]["prompt_text"] == "Follow-up of the commitment “Ask <before> I tell”"
    assert data["reflection"][0]["commitment"] == c.id

    sv = render([follow], course, "sv", "md", assessments, commitments=texts)
    assert "Uppföljning av åtagandet ”Ask" in sv
    plain = render([follow], course, "en", "md")
    assert "Follow-up of a commitment" in plain, "without the commitments, the prompt is as before"
