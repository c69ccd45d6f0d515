"""The parsed-TOML cache of the built-in course: never a different answer from parsing, never a failure."""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import tomllib
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from course.content import parsecache
from course.content.loader import _read_safely, load_course
from course.content.parsecache import ParseCache, decode, encode

from .conftest import REPO


def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "parsed-course.json"


def read_cache(path: Path) -> Any:
    """The JSON of a cache file, after checking its first line is the SHA-256 of the rest."""
    digest, _, body = path.read_bytes().partition(b"\n")
    assert digest.decode() == hashlib.sha256(body).hexdigest()
    return json.loads(body)


def write_cache(path: Path, body: bytes) -> None:
    """A cache file as Tillit writes it: the checksum line, then `body`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def test_tricky_values_come_back_as_themselves() -> None:
    text = """
a = 2025-05-21
b = 2025-05-21T09:30:00+02:00
c = 1979-05-27T07:32:00
d = 07:32:00.5
e = [1, 2.5, "x", true, [2025-01-01]]
f = inf
"$type" = "not a tag"
[g]
"$type" = "date"
v = "2025-05-21"
"""
    parsed = tomllib.loads(text)
    back = decode(json.loads(json.dumps(encode(parsed))))
    assert back == parsed
    assert isinstance(back["a"], date) and not isinstance(back["a"], datetime)
    assert back["b"].tzinfo == timezone(timedelta(hours=2))
    assert isinstance(back["d"], time) and math.isinf(back["f"])
    assert back["g"] == {"$type": "date", "v": "2025-05-21"}  # a table, not a date


def test_the_second_reading_comes_from_the_cache_and_equals_the_first(tmp_path: Path) -> None:
    first = load_course(REPO)
    stored = read_cache(cache_path(tmp_path))
    assert stored["version"] == parsecache.VERSION and len(stored["files"]) >= 40
    assert load_course(REPO) == first
    assert (cache_path(tmp_path).stat().st_mode & 0o777) == 0o600


def test_a_changed_file_is_parsed_again_never_answered_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ParseCache(cache_path(tmp_path))
    cache.put('title = "old"\n', {"title": "old"})
    cache.save()
    again = ParseCache(cache_path(tmp_path))
    assert again.get('title = "old"\n') == {"title": "old"}
    assert again.get('title = "new"\n') is None


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b'{"version": 99, "files": {}}', b'{"version": 1, "files": []}', b"\xff\xfe\x00"],
)
@pytest.mark.parametrize("checked", [False, True], ids=["raw", "with a right checksum"])
def test_a_broken_cache_is_ignored_and_replaced(tmp_path: Path, content: bytes, checked: bool) -> None:
    path = cache_path(tmp_path)
    path.parent.mkdir(parents=True)
    if checked:
        write_cache(path, content)
    else:
        path.write_bytes(content)
    assert load_course(REPO).lesson_ids
    assert read_cache(path)["version"] == parsecache.VERSION


def test_a_cache_changed_by_anything_but_tillit_is_not_believed(tmp_path: Path) -> None:
    """Still valid JSON, still the right shape, but one key changed: without the checksum the course
    was read from it and the lesson had no title (exit 2 in every command)."""
    first = load_course(REPO)
    path = cache_path(tmp_path)
    raw = path.read_bytes()
    assert b'"title"' in raw
    path.write_bytes(raw.replace(b'"title"', b'"titld"'))
    assert load_course(REPO) == first
    assert b'"titld"' not in path.read_bytes()  # replaced by a good cache


def test_a_fifo_in_place_of_the_cache_is_skipped_not_waited_on(tmp_path: Path) -> None:
    path = cache_path(tmp_path)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    done: list[bool] = []
    reader = threading.Thread(target=lambda: done.append(bool(load_course(REPO).lesson_ids)), daemon=True)
    reader.start()
    reader.join(30)
    if reader.is_alive():  # unblock the hung reader so the test run can end
        with open(path, "wb"):
            pass
        pytest.fail("reading the course waited on a FIFO in place of the cache")
    assert done == [True]


def test_a_tampered_entry_is_ignored(tmp_path: Path) -> None:
    load_course(REPO)
    path = cache_path(tmp_path)
    data = read_cache(path)
    for key in data["files"]:
        data["files"][key] = {"$type": "nonsense", "v": 1}
    write_cache(path, json.dumps(data).encode())
    assert load_course(REPO).lesson_ids  # every file parsed again


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("TILLIT_CACHE", str(blocker / "below-a-file"))
    assert load_course(REPO).lesson_ids
    monkeypatch.setenv("TILLIT_CACHE", "")  # switched off
    assert parsecache.cache_file() is None
    assert load_course(REPO).lesson_ids


def test_a_course_from_elsewhere_never_uses_or_fills_the_cache(course_copy: Path, tmp_path: Path) -> None:
    course, problems = _read_safely(course_copy)
    assert course is not None and not problems
    assert not cache_path(tmp_path).exists()
