"""Fault injection on the real save paths (issue 5, part 1): crashes at every I/O step, random kills,
I/O errors at write/fsync/replace, a real read-only folder, and several processes saving at once.

The invariants after every fault: every data file parses and has its schema number; every save that
had returned is there with its exact content; a new Study on the folder starts without a notice and
sweeps the temp files a crash left. Each test prints `FIGURE name=value` lines that docs/reliability.md
quotes; `python bench/figures.py` collects them (and the size of the I/O-fault matrix below).
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pytest

from course.content.model import Course
from course.errors import StorageError
from course.learner.journal import JournalStore
from course.learner.practice import Practice
from course.learner.progress import NOT_STARTED, Attempt, AttemptStore
from course.learner.study import Study
from course.store import storage

from .conftest import REPO
from .fault_child import LESSON, PROMPTS

OLD = time.time() - 3600  # a crash an hour ago: older than storage.STALE_TEMP_SECONDS


def figure(name: str, value: object) -> None:
    print(f"FIGURE {name}={value}")


# --- the fork server -------------------------------------------------------------------------------


class ForkServer:
    """tests/fault_child.py in `serve` mode: one Python start-up, one fork per crash."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fault_child", "serve"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "READY"

    def _line(self) -> str:
        out: IO[str] | None = self.proc.stdout
        assert out is not None
        return out.readline().strip()

    def ask(self, *words: object) -> int:
        """Send one command; the worker's wait status."""
        stdin: IO[str] | None = self.proc.stdin
        assert stdin is not None
        stdin.write(" ".join(map(str, words)) + "\n")
        stdin.flush()
        answer = self._line()
        assert answer.startswith("DONE "), answer
        return int(answer.split()[1])

    def close(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def server() -> Iterator[ForkServer]:
    srv = ForkServer()
    try:
        yield srv
    finally:
        srv.close()


def protocol(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None]:
    """The worker's BEGIN and SAVED lines, and its last BEGIN that has no SAVED (the save in flight)."""
    begun: list[dict[str, Any]] = []
    saved: list[dict[str, Any]] = []
    if out.exists():
        text = out.read_text("utf-8")
        for line in text.splitlines(keepends=True):
            if not line.endswith("\n"):
                continue  # a line torn by the kill was never acknowledged
            tag, _, rest = line.strip().partition(" ")
            assert tag != "EXCEPTION", line
            if tag == "BEGIN":
                begun.append(json.loads(rest))
            elif tag == "SAVED":
                saved.append(json.loads(rest))
    in_flight = begun[-1] if len(begun) > len(saved) else None
    return begun, saved, in_flight


# --- the invariants --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the faults did, summed over every run."""

    runs: int = 0
    corrupt: int = 0
    lost: int = 0
    temp_left: int = 0
    temp_swept: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def check_folder(
    course: Course, data: Path, saved: list[dict[str, Any]], in_flight: dict[str, Any] | None, tally: Tally, label: str
) -> str:
    """Check the invariants on a folder a worker was killed in; classify the save in flight (returned)."""
    tally.runs += 1
    # 1. every data file parses, with its schema number (read raw, before the app could move anything)
    for path in sorted(data.rglob("*.toml")):
        try:
            raw = path.read_bytes()
            doc = tomllib.loads(raw.decode("utf-8"))
            assert isinstance(doc.get("schema"), int)
            whole = getattr(storage, "checksum_ok", lambda raw: None)(raw)  # the checksum line, once storage has one
            assert whole is not False, "checksum mismatch"
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, AssertionError) as err:
            tally.corrupt += 1
            tally.problems.append(f"{label}: {path} corrupt: {err!r}")
    # 2. temp files a crash left are swept at the next start once they are old
    temps = list(data.rglob(".*.tmp"))
    tally.temp_left += len(temps)
    for tmp in temps:
        os.utime(tmp, (OLD, OLD))
    # 3. a new Study starts cleanly
    try:
        study = Study(course, data, "en")
    except Exception as err:
        tally.problems.append(f"{label}: Study failed to start: {err!r}")
        return "failed"
    if study.notices:
        tally.problems.append(f"{label}: notices at start: {study.notices}")
    still = list(data.rglob(".*.tmp"))
    tally.temp_swept += len(temps) - len(still)
    if still:
        tally.problems.append(f"{label}: temp files not swept: {still}")
    # 4. every save that returned is there, exactly
    texts: dict[str, str] = {}
    for s in saved:
        if s["kind"] in ("reflection", "edit"):
            texts[s["id"]] = s["text"]
    for rid, text in texts.items():
        got = study.journal.get(LESSON, rid)
        allowed = {text}
        if in_flight is not None and in_flight["kind"] == "edit" and in_flight["id"] == rid:
            allowed.add(in_flight["text"])  # the edit in flight may have been committed: old or new, both fine
        if got is None or got.text not in allowed:
            tally.lost += 1
            tally.problems.append(f"{label}: reflection {rid} lost or changed: {got!r}")
    attempts = study.attempts.list(LESSON)
    practice = Practice(study)
    commitments = {c.id: c.text for c in practice.commitments()}
    place = study.progress.current.place
    for s in saved:
        kind = s["kind"]
        ok = True
        if kind == "read":
            ok = study.status(LESSON) != NOT_STARTED
        elif kind == "answer":
            ok = study.quiz_draft(LESSON) is not None or bool(attempts)
        elif kind == "attempt":
            ok = any(a.finished.isoformat() == s["finished"] and a.points == s["points"] for a in attempts)
        elif kind == "commitment":
            ok = commitments.get(s["id"]) == s["text"]
        elif kind == "go":
            ok = place is not None and place.scroll >= s["scroll"]
        if not ok:
            tally.lost += 1
            tally.problems.append(f"{label}: saved {kind} lost: {s}")
    if study.notices:
        tally.problems.append(f"{label}: notices after reading: {study.notices}")
    outcome = classify(study, saved, in_flight, attempts, commitments)
    tally.outcomes[outcome] += 1
    return outcome


