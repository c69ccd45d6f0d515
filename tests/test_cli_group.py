"""`tillit share`, `tillit results` and `tillit import gift` from the shell: what they print and write."""

from __future__ import annotations

import csv
import io
import stat
import tomllib
from pathlib import Path

import pytest

from course.cli.main import main
from course.content.model import Course
from course.learner.study import Study

from .conftest import REPO

FIRST = "trust-culture"


def answer_quiz(study: Study, right: bool) -> None:
    """Finish the first lesson's quiz, every question right (or every question wrong)."""
    quiz = study.course.quiz(FIRST, study.lang)
    assert quiz is not None
    study.start_quiz(FIRST)
    for i, q in enumerate(quiz.questions):
        ids = sorted(q.correct_ids) if right else sorted(q.valid_ids - q.correct_ids)[:1]
        study.answer(FIRST, q.id, ids, i)
    study.finish_quiz(FIRST)


def participant(course: Course, folder: Path, right: bool) -> Study:
    study = Study(course, folder, "en")
    answer_quiz(study, right)
    return study


def test_share_without_output_only_shows_and_writes_nothing(
    course: Course, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    participant(course, tmp_path / "p", right=True)
    assert main(["--data", str(tmp_path / "p"), "share"]) == 0
    out, err = capsys.readouterr()
    data = tomllib.loads(out)
    assert data["kind"] == "tillit-share" and len(data["answer"]) == len(course.quiz(FIRST, "en").questions)  # type: ignore[union-attr]
    assert data["reflection"] == [] and "name" not in data
    assert "Nothing was written" in err
    assert not list(tmp_path.glob("*.toml"))


def test_share_writes_a_private_file_and_a_reflection_only_with_a_yes(
    course: Course, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    study = participant(course, tmp_path / "p", right=True)
    secret = study.save_reflection(FIRST, course.lesson(FIRST, "en").prompts[0].id, "My private [bold]words[/]", None)
    target = tmp_path / "share.toml"
    where = ["--data", str(tmp_path / "p")]
    # piped stdin cannot say yes: nothing is written
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main([*where, "share", "-o", str(target), "--reflection", secret.id]) == 2
    assert not target.exists()
    assert "needs a yes" in capsys.readouterr().err
    # --yes after reading it: written, with the text exactly as typed, and private
    assert main([*where, "share", "-o", str(target), "--reflection", secret.id, "--yes", "--name", "Ann"]) == 0
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    assert [r["text"] for r in data["reflection"]] == ["My private [bold]words[/]"]
    assert data["name"] == "Ann"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # without --reflection no reflection goes in (--force: the file from before is replaced on purpose)
    assert main([*where, "share", "-o", str(target), "--force"]) == 0
    assert tomllib.loads(target.read_text(encoding="utf-8"))["reflection"] == []


def test_results_merge_a_folder_skip_a_bad_file_and_write_html_and_csv(
    course: Course, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shares = tmp_path / "shares"
    shares.mkdir()
    for n, right in enumerate((True, False, False)):
        participant(course, tmp_path / f"p{n}", right)
        assert main(["--data", str(tmp_path / f"p{n}"), "share", "-o", str(shares / f"p{n}.toml")]) == 0
    (shares / "evil.toml").write_text('lesson = "../../etc"\n' + "a = [" * 5000, encoding="utf-8")
    capsys.readouterr()
    report, figures = tmp_path / "report.html", tmp_path / "questions.csv"
    code = main(
        ["--data", str(tmp_path / "trainer"), "results", str(shares), "--html", str(report), "--csv", str(figures)]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert "skipped" in err and "evil.toml" in err
    assert "3 participants" in out
    rows = list(csv.reader(io.StringIO(figures.read_text(encoding="utf-8"))))
    quiz = course.quiz(FIRST, "en")
    assert quiz is not None
    answered = {row[2]: row for row in rows[1:] if row[0] == FIRST}
    assert set(answered) == {q.id for q in quiz.questions}
    assert all(row[4] == "3" and row[5] == "1" for row in answered.values())  # 3 answered, 1 right first time
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html and quiz.questions[0].text.split()[0] in html


def test_results_of_a_missing_folder_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["results", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_import_gift_writes_a_quiz_lists_what_it_skipped_and_check_reports_placeholders(
    course_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank = REPO / "tests" / "gift" / "moodle-examples.gift"
    for lang in ("sv", "en"):
        target = course_copy / "quizzes" / lang / f"{FIRST}.toml"
        target.unlink()
        assert main(["import", "gift", str(bank), "-o", str(target)]) == 0
    out, err = capsys.readouterr()
    assert "Wrote 14 questions" in out and "skipped 10" in out
    assert f"{bank}:24: skipped: short answer" in err
    assert main(["import", "gift", str(bank), "-o", str(target)]) == 2  # never over an existing file
    assert "already exists" in capsys.readouterr().err
    assert main(["check", "--course", str(course_copy)]) == 1
    problems = capsys.readouterr().out.splitlines()
    assert problems and all("placeholder explanation from the GIFT import" in p for p in problems)
    assert all(p.startswith("quizzes/") or "/quizzes/" in p for p in problems)


def test_import_gift_of_a_file_without_usable_questions_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank = tmp_path / "essay.gift"
    bank.write_text("How are you? {}\n", encoding="utf-8")
    target = tmp_path / "trust-culture.toml"
    assert main(["import", "gift", str(bank), "-o", str(target)]) == 2
    assert not target.exists()
    assert "no question Tillit can ask" in capsys.readouterr().err
