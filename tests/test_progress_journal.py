"""The learner's progress, quiz attempts and journal, driven through Study exactly as the TUI drives them."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from course.content.model import Course
from course.errors import NewerFileError, StorageError
from course.learner.journal import JournalStore, Reflection
from course.learner.progress import COMPLETED, NOT_STARTED, READ, Attempt, AttemptStore, Notice, Place
from course.learner.study import Study, detect_language
from course.store import storage

from .conftest import REPO
from .journal_helpers import Clock

LESSON = "trust-culture"
SECOND = "seven-manager-behaviours"
TZ = timezone(timedelta(hours=2))


@pytest.fixture
def study(course: Course, data_dir: Path) -> Study:
    return Study(course, data_dir, "en")


def snapshot(folder: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and modification time."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def take_quiz(study: Study, lesson_id: str, right: int) -> None:
    """Answer the lesson's quiz with the first `right` questions right and the rest wrong."""
    quiz = study.course.quiz(lesson_id, study.lang)
    assert quiz is not None
    for i, q in enumerate(quiz.questions):
        chosen = sorted(q.correct_ids) if i < right else sorted(q.valid_ids - q.correct_ids)[:1]
        study.answer(lesson_id, q.id, chosen, i)


def needed_to_pass(study: Study, lesson_id: str) -> int:
    quiz = study.course.quiz(lesson_id, study.lang)
    assert quiz is not None
    n = len(quiz.questions)
    return next(k for k in range(n + 1) if k / n + 1e-9 >= quiz.pass_mark)


# --- a new learner ---------------------------------------------------------------------------------