def classify(
    study: Study,
    saved: list[dict[str, Any]],
    in_flight: dict[str, Any] | None,
    attempts: Any,
    commitments: dict[str, str],
) -> str:
    """'old' when the save in flight left no trace, 'new' when it is complete, 'partial' otherwise."""
    if in_flight is None:
        return "none in flight"
    kind = in_flight["kind"]
    saved_ids = {s["id"] for s in saved if "id" in s}
    if kind == "reflection":
        new = any(r.text == in_flight["text"] and r.id not in saved_ids for r in study.journal.list(LESSON))
    elif kind == "edit":
        got = study.journal.get(LESSON, in_flight["id"])
        new = got is not None and got.text == in_flight["text"]
    elif kind == "read":
        new = study.status(LESSON) != NOT_STARTED
    elif kind == "answer":
        new = study.quiz_draft(LESSON) is not None
    elif kind == "attempt":  # two files: the attempt, then progress (the draft dropped)
        if attempts and study.quiz_draft(LESSON) is not None:
            return "partial (attempt saved, quiz draft not yet dropped)"
        new = bool(attempts)
    elif kind == "commitment":
        new = len(commitments) > sum(1 for s in saved if s["kind"] == "commitment")
    elif kind == "go":
        place = study.progress.current.place
        new = place is not None and place.scroll == in_flight["scroll"]
    else:
        raise AssertionError(kind)
    return "new committed" if new else "old kept"


# --- a. a crash at every I/O step ----------------------------------------------------------------


@pytest.mark.parametrize("phase", ["before", "after"])
def test_a_crash_at_every_io_step_loses_nothing(course: Course, tmp_path: Path, server: ForkServer, phase: str) -> None:
    dry, dry_out = tmp_path / "dry", tmp_path / "dry.out"
    assert server.ask("run", dry, dry_out, 0, phase) == 0
    lines = dry_out.read_text("utf-8").splitlines()
    calls = json.loads(lines[-1].removeprefix("CALLS "))["n"]
    assert calls > 30  # every save path was hooked
    tally = Tally()
    killed = 0
    for k in range(1, calls + 1):
        data, out = tmp_path / f"d{k}", tmp_path / f"o{k}"
        status = server.ask("run", data, out, k, phase)
        killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
        _, saved, in_flight = protocol(out)
        check_folder(course, data, saved, in_flight, tally, f"k={k} {phase}")
        shutil.rmtree(data, ignore_errors=True)
    figure(f"crash_points_{phase}", calls)
    figure(f"crash_killed_{phase}", killed)
    figure(f"crash_outcomes_{phase}", dict(tally.outcomes))
    figure(f"crash_temp_left_{phase}", tally.temp_left)
    figure(f"crash_temp_swept_{phase}", tally.temp_swept)
    figure(f"crash_corrupt_{phase}", tally.corrupt)
    figure(f"crash_lost_{phase}", tally.lost)
    assert killed == calls
    assert tally.problems == []
    assert (tally.corrupt, tally.lost) == (0, 0)
    assert tally.temp_swept == tally.temp_left


