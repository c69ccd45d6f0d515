"""Every data file ends with a checksum line, so a cut that still parses is noticed; unreadable files go to quarantine/."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from course.content.model import Course
from course.errors import CorruptFileError, NewerFileError
from course.learner.journal import JournalStore, Reflection
from course.learner.study import Study
from course.store import reading, storage

LESSON = "trust-culture"
PROMPT = "reflect-1"
WHEN = datetime(2025, 5, 21, 9, 30, tzinfo=UTC)


def realistic(folder: Path) -> Path:
    """A journal file like a learner's, with tags, a star and an earlier version."""
    store = JournalStore(folder, [])
    text = "Idag lät jag teamet planera veckan själva.\nDet gick bättre än väntat — åäö 🙂\n" * 4
    store.save(Reflection("20250521-093000-abcdef", LESSON, PROMPT, text, WHEN, WHEN, ("feedback", "team"), True))
    return folder / "journal" / LESSON / "20250521-093000-abcdef.toml"


def test_a_written_file_has_the_header_and_a_checksum_of_everything_before_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    storage.write_toml(path, {"name": "Åsa"})
    raw = path.read_bytes()
    assert raw.startswith(storage.HEADER)
    body, last = raw.removesuffix(b"\n").rsplit(b"\n", 1)
    assert last == storage.TRAILER + hashlib.sha256(body + b"\n").hexdigest().encode()
    assert storage.checksum_ok(raw) is True
    assert reading.read_toml(path) == {"schema": 1, "name": "Åsa"}


def test_every_cut_of_a_realistic_file_is_detected_or_loses_nothing(tmp_path: Path) -> None:
    path = realistic(tmp_path)
    whole = path.read_bytes()
    expected = reading.read_toml(path)
    detected = 0
    for offset in range(len(whole)):
        path.write_bytes(whole[:offset])
        try:
            data = reading.read_toml(path)
        except CorruptFileError:
            detected += 1
            continue
        assert data == expected, f"a cut at byte {offset} of {len(whole)} was read as different data"
    # only the cut of the final newline itself reads back (and loses nothing)
    assert detected == len(whole) - 1


@pytest.mark.parametrize("where", ["middle", "last-hex"])
def test_a_changed_byte_is_a_checksum_mismatch(tmp_path: Path, where: str) -> None:
    path = realistic(tmp_path)
    raw = bytearray(path.read_bytes())
    index = {
        "middle": raw.index(b"teamet"),
        "last-hex": len(raw) - 3,
    }[where]
    raw[index] = ord("2") if raw[index] != ord("2") else ord("3")
    path.write_bytes(bytes(raw))
    assert storage.checksum_ok(bytes(raw)) is False
    # a whole checksum line that does not match: changed inside, not cut off, so read as a hand edit
    found = reading.read_data(path)
    assert found is not None and found.edited
    assert path.read_bytes() == bytes(raw), "reading never changes the file"


def test_every_single_byte_change_is_detected_or_changes_nothing(tmp_path: Path) -> None:
    """A change in the header comment only makes the file look hand-written: its data is still whole."""
    path = realistic(tmp_path)
    whole = path.read_bytes()
    expected = reading.read_toml(path)
    for offset in range(len(whole)):
        changed = bytearray(whole)
        changed[offset] ^= 0x01
        path.write_bytes(bytes(changed))
        try:
            data = reading.read_toml(path)
        except (CorruptFileError, NewerFileError):
            continue
        edited = storage.seal(bytes(changed)) == "edited"  # read as a hand edit: accepted, with a notice
        assert data == expected or edited, f"a changed byte at {offset} was read as different data"


def test_an_edit_that_still_parses_is_reported_as_changed_outside_tillit(tmp_path: Path) -> None:
    path = realistic(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"starred = true", b"starred = false"))
    found = reading.read_data(path)
    assert found is not None and found.edited and found.data["starred"] is False


