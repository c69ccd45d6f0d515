"""Facilitator mode on screen (Pilot): what the room sees, what it must not see, the timers, the notes view,
presenting from the learner app, and the `tillit session` commands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandInput, CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Digits, OptionList, Static

from course.cli.main import main
from course.content.model import Course
from course.i18n import tr
from course.trainer.present import Deck, Presenter, deck_for_lessons, read_state, state_path, write_state
from course.tui.dialogs import ConfirmDialog, JumpDialog
from course.tui.lesson import LessonScreen
from course.tui.present import NotesScreen, PresentApp, PresentScreen, session_line, timer_label
from tests.journal_helpers import FakeClock
from tests.tui_helpers import displayed, flow, new_app, palette_settled, room_text, screen_text, showing, until

SMALL = (80, 24)
LARGE = (120, 40)


# --- reading the screen ----------------------------------------------------------------------------------


def plain(widget: Static) -> str:
    visual = widget.visual
    return visual.plain if isinstance(visual, Content) else str(visual)


def region_text(app: App[Any], widget: Widget) -> str:
    """What is drawn inside one widget's region, as flowing text."""
    strips = app.screen._compositor.render_strips()
    r = widget.content_region
    return flow("\n".join(strips[y].crop(r.x, r.right).text for y in range(r.y, r.bottom)))


def blank(text: str) -> bool:
    return not text.strip()


# --- building the app -----------------------------------------------------------------------------------


def present_app(
    deck: Deck, lang: str, data: Path | None, clock: FakeClock, on_leave: Callable[[], None] | None = None
) -> PresentApp:
    return PresentApp(
        lambda app: PresentScreen(deck, lang, data, clock=clock, on_leave=on_leave or app.exit),
        lang,
    )


def presenting(app: App[Any]) -> PresentScreen:
    screen = app.screen
    assert isinstance(screen, PresentScreen)
    return screen


async def show(pilot: Pilot[Any], *keys: str) -> None:
    if keys:
        await pilot.press(*keys)
    await pilot.pause()


def lesson_deck(course: Course, lang: str = "en") -> Deck:
    return deck_for_lessons(course, lang, ["trust-culture"])


def first_question(deck: Deck) -> int:
    return next(i for i, s in enumerate(deck.slides) if s.question is not None)


# --- slides and reveal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_first_slide_shows_the_title_and_the_first_objective_only(
    course: Course, data_dir: Path, size: tuple[int, int]
) -> None:
    lesson = course.lesson("trust-culture", "en")
    first, second = lesson.objectives[:2]
    app = present_app(lesson_deck(course), "en", data_dir, FakeClock())
    async with app.run_test(size=size) as pilot:
        await show(pilot)
        text = flow(screen_text(app))
        assert lesson.title in text
        assert first in text
        assert second not in text and second not in room_text(app)
        assert "1/13" in text
        assert "Planned 28 min" in text
        await show(pilot, "right")
        text = flow(screen_text(app))
        assert first in text and second in text
        await show(pilot, "left")
        assert second not in flow(screen_text(app))
        await show(pilot, "space", "space")  # the second objective, then the first section
        text = flow(screen_text(app))
        assert lesson.headings[0].text in text and "2/13" in text
        assert first not in text