# --- b. kills at random times ----------------------------------------------------------------------

RANDOM_KILLS = 100


def test_random_kills_in_a_save_loop_lose_nothing(course: Course, tmp_path: Path, server: ForkServer) -> None:
    rng = random.Random(20250521)
    tally = Tally()
    saved: list[dict[str, Any]] = []
    acknowledged = 0
    for i in range(RANDOM_KILLS):
        if i % 10 == 0:  # ten kills on one folder, then a fresh one: bounded checking time
            data = tmp_path / f"data{i}"
            acknowledged += len(saved)
            saved = []
        out = tmp_path / f"o{i}"
        status = server.ask("loop", data, out, f"{rng.uniform(0, 50):.3f}")
        assert os.WIFSIGNALED(status), f"iteration {i}: the worker ended by itself ({status})"
        _, more, in_flight = protocol(out)
        saved += more
        outcome = check_folder(course, data, saved, in_flight, tally, f"kill {i}")
        if in_flight is not None and in_flight["kind"] == "edit" and outcome == "new committed":
            saved.append(in_flight)  # committed before the kill: from now on it must stay
    figure("random_kills", RANDOM_KILLS)
    acknowledged += len(saved)
    figure("random_kills_saves_acknowledged", acknowledged)
    figure("random_kills_outcomes", dict(tally.outcomes))
    figure("random_kills_corrupt", tally.corrupt)
    figure("random_kills_lost", tally.lost)
    assert tally.problems == []
    assert (tally.corrupt, tally.lost) == (0, 0)
    assert acknowledged > RANDOM_KILLS  # the kills did land in the middle of saving


# --- c. I/O errors ---------------------------------------------------------------------------------

ERRORS = {
    errno.ENOSPC: "free some disk space",
    errno.EIO: "check the disk",
    errno.EROFS: "read-only",
    errno.EACCES: "permissions",
}


