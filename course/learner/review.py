"""Spaced review of quiz questions, scheduled by FSRS: the review log of each question, its memory state,
when it is due, and the review.toml tables they are kept in (see course.learner.practice for the file).

FSRS (the `fsrs` package) is imported only when a review is scheduled or a memory estimated, so start-up
does not pay for it. Every quiz answer is a review of its question: right = Good, wrong = Again. A wrong
answer always comes back the next day (one-day learning and relearning steps); a right one after the gap
FSRS gives for a 90 % chance of still knowing it (at most a year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from course.content.model import valid_id
from course.errors import CorruptFileError
from course.i18n import tr
from course.learner.progress import now
from course.store import fields

if TYPE_CHECKING:
    from fsrs import Card, Scheduler


REVIEW_FILE = "review.toml"
LEGACY_LEVELS = range(-1, 6)  # the old ladder's levels: -1 just missed, 0..4 its 1-3-7-14-30 days, 5 retired
RETAIN = 0.9  # FSRS's desired retention: a question comes back when it is about this likely to be remembered
MAX_INTERVAL = 365  # days: every question comes back at least once a year
STEP = timedelta(days=1)  # a missed question comes back the next day (learning and relearning step)
DECIMALS = 4  # of stability and difficulty in review.toml: plenty for scheduling, short to read

CardState = Literal["learning", "review", "relearning"]
CARD_STATES: tuple[CardState, ...] = get_args(CardState)


@dataclass(frozen=True)
class Answer:
    """One entry of the review log: an answer to a quiz question (in a quiz or a review)."""

    day: date  # the local day
    right: bool
    at: datetime | None = None  # when, to the second; None for answers kept from before FSRS (only the day)


@dataclass(frozen=True)
class ReviewItem:
    """A quiz question on the review schedule: when it is due, FSRS's memory of it, and every answer to it."""

    lesson: str
    question: str
    due: date  # the local day it is due next
    state: CardState = "learning"
    stability: float | None = None  # days until recall drops to 90 %; None before the first answer
    difficulty: float | None = None  # 1 (easy) .. 10 (hard)
    last_review: datetime | None = None
    history: tuple[Answer, ...] = ()  # the review log, oldest first

    @property
    def key(self) -> str:
        """The item's table name in review.toml: "lesson/question"."""
        return f"{self.lesson}/{self.question}"


@cache
def scheduler() -> Scheduler:
    """The FSRS scheduler with Tillit's settings (FSRS's default weights); fsrs is imported here, when first needed."""
    from fsrs import Scheduler

    return Scheduler(
        desired_retention=RETAIN,
        learning_steps=(STEP,),
        relearning_steps=(STEP,),
        maximum_interval=MAX_INTERVAL,
        enable_fuzzing=False,  # the same answers give the same schedule (a small course needs no load spreading)
    )


