"""`tillit journal add|list|search|export`: the same data and safety as the app, one sentence per mistake."""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from course.cli import journal as cli_journal
from course.cli.main import main
from course.content.loader import load_course
from course.content.model import Course
from course.learner.journal import JournalStore, Reflection
from course.learner.progress import Notice
from course.render.export import FORMATS
from course.render.markdown import inline

from .conftest import REPO
from .journal_helpers import Clock, read

SECOND = "seven-manager-behaviours"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return load_course(REPO)


@pytest.fixture
def where(course: Course, data_dir: Path) -> list[str]:
    """--course and --data for every command."""
    return ["--course", str(course.root), "--data", str(data_dir)]


class Tty(io.StringIO):
    """Standard input that is a terminal (so `journal add` without TEXT opens the editor)."""

    def isatty(self) -> bool:
        return True


def piped(text: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(text), encoding="utf-8")


def one_sentence(text: str) -> str:
    """The single line a failure printed: one plain sentence, no traceback."""
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    assert lines[0].startswith("tillit: ") and lines[0].endswith(".")
    return lines[0]


def saved(data_dir: Path) -> list[Reflection]:
    notices: list[Notice] = []
    found = JournalStore(data_dir, notices).all()
    assert notices == []
    return found


def seed(data_dir: Path) -> dict[str, Reflection]:
    """Four reflections on known days (09:00 +02:00), as the app would have saved them."""

    def made(
        day: str, lesson: str, prompt: str, text: str, tags: tuple[str, ...] = (), star: bool = False
    ) -> Reflection:
        when = datetime.fromisoformat(f"{day}T09:00:00+02:00")
        return Reflection(
            f"{day.replace('-', '')}-090000-{lesson[:1]}{prompt[:1]}0000", lesson, prompt, text, when, when, tags, star
        )

    found = {
        "old": made("2025-03-01", "trust-culture", "trust-and-control-week", "Gammal tanke om kontroll."),
        "tagged": made(
            "2025-05-10", "trust-culture", "professional-judgement", "Återkoppling på veckomötet.", ("feedback",)
        ),
        "starred": made("2025-05-20", SECOND, "sharing-responsibility", "Öppenhet i gruppen.", star=True),
        "hostile": made("2025-05-21", SECOND, "sharing-responsibility", "[bold]x[/] <script> & \x1b[31mred\x1b[0m"),
    }
    store = JournalStore(data_dir, [])
    for r in found.values():
        store.save(r)
    return found


# --- add ---------------------------------------------------------------------------------------------


