"""Presenting in a real room (issue 14): the projector layout at 80×24, 100×28 and 200×50, blacking out
and ending, clock times and durations, the notes window that drives the show, the keys as people write
them, and which language a plan is presented in."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.cli.main import main
from course.content.model import Course
from course.trainer.plan import find_plan, read_plan
from course.trainer.present import Deck

# --- which language, how long -----------------------------------------------------------------------------


@pytest.fixture
def shown_decks(monkeypatch: pytest.MonkeyPatch) -> list[Deck]:
    """The decks `tillit present` / `session run` would show, instead of showing them."""
    import course.tui.present as screens

    decks: list[Deck] = []

    class Shown:
        def __init__(self, deck: Deck) -> None:
            decks.append(deck)

        def run(self) -> None:
            return None

    monkeypatch.setattr(screens, "make_present_app", lambda deck, *_a, **_k: Shown(deck))
    return decks


def test_lang_chooses_the_language_of_a_plan_written_in_another(
    course: Course, tmp_path: Path, shown_decks: list[Deck]
) -> None:
    swedish = find_plan("intro-90", course, "sv")
    data = str(tmp_path / "data")
    assert main(["--lang", "en", "session", "run", str(swedish), "--data", data]) == 0
    assert main(["present", "--plan", str(swedish), "--lang", "en", "--data", data]) == 0
    assert [d.lang for d in shown_decks] == ["en", "en"]
    assert shown_decks[0].slides[1].title == course.lesson("trust-culture", "en").title
    # without --lang the plan's own language is taken (it is written in it)
    assert main(["session", "run", str(swedish), "--data", data]) == 0
    assert shown_decks[-1].lang == "sv"


def test_a_handout_of_a_swedish_plan_follows_lang(
    course: Course, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    swedish = find_plan("intro-90", course, "sv")
    rc = main(["handout", "--plan", str(swedish), "--for", "participants", "--format", "md", "--lang", "en",
               "--data", str(tmp_path / "data")])  # fmt: skip
    assert rc == 0
    out = capsys.readouterr().out
    assert course.lesson("trust-culture", "en").title in out
    assert course.lesson("trust-culture", "sv").title not in out


def test_session_new_gives_each_lesson_its_own_minutes(course: Course, tmp_path: Path) -> None:
    short = [lid for lid in course.lesson_ids if course.lesson(lid, "en").minutes < 10]
    assert short, "the built-in course has lessons of under ten minutes"
    plan = tmp_path / "p.toml"
    assert main(["session", "new", *short, "-o", str(plan), "--lang", "en", "--data", str(tmp_path / "d")]) == 0
    read = read_plan(plan, course)
    lessons = [b for b in read.blocks if b.kind == "lesson"]
    assert [b.minutes for b in lessons] == [course.lesson(lid, "en").minutes for lid in short]
    assert min(b.minutes for b in lessons) < 10
