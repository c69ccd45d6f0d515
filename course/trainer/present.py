"""Facilitator mode without a terminal: a deck of slides made from lessons or a session plan, where the
presenter is in it, the activity countdown and the session clock, and the state a notes view follows.

A deck is a list of *segments* (one per agenda block: a lesson, its discussion, its quiz, an exercise,
a break), each with planned minutes and trainer notes, and the *slides* of every segment in order.
Slides reveal their steps one at a time; a quiz question keeps its answer hidden until the trainer
reveals it. Nothing here draws anything: the TUI (course.tui.present) shows what this says.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.content.model import Course, Lesson
from course.content.quiz import Question
from course.errors import StorageError, UsageError
from course.i18n import tr
from course.store import reading, storage
from course.trainer.plan import Block, Plan, block_title, default_blocks

Clock = Callable[[], float]

@dataclass(frozen=True)
class Slide:
    """One screen for the room. `steps` are Markdown blocks shown one at a time."""

    kind: str  # title | section | points | discussion | question | activity
    title: str
    steps: tuple[str, ...]
    segment: int
    lesson: str | None = None
    question: Question | None = None
    number: int = 0  # a question's number within its quiz, a card's within its discussion (1-based)
    count: int = 0  # how many questions or cards there are in that segment

    @property
    def first_shown(self) -> int:
        """How many steps show when the slide is first reached."""
        return min(1, len(self.steps))


@dataclass(frozen=True)
class Segment:
    """One timed activity: what the agenda calls it, how long it is planned to take, the trainer's notes."""

    kind: str
    title: str
    minutes: int
    notes: str
    lesson: str | None
    first_slide: int
    slide_count: int


@dataclass(frozen=True)
class Deck:
    title: str
    lang: str
    segments: tuple[Segment, ...]
    slides: tuple[Slide, ...]
    source: dict[str, Any] = field(default_factory=dict)  # how to build it again (for the notes view)

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.segments)

    def segment_of(self, slide_index: int) -> Segment:
        return self.segments[self.slides[slide_index].segment]

    def planned_start(self, segment: int) -> int:
        """Minutes from the session's start to where a segment is planned to begin."""
        return sum(s.minutes for s in self.segments[:segment])


# --- building ------------------------------------------------------------------------------------------


def _section_steps(body: str) -> list[tuple[str, list[str]]]:
    """The body split at its `##` headings; each section's top-level blocks (list items one by one)."""
    from markdown_it import MarkdownIt

    lines = body.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    sections: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None

    def chunk(a: int, b: int) -> str:
        return "\n".join(lines[a:b]).strip("\n")

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.level == 0 and tok.type == "heading_open" and tok.tag == "h2":
            current = (tokens[i + 1].content.strip(), [])
            sections.append(current)
            i += 3
            continue
        if tok.level == 0 and tok.map is not None and tok.nesting in (0, 1):
            if current is None:
                current = ("", [])
                sections.append(current)
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                depth = 0
                j = i
                while j < len(tokens):
                    t = tokens[j]
                    if t.type == "list_item_open" and t.level == 1 and t.map is not None:
                        text = chunk(*t.map)
                        if text.strip():
                            current[1].append(text)
                    depth += t.nesting
                    j += 1
                    if depth == 0:
                        break
                i = j
                continue
            text = chunk(*tok.map)
            if text.strip():
                current[1].append(text)
            # skip to the end of this block
            if tok.nesting == 1:
                depth = 0
                while i < len(tokens):
                    depth += tokens[i].nesting
                    i += 1
                    if depth == 0:
                        break
                continue
        i += 1
    return [s for s in sections if s[0] or s[1]]


def lesson_slides(lesson: Lesson, segment: int, lang: str) -> list[Slide]:
    """A lesson as slides: its title with the objectives, one slide per section, then the key points."""
    slides = [
        Slide(
            "title",
            lesson.title,
            tuple(f"- {o}" for o in lesson.objectives),
            segment,
            lesson.id,
        )
    ]
    for heading, steps in _section_steps(lesson.body):
        slides.append(Slide("section", heading or tr("present.slide.intro", lang), tuple(steps), segment, lesson.id))
    if lesson.key_points:
        slides.append(
            Slide("points", tr("present.slide.key_points", lang), tuple(f"- {p}" for p in lesson.key_points), segment, lesson.id)
        )
    return slides


