"""Presenting in a real room (issue 14): the projector layout at 80×24, 100×28 and 200×50, blacking out
and ending, clock times and durations, the notes window that drives the show, the keys as people write
them, and which language a plan is presented in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from course.cli.main import main
from course.content.model import Course
from course.i18n import tr
from course.trainer.commands import STALE_COMMAND, CommandReader, CommandSender, command_path
from course.trainer.plan import find_plan, read_plan
from course.trainer.present import (
    Deck,
    Presenter,
    deck_for_lessons,
    deck_for_plan,
    read_state,
    write_state,
)
from course.tui.dialogs import ConfirmDialog, TextDialog
from course.tui.present import NotesScreen, PresentApp, PresentScreen
from tests.journal_helpers import FakeClock
from tests.tui_helpers import flow, new_app, room_text, screen_text, showing, until

ROOMS = [(80, 24), (100, 28), (200, 50)]


# --- helpers ---------------------------------------------------------------------------------------------


def plan_deck(course: Course, lang: str, name: str = "intro-90") -> Deck:
    return deck_for_plan(course, lang, read_plan(find_plan(name, course, lang), course, untrusted=False))


def present_app(
    deck: Deck, lang: str, data: Path | None, clock: FakeClock | None = None, start: datetime | None = None
) -> PresentApp:
    return PresentApp(
        lambda app: PresentScreen(deck, lang, data, clock=clock or FakeClock(), start=start, on_leave=app.exit), lang
    )


def presenting(app: App[Any]) -> PresentScreen:
    screen = app.screen
    assert isinstance(screen, PresentScreen)
    return screen


async def go(app: App[Any], pilot: Pilot[Any], index: int) -> PresentScreen:
    screen = presenting(app)
    screen.presenter.goto(index)
    screen.show_slide()
    await pilot.pause()
    return screen


def rows(app: App[Any]) -> list[str]:
    return screen_text(app).splitlines()


def inside(app: App[Any], widget: Widget) -> bool:
    """The whole widget is drawn on the screen, not scrolled out of its container's view."""
    shown = widget.region
    return shown.height == widget.outer_size.height and shown.width > 0 and shown.bottom <= app.size.height


def questions(deck: Deck) -> list[int]:
    return [i for i, s in enumerate(deck.slides) if s.question is not None]


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


# --- the projector layout ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ROOMS)
@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_every_question_fits_the_room_with_its_options_and_then_its_answer(
    course: Course, data_dir: Path, size: tuple[int, int], lang: str
) -> None:
    # every question of the course in the smallest room; a plan's in the others
    deck = deck_for_lessons(course, lang, list(course.lesson_ids)) if size == (80, 24) else plan_deck(course, lang)
    app = present_app(deck, lang, data_dir)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for index in questions(deck):
            screen = await go(app, pilot, index)
            q = deck.slides[index].question
            assert q is not None
            for revealed in (False, True):
                await until(pilot, lambda s=screen: bool(s.query(".room-option")))  # type: ignore[misc]
                body = screen.query_one("#room-body")
                assert body.max_scroll_y == 0, f"{size}: question {index} scrolls"
                for widget in [screen.query_one(".slide-title"), *screen.query(".room-question"),
                               *screen.query(".room-option"), *screen.query(".room-why")]:  # fmt: skip
                    assert inside(app, widget), (size, index, revealed, widget)
                text = flow(screen_text(app))
                assert flow(q.text)[:50] in text
                if revealed:
                    assert f"✓ {tr('present.right', lang)}" in text and tr("present.why", lang) in text
                    wrong = [o for o in q.options if not o.correct]
                    assert all(flow(o.explain) not in text for o in wrong)  # the why, not every explanation
                else:
                    await pilot.press("a")
                    await pilot.pause()


@pytest.mark.parametrize("size", ROOMS)
async def test_the_slide_is_centred_in_the_room(course: Course, data_dir: Path, size: tuple[int, int]) -> None:
    deck = plan_deck(course, "en")
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = await go(app, pilot, 8)  # a discussion card: short
        card = screen.query_one(".room-card")
        stage = screen.query_one("#stage")
        above = card.region.y - stage.region.y - screen.query_one(".slide-title").outer_size.height
        below = stage.region.bottom - card.region.bottom
        assert abs(above - below) <= 2, (above, below)
        left, right = card.region.x, size[0] - card.region.right
        assert abs(left - right) <= 2, (left, right)
        title_row = rows(app)[screen.query_one(".slide-title").content_region.y]
        lead = len(title_row) - len(title_row.lstrip())
        trail = len(title_row) - len(title_row.rstrip())
        assert abs(lead - trail) <= 4 and lead > 4, title_row  # (large letters end in a blank column or two)


