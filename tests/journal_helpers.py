"""Shared test helpers: clocks (a wall clock for the journal, a monotonic one for timers) and reading saved TOML."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

TZ = timezone(timedelta(hours=2))


class Clock:
    """A stand-in for `now()`: every call moves on by `step` (one second unless told), in +02:00."""

    def __init__(self) -> None:
        self.current = datetime(2025, 5, 21, 9, 0, 0, tzinfo=TZ)
        self.step = timedelta(seconds=1)

    def __call__(self) -> datetime:
        self.current += self.step
        return self.current

    def jump(self, delta: timedelta) -> None:
        """Let time pass without a call."""
        self.current += delta


class FakeClock:
    """A monotonic clock (seconds) the test moves by hand: for countdowns and session timers."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def read(path: Path) -> dict[str, Any]:
    """A saved TOML file, parsed."""
    with path.open("rb") as f:
        return tomllib.load(f)