def build_deck(course: Course, lang: str, blocks: Sequence[Block], title: str, source: dict[str, Any]) -> Deck:
    """The deck for an agenda: each block becomes a timed segment with its slides."""
    lang = course.pick_lang(lang)
    segments: list[Segment] = []
    slides: list[Slide] = []
    for block in blocks:
        n = len(segments)
        lesson = course.lesson(block.lesson, lang) if block.lesson is not None else None
        made: list[Slide] = []
        name = block_title(block, course, lang)
        notes = block.notes
        if block.kind == "lesson" and lesson is not None:
            made = lesson_slides(lesson, n, lang)
            notes = "\n\n".join(x for x in (lesson.notes.strip(), block.notes.strip()) if x)
        elif block.kind == "discussion" and lesson is not None:
            cards = lesson.discussions
            made = [
                Slide("discussion", tr("present.slide.discussion", lang), (d.text,), n, lesson.id, number=k, count=len(cards))
                for k, d in enumerate(cards, 1)
            ]
        elif block.kind == "quiz" and lesson is not None:
            quiz = course.quiz(lesson.id, lang)
            questions = quiz.questions if quiz is not None else ()
            made = [
                Slide("question", tr("present.slide.question", lang), (), n, lesson.id, q, number=k, count=len(questions))
                for k, q in enumerate(questions, 1)
            ]
        if not made:
            made = [Slide("activity", name, (block.task,) if block.task else (), n, block.lesson)]
        segments.append(Segment(block.kind, name, block.minutes, notes, block.lesson, len(slides), len(made)))
        slides.extend(made)
    if not slides:
        raise UsageError("there is nothing to present: the selection has no lessons")
    return Deck(title, lang, tuple(segments), tuple(slides), source)


def deck_for_lessons(course: Course, lang: str, lesson_ids: Sequence[str]) -> Deck:
    """Lessons with their discussions and quizzes, timed as a new session plan would time them."""
    ids = list(lesson_ids) or list(course.lesson_ids)
    unknown = [i for i in ids if i not in course.lesson_ids]
    if unknown:
        raise UsageError(
            f"no lesson called {', '.join(unknown)} in this course; the lessons are: {', '.join(course.lesson_ids)}"
        )
    lang = course.pick_lang(lang)
    title = course.lesson(ids[0], lang).title if len(ids) == 1 else course.title(lang)
    return build_deck(course, lang, default_blocks(course, ids, lang), title, {"lessons": ids, "lang": lang})


def deck_for_plan(course: Course, lang: str, plan: Plan) -> Deck:
    """A plan's deck in `lang` (the caller chooses it: trainer.plan.plan_language; a plan's `lang` is not
    imposed here, so --lang and the app's language are kept)."""
    lang = course.pick_lang(lang)
    return build_deck(course, lang, plan.blocks, plan.title, {"plan": str(plan.path), "lang": lang})


def first_sentence(text: str) -> str:
    """The first sentence of an explanation that says more than its verdict: "Correct. Trust starts …" gives
    "Trust starts …" (a first sentence of one or two words, like "Correct." or "Falskt.", is passed over)."""
    import re

    flat = " ".join(text.split())
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", flat) if x]
    for sentence in sentences:
        if len(sentence.split()) > 2:
            return sentence
    return flat


def why_lines(question: Question, true_label: str, false_label: str) -> list[str]:
    """A question's reason in a line per right answer: what the room reads once the answer is shown."""
    if question.shared_explanation or not any(o.explain for o in question.options):
        return [first_sentence(question.explain)] if question.explain.strip() else []
    return [first_sentence(o.explain) for o in question.choices(true_label, false_label) if o.correct and o.explain]


# --- the countdown and the session clock ---------------------------------------------------------------