async def test_at_200_by_50_the_slide_fills_the_screen_with_a_large_title_and_countdown(
    course: Course, data_dir: Path
) -> None:
    deck = plan_deck(course, "en")
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = await go(app, pilot, 2)
        timer = screen.query_one("#timer")
        assert timer.size.height >= 5 and timer.size.width >= 40  # large digits, not Textual's 3 rows
        title = screen.query_one(".slide-title")
        drawn = "\n".join(rows(app)[title.region.y : title.region.bottom])
        assert title.size.height >= 3 and "▄" in drawn and "█" in drawn  # the title in large letters
        body = screen.query_one("#room-body")
        assert body.size.width >= 160  # the text uses the width of the room, not a 100-column strip
        # and at 80×24 the same slide has a plain one-line title and Textual's digits
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await go(app, pilot, 2)
        assert screen.query_one(".slide-title").size.height == 1
        assert screen.query_one("#timer").size.height == 3


@pytest.mark.parametrize("size", [(80, 24), (100, 28)])
async def test_a_wrapped_option_keeps_its_hanging_indent(course: Course, data_dir: Path, size: tuple[int, int]) -> None:
    deck = deck_for_lessons(course, "en", list(course.lesson_ids))

    def longest(i: int) -> int:
        q = deck.slides[i].question
        return max(len(o.text) for o in q.options) if q is not None and q.options else 0

    index = max(questions(deck), key=longest)  # an option long enough to wrap at 100 columns too
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await go(app, pilot, index)
        q = deck.slides[index].question
        assert q is not None
        lines = rows(app)
        wrapped = 0
        for letter, option in zip("ABCDE", q.options, strict=False):
            at = next(n for n, row in enumerate(lines) if f"{letter}  {option.text[:20]}" in row)
            start = lines[at].index(option.text[:20])
            if option.text not in lines[at]:  # it wraps: the next row goes on under the text, not the letter
                wrapped += 1
                follow = lines[at + 1]
                assert follow[:start].strip() == "" and follow[start] != " ", (lines[at], follow)
        assert wrapped, "no option wraps at this size"


async def test_a_second_a_shows_every_explanation_and_the_notes_always_have_them(
    course: Course, data_dir: Path
) -> None:
    deck = plan_deck(course, "en")
    index = questions(deck)[0]
    q = deck.slides[index].question
    assert q is not None
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.pause()
        screen = await go(app, pilot, index)
        notes = screen.query_one("#notes-text", Static)
        every = [o.explain for o in q.options]
        assert all(e in str(notes.visual) for e in every)  # the trainer's key, before any reveal
        await pilot.press("a")
        words = room_text(app)
        assert sum(e in words for e in every) == 0
        await pilot.press("a")
        words = room_text(app)
        assert all(e in words for e in every)
        await pilot.press("a")  # and hidden again
        assert "✓" not in room_text(app)


# --- blacking out, ending -------------------------------------------------------------------------------


async def test_unblanking_with_next_only_brings_the_question_back(course: Course, data_dir: Path) -> None:
    deck = plan_deck(course, "en")
    index = questions(deck)[0]
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await go(app, pilot, index)
        for back in ("right", "space", "a", "left", "b"):
            await pilot.press("b")
            assert not screen_text(app).strip()
            await pilot.press(back)
            await pilot.pause()
            assert screen.presenter.index == index and not screen.presenter.answer, back
            assert "✓" not in screen_text(app) and deck.slides[index].title in screen_text(app)


