"""Course folders from other people: TOML parsed in a limited child process, links out of the folder refused.

The bombs are only ever parsed by child processes: `tillit check` runs in its own process (with a
1 GiB memory cap of its own, in case the sandbox ever failed), and that parses in the sandbox.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course.content.loader import check_course, load_course
from course.content.sourcefile import OUTSIDE, UNSAFE
from course.store import sandbox

LESSON = "trust-culture"
DOTTED_BOMB = ("a." * 19_999 + "a = 1\n").encode()  # a 20,000-part dotted key: 39 KiB, 1.5 GiB for tomllib
DEEP_NESTING = b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"
DEEP_TABLES = b"x = " + b"{a = " * 5000 + b"1" + b"}" * 5000 + b"\n"


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def tillit_check(course: Path) -> tuple[int, str, float]:
    """`tillit check --course DIR` in its own process: exit code, everything it printed, seconds taken."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "course", "check", "--course", str(course)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory,
        cwd=course,
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - start


@pytest.mark.parametrize(
    "content", [DOTTED_BOMB, DEEP_NESTING, DEEP_TABLES], ids=["dotted-key-bomb", "deep-arrays", "deep-tables"]
)
def test_a_toml_bomb_in_a_quiz_is_one_clear_problem(course_copy: Path, content: bytes) -> None:
    quiz = course_copy / "quizzes" / "en" / f"{LESSON}.toml"
    quiz.write_bytes(content)
    code, out, seconds = tillit_check(course_copy)
    assert code == 1, out
    assert f"quizzes/en/{LESSON}.toml:1: {UNSAFE} — simplify it" in out
    assert "Traceback" not in out
    assert seconds < 20


def test_a_bomb_in_the_manifest_is_one_clear_problem(course_copy: Path) -> None:
    (course_copy / "lessons" / "course.toml").write_bytes(DOTTED_BOMB)
    code, out, _ = tillit_check(course_copy)
    assert code == 1 and f"lessons/course.toml:1: {UNSAFE}" in out and "Traceback" not in out


def test_the_sandbox_stops_a_dotted_key_bomb_within_its_limits() -> None:
    box = sandbox.TomlSandbox()
    try:
        start = time.monotonic()
        kind, _ = box.parse(DOTTED_BOMB.decode())
        assert kind == "limit"
        assert time.monotonic() - start < sandbox.WALL_SECONDS + 2
        assert box.proc is None, "the process that hit the limit is gone"
        assert box.parse('ok = "yes"\n') == ("ok", {"ok": "yes"}), "the next file gets a fresh process"
    finally:
        box.close()


def test_the_wall_clock_limit_ends_a_slow_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.0)
    box = sandbox.TomlSandbox()
    try:
        assert box.parse("a = 1\n")[0] == "limit"
        assert box.proc is None
    finally:
        box.close()


def test_the_sandbox_gives_the_same_values_and_errors_as_tomllib() -> None:
    import tomllib

    text = 'a = 1\nb = 2025-05-21T09:30:00+02:00\nc = [1.5, "x", true]\n[t]\nd = 2025-05-21\ne = 09:30:00\n'
    box = sandbox.TomlSandbox()
    try:
        assert box.parse(text) == ("ok", tomllib.loads(text))
        kind, message = box.parse("a = = 1\n")
        assert kind == "error" and "at line 1" in message
    finally:
        box.close()


def test_invalid_utf8_is_a_problem_at_its_line(course_copy: Path) -> None:
    quiz = course_copy / "quizzes" / "en" / f"{LESSON}.toml"
    quiz.write_bytes(b'schema = 1\n# fine\ntitle = "\xff\xfe"\n')
    problems = check_course(course_copy)
    assert [(p.file, p.line, p.problem) for p in problems if p.file == quiz] == [
        (quiz, 3, "the file is not UTF-8 text")
    ]


def test_a_link_to_etc_passwd_is_refused_and_never_read(course_copy: Path) -> None:
    lesson = course_copy / "lessons" / "en" / f"{LESSON}.md"
    lesson.unlink()
    lesson.symlink_to("/etc/passwd")
    problems = check_course(course_copy)
    mine = [p for p in problems if p.file == lesson]
    assert [(p.problem, p.fix) for p in mine] == [(OUTSIDE, "replace the link with a copy of the file")]
    assert "root:" not in "\n".join(p.render() for p in problems), "nothing of the file is shown"


def test_a_linked_folder_out_of_the_course_is_refused(course_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (course_copy / "quizzes" / "sv").rename(elsewhere)
    (course_copy / "quizzes" / "sv").symlink_to(elsewhere)
    problems = check_course(course_copy)
    assert any(p.file == course_copy / "quizzes" / "sv" and p.problem == OUTSIDE for p in problems)


def test_a_link_inside_the_course_folder_is_fine(course_copy: Path) -> None:
    lesson = course_copy / "lessons" / "en" / f"{LESSON}.md"
    kept = course_copy / "lessons" / f"{LESSON}-en.md"
    lesson.rename(kept)
    lesson.symlink_to(kept)
    assert check_course(course_copy) == []


def test_an_untrusted_course_loads_the_same_as_the_built_in_one(course_copy: Path) -> None:
    from tests.conftest import REPO

    copy, builtin = load_course(course_copy), load_course(REPO)
    assert copy.lesson_ids == builtin.lesson_ids
    assert copy.quizzes == builtin.quizzes


def test_no_parser_process_is_left_running(course_copy: Path) -> None:
    import os

    before = set(os.listdir("/proc"))
    for _ in range(3):
        load_course(course_copy)
    children = []  # at once: a parser that has finished has also been waited for
    for pid in set(os.listdir("/proc")) - before:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if f"PPid:\t{os.getpid()}\n" in status:
            children.append(pid)
    assert children == []
