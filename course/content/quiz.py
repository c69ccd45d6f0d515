"""Quizzes: the question model, grading one answer, scoring a whole attempt, and the order an attempt
shows each question's options in."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

QuestionKind = Literal["single", "multiple", "true_false"]
KINDS: tuple[QuestionKind, ...] = get_args(QuestionKind)
TRUE_ID = "true"
FALSE_ID = "false"


def is_kind(value: object) -> TypeGuard[QuestionKind]:
    """True for a question kind Tillit knows (see KINDS)."""
    return value in KINDS


@dataclass(frozen=True)
class Option:
    """One answer option and why it is right or wrong."""

    id: str
    text: str
    correct: bool
    explain: str


@dataclass(frozen=True)
class Question:
    """One quiz question; true/false questions have an `answer` and no options of their own."""

    id: str
    kind: QuestionKind
    text: str
    options: tuple[Option, ...] = ()
    answer: bool | None = None
    explain: str = ""
    hint: str = ""

    @property
    def several(self) -> bool:
        """True when the learner may choose more than one option (select all that apply)."""
        return self.kind == "multiple"

    @property
    def shared_explanation(self) -> bool:
        """True when one explanation covers the whole question (true/false), not one per option."""
        return self.kind == "true_false"

    def choices(self, true_label: str, false_label: str) -> tuple[Option, ...]:
        """The options to show; a true/false question gets two, both carrying its explanation."""
        if self.kind != "true_false":
            return self.options
        return (
            Option(TRUE_ID, true_label, self.answer is True, self.explain),
            Option(FALSE_ID, false_label, self.answer is False, self.explain),
        )

    @property
    def correct_ids(self) -> frozenset[str]:
        """The ids that together make the right answer."""
        if self.kind == "true_false":
            return frozenset({TRUE_ID if self.answer else FALSE_ID})
        return frozenset(o.id for o in self.options if o.correct)

    @property
    def valid_ids(self) -> frozenset[str]:
        """Every id a learner could choose."""
        if self.kind == "true_false":
            return frozenset({TRUE_ID, FALSE_ID})
        return frozenset(o.id for o in self.options)

    def is_correct(self, chosen: Sequence[str]) -> bool:
        """True when the chosen ids are exactly the right ones (select-all is all or nothing)."""
        return frozenset(chosen) == self.correct_ids


@dataclass(frozen=True)
class Quiz:
    """The quiz of one lesson in one language."""

    lesson: str
    lang: str
    pass_mark: float
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if the quiz has it."""
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class QuizResult:
    """The score of one attempt."""

    points: int
    max_points: int
    pass_mark: float

    @property
    def share(self) -> float:
        """Points as a share of the maximum, 0.0–1.0."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def passed(self) -> bool:
        """True when the share reaches the lesson's pass mark."""
        return self.share + 1e-9 >= self.pass_mark


def score(quiz: Quiz, answers: Mapping[str, Sequence[str]]) -> QuizResult:
    """Score an attempt: one point per question answered exactly right."""
    points = sum(1 for q in quiz.questions if q.is_correct(answers.get(q.id, ())))
    return QuizResult(points, len(quiz.questions), quiz.pass_mark)


# --- the order an attempt shows the options in ------------------------------------------------------

Order = Mapping[str, Sequence[str]]
"""Question id → the ids of its options in the order one attempt shows them (true/false never has one)."""


def shuffle_options(quiz: Quiz, seed: str, last_seen: Order | None = None) -> dict[str, tuple[str, ...]]:
    """A fresh order of every question's options for one attempt, reproducible from `seed`.

    True/false keeps its order (true, then false) and has no entry. A question of three or more options
    is never shown as it was `last_seen` (the previous attempt's order, or the authored order the
    presenter shows when there is none), so a retry does not test memory of positions; two options are
    a plain coin toss (always swapping them would be as easy to remember)."""
    rng = random.Random(seed)
    out: dict[str, tuple[str, ...]] = {}
    for q in quiz.questions:
        if q.shared_explanation or len(q.options) < 2:
            continue
        authored = [o.id for o in q.options]
        before = tuple((last_seen or {}).get(q.id, ())) or tuple(authored)
        ids = list(authored)
        for _ in range(20):  # the chance of twenty repeats is nil; the loop only bounds a bad seed's luck
            rng.shuffle(ids)
            if len(ids) < 3 or tuple(ids) != before:
                break
        out[q.id] = tuple(ids)
    return out


def in_order(options: Sequence[Option], order: Sequence[str]) -> tuple[Option, ...]:
    """`options` in a saved `order`: an option the order does not name (the course gained it since) comes
    last, in the authored order; an id the course no longer has is passed over."""
    rank: dict[str, int] = {}
    for i, oid in enumerate(order):
        rank.setdefault(oid, i)
    return tuple(sorted(options, key=lambda o: rank.get(o.id, len(order))))


def canonical(question: Question, chosen: Sequence[str]) -> tuple[str, ...]:
    """The chosen ids once each, in the authored order (how an answer is kept, whatever order was shown);
    an id the question does not have is dropped."""
    picked = set(chosen)
    ids = [TRUE_ID, FALSE_ID] if question.kind == "true_false" else [o.id for o in question.options]
    return tuple(oid for oid in ids if oid in picked)


# --- looking back at an attempt -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    """One question of a finished (or just finished) attempt, as the learner saw and answered it."""

    number: int  # 1-based, in the quiz's order
    question: Question
    shown: tuple[Option, ...]  # the options in the order the attempt showed them
    chosen: frozenset[str]
    answered: bool

    @property
    def right(self) -> bool:
        """True when the answer was exactly right."""
        return self.answered and self.question.is_correct(tuple(self.chosen))

    def position(self, option_id: str) -> int:
        """The number the learner saw before an option (1-based)."""
        return next(i for i, o in enumerate(self.shown, 1) if o.id == option_id)

    @property
    def picked(self) -> tuple[Option, ...]:
        """The options the learner chose, in the order they were shown."""
        return tuple(o for o in self.shown if o.id in self.chosen)

    @property
    def correct(self) -> tuple[Option, ...]:
        """The right options, in the order they were shown."""
        return tuple(o for o in self.shown if o.correct)

    @property
    def explanations(self) -> tuple[str, ...]:
        """Why: the question's explanation (true/false), else that of every option chosen wrongly or missed."""
        if self.question.shared_explanation:
            return (self.question.explain,) if self.question.explain else ()
        return tuple(o.explain for o in self.shown if (o.id in self.chosen) != o.correct and o.explain)


def review(
    quiz: Quiz, answers: Mapping[str, Sequence[str]], order: Order, true_label: str, false_label: str
) -> tuple[list[Reviewed], int]:
    """Every question of the quiz with the attempt's answer, in the order the attempt showed its options;
    and how many answered questions the course no longer has (edited since the attempt)."""
    rows = [
        Reviewed(
            n,
            q,
            in_order(q.choices(true_label, false_label), order.get(q.id, ())),
            frozenset(answers.get(q.id, ())),
            q.id in answers,
        )
        for n, q in enumerate(quiz.questions, 1)
    ]
    known = {q.id for q in quiz.questions}
    return rows, sum(1 for qid in answers if qid not in known)