async def test_q_asks_before_ending_even_before_the_timer_runs(course: Course, data_dir: Path) -> None:
    app = present_app(plan_deck(course, "en"), "en", data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await until(pilot, showing(app, ConfirmDialog))
        await pilot.press("n")
        await until(pilot, showing(app, PresentScreen))
        assert not app._exit
        await pilot.press("q", "y")
        await until(pilot, lambda: app._exit)


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_an_end_slide_closes_the_deck(course: Course, data_dir: Path, lang: str) -> None:
    deck = plan_deck(course, lang)
    app = present_app(deck, lang, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")
        screen = presenting(app)
        while not screen.presenter.at_end:
            await pilot.press("right")
        await pilot.press("right")
        text = flow(screen_text(app))
        assert tr("present.end.title", lang) in text and deck.title in text
        assert screen.presenter.finished
        got = read_state(data_dir)
        assert got is not None and got.finished
        await pilot.press("right")  # nothing after the end; it says how to end
        assert screen.presenter.finished
        await pilot.press("left")
        assert not screen.presenter.finished and screen.presenter.index == len(deck.slides) - 1
        assert tr("present.end.title", lang) not in flow(screen_text(app))


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("index", [0, 17])  # a card, a question (where a shows the answer)
async def test_the_footer_at_80_columns_shows_whole_keys_with_f1_and_esc(
    course: Course, data_dir: Path, lang: str, index: int
) -> None:
    deck = plan_deck(course, lang)
    app = present_app(deck, lang, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go(app, pilot, index)
        footer = rows(app)[-1]
        assert "f1 " + tr("key.help", lang) in footer
        assert "esc " + tr("key.present.leave", lang) in footer
        keys = list(app.screen.query("FooterKey"))
        assert keys and all(k.region.right <= 80 for k in keys)  # every key it shows is shown whole


# --- clock times and durations ---------------------------------------------------------------------------


async def test_the_break_says_when_the_session_goes_on_from_the_plans_start(course: Course, data_dir: Path) -> None:
    deck = plan_deck(course, "en", "half-day")
    pause = next(n for n, s in enumerate(deck.segments) if s.kind == "break")
    back = deck.planned_start(pause) + deck.segments[pause].minutes
    start = datetime(2026, 12, 3, 13, 0)
    app = present_app(deck, "en", data_dir, start=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go(app, pilot, deck.segments[pause].first_slide)
        expected = f"{13 + back // 60:02d}:{back % 60:02d}"
        assert f"We start again at {expected}" in flow(screen_text(app))
        # without a start time, nothing to say until the break is being timed
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go(app, pilot, deck.segments[pause].first_slide)
        assert "We start again" not in screen_text(app)


def test_session_times_are_durations_and_clock_times_never_h_mm(course: Course) -> None:
    from course.tui.slides import session_line

    deck = plan_deck(course, "en")
    clock = FakeClock()
    p = Presenter(deck, clock)
    assert session_line(p, "en") == "Planned 1 h 30 min · t starts the timer"
    assert session_line(p, "sv") == "Planerat 1 tim 30 min · t startar tiden"
    assert session_line(p, "en", datetime(2026, 12, 3, 14, 0)) == "Planned 14:00–15:30 · t starts the timer"
    p.toggle_timer()
    clock.advance(88 * 60 + 30)
    line = session_line(p, "en")
    assert line.startswith("Session 1 h 28 min of 1 h 30 min · ")
    assert not re.search(r"\b\d:\d\d\b", line)  # nothing to mistake for the m:ss countdown


# --- the notes window drives the show ---------------------------------------------------------------------


def notes_app(course: Course, data: Path) -> PresentApp:
    return PresentApp(lambda app: NotesScreen(course, "en", data, clock=FakeClock()), "en")


async def test_the_notes_window_drives_the_presentation(course: Course, data_dir: Path) -> None:
    deck = plan_deck(course, "en")
    room = present_app(deck, "en", data_dir)
    notes = notes_app(course, data_dir)
    async with room.run_test(size=(100, 28)) as rp, notes.run_test(size=(100, 28)) as np:
        screen = presenting(room)
        view = notes.screen
        assert isinstance(view, NotesScreen)
        await until(np, lambda: view.following, "the notes view follows")

        async def press(key: str, done: Callable[[], bool], what: str) -> None:
            await np.press(key)
            await until(rp, done, what)
            await until(np, lambda: view.presenter.index == screen.presenter.index, "the notes follow")

        await press("right", lambda: screen.presenter.index == 1, "→ moves the room on")
        await press("left", lambda: screen.presenter.index == 0 and screen.presenter.shown == 1, "← goes back")
        await press("t", lambda: screen.presenter.countdown.running, "t starts the timer")
        await press("b", lambda: screen.presenter.blackout, "b blacks out")
        await press("b", lambda: not screen.presenter.blackout, "b again brings it back")
        q = questions(deck)[0]
        screen.presenter.goto(q)
        screen.show_slide()
        await until(np, lambda: view.presenter.index == q, "the notes view is on the question")
        await press("a", lambda: screen.presenter.answer, "a shows the answer")
        await until(np, lambda: "the room sees the answer" in screen_text(notes))
        await np.press("escape")
        await until(np, showing(notes, ConfirmDialog))
        await np.press("y")
        await until(rp, lambda: room._exit, "esc (and yes) ends the presentation")
        await until(np, lambda: "The presentation has ended" in flow(screen_text(notes)))
        assert not view.following


async def test_a_stale_or_foreign_command_is_ignored(course: Course, data_dir: Path) -> None:
    deck = plan_deck(course, "en")
    room = present_app(deck, "en", data_dir)
    async with room.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = presenting(room)
        mine = screen.presenter.id
        sender = CommandSender(data_dir)
        sender.send("another-presentation", "next")  # for a presentation that is not this one
        sender.send(mine, "next", wall=time.time() - STALE_COMMAND - 5)  # too old
        screen.obey()  # read the command file now, instead of waiting for the presenter's own check
        await pilot.pause()
        assert screen.presenter.index == 0
        sender.send(mine, "next")
        await until(pilot, lambda: screen.presenter.index == 1, "a fresh command for this presentation")
        command_path(data_dir).write_text("{not json", encoding="utf-8")
        screen.obey()
        assert screen.presenter.index == 1


def test_each_command_is_carried_out_once_and_quick_ones_all_arrive(tmp_path: Path) -> None:
    sender, reader = CommandSender(tmp_path), CommandReader(tmp_path, "p1")
    sender.send("p1", "next")
    sender.send("p1", "next")  # before the presenter looked
    sender.send("p1", "reveal")
    assert reader.poll() == ["next", "next", "reveal"]
    assert reader.poll() == []
    sender.send("p1", "timer")
    assert reader.poll() == ["timer"]
    # a presenter started later (another id) never carries out what was meant for the earlier one
    assert CommandReader(tmp_path, "p2").poll() == []
    os.symlink(tmp_path / "elsewhere", tmp_path / "link")
    assert CommandReader(tmp_path / "link", "p1").poll() == []


async def test_the_notes_view_says_when_the_presentation_has_ended(course: Course, data_dir: Path) -> None:
    deck = plan_deck(course, "en")
    presenter = Presenter(deck, FakeClock())
    presenter.toggle_timer()
    write_state(data_dir, presenter.state())
    app = notes_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen
        assert isinstance(view, NotesScreen)
        await until(pilot, lambda: view.following)
        write_state(data_dir, presenter.state(ended=True))
        await until(pilot, lambda: "The presentation has ended" in flow(screen_text(app)))
        assert not view.following and not view.presenter.countdown.running
        # a new presentation is followed again
        write_state(data_dir, Presenter(deck, FakeClock()).state())
        await until(pilot, lambda: view.following)


async def test_a_dead_presenters_state_is_not_followed(course: Course, data_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(done.stdout)  # a process that has exited: its pid is free
    state = Presenter(plan_deck(course, "en"), FakeClock()).state()
    state["pid"] = gone
    write_state(data_dir, state)
    app = notes_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "The presentation has ended" in flow(screen_text(app)))
        assert "Planned" not in screen_text(app)  # no timer bar for a presentation that is not there
    # and one that stopped writing long ago (its heartbeat) is not followed either
    old = Presenter(plan_deck(course, "en"), FakeClock()).state(wall=time.time() - 3600)
    write_state(data_dir, old)
    got = read_state(data_dir)
    assert got is not None and not got.alive()


async def test_the_notes_help_lists_its_keys(course: Course, data_dir: Path) -> None:
    data_dir.mkdir()
    app = notes_app(course, data_dir)
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.press("f1")
        await until(pilot, showing(app, TextDialog))
        text = flow(screen_text(app))
        for words in ("→ Next", "← Back", "a Show the answer", "t Start or pause the timer", "b Black out",
                      "esc End the presentation", "q Close"):  # fmt: skip
            assert words in text, words


# --- help, palette, language -----------------------------------------------------------------------------


async def test_the_presenters_help_writes_keys_as_people_do(course: Course, data_dir: Path) -> None:
    app = present_app(plan_deck(course, "en"), "en", data_dir)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        await until(pilot, showing(app, TextDialog))
        help_text = str(app.screen.query(Static)[1].visual)
        for internal in ("full_stop", "equals_sign", "question_mark", "pagedown", "escape"):
            assert internal not in help_text, internal
        assert "(b, .)" in help_text and "(+, =)" in help_text and "(f1, ?)" in help_text
        lines = [line.split()[0] for line in help_text.splitlines() if line.startswith("  ")]
        assert len(lines) == len(set(lines)), "each key once"



async def test_the_palette_offers_each_lesson_and_plan_to_present_once(course: Course, data_dir: Path) -> None:
    from textual.command import CommandInput, CommandList, CommandPalette

    from tests.tui_helpers import palette_settled

    app = new_app(course, data_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for query, expected in (("Present:", len(course.lesson_ids)), ("Run session plan:", 2)):
            await pilot.press("ctrl+p")
            await until(pilot, showing(app, CommandPalette))
            app.screen.query_one(CommandInput).value = query
            await until(pilot, lambda: palette_settled(app))
            listed = app.screen.query_one(CommandList)
            prompts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
            found = [p for p in prompts if p.startswith(query)]
            assert len(found) == expected and len(set(found)) == len(found), prompts
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, CommandPalette))


@pytest.fixture
def one_language(tmp_path: Path) -> Course:
    """The built-in course with only its English half."""
    import shutil
    import tomllib

    import tomli_w

    from course.content.loader import load_course
    from tests.conftest import REPO

    root = tmp_path / "one"
    shutil.copytree(REPO / "lessons", root / "lessons", ignore=shutil.ignore_patterns("sv"))
    shutil.copytree(REPO / "quizzes", root / "quizzes", ignore=shutil.ignore_patterns("sv"))

    def english(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: english(v) for k, v in value.items() if k != "sv"}
        if isinstance(value, list):
            return [english(v) for v in value]
        return value

    for path in (root / "lessons").glob("*.toml"):
        data = english(tomllib.loads(path.read_text(encoding="utf-8")))
        if path.name == "course.toml":
            data["languages"] = ["en"]
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return load_course(root)


async def test_a_one_language_course_offers_no_f2_while_presenting(one_language: Course, data_dir: Path) -> None:
    app = new_app(one_language, data_dir)
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.pause()
        app.present([one_language.lesson_ids[0]])
        await until(pilot, showing(app, PresentScreen))
        footer = rows(app)[-1]
        assert "f2" not in footer and "Svenska" not in footer
        await pilot.press("f1")
        await until(pilot, showing(app, TextDialog))
        assert "f2" not in screen_text(app)


async def test_f5_on_the_course_map_presents_the_highlighted_lesson(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.press("f5")
        await until(pilot, showing(app, PresentScreen))
        screen = presenting(app)
        assert screen.deck.source["lessons"] == [course.lesson_ids[2]]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PresentScreen))


async def test_the_notes_view_has_the_plans_clock_times_and_offers_a_only_on_a_question(
    course: Course, data_dir: Path
) -> None:
    deck = plan_deck(course, "en")
    room = present_app(deck, "en", data_dir, start=datetime(2026, 12, 3, 9, 0))
    notes = notes_app(course, data_dir)
    async with room.run_test(size=(100, 28)) as rp, notes.run_test(size=(100, 28)) as np:
        view = notes.screen
        assert isinstance(view, NotesScreen)
        await until(np, lambda: view.following)
        await until(np, lambda: "Planned 09:00–10:30" in screen_text(notes))
        assert "a Show answer" not in rows(notes)[-1]
        screen = presenting(room)
        screen.presenter.goto(questions(deck)[0])
        screen.show_slide()
        await rp.pause()
        await until(np, lambda: "a Show answer" in rows(notes)[-1])


async def test_a_slide_taller_than_the_room_keeps_its_title_in_view(course: Course, data_dir: Path) -> None:
    deck = plan_deck(course, "en")
    table = next(i for i, s in enumerate(deck.slides) if any("|" in step for step in s.steps))
    app = present_app(deck, "en", data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = await go(app, pilot, table)
        await pilot.press("v")  # every point at once: taller than 24 rows
        await pilot.pause()
        assert screen.query_one("#room-body").max_scroll_y > 0
        title = screen.query_one(".slide-title")
        assert inside(app, title)
        assert deck.slides[table].title in rows(app)[title.content_region.y]