class Countdown:
    """The current activity's countdown: start, pause, add a minute, reset. It runs past zero into overtime
    (negative remaining), so the trainer sees how far over they are."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.planned = seconds
        self._left = seconds  # what was left when it last stopped (or started)
        self._since: float | None = None  # when it started running

    @property
    def running(self) -> bool:
        return self._since is not None

    def remaining(self) -> float:
        if self._since is None:
            return self._left
        return self._left - (self.clock() - self._since)

    def start(self) -> None:
        if self._since is None:
            self._since = self.clock()

    def pause(self) -> None:
        if self._since is not None:
            self._left = self.remaining()
            self._since = None

    def toggle(self) -> None:
        if self.running:
            self.pause()
        else:
            self.start()

    def add(self, seconds: float) -> None:
        """More (or, negative, less) time; taking time off a stopped countdown stops at zero, but a
        stopped countdown already in over-time stays where it is."""
        before = self._left
        self._left += seconds
        if self._since is None and before >= 0 > self._left:
            self._left = 0

    def set(self, remaining: float, running: bool) -> None:
        """Put the countdown at `remaining` seconds, running or not (how a notes view follows)."""
        self._left = remaining
        self._since = self.clock() if running else None

    def reset(self, seconds: float | None = None) -> None:
        """Back to the planned time (or a new one), stopped."""
        if seconds is not None:
            self.planned = seconds
        self._left = self.planned
        self._since = None

    @property
    def last_minute(self) -> bool:
        return 0 < self.remaining() <= 60

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


def clock_text(seconds: float) -> str:
    """`m:ss` (or `h:mm:ss`), with a minus sign in overtime; whole seconds rounded up while counting down."""
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    whole = int(s) if seconds < 0 else int(-(-s // 1))
    h, rest = divmod(whole, 3600)
    m, sec = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"


def hours_text(seconds: float) -> str:
    """`h:mm` for session times (whole minutes, rounded down): 1:30 is an hour and a half."""
    whole = int(max(seconds, 0) // 60)
    return f"{whole // 60}:{whole % 60:02d}"


# --- where the presenter is ------------------------------------------------------------------------------


class Presenter:
    """The presenting state: slide, revealed steps, the answer, black-out, the countdown, the session clock."""

    def __init__(self, deck: Deck, clock: Clock = time.monotonic) -> None:
        self.deck = deck
        self.clock = clock
        self.id = secrets.token_hex(8)  # names this presentation in its state file and in the commands sent to it
        self.index = 0
        self.shown = deck.slides[0].first_shown
        self.answer = False  # the room sees which options are right, with a line of why
        self.explained = False  # …and every option's whole explanation
        self.blackout = False
        self.finished = False  # past the last slide: the end slide
        self.timer_segment = 0
        self.countdown = Countdown(deck.segments[0].minutes * 60, clock)
        self.session_started: float | None = None
        self.signalled = False  # the zero signal was given for this countdown

    # slides
    @property
    def slide(self) -> Slide:
        return self.deck.slides[self.index]

    @property
    def segment(self) -> Segment:
        return self.deck.segments[self.slide.segment]

    @property
    def visible_steps(self) -> tuple[str, ...]:
        return self.slide.steps[: self.shown]

    @property
    def at_end(self) -> bool:
        """On the last slide with everything on it shown (the next move shows the end slide)."""
        return self.index == len(self.deck.slides) - 1 and not self._more_here()

    def _more_here(self) -> bool:
        slide = self.slide
        if slide.question is not None:
            return not self.answer
        return self.shown < len(slide.steps)

    def next(self) -> bool:
        """Reveal the next step (or the answer), else go to the next slide, and after the last one to the end
        slide. False on the end slide. A blacked-out screen only comes back: nothing is revealed."""
        if self.blackout:
            self.blackout = False
            return True
        if self.finished:
            return False
        slide = self.slide
        if slide.question is not None and not self.answer:
            self.answer = True
            return True
        if self.shown < len(slide.steps):
            self.shown += 1
            return True
        if self.index + 1 >= len(self.deck.slides):
            self.finished = True
            return True
        self._arrive(self.index + 1, forward=True)
        return True

    def prev(self) -> bool:
        """Hide the last step shown (the explanations, the answer), else go back to the previous slide, fully
        shown. A blacked-out screen only comes back."""
        if self.blackout:
            self.blackout = False
            return True
        if self.finished:
            self.finished = False
            return True
        slide = self.slide
        if slide.question is not None and self.explained:
            self.explained = False
            return True
        if slide.question is not None and self.answer:
            self.answer = False
            return True
        if self.shown > slide.first_shown:
            self.shown -= 1
            return True
        if self.index == 0:
            return False
        self._arrive(self.index - 1, forward=False)
        target = self.slide
        self.shown = len(target.steps)
        return True

    def goto(self, index: int) -> None:
        """Jump to a slide (its first step); forward jumps into a new segment start its countdown."""
        index = max(0, min(index, len(self.deck.slides) - 1))
        self.blackout = False
        self.finished = False
        self._arrive(index, forward=index > self.index)

    def reveal(self) -> bool:
        """A question's answer step by step: the right answer with a line of why, then every option's
        explanation, then hidden again. False when the slide is not a question. On a blacked-out screen
        the picture only comes back."""
        if self.slide.question is None or self.finished:
            return False
        if self.blackout:
            self.blackout = False
        elif not self.answer:
            self.answer = True
        elif not self.explained:
            self.explained = True
        else:
            self.answer = self.explained = False
        return True

    def reveal_all(self) -> None:
        if self.blackout:
            self.blackout = False
            return
        self.shown = len(self.slide.steps)

    def toggle_blackout(self) -> None:
        self.blackout = not self.blackout

    def _arrive(self, index: int, forward: bool) -> None:
        self.index = index
        self.shown = self.slide.first_shown
        self.answer = self.explained = False
        seg = self.slide.segment
        if forward and seg > self.timer_segment:
            self.timer_segment = seg
            self.countdown.reset(self.deck.segments[seg].minutes * 60)
            self.signalled = False
            if self.session_started is not None:
                self.countdown.start()

    # timing
    def toggle_timer(self) -> None:
        if self.session_started is None:
            self.session_started = self.clock()
        self.countdown.toggle()

    def add_minute(self, minutes: int = 1) -> None:
        self.countdown.add(60 * minutes)
        if not self.countdown.expired:
            self.signalled = False

    def reset_timer(self) -> None:
        """The current segment's countdown back to its planned minutes, stopped."""
        self.timer_segment = self.slide.segment
        self.countdown.reset(self.segment.minutes * 60)
        self.signalled = False

    def due_signal(self) -> bool:
        """True once when the running countdown reaches zero: the moment for the bell and the flash."""
        if self.countdown.running and self.countdown.expired and not self.signalled:
            self.signalled = True
            return True
        return False

    def elapsed(self) -> float:
        return 0.0 if self.session_started is None else self.clock() - self.session_started

    def drift(self) -> float:
        """Seconds the session is expected to end after (+) or before (−) the plan: time gone, plus what is
        left of the current activity, plus the planned time of every activity after it, minus the plan."""
        seg = self.timer_segment
        after = sum(s.minutes for s in self.deck.segments[seg + 1 :]) * 60
        left = max(self.countdown.remaining(), 0.0)
        return self.elapsed() + left + after - self.deck.total_minutes * 60

    # the notes view follows this
    def state(self, wall: float | None = None, ended: bool = False) -> dict[str, Any]:
        """Everything a notes view needs to show the same place and the same timers (wall-clock based);
        `ended` once the presentation is over."""
        wall = time.time() if wall is None else wall
        return {
            "version": 1,
            "pid": os.getpid(),
            "id": self.id,
            "ended": ended,
            "source": self.deck.source,
            "slide": self.index,
            "shown": self.shown,
            "answer": self.answer,
            "explained": self.explained,
            "finished": self.finished,
            "blackout": self.blackout,
            "timer_segment": self.timer_segment,
            "remaining": self.countdown.remaining(),
            "planned": self.countdown.planned,
            "running": self.countdown.running,
            "elapsed": self.elapsed(),
            "session_running": self.session_started is not None,
            "wall": wall,
        }


