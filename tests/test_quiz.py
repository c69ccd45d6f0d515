"""Grading: one point per question answered exactly right, and the pass mark decides mastery."""

from __future__ import annotations

import pytest

from course.content.model import Course
from course.content.quiz import FALSE_ID, TRUE_ID, Option, Question, Quiz, QuizResult, score


def opt(oid: str, correct: bool) -> Option:
    return Option(oid, f"text of {oid}", correct, f"why {oid}")


SINGLE = Question("pick-one", "single", "Which?", options=(opt("a", False), opt("b", True), opt("c", False)))
MULTIPLE = Question(
    "pick-all", "multiple", "Which ones?", options=(opt("a", True), opt("b", False), opt("c", True), opt("d", False))
)
TRUE_Q = Question("is-true", "true_false", "True?", answer=True, explain="Because it is.")
FALSE_Q = Question("is-false", "true_false", "False?", answer=False, explain="Because it is not.")


@pytest.mark.parametrize(
    ("chosen", "right"),
    [(["b"], True), (["a"], False), ([], False), (["a", "b"], False), (["b", "b"], True), (["x"], False)],
)
def test_single(chosen: list[str], right: bool) -> None:
    assert SINGLE.is_correct(chosen) is right


@pytest.mark.parametrize(
    ("chosen", "right"),
    [
        (["a", "c"], True),
        (["c", "a"], True),
        (["a"], False),  # all or nothing: a partly right answer scores nothing
        (["c"], False),
        (["a", "c", "b"], False),  # the exact set: one wrong extra spoils it
        (["a", "b", "c", "d"], False),
        ([], False),
    ],
)
def test_multiple_is_all_or_nothing(chosen: list[str], right: bool) -> None:
    assert MULTIPLE.is_correct(chosen) is right


def test_true_false_choices_and_correct_ids() -> None:
    choices = TRUE_Q.choices("Sant", "Falskt")
    assert [(c.id, c.text, c.correct) for c in choices] == [(TRUE_ID, "Sant", True), (FALSE_ID, "Falskt", False)]
    assert all(c.explain == "Because it is." for c in choices)
    assert TRUE_Q.correct_ids == {TRUE_ID}
    assert FALSE_Q.correct_ids == {FALSE_ID}
    assert [c.correct for c in FALSE_Q.choices("True", "False")] == [False, True]
    assert TRUE_Q.valid_ids == {TRUE_ID, FALSE_ID}
    assert TRUE_Q.is_correct([TRUE_ID]) and not TRUE_Q.is_correct([FALSE_ID])
    assert FALSE_Q.is_correct([FALSE_ID]) and not FALSE_Q.is_correct([TRUE_ID])
    assert not TRUE_Q.is_correct([TRUE_ID, FALSE_ID])


def test_choices_of_an_option_question_are_its_options() -> None:
    assert SINGLE.choices("True", "False") == SINGLE.options
    assert SINGLE.correct_ids == {"b"}
    assert MULTIPLE.correct_ids == {"a", "c"}
    assert MULTIPLE.valid_ids == {"a", "b", "c", "d"}


QUIZ = Quiz(
    "lesson",
    "en",
    0.8,
    (SINGLE, MULTIPLE, TRUE_Q, FALSE_Q, Question("last", "single", "?", options=(opt("x", True), opt("y", False)))),
)
ALL_RIGHT: dict[str, list[str]] = {
    "pick-one": ["b"],
    "pick-all": ["a", "c"],
    "is-true": [TRUE_ID],
    "is-false": [FALSE_ID],
    "last": ["x"],
}


def test_score_all_right() -> None:
    result = score(QUIZ, ALL_RIGHT)
    assert (result.points, result.max_points, result.share, result.passed) == (5, 5, 1.0, True)


def test_four_of_five_passes_at_point_eight() -> None:
    answers = {**ALL_RIGHT, "pick-all": ["a"]}
    result = score(QUIZ, answers)
    assert (result.points, result.max_points) == (4, 5)
    assert result.share == pytest.approx(0.8)
    assert result.passed


def test_three_of_five_fails_at_point_eight() -> None:
    answers = {**ALL_RIGHT, "pick-all": ["a"], "is-true": [FALSE_ID]}
    result = score(QUIZ, answers)
    assert (result.points, result.max_points) == (3, 5)
    assert not result.passed


def test_unanswered_questions_score_nothing() -> None:
    result = score(QUIZ, {"pick-one": ["b"]})
    assert (result.points, result.max_points, result.passed) == (1, 5, False)
    assert score(QUIZ, {}).points == 0


@pytest.mark.parametrize(
    ("points", "max_points", "pass_mark", "passed"),
    [
        (4, 5, 0.8, True),
        (3, 5, 0.8, False),
        (7, 10, 0.7, True),  # 0.7 is not exact in binary; the boundary still passes
        (2, 3, 2 / 3, True),
        (1, 3, 0.34, False),
        (5, 5, 1.0, True),
        (4, 5, 1.0, False),
        (0, 0, 0.8, False),
    ],
)
def test_pass_mark_boundary(points: int, max_points: int, pass_mark: float, passed: bool) -> None:
    assert QuizResult(points, max_points, pass_mark).passed is passed


def test_share_of_an_empty_quiz_is_zero() -> None:
    assert QuizResult(0, 0, 0.8).share == 0.0


def test_quiz_question_lookup() -> None:
    assert QUIZ.question("pick-all") is MULTIPLE
    assert QUIZ.question("nope") is None


def test_builtin_quizzes_grade_their_own_right_answers(course: Course) -> None:
    for quiz in course.quizzes.values():
        right = {q.id: sorted(q.correct_ids) for q in quiz.questions}
        assert score(quiz, right).passed
        assert score(quiz, right).points == len(quiz.questions)
        wrong = {q.id: sorted(q.valid_ids - q.correct_ids) for q in quiz.questions}
        assert score(quiz, wrong).points == 0
