"""Parsed TOML of the built-in course, kept between runs so that start-up does not parse forty files again.

Parsing the built-in course's TOML is the largest part of reading it (about 40 ms of every start).
The cache maps the SHA-256 of a file's exact text to what tomllib made of it, in a JSON file in the
user's cache folder, so a changed file can never be answered from the cache: its text, and so its
key, is different. It is used only for the built-in course (a course from elsewhere is parsed in the
sandbox every time), holds only the files of the last reading (it never grows), and is a
convenience only: a cache that is missing, unreadable, damaged (even nested too deeply for json to
read), from another version or not writable is ignored, and the files are parsed as before.

The file is its SHA-256 on the first line, then the JSON: a cache changed by anything but Tillit
(a flipped bit, an edit that is still JSON) is not believed. It is read only when it is a regular
file, never through a link and never waiting (a FIFO put in its place is skipped, not read).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

VERSION = 2  # 2: the checksum line
MAX_BYTES = 8 * 1024 * 1024
TYPE = "$type"  # the key that marks an encoded date, time or datetime (or a table that has that key itself)


def cache_file() -> Path | None:
    """Where the cache lives: $TILLIT_CACHE, else the user cache folder; None when there is none."""
    chosen = os.environ.get("TILLIT_CACHE")
    if chosen is not None:
        return Path(chosen) / "parsed-course.json" if chosen else None
    try:
        import platformdirs

        return platformdirs.user_cache_path("tillit", appauthor=False, ensure_exists=False) / "parsed-course.json"
    except Exception:  # no home folder, an odd platform: no cache
        return None


def encode(value: Any) -> Any:
    """TOML data as JSON data, with dates, times and datetimes tagged so they come back as themselves."""
    if isinstance(value, dict):
        table = {k: encode(v) for k, v in value.items()}
        return {TYPE: "table", "v": table} if TYPE in table else table
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return {TYPE: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TYPE: "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {TYPE: "time", "v": value.isoformat()}
    return value


def decode(value: Any) -> Any:
    """The inverse of encode."""
    if isinstance(value, dict):
        kind = value.get(TYPE)
        if kind is None:
            return {k: decode(v) for k, v in value.items()}
        inner = value["v"]
        if kind == "table":
            return {k: decode(v) for k, v in inner.items()}
        if kind == "datetime":
            return datetime.fromisoformat(inner)
        if kind == "date":
            return date.fromisoformat(inner)
        if kind == "time":
            return time.fromisoformat(inner)
        raise ValueError(f"unknown tag {kind!r}")
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ParseCache:
    """One reading's view of the cache: what it found there, and what this reading used."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stored: dict[str, Any] = self._load() if path is not None else {}
        self.used: dict[str, Any] = {}
        self.added = False

    def _load(self) -> dict[str, Any]:
        assert self.path is not None
        from course.errors import TillitError
        from course.store import reading

        try:
            raw = reading.read_regular(self.path, MAX_BYTES)
            digest, _, body = raw.partition(b"\n")
            if digest.decode("ascii") != hashlib.sha256(body).hexdigest():
                return {}
            data = json.loads(body)
        except (OSError, TillitError, ValueError, RecursionError):  # RecursionError: nested deeper than json follows
            return {}
        files = data.get("files") if isinstance(data, dict) and data.get("version") == VERSION else None
        return files if isinstance(files, dict) else {}

    def get(self, text: str) -> dict[str, Any] | None:
        """What tomllib made of exactly this text last time, or None."""
        key = _key(text)
        found = self.stored.get(key)
        if found is None:
            return None
        try:
            value = decode(found)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            return None
        if not isinstance(value, dict):
            return None
        self.used[key] = found
        return value

    def put(self, text: str, value: dict[str, Any]) -> None:
        self.used[_key(text)] = encode(value)
        self.added = True

    def save(self) -> None:
        """Keep what this reading used (and nothing else); any failure just leaves the cache as it was."""
        if self.path is None or not (self.added or self.used.keys() != self.stored.keys()):
            return
        from course.errors import StorageError
        from course.store import storage

        with contextlib.suppress(OSError, StorageError, TypeError, ValueError, RecursionError):
            body = json.dumps({"version": VERSION, "files": self.used}, ensure_ascii=False).encode("utf-8")
            storage.ensure_dir(self.path.parent)
            storage.atomic_write(self.path, hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body)
