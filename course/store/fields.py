"""Small validators shared by the stores: a value of the right type from parsed TOML, or CorruptFileError."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from course.errors import CorruptFileError


def want_str(data: Mapping[str, Any], key: str, path: Path, default: str | None = None) -> str:
    """The string at `key`, or raise CorruptFileError naming the key."""
    value = data.get(key, default)
    if not isinstance(value, str):
        raise CorruptFileError(path, f"'{key}' should be text")
    return value


def want_int(data: Mapping[str, Any], key: str, path: Path, default: int | None = None) -> int:
    """The whole number at `key` (not a bool), or raise CorruptFileError naming the key."""
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**53:
        raise CorruptFileError(path, f"'{key}' should be a whole number")
    return value


def want_time(data: Mapping[str, Any], key: str, path: Path, optional: bool = False) -> datetime | None:
    """The time-zone-aware date-time at `key`, or raise CorruptFileError naming the key."""
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise CorruptFileError(path, f"'{key}' should be a date and time with a time zone")
    return value


def want_table(data: Mapping[str, Any], key: str, path: Path) -> dict[str, Any]:
    """The table at `key` (empty when missing), or raise CorruptFileError naming the key."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise CorruptFileError(path, f"'{key}' should be a table")
    return value


def want_str_list(data: Mapping[str, Any], key: str, path: Path) -> list[str]:
    """The list of strings at `key` (empty when missing), or raise CorruptFileError naming the key."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CorruptFileError(path, f"'{key}' should be a list of text")
    return list(value)


def want_date(data: Mapping[str, Any], key: str, path: Path) -> date:
    """A day (a TOML local date, not a date and time)."""
    value = data.get(key)
    if not isinstance(value, date) or isinstance(value, datetime):
        raise CorruptFileError(path, f"'{key}' should be a date")
    return value
