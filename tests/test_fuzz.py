"""Fuzzing every loader (issue 5, part 1): random bytes and mutated valid files give only the
project's own errors (TillitError) or a clean result with a notice — never another exception.

Also: truncation at every byte offset of a realistic journal entry and progress file, counting the
cuts that still load ("silently valid") — the baseline for a checksum trailer. Figures are printed
as `FIGURE name=value` lines (run with -s); each test asserts that it ran all the examples it asks for.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.content.loader import check_course
from course.content.model import Course
from course.errors import TillitError
from course.learner.journal import JournalStore, Reflection, Version, parse_reflection
from course.learner.practice import Practice
from course.learner.progress import AttemptStore, ProgressStore, _parse_progress
from course.learner.study import Study
from course.store import reading, storage

from .conftest import REPO

LESSON = "trust-culture"
TZ = timezone(timedelta(hours=2))
EXAMPLES = 40  # per loader and input kind: the whole file runs in a few seconds
COUNTS: dict[str, int] = {}


def figure(name: str, value: object) -> None:
    print(f"FIGURE {name}={value}")


# --- realistic files, written by the app itself -------------------------------------------------


def _make_files(course: Course) -> dict[str, tuple[str, bytes]]:
    """kind -> (path inside the data folder, bytes) for one file of every kind the app saves."""
    root = Path(tempfile.mkdtemp(prefix="tillit-fuzz-"))
    try:
        clock = iter(datetime(2025, 5, 21, 9, 0, tzinfo=TZ) + timedelta(minutes=11 * n) for n in range(1000))
        with (
            mock.patch("course.learner.study.now", lambda: next(clock)),
            mock.patch("course.learner.practice.now", lambda: next(clock)),
        ):
            study = Study(course, root, "en")
            r = study.save_reflection(LESSON, "trust-and-control-week", REALISTIC_TEXT, None)
            r = study.save_reflection(LESSON, "trust-and-control-week", REALISTIC_TEXT + "\nEtt tillägg.", r)
            study.set_tags(r, ["återkoppling", "team"])
            study.set_star(r, True)
            study.mark_read(LESSON)
            study.go(study.continue_place())
            study.answer(LESSON, "approval-for-every-decision", ["room-support-together"], 0)
            study.finish_quiz(LESSON)
            study.answer(LESSON, "school-team-signs", ["own-initiatives", "solve-together"], 1)
            practice = Practice(study)
            practice.add_commitment(LESSON, "Fråga teamet först.", date(2030, 1, 1))
            practice.record_answer(LESSON, "approval-for-every-decision", False, date(2025, 5, 21))
            statements = practice._statements()
            if statements:
                practice.add_assessment(
                    {s.id: 3 for s in statements[:3]}, {statements[0].id: "Bättre än förra veckan."}
                )
        files = {}
        for path in root.rglob("*.toml"):
            rel = path.relative_to(root)
            kind = rel.parts[0].removesuffix(".toml")
            files[kind] = (str(rel), path.read_bytes())
        return files
    finally:
        shutil.rmtree(root)


REALISTIC_TEXT = (
    "Idag lät jag teamet planera veckan själva. Det var svårt att hålla tyst på mötet —\n"
    "jag ville gång på gång lägga mig i. 😅 Men de landade i en plan som var bättre än min.\n\n"
    'Vad jag lärde mig:\n- fråga "vad behöver ni?" i stället för att bestämma\n'
    "- tillit är ett val, inte en känsla 👩‍👩‍👧\n\nNästa vecka: följ upp med Åsa och Örjan."
)


@pytest.fixture(scope="module")
def files(course: Course) -> dict[str, tuple[str, bytes]]:
    made = _make_files(course)
    assert {"journal", "progress", "attempts", "commitments", "review"} <= made.keys(), made.keys()
    return made


def _loaders(course: Course) -> dict[str, Callable[[Path], object]]:
    """kind -> a function that runs every loader of that kind of file on a data folder."""

    def journal(root: Path) -> object:
        store = JournalStore(root, [])
        return store.list(LESSON), store.all(), store.count()

    def progress(root: Path) -> object:
        return ProgressStore(root, []).current, Study(course, root, "en").continue_place()

    def attempts(root: Path) -> object:
        study = Study(course, root, "en")
        return AttemptStore(root, []).list(LESSON), study.best(LESSON)

    def practice(root: Path) -> object:
        p = Practice(Study(course, root, "en"))
        return (
            p.commitments(),
            p.due_commitments(date(2031, 1, 1)),
            p.review_items(),
            p.due_reviews(date(2031, 1, 1)),
            p.assessments(),
        )

    return {
        "journal": journal,
        "progress": progress,
        "attempts": attempts,
        "commitments": practice,
        "review": practice,
        "assessments": practice,
    }


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tillit-fuzz-work-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _run_loaders(course: Course, workdir: Path, kind: str, rel: str, content: bytes) -> None:
    """Put `content` where the app keeps a file of `kind` and run every loader on it."""
    root = workdir / "data"
    shutil.rmtree(root, ignore_errors=True)
    path = root / rel
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with contextlib.suppress(TillitError):
        reading.read_toml(path)
    with contextlib.suppress(TillitError):
        _loaders(course)[kind](root)
    COUNTS[kind] = COUNTS.get(kind, 0) + 1


# --- mutations of a valid file --------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """A valid file changed the way disks, editors and people change files."""
    lines = original.split(b"\n")
    how = draw(st.sampled_from(["delete line", "cut", "duplicate header", "flip bytes", "change type", "insert junk"]))
    if how == "delete line":
        del lines[draw(st.integers(0, len(lines) - 1))]
        return b"\n".join(lines)
    if how == "cut":
        return original[: draw(st.integers(0, len(original)))]
    if how == "duplicate header":
        headers = [i for i, line in enumerate(lines) if line.lstrip().startswith(b"[")] or [0]
        i = draw(st.sampled_from(headers))
        at = draw(st.integers(0, len(lines)))
        return b"\n".join([*lines[:at], lines[i], *lines[at:]])
    if how == "flip bytes":
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        return bytes(data)
    if how == "change type":
        values = [i for i, line in enumerate(lines) if b" = " in line] or [0]
        i = draw(st.sampled_from(values))
        key = lines[i].split(b" = ", 1)[0]
        new = draw(
            st.sampled_from(
                [
                    b"1",
                    b"true",
                    b'"text"',
                    b"[]",
                    b"{}",
                    b"1.5",
                    b"nan",
                    b"inf",
                    b"1979-05-27",
                    b"1979-05-27T07:32:00",
                    b"9" * 30,
                    b"-1",
                ]
            )
        )
        lines[i] = key + b" = " + new
        return b"\n".join(lines)
    at = draw(st.integers(0, len(original)))
    junk = draw(
        st.sampled_from([b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"[[x]]\n", b"a.b.c = 1\n", b"[" * 50, b"\r", b"\\"])
    )
    return original[:at] + junk + original[at:]


KINDS = ["journal", "progress", "attempts", "commitments", "review", "assessments"]


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_files_give_only_tillit_errors(
    course: Course, files: dict[str, tuple[str, bytes]], workdir: Path, kind: str
) -> None:
    if kind not in files:
        pytest.skip(f"the course has no {kind} to write a realistic file of")
    rel, original = files[kind]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(content=mutated(original))
    def run(content: bytes) -> None:
        _run_loaders(course, workdir, kind, rel, content)

    before = COUNTS.get(kind, 0)
    run()
    ran = COUNTS[kind] - before
    figure(f"fuzz_examples_mutated_{kind}", ran)
    assert ran == EXAMPLES, f"the loaders ran on {ran} mutated files, not {EXAMPLES}"


@pytest.mark.parametrize("kind", KINDS)
def test_random_bytes_give_only_tillit_errors(
    course: Course, files: dict[str, tuple[str, bytes]], workdir: Path, kind: str
) -> None:
    rel = files[kind][0] if kind in files else f"{kind}/20250521-090000-abcdef.toml"

    @settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        content=st.binary(max_size=600)
        | st.text(max_size=300).map(lambda t: ("schema = 1\n" + t).encode("utf-8", "surrogatepass"))
    )
    def run(content: bytes) -> None:
        _run_loaders(course, workdir, kind, rel, content)

    before = COUNTS.get(kind, 0)
    run()
    ran = COUNTS[kind] - before
    figure(f"fuzz_examples_random_{kind}", ran)
    assert ran == EXAMPLES // 2, f"the loaders ran on {ran} random files, not {EXAMPLES // 2}"


# --- course files ------------------------------------------------------------------------------------

COURSE_FILES = [
    "lessons/course.toml",
    "lessons/en/trust-culture.md",
    "quizzes/en/trust-culture.toml",
    "quizzes/sv/trust-culture.toml",
    "lessons/about.toml",
    "lessons/self-assessment.toml",
]


@pytest.fixture(scope="module")
def course_dir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tillit-fuzz-course-"))
    shutil.copytree(REPO / "lessons", root / "lessons")
    shutil.copytree(REPO / "quizzes", root / "quizzes")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("name", COURSE_FILES)
def test_a_mutated_course_file_gives_problems_not_tracebacks(course_dir: Path, name: str) -> None:
    path = course_dir / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this course")
    original = path.read_bytes()

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(content=mutated(original) | st.binary(max_size=300))
    def run(content: bytes) -> None:
        path.write_bytes(content)
        try:
            check_course(course_dir)  # load_course reads the same way (content._read), and raises ContentError
        except TillitError:
            pass
        finally:
            path.write_bytes(original)
        COUNTS["course"] = COUNTS.get("course", 0) + 1

    before = COUNTS.get("course", 0)
    run()
    ran = COUNTS["course"] - before
    figure(f"fuzz_examples_course_{name}", ran)
    assert ran == 10, f"check_course ran on {ran} changed copies of {name}, not 10"
    assert check_course(course_dir) == []


# --- truncation at every byte offset --------------------------------------------------------------


def _has_trailer() -> bool:
    return any(word in name.lower() for name in dir(storage) for word in ("trailer", "checksum"))


def _cuts(tmp_path: Path, original: bytes, parse: Callable[[dict[str, Any], Path], object]) -> tuple[int, int, int]:
    """Cut at every offset; (detected, identical, silently valid) counts."""
    path = tmp_path / "cut.toml"
    path.write_bytes(original)
    whole = parse(reading.read_toml(path) or {}, path)
    detected = identical = silent = 0
    for offset in range(len(original)):
        path.write_bytes(original[:offset])
        try:
            data = reading.read_toml(path)
            loaded = None if data is None else parse(data, path)
        except TillitError:
            detected += 1
            continue
        if loaded == whole:
            identical += 1  # e.g. only the final newline cut off: nothing lost
        else:
            silent += 1
    return detected, identical, silent


def _realistic_reflection() -> Reflection:
    t = datetime(2025, 5, 21, 9, 0, tzinfo=TZ)
    versions = tuple(Version(REALISTIC_TEXT[: 80 * n], t + timedelta(days=n)) for n in range(1, 4))
    return replace(
        Reflection(
            "20250521-090000-abcdef", LESSON, "trust-and-control-week", REALISTIC_TEXT * 3, t, t + timedelta(days=5)
        ),
        tags=("team", "återkoppling"),
        starred=True,
        versions=versions,
    )


@pytest.mark.parametrize("kind", ["journal entry", "progress"])
def test_truncation_at_every_offset(
    course: Course, files: dict[str, tuple[str, bytes]], tmp_path: Path, kind: str
) -> None:
    if kind == "journal entry":
        store = JournalStore(tmp_path / "data", [])
        r = _realistic_reflection()
        store.save(r)
        original = (tmp_path / "data" / "journal" / LESSON / f"{r.id}.toml").read_bytes()
        parse: Callable[[dict[str, Any], Path], object] = parse_reflection
    else:
        original = files["progress"][1]
        parse = _parse_progress
    slug = kind.replace(" ", "_")
    # The baseline: the same TOML without the header and checksum line (how files were before the trailer).
    header: bytes = getattr(storage, "HEADER", b"")
    trailer: bytes = getattr(storage, "TRAILER", b"\x00")
    bare = original.removeprefix(header) if header and original.startswith(header) else original
    lines = bare.splitlines(keepends=True)
    if lines and lines[-1].startswith(trailer):
        bare = b"".join(lines[:-1])
    for label, content in (("as_saved", original), ("without_trailer", bare)):
        detected, identical, silent = _cuts(tmp_path, content, parse)
        assert detected + identical + silent == len(content)
        figure(
            f"truncation_{slug}_{label}",
            f"{len(content)} offsets: {detected} detected, {identical} identical, {silent} silently valid ({100 * silent / len(content):.1f} %)",
        )
        if label == "as_saved" and _has_trailer():
            assert silent == 0, f"{silent} cuts of {len(content)} still load although files carry a checksum line"
        if label == "without_trailer":
            assert silent > 0  # why the trailer is needed: plain TOML has no end marker
    figure("storage_has_trailer", _has_trailer())
