"""A crash between saving a finished attempt and updating progress neither loses nor doubles the attempt."""

from __future__ import annotations

from pathlib import Path

from course.content.model import Course
from course.learner.progress import COMPLETED, Attempt, now
from course.learner.study import Study


def test_a_saved_attempt_with_its_draft_still_open_is_finished_once(course: Course, data_dir: Path) -> None:
    quiz = course.quiz("trust-culture", "en")
    assert quiz is not None
    study = Study(course, data_dir, "en")
    for i, q in enumerate(quiz.questions):
        study.answer("trust-culture", q.id, sorted(q.correct_ids), i)
    draft = study.quiz_draft("trust-culture")
    assert draft is not None
    # what finish_quiz does first, and then the crash: the attempt is saved, progress is not
    study.attempts.add("trust-culture", Attempt(draft.started, now(), 5, 5, True, dict(draft.answers)))

    again = Study(course, data_dir, "en")
    assert again.quiz_draft("trust-culture") is None
    assert again.status("trust-culture") == COMPLETED
    assert len(again.attempts.list("trust-culture")) == 1
    fresh = again.start_quiz("trust-culture")
    assert fresh.answers == {}
    assert again.quiz_draft("trust-culture") == fresh, "a fresh attempt is not mistaken for the finished one"
