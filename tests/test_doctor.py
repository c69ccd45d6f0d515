"""`tillit doctor`: plain findings about the data folder, `--fix` for what is safe, exit 1 while problems remain."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course.cli.main import main
from course.content.model import Course
from course.learner import doctor
from course.learner.study import Study
from course.store import backup, storage
from course.store.instance import claim_writer

LESSON = "trust-culture"


def healthy(course: Course, data: Path) -> Study:
    study = Study(course, data, "en")
    study.mark_read(LESSON)
    backup.make_backup(data, "manual")
    return study


def run(data: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    code = main(["doctor", "--data", str(data), *extra])
    return code, capsys.readouterr().out.splitlines()


def test_a_healthy_folder(course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    healthy(course, data_dir)
    code, lines = run(data_dir, capsys)
    assert code == 0, lines
    assert lines[0] == f"data folder: {data_dir}"
    assert lines[-1] == "healthy: nothing to fix."
    assert not any(line.startswith("problem:") for line in lines)
    assert any("every folder is 0700 and every file 0600" in line for line in lines)
    assert any(line.startswith("ok: 1 backup") for line in lines)


def test_a_missing_folder_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(tmp_path / "none", capsys)
    assert code == 0 and "no data folder yet" in lines[1]
    assert not (tmp_path / "none").exists(), "doctor never creates the folder"


def test_permissions_are_reported_and_fixed(course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    healthy(course, data_dir)
    (data_dir / "progress.toml").chmod(0o644)
    (data_dir / "journal").mkdir(exist_ok=True)
    (data_dir / "journal").chmod(0o755)
    code, lines = run(data_dir, capsys)
    assert code == 1
    assert "problem: progress.toml is 0644; a private file should be 0600 (only you can read it)" in "\n".join(lines)
    assert any(line.startswith("problem: journal is 0755") for line in lines)
    assert lines[-1].startswith("2 problems remain") and "--fix" in lines[-1]
    code, lines = run(data_dir, capsys, "--fix")
    assert code == 0, lines
    assert any(line.startswith("fixed: progress.toml is 0644") and "now 0600" in line for line in lines)
    assert lines[-1] == "healthy now: 2 problems fixed."
    assert stat.S_IMODE((data_dir / "progress.toml").stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "journal").stat().st_mode) == 0o700
    assert run(data_dir, capsys)[0] == 0


def test_temp_files_are_left_alone_while_a_save_holds_the_lock_and_removed_once_nobody_saves(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(course, data_dir)
    old = data_dir / ".progress.toml.abc.tmp"
    fresh = data_dir / ".progress.toml.def.tmp"
    for path in (old, fresh):
        path.write_bytes(b"x")
        path.chmod(0o600)
    past = time.time() - 3600
    os.utime(old, (past, past))
    # Another process is saving right now: it holds the save lock while its temp file exists.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir)], stdout=subprocess.PIPE, stdin=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        code, lines = run(data_dir, capsys)
    finally:
        holder.communicate(b"")
    text = "\n".join(lines)
    assert code == 1
    assert "problem: .progress.toml.abc.tmp is a temp file left by a save that did not finish (60 min old)" in text
    assert "note: .progress.toml.def.tmp is being written right now" in text
    # Nobody holds the lock any more: a temp file of any age belongs to a save that died.
    code, lines = run(data_dir, capsys)
    assert "problem: .progress.toml.def.tmp is a temp file left by a save that did not finish" in "\n".join(lines)
    code, lines = run(data_dir, capsys, "--fix")
    assert code == 0
    assert not old.exists() and not fresh.exists()
    assert any(line.startswith("fixed:") and "removed .progress.toml.abc.tmp" in line for line in lines)


HOLD_LOCK = """
import fcntl, os, sys
fd = os.open(os.path.join(sys.argv[1], ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def test_quarantined_newer_and_damaged_files_are_reported_and_never_touched(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(course, data_dir)
    storage.ensure_dir(data_dir / "attempts")
    newer = data_dir / "attempts" / "x.toml"
    newer.write_bytes(b"schema = 7\n")
    cut = data_dir / "attempts" / "y.toml"
    storage.write_toml(cut, {"a": "b" * 100})
    cut.write_bytes(cut.read_bytes()[:-30])
    (data_dir / "review.toml").write_bytes(b"\xff")
    storage.move_aside(data_dir / "review.toml", data_dir, "not UTF-8")
    for path in (newer, cut):
        path.chmod(0o600)
    before = {p: p.read_bytes() for p in (newer, cut)}
    code, lines = run(data_dir, capsys, "--fix")
    text = "\n".join(lines)
    assert code == 1
    assert "problem: attempts/x.toml: was written by a newer version of Tillit (schema 7)" in text
    assert (
        "problem: attempts/y.toml cannot be read (it was cut off (checksum mismatch: its last line, a checksum, "
        "is missing or incomplete))" in text
    )
    assert "problem: quarantine/review.toml.unreadable-" in text and "see its .note.txt" in text
    assert lines[-1].startswith("3 problems remain")
    assert {p: p.read_bytes() for p in (newer, cut)} == before


def test_locks_held_by_a_live_app_and_left_by_a_dead_one(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(course, data_dir)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from course.store.instance import claim_writer; from pathlib import Path; claim_writer(Path({str(data_dir)!r}))",
        ],
        check=True,
    )
    assert child.returncode == 0  # it held the lock and died
    code, lines = run(data_dir, capsys)
    assert code == 0
    assert any("no Tillit app is open on this folder" in line and "which has ended" in line for line in lines)
    assert any(line == "ok: the save lock (.lock) is free" for line in lines)
    claim = claim_writer(data_dir)
    assert claim is not None
    try:
        code, lines = run(data_dir, capsys)
        assert code == 0
        assert any(line.startswith("note: a Tillit app is open on this folder") for line in lines)
    finally:
        claim.release()


def test_a_stuck_save_lock_is_a_problem(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy(course, data_dir)
    monkeypatch.setattr(doctor, "LOCK_WAIT", 0.1)
    with storage.locked(data_dir):
        code, lines = run(data_dir, capsys)
    assert code == 1
    assert any(line.startswith("problem: the save lock (.lock) has been held") for line in lines)


def test_no_backups_is_a_note_not_a_problem(course: Course, data_dir: Path) -> None:
    storage.ensure_dir(data_dir)
    lines, code = doctor.run(data_dir, fix=False)
    assert code == 0
    assert any(line.startswith("note: no backups yet") for line in lines)


def test_a_link_in_the_data_folder_is_reported(course: Course, data_dir: Path) -> None:
    healthy(course, data_dir)
    (data_dir / "journal").mkdir(exist_ok=True)
    (data_dir / "journal" / "sneaky").symlink_to("/etc")
    lines, code = doctor.run(data_dir, fix=True)
    assert code == 1
    assert any("journal/sneaky is a link to /etc" in line for line in lines)
    assert (data_dir / "journal" / "sneaky").is_symlink(), "doctor never removes what it did not make"
