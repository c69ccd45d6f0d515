"""Facilitator mode without a terminal: decks, reveal order, the countdown, drift and the notes view's state."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from course.content.model import Course
from course.errors import UsageError
from course.trainer.plan import default_blocks, read_plan, shipped_plans
from course.trainer.present import (
    Countdown,
    Deck,
    Presenter,
    clock_text,
    deck_for_lessons,
    deck_for_plan,
    hours_text,
    lesson_slides,
    read_state,
    state_path,
    write_state,
)
from tests.journal_helpers import FakeClock


def first_of(deck: Deck, kind: str) -> int:
    """The index of the first slide of a kind."""
    return next(i for i, s in enumerate(deck.slides) if s.kind == kind)


# --- the deck of one lesson ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_deck_of_one_lesson(course: Course, lang: str) -> None:
    lesson = course.lesson("trust-culture", lang)
    quiz = course.quiz("trust-culture", lang)
    assert quiz is not None
    deck = deck_for_lessons(course, lang, ["trust-culture"])
    assert deck.title == lesson.title
    assert deck.lang == lang
    assert deck.source == {"lessons": ["trust-culture"], "lang": lang}

    # the segments are timed as a new plan would time them
    blocks = default_blocks(course, ["trust-culture"], lang)
    assert [(s.kind, s.minutes, s.lesson) for s in deck.segments] == [(b.kind, b.minutes, b.lesson) for b in blocks]
    assert [s.kind for s in deck.segments] == ["lesson", "discussion", "quiz"]
    assert deck.total_minutes == sum(b.minutes for b in blocks)
    assert deck.segments[0].title == lesson.title
    assert lesson.notes.strip() in deck.segments[0].notes

    # every slide belongs to the segment that says it holds it
    assert sum(s.slide_count for s in deck.segments) == len(deck.slides)
    for n, seg in enumerate(deck.segments):
        for i in range(seg.first_slide, seg.first_slide + seg.slide_count):
            assert deck.slides[i].segment == n
            assert deck.segment_of(i) == seg

    kinds = [s.kind for s in deck.slides]
    sections = [h.text for h in lesson.headings if h.level == 2]
    assert kinds == (
        ["title"] + ["section"] * len(sections) + ["points"] + ["discussion"] * len(lesson.discussions)
        + ["question"] * len(quiz.questions)
    )  # fmt: skip

    title = deck.slides[0]
    assert title.title == lesson.title
    assert len(title.steps) == len(lesson.objectives) == 2
    for step, objective in zip(title.steps, lesson.objectives, strict=True):
        assert objective in step
    assert title.first_shown == 1

    assert [s.title for s in deck.slides if s.kind == "section"] == sections
    for slide in deck.slides:
        if slide.kind == "section":
            assert slide.steps, slide.title
            assert all(step.strip() for step in slide.steps)
            assert all(step in lesson.body for step in slide.steps)

    points = deck.slides[kinds.index("points")]
    assert len(points.steps) == len(lesson.key_points)
    assert all(p in step for p, step in zip(lesson.key_points, points.steps, strict=True))

    cards = [s for s in deck.slides if s.kind == "discussion"]
    assert [c.steps for c in cards] == [(d.text,) for d in lesson.discussions]
    assert [(c.number, c.count) for c in cards] == [(k, len(cards)) for k in range(1, len(cards) + 1)]

    questions = [s for s in deck.slides if s.kind == "question"]
    assert [s.question for s in questions] == list(quiz.questions)
    assert [(s.number, s.count) for s in questions] == [(k, 5) for k in range(1, 6)]
    assert all(s.steps == () and s.first_shown == 0 for s in questions)


def test_a_lesson_with_two_discussion_questions_gets_two_cards(course: Course) -> None:
    lesson = course.lesson("trust-builds-responsibility", "en")
    assert len(lesson.discussions) == 2
    deck = deck_for_lessons(course, "en", ["trust-builds-responsibility"])
    cards = [s for s in deck.slides if s.kind == "discussion"]
    assert [(c.steps[0], c.number, c.count) for c in cards] == [
        (lesson.discussions[0].text, 1, 2),
        (lesson.discussions[1].text, 2, 2),
    ]
    assert deck.segments[1].kind == "discussion" and deck.segments[1].slide_count == 2


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_lesson_has_one_section_slide_per_level_two_heading(course: Course, lang: str) -> None:
    for lesson_id in course.lesson_ids:
        lesson = course.lesson(lesson_id, lang)
        slides = lesson_slides(lesson, 0, lang)
        assert [s.title for s in slides if s.kind == "section"] == [h.text for h in lesson.headings if h.level == 2]


def test_sections_split_into_blocks_and_list_items(course: Course) -> None:
    body = (
        "Before any heading.\n\n"
        "## First\n\n"
        "- one\n- two\n  still two\n\n"
        "A paragraph.\n\n"
        "### A smaller heading\n\n"
        "Under it.\n\n"
        "## Second\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "1. first\n2. second\n"
    )
    lesson = replace(course.lesson("trust-culture", "en"), body=body, key_points=())
    slides = lesson_slides(lesson, 3, "en")
    assert [(s.kind, s.title) for s in slides] == [
        ("title", lesson.title),
        ("section", "Introduction"),
        ("section", "First"),
        ("section", "Second"),
    ]  # no key points: no points slide
    assert all(s.segment == 3 and s.lesson == "trust-culture" for s in slides)
    assert slides[1].steps == ("Before any heading.",)
    assert slides[2].steps == ("- one", "- two\n  still two", "A paragraph.", "### A smaller heading", "Under it.")
    assert slides[3].steps == ("| a | b |\n|---|---|\n| 1 | 2 |", "1. first", "2. second")
    assert lesson_slides(lesson, 0, "sv")[1].title == "Inledning"


def test_an_unknown_lesson_is_a_usage_error_naming_it(course: Course) -> None:
    with pytest.raises(UsageError, match="no-such-lesson"):
        deck_for_lessons(course, "en", ["trust-culture", "no-such-lesson"])


def test_no_lessons_means_the_whole_course(course: Course) -> None:
    deck = deck_for_lessons(course, "en", [])
    assert deck.title == course.title("en")
    assert [s.lesson for s in deck.segments if s.kind == "lesson"] == list(course.lesson_ids)
    assert any(s.kind == "break" for s in deck.segments)
    assert deck.total_minutes == sum(b.minutes for b in default_blocks(course, list(course.lesson_ids), "en"))


# --- shipped plans -----------------------------------------------------------------------------------


def test_the_course_ships_the_intro_and_half_day_plans(course: Course) -> None:
    found = {(p.parent.name, p.stem) for p in shipped_plans(course)}
    assert {("sv", "intro-90"), ("en", "intro-90"), ("sv", "half-day")} <= found


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_deck_for_every_shipped_plan(course: Course, lang: str) -> None:
    plans = shipped_plans(course)
    assert plans
    for path in plans:
        plan = read_plan(path, course, untrusted=False)
        deck = deck_for_plan(course, lang, plan)
        assert deck.lang == lang, path  # the language asked for, whatever the plan's (issue 14)
        assert deck.title == plan.title
        assert deck.source == {"plan": str(path), "lang": deck.lang}
        assert len(deck.segments) == len(plan.blocks), path
        assert deck.total_minutes == plan.total_minutes, path
        assert [(s.kind, s.minutes, s.lesson) for s in deck.segments] == [
            (b.kind, b.minutes, b.lesson) for b in plan.blocks
        ]
        for seg, block in zip(deck.segments, plan.blocks, strict=True):
            assert seg.slide_count >= 1
            if block.title:
                assert seg.title == block.title
            if block.notes.strip():
                assert block.notes.strip() in seg.notes
            if block.kind in ("exercise", "break"):
                assert [s.kind for s in deck.slides[seg.first_slide : seg.first_slide + seg.slide_count]] == [
                    "activity"
                ]
        assert sum(s.slide_count for s in deck.segments) == len(deck.slides)
        # a whole run through the plan ends on its last slide
        p = Presenter(deck, FakeClock())
        moves = 0
        while p.next():
            moves += 1
            assert moves < 10_000
        assert p.at_end and p.index == len(deck.slides) - 1


# --- reveal order ------------------------------------------------------------------------------------


def test_next_reveals_one_step_at_a_time_then_moves_on(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    p = Presenter(deck, FakeClock())
    first, second = deck.slides[0], deck.slides[1]
    assert (p.index, p.shown) == (0, 1)
    assert p.visible_steps == first.steps[:1]
    assert p.next() and (p.index, p.shown) == (0, 2)
    assert p.visible_steps == first.steps
    assert p.next() and (p.index, p.shown) == (1, 1)
    assert p.visible_steps == second.steps[:1]
    for k in range(2, len(second.steps) + 1):
        assert p.next() and (p.index, p.shown) == (1, k)
    assert p.next() and (p.index, p.shown) == (2, 1)


def test_prev_hides_steps_and_goes_back_to_a_fully_shown_slide(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    p = Presenter(deck, FakeClock())
    p.next()
    p.next()
    assert (p.index, p.shown) == (1, 1)
    assert p.prev() and (p.index, p.shown) == (0, len(deck.slides[0].steps))
    assert p.prev() and (p.index, p.shown) == (0, 1)
    assert not p.prev()
    assert (p.index, p.shown) == (0, 1)


def test_a_whole_lesson_takes_one_move_per_step_answer_and_slide(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    p = Presenter(deck, FakeClock())
    expected = (len(deck.slides) - 1) + sum(len(s.steps) - s.first_shown for s in deck.slides)
    expected += sum(1 for s in deck.slides if s.question is not None)
    expected += 1  # the end slide after the last one (issue 14)
    moves = 0
    while p.next():
        moves += 1
    assert moves == expected
    assert p.at_end and p.finished
    assert not p.next()
    assert p.index == len(deck.slides) - 1 and p.answer


def test_a_questions_answer_is_hidden_on_arrival_and_shown_by_next_or_reveal(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    q1 = first_of(deck, "question")
    p = Presenter(deck, FakeClock())
    p.goto(q1 - 1)
    assert p.next()  # the card's only step is shown: on to the question
    assert (p.index, p.answer) == (q1, False)
    assert p.next() and (p.index, p.answer) == (q1, True)
    assert p.next() and (p.index, p.answer) == (q1 + 1, False)
    # back: the previous question again, its answer hidden; then it can be shown and hidden again
    assert p.prev() and (p.index, p.answer) == (q1, False)
    assert p.next() and (p.index, p.answer) == (q1, True)
    assert p.prev() and (p.index, p.answer) == (q1, False)
    # a: the answer, then every explanation, then hidden again (issue 14: the explanations were shown at once)
    assert p.reveal() and p.answer and not p.explained
    assert p.reveal() and p.answer and p.explained
    assert p.reveal() and not p.answer and not p.explained
    assert p.reveal() and p.answer
    assert p.prev() and (p.index, p.answer) == (q1, False)
    # reveal is for questions only
    p.goto(0)
    assert not p.reveal()
    assert not p.answer and p.shown == 1
    p.reveal_all()
    assert p.shown == len(deck.slides[0].steps)


def test_goto_clamps_and_starts_at_the_first_step(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    p = Presenter(deck, FakeClock())
    p.goto(999)
    assert p.index == len(deck.slides) - 1 and not p.answer
    p.goto(-5)
    assert (p.index, p.shown) == (0, 1)
    p.goto(2)
    assert (p.index, p.shown) == (2, 1)


def test_blackout_toggles_and_any_move_clears_it(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    p = Presenter(deck, FakeClock())
    p.toggle_blackout()
    assert p.blackout
    p.toggle_blackout()
    assert not p.blackout
    for move in (p.next, p.prev, lambda: p.goto(3)):
        p.toggle_blackout()
        assert p.blackout
        move()
        assert not p.blackout
    # un-blanking only brings the picture back: it never reveals the answer (issue 14)
    p.goto(first_of(deck, "question"))
    p.toggle_blackout()
    p.reveal()
    assert not p.blackout and not p.answer
    p.toggle_blackout()
    p.next()
    assert not p.blackout and not p.answer


# --- the countdown -----------------------------------------------------------------------------------


def test_countdown_start_pause_add_reset_and_overtime() -> None:
    clock = FakeClock()
    c = Countdown(300, clock)
    assert not c.running and c.remaining() == 300
    clock.advance(100)
    assert c.remaining() == 300  # not started
    c.start()
    clock.advance(100)
    assert c.running and c.remaining() == 200
    c.start()  # starting a running countdown changes nothing
    assert c.remaining() == 200
    c.pause()
    clock.advance(50)
    assert not c.running and c.remaining() == 200
    c.add(60)
    assert c.remaining() == 260
    c.toggle()
    assert c.running
    clock.advance(260)
    assert c.remaining() == 0 and c.expired and not c.last_minute
    clock.advance(30)
    assert c.remaining() == -30 and c.expired
    c.add(60)
    assert c.remaining() == 30 and not c.expired and c.last_minute
    c.toggle()
    assert not c.running
    c.reset()
    assert c.remaining() == 300 and not c.running and c.planned == 300
    c.reset(120)
    assert c.remaining() == 120 and c.planned == 120


def test_a_stopped_countdown_does_not_go_below_zero() -> None:
    c = Countdown(30, FakeClock())
    c.add(-60)
    assert c.remaining() == 0


def test_taking_a_minute_off_a_paused_overtime_countdown_does_not_raise_it() -> None:
    clock = FakeClock()
    c = Countdown(60, clock)
    c.start()
    clock.advance(90)
    c.pause()
    assert c.remaining() == -30
    c.add(-60)
    assert c.remaining() <= -30


def test_last_minute_is_the_last_sixty_seconds() -> None:
    clock = FakeClock()
    c = Countdown(120, clock)
    c.start()
    clock.advance(59.5)
    assert not c.last_minute  # 60.5 left
    clock.advance(0.5)
    assert c.last_minute  # exactly 60 left
    clock.advance(59.9)
    assert c.last_minute
    clock.advance(0.1)
    assert not c.last_minute and c.expired


def test_the_zero_signal_comes_once_and_again_after_another_minute(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    clock = FakeClock()
    p = Presenter(deck, clock)
    planned = deck.segments[0].minutes * 60
    assert not p.due_signal()
    p.toggle_timer()
    clock.advance(planned - 1)
    assert not p.due_signal()
    clock.advance(1)
    assert p.due_signal()
    assert not p.due_signal()
    clock.advance(30)
    assert not p.due_signal()
    p.add_minute()  # 30 s left again
    assert not p.due_signal()
    clock.advance(30)
    assert p.due_signal()
    assert not p.due_signal()
    # a paused countdown at zero gives no signal; a reset one gives it again at its next zero
    p.reset_timer()
    assert not p.countdown.running
    clock.advance(planned * 2)
    assert not p.due_signal()
    p.toggle_timer()
    clock.advance(planned)
    assert p.due_signal()


def test_a_later_segment_resets_the_countdown_and_starts_it_when_the_session_runs(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    lesson, discussion, quiz = deck.segments
    clock = FakeClock()
    p = Presenter(deck, clock)
    assert p.countdown.planned == lesson.minutes * 60

    # before the session runs: reset to the new segment's minutes, stopped
    p.goto(discussion.first_slide)
    assert (p.timer_segment, p.countdown.planned, p.countdown.remaining()) == (
        1,
        discussion.minutes * 60,
        discussion.minutes * 60,
    )
    assert not p.countdown.running

    # once it runs: reset and started
    p.toggle_timer()
    clock.advance(100)
    p.next()  # the discussion card has one step: on to the quiz
    assert p.index == quiz.first_slide and p.timer_segment == 2
    assert p.countdown.running and p.countdown.remaining() == quiz.minutes * 60
    clock.advance(40)

    # back into an earlier segment: the countdown goes on as it was
    p.goto(lesson.first_slide)
    assert p.timer_segment == 2 and p.countdown.running
    assert p.countdown.remaining() == quiz.minutes * 60 - 40
    p.prev()
    p.goto(discussion.first_slide)  # forward again, but not past the segment being timed
    assert p.timer_segment == 2 and p.countdown.remaining() == quiz.minutes * 60 - 40

    # r puts the countdown on the segment shown, stopped
    p.reset_timer()
    assert (p.timer_segment, p.countdown.remaining(), p.countdown.running) == (1, discussion.minutes * 60, False)
    p.goto(quiz.first_slide)
    assert p.timer_segment == 2 and p.countdown.running and p.countdown.remaining() == quiz.minutes * 60


def test_drift_on_time_behind_and_ahead(course: Course) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    lesson = deck.segments[0]
    clock = FakeClock()
    p = Presenter(deck, clock)
    assert p.drift() == 0
    p.toggle_timer()
    clock.advance(5 * 60)
    assert p.drift() == 0  # halfway through the lesson, as planned
    clock.advance(lesson.minutes * 60 - 5 * 60 + 120)  # two minutes over
    assert p.drift() == 120
    assert p.elapsed() == lesson.minutes * 60 + 120

    # skipping: a minute into the lesson, straight on to the discussion
    q = Presenter(deck, clock)
    q.toggle_timer()
    clock.advance(60)
    q.goto(deck.segments[1].first_slide)
    assert q.drift() == 60 - lesson.minutes * 60


def test_clock_and_hours_text() -> None:
    assert clock_text(0) == "0:00"
    assert clock_text(0.2) == "0:01"  # rounded up while counting down
    assert clock_text(59.2) == "1:00"
    assert clock_text(600) == "10:00"
    assert clock_text(3725) == "1:02:05"
    assert clock_text(-1) == "-0:01"
    assert clock_text(-61) == "-1:01"
    assert clock_text(-61.7) == "-1:01"
    assert clock_text(-3725) == "-1:02:05"
    assert clock_text(-0.5).startswith("-")  # overtime always has its minus sign
    assert hours_text(0) == "0:00"
    assert hours_text(59) == "0:00"
    assert hours_text(90 * 60) == "1:30"
    assert hours_text(210 * 60 + 59) == "3:30"
    assert hours_text(-300) == "0:00"


# --- the state a notes view follows ---------------------------------------------------------------------


def test_state_read_later_advances_a_running_countdown_and_the_session(course: Course, data_dir: Path) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    clock = FakeClock()
    p = Presenter(deck, clock)
    p.next()
    p.toggle_timer()
    clock.advance(100)
    write_state(data_dir, p.state(wall=5000.0))
    got = read_state(data_dir, wall=5012.5)
    assert got is not None
    assert (got.slide, got.shown, got.answer, got.blackout, got.timer_segment) == (0, 2, False, False, 0)
    assert got.source == {"lessons": ["trust-culture"], "lang": "en"}
    assert got.running and got.session_running
    assert got.remaining == pytest.approx(deck.segments[0].minutes * 60 - 100 - 12.5)
    assert got.elapsed == pytest.approx(100 + 12.5)

    # paused: the countdown stays, the session clock goes on
    p.toggle_timer()
    write_state(data_dir, p.state(wall=6000.0))
    got = read_state(data_dir, wall=6030.0)
    assert got is not None
    assert not got.running and got.session_running
    assert got.remaining == pytest.approx(deck.segments[0].minutes * 60 - 100)
    assert got.elapsed == pytest.approx(100 + 30)

    # a wall clock that went backwards does not run the timers backwards
    got = read_state(data_dir, wall=5000.0)
    assert got is not None and got.elapsed == pytest.approx(100)


def test_state_before_the_session_starts_leaves_the_timers_alone(course: Course, data_dir: Path) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    p = Presenter(deck, FakeClock())
    write_state(data_dir, p.state(wall=100.0))
    got = read_state(data_dir, wall=400.0)
    assert got is not None
    assert not got.running and not got.session_running
    assert got.elapsed == 0 and got.remaining == deck.segments[0].minutes * 60


def test_followed_state_puts_a_second_presenter_in_the_same_place(course: Course, data_dir: Path) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    clock = FakeClock(1000.0)
    p = Presenter(deck, clock)
    p.toggle_timer()
    clock.advance(200)
    q1 = first_of(deck, "question")
    p.goto(q1 + 1)  # into the quiz segment: its countdown restarts
    p.reveal()
    clock.advance(45)
    p.toggle_blackout()
    write_state(data_dir, p.state(wall=9000.0))

    other_clock = FakeClock(50.0)  # another process: another monotonic clock
    follower = Presenter(deck_for_lessons(course, "en", ["trust-culture"]), other_clock)
    got = read_state(data_dir, wall=9005.0)
    assert got is not None
    got.apply(follower)
    assert (follower.index, follower.shown, follower.answer, follower.blackout) == (q1 + 1, 0, True, True)
    assert follower.timer_segment == 2
    assert follower.countdown.planned == deck.segments[2].minutes * 60
    assert follower.countdown.running
    assert follower.countdown.remaining() == pytest.approx(p.countdown.remaining() - 5)
    assert follower.elapsed() == pytest.approx(p.elapsed() + 5)
    other_clock.advance(10)
    assert follower.countdown.remaining() == pytest.approx(p.countdown.remaining() - 15)

    # a step in the middle of a slide
    p.goto(0)
    p.next()
    write_state(data_dir, p.state(wall=9010.0))
    got = read_state(data_dir, wall=9010.0)
    assert got is not None
    got.apply(follower)
    assert (follower.index, follower.shown, follower.answer, follower.blackout) == (0, 2, False, False)
    assert follower.visible_steps == p.visible_steps


def test_a_followed_countdown_in_overtime_stays_in_overtime(course: Course, data_dir: Path) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    clock = FakeClock()
    p = Presenter(deck, clock)
    p.toggle_timer()
    clock.advance(deck.segments[0].minutes * 60 + 30)
    assert p.countdown.remaining() == -30
    write_state(data_dir, p.state(wall=100.0))
    got = read_state(data_dir, wall=100.0)
    assert got is not None and got.remaining == -30
    follower = Presenter(deck, FakeClock())
    got.apply(follower)
    assert follower.countdown.remaining() == pytest.approx(-30)


def test_a_follower_clamps_a_place_its_deck_does_not_have(course: Course, data_dir: Path) -> None:
    big = deck_for_lessons(course, "en", ["trust-culture", "hr-role"])
    p = Presenter(big, FakeClock())
    p.goto(len(big.slides) - 2)
    p.reveal_all()
    write_state(data_dir, p.state(wall=1.0))
    got = read_state(data_dir, wall=1.0)
    assert got is not None
    small = deck_for_lessons(course, "en", ["trust-culture"])
    follower = Presenter(small, FakeClock())
    got.apply(follower)
    assert follower.index == len(small.slides) - 1
    assert 0 <= follower.shown <= len(follower.slide.steps)
    assert 0 <= follower.timer_segment < len(small.segments)


@pytest.mark.parametrize(
    "content",
    [
        None,  # no file
        b"",
        b"{not json",
        b"\xff\xfe\x00",
        b"[]",
        b'{"version": 2}',
        b'{"version": 1}',
        b'{"version": 1, "slide": "x"}',
    ],
)
def test_a_missing_or_corrupt_state_file_reads_as_none(data_dir: Path, content: bytes | None) -> None:
    if content is not None:
        path = state_path(data_dir)
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    assert read_state(data_dir) is None


def test_a_state_with_a_bad_field_reads_as_none(course: Course, data_dir: Path) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    good = Presenter(deck, FakeClock()).state(wall=1.0)
    bad: list[tuple[str, object]] = [("source", "lessons"), ("slide", "two"), ("wall", None), ("remaining", [])]
    for key, value in bad:
        broken = dict(good, **{key: value})
        state_path(data_dir).parent.mkdir(parents=True, exist_ok=True)
        state_path(data_dir).write_text(json.dumps(broken), encoding="utf-8")
        assert read_state(data_dir, wall=2.0) is None, key
    for key in ("running", "elapsed", "source"):
        missing = {k: v for k, v in good.items() if k != key}
        state_path(data_dir).write_text(json.dumps(missing), encoding="utf-8")
        assert read_state(data_dir, wall=2.0) is None, key


def test_the_state_file_is_private(course: Course, data_dir: Path) -> None:
    deck = deck_for_lessons(course, "en", ["trust-culture"])
    write_state(data_dir, Presenter(deck, FakeClock()).state())
    path = state_path(data_dir)
    assert path == data_dir / "present" / "state.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temporary file left behind
