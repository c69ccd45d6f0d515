"""The six holes bench/adversary.py still found after the reliability review was closed, each with a
test that failed before its fix:

- `tillit share` said nothing when it moved a damaged attempts file aside;
- `tillit results` and `tillit handout` made a lock file in a folder that is not Tillit's;
- notices, `tillit doctor` and TOML on standard output handed raw control characters to the terminal
  (C1 controls such as the 8-bit CSI U+009B pass through TOML unescaped);
- a file that could not be understood was parsed twice in the sandbox (a bomb cost two parses).

(The parse cache's FIFO and its still-JSON damage are in test_parsecache.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from course.content.model import Course
from course.learner.progress import Notice, ProgressStore
from course.learner.study import Study
from course.store import reading, storage
from course.store.sandbox import TomlSandbox

from .conftest import REPO

TIMEOUT = 60
# Bytes a terminal obeys: ESC, BEL and the UTF-8 forms of the C1 controls CSI, OSC, DCS and ST.
RAW = (b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x90", b"\xc2\x9c")
HOSTILE = "before \x9b2J \x9d0;C1-TITLE\x9c \x1b]0;TITLE\x07 after"


def tillit(*args: str, data: Path, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TILLIT_DATA": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "course", *args],
        cwd=REPO,
        capture_output=True,
        input=None if stdin is None else stdin.encode(),
        timeout=TIMEOUT,
        env=env,
    )


def assert_inert(done: subprocess.CompletedProcess[bytes]) -> None:
    for stream, name in ((done.stdout, "stdout"), (done.stderr, "stderr")):
        found = [c for c in RAW if c in stream]
        assert not found, f"{name} holds raw {found}: {stream[:400]!r}"
    assert b"Traceback" not in done.stderr


def strings(value: Any) -> list[str]:
    """Every text inside TOML data."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def stranger(tmp_path: Path) -> Path:
    """A folder that is not Tillit's: someone's notes, and a progress.toml that only looks like ours."""
    folder = tmp_path / "someone-else"
    folder.mkdir()
    (folder / "notes.txt").write_text("not Tillit's\n", encoding="utf-8")
    (folder / "progress.toml").write_text('[settings]\nlanguage = "sv"\n', encoding="utf-8")
    return folder


def test_share_says_that_it_moved_a_damaged_attempts_file_aside(course: Course, data_dir: Path) -> None:
    Study(course, data_dir)  # a Tillit folder
    lid = course.lesson_ids[0]
    attempts = data_dir / "attempts" / f"{lid}.toml"
    attempts.parent.mkdir()
    attempts.write_text("this is = = not toml\n", encoding="utf-8")
    done = tillit("share", "-o", "-", data=data_dir)
    assert done.returncode == 0, done.stderr
    err = done.stderr.decode()
    assert f"{lid}.toml" in err and "quarantine" in err, err
    assert not attempts.exists() and list((data_dir / "quarantine").iterdir())


@pytest.mark.parametrize(
    "args",
    [
        ("results", "{shares}"),
        ("handout", "trust-culture", "--for", "participants", "--format", "md", "-o", "{out}"),
    ],
    ids=["results", "handout"],
)
def test_trainer_commands_leave_a_folder_that_is_not_tillits_untouched(
    stranger: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    shares = tmp_path / "shares"
    shares.mkdir()
    before = listing(stranger)
    filled = [a.format(shares=shares, out=tmp_path / "out.md") for a in args]
    done = tillit(*filled, data=stranger)
    assert b"Traceback" not in done.stderr
    assert listing(stranger) == before  # no .lock, no quarantine, no marker
    assert (stranger / "progress.toml").read_text(encoding="utf-8") == '[settings]\nlanguage = "sv"\n'


def test_the_saved_language_is_read_without_a_lock_or_a_change(course: Course, data_dir: Path) -> None:
    from course.cli.trainer import saved_language

    Study(course, data_dir).set_language("sv")
    assert saved_language(data_dir) == "sv"
    before = listing(data_dir)
    (data_dir / "progress.toml").write_text("broken = = toml", encoding="utf-8")
    assert saved_language(data_dir) is None  # a damaged file: no choice, and it stays where it is
    assert listing(data_dir) == before


def test_stdout_toml_and_notices_and_doctor_hold_no_raw_controls(course: Course, data_dir: Path) -> None:
    Study(course, data_dir)
    added = tillit("journal", "add", data=data_dir, stdin=HOSTILE)
    assert added.returncode == 0, added.stderr
    rid = added.stdout.decode().strip().split()[-1]
    for args in (
        ("journal", "list", "--format", "toml"),
        ("journal", "export", "--format", "toml"),
        ("journal", "list"),
        ("share", "--reflection", rid, "-o", "-", "--yes"),
    ):
        done = tillit(*args, data=data_dir)
        assert done.returncode == 0, (args, done.stderr)
        assert_inert(done)
        if "toml" in args or "share" in args:  # TOML that still reads back as the very text written
            text = done.stdout.decode().split("\n", 1)[1] if args[0] == "share" else done.stdout.decode()
            assert HOSTILE in strings(tomllib.loads(text))
    # A file named with escapes: the notice that moves it, and doctor naming it, show it inert.
    (data_dir / "journal" / course.lesson_ids[0]).mkdir(parents=True, exist_ok=True)
    (data_dir / "journal" / course.lesson_ids[0] / "x\x1b]0;NAME\x07\x9b2J.toml").write_bytes(b"junk")
    listed = tillit("journal", "list", data=data_dir)
    assert_inert(listed)
    assert "␛]0;NAME" in listed.stderr.decode()
    doctor = tillit("doctor", data=data_dir)
    assert doctor.returncode in (0, 1)
    assert_inert(doctor)


def test_a_saved_file_holds_no_c1_control_and_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    data: dict[str, Any] = {"schema": 1, "text": HOSTILE + "\nline two \u202e reversed", "k\x9b": "v"}
    storage.write_toml(path, data)
    raw = path.read_bytes()
    assert not any(c in raw for c in RAW) and "\u202e".encode() not in raw
    assert reading.read_toml(path) == data


def test_a_file_that_cannot_be_understood_is_parsed_once(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Study(course, data_dir)
    bomb = b"schema = 1\n" + b"a" + b".a" * 40_000 + b" = 1\n"
    (data_dir / "progress.toml").write_bytes(bomb)
    parses: list[int] = []
    real = TomlSandbox.parse

    def counted(self: TomlSandbox, text: str) -> Any:
        parses.append(len(text))
        return real(self, text)

    monkeypatch.setattr(TomlSandbox, "parse", counted)
    notices: list[Notice] = []
    store = ProgressStore(data_dir, notices)
    assert store.current.language is None
    assert [n.kind for n in notices] == ["moved"]
    assert len(parses) == 1  # before: once to read, once more under the lock before the quarantine