def test_a_file_without_the_header_is_still_read(tmp_path: Path) -> None:
    """Files from before the checksum, and hand-written ones, load as before."""
    path = tmp_path / "progress.toml"
    path.write_bytes(b'schema = 1\nname = "old"\n')
    assert storage.checksum_ok(path.read_bytes()) is None
    assert reading.read_toml(path) == {"schema": 1, "name": "old"}


def test_a_header_without_its_checksum_line_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(storage.HEADER + b'schema = 1\nname = "x"\n')
    with pytest.raises(CorruptFileError, match="checksum mismatch"):
        reading.read_toml(path)


def test_a_newer_file_is_left_alone_even_when_its_checksum_does_not_match(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    storage.write_toml(path, {"name": "x"})
    changed = path.read_bytes().replace(b"schema = 1", b"schema = 9")
    path.write_bytes(changed)
    with pytest.raises(NewerFileError):
        reading.read_toml(path)
    assert path.read_bytes() == changed


# --- quarantine ---------------------------------------------------------------------------------


def test_an_unreadable_reflection_goes_to_quarantine_with_its_path_in_the_name_and_a_note(
    course: Course, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    path = realistic(data)
    broken = path.read_bytes()[:200]
    path.write_bytes(broken)
    study = Study(course, data)
    assert study.all_reflections() == []
    [notice] = study.notices
    assert notice.kind == "moved" and notice.path == path and notice.detail == storage.TRUNCATED
    moved = notice.moved_to
    assert moved is not None and moved.parent == data / "quarantine"
    assert moved.name.startswith(f"journal__{LESSON}__20250521-093000-abcdef.toml.unreadable-")
    assert moved.read_bytes() == broken
    assert not path.exists()
    note = moved.with_name(moved.name + ".note.txt")
    text = note.read_text(encoding="utf-8")
    assert str(path) in text and storage.TRUNCATED in text and time.strftime("%Y-%m-%d") in text
    assert stat.S_IMODE((data / "quarantine").stat().st_mode) == 0o700
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    assert "Idag" not in text, "the note never repeats what the learner wrote"


def test_quarantine_never_overwrites_in_the_same_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "strftime", lambda fmt: "20250521-093000")
    data = tmp_path / "data"
    storage.ensure_dir(data / "attempts")
    path = data / "attempts" / "x.toml"
    moved = []
    for n in range(3):
        path.write_bytes(f"broken {n}".encode())
        moved.append(storage.move_aside(path, data, "test"))
    assert [m.name for m in moved] == [
        "attempts__x.toml.unreadable-20250521-093000",
        "attempts__x.toml.unreadable-20250521-093000-2",
        "attempts__x.toml.unreadable-20250521-093000-3",
    ]
    assert [m.read_bytes() for m in moved] == [f"broken {n}".encode() for n in range(3)]
    assert all(m.with_name(m.name + ".note.txt").is_file() for m in moved)


def test_a_quarantined_file_is_not_read_again(course: Course, tmp_path: Path) -> None:
    data = tmp_path / "data"
    storage.ensure_dir(data)
    (data / "progress.toml").write_bytes(b"\xff garbage")
    first = Study(course, data)
    assert [n.kind for n in first.notices] == ["moved"]
    again = Study(course, data)
    assert again.notices == []
    assert len(list((data / "quarantine").glob("progress.toml.unreadable-*[0-9]"))) == 1


# --- sweeping temp files -------------------------------------------------------------------------


def test_sweep_keeps_a_fresh_temp_file_and_removes_an_old_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    storage.ensure_dir(data / "journal")
    fresh = data / ".progress.toml.abc123.tmp"
    old = data / "journal" / ".x.toml.def456.tmp"
    fresh.write_bytes(b"being written by a live process")
    old.write_bytes(b"left by a crash")
    past = time.time() - storage.STALE_TEMP_SECONDS - 5
    os.utime(old, (past, past))
    assert storage.sweep_temp_files(data) == 1
    assert fresh.exists() and not old.exists()
