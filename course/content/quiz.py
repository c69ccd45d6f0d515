"""Quizzes: the question model, grading one answer, and scoring a whole attempt."""

from __future__ import annotations

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