def test_add_from_arguments(
    course: Course, data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journal", "add", *where, "--tag", "Feedback", "--tag", "team", "Lät", "teamet", "planera."]) == 0
    out = capsys.readouterr()
    [r] = saved(data_dir)
    assert out.out == f"{r.id}\n" and out.err == ""
    assert r.text == "Lät teamet planera."
    first = course.lesson_ids[0]
    assert (r.lesson, r.prompt) == (first, course.lesson(first, "en").prompts[0].id)
    assert r.tags == ("feedback", "team")
    path = data_dir / "journal" / r.lesson / f"{r.id}.toml"
    assert read(path)["tags"] == ["feedback", "team"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_add_from_stdin_to_a_chosen_lesson_and_prompt(
    data_dir: Path, where: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", piped("Första raden\nandra raden [/]\n\n".encode()))
    assert main(["journal", "add", *where, "--lesson", SECOND, "--prompt", "sharing-responsibility"]) == 0
    [r] = saved(data_dir)
    assert capsys.readouterr().out == f"{r.id}\n"
    assert (r.lesson, r.prompt, r.text) == (SECOND, "sharing-responsibility", "Första raden\nandra raden [/]")


def test_text_on_stdin_that_is_not_utf8_saves_nothing(
    data_dir: Path, where: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", piped(b"\xff\xfe broken"))
    assert main(["journal", "add", *where]) == 2
    assert "not UTF-8" in one_sentence(capsys.readouterr().err)
    assert saved(data_dir) == []


EDITOR_SCRIPT = """
import os, sys
from pathlib import Path
draft = Path(sys.argv[-1])
report = Path(os.environ["EDITOR_REPORT"])
mode = oct(draft.stat().st_mode & 0o777)
report.write_text(f"{draft}\\n{mode}\\n{draft.read_text(encoding='utf-8')!r}", encoding="utf-8")
draft.write_text(os.environ["EDITOR_TEXT"], encoding="utf-8")
sys.exit(int(os.environ.get("EDITOR_EXIT", "0")))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR set to a small script that writes EDITOR_TEXT; returns where it reports what it saw."""
    script = tmp_path / "fake editor.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    report = tmp_path / "editor-report.txt"
    monkeypatch.setenv("EDITOR", f"{sys.executable} '{script}'")
    monkeypatch.setenv("EDITOR_REPORT", str(report))
    monkeypatch.setattr(sys, "stdin", Tty())
    return report


def test_add_in_the_editor(
    data_dir: Path, where: list[str], editor: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EDITOR_TEXT", "Skrivet i editorn.\n# inte en rubrik\n")
    assert main(["journal", "add", *where, "--tag", "editor"]) == 0
    [r] = saved(data_dir)
    assert capsys.readouterr().out == f"{r.id}\n"
    assert r.text == "Skrivet i editorn.\n# inte en rubrik"
    assert r.tags == ("editor",)
    draft, mode, before = editor.read_text(encoding="utf-8").splitlines()
    assert Path(draft).parent == data_dir.resolve()
    assert mode == "0o600" and before[1:].startswith("\\n# "), "an empty line to write on, then the # comment block"
    assert not Path(draft).exists(), "the draft is removed afterwards"


@pytest.mark.parametrize(("text", "status", "words"), [("   \n\n", "0", "empty"), ("Half written", "1", "status 1")])
def test_an_empty_or_abandoned_edit_saves_nothing(
    data_dir: Path,
    where: list[str],
    editor: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    status: str,
    words: str,
) -> None:
    monkeypatch.setenv("EDITOR_TEXT", text)
    monkeypatch.setenv("EDITOR_EXIT", status)
    assert main(["journal", "add", *where]) == 2
    assert words in one_sentence(capsys.readouterr().err)
    assert saved(data_dir) == []
    draft = editor.read_text(encoding="utf-8").splitlines()[0]
    assert not Path(draft).exists()


def test_an_editor_that_cannot_start_is_one_sentence(
    data_dir: Path, where: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setenv("EDITOR", str(data_dir.parent / "no-such-editor"))
    assert main(["journal", "add", *where]) == 2
    assert "Could not start the editor" in one_sentence(capsys.readouterr().err)
    assert saved(data_dir) == []
    assert [p.name for p in data_dir.iterdir() if p.name.startswith("journal-draft")] == []


def test_when_saving_fails_the_edited_text_is_kept_and_named(
    data_dir: Path, where: list[str], editor: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EDITOR_TEXT", "Ord som inte får försvinna.")
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        if b"Ord som" in bytes(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    assert main(["journal", "add", *where]) == 2
    line = one_sentence(capsys.readouterr().err)
    draft = Path(editor.read_text(encoding="utf-8").splitlines()[0])
    assert "free some disk space" in line and f"your text is kept in {draft}." in line
    assert draft.read_text(encoding="utf-8") == "Ord som inte får försvinna."
    assert saved(data_dir) == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--lesson", "no-such-lesson", "x"], "There is no lesson 'no-such-lesson'"),
        (["--lesson", "../etc", "x"], "There is no lesson '../etc'"),
        (["--prompt", "no-such-prompt", "x"], "has no prompt 'no-such-prompt'"),
        (["--lesson", SECOND, "--prompt", "trust-and-control-week", "x"], "has no prompt"),
        (["--prompt", "follow-up", "x"], "has no prompt 'follow-up'"),
        (["--lesson", "\x1b[31m", "x"], "'\\x1b[31m'"),
        (["   "], "empty"),
    ],
)
def test_bad_ids_and_empty_text_exit_2_with_one_sentence(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert main(["journal", "add", *where, *args]) == 2
    captured = capsys.readouterr()
    assert words in one_sentence(captured.err)
    assert "\x1b" not in captured.err
    assert captured.out == ""
    assert not (data_dir / "journal").exists() or saved(data_dir) == []


# --- list and search -----------------------------------------------------------------------------------


def listed_ids(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.startswith("  2025")]


def test_list_shows_every_reflection_by_day_newest_first(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    made = seed(data_dir)
    assert main(["journal", "list", *where]) == 0
    out = capsys.readouterr().out
    assert listed_ids(out) == [made[k].id for k in ("hostile", "starred", "tagged", "old")]
    days = [line for line in out.splitlines() if line[:1].isdigit()]
    assert days == ["2025-05-21", "2025-05-20", "2025-05-10", "2025-03-01"]
    assert "    Återkoppling på veckomötet." in out
    assert "#feedback" in out and "★" in out


def test_list_shows_escape_sequences_instead_of_running_them(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    seed(data_dir)
    assert main(["journal", "list", *where, "--lesson", SECOND]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "[bold]x[/] <script> & ␛[31mred␛[0m" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--lesson", "trust-culture"], ["tagged", "old"]),
        (["--tag", "Feedback"], ["tagged"]),
        (["--starred"], ["starred"]),
        (["--since", "2025-05-10"], ["hostile", "starred", "tagged"]),
        (["--until", "2025-05-10"], ["tagged", "old"]),
        (["--since", "2025-05-10", "--until", "2025-05-20"], ["starred", "tagged"]),
        (["--since", "2025-06-01"], []),
    ],
)
def test_list_filters(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str], args: list[str], expected: list[str]
) -> None:
    made = seed(data_dir)
    assert main(["journal", "list", *where, *args]) == 0
    captured = capsys.readouterr()
    assert listed_ids(captured.out) == [made[k].id for k in expected]
    if not expected:
        assert captured.err == "tillit: no reflections match.\n"


def test_search_forgives_swedish_letters_and_takes_filters(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    made = seed(data_dir)
    assert main(["journal", "search", *where, "aterkoppling"]) == 0
    assert listed_ids(capsys.readouterr().out) == [made["tagged"].id]
    assert main(["journal", "search", *where, "OPPENHET", "gruppen"]) == 0
    assert listed_ids(capsys.readouterr().out) == [made["starred"].id]
    assert main(["journal", "search", *where, "kontroll", "--since", "2025-04-01"]) == 0
    assert listed_ids(capsys.readouterr().out) == []
    assert main(["journal", "search", *where, "veckomötet", "--lesson", SECOND]) == 0
    assert listed_ids(capsys.readouterr().out) == []


def test_list_as_toml(data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    made = seed(data_dir)
    assert main(["journal", "list", *where, "--format", "toml", "--starred"]) == 0
    data = tomllib.loads(capsys.readouterr().out)
    assert [r["id"] for r in data["reflection"]] == [made["starred"].id]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--since", "yesterday"], "--since should be a date like 2025-05-21, not 'yesterday'."),
        (["--until", "2025-02-30"], "--until should be a date"),
        (["--since", "2025-05-02", "--until", "2025-05-01"], "is after --until"),
        (["--lesson", "no-such-lesson"], "There is no lesson 'no-such-lesson'"),
        (["--tag", "  "], "--tag needs a tag"),
    ],
)
def test_bad_filters_exit_2_with_one_sentence(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    seed(data_dir)
    for command in (["list"], ["search", "x"], ["export", "--format", "md"]):
        assert main(["journal", *command, *where, *args]) == 2
        captured = capsys.readouterr()
        assert words in one_sentence(captured.err)
        assert captured.out == ""


def test_a_lesson_only_in_the_journal_can_still_be_listed(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    retired = Reflection("20250521-090000-eeeeee", "retired-lesson", "a-prompt", "Still mine.", clock(), clock())
    JournalStore(data_dir, []).save(retired)
    assert main(["journal", "list", *where, "--lesson", "retired-lesson"]) == 0
    assert listed_ids(capsys.readouterr().out) == [retired.id]


def test_an_unreadable_reflection_is_reported_and_the_rest_listed(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    made = seed(data_dir)
    bad = data_dir / "journal" / "trust-culture" / f"{made['old'].id}.toml"
    bad.write_bytes(b"not = [toml")
    assert main(["journal", "list", *where]) == 0
    captured = capsys.readouterr()
    assert listed_ids(captured.out) == [made[k].id for k in ("hostile", "starred", "tagged")]
    assert captured.err.startswith(f"tillit: {bad} could not be read")
    assert "moved to" in captured.err


def test_journal_without_an_action_is_a_usage_error(where: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["journal", *where])
    assert caught.value.code == 2
    assert "required" in capsys.readouterr().err


# --- export --------------------------------------------------------------------------------------------


def test_export_html_to_a_file(
    data_dir: Path, where: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = seed(data_dir)
    target = tmp_path / "out" / "journal.html"
    target.parent.mkdir()
    assert main(["journal", "export", *where, "--format", "html", "--tag", "feedback", "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"Exported 1 reflection to {target}.\n"
    html = target.read_text(encoding="utf-8")
    assert f'id="r-{made["tagged"].id}"' in html
    assert all(f'id="r-{made[k].id}"' not in html for k in ("old", "starred", "hostile"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["journal.html"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_everything_to_stdout(
    data_dir: Path, where: list[str], capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    made = seed(data_dir)
    assert main(["journal", "export", *where, "--format", fmt]) == 0
    out = capsys.readouterr().out
    for r in made.values():
        assert r.id in out or (fmt == "md" and inline(r.text.split()[0]) in out)  # Markdown prose, escaped
    assert "\x1b" not in out or fmt == "toml"
    if fmt == "toml":
        assert len(tomllib.loads(out)["reflection"]) == 4


ASSESSMENT = """schema = 1
[intro]
sv = "Hur stämmer det?"
en = "How true is it?"
[scale]
sv = ["1", "2", "3", "4", "5"]
en = ["1", "2", "3", "4", "5"]
[[statement]]
id = "ethics-and-care"
lessons = []
[statement.behaviour]
sv = "Etik & omtanke"
en = "Ethics & care"
[statement.text]
sv = "Jag håller det jag lovar."
en = "I keep my promises."
"""


def test_export_html_includes_the_self_assessment_chart(
    course: Course, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from course.content.loader import load_course
    from course.learner.practice import Practice
    from course.learner.study import Study

    root = tmp_path / "course"
    shutil.copytree(course.root / "lessons", root / "lessons")
    shutil.copytree(course.root / "quizzes", root / "quizzes")
    (root / "lessons" / "self-assessment.toml").write_text(ASSESSMENT, encoding="utf-8")
    clock = Clock()
    clock.step = timedelta(days=30)
    monkeypatch.setattr("course.learner.practice.now", clock)
    practice = Practice(Study(load_course(root), data_dir, "en"))
    practice.add_assessment({"ethics-and-care": 2}, {})
    practice.add_assessment({"ethics-and-care": 4}, {"ethics-and-care": "Better <now>."})
    monkeypatch.undo()
    seed(data_dir)
    where = ["--course", str(root), "--data", str(data_dir)]
    assert main(["journal", "export", *where, "--format", "html", "--lang", "en"]) == 0
    html = capsys.readouterr().out
    assert html.count("<svg") == 1 and html.count("<circle") == 2
    assert "Ethics &amp; care" in html
    assert "2 → 4" in html
    assert main(["journal", "export", *where, "--format", "toml"]) == 0
    data = tomllib.loads(capsys.readouterr().out)
    assert [a["ratings"] for a in data["assessment"]] == [{"ethics-and-care": 2}, {"ethics-and-care": 4}]
    assert data["assessment"][1]["notes"] == {"ethics-and-care": "Better <now>."}
    assert main(["journal", "export", *where, "--format", "md"]) == 0
    assert "<svg" not in capsys.readouterr().out


def test_export_into_a_missing_folder_is_one_sentence(
    data_dir: Path, where: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(data_dir)
    assert main(["journal", "export", *where, "--format", "md", "-o", str(tmp_path / "nope" / "x.md")]) == 2
    assert "does not exist, so nothing was written" in one_sentence(capsys.readouterr().err)


def test_the_cli_knows_every_export_format() -> None:
    assert cli_journal.EXPORT_FORMATS == FORMATS


def test_journal_help_is_english_and_names_every_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["journal", "--help"])
    out = capsys.readouterr().out
    for words in ("add", "list", "search", "export", "--course DIR", "--data DIR", "$EDITOR"):
        assert words in out


# --- in a real process ------------------------------------------------------------------------------


def test_add_and_search_in_a_real_process(course: Course, data_dir: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    base = [sys.executable, "-m", "course", "journal"]
    where = ["--course", str(course.root), "--data", str(data_dir)]
    added = subprocess.run(
        [*base, "add", *where, "--tag", "pipe"],
        input="Återkoppling via en pipe.\n".encode(),
        cwd=REPO,
        capture_output=True,
        timeout=60,
        env=env,
    )
    assert added.returncode == 0, added.stderr.decode()
    rid = added.stdout.decode().strip()
    found = subprocess.run(
        [*base, "search", *where, "aterkoppling", "--tag", "pipe"], cwd=REPO, capture_output=True, timeout=60, env=env
    )
    assert found.returncode == 0, found.stderr.decode()
    assert rid in found.stdout.decode()
    assert "Återkoppling via en pipe." in found.stdout.decode()
    [r] = saved(data_dir)
    assert r.created.tzinfo is not None and r.id == rid
