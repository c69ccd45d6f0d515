"""Round trips through the app's own save path (issue 5, part 1): any reflection text and any
timestamp saved with Study.save_reflection reads back equal through JournalStore.get and list —
or normalised exactly as documented (line endings become "\\n").
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.content.model import Course
from course.errors import StorageError
from course.learner.journal import Reflection
from course.learner.study import VERSION_GAP, Study

LESSON, PROMPT = "trust-culture", "trust-and-control-week"
SPECIAL = [
    "åäö ÅÄÖ é ü ß",
    "👩‍👩‍👧 👨🏽‍💻 🇸🇪 🏳️‍🌈",  # ZWJ sequences, a flag, a skin tone
    "\x00\x01\x07\x08\x0b\x0c\x1b[31m\x7f\x85",
    "a\r\nb\r\n",
    "lone\rcarriage",
    '"""',
    "'''",
    '\\"""\\',
    "\\",
    "C:\\Users\\åsa\\n",
    "\u2028\u2029\ufeff\u200b\u202e",
    "[bold]x[/bold] [/",
    "\t",
]
TEXT = (
    st.text(max_size=200)
    | st.sampled_from(SPECIAL)
    | st.lists(st.sampled_from([*SPECIAL, "\n", " ", "x"]), max_size=12).map("".join)
)
OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
WHEN = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS).map(
    lambda d: d.replace(microsecond=0)
)
COUNTS = {"texts": 0, "times": 0}


def expected(text: str) -> str:
    """The documented normalisation: CRLF and lone CR become LF; nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture(scope="module")
def folders() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tillit-roundtrip-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def save(
    course: Course, data: Path, text: str, when: datetime, existing: Reflection | None = None
) -> tuple[Study, Reflection]:
    study = Study(course, data, "en")
    with mock.patch("course.learner.study.now", lambda: when):
        return study, study.save_reflection(LESSON, PROMPT, text, existing)


def reread(course: Course, data: Path, r: Reflection) -> Reflection:
    """The reflection as a fresh Study reads it, by id and in the lesson's list; no notice."""
    study = Study(course, data, "en")
    got = study.journal.get(LESSON, r.id)
    assert got is not None
    assert [x for x in study.reflections(LESSON) if x.id == r.id] == [got]
    assert study.notices == []
    return got


ROUND_TRIPS = 150


@settings(max_examples=ROUND_TRIPS, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=TEXT, when=WHEN)
def _round_trip(course: Course, folders: Path, text: str, when: datetime) -> None:
    data = folders / "data"
    shutil.rmtree(data, ignore_errors=True)
    _, saved = save(course, data, text, when)
    got = reread(course, data, saved)
    assert got.text == expected(text) == saved.text
    assert got.created == got.updated == when
    assert got.created.utcoffset() == when.utcoffset()  # the offset is kept, not only the instant
    COUNTS["texts"] += 1
    COUNTS["times"] += 1


def test_any_text_and_time_round_trip_through_the_study(course: Course, folders: Path) -> None:
    before = dict(COUNTS)
    _round_trip(course, folders)
    ran = {what: COUNTS[what] - before[what] for what in COUNTS}
    print(f"FIGURE roundtrip_examples={ran}")
    assert ran == {"texts": ROUND_TRIPS, "times": ROUND_TRIPS}, f"only {ran} round trips ran"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(first=TEXT, second=TEXT, when=WHEN.filter(lambda d: d.year < 9999))
def test_an_edit_keeps_the_earlier_text_as_a_version(
    course: Course, folders: Path, first: str, second: str, when: datetime
) -> None:
    data = folders / "edit"
    shutil.rmtree(data, ignore_errors=True)
    _, r = save(course, data, first, when)
    later = when + VERSION_GAP + timedelta(seconds=1)
    _, edited = save(course, data, second, later, r)
    got = reread(course, data, edited)
    assert got.text == expected(second)
    assert (got.created, got.updated) == (when, later)
    if expected(first) != expected(second):
        assert [(v.text, v.saved) for v in got.versions] == [(expected(first), when)]
    else:
        assert got.versions == ()


def test_crlf_is_normalised_and_no_cr_reaches_the_file(course: Course, data_dir: Path) -> None:
    when = datetime(2025, 5, 21, 9, 0, tzinfo=UTC)
    _, r = save(course, data_dir, "one\r\ntwo\rthree\n", when)
    assert reread(course, data_dir, r).text == "one\ntwo\nthree\n"
    assert b"\r" not in next((data_dir / "journal" / LESSON).glob("*.toml")).read_bytes()


def test_a_one_megabyte_reflection_round_trips(course: Course, data_dir: Path) -> None:
    line = 'Åsa frågade teamet 👩‍👩‍👧 vad de behöver; """ och \\ följer med.\n'
    text = line * (1_000_000 // len(line.encode("utf-8")) + 1)
    assert len(text.encode("utf-8")) > 1_000_000
    when = datetime(2025, 5, 21, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    _, r = save(course, data_dir, text, when)
    assert reread(course, data_dir, r).text == text


def test_a_lone_surrogate_is_refused_and_nothing_is_written(course: Course, data_dir: Path) -> None:
    when = datetime(2025, 5, 21, 9, 0, tzinfo=UTC)
    with pytest.raises(StorageError):
        save(course, data_dir, "half an emoji \ud83d", when)
    assert [p for p in data_dir.rglob("*") if p.is_file() and p.name not in (".lock", "tillit-data.toml")] == []


def test_an_offset_with_seconds_is_refused_with_a_storage_error(course: Course, data_dir: Path) -> None:
    when = datetime(1870, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=1, minutes=12, seconds=12)))  # Stockholm's LMT
    with pytest.raises(StorageError):
        save(course, data_dir, "text", when)