@pytest.mark.parametrize(
    ("lang", "size", "key"), [("en", LARGE, "a"), ("sv", LARGE, "right"), ("en", SMALL, "right"), ("sv", SMALL, "a")]
)
async def test_a_question_hides_its_answer_until_revealed(
    course: Course, data_dir: Path, lang: str, size: tuple[int, int], key: str
) -> None:
    deck = lesson_deck(course, lang)
    index = first_question(deck) + 1  # the multiple-choice question, every option explained
    q = deck.slides[index].question
    assert q is not None and q.kind == "multiple"
    right, wrong = tr("present.right", lang), tr("present.wrong", lang)
    app = present_app(deck, lang, data_dir, FakeClock())
    async with app.run_test(size=size) as pilot:
        await show(pilot)
        screen = presenting(app)
        screen.presenter.goto(index)
        screen.show_slide()
        await show(pilot)
        text, words = flow(screen_text(app)), room_text(app)
        assert flow(q.text)[:60] in text
        for letter, option in zip("ABCDE", q.options, strict=True):
            assert f"{letter}  {option.text}" in words
        if size == LARGE:
            for letter, option in zip("ABCDE", q.options, strict=True):
                assert f"{letter} {option.text}" in text
        for option in q.options:
            assert option.explain[:40] not in words and option.explain[:40] not in text
        for mark in ("✓", "✗", f"✓ {right}", f"{right}:", f"{wrong}:"):
            assert mark not in words and mark not in text

        await show(pilot, key)
        assert presenting(app).presenter.index == index
        text, words = flow(screen_text(app)), room_text(app)
        assert words.count("✓") == sum(o.correct for o in q.options) == 2
        assert words.count("✗") == 3
        for letter, option in zip("ABCDE", q.options, strict=True):
            mark = f"✓ {right}" if option.correct else f"✗ {wrong}"
            assert f"{letter}  {mark}: {option.text}" in words
            if not option.correct:  # the room sees why the answer is right, not every option's explanation
                assert option.explain[:40] not in words
        if size == LARGE:
            assert f"✓ {right}:" in text

        # a second key shows every option's explanation (changed in issue 14: they used to come at once)
        await show(pilot, "a")
        text, words = flow(screen_text(app)), room_text(app)
        for option in q.options:
            assert option.explain in words
        if size == LARGE:
            for option in q.options:
                assert flow(option.explain) in text

        # back: the explanations go, then the answer is hidden again
        await show(pilot, "left", "left")
        assert presenting(app).presenter.index == index
        words = room_text(app)
        assert "✓" not in words and all(o.explain[:40] not in words for o in q.options)


async def test_a_true_false_question_shows_true_and_false_then_the_explanation(course: Course, data_dir: Path) -> None:
    deck = lesson_deck(course, "sv")
    last = deck.slides[-1].question
    assert last is not None and last.kind == "true_false"
    app = present_app(deck, "sv", data_dir, FakeClock())
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot, "end")
        text = flow(screen_text(app))
        assert "Fråga 5/5" in text
        assert "A Sant" in text and "B Falskt" in text
        assert flow(last.explain)[:40] not in text and "✓" not in text and "rätt:" not in text
        await show(pilot, "a")
        text = flow(screen_text(app))
        good, bad = ("A", "B") if last.answer else ("B", "A")
        assert f"{good} ✓ rätt:" in text and f"{bad} ✗ fel:" in text
        await show(pilot, "a")  # the whole explanation on the second key (issue 14)
        assert flow(last.explain) in flow(screen_text(app))


async def test_the_trainers_notes_never_show_to_the_room_unless_n_is_pressed(course: Course, data_dir: Path) -> None:
    lesson = course.lesson("trust-culture", "en")
    secret = "A common pitfall is hearing trust as the absence of frameworks"
    assert secret in lesson.notes
    deck = lesson_deck(course)
    app = present_app(deck, "en", data_dir, FakeClock())
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot)
        screen = presenting(app)
        # every slide, every step, every answer
        while True:
            assert secret not in flow(screen_text(app))
            assert secret not in flow(room_text(app))
            if screen.presenter.at_end:
                break
            screen.action_next()  # what → does, without a key event per step
            await pilot.pause()
        assert screen.presenter.index == len(deck.slides) - 1

        await show(pilot, "home")
        assert screen.presenter.index == 0
        panel = screen.query_one("#notes-panel")
        assert not panel.display
        await show(pilot, "n")
        assert panel.display
        assert secret in region_text(app, panel)
        notes = screen.query_one("#notes-text", Static)
        assert displayed(notes) and secret in flow(plain(notes)) and secret in flow(room_text(app))
        assert "What characterises a trust culture? · 10 min" in region_text(app, panel)
        # the slide still shows beside the notes
        assert lesson.objectives[0][:30] in flow(screen_text(app))
        await show(pilot, "n")
        assert not panel.display
        assert secret not in flow(screen_text(app)) and secret not in flow(room_text(app))


