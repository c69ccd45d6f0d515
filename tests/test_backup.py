"""Backups: a copy of every data file, daily and before resets, the newest 14 kept; restore backs up first."""

from __future__ import annotations

import itertools
import re
import stat
import time
from pathlib import Path

import pytest

from course.cli.main import main
from course.content.model import Course
from course.errors import StorageError
from course.learner.progress import READ
from course.learner.study import Study
from course.store import backup, datafolder, reading, storage
from course.store.instance import claim_writer

LESSON = "trust-culture"


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fill(course: Course, data: Path) -> Study:
    """A data folder with progress, a reflection, a trashed reflection, and things that are not data."""
    study = Study(course, data, "en")
    study.mark_read(LESSON)
    prompt = course.lesson(LESSON, "en").prompts[0].id
    study.save_reflection(LESSON, prompt, "Kept.", None)
    gone = study.save_reflection(LESSON, prompt, "Deleted.", None)
    study.delete_reflection(gone)
    (data / ".progress.toml.x1.tmp").write_bytes(b"half")
    storage.ensure_dir(data / "quarantine")
    (data / "quarantine" / "old.toml.unreadable-1").write_bytes(b"junk")
    return study


@pytest.fixture
def stamps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every backup gets its own second, as if made one after another over a day."""
    counter = itertools.count()
    real = time.strftime

    def fake(fmt: str, *args: object) -> str:
        if fmt == "%Y%m%d-%H%M%S":
            return f"20250521-{next(counter):06d}"
        return real(fmt)

    monkeypatch.setattr(time, "strftime", fake)


def test_a_backup_copies_every_data_file_privately_and_nothing_else(course: Course, data_dir: Path) -> None:
    fill(course, data_dir)
    made = backup.make_backup(data_dir, "Before Trying!")
    assert made.parent == data_dir / "backups"
    assert re.fullmatch(r"\d{8}-\d{6}-before-trying", made.name)
    copied = files(made)
    assert "progress.toml" in copied
    assert sum(1 for k in copied if k.startswith("journal/trust-culture/")) == 1
    assert sum(1 for k in copied if k.startswith("journal/.trash/")) == 1
    assert not any(k.endswith(".tmp") or k.startswith("quarantine") or k.endswith(".lock") for k in copied)
    for name, data in copied.items():
        assert (data_dir / name).read_bytes() == data
    for path in [made, *made.rglob("*")]:
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, path
    assert not list((data_dir / "backups").glob(".*"))


def test_the_newest_14_are_kept(course: Course, data_dir: Path, stamps: None) -> None:
    fill(course, data_dir)
    made = [backup.make_backup(data_dir, "manual") for _ in range(17)]
    names = [b.name for b in backup.list_backups(data_dir)]
    # the daily backup fill() made at its start went first, then the oldest manual ones
    assert names == [m.name for m in made[-14:]]


def test_a_failed_backup_leaves_nothing_half_made_and_removes_no_older_one(
    course: Course, data_dir: Path, stamps: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(course, data_dir)
    for _ in range(14):
        backup.make_backup(data_dir, "manual")
    before = [b.name for b in backup.list_backups(data_dir)]
    calls = itertools.count()
    real = backup._copy_into

    def fail_second(source: str, target: str) -> bool:
        if next(calls) == 1:
            raise storage.os_failure("save", Path(target), OSError(28, "No space left on device"))
        return real(source, target)

    monkeypatch.setattr(backup, "_copy_into", fail_second)
    with pytest.raises(StorageError, match="No space left"):
        backup.make_backup(data_dir, "manual")
    assert [b.name for b in backup.list_backups(data_dir)] == before
    assert sorted(p.name for p in (data_dir / "backups").iterdir()) == before, "no half-made folder left"


def test_an_empty_backup_never_pushes_a_real_one_out(tmp_path: Path, stamps: None) -> None:
    data = tmp_path / "data"
    storage.ensure_dir(data)
    storage.write_toml(data / "progress.toml", {"a": 1})
    real = [backup.make_backup(data, "manual") for _ in range(14)]
    (data / "progress.toml").unlink()
    backup.make_backup(data, "manual")
    kept = {b.name for b in backup.list_backups(data)}
    assert {r.name for r in real} <= kept


def test_study_makes_one_daily_backup_and_only_when_there_is_data(course: Course, data_dir: Path) -> None:
    Study(course, data_dir, "en")
    assert backup.list_backups(data_dir) == [], "nothing to back up yet"
    fill(course, data_dir)
    Study(course, data_dir, "en")
    Study(course, data_dir, "en")
    daily = [b for b in backup.list_backups(data_dir) if b.name.endswith("-daily")]
    assert len(daily) == 1 and daily[0].name.startswith(time.strftime("%Y%m%d"))


def test_a_read_only_study_makes_no_backup(course: Course, data_dir: Path) -> None:
    storage.ensure_dir(data_dir)
    storage.write_toml(data_dir / "progress.toml", {})
    Study(course, data_dir, "en", read_only=True)
    assert backup.list_backups(data_dir) == []


@pytest.mark.parametrize("reset", ["lesson", "all"])
def test_every_reset_is_preceded_by_a_backup_of_the_state_before(course: Course, data_dir: Path, reset: str) -> None:
    study = fill(course, data_dir)
    assert study.status(LESSON) == READ
    if reset == "lesson":
        study.reset_lesson(LESSON)
    else:
        study.reset_all()
    [made] = [b for b in backup.list_backups(data_dir) if b.name.endswith("-reset")]
    saved = reading.read_toml(made.path / "progress.toml")
    assert saved is not None and saved["lessons"][LESSON]["status"] == "read"
    restored = backup.restore_backup(data_dir, made.path)
    assert Study(course, data_dir, "en").status(LESSON) == READ
    assert restored.safety.name.endswith("-before-restore")


def test_restore_backs_up_first_then_puts_every_file_back(course: Course, data_dir: Path, stamps: None) -> None:
    study = fill(course, data_dir)
    made = backup.make_backup(data_dir, "manual")
    kept = files(made)
    prompt = course.lesson(LESSON, "en").prompts[0].id
    later = study.save_reflection(LESSON, prompt, "Written after the backup.", None)
    (data_dir / "progress.toml").write_bytes(b"damaged")
    done = backup.restore_backup(data_dir, made)
    assert {k: v for k, v in files(data_dir).items() if k in kept} == kept
    assert not (data_dir / "journal" / LESSON / f"{later.id}.toml").exists()
    assert done.removed == 1 and done.written == len(kept)
    safety = files(done.safety)
    assert safety["progress.toml"] == b"damaged"
    assert f"journal/{LESSON}/{later.id}.toml" in safety, "what the restore removed is in the safety backup"
    assert Study(course, data_dir, "en").status(LESSON) == READ


def test_restore_refuses_while_a_tillit_app_is_open(course: Course, data_dir: Path) -> None:
    fill(course, data_dir)
    made = backup.make_backup(data_dir, "manual")
    claim = claim_writer(data_dir)
    assert claim is not None
    try:
        before = files(data_dir / "journal")
        with pytest.raises(StorageError, match="Another Tillit is open"):
            backup.restore_backup(data_dir, made)
        assert files(data_dir / "journal") == before
    finally:
        claim.release()


def test_a_folder_that_is_not_a_backup_is_refused(tmp_path: Path, data_dir: Path) -> None:
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / ".lock").write_bytes(b"")
    with pytest.raises(StorageError, match="does not look like a Tillit backup"):
        backup.restore_backup(data_dir, odd)


# --- the command line ----------------------------------------------------------------------------


def test_cli_backup_list_and_restore(course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = fill(course, data_dir)
    assert main(["backup", "--data", str(data_dir)]) == 0
    made = Path(capsys.readouterr().out.strip())
    assert made.is_dir() and made.parent == data_dir / "backups" and made.name.endswith("-manual")
    assert main(["backup", "--list", "--data", str(data_dir)]) == 0
    listed = capsys.readouterr().out
    assert made.name in listed and str(made) in listed
    study.reset_all()
    assert main(["restore", made.name, "--data", str(data_dir)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Restored {made.name}:") and "before-restore" in said
    assert Study(course, data_dir, "en").status(LESSON) == READ
    assert main(["restore", str(made), "--data", str(data_dir)]) == 0, "a path works as well as a name"


def test_cli_restore_of_an_unknown_backup_says_so(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["restore", "20990101-000000-nope", "--data", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert "There is no backup '20990101-000000-nope'" in err and "tillit backup --list" in err


def test_cli_backup_list_when_there_are_none(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--list", "--data", str(data_dir)]) == 0
    assert "no backups yet" in capsys.readouterr().err


def test_the_app_that_holds_the_folder_can_restore(course: Course, data_dir: Path) -> None:
    study = fill(course, data_dir)
    made = backup.make_backup(data_dir, "manual")
    study.reset_all()
    claim = claim_writer(data_dir)
    assert claim is not None
    try:
        backup.restore_backup(data_dir, made, writer_held=True)
    finally:
        claim.release()
    assert Study(course, data_dir, "en").status(LESSON) == READ


def test_links_in_the_data_folder_are_never_copied(tmp_path: Path, data_dir: Path) -> None:
    datafolder.open_data_folder(data_dir)  # a data folder Tillit made; then someone plants a link in it
    storage.write_toml(data_dir / "progress.toml", {})
    (data_dir / "secret").symlink_to("/etc/passwd")
    made = backup.make_backup(data_dir, "manual")
    assert sorted(files(made)) == ["progress.toml", storage.MARKER]


def test_browser_sessions_and_a_presentation_state_are_not_part_of_a_backup(course: Course, data_dir: Path) -> None:
    Study(course, data_dir, "en").mark_read(course.lesson_ids[0])
    for folder in ("sessions/20261130-090000-abc", "present"):
        (data_dir / folder).mkdir(parents=True)
        (data_dir / folder / "progress.toml").write_text("schema = 1\n", encoding="utf-8")
    copied = {p.as_posix() for p in backup.data_files(data_dir)}
    assert "progress.toml" in copied
    assert not any(p.startswith(("sessions/", "present/")) for p in copied)
