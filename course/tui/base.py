"""What every Tillit screen shares: the study, translated strings and translated key labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import ActiveBinding, BindingsMap
from textual.content import Content
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen

from course.content.terminal_text import visible
from course.i18n import known, language_name, languages, next_language, tr
from course.learner.study import Study

if TYPE_CHECKING:
    from course.tui.app import TillitApp


def inert(text: object) -> Content:
    """Text as a widget shows it: literally (never as markup) and inert (course.content.terminal_text.visible).

    The one way text reaches a Static, a Label, an option or a button in Tillit (tests/test_escapes.py
    checks that no screen builds a Content itself): a reflection, a name, a file name or a course text
    can then never send an escape sequence to the terminal (ESC shows as ␛) or reorder the line
    around it (a bidi override shows as ⟨U+202E⟩). Course, plan and share texts are inert already
    from loading; this also covers the learner's own journal, which is kept exactly as typed.
    """
    return Content(visible(str(text)))


def inert_text(text: object, **options: Any) -> Text:
    """`inert` for the Rich Text a DataTable cell takes (`options` as for Text: overflow, justify, …)."""
    return Text(visible(str(text)), **options)


def editable(text: str) -> str:
    """A text as an editor (TextArea, Input) is loaded with: inert, as `inert` makes it.

    Textual writes the characters of an editor's document to the terminal as they are, so a reflection
    holding ESC is loaded with ␛ in its place; once that reflection is edited and saved, the visible
    symbols are what is kept (nothing else of the text changes).
    """
    return visible(text)


class InertTextApp(App[None]):
    """An app whose notifications and pasted text are inert too (course.content.terminal_text.visible).

    A notification often names a file (a share file, a course file: anyone can name those), and a
    paste can bring anything from the clipboard into an editor, which Textual would write out raw.
    """

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout, markup=markup)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Paste) and not event.is_forwarded:
            # A terminal sends a pasted line break as CR: keep it a line break, show every other control.
            event.text = visible(event.text.replace("\r\n", "\n").replace("\r", "\n"))
        await super().on_event(event)


def localize_bindings(node: DOMNode, lang: str, langs: Sequence[str] | None = None) -> None:
    """Give a node's bindings descriptions in `lang` (BINDINGS hold i18n keys as descriptions). The key
    that switches language (action "language") is named for the language it switches to: the one after
    `lang` in `langs` (the course's languages; default: every language there is a catalog of)."""
    base = type(node)._merged_bindings or BindingsMap()
    localized = BindingsMap()
    for _key, binding in base:
        if binding.action == "language":
            following = next_language(lang, list(languages() if langs is None else langs))
            binding = replace(binding, description=language_name(following))
        elif known(binding.description, lang):
            binding = replace(binding, description=tr(binding.description, lang))
        localized._add_binding(binding)
    node._bindings = localized


def footer_width(app: App[Any], bindings: dict[str, ActiveBinding], action: str) -> int:
    """The columns an action's entry takes in the footer: " key description " (FooterKey's paddings)."""
    binding = next(active.binding for active in bindings.values() if active.binding.action == action)
    return cell_len(app.get_key_display(binding)) + cell_len(binding.description) + 3


def fit_footer(
    app: App[Any], bindings: dict[str, ActiveBinding], width: int, first: Sequence[str] = ()
) -> dict[str, ActiveBinding]:
    """`bindings` with the footer entries that do not fit in `width` columns hidden (show=False).

    The actions in `first` are kept first, in that order, then the others in the footer's order, while they
    fit; a key is never shown without its label. The help (f1) lists every key, shown here or not."""
    shown: list[str] = []  # actions in footer order (keys of one action, f1 and ?, make one entry)
    for active in bindings.values():
        if active.binding.show and active.binding.action not in shown:
            shown.append(active.binding.action)
    ranked = [a for a in first if a in shown] + [a for a in shown if a not in first]
    keep: set[str] = set()
    used = 0
    for action in ranked:
        needed = footer_width(app, bindings, action)
        if used + needed <= width:
            keep.add(action)
            used += needed
    return {
        key: active if not active.binding.show or active.binding.action in keep
        else active._replace(binding=replace(active.binding, show=False))
        for key, active in bindings.items()
    }  # fmt: skip


class TillitScreen(Screen[None]):
    """A screen that knows the study and speaks the learner's language."""

    HELP_SECTION = ""
    FOOTER_FIRST: ClassVar[tuple[str, ...] | None] = None
    """Set (to the actions the footer keeps first, in order) and the footer shows what fits the width and
    hides the rest (they are all in f1's help) instead of cutting its last entry off; None: as Textual does."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        if self.FOOTER_FIRST is None:
            return bindings
        return fit_footer(self.app, bindings, self.app.size.width, self.FOOTER_FIRST)

    def on_resize(self) -> None:
        if self.FOOTER_FIRST is not None:
            self.refresh_bindings()  # the footer fits itself to the new width

    def in_front(self) -> bool:
        """True when no other Tillit screen is above this one (a dialog over it does not count): only the
        screen in front says where the learner is, even while a whole stack is being opened at once."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return not any(isinstance(screen, TillitScreen) for screen in stack[stack.index(self) + 1 :])

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

    def quoted(self, text: str) -> str:
        """`text` between the quotation marks of the learner's language: ”…” in Swedish, “…” in English."""
        return f"{self.t('quote.open')}{text}{self.t('quote.close')}"

    def validate_title(self, title: Any) -> str | None:
        """The header's title, inert (it often holds a lesson's title)."""
        return None if title is None else visible(str(title))

    def on_mount(self) -> None:
        localize_bindings(self, self.study.lang, self.study.course.languages)
        self.refresh_bindings()

    def flush(self) -> bool:
        """Save whatever this screen holds (a position, a text); False when a text could not be saved."""
        return True

    async def relocalize(self) -> None:
        """Show the screen again in the newly chosen language, keeping its state."""
        self.flush()
        localize_bindings(self, self.study.lang, self.study.course.languages)
        await self.recompose()
        self.refresh_bindings()
        self.after_recompose()

    def after_recompose(self) -> None:
        """Put focus and position back after the screen was rebuilt."""
