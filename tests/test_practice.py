"""The learning loop: self-assessments, commitments with a follow-up, and spaced review of quiz questions."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from course.content.loader import load_course
from course.content.model import Course
from course.errors import NewerFileError, StorageError, TillitError
from course.learner.journal import FOLLOW_UP_PROMPT
from course.learner.practice import Commitment, Practice, PracticeError
from course.learner.progress import Notice, Place
from course.learner.study import Study
from course.store import storage
from tests.journal_helpers import Clock

from .conftest import REPO

TZ = timezone(timedelta(hours=2))
DAY = date(2025, 5, 21)
LESSONS = ("alpha", "beta")
STATEMENTS = (
    ("ethics-and-care", "Etik och omtanke", "Ethics and care"),
    ("room-to-act", "Handlingsutrymme", "Room to act"),
)

LESSON = """+++
id = "{lid}"
title = "{lid} {lang}"
summary = "A summary."
minutes = 5
objectives = ["Understand {lid}."]

[[prompt]]
id = "first-thought"
text = "What do you think? ({lang})"
+++

# {lid}

Some text.
"""

QUESTION = """
[[question]]
id = "q{n}"
kind = "true_false"
text = "Statement {n} ({lang})."
answer = {answer}
explain = "Because."
"""


def make_course(root: Path, questions: int = 3, assessment: bool = True) -> Path:
    """A small, clean two-language course: LESSONS, each with `questions` true/false questions."""
    (root / "lessons").mkdir(parents=True)
    ids = ", ".join(f'"{lid}"' for lid in LESSONS)
    (root / "lessons" / "course.toml").write_text(
        f'schema = 1\nid = "mini"\nlanguages = ["sv", "en"]\nlessons = [{ids}]\n'
        '[title]\nsv = "Mini"\nen = "Mini"\n[description]\nsv = "En kurs."\nen = "A course."\n',
        encoding="utf-8",
    )
    for lang in ("sv", "en"):
        (root / "lessons" / lang).mkdir()
        (root / "quizzes" / lang).mkdir(parents=True)
        for lid in LESSONS:
            (root / "lessons" / lang / f"{lid}.md").write_text(LESSON.format(lid=lid, lang=lang), encoding="utf-8")
            quiz = f'schema = 1\nlesson = "{lid}"\npass_mark = 0.8\n' + "".join(
                QUESTION.format(n=n, lang=lang, answer="true" if n % 2 else "false") for n in range(questions)
            )
            (root / "quizzes" / lang / f"{lid}.toml").write_text(quiz, encoding="utf-8")
    if assessment:
        text = 'schema = 1\n[intro]\nsv = "Hur?"\nen = "How?"\n[scale]\nsv = ["1","2","3","4","5"]\nen = ["1","2","3","4","5"]\n'
        for sid, sv, en in STATEMENTS:
            text += (
                f'[[statement]]\nid = "{sid}"\nlessons = ["alpha"]\n'
                f'[statement.behaviour]\nsv = "{sv}"\nen = "{en}"\n'
                f'[statement.text]\nsv = "Jag {sid}."\nen = "I {sid}."\n'
            )
        (root / "lessons" / "self-assessment.toml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    fake.step = timedelta(minutes=1)
    monkeypatch.setattr("course.learner.practice.now", fake)
    monkeypatch.setattr("course.learner.study.now", fake)
    return fake


@pytest.fixture
def mini(tmp_path: Path) -> Course:
    return load_course(make_course(tmp_path / "mini"))


@pytest.fixture
def study(mini: Course, data_dir: Path) -> Study:
    return Study(mini, data_dir, "en")


@pytest.fixture
def practice(study: Study) -> Practice:
    return Practice(study)


def toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# --- self-assessment ---------------------------------------------------------------------------------


def test_each_assessment_is_its_own_file_and_they_list_oldest_first(
    practice: Practice, data_dir: Path, clock: Clock
) -> None:
    first = practice.add_assessment({"ethics-and-care": 2, "room-to-act": 3}, {"room-to-act": "  Hard.\r\n "})
    second = practice.add_assessment({"room-to-act": 5, "ethics-and-care": 4}, {"ethics-and-care": ""})
    assert files(data_dir / "assessments") == [f"{first.id}.toml", f"{second.id}.toml"]
    saved = toml(data_dir / "assessments" / f"{first.id}.toml")
    assert saved == {
        "schema": 1,
        "id": first.id,
        "taken": first.taken,
        "ratings": {"ethics-and-care": 2, "room-to-act": 3},
        "notes": {"room-to-act": "Hard."},
    }
    assert first.taken.tzinfo is not None
    assert second.notes == {}, "an empty note is not kept"
    assert list(second.ratings) == ["ethics-and-care", "room-to-act"], "statement order"
    again = Practice(Study(practice.course, data_dir, "en")).assessments()
    assert again == [first, second]


@pytest.mark.parametrize(
    ("ratings", "notes", "words"),
    [
        ({"ethics-and-care": 0}, {}, "from 1 to 5"),
        ({"ethics-and-care": 6}, {}, "from 1 to 5"),
        ({"ethics-and-care": True}, {}, "from 1 to 5"),
        ({"ethics-and-care": 3.0}, {}, "from 1 to 5"),
        ({"ethics-and-care": "3"}, {}, "from 1 to 5"),
        ({"no-such-statement": 3}, {}, "not a statement"),
        ({"ethics-and-care": 3}, {"no-such-statement": "x"}, "not a statement"),
        ({"ethics-and-care": 3}, {"room-to-act": 3}, "should be text"),
        ({}, {}, "at least one"),
    ],
)
def test_invalid_ratings_are_refused_and_nothing_is_written(
    practice: Practice, data_dir: Path, ratings: dict[str, Any], notes: dict[str, Any], words: str
) -> None:
    with pytest.raises(TillitError, match=words):
        practice.add_assessment(ratings, notes)
    assert not (data_dir / "assessments").exists()
    assert practice.assessments() == []


def test_refusals_can_be_said_in_swedish(practice: Practice) -> None:
    with pytest.raises(PracticeError) as caught:
        practice.add_assessment({"room-to-act": 9}, {})
    assert caught.value.sentence("sv") == (
        "Skattningen för ”room-to-act” ska vara ett heltal från 1 till 5, inte 9; inget sparades."
    )
    assert str(caught.value) == caught.value.sentence("en")
    assert "whole number from 1 to 5, not 9" in str(caught.value)


def test_a_course_without_a_self_assessment_refuses_ratings(tmp_path: Path, data_dir: Path) -> None:
    bare = load_course(make_course(tmp_path / "bare", assessment=False))
    practice = Practice(Study(bare, data_dir, "en"))
    with pytest.raises(TillitError, match="no self-assessment"):
        practice.add_assessment({"ethics-and-care": 3}, {})
    assert practice.series("en") == []
    assert not practice.should_offer_assessment()
    assert not (data_dir / "assessments").exists()


def test_series_per_behaviour_in_statement_order_oldest_first(practice: Practice, clock: Clock) -> None:
    practice.add_assessment({"ethics-and-care": 2}, {})
    clock.current += timedelta(days=30)
    practice.add_assessment({"ethics-and-care": 3, "room-to-act": 4}, {})
    clock.current += timedelta(days=30)
    practice.add_assessment({"ethics-and-care": 5, "room-to-act": 4}, {})
    taken = [a.taken.astimezone().date() for a in practice.assessments()]
    assert practice.series("en") == [
        ("Ethics and care", [(taken[0], 2), (taken[1], 3), (taken[2], 5)]),
        ("Room to act", [(taken[1], 4), (taken[2], 4)]),
    ]
    assert [name for name, _ in practice.series("sv")] == ["Etik och omtanke", "Handlingsutrymme"]
    assert [name for name, _ in practice.series("de")] == ["Etik och omtanke", "Handlingsutrymme"], "falls back"


def test_series_is_empty_per_behaviour_before_any_assessment(practice: Practice) -> None:
    assert practice.series("en") == [("Ethics and care", []), ("Room to act", [])]


def test_the_assessment_is_offered_only_to_a_brand_new_learner(mini: Course, data_dir: Path) -> None:
    study = Study(mini, data_dir, "en")
    assert Practice(study).should_offer_assessment()
    study.go(Place("alpha"))
    assert not Practice(study).should_offer_assessment(), "the learner has been somewhere"

    other = data_dir.parent / "other"
    study = Study(mini, other, "en")
    study.mark_read("beta")
    study.progress.update(lambda p: replace(p, place=None))
    assert not Practice(study).should_offer_assessment(), "a lesson has been read"

    third = Study(mini, data_dir.parent / "third", "en")
    practice = Practice(third)
    practice.add_assessment({"room-to-act": 3}, {})
    assert not practice.should_offer_assessment(), "one is saved already"


# --- commitments ---------------------------------------------------------------------------------------


def test_commitments_are_saved_one_file_each_with_a_date(practice: Practice, data_dir: Path, clock: Clock) -> None:
    c = practice.add_commitment("alpha", "  Ask the team first.\r\n", DAY + timedelta(days=7))
    assert c == Commitment(c.id, "alpha", "Ask the team first.", c.created, DAY + timedelta(days=7))
    assert files(data_dir / "commitments") == [f"{c.id}.toml"]
    saved = toml(data_dir / "commitments" / f"{c.id}.toml")
    assert saved["schema"] == 1
    assert saved["due"] == DAY + timedelta(days=7) and type(saved["due"]) is date, "due is a TOML date"
    assert saved["created"].tzinfo is not None
    assert "done" not in saved and saved["follow_up"] == ""


@pytest.mark.parametrize(
    ("lesson", "text", "due", "words"),
    [
        ("no-such-lesson", "Try.", DAY, "not a lesson"),
        ("../x", "Try.", DAY, "not a lesson"),
        ("alpha", "  \n ", DAY, "Write what you will try"),
        ("alpha", "Try.", datetime(2025, 5, 21, 9, 0, tzinfo=TZ), "needs a date"),
        ("alpha", "Try.", "2025-05-21", "needs a date"),
    ],
)
def test_bad_commitments_are_refused_and_nothing_is_written(
    practice: Practice, data_dir: Path, lesson: str, text: str, due: Any, words: str
) -> None:
    with pytest.raises(TillitError, match=words):
        practice.add_commitment(lesson, text, due)
    assert not (data_dir / "commitments").exists()


def test_commitments_list_open_by_due_then_done_newest_first(practice: Practice, clock: Clock) -> None:
    late = practice.add_commitment("alpha", "Late.", DAY + timedelta(days=14))
    soon = practice.add_commitment("beta", "Soon.", DAY + timedelta(days=1))
    first_done = practice.add_commitment("alpha", "Done first.", DAY)
    then_done = practice.add_commitment("alpha", "Done then.", DAY + timedelta(days=2))
    practice.complete_commitment(first_done, "It went well.")
    practice.complete_commitment(then_done, "It went so-so.")
    assert [c.text for c in practice.commitments()] == ["Soon.", "Late.", "Done then.", "Done first."]
    assert late.done is None and soon.done is None


def test_due_today_but_not_tomorrow(practice: Practice, clock: Clock) -> None:
    today = practice.add_commitment("alpha", "Today.", DAY)
    overdue = practice.add_commitment("alpha", "Overdue.", DAY - timedelta(days=3))
    practice.add_commitment("alpha", "Tomorrow.", DAY + timedelta(days=1))
    assert practice.due_commitments(DAY) == [overdue, today]
    assert [c.text for c in practice.due_commitments(DAY + timedelta(days=1))] == ["Overdue.", "Today.", "Tomorrow."]
    assert practice.due_commitments(DAY - timedelta(days=4)) == []


def test_due_commitments_default_to_the_local_today(practice: Practice) -> None:
    c = practice.add_commitment("alpha", "Now.", date.today())
    assert practice.due_commitments() == [c]


def test_completing_writes_a_linked_reflection_and_marks_it_done(
    practice: Practice, study: Study, data_dir: Path, clock: Clock
) -> None:
    c = practice.add_commitment("beta", "Skip one approval step.", DAY)
    done, reflection = practice.complete_commitment(c, "Nobody missed it.\r\nI'll keep going.")
    assert reflection.prompt == FOLLOW_UP_PROMPT and reflection.commitment == c.id and reflection.lesson == "beta"
    assert reflection.text == "Nobody missed it.\nI'll keep going."
    saved_reflection = toml(data_dir / "journal" / "beta" / f"{reflection.id}.toml")
    assert saved_reflection["commitment"] == c.id and saved_reflection["prompt"] == FOLLOW_UP_PROMPT
    assert study.reflections("beta") == [reflection]
    assert done.done is not None and done.done.tzinfo is not None and done.follow_up == reflection.id
    saved = toml(data_dir / "commitments" / f"{c.id}.toml")
    assert saved["done"] == done.done and saved["follow_up"] == reflection.id
    assert practice.commitments() == [done]
    assert practice.due_commitments(DAY) == []
    with pytest.raises(TillitError, match="already been followed up"):
        practice.complete_commitment(c, "Twice.")
    assert len(study.reflections("beta")) == 1


def test_an_empty_follow_up_is_refused(practice: Practice, data_dir: Path) -> None:
    c = practice.add_commitment("beta", "Try.", DAY)
    with pytest.raises(TillitError, match="how it went"):
        practice.complete_commitment(c, " \n ")
    assert not (data_dir / "journal").exists()
    assert practice.commitments() == [c]


def test_a_failed_follow_up_leaves_the_commitment_open(
    practice: Practice, study: Study, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = practice.add_commitment("beta", "Try.", DAY)

    def refuse(reflection: object) -> None:
        raise StorageError("Could not save the reflection: no space left.")

    monkeypatch.setattr(study.journal, "save", refuse)
    with pytest.raises(StorageError, match="no space"):
        practice.complete_commitment(c, "It went well.")
    assert practice.commitments() == [c] and practice.due_commitments(DAY) == [c]


def test_a_commitment_removed_meanwhile_cannot_be_followed_up(practice: Practice, data_dir: Path) -> None:
    c = practice.add_commitment("beta", "Try.", DAY)
    (data_dir / "commitments" / f"{c.id}.toml").unlink()
    with pytest.raises(PracticeError, match="no longer saved"):
        practice.complete_commitment(c, "It went well.")
    assert not (data_dir / "journal").exists()


def test_a_commitment_with_a_bad_id_touches_no_path(practice: Practice, data_dir: Path) -> None:
    c = Commitment("../../evil", "alpha", "x", datetime(2025, 5, 21, tzinfo=TZ), DAY)
    with pytest.raises(StorageError, match="not a valid"):
        practice.complete_commitment(c, "How it went.")
    assert not (data_dir / "journal").exists()


# --- spaced review -------------------------------------------------------------------------------------


def test_a_wrong_answer_is_due_tomorrow(practice: Practice, data_dir: Path) -> None:
    # FSRS since issue 13 (was the 1-3-7-14-30 ladder): the table holds FSRS's memory state and the log.
    item = practice.record_answer("alpha", "q1", False, DAY)
    assert item is not None and (item.lesson, item.question) == ("alpha", "q1")
    assert item.due == DAY + timedelta(days=1) and item.state == "learning"
    assert [(a.day, a.right) for a in item.history] == [(DAY, False)]
    saved = toml(data_dir / "review.toml")
    table = saved["item"]["alpha/q1"]
    assert table["due"] == DAY + timedelta(days=1) and type(table["due"]) is date
    assert table["state"] == "learning" and table["stability"] > 0 and 1 <= table["difficulty"] <= 10
    assert table["level"] == -1, "kept for a Tillit from before FSRS"
    assert [(h["day"], h["right"]) for h in table["history"]] == [(DAY, False)]
    assert table["history"][0]["at"] == table["last_review"]
    assert practice.due_reviews(DAY) == []
    assert practice.due_reviews(DAY + timedelta(days=1)) == [item]


def test_right_answers_come_back_after_ever_longer_gaps(practice: Practice) -> None:
    # Was: right answers walk the 1-3-7-14-30 ladder, then retire. FSRS has no ladder and no retirement.
    day = DAY
    item = practice.record_answer("alpha", "q0", False, day)
    assert item is not None
    waits = []
    for _ in range(6):
        day = item.due
        item = practice.record_answer("alpha", "q0", True, day)
        assert item is not None and item.state == "review"
        waits.append((item.due - day).days)
    assert waits == sorted(waits) and waits[-1] > 3 * waits[0] and len(set(waits)) >= 4, waits
    assert [a.right for a in item.history] == [False, True, True, True, True, True, True]
    assert practice.due_reviews(item.due) == [item], "never retired: it comes back"


def test_wrong_goes_back_to_one_day(practice: Practice) -> None:
    practice.record_answer("alpha", "q0", False, DAY)
    practice.record_answer("alpha", "q0", True, DAY + timedelta(days=1))
    item = practice.record_answer("alpha", "q0", True, DAY + timedelta(days=3))
    assert item is not None and item.due > DAY + timedelta(days=5)
    item = practice.record_answer("alpha", "q0", False, DAY + timedelta(days=5))
    assert item is not None and item.state == "relearning" and item.due == DAY + timedelta(days=6)
    assert len(item.history) == 4


def test_a_long_remembered_question_answered_wrong_is_due_the_next_day(practice: Practice) -> None:
    # Was: a retired question answered wrong is scheduled again. Now nothing retires, and a lapse is tomorrow.
    day = DAY
    item = practice.record_answer("alpha", "q0", True, day)
    for _ in range(4):
        assert item is not None
        day = item.due
        item = practice.record_answer("alpha", "q0", True, day)
    assert item is not None and item.due - day > timedelta(days=20)
    again = practice.record_answer("alpha", "q0", False, day + timedelta(days=40))
    assert again is not None and again.due == day + timedelta(days=41)
    assert again.stability is not None and item.stability is not None and again.stability < item.stability


def test_a_right_answer_on_a_new_question_is_scheduled_a_few_days_on(practice: Practice, data_dir: Path) -> None:
    # Was: "records nothing" (only missed questions were reviewed). Every answered question is a card now.
    item = practice.record_answer("alpha", "q1", True, DAY)
    assert item is not None and item.state == "review" and DAY + timedelta(days=2) <= item.due <= DAY + timedelta(days=4)
    assert [(a.day, a.right) for a in item.history] == [(DAY, True)]
    assert toml(data_dir / "review.toml")["item"]["alpha/q1"]["level"] == 0
    assert practice.due_reviews(DAY + timedelta(days=1)) == []


def test_a_quiz_retaken_at_once_is_logged_but_does_not_push_the_schedule(practice: Practice) -> None:
    # Was: "changes nothing". The answer is kept in the log now; FSRS's same-day review leaves the day as it was.
    wrong = practice.record_answer("alpha", "q1", False, DAY)
    right = practice.record_answer("alpha", "q1", True, DAY)
    assert wrong is not None and right is not None
    assert right.due == wrong.due == DAY + timedelta(days=1), "it still comes back tomorrow"
    assert [a.right for a in right.history] == [False, True]
    first = practice.record_answer("alpha", "q2", True, DAY)
    again = practice.record_answer("alpha", "q2", True, DAY)
    assert first is not None and again is not None and again.due == first.due


def test_due_reviews_oldest_first_then_in_course_order(practice: Practice) -> None:
    practice.record_answer("beta", "q2", False, DAY)
    practice.record_answer("beta", "q0", False, DAY)
    practice.record_answer("alpha", "q2", False, DAY)
    practice.record_answer("alpha", "q1", False, DAY - timedelta(days=1))
    due = practice.due_reviews(DAY + timedelta(days=1))
    assert [(i.lesson, i.question) for i in due] == [("alpha", "q1"), ("alpha", "q2"), ("beta", "q0"), ("beta", "q2")]


def test_review_questions_are_in_the_learners_language(mini: Course, data_dir: Path) -> None:
    study = Study(mini, data_dir, "sv")
    practice = Practice(study)
    practice.record_answer("beta", "q1", False, DAY)
    (pair,) = practice.review_questions(DAY + timedelta(days=1))
    assert pair[0] == "beta" and pair[1].id == "q1" and pair[1].text == "Statement 1 (sv)."
    study.set_language("en")
    assert practice.review_questions(DAY + timedelta(days=1))[0][1].text == "Statement 1 (en)."


def test_removed_questions_and_lessons_are_skipped_and_kept(tmp_path: Path, data_dir: Path) -> None:
    root = make_course(tmp_path / "c", questions=3)
    practice = Practice(Study(load_course(root), data_dir, "en"))
    for lid in LESSONS:
        for q in ("q0", "q2"):
            practice.record_answer(lid, q, False, DAY)
    # A new version of the course drops question q2 everywhere and the lesson beta.
    for lang in ("sv", "en"):
        quiz = root / "quizzes" / lang / "alpha.toml"
        quiz.write_text(quiz.read_text(encoding="utf-8").split('\n[[question]]\nid = "q2"')[0], encoding="utf-8")
        (root / "lessons" / lang / "beta.md").unlink()
        (root / "quizzes" / lang / "beta.toml").unlink()
    manifest = root / "lessons" / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(', "beta"', ""), encoding="utf-8")
    practice = Practice(Study(load_course(root), data_dir, "en"))
    tomorrow = DAY + timedelta(days=1)
    assert [(i.lesson, i.question) for i in practice.due_reviews(tomorrow)] == [("alpha", "q0")]
    assert [q.id for _, q in practice.review_questions(tomorrow)] == ["q0"]
    assert len(practice.review_items()) == 4, "the history of removed questions is kept"
    with pytest.raises(TillitError, match="no quiz question"):
        practice.record_answer("alpha", "q2", False, DAY)


@pytest.mark.parametrize(("lesson", "question"), [("../x", "q0"), ("alpha", "../q0"), ("alpha", "")])
def test_bad_question_ids_are_refused(practice: Practice, data_dir: Path, lesson: str, question: str) -> None:
    with pytest.raises(StorageError, match="not a valid"):
        practice.record_answer(lesson, question, False, DAY)
    assert not (data_dir / "review.toml").exists()


def test_answers_default_to_the_local_today(practice: Practice) -> None:
    item = practice.record_answer("alpha", "q0", False)
    assert item is not None and item.due == date.today() + timedelta(days=1)
    assert practice.due_reviews() == []


# --- broken, newer and private files --------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not = [toml",
        b"\xff\xfe",
        b'schema = 1\n[item."alpha/q0"]\nlevel = 9\ndue = 2025-05-22\n',
        b'schema = 1\n[item."alpha/q0"]\nlevel = 0\ndue = "tomorrow"\n',
        b'schema = 1\n[item."../q0"]\nlevel = 0\ndue = 2025-05-22\n',
        b'schema = 1\n[item."alpha/q0"]\nlevel = 0\ndue = 2025-05-22T10:00:00Z\n',
    ],
)
def test_a_corrupt_review_file_is_moved_aside_and_review_goes_on(
    practice: Practice, data_dir: Path, content: bytes
) -> None:
    (data_dir / "review.toml").write_bytes(content)
    assert practice.due_reviews(DAY) == []
    (moved,) = [n for n in practice.notices if n.kind == "moved"]
    assert moved.path == data_dir / "review.toml" and moved.moved_to is not None
    assert moved.moved_to.read_bytes() == content, "never deleted"
    assert practice.record_answer("alpha", "q0", False, DAY) is not None
    assert [i.question for i in practice.due_reviews(DAY + timedelta(days=1))] == ["q0"]


def test_a_newer_review_file_is_left_alone(practice: Practice, data_dir: Path) -> None:
    newer = b'schema = 2\n[item."alpha/q0"]\nfuture = true\n'
    (data_dir / "review.toml").write_bytes(newer)
    assert practice.due_reviews(DAY) == []
    assert practice.record_answer("alpha", "q0", False, DAY) is None
    assert (data_dir / "review.toml").read_bytes() == newer
    assert practice.notices == [Notice("newer", data_dir / "review.toml")]


def test_an_unsavable_answer_gives_a_notice_not_a_crash(
    practice: Practice, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, data: bytes) -> None:
        raise storage.os_failure("save", path, OSError(28, "No space left on device"))

    monkeypatch.setattr(storage, "atomic_write", refuse)
    assert practice.record_answer("alpha", "q0", False, DAY) is None
    (notice,) = practice.notices
    assert notice.kind == "error" and notice.advice == "space"
    assert not (data_dir / "review.toml").exists()


def test_corrupt_assessments_and_commitments_are_moved_aside(practice: Practice, data_dir: Path) -> None:
    kept = practice.add_assessment({"room-to-act": 4}, {})
    c = practice.add_commitment("alpha", "Try.", DAY)
    bad = {
        data_dir / "assessments" / "20250101-000000-aaaaaa.toml": b"schema = 1\nid = 3\n",
        data_dir / "assessments" / "20250101-000000-bbbbbb.toml": (
            b'schema = 1\nid = "20250101-000000-bbbbbb"\ntaken = 2025-01-01T00:00:00Z\n[ratings]\nroom-to-act = 7\n'
        ),
        data_dir / "assessments" / "20250101-000000-cccccc.toml": (
            b'schema = 1\nid = "20250101-000000-cccccc"\ntaken = 2025-01-01T00:00:00\n'
        ),
        data_dir / "commitments" / "20250101-000000-dddddd.toml": (
            b'schema = 1\nid = "20250101-000000-dddddd"\nlesson = "alpha"\ntext = "x"\n'
            b"created = 2025-01-01T00:00:00Z\ndue = 2025-01-01T00:00:00Z\n"
        ),
        data_dir / "commitments" / "20250101-000000-eeeeee.toml": b"\x00\x01",
    }
    for path, content in bad.items():
        path.write_bytes(content)
    assert practice.assessments() == [kept]
    assert practice.commitments() == [c]
    moved = [n for n in practice.notices if n.kind == "moved"]
    assert sorted(n.path for n in moved) == sorted(bad)
    for n in moved:
        assert n.moved_to is not None and n.moved_to.read_bytes() == bad[n.path]


def test_newer_assessments_and_commitments_are_left_alone(practice: Practice, data_dir: Path) -> None:
    c = practice.add_commitment("alpha", "Try.", DAY)
    newer = b"schema = 5\nwhatever = true\n"
    storage.ensure_dir(data_dir / "assessments")
    (data_dir / "assessments" / "20250101-000000-aaaaaa.toml").write_bytes(newer)
    path = data_dir / "commitments" / f"{c.id}.toml"
    path.write_bytes(newer)
    assert practice.assessments() == [] and practice.commitments() == []
    with pytest.raises(NewerFileError):
        practice.complete_commitment(c, "It went well.")
    assert path.read_bytes() == newer
    assert (data_dir / "assessments" / "20250101-000000-aaaaaa.toml").read_bytes() == newer
    assert {n.kind for n in practice.notices} == {"newer"}


def test_everything_practice_saves_is_private(mini: Course, tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        data_dir = tmp_path / "deep" / "data"
        practice = Practice(Study(mini, data_dir, "en"))
        practice.add_assessment({"room-to-act": 4}, {"room-to-act": "Private."})
        c = practice.add_commitment("alpha", "Try.", DAY)
        practice.complete_commitment(c, "Private too.")
        practice.record_answer("alpha", "q0", False, DAY)
    finally:
        os.umask(old)
    paths = [*data_dir.rglob("*")]
    assert {p.name for p in paths} >= {"assessments", "commitments", "journal", "review.toml"}
    for path in [data_dir, *paths]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, f"{path} is {oct(stat.S_IMODE(path.stat().st_mode))}"


# --- two instances on one folder ---------------------------------------------------------------------

ANSWERER = """
import sys
from datetime import date
from pathlib import Path
from course.content.loader import load_course
from course.learner.practice import Practice
from course.learner.study import Study