def snapshot(data: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def filled(course: Course, data_dir: Path) -> Study:
    """A study with one reflection, progress, an attempt and a commitment saved."""
    study = Study(course, data_dir, "en")
    study.save_reflection(LESSON, PROMPTS[0], "Den första reflektionen. 🙂", None)
    study.mark_read(LESSON)
    study.answer(LESSON, "approval-for-every-decision", ["room-support-together"], 0)
    study.finish_quiz(LESSON)
    Practice(study).add_commitment(LESSON, "Fråga först.", datetime(2030, 1, 1).date())
    return study


def _attempt() -> Attempt:
    t = datetime(2025, 5, 21, 9, 0, tzinfo=UTC)
    return Attempt(t, t, 1, 5, False, {"q": ("a",)})


SAVES: dict[str, tuple[Callable[[Study], object], str]] = {
    "new reflection": (lambda s: s.save_reflection(LESSON, PROMPTS[1], "Ny text", None), f"journal/{LESSON}"),
    "edited reflection": (
        lambda s: s.save_reflection(LESSON, PROMPTS[0], "Ändrad text", s.reflections(LESSON)[0]),
        f"journal/{LESSON}/",
    ),
    "quiz attempt": (lambda s: s.attempts.add(LESSON, _attempt()), f"attempts/{LESSON}.toml"),
    "commitment": (
        lambda s: Practice(s).add_commitment(LESSON, "Något nytt.", datetime(2030, 2, 1).date()),
        "commitments",
    ),
}
CALLS: dict[str, tuple[Any, str]] = {
    "write": (os, "write"),
    "fsync": (os, "fsync"),
    "replace": (os, "replace"),
    "mkstemp": (tempfile, "mkstemp"),
}


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("code", list(ERRORS))
@pytest.mark.parametrize("what", list(SAVES))
def test_an_io_error_keeps_every_file_and_says_what_to_do(
    filled: Study, data_dir: Path, monkeypatch: pytest.MonkeyPatch, what: str, code: int, call: str
) -> None:
    save, where = SAVES[what]
    before = snapshot(data_dir)

    def fail(*args: object, **kwargs: object) -> Any:
        raise OSError(code, os.strerror(code))

    with monkeypatch.context() as patch:
        patch.setattr(*CALLS[call], fail)
        with pytest.raises(StorageError) as caught:
            save(filled)
    message = str(caught.value)
    assert str(data_dir / where) in message
    assert os.strerror(code) in message and ERRORS[code] in message
    assert message.count(". ") <= 1  # one clear sentence (two at most: what happened; what to do)
    assert snapshot(data_dir) == before
    assert list(data_dir.rglob("*.tmp")) == []


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("code", list(ERRORS))
def test_an_io_error_saving_progress_keeps_the_file_and_gives_a_notice(
    filled: Study, data_dir: Path, monkeypatch: pytest.MonkeyPatch, code: int, call: str
) -> None:
    before = snapshot(data_dir)

    def fail(*args: object, **kwargs: object) -> Any:
        raise OSError(code, os.strerror(code))

    with monkeypatch.context() as patch:
        patch.setattr(*CALLS[call], fail)
        filled.set_theme("dark")  # progress never stops the learner: kept for the session, with a notice
    assert filled.progress.current.theme == "dark"
    (notice,) = filled.notices
    assert notice.kind == "error" and notice.path == data_dir / "progress.toml"
    assert ERRORS[code] in notice.detail and str(data_dir / "progress.toml") in notice.detail
    assert snapshot(data_dir) == before
    assert list(data_dir.rglob("*.tmp")) == []


def test_an_immutable_journal_folder_refuses_saves_and_keeps_the_files(filled: Study, data_dir: Path) -> None:
    folder = data_dir / "journal" / LESSON
    before = snapshot(data_dir)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported on this file system (tmpfs, overlayfs) or not permitted")
    try:
        for save in (SAVES["new reflection"][0], SAVES["edited reflection"][0]):
            with pytest.raises(StorageError) as caught:
                save(filled)
            assert str(folder) in str(caught.value)
            assert "permissions" in str(caught.value)
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert snapshot(data_dir) == before
    assert list(data_dir.rglob("*.tmp")) == []


def test_a_read_only_bind_mount_refuses_saves_and_keeps_the_files(filled: Study, data_dir: Path) -> None:
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        pytest.skip("unshare -m is not permitted here (no CAP_SYS_ADMIN)")
    before = snapshot(data_dir)
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99; exec "$2" -m tests.fault_child rosave --data "$1"'
    run = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(data_dir), sys.executable],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if run.returncode == 99:
        pytest.skip(f"a read-only bind mount is not permitted here: {run.stderr.strip()}")
    assert run.returncode == 3, run.stdout + run.stderr
    assert run.stdout.startswith("ERROR ")
    assert str(data_dir) in run.stdout and "read-only" in run.stdout  # the folder is known read-only before the save
    assert snapshot(data_dir) == before
    assert list(data_dir.rglob("*.tmp")) == []


# --- d. several processes at once ------------------------------------------------------------------


def _workers(mode: str, data: Path, workers: int, each: int) -> float:
    start = time.monotonic()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fault_child",
                mode,
                "--data",
                str(data),
                "--worker",
                str(w),
                "--count",
                str(each),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    return time.monotonic() - start


def test_three_processes_each_adding_a_hundred_journal_entries_lose_none(course: Course, data_dir: Path) -> None:
    workers, each = 3, 100
    took = _workers("journal-add", data_dir, workers, each)
    notices: list[Any] = []
    entries = JournalStore(data_dir, notices).all()
    assert notices == []
    texts = sorted(r.text for r in entries)
    assert texts == sorted(f"w{w}-{n}" for w in range(workers) for n in range(each))
    assert len({r.id for r in entries}) == workers * each
    assert all(r.tags == (r.text.split("-")[0],) for r in entries)
    figure(
        "concurrent_journal_add",
        f"{workers}x{each} -> {len(entries)} entries, {len(set(texts))} distinct, {took:.1f} s",
    )


def test_three_processes_each_adding_fifty_attempts_lose_none(data_dir: Path) -> None:
    workers, each = 3, 50
    took = _workers("attempts", data_dir, workers, each)
    notices: list[Any] = []
    saved = AttemptStore(data_dir, notices).list(LESSON)
    assert notices == []
    who = sorted(a.answers["who"][0] for a in saved)
    assert who == sorted(f"w{w}-{n}" for w in range(workers) for n in range(each))
    figure("concurrent_attempts", f"{workers}x{each} -> {len(saved)} attempts, {took:.1f} s")