async def test_the_notes_panel_at_80_columns(course: Course, data_dir: Path) -> None:
    app = present_app(lesson_deck(course), "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "n")
        panel = presenting(app).query_one("#notes-panel")
        assert panel.display and panel.region.width >= 20
        assert "A good way in is to ask participants" in region_text(app, panel)


async def test_b_blacks_out_and_any_move_brings_the_slide_back(course: Course, data_dir: Path) -> None:
    lesson = course.lesson("trust-culture", "en")
    app = present_app(lesson_deck(course), "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "b")
        assert blank(screen_text(app))
        assert presenting(app).presenter.blackout
        await show(pilot, "right")  # the picture comes back, and only that (issue 14: it used to reveal too)
        text = flow(screen_text(app))
        assert lesson.title in text and lesson.objectives[1][:40] not in text
        await show(pilot, "full_stop")
        assert blank(screen_text(app))
        await show(pilot, "left")
        assert lesson.title in flow(screen_text(app))
        await show(pilot, "b", "b")
        assert lesson.title in flow(screen_text(app))


async def test_g_opens_the_jump_list_and_enter_goes_there(course: Course, data_dir: Path) -> None:
    deck = lesson_deck(course)
    app = present_app(deck, "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "g")
        assert isinstance(app.screen, JumpDialog)
        listing = app.screen.query_one(OptionList)
        text = screen_text(app)
        assert "Go to slide" in text
        assert "What characterises a trust culture?  (10 min)" in text
        assert "▶ 1. What characterises a trust culture?" in text
        await show(pilot, "down", "down", "enter")
        assert isinstance(app.screen, PresentScreen)
        assert app.screen.presenter.index == 2
        assert deck.slides[2].title in screen_text(app)
        assert "3/13" in screen_text(app)
        assert listing is not None

        # escape closes it without moving; the end of the list is the last question
        await show(pilot, "g", "escape")
        assert isinstance(app.screen, PresentScreen) and app.screen.presenter.index == 2
        await show(pilot, "g", "end", "enter")
        assert presenting(app).presenter.index == len(deck.slides) - 1
        assert "Question 5/5" in screen_text(app)


async def test_the_jump_list_shows_clock_times_when_the_session_has_a_start(course: Course, data_dir: Path) -> None:
    from datetime import datetime

    deck = lesson_deck(course)
    start = datetime(2026, 12, 3, 9, 0)
    app = PresentApp(
        lambda a: PresentScreen(deck, "en", data_dir, clock=FakeClock(), start=start, on_leave=a.exit), "en"
    )
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot, "g")
        text = screen_text(app)
        lesson, discussion, quiz = deck.segments
        assert lesson.title == "What characterises a trust culture?"
        assert f"09:00  {lesson.title}  (10 min)" in text
        assert f"09:10  {discussion.title}  (10 min)" in text
        assert f"09:20  {quiz.title}  (8 min)" in text
        assert "What characterises a trust culture?" in discussion.title and "trust" in quiz.title


async def test_a_plans_exercise_shows_its_task_but_never_the_block_notes(course: Course, data_dir: Path) -> None:
    from course.trainer.plan import find_plan, read_plan
    from course.trainer.present import deck_for_plan

    plan = read_plan(find_plan("half-day", course, "en"), course, untrusted=False)
    deck = deck_for_plan(course, "en", plan)
    n, block = next((i, b) for i, b in enumerate(plan.blocks) if b.kind == "exercise" and b.task and b.notes)
    seg = deck.segments[n]
    secret = flow(block.notes)[:50]
    app = present_app(deck, "en", data_dir, FakeClock())
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot)
        screen = presenting(app)
        screen.presenter.goto(seg.first_slide)
        screen.show_slide()
        await show(pilot)
        text = flow(screen_text(app))
        assert block.title in text
        assert block.task in room_text(app)
        assert block.task[:30] in text  # drawn in a card
        assert secret not in text and secret not in flow(room_text(app))
        await show(pilot, "n")
        assert secret in flow(plain(screen.query_one("#notes-text", Static)))
        assert secret in region_text(app, screen.query_one("#notes-panel"))


async def test_a_running_break_says_when_the_session_goes_on(course: Course, data_dir: Path) -> None:
    from course.trainer.plan import find_plan, read_plan
    from course.trainer.present import deck_for_plan

    plan = read_plan(find_plan("half-day", course, "sv"), course, untrusted=False)
    deck = deck_for_plan(course, "sv", plan)
    pause = next(s for s in deck.segments if s.kind == "break")
    app = present_app(deck, "sv", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot)
        screen = presenting(app)
        screen.presenter.goto(pause.first_slide)
        screen.show_slide()
        await show(pilot)
        text = screen_text(app)
        assert "Paus" in text and "Vi fortsätter kl." not in text  # the timer is not running yet
        await show(pilot, "t")
        screen.show_slide()
        await show(pilot)
        assert re.search(r"Vi fortsätter kl\. \d\d:\d\d", screen_text(app))


# --- timers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_countdown_runs_over_time_rings_once_and_takes_another_minute(
    course: Course, data_dir: Path, size: tuple[int, int]
) -> None:
    clock = FakeClock()
    app = present_app(lesson_deck(course), "en", data_dir, clock)
    rings: list[int] = []
    async with app.run_test(size=size) as pilot:
        app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
        await show(pilot)
        screen = presenting(app)
        timer = screen.query_one("#timer", Digits)
        label = screen.query_one("#timer-label", Static)
        assert timer.value == "10:00" and plain(label) == "paused" and timer.has_class("paused")
        assert "Planned 28 min · t starts the timer" in screen_text(app)

        await show(pilot, "t")
        assert screen.presenter.countdown.running and not timer.has_class("paused")
        clock.advance(4 * 60)
        screen.tick()
        await show(pilot)
        assert timer.value == "6:00" and plain(label) == "left"
        assert "Session 4 min of 28 min · on time" in screen_text(app)

        clock.advance(6 * 60 + 5)
        screen.tick()
        await show(pilot)
        assert timer.value == "-0:05"
        assert plain(label) == "⏰ over time" and "over time" in screen_text(app)
        assert timer.has_class("overtime") and not timer.has_class("last-minute")
        assert rings == [1]
        assert screen.has_class("flash")
        clock.advance(3)
        screen.tick()
        screen.tick()
        await show(pilot)
        assert rings == [1]  # once, not on every tick

        await show(pilot, "plus")  # 52 s left
        assert timer.value == "0:52"
        assert plain(label) == "⚠ last minute" and "last minute" in screen_text(app)
        assert timer.has_class("last-minute") and not timer.has_class("overtime")
        clock.advance(53)
        screen.tick()
        await show(pilot)
        assert rings == [1, 1]  # a new zero after the extra minute rings again
        assert timer.has_class("overtime")

        await show(pilot, "r")
        assert timer.value == "10:00" and plain(label) == "paused"
        assert not timer.has_class("overtime")


