"""Helpers for Pilot tests: build the app on a fresh data folder and read what is on screen."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from textual.app import App
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Markdown, Static, TextArea

from course.content.model import Course
from course.learner.study import Study
from course.tui.app import TillitApp, make_app


def new_app(course: Course, data: Path, lang: str | None = "en") -> TillitApp:
    """A fresh app on `data`, as the CLI would build it."""
    return make_app(Study(course, data, lang))


def screen_text(app: App[Any]) -> str:
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


def flow(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (wrapped lines read as one)."""
    return " ".join(text.split())


def displayed(widget: Widget) -> bool:
    """False when the widget or one of its containers is hidden (display: none)."""
    node: Any = widget
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if not node.display:
            return False
        node = node.parent
    return True


def room_text(app: App[Any]) -> str:
    """The words of every widget the screen is showing (scrolled into view or not), hidden ones left out:
    what a room could read off a projector."""
    parts: list[str] = []
    for widget in app.screen.query(Widget):
        if not displayed(widget):
            continue
        if isinstance(widget, Markdown):
            parts.append(widget.source)
        elif isinstance(widget, Static):
            visual = widget.visual
            parts.append(visual.plain if isinstance(visual, Content) else str(visual))
        elif isinstance(widget, TextArea):
            parts.append(widget.text)
    return "\n".join(parts)