@dataclass(frozen=True)
class Followed:
    """What the notes view read from the presenter's state file."""

    source: dict[str, Any]
    slide: int
    shown: int
    answer: bool
    blackout: bool
    timer_segment: int
    remaining: float
    running: bool
    elapsed: float
    session_running: bool
    presenter: str = ""  # the presentation's id, which a command to it must name
    pid: int = 0
    age: float = 0.0  # seconds since the presenter wrote it
    ended: bool = False
    explained: bool = False
    finished: bool = False
    start: str | None = None  # when the plan starts, as the presenter has it (ISO, to the minute)

    def alive(self, later: float = 0.0) -> bool:
        """True while the presentation that wrote this is still running (`later` seconds after it was read):
        it has not said it ended, its process is there, and it has written within STALE_STATE seconds (it
        rewrites its state every HEARTBEAT)."""
        return not self.ended and self.age + later <= STALE_STATE and _process_exists(self.pid)

    def apply(self, presenter: Presenter) -> None:
        """Put a notes view's presenter where the presenting one is, timers included."""
        last = len(presenter.deck.slides) - 1
        presenter.index = max(0, min(self.slide, last))
        presenter.shown = max(0, min(self.shown, len(presenter.slide.steps)))
        presenter.answer = self.answer
        presenter.explained = self.answer and self.explained
        presenter.finished = self.finished
        presenter.blackout = self.blackout
        presenter.timer_segment = max(0, min(self.timer_segment, len(presenter.deck.segments) - 1))
        presenter.countdown.reset(presenter.deck.segments[presenter.timer_segment].minutes * 60)
        presenter.countdown.set(self.remaining, self.running)
        now = presenter.clock()
        presenter.session_started = now - self.elapsed if self.session_running else None