async def test_the_minus_key_takes_a_minute_off(course: Course, data_dir: Path) -> None:
    app = present_app(lesson_deck(course), "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "minus")
        assert presenting(app).query_one("#timer", Digits).value == "9:00"
        await show(pilot, "equals_sign", "equals_sign")
        assert presenting(app).query_one("#timer", Digits).value == "11:00"


@pytest.mark.parametrize(("lang", "words"), [("sv", "sista minuten"), ("en", "last minute")])
async def test_the_last_minute_is_said_in_words(course: Course, data_dir: Path, lang: str, words: str) -> None:
    clock = FakeClock()
    app = present_app(lesson_deck(course, lang), lang, data_dir, clock)
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "t")
        screen = presenting(app)
        clock.advance(9 * 60 + 1)
        screen.tick()
        await show(pilot)
        assert words in screen_text(app)
        assert screen.query_one("#timer", Digits).has_class("last-minute")
        clock.advance(58)
        screen.tick()
        await show(pilot)
        assert words in screen_text(app)
        clock.advance(1)
        screen.tick()
        await show(pilot)
        assert words not in screen_text(app)


@pytest.mark.parametrize(
    ("lang", "size", "behind", "on_time"),
    [("en", SMALL, "2 min behind plan", "on time"), ("sv", LARGE, "2 min efter plan", "enligt plan")],
)
async def test_the_session_line_says_when_the_session_is_behind_plan(
    course: Course, data_dir: Path, lang: str, size: tuple[int, int], behind: str, on_time: str
) -> None:
    clock = FakeClock()
    app = present_app(lesson_deck(course, lang), lang, data_dir, clock)
    async with app.run_test(size=size) as pilot:
        await show(pilot, "t")
        screen = presenting(app)
        screen.tick()
        await show(pilot)
        assert on_time in screen_text(app)
        clock.advance(12 * 60)  # a 10-minute lesson, two minutes over
        screen.tick()
        await show(pilot)
        assert behind in screen_text(app)
        assert ("12 min" in screen_text(app)) and ("28 min" in screen_text(app))


