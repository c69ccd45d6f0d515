"""Helpers for Pilot tests: build the app on a fresh data folder and read what is on screen."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Markdown, Static, TextArea

from course.content.model import Course
from course.learner.study import Study
from course.tui.app import TillitApp, make_app


def new_app(course: Course, data: Path, lang: str | None = "en") -> TillitApp:
    """A fresh app on `data`, as the CLI would build it."""
    return make_app(Study(course, data, lang))


WAIT_LIMIT = 20.0
"""Seconds a condition may take before the test fails: far above what any screen needs, even on a
loaded machine, so it only ends a test whose app is stuck or wrong. A passing test never waits for it."""


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str = "", *, limit: float = WAIT_LIMIT
) -> None:
    """Let the app run until `condition()` is true, instead of sleeping a fixed time and hoping.

    The app gets one idle turn (its messages, timers and screen changes) between two looks. A condition
    that raises (a widget not mounted yet, another screen on top) counts as not yet true; after `limit`
    seconds its last error, or an AssertionError naming the condition, fails the test."""
    deadline = time.monotonic() + limit
    while True:
        await pilot.pause()
        try:
            if condition():
                return
            error: Exception | None = None
        except Exception as err:  # not ready yet; reported if it never becomes true
            error = err
        if time.monotonic() > deadline:
            if error is not None:
                raise error
            code = getattr(condition, "__code__", None)
            where = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
            raise AssertionError(f"never, in {limit:g} s: {what or 'the condition'}{where}")


def screen_text(app: App[Any]) -> str:
    """The characters on the terminal right now, one line per row, as a person would read them."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def shows(app: App[Any], text: str) -> Callable[[], bool]:
    """A condition for `until`: the terminal shows `text`."""
    return lambda: text in screen_text(app)


def showing(app: App[Any], kind: type[Screen[Any]]) -> Callable[[], bool]:
    """A condition for `until`: a `kind` screen is on top and mounted (composed, so it takes keys)."""
    return lambda: isinstance(app.screen, kind) and app.screen.is_mounted


def palette_settled(app: App[Any]) -> bool:
    """The command palette has finished searching for what was typed and highlights its best match."""
    palette = app.screen
    if not isinstance(palette, CommandPalette) or not palette.is_mounted:
        return False
    searching = [w for w in app.workers if w.group == palette._GATHER_COMMANDS_GROUP and not w.is_finished]
    return not searching and palette.query_one(CommandList).highlighted is not None


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
