"""Helpers for Pilot tests: build the app on a fresh data folder and read what is on screen."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from course.content import Course
from course.study import Study
from course.tui.app import TillitApp, make_app


def new_app(course: Course, data: Path, lang: str | None = "en") -> TillitApp:
    """A fresh app on `data`, as the CLI would build it."""
    return make_app(Study(course, data, lang))


def screen_text(app: TillitApp) -> str:
    """The characters on the terminal right now, one line per row, as a person would read them."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def read(path: Path) -> dict[str, Any]:
    """A saved TOML file."""
    with path.open("rb") as f:
        return tomllib.load(f)


def journal_files(data: Path) -> list[Path]:
    """Every saved reflection file."""
    return sorted((data / "journal").glob("*/*.toml"))


def toasts(app: TillitApp) -> list[str]:
    """The messages of the notifications the app is showing."""
    return [n.message for n in app._notifications]