def test_new_learner_defaults(course: Course, data_dir: Path) -> None:
    study = Study(course, data_dir)
    assert study.lang == "en"  # LANG=C.UTF-8 in the tests
    assert study.notices == []
    assert {study.status(lid) for lid in course.lesson_ids} == {NOT_STARTED}
    assert study.best(LESSON) is None
    assert study.completed_count() == 0
    assert study.continue_place() == Place(LESSON)
    assert not study.has_started()
    assert study.quiz_draft(LESSON) is None
    assert study.reflections(LESSON) == []
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert not (data_dir / "progress.toml").exists(), "nothing is written before the learner does anything"


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "sv_SE.UTF-8"}, "sv"),
        ({"LC_ALL": "sv_FI", "LANG": "en_US.UTF-8"}, "sv"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "sv_SE.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_follows_the_locale(env: dict[str, str], lang: str) -> None:
    assert detect_language(env) == lang


def test_swedish_locale_opens_the_course_in_swedish(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    assert Study(course, data_dir).lang == "sv"
    assert Study(course, data_dir, "en").lang == "en"
    assert Study(course, data_dir, "de").lang == "sv", "an unknown language falls back to the course's first"


def test_study_sweeps_old_temp_files_at_start(course: Course, data_dir: Path) -> None:
    data_dir.mkdir()
    stale = data_dir / ".progress.toml.abc.tmp"
    stale.write_bytes(b"half a save")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    Study(course, data_dir)
    assert not stale.exists()


# --- reading and the quiz --------------------------------------------------------------------------


def test_mark_read_is_saved(course: Course, data_dir: Path, study: Study) -> None:
    study.mark_read(LESSON)
    assert study.status(LESSON) == READ
    read_at = study.lesson_state(LESSON).read_at
    assert read_at is not None and read_at.tzinfo is not None
    saved = toml(data_dir / "progress.toml")
    assert saved["schema"] == 1
    assert saved["lessons"][LESSON]["status"] == "read"
    assert Study(course, data_dir).status(LESSON) == READ
    assert Study(course, data_dir).status(SECOND) == NOT_STARTED


def test_passing_the_quiz_completes_the_lesson(course: Course, data_dir: Path, study: Study) -> None:
    take_quiz(study, LESSON, right=needed_to_pass(study, LESSON))
    result, attempt = study.finish_quiz(LESSON)
    assert result.passed and attempt.passed
    assert study.status(LESSON) == COMPLETED
    assert study.lesson_state(LESSON).completed_at == attempt.finished
    assert study.quiz_draft(LESSON) is None, "a finished attempt is no longer in progress"
    saved = toml(data_dir / "attempts" / f"{LESSON}.toml")
    assert saved["lesson"] == LESSON
    assert len(saved["attempt"]) == 1
    assert saved["attempt"][0]["points"] == result.points
    assert saved["attempt"][0]["passed"] is True
    assert set(saved["attempt"][0]["answers"]) == {q.id for q in course.quizzes[(LESSON, "en")].questions}
    again = Study(course, data_dir)
    assert again.status(LESSON) == COMPLETED
    assert again.completed_count() == 1
    last = len(course.quizzes[(LESSON, "en")].questions) - 1
    assert again.continue_place() == Place(LESSON, "quiz", question=last), "continue goes to the last place"
    # A completed lesson stays completed when it is read again.
    again.mark_read(LESSON)
    assert again.status(LESSON) == COMPLETED


def test_one_below_the_pass_mark_does_not_complete(study: Study) -> None:
    study.mark_read(LESSON)
    take_quiz(study, LESSON, right=needed_to_pass(study, LESSON) - 1)
    result, attempt = study.finish_quiz(LESSON)
    assert not result.passed and not attempt.passed
    assert study.status(LESSON) == READ
    assert study.best(LESSON) == attempt


def test_every_attempt_is_kept(course: Course, data_dir: Path, study: Study, clock: Clock) -> None:
    take_quiz(study, LESSON, right=1)
    _, first = study.finish_quiz(LESSON)
    take_quiz(study, LESSON, right=5)
    _, second = study.finish_quiz(LESSON)
    take_quiz(study, LESSON, right=2)
    study.finish_quiz(LESSON)
    saved = toml(data_dir / "attempts" / f"{LESSON}.toml")
    assert [a["points"] for a in saved["attempt"]] == [1, 5, 2]
    assert list(Study(course, data_dir).attempts.list(LESSON)) == list(study.attempts.list(LESSON))
    assert study.best(LESSON) == second
    assert first.finished < second.finished


def test_best_ignores_attempts_before_a_reset(course: Course, data_dir: Path, study: Study, clock: Clock) -> None:
    take_quiz(study, LESSON, right=5)
    study.finish_quiz(LESSON)
    take_quiz(study, LESSON, right=2)
    study.finish_quiz(LESSON)
    assert study.status(LESSON) == COMPLETED
    study.reset_lesson(LESSON)
    assert study.status(LESSON) == NOT_STARTED
    assert study.best(LESSON) is None
    assert study.counted_attempts(LESSON) == []
    assert len(toml(data_dir / "attempts" / f"{LESSON}.toml")["attempt"]) == 2, "the attempts stay saved"
    take_quiz(study, LESSON, right=3)
    _, after = study.finish_quiz(LESSON)
    assert study.best(LESSON) == after
    assert Study(course, data_dir).best(LESSON) == after
    assert len(toml(data_dir / "attempts" / f"{LESSON}.toml")["attempt"]) == 3


def test_quiz_draft_survives_a_restart(course: Course, data_dir: Path, study: Study) -> None:
    quiz = course.quizzes[(LESSON, "en")]
    first, second = quiz.questions[0], quiz.questions[1]
    study.answer(LESSON, first.id, sorted(first.correct_ids), 0)
    study.answer(LESSON, second.id, sorted(second.correct_ids), 1)
    started = study.quiz_draft(LESSON)
    assert started is not None
    again = Study(course, data_dir)
    draft = again.quiz_draft(LESSON)
    assert draft is not None
    assert draft.started == started.started
    assert draft.answers == {first.id: tuple(sorted(first.correct_ids)), second.id: tuple(sorted(second.correct_ids))}
    assert again.continue_place() == Place(LESSON, "quiz", question=1)
    assert again.start_quiz(LESSON) == draft, "starting again continues the attempt in progress"
    result, _ = again.finish_quiz(LESSON)
    assert result.points == 2


def test_drop_quiz_forgets_the_draft(course: Course, data_dir: Path, study: Study) -> None:
    take_quiz(study, LESSON, right=2)
    study.drop_quiz(LESSON)
    assert study.quiz_draft(LESSON) is None
    assert Study(course, data_dir).quiz_draft(LESSON) is None


def test_continue_place_follows_go(course: Course, data_dir: Path, study: Study) -> None:
    study.go(Place(SECOND, "lesson", scroll=42))
    assert study.has_started()
    assert study.continue_place() == Place(SECOND, "lesson", scroll=42)
    study.go(Place(LESSON, "reflect"))
    assert Study(course, data_dir).continue_place() == Place(LESSON, "reflect")


def test_continue_goes_to_the_first_lesson_not_completed(course: Course, data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    done = '[lessons.{}]\nstatus = "completed"\ncompleted_at = 2025-05-21T09:00:00+02:00\n'
    (data_dir / "progress.toml").write_text("schema = 1\n" + done.format(LESSON), encoding="utf-8")
    study = Study(course, data_dir)
    assert study.notices == []
    assert study.completed_count() == 1
    assert not study.has_started()
    assert study.continue_place() == Place(SECOND)
    (data_dir / "progress.toml").write_text(
        "schema = 1\n" + "".join(done.format(lid) for lid in course.lesson_ids), encoding="utf-8"
    )
    assert Study(course, data_dir).continue_place() == Place(LESSON), "all done: back to the start"


def test_a_place_in_a_lesson_that_no_longer_exists_is_ignored(course: Course, data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    (data_dir / "progress.toml").write_text('schema = 1\n[place]\nlesson = "removed-lesson"\n', encoding="utf-8")
    study = Study(course, data_dir)
    assert study.notices == []
    assert study.continue_place() == Place(LESSON)


def test_settings_are_remembered(course: Course, data_dir: Path, study: Study) -> None:
    study.set_language("sv")
    study.set_theme("textual-light")
    assert study.lang == "sv"
    again = Study(course, data_dir)
    assert again.lang == "sv"
    assert again.progress.current.theme == "textual-light"
    assert Study(course, data_dir, "en").lang == "en", "--lang wins over the saved choice"
    again.set_language("de")
    assert again.lang == "sv"
    assert toml(data_dir / "progress.toml")["settings"] == {"language": "sv", "theme": "textual-light"}


# --- resets never touch the journal ----------------------------------------------------------------


def test_resets_never_touch_the_journal(course: Course, data_dir: Path, study: Study, clock: Clock) -> None:
    study.save_reflection(LESSON, "trust-and-control-week", "Min text.", None)
    study.save_reflection(SECOND, course.lesson(SECOND, "en").prompts[0].id, "Other text.", None)
    take_quiz(study, LESSON, right=5)
    study.finish_quiz(LESSON)
    study.set_theme("nord")
    study.set_language("sv")
    journal_before = snapshot(data_dir / "journal")
    attempts_before = snapshot(data_dir / "attempts")
    assert len(journal_before) == 2

    study.reset_lesson(LESSON)
    assert snapshot(data_dir / "journal") == journal_before
    assert study.status(LESSON) == NOT_STARTED
    assert study.continue_place() == Place(LESSON)

    study.go(Place(SECOND))
    take_quiz(study, SECOND, right=1)
    study.reset_all()
    assert snapshot(data_dir / "journal") == journal_before
    assert snapshot(data_dir / "attempts") == attempts_before
    assert not study.has_started()
    assert study.quiz_draft(SECOND) is None
    assert {study.status(lid) for lid in course.lesson_ids} == {NOT_STARTED}
    again = Study(course, data_dir)
    assert (again.lang, again.progress.current.theme) == ("sv", "nord"), "settings survive a reset"
    assert len(again.reflections(LESSON)) == 1 and len(again.reflections(SECOND)) == 1


# --- the journal -----------------------------------------------------------------------------------


def test_journal_lists_newest_first_and_editing_keeps_created(
    course: Course, data_dir: Path, study: Study, clock: Clock
) -> None:
    older = study.save_reflection(LESSON, "trust-and-control-week", "First thought.", None)
    newer = study.save_reflection(LESSON, "professional-judgement", "Second thought.", None)
    assert [r.id for r in study.reflections(LESSON)] == [newer.id, older.id]

    edited = study.save_reflection(LESSON, "trust-and-control-week", "First thought, revised.", older)
    assert edited.id == older.id
    assert edited.created == older.created
    assert edited.updated > older.updated
    listed = Study(course, data_dir).reflections(LESSON)
    assert [r.id for r in listed] == [older.id, newer.id]
    assert listed[0].text == "First thought, revised."
    assert listed[0].created == older.created and listed[0].updated == edited.updated
    for reflection in listed:
        assert reflection.created.utcoffset() == timedelta(hours=2)
        assert reflection.updated.utcoffset() == timedelta(hours=2)
    path = data_dir / "journal" / LESSON / f"{older.id}.toml"
    assert toml(path)["text"] == "First thought, revised."
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert study.journal.count() == 2


def test_saving_one_reflection_leaves_every_other_file_alone(study: Study, data_dir: Path, clock: Clock) -> None:
    first = study.save_reflection(LESSON, "trust-and-control-week", "One.", None)
    study.save_reflection(LESSON, "professional-judgement", "Two.", None)
    study.mark_read(LESSON)
    before = snapshot(data_dir)
    third = study.save_reflection(LESSON, "trust-and-control-week", "Three.", None)
    after = snapshot(data_dir)
    new_file = data_dir / "journal" / LESSON / f"{third.id}.toml"
    assert set(after) - set(before) == {new_file}
    assert {p: v for p, v in after.items() if p != new_file} == before
    before = after
    study.save_reflection(LESSON, "trust-and-control-week", "One, edited.", first)
    after = snapshot(data_dir)
    edited_file = data_dir / "journal" / LESSON / f"{first.id}.toml"
    assert set(after) == set(before)
    assert [p for p in after if after[p] != before[p]] == [edited_file]


def test_a_failed_save_loses_no_earlier_reflection(
    study: Study, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = study.save_reflection(LESSON, "trust-and-control-week", "Irreplaceable.", None)
    kept_path = data_dir / "journal" / LESSON / f"{kept.id}.toml"
    before = kept_path.read_bytes()

    def no_space(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", no_space)
        with pytest.raises(StorageError, match="free some disk space") as new_failed:
            study.save_reflection(LESSON, "professional-judgement", "Lost?", None)
        with pytest.raises(StorageError) as edit_failed:
            study.save_reflection(LESSON, "trust-and-control-week", "Overwritten?", kept)
    assert str(kept_path) in str(edit_failed.value)
    assert "journal" in str(new_failed.value)
    assert kept_path.read_bytes() == before
    assert [(r.id, r.text) for r in study.reflections(LESSON)] == [(kept.id, "Irreplaceable.")]
    assert [p.name for p in (data_dir / "journal" / LESSON).iterdir()] == [kept_path.name], "no temp file left"


def test_a_failed_progress_save_keeps_the_previous_file(
    study: Study, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study.mark_read(LESSON)
    before = (data_dir / "progress.toml").read_bytes()

    def read_only(*args: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", read_only)
        study.mark_read(SECOND)  # the learner is not stopped: the change holds for this session
    assert (data_dir / "progress.toml").read_bytes() == before
    assert study.status(SECOND) == "read"
    errors = [n for n in study.notices if n.kind == "error"]
    assert len(errors) == 1 and "read-only" in errors[0].detail
    assert errors[0].path == data_dir / "progress.toml"
    assert not list(data_dir.glob("*.tmp")) and not list(data_dir.glob(".*.tmp"))


# --- unreadable files are moved aside, and everything else keeps working ---------------------------

CORRUPT_PROGRESS = {
    "garbage": b"\x00\xff this is not TOML",
    "empty": b"",
    "status-number": b"schema = 1\n[lessons.trust-culture]\nstatus = 3\n",
    "status-unknown": b'schema = 1\n[lessons.trust-culture]\nstatus = "done"\n',
    "read-at-text": b'schema = 1\n[lessons.trust-culture]\nstatus = "read"\nread_at = "yesterday"\n',
    "naive-datetime": b'schema = 1\n[lessons.trust-culture]\nstatus = "read"\nread_at = 2025-05-21T09:30:00\n',
    "bad-lesson-id": b'schema = 1\n[lessons."../x"]\nstatus = "read"\n',
    "lessons-not-table": b"schema = 1\nlessons = 3\n",
    "place-view": b'schema = 1\n[place]\nlesson = "trust-culture"\nview = "bogus"\n',
    "place-scroll": b'schema = 1\n[place]\nlesson = "trust-culture"\nscroll = "far"\n',
    "settings-number": b"schema = 1\n[settings]\nlanguage = 5\n",
    "draft-no-start": b"schema = 1\n[quiz.trust-culture]\nanswers = {}\n",
    "draft-answer-text": b'schema = 1\n[quiz.trust-culture]\nstarted = 2025-05-21T09:30:00Z\nanswers = { q = "a" }\n',
}


@pytest.mark.parametrize("content", CORRUPT_PROGRESS.values(), ids=CORRUPT_PROGRESS.keys())
def test_corrupt_progress_is_moved_aside_and_the_study_goes_on(course: Course, data_dir: Path, content: bytes) -> None:
    data_dir.mkdir(mode=0o700)
    path = data_dir / "progress.toml"
    path.write_bytes(content)
    study = Study(course, data_dir)
    assert len(study.notices) == 1
    notice = study.notices[0]
    assert (notice.kind, notice.path) == ("moved", path)
    assert notice.detail
    assert notice.moved_to is not None and notice.moved_to.name.startswith("progress.toml.unreadable-")
    assert notice.moved_to.read_bytes() == content
    assert notice.moved_to.parent == data_dir / "quarantine"
    assert [p.name for p in (data_dir / "quarantine").glob("progress.toml.unreadable-*[0-9]")] == [notice.moved_to.name]
    assert study.status(LESSON) == NOT_STARTED
    study.mark_read(LESSON)
    assert toml(path)["lessons"][LESSON]["status"] == "read"
    again = Study(course, data_dir)
    assert again.notices == [] and again.status(LESSON) == READ
    assert notice.moved_to.read_bytes() == content, "the moved file is never overwritten"


CORRUPT_ATTEMPTS = {
    "points-bool": b"points = true\nmax_points = 5\npassed = false\n",
    "passed-text": b'points = 1\nmax_points = 5\npassed = "yes"\n',
    "points-too-many": b"points = 7\nmax_points = 5\npassed = true\n",
    "points-negative": b"points = -1\nmax_points = 5\npassed = false\n",
    "answers-numbers": b"points = 1\nmax_points = 5\npassed = false\nanswers = { q = [1] }\n",
}


@pytest.mark.parametrize("fields", CORRUPT_ATTEMPTS.values(), ids=CORRUPT_ATTEMPTS.keys())
def test_corrupt_attempts_are_moved_aside(course: Course, data_dir: Path, fields: bytes) -> None:
    (data_dir / "attempts").mkdir(parents=True)
    path = data_dir / "attempts" / f"{LESSON}.toml"
    content = (
        b'schema = 1\nlesson = "trust-culture"\n[[attempt]]\n'
        b"started = 2025-05-21T09:00:00+02:00\nfinished = 2025-05-21T09:05:00+02:00\n" + fields
    )
    path.write_bytes(content)
    study = Study(course, data_dir)
    assert study.best(LESSON) is None
    (notice,) = study.notices
    assert (notice.kind, notice.path) == ("moved", path)
    assert notice.moved_to is not None and notice.moved_to.read_bytes() == content
    take_quiz(study, LESSON, right=5)
    study.finish_quiz(LESSON)
    assert len(toml(path)["attempt"]) == 1


def test_naive_datetime_in_attempts_is_corrupt(course: Course, data_dir: Path) -> None:
    (data_dir / "attempts").mkdir(parents=True)
    path = data_dir / "attempts" / f"{LESSON}.toml"
    path.write_bytes(
        b"schema = 1\n[[attempt]]\nstarted = 2025-05-21T09:00:00\nfinished = 2025-05-21T09:05:00\n"
        b"points = 1\nmax_points = 5\npassed = false\n"
    )
    study = Study(course, data_dir)
    assert study.best(LESSON) is None
    assert [n.kind for n in study.notices] == ["moved"]
    assert "time zone" in study.notices[0].detail


def test_a_corrupt_reflection_is_moved_aside_and_the_others_still_list(
    course: Course, data_dir: Path, study: Study, clock: Clock
) -> None:
    good = study.save_reflection(LESSON, "trust-and-control-week", "Still here.", None)
    bad = study.save_reflection(LESSON, "professional-judgement", "Will be damaged.", None)
    bad_path = data_dir / "journal" / LESSON / f"{bad.id}.toml"
    damaged = bad_path.read_bytes()[:40]
    bad_path.write_bytes(damaged)
    wrong_type = study.save_reflection(LESSON, "professional-judgement", "Wrong type.", None)
    wrong_path = data_dir / "journal" / LESSON / f"{wrong_type.id}.toml"
    wrong_path.write_text(
        wrong_path.read_text(encoding="utf-8").replace('text = "Wrong type."', "text = 3"), encoding="utf-8"
    )
    again = Study(course, data_dir)
    assert [r.id for r in again.reflections(LESSON)] == [good.id]
    assert sorted((n.kind, n.path) for n in again.notices) == sorted([("moved", bad_path), ("moved", wrong_path)])
    moved_to = next(n.moved_to for n in again.notices if n.path == bad_path)
    assert moved_to is not None and moved_to.read_bytes() == damaged
    assert not bad_path.exists() and not wrong_path.exists()


def test_a_reflection_from_a_newer_version_is_left_alone(course: Course, data_dir: Path, study: Study) -> None:
    kept = study.save_reflection(LESSON, "trust-and-control-week", "Mine.", None)
    future = data_dir / "journal" / LESSON / "20990101-000000-abcdef.toml"
    future.write_bytes(b'schema = 999\nid = "20990101-000000-abcdef"\n')
    again = Study(course, data_dir)
    assert [r.id for r in again.reflections(LESSON)] == [kept.id]
    assert [r.id for r in again.reflections(LESSON)] == [kept.id]
    assert again.notices == [Notice("newer", future)], "reported once, not on every list"
    assert future.read_bytes() == b'schema = 999\nid = "20990101-000000-abcdef"\n'


# --- a file from a newer version is never overwritten ----------------------------------------------

NEWER = b'schema = 999\n[lessons.trust-culture]\nstatus = "mastered-with-honours"\n'


def test_progress_from_a_newer_version_is_left_byte_identical(course: Course, data_dir: Path, clock: Clock) -> None:
    data_dir.mkdir(mode=0o700)
    path = data_dir / "progress.toml"
    path.write_bytes(NEWER)
    study = Study(course, data_dir)
    assert study.progress.read_only
    assert study.notices == [Notice("newer", path)]
    study.mark_read(LESSON)
    study.go(Place(LESSON, "lesson", scroll=3))
    study.set_language("sv")
    study.set_theme("nord")
    take_quiz(study, LESSON, right=5)
    study.finish_quiz(LESSON)
    study.reset_lesson(SECOND)
    study.reset_all()
    study.save_reflection(LESSON, "trust-and-control-week", "Saved anyway.", None)
    assert path.read_bytes() == NEWER
    assert study.notices == [Notice("newer", path)]
    assert len(study.reflections(LESSON)) == 1, "the journal still works"
    assert len(study.attempts.list(LESSON)) == 1, "and so do the attempts"


def test_progress_replaced_by_a_newer_version_mid_session_is_not_overwritten(study: Study, data_dir: Path) -> None:
    study.mark_read(LESSON)
    path = data_dir / "progress.toml"
    path.write_bytes(NEWER)  # another, newer Tillit on the same folder
    study.mark_read(SECOND)
    study.go(Place(SECOND))
    assert path.read_bytes() == NEWER
    assert study.progress.read_only
    assert study.notices == [Notice("newer", path)]
    assert study.status(SECOND) == READ, "the session goes on in memory"


def test_attempts_from_a_newer_version_are_not_overwritten(course: Course, data_dir: Path, study: Study) -> None:
    path = data_dir / "attempts" / f"{LESSON}.toml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"schema = 999\n[[attempt]]\nfuture = true\n")
    assert study.best(LESSON) is None
    assert study.notices == [Notice("newer", path)]
    take_quiz(study, LESSON, right=5)
    with pytest.raises(NewerFileError, match="newer version"):
        study.finish_quiz(LESSON)
    assert path.read_bytes() == b"schema = 999\n[[attempt]]\nfuture = true\n"
    assert study.quiz_draft(LESSON) is not None, "the answers are kept for when Tillit is updated"


# --- ids are never used as paths without a check ---------------------------------------------------

BAD_IDS = ["../x", "/etc/passwd", "", "a/b", "Lesson-1", "x\x00y", "..", "abc\n", "a\\b"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_ids_are_rejected_by_the_stores(tmp_path: Path, data_dir: Path, bad: str) -> None:
    outside_before = sorted(os.listdir(tmp_path.parent))
    when = datetime(2025, 5, 21, 9, 0, tzinfo=TZ)
    journal = JournalStore(data_dir, [])
    attempts = AttemptStore(data_dir, [])
    with pytest.raises(StorageError, match="not a valid"):
        journal.save(Reflection("20250521-090000-abcdef", bad, "p", "text", when, when))
    with pytest.raises(StorageError, match="not a valid"):
        journal.save(Reflection(bad, "trust-culture", "p", "text", when, when))
    with pytest.raises(StorageError, match="not a valid"):
        attempts.add(bad, Attempt(when, when, 1, 1, True, {}))
    with pytest.raises(StorageError, match="not a valid"):
        attempts.list(bad)
    assert journal.list(bad) == []
    assert not data_dir.exists(), "nothing was created"
    assert sorted(os.listdir(tmp_path.parent)) == outside_before
    assert [p.name for p in tmp_path.iterdir()] == []
    assert not Path("/etc/passwd.toml").exists()


# --- permissions -----------------------------------------------------------------------------------


def test_everything_saved_is_private(course: Course, tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        data_dir = tmp_path / "deep" / "data"
        study = Study(course, data_dir)
        study.mark_read(LESSON)
        take_quiz(study, LESSON, right=5)
        study.finish_quiz(LESSON)
        study.save_reflection(LESSON, "trust-and-control-week", "Private.", None)
    finally:
        os.umask(old)
    for path in [tmp_path / "deep", *data_dir.rglob("*"), data_dir]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, f"{path} is {oct(stat.S_IMODE(path.stat().st_mode))}"


# --- two instances on one folder -------------------------------------------------------------------

APPENDER = """
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from course.learner.progress import Attempt, AttemptStore

root, worker, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
store = AttemptStore(root, [])
base = datetime(2025, 5, 21, tzinfo=timezone.utc)
for n in range(count):
    t = base + timedelta(seconds=worker * 1000 + n)
    store.add("trust-culture", Attempt(t, t, n % 6, 5, n % 6 >= 4, {"who": (f"w{worker}-{n}",)}))
"""


def test_concurrent_appends_lose_no_attempt(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    storage.ensure_dir(data_dir)
    workers, each = 3, 30
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(data_dir), str(w), str(each)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    notices: list[Notice] = []
    saved = AttemptStore(data_dir, notices).list(LESSON)
    assert notices == []
    assert len(saved) == workers * each
    assert sorted(a.answers["who"][0] for a in saved) == sorted(
        f"w{w}-{n}" for w in range(workers) for n in range(each)
    )
    assert [p.name for p in (data_dir / "attempts").iterdir()] == [f"{LESSON}.toml"]