def _process_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # there, but another user's
        return True
    return True


STATE_FILE = "present/state.json"
HEARTBEAT = 2.0  # a presenter rewrites its state at least this often (seconds)…
STALE_STATE = 15.0  # …so a state older than this is from a presentation that is no longer running
MAX_CHANNEL_BYTES = 64 * 1024


def state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def write_state(data_dir: Path, state: dict[str, Any]) -> None:
    """Publish where the presenter is for a notes view (atomic; a notes view never sees half a file)."""
    path = state_path(data_dir)
    storage.ensure_dir(path.parent)
    storage.atomic_write(path, json.dumps(state, ensure_ascii=False).encode("utf-8"))


def _read_json(path: Path) -> object:
    """A small JSON file of the present/ folder, never through a link; None when missing or unreadable."""
    try:
        return json.loads(reading.read_regular(path, MAX_CHANNEL_BYTES).decode("utf-8"))
    except (OSError, StorageError, ValueError):
        return None


def read_state(data_dir: Path, wall: float | None = None) -> Followed | None:
    """The presenter's last published state with its timers brought up to now; None when there is none
    or it cannot be read (a notes view then simply waits)."""
    raw = _read_json(state_path(data_dir))
    if not isinstance(raw, dict) or raw.get("version") != 1:
        return None
    try:
        wall = time.time() if wall is None else wall
        since = max(0.0, wall - float(raw["wall"]))
        running = bool(raw["running"])
        session = bool(raw["session_running"])
        source = raw["source"]
        if not isinstance(source, dict):
            return None
        return Followed(
            source=source,
            slide=int(raw["slide"]),
            shown=int(raw["shown"]),
            answer=bool(raw["answer"]),
            blackout=bool(raw["blackout"]),
            timer_segment=int(raw["timer_segment"]),
            remaining=float(raw["remaining"]) - (since if running else 0.0),
            running=running,
            elapsed=float(raw["elapsed"]) + (since if session else 0.0),
            session_running=session,
            presenter=str(raw.get("id", "")),
            pid=int(raw.get("pid", 0)),
            age=wall - float(raw["wall"]),
            ended=bool(raw.get("ended", False)),
            explained=bool(raw.get("explained", False)),
            finished=bool(raw.get("finished", False)),
            start=raw["start"] if isinstance(raw.get("start"), str) else None,
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