course_root, data, worker, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
practice = Practice(Study(load_course(course_root), data, "en"))
for n in range(count):
    assert practice.record_answer("alpha", f"q{worker * count + n}", False, date(2025, 5, 21)) is not None
"""


def test_concurrent_answers_lose_nothing(tmp_path: Path, data_dir: Path) -> None:
    workers, each = 3, 20
    root = make_course(tmp_path / "big", questions=workers * each)
    storage.ensure_dir(data_dir)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ANSWERER, str(root), str(data_dir), str(w), str(each)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    practice = Practice(Study(load_course(root), data_dir, "en"))
    due = practice.due_reviews(DAY + timedelta(days=1))
    assert practice.notices == []
    assert sorted(i.question for i in due) == sorted(f"q{n}" for n in range(workers * each))
    assert sorted(toml(data_dir / "review.toml")["item"]) == sorted(f"alpha/q{n}" for n in range(workers * each))


# --- the built-in course ---------------------------------------------------------------------------------


def test_the_built_in_course_works_with_practice(course: Course, data_dir: Path) -> None:
    if course.assessment is None:
        pytest.skip("the built-in course has no self-assessment yet")
    practice = Practice(Study(course, data_dir, "sv"))
    assert practice.should_offer_assessment()
    ratings = {s.id: 1 + n % 5 for n, s in enumerate(course.assessment.statements)}
    practice.add_assessment(ratings, {})
    assert [len(points) for _, points in practice.series("sv")] == [1] * len(course.assessment.statements)
    lesson = course.lesson_ids[0]
    quiz = course.quiz(lesson, "sv")
    assert quiz is not None
    practice.record_answer(lesson, quiz.questions[0].id, False, DAY)
    assert [q.id for _, q in practice.review_questions(DAY + timedelta(days=1))] == [quiz.questions[0].id]