def _card(item: ReviewItem | None) -> Card:
    from fsrs import Card, State

    if item is None or item.stability is None:
        return Card(card_id=1)  # an id of its own, or Card waits a millisecond to make one up
    state = State[item.state.capitalize()]
    return Card(
        card_id=1,
        state=state,
        step=None if state == State.Review else 0,
        stability=item.stability,
        difficulty=item.difficulty,
        due=_utc(datetime.combine(item.due, time(12)).astimezone()),
        last_review=None if item.last_review is None else _utc(item.last_review),
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


def _moment(answer: Answer) -> datetime:
    """When an answer was given: its time, or local noon of its day for one kept from before FSRS."""
    return answer.at if answer.at is not None else datetime.combine(answer.day, time(12)).astimezone()


def schedule(item: ReviewItem | None, right: bool, when: datetime) -> ReviewItem:
    """The schedule after one answer at `when` (aware), by FSRS: right = Good, wrong = Again (pure).

    `item` is the question's current schedule (None: never answered). The answer is added to its log.
    A wrong answer is due the next day; a right one when FSRS expects recall to have fallen to RETAIN.
    """
    from fsrs import Rating, State

    card, _ = scheduler().review_card(_card(item), Rating.Good if right else Rating.Again, _utc(when))
    assert card.stability is not None and card.difficulty is not None
    states: dict[State, CardState] = {State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}
    state = states[card.state]
    return ReviewItem(
        item.lesson if item else "",
        item.question if item else "",
        _local_day(card.due),
        state,
        round(card.stability, DECIMALS),
        round(card.difficulty, DECIMALS),
        when,
        (*(item.history if item else ()), Answer(_local_day(when), right, when)),
    )


def replay(lesson: str, question: str, history: tuple[Answer, ...]) -> ReviewItem:
    """The schedule FSRS gives a question for its whole log, answered in order (how old tables are migrated)."""
    item = ReviewItem(lesson, question, date.min)
    for answer in history:
        item = replace(schedule(item, answer.right, _moment(answer)), history=(*item.history, answer))
    return item


def retrievability(item: ReviewItem, when: datetime) -> float | None:
    """How likely (0..1) the question is still remembered at `when`, by FSRS; None before any answer."""
    if item.stability is None or item.last_review is None:
        return None
    return float(scheduler().get_card_retrievability(_card(item), _utc(when)))


WEEKDAYS_AHEAD = 6  # a due day up to this many days ahead is named by its weekday ("Thursday")


def describe_day(day: date, lang: str, today: date | None = None) -> str:
    """A coming day in words: "today", "tomorrow", a weekday within the week ahead, else the date."""
    base = today or now().date()
    ahead = (day - base).days
    if ahead <= 0:
        return tr("review.today", lang)
    if ahead == 1:
        return tr("review.tomorrow", lang)
    if ahead <= WEEKDAYS_AHEAD:
        return tr("review.weekdays", lang).split()[day.weekday()]
    from course.i18n import formats

    return formats.day(day, lang)


# --- review.toml ----------------------------------------------------------------------------------


def _parse_history(raw: Mapping[str, Any], key: str, path: Path) -> tuple[Answer, ...]:
    raw_history = raw.get("history", [])
    if not isinstance(raw_history, list):
        raise CorruptFileError(path, f"the history of item '{key}' should be a list")
    history: list[Answer] = []
    for entry in raw_history:
        if not isinstance(entry, dict) or not isinstance(entry.get("right"), bool):
            raise CorruptFileError(path, f"the history of item '{key}' should hold {{ day, right }} tables")
        at = fields.want_time(entry, "at", path, optional=True)
        history.append(Answer(fields.want_date(entry, "day", path), bool(entry["right"]), at))
    return tuple(history)


def _want_float(raw: Mapping[str, Any], name: str, key: str, path: Path, low: float, high: float) -> float:
    value = raw.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise CorruptFileError(path, f"item '{key}' should have a '{name}' from {low:g} to {high:g}")
    return float(value)


def is_legacy(raw: object) -> bool:
    """True for a review table from before FSRS: a `level` on the old ladder and no memory state."""
    return isinstance(raw, dict) and "level" in raw and "stability" not in raw


def _without_memory(lesson: str, question: str, raw: Mapping[str, Any], key: str, path: Path) -> ReviewItem:
    """A table with no memory state: one from before FSRS (with its `level`), or one with no answer yet.

    Its history is replayed through FSRS; the due day stays as saved, except for a question that had
    retired from the old ladder (level 5, never to be asked again): FSRS says when it is due now."""
    due = fields.want_date(raw, "due", path)
    history = _parse_history(raw, key, path)
    retired = False
    if "level" in raw:
        level = fields.want_int(raw, "level", path)
        if level not in LEGACY_LEVELS:
            raise CorruptFileError(path, f"item '{key}' has a level outside -1..5")
        retired = level == LEGACY_LEVELS[-1]
    migrated = replay(lesson, question, history)
    return migrated if retired and migrated.stability is not None else replace(migrated, due=due)


def parse_reviews(data: dict[str, Any], path: Path) -> dict[str, ReviewItem]:
    """Every table of review.toml; those from before FSRS come back migrated (see the module's docstring)."""
    items: dict[str, ReviewItem] = {}
    for key, raw in fields.want_table(data, "item", path).items():
        lesson, _, question = key.partition("/")
        if not (valid_id(lesson) and valid_id(question)) or not isinstance(raw, dict):
            raise CorruptFileError(path, f"item '{key}' should be a table named \"lesson/question\"")
        if "stability" not in raw:
            items[key] = _without_memory(lesson, question, raw, key, path)
            continue
        due = fields.want_date(raw, "due", path)
        history = _parse_history(raw, key, path)
        state = raw.get("state")
        if state not in CARD_STATES:
            raise CorruptFileError(path, f"item '{key}' should have a 'state' of {', '.join(CARD_STATES)}")
        stability = _want_float(raw, "stability", key, path, 0.001, 1e6)
        difficulty = _want_float(raw, "difficulty", key, path, 1.0, 10.0)
        last = fields.want_time(raw, "last_review", path)
        items[key] = ReviewItem(lesson, question, due, state, stability, difficulty, last, history)
    return items


def _dump_answer(answer: Answer) -> dict[str, Any]:
    out: dict[str, Any] = {"day": answer.day, "right": answer.right}
    if answer.at is not None:
        out["at"] = answer.at
    return out


def legacy_level(history: tuple[Answer, ...]) -> int:
    """The old ladder's level for a log: -1 after a wrong answer (or none), else one less than the run of
    right ones, at most 4. Written beside FSRS's state so that a Tillit from before FSRS still reads the file."""
    run = 0
    for answer in reversed(history):
        if not answer.right:
            break
        run += 1
    return -1 if run == 0 else min(run - 1, LEGACY_LEVELS[-2])


def _dump_item(item: ReviewItem) -> dict[str, Any]:
    out: dict[str, Any] = {"due": item.due}
    if item.stability is not None:  # else no answer yet (one from before FSRS that kept none): just the day
        out |= {"state": item.state, "stability": item.stability, "difficulty": item.difficulty}
        out["last_review"] = item.last_review
        out["level"] = legacy_level(item.history)
    out["history"] = [_dump_answer(a) for a in item.history]
    return out


def dump_reviews(items: Mapping[str, ReviewItem]) -> dict[str, Any]:
    return {"item": {key: _dump_item(item) for key, item in sorted(items.items())}}
