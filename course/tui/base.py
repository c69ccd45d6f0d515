"""What every Tillit screen shares: the study, translated strings and translated key labels."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen

from course.i18n import STRINGS, tr
from course.study import Study

if TYPE_CHECKING:
    from course.tui.app import TillitApp


def localize_bindings(node: DOMNode, lang: str) -> None:
    """Give a node's bindings descriptions in `lang` (BINDINGS hold i18n keys as descriptions)."""
    base = type(node)._merged_bindings or BindingsMap()
    localized = BindingsMap()
    for _key, binding in base:
        if binding.description in STRINGS:
            binding = replace(binding, description=tr(binding.description, lang))
        localized._add_binding(binding)
    node._bindings = localized


class TillitScreen(Screen[None]):
    """A screen that knows the study and speaks the learner's language."""

    HELP_SECTION = ""

    @property
    def tillit(self) -> TillitApp:
        """The app, typed."""
        return cast("TillitApp", self.app)

    @property
    def study(self) -> Study:
        """The learner's study: course, progress and journal."""
        return self.tillit.study

    def t(self, key: str, **values: object) -> str:
        """A UI string in the learner's language."""
        return tr(key, self.study.lang, **values)

    def on_mount(self) -> None:
        localize_bindings(self, self.study.lang)
        self.refresh_bindings()

    def flush(self) -> bool:
        """Save whatever this screen holds (a position, a text); False when a text could not be saved."""
        return True

    async def relocalize(self) -> None:
        """Show the screen again in the newly chosen language, keeping its state."""
        self.flush()
        localize_bindings(self, self.study.lang)
        await self.recompose()
        self.refresh_bindings()
        self.after_recompose()

    def after_recompose(self) -> None:
        """Put focus and position back after the screen was rebuilt."""
