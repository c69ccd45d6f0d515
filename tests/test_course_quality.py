"""The built-in course is complete: every lesson, in every language, has what a learner and a trainer need."""

from __future__ import annotations

import re

import pytest

from course.content.loader import load_course
from course.content.model import Course
from tests.conftest import REPO

COURSE = load_course(REPO)
CASES = [(lid, lang) for lid in COURSE.lesson_ids for lang in COURSE.languages]
APP_SAYS = re.compile(r"select all that apply|välj alla som stämmer|true or false\?|sant eller falskt\?", re.IGNORECASE)


def test_the_course_covers_the_whole_article() -> None:
    assert len(COURSE.lesson_ids) >= 9


@pytest.mark.parametrize(("lesson_id", "lang"), CASES)
def test_every_lesson_is_complete(lesson_id: str, lang: str) -> None:
    lesson = COURSE.lessons[(lesson_id, lang)]
    assert 2 <= len(lesson.objectives) <= 3
    assert 3 <= len(lesson.key_points) <= 5
    assert 2 <= len(lesson.prompts) <= 3
    assert 1 <= len(lesson.discussions) <= 2
    assert lesson.notes.strip(), "trainer notes"
    assert lesson.sources, "the article's sentences the lesson rests on"
    assert 5 <= lesson.minutes <= 15
    words = len(lesson.body.split())
    assert 300 <= words <= 1000, f"{words} words is not one sitting"
    assert len(lesson.headings) >= 3


@pytest.mark.parametrize(("lesson_id", "lang"), CASES)
def test_every_quiz_explains_every_option(lesson_id: str, lang: str) -> None:
    quiz = COURSE.quizzes[(lesson_id, lang)]
    assert 5 <= len(quiz.questions) <= 8
    kinds = {q.kind for q in quiz.questions}
    assert len(kinds) >= 2
    for q in quiz.questions:
        assert not APP_SAYS.search(q.text), "the app says how to answer; the question need not"
        if q.kind == "true_false":
            assert q.explain.strip()
        else:
            assert all(o.explain.strip() for o in q.options)


def test_the_keys_are_spread_over_positions() -> None:
    positions: list[int] = []
    truths: list[bool] = []
    for lid in COURSE.lesson_ids:
        quiz = COURSE.quizzes[(lid, COURSE.languages[0])]
        for q in quiz.questions:
            if q.kind == "single":
                positions.append(next(i for i, o in enumerate(q.options) if o.correct))
            elif q.kind == "true_false":
                assert q.answer is not None
                truths.append(q.answer)
    assert len(set(positions)) >= 3, positions
    assert max(positions.count(p) for p in set(positions)) <= len(positions) / 2
    assert True in truths and False in truths


def test_the_about_page_and_the_self_assessment_are_there(course: Course) -> None:
    assert course.about is not None and course.assessment is not None
    assert len(course.about.terms) >= 15
    assert len(course.about.reading) >= 5
    assert [s.behaviour["sv"] for s in course.assessment.statements] == [
        "Etik och omtanke", "Handlingsutrymme", "Förutsättningar", "Samarbete",
        "Psykologisk trygghet", "Tydliga gränser", "Kvalitetstänkande",
    ]  # fmt: skip
    article = REPO.parent / "shared" / "seed" / "article-sv.txt"
    if article.is_file():
        text = article.read_text(encoding="utf-8")
        assert all(f"{s.behaviour['sv']}." in text for s in course.assessment.statements)
