"""Shared helpers for the journal tests: a loadable course, a clock, and reading saved TOML."""

from __future__ import annotations

import shutil
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from course.content import Course, load_course
from course.errors import ContentError

from .conftest import REPO

TZ = timezone(timedelta(hours=2))
COMPANIONS = ("about.toml", "self-assessment.toml")


def stable_course(dest: Path) -> Course:
    """The built-in course; while lessons are being written but not yet listed, a copy of the listed ones.

    The journal does not depend on which lessons the course has, so these tests must not fail while
    the content is in progress (an unlisted lesson file makes the whole course unreadable).
    """
    try:
        return load_course(REPO)
    except ContentError:
        pass
    with (REPO / "lessons" / "course.toml").open("rb") as f:
        listed = tomllib.load(f)["lessons"]
    (dest / "lessons").mkdir(parents=True)
    shutil.copy(REPO / "lessons" / "course.toml", dest / "lessons" / "course.toml")
    for folder, suffix in (("lessons", ".md"), ("quizzes", ".toml")):
        for lang_dir in sorted(p for p in (REPO / folder).iterdir() if p.is_dir()):
            (dest / folder / lang_dir.name).mkdir(parents=True)
            for lid in listed:
                src = lang_dir / f"{lid}{suffix}"
                if src.is_file():
                    shutil.copy(src, dest / folder / lang_dir.name / src.name)
    for name in COMPANIONS:
        if (REPO / "lessons" / name).is_file():
            shutil.copy(REPO / "lessons" / name, dest / "lessons" / name)
    try:
        return load_course(dest)
    except ContentError:
        for name in COMPANIONS:  # a companion may name a lesson that is not listed yet
            (dest / "lessons" / name).unlink(missing_ok=True)
        return load_course(dest)


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


def read(path: Path) -> dict[str, Any]:
    """A saved TOML file, parsed."""
    with path.open("rb") as f:
        return tomllib.load(f)