def test_session_line_and_timer_label_words(course: Course) -> None:
    deck = lesson_deck(course)
    clock = FakeClock()
    p = Presenter(deck, clock)
    assert session_line(p, "en") == "Planned 28 min · t starts the timer"
    assert session_line(p, "sv") == "Planerat 28 min · t startar tiden"
    assert timer_label(p, "en") == "paused"
    p.toggle_timer()
    clock.advance(60)
    p.goto(deck.segments[1].first_slide)  # a minute into a 10-minute lesson: 9 minutes ahead
    assert session_line(p, "en") == "Session 1 min of 28 min · 9 min ahead of plan"
    assert session_line(p, "sv") == "Passet 1 min av 28 min · 9 min före plan"
    assert timer_label(p, "sv") == "kvar"
    clock.advance(10 * 60)
    assert timer_label(p, "en") == "⏰ time is up"
    clock.advance(1)
    assert timer_label(p, "sv") == "⏰ över tiden"


# --- leaving and publishing --------------------------------------------------------------------------------


async def test_escape_asks_for_confirmation_only_once_the_session_timer_runs(course: Course, data_dir: Path) -> None:
    left: list[int] = []
    app = present_app(lesson_deck(course), "en", data_dir, FakeClock(), on_leave=lambda: left.append(1))
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "escape")
        assert left == [1]
        assert isinstance(app.screen, PresentScreen)  # on_leave decides what leaving means

        await show(pilot, "t")
        await show(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        assert "End the presentation?" in screen_text(app)
        await show(pilot, "n")
        assert isinstance(app.screen, PresentScreen) and left == [1]
        await show(pilot, "q")
        assert isinstance(app.screen, ConfirmDialog)
        await show(pilot, "y")
        assert left == [1, 1]

        # a paused countdown still means a session under way
        await show(pilot, "t")
        assert not presenting(app).presenter.countdown.running
        await show(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)


async def test_escape_without_a_session_ends_the_present_app(course: Course, data_dir: Path) -> None:
    app = present_app(lesson_deck(course), "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        assert not app._exit
        await show(pilot, "escape")
        assert app._exit


async def test_the_state_file_follows_the_slide(course: Course, data_dir: Path) -> None:
    deck = lesson_deck(course)
    app = present_app(deck, "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot)
        got = read_state(data_dir)
        assert got is not None and (got.slide, got.shown) == (0, 1)
        await show(pilot, "right")
        got = read_state(data_dir)
        assert got is not None and (got.slide, got.shown) == (0, 2)
        await show(pilot, "right", "right")
        got = read_state(data_dir)
        assert got is not None and (got.slide, got.shown) == (1, 2)
        await show(pilot, "end", "a")
        got = read_state(data_dir)
        assert got is not None and (got.slide, got.answer) == (len(deck.slides) - 1, True)
        await show(pilot, "b")
        got = read_state(data_dir)
        assert got is not None and got.blackout
        await show(pilot, "t")
        got = read_state(data_dir)
        assert got is not None and got.running and got.session_running and got.timer_segment == 2
        raw = json.loads(state_path(data_dir).read_text(encoding="utf-8"))
        assert raw["source"] == {"lessons": ["trust-culture"], "lang": "en"}


async def test_presenting_without_a_data_folder_writes_nothing(course: Course, tmp_path: Path) -> None:
    app = present_app(lesson_deck(course), "en", None, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "right", "t")
        assert presenting(app).presenter.shown == 2
    assert not list(tmp_path.rglob("state.json"))


# --- the notes view ----------------------------------------------------------------------------------------


def notes_app(course: Course, lang: str, data: Path, clock: FakeClock) -> PresentApp:
    return PresentApp(lambda app: NotesScreen(course, lang, data, clock=clock), lang)


def notes_screen(app: App[Any]) -> NotesScreen:
    screen = app.screen
    assert isinstance(screen, NotesScreen)
    return screen


async def test_the_notes_view_waits_for_a_presentation(course: Course, data_dir: Path) -> None:
    data_dir.mkdir()
    app = notes_app(course, "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot)
        assert "Waiting for the presentation" in screen_text(app)
        assert not notes_screen(app).following
        # a broken state file is waited out too
        state_path(data_dir).parent.mkdir()
        state_path(data_dir).write_text("{half a file", encoding="utf-8")
        notes_screen(app).follow()
        await show(pilot)
        assert "Waiting for the presentation" in screen_text(app)
        assert not notes_screen(app).following


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_notes_view_shows_the_notes_and_the_answer_key(
    course: Course, data_dir: Path, size: tuple[int, int]
) -> None:
    lesson = course.lesson("trust-culture", "en")
    deck = lesson_deck(course)
    presenter = Presenter(deck, FakeClock())
    presenter.next()
    write_state(data_dir, presenter.state())
    app = notes_app(course, "en", data_dir, FakeClock())
    async with app.run_test(size=size) as pilot:
        await show(pilot)
        screen = notes_screen(app)
        assert screen.following
        notes = plain(screen.query_one("#notes-text", Static))
        assert lesson.notes.strip() in notes
        text = flow(screen_text(app))
        assert "A good way in is to ask participants" in text
        assert "Speaker view — following the presentation" in text
        assert "showing 2 of 2 points" in text
        assert f"1. {lesson.title}" in text
        assert f"Next: {deck.slides[1].title}" in flow(notes)

        # the presenter moves on to a question: the key is there, marked as hidden from the room
        q_index = first_question(deck) + 1
        q = deck.slides[q_index].question
        assert q is not None
        presenter.goto(q_index)
        write_state(data_dir, presenter.state())
        screen.follow()
        await show(pilot)
        assert screen.presenter.index == q_index
        notes = plain(screen.query_one("#notes-text", Static))
        assert "Answer key (hidden from the room, a shows it):" in notes
        for letter, option in zip("ABCDE", q.options, strict=True):
            mark = "✓ right" if option.correct else "✗ wrong"
            assert f"{letter}  {mark}: {option.text}" in notes
            assert option.explain in notes
        assert "the room sees the question, not the answer" in flow(screen_text(app))

        presenter.reveal()
        presenter.toggle_blackout()
        write_state(data_dir, presenter.state())
        screen.follow()
        await show(pilot)
        text = flow(screen_text(app))
        assert "the room sees the answer" in text and "the screen is blacked out" in text
        assert "Answer key (showing to the room):" in plain(screen.query_one("#notes-text", Static))


async def test_the_notes_view_follows_a_running_countdown(course: Course, data_dir: Path) -> None:
    deck = lesson_deck(course)
    presenter = Presenter(deck, FakeClock())
    presenter.toggle_timer()
    write_state(data_dir, presenter.state())
    clock = FakeClock(5.0)
    app = notes_app(course, "en", data_dir, clock)
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot)
        screen = notes_screen(app)
        assert screen.presenter.countdown.running and screen.presenter.session_started is not None
        clock.advance(61)
        screen.tick()
        await show(pilot)
        assert screen.query_one("#timer", Digits).value in ("8:59", "8:58")
        assert "Session 1 min of 28 min" in screen_text(app)


async def test_the_notes_view_rebuilds_its_deck_for_other_lessons(course: Course, data_dir: Path) -> None:
    other = deck_for_lessons(course, "sv", ["hr-role", "team-dialogue"])
    presenter = Presenter(other, FakeClock())
    target = other.segments[3].first_slide  # team-dialogue's lesson (after hr-role's lesson, discussion, quiz)
    presenter.goto(target)
    assert other.segments[3].lesson == "team-dialogue"
    write_state(data_dir, presenter.state())
    app = notes_app(course, "en", data_dir, FakeClock())
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot)
        screen = notes_screen(app)
        assert screen.deck.source == {"lessons": ["hr-role", "team-dialogue"], "lang": "sv"}
        assert screen.presenter.index == target
        title = course.lesson("team-dialogue", "sv").title
        text = flow(screen_text(app))
        assert f"{target + 1}. {title}" in text
        assert f"{target + 1}/{len(other.slides)}" in text
        assert course.lesson("team-dialogue", "sv").notes.strip()[:50] in plain(screen.query_one("#notes-text", Static))
        assert "Speaker view" in text  # the notes view keeps its own language

        # and back to the first lesson's deck when the presenter starts over with it
        write_state(data_dir, Presenter(lesson_deck(course), FakeClock()).state())
        screen.follow()
        await show(pilot)
        assert screen.deck.source == {"lessons": ["trust-culture"], "lang": "en"}
        assert "1. What characterises a trust culture?" in flow(screen_text(app))


async def test_the_notes_view_sees_a_new_state_written_within_the_same_timestamp(
    course: Course, data_dir: Path
) -> None:
    import os
    import time

    now = time.time()  # a state from a presenter still running: written within the last seconds
    deck = lesson_deck(course)
    presenter = Presenter(deck, FakeClock())
    presenter.goto(1)
    write_state(data_dir, presenter.state(wall=now))
    path = state_path(data_dir)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    app = notes_app(course, "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot)
        screen = notes_screen(app)
        assert screen.presenter.index == 1
        presenter.goto(2)  # the same size of file: only the slide number changes
        write_state(data_dir, presenter.state(wall=now))
        # a filesystem with coarse timestamps (FAT, some network shares) gives the new file the same mtime
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
        screen.follow()
        await show(pilot)
        assert screen.presenter.index == 2


async def test_make_notes_app_waits_without_a_state(course: Course, data_dir: Path) -> None:
    from course.tui.present import make_notes_app

    data_dir.mkdir()
    app = make_notes_app(course, "sv", data_dir)
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot)
        assert "Väntar på presentationen" in screen_text(app)
        assert not app._exit
        await show(pilot, "escape")
        assert app._exit


# --- from the learner app ------------------------------------------------------------------------------------


async def test_f5_on_a_lesson_presents_it_and_the_journal_stays_private(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "enter")
        await until(pilot, showing(app, LessonScreen))
        assert isinstance(app.screen, LessonScreen)
        await show(pilot, "f5")
        screen = app.screen
        assert isinstance(screen, PresentScreen)
        assert screen.deck.source == {"lessons": ["trust-culture"], "lang": "en"}
        assert "What characterises a trust culture?  ·  1/13" in screen_text(app)
        stack = list(app.screen_stack)
        await show(pilot, "j")
        assert app.screen is screen and list(app.screen_stack) == stack  # no journal on the projector
        await show(pilot, "f2")
        assert app.screen is screen and app.study.lang == "en"
        # presenting writes the state for a notes view into the learner's data folder
        got = read_state(data_dir)
        assert got is not None and got.source == {"lessons": ["trust-culture"], "lang": "en"}
        await show(pilot, "right")
        assert screen.presenter.shown == 2
        await show(pilot, "escape")
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson_id == "trust-culture"


async def test_leaving_a_running_session_in_the_learner_app_asks_first(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot, "enter")
        await until(pilot, showing(app, LessonScreen))
        await show(pilot, "f5", "t", "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await show(pilot, "y")
        assert isinstance(app.screen, LessonScreen)


async def test_the_command_palette_presents_a_lesson(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot)
        await show(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        app.screen.query_one(CommandInput).value = "Present: What characterises"  # one search, not one per key
        await until(pilot, lambda: palette_settled(app))
        await show(pilot, "enter")
        await until(pilot, showing(app, PresentScreen))
        screen = app.screen
        assert isinstance(screen, PresentScreen)
        assert screen.deck.source == {"lessons": ["trust-culture"], "lang": "en"}
        await show(pilot, "escape")
        assert not isinstance(app.screen, PresentScreen)


# --- pagers and remotes --------------------------------------------------------------------------------------


async def test_a_presenter_remote_moves_on_from_a_slide_taller_than_the_screen(course: Course, data_dir: Path) -> None:
    deck = lesson_deck(course)
    app = present_app(deck, "en", data_dir, FakeClock())
    async with app.run_test(size=SMALL) as pilot:
        await show(pilot)
        screen = presenting(app)
        screen.presenter.goto(2)  # "Two cultures, one workplace": text and a table, taller than 24 rows
        screen.presenter.reveal_all()
        screen.show_slide()
        await show(pilot)
        await show(pilot, "pagedown")  # what a presentation clicker sends
        assert screen.presenter.index == 3


async def test_a_presenter_remote_moves_on_from_a_short_slide(course: Course, data_dir: Path) -> None:
    app = present_app(lesson_deck(course), "en", data_dir, FakeClock())
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot, "pagedown", "pagedown")
        assert presenting(app).presenter.index == 1
        await show(pilot, "pageup")
        assert presenting(app).presenter.index == 0


# --- the session commands -------------------------------------------------------------------------------------


def test_session_new_writes_a_plan_that_check_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TILLIT_DATA", str(tmp_path / "data"))
    plan = tmp_path / "p.toml"
    rc = main(["session", "new", "trust-culture", "-o", str(plan), "--lang", "sv", "--data", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out
    assert str(plan) in out
    text = plan.read_text(encoding="utf-8")
    assert 'lesson = "trust-culture"' in text and 'lang = "sv"' in text
    assert 'title = "Vad kännetecknar en tillitskultur?"' in text
    assert main(["check", str(plan)]) == 0
    assert "and 1 plan" in capsys.readouterr().out

    # it will not overwrite the plan without --force
    plan.write_text(text + "\n# my own edits\n", encoding="utf-8")
    rc = main(["session", "new", "trust-culture", "-o", str(plan), "--lang", "sv", "--data", str(tmp_path)])
    assert rc != 0
    assert "already exists" in capsys.readouterr().err
    assert plan.read_text(encoding="utf-8").endswith("# my own edits\n")
    rc = main(["session", "new", "hr-role", "-o", str(plan), "--lang", "en", "--force", "--data", str(tmp_path)])
    assert rc == 0
    assert 'lesson = "hr-role"' in plan.read_text(encoding="utf-8")


def test_check_reports_a_broken_plan_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TILLIT_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "broken.toml"
    lines = [
        "schema = 1",
        'title = "Broken"',
        "",
        "[[block]]",
        'kind = "lesson"',
        'lesson = "no-such-lesson"',
        "minutes = 10",
        "",
        "[[block]]",
        'kind = "discussion"',
        'lesson = "trust-culture"',
        "minutes = 0",
        "",
    ]
    plan.write_text("\n".join(lines), encoding="utf-8")
    assert main(["check", str(plan)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(re.match(r"^broken\.toml:6: block 1 names lesson 'no-such-lesson'", line) for line in out), out
    assert any(re.match(r"^broken\.toml:12: block 2 is 0 minutes long", line) for line in out), out
    assert all(re.match(r"^broken\.toml:\d+: ", line) for line in out), out


def test_session_list_lists_the_shipped_plans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TILLIT_DATA", str(tmp_path / "data"))
    assert main(["session", "list", "--lang", "sv", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines() if line and not line.startswith("Run ")]
    assert "intro-90" in names and "half-day" in names
    intro = next(line for line in out.splitlines() if line.startswith("intro-90"))
    assert "1 h 30 min" in intro and "Introduktion" in intro
    assert main(["session", "list", "--lang", "en", "--data", str(tmp_path)]) == 0
    assert "intro-90" in capsys.readouterr().out


async def test_the_footer_offers_the_answer_only_on_questions_and_v_shows_every_point(
    course: Course, data_dir: Path
) -> None:
    deck = lesson_deck(course)
    app = present_app(deck, "en", data_dir, FakeClock())
    async with app.run_test(size=LARGE) as pilot:
        await show(pilot)
        screen = app.screen
        assert isinstance(screen, PresentScreen)
        text = flow(screen_text(app))
        assert "Show all points" in text and "Show answer" not in text
        await show(pilot, "a")  # not a question: nothing happens
        assert screen.presenter.shown == 1
        await show(pilot, "v")
        assert screen.presenter.shown == len(deck.slides[0].steps)
        assert "Show all points" not in flow(screen_text(app))
        await show(pilot, "end")
        text = flow(screen_text(app))
        assert "Show answer" in text and "Show all points" not in text
