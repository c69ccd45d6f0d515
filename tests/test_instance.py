"""Two Tillits on one data folder: the first app holds .writer.lock, a second opens read-only; one-shot commands still work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from course.cli.main import main
from course.content.model import Course
from course.errors import StorageError
from course.learner.practice import Practice
from course.learner.study import Study
from course.store.instance import READ_ONLY_MESSAGE, WRITER_LOCK, ReadOnlyError, claim_writer, writer_active

LESSON = "trust-culture"
HOLDER = """
import sys, time
from pathlib import Path
from course.store.instance import claim_writer
claim = claim_writer(Path(sys.argv[1]))
print("held" if claim else "busy", flush=True)
time.sleep(60)
"""


@pytest.fixture
def other_app(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the writer lock, as an open Tillit app would."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def probe(data_dir: Path) -> str:
    """Whether a fresh process could claim the writer lock now."""
    code = "import sys; from pathlib import Path; from course.store.instance import claim_writer; print('held' if claim_writer(Path(sys.argv[1])) else 'busy')"
    return subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_first_claim_wins_and_a_second_process_gets_none(data_dir: Path) -> None:
    claim = claim_writer(data_dir)
    assert claim is not None and claim.held
    assert (data_dir / WRITER_LOCK).read_text(encoding="ascii").strip() == str(os.getpid())
    assert probe(data_dir) == "busy"
    assert writer_active(data_dir) is True
    claim.release()
    assert not claim.held
    assert probe(data_dir) == "held"
    assert writer_active(data_dir) is False


def test_a_second_claim_in_the_same_process_is_refused_too(data_dir: Path) -> None:
    first = claim_writer(data_dir)
    assert first is not None
    with first:
        assert claim_writer(data_dir) is None
    assert not first.held
    again = claim_writer(data_dir)
    assert again is not None
    again.release()


def test_a_killed_app_leaves_the_folder_free(data_dir: Path, other_app: subprocess.Popen[str]) -> None:
    assert claim_writer(data_dir) is None
    other_app.send_signal(signal.SIGKILL)
    other_app.wait()
    assert (data_dir / WRITER_LOCK).exists(), "the lock file stays; that is harmless"
    claim = claim_writer(data_dir)
    assert claim is not None
    claim.release()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_save_of_a_read_only_study_is_refused_and_nothing_changes(
    course: Course, data_dir: Path, other_app: subprocess.Popen[str]
) -> None:
    writer = Study(course, data_dir, "en")
    prompt = course.lesson(LESSON, "en").prompts[0].id
    saved = writer.save_reflection(LESSON, prompt, "Mine.", None)
    writer.mark_read(LESSON)
    assert claim_writer(data_dir) is None
    study = Study(course, data_dir, "en", read_only=True)
    assert study.read_only and study.reflections(LESSON)[0].text == "Mine.", "reading works"
    before = snapshot(data_dir)
    question = course.quiz(LESSON, "en")
    assert question is not None
    qid = question.questions[0].id
    # where the learner is and what they answer live in memory for this session: no file changes
    study.set_language("sv")
    study.set_theme("x")
    study.go(study.continue_place())
    study.mark_read(LESSON)
    study.start_quiz(LESSON)
    study.answer(LESSON, qid, ["a"], 0)
    assert study.lang == "sv" and study.quiz_draft(LESSON) is not None
    study.drop_quiz(LESSON)
    assert snapshot(data_dir) == before
    # everything the learner makes is refused with one clear sentence
    saves: list[Callable[[], object]] = [
        lambda: study.finish_quiz(LESSON),
        lambda: study.save_reflection(LESSON, prompt, "Theirs.", None),
        lambda: study.save_reflection(LESSON, prompt, "Edited.", saved),
        lambda: study.set_star(saved, True),
        lambda: study.set_tags(saved, ["x"]),
        lambda: study.delete_reflection(saved),
        lambda: study.restore_reflection(LESSON, saved.id),
        lambda: study.reset_lesson(LESSON),
        lambda: study.reset_all(),
    ]
    practice = Practice(study)
    saves += [
        lambda: practice.add_commitment(LESSON, "Try it.", date(2030, 1, 1)),
        lambda: practice.record_answer(LESSON, qid, True),
    ]
    for save in saves:
        with pytest.raises(ReadOnlyError) as caught:
            save()
        assert isinstance(caught.value, StorageError)
        assert str(caught.value) == READ_ONLY_MESSAGE
    assert snapshot(data_dir) == before


def test_journal_add_works_beside_an_open_app(
    course: Course, data_dir: Path, other_app: subprocess.Popen[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journal", "add", "--data", str(data_dir), "Written from the shell."]) == 0
    rid = capsys.readouterr().out.strip()
    [found] = Study(course, data_dir, "en", read_only=True).all_reflections()
    assert found.id == rid and found.text == "Written from the shell."
