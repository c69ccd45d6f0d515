"""The journal's dialogs: earlier versions compared word by word, the trash, and the export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    OptionList,
    RadioSet,
    Static,
)
from textual.widgets.option_list import Option

from course.errors import TillitError
from course.i18n import describe, formats, tr
from course.learner.journal import Reflection, Trashed, Version
from course.learner.journal_query import word_diff
from course.render.export import FORMATS, render
from course.store import storage
from course.store.paths import here
from course.tui.base import editable, inert
from course.tui.dialogs import ConfirmDialog
from course.tui.quiz import MarkedRadio

if TYPE_CHECKING:
    from textual.content import Content

    from course.learner.practice import Assessment
    from course.learner.study import Study
    from course.tui.journal import JournalScreen

def first_line(text: str) -> str:
    """The first line of a text that is not blank (what a list shows of a reflection)."""
    return next((line for line in text.splitlines() if line.strip()), "")


class VersionsDialog(ModalScreen[Version | None]):
    """A reflection's earlier versions, newest first: what each one says differently from the text now,
    word by word, and a key to make one the current text again (dismisses with that version)."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", show=False),
        Binding("r", "restore", "Restore", show=False),
    ]
    DEFAULT_CSS = """
    VersionsDialog #versions-body { height: 1fr; }
    VersionsDialog #versions { width: 22; height: 1fr; }
    VersionsDialog #version-view { width: 1fr; height: 1fr; padding: 0 1; border-left: solid $panel; }
    VersionsDialog #version-legend { color: $text-muted; margin-bottom: 1; }
    """

    def __init__(self, reflection: Reflection, lang: str) -> None:
        super().__init__()
        self.reflection = reflection
        self.lang = lang
        self.versions = list(reversed(reflection.versions))  # newest first, as listed

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def when(self, version: Version) -> str:
        return formats.moment(version.saved.astimezone(), self.lang)

    def compose(self) -> ComposeResult:
        r = self.reflection
        with Vertical(classes="dialog full" if self.versions else "dialog wide"):
            yield Static(inert(self.t("jw.versions_title")), classes="dialog-title")
            if not self.versions:
                yield Static(inert(self.t("jw.no_versions")), classes="dialog-text")
                with VerticalScroll(classes="dialog-body"):
                    yield Static(inert(r.text))
                yield Button(tr("help.close", self.lang) + " (esc)", id="close", variant="primary")
                return
            with Horizontal(id="versions-body"):
                yield OptionList(
                    *[Option(inert(self.when(v)), id=str(n)) for n, v in enumerate(self.versions)], id="versions"
                )
                with VerticalScroll(id="version-view"):
                    yield Static(id="version-legend")
                    yield Static(id="version-diff")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.t("jw.version_restore") + " (r)", id="restore", variant="primary")
                yield Button(tr("help.close", self.lang) + " (esc)", id="close")

    def on_mount(self) -> None:
        if self.versions:
            versions = self.query_one("#versions", OptionList)
            versions.highlighted = 0
            versions.focus()
            self.show(0)

    def chosen(self) -> int | None:
        if not self.versions:
            return None
        index = self.query_one("#versions", OptionList).highlighted
        return index if index is not None and 0 <= index < len(self.versions) else None

    def show(self, index: int) -> None:
        """The version's text with what differs from the text now marked, in words and in style (strike for
        what only the version has, underline for what only the current text has), all of it inert."""
        version = self.versions[index]
        if version.text == self.reflection.text:
            legend = self.t("jw.version_same", when=self.when(version))
        else:
            legend = self.t("jw.diff_legend", when=self.when(version))
        self.query_one("#version-legend", Static).update(inert(legend))
        pieces = word_diff(editable(version.text), editable(self.reflection.text))
        marks = {"removed": ("[-", "-]", "strike $text-error"), "added": ("[+", "+]", "underline $text-success")}
        parts: list[Content] = []
        for kind, piece in pieces:
            if kind == "same":
                parts.append(inert(piece))
                continue
            core = piece.strip()
            if not core:  # only spaces or line breaks changed: shown as they are now
                parts.append(inert(piece if kind == "added" else ""))
                continue
            before, after, style = marks[kind]
            lead, trail = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()) :]
            # spaces and line breaks around a change stay outside its marks
            parts += [inert(lead), inert(before + core + after).stylize(style), inert(trail)]
        self.query_one("#version-diff", Static).update(inert("").join(parts))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = self.chosen()
        if index is not None:
            self.show(index)

    def on_option_list_option_selected(self) -> None:
        self.action_restore()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "restore":
            self.action_restore()
        else:
            self.dismiss(None)

    def action_restore(self) -> None:
        index = self.chosen()
        if index is not None:
            self.dismiss(self.versions[index])

    def action_close(self) -> None:
        self.dismiss(None)


class TrashDialog(ModalScreen[Trashed | None]):
    """The deleted reflections, the most recently deleted first, each with its whole text; Enter puts the
    highlighted one back in the journal (dismisses with it)."""

    BINDINGS = [Binding("escape,q", "close", "Close", show=False)]
    DEFAULT_CSS = """
    TrashDialog #trash-body { height: 1fr; }
    TrashDialog #trash { width: 1fr; height: 1fr; }
    TrashDialog #trash-view { width: 1fr; height: 1fr; padding: 0 1; border-left: solid $panel; }
    """

    def __init__(self, trashed: Sequence[Trashed], journal: JournalScreen) -> None:
        super().__init__()
        self.trashed = list(trashed)
        self.journal = journal
        self.lang = journal.study.lang

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def compose(self) -> ComposeResult:
        j = self.journal
        with Vertical(classes="dialog full" if self.trashed else "dialog"):
            yield Static(inert(self.t("jw.trash_title")), classes="dialog-title")
            if not self.trashed:
                yield Static(inert(self.t("jw.trash_empty")), classes="dialog-text")
                yield Button(tr("help.close", self.lang) + " (esc)", id="close", variant="primary")
                return
            rows = []
            for n, item in enumerate(self.trashed):
                r = item.reflection
                when = formats.moment(item.deleted.astimezone(), self.lang)
                head = self.t("jw.trash_item", when=when, lesson=j.lesson_number(r), prompt=j.prompt_label(r))
                rows.append(Option(inert(f"{head}\n  {first_line(r.text)[:100]}"), id=str(n)))
            with Horizontal(id="trash-body"):
                yield OptionList(*rows, id="trash")
                with VerticalScroll(id="trash-view"):
                    yield Static(id="trash-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.t("jw.trash_restore") + " ⏎", id="restore", variant="primary")
                yield Button(tr("help.close", self.lang) + " (esc)", id="close")

    def on_mount(self) -> None:
        if self.trashed:
            listing = self.query_one("#trash", OptionList)
            listing.highlighted = 0
            listing.focus()
            self.show(0)

    def chosen(self) -> int | None:
        if not self.trashed:
            return None
        index = self.query_one("#trash", OptionList).highlighted
        return index if index is not None and 0 <= index < len(self.trashed) else None

    def show(self, index: int) -> None:
        r = self.trashed[index].reflection
        written = self.t("jw.written", when=formats.moment(r.created.astimezone(), self.lang))
        self.query_one("#trash-text", Static).update(inert(f"{written}\n\n{r.text}"))

    def on_option_list_option_highlighted(self) -> None:
        index = self.chosen()
        if index is not None:
            self.show(index)

    def on_option_list_option_selected(self) -> None:
        self.restore()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "restore":
            self.restore()
        else:
            self.dismiss(None)

    def restore(self) -> None:
        index = self.chosen()
        if index is not None:
            self.dismiss(self.trashed[index])

    def action_close(self) -> None:
        self.dismiss(None)


class FormatChoice(RadioSet):
    """The export formats. The cursor is the choice: the arrow keys move both, so what is marked ● is what
    Enter exports (a plain RadioSet moves a cursor of its own and has Enter choose under it)."""

    BINDINGS = [
        Binding("down,right", "move(1)", "Next format", show=False),
        Binding("up,left", "move(-1)", "Previous format", show=False),
        Binding("enter", "submit", "Export", show=False),
    ]

    class Submitted(Message):
        """Enter on the formats: export."""

    def on_mount(self) -> None:
        self.call_after_refresh(self.cursor_to_choice)  # after RadioSet's own mount has put it on the first

    def cursor_to_choice(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index

    def action_move(self, step: int) -> None:
        self.cursor_to_choice()
        if step > 0:
            self.action_next_button()
        else:
            self.action_previous_button()
        self.action_toggle_button()

    def action_submit(self) -> None:
        self.post_message(self.Submitted())


class ExportDialog(ModalScreen[None]):
    """Export the reflections shown (with the current filters) as Markdown, HTML or TOML.

    Enter exports the chosen format (from the formats or the file name); a file that is there already
    is replaced only when the learner says so, else another name is suggested.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(
        self,
        reflections: Sequence[Reflection],
        study: Study,
        assessments: Sequence[Assessment],
        commitments: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.reflections = list(reflections)
        self.study = study
        self.assessments = list(assessments)
        self.commitments = dict(commitments or {})

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.study.lang, **values)

    def default_path(self, fmt: str) -> str:
        return str(here() / f"tillit-journal-{date.today().isoformat()}.{fmt}")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(inert(self.t("jx.title", count=len(self.reflections))), classes="dialog-title")
            with FormatChoice(id="format"):
                for fmt in FORMATS:
                    yield MarkedRadio(self.t(f"jx.format.{fmt}"), value=fmt == "html", name=fmt)
            yield Input(editable(self.default_path("html")), id="path")
            yield Static(id="export-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.t("jx.save") + " ⏎", id="save", variant="primary")
                yield Button(tr("dialog.cancel", self.study.lang) + " (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#format", FormatChoice).focus()

    def fmt(self) -> str:
        pressed = self.query_one("#format", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "html"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        path = self.query_one("#path", Input)
        stem = path.value.rsplit(".", 1)[0] if "." in Path(path.value).name else path.value
        path.value = f"{stem}.{self.fmt()}"

    def on_input_changed(self, event: Input.Changed) -> None:
        """A file name ending in a format's extension chooses that format (as `-o x.html` does)."""
        suffix = Path(event.value.strip()).suffix.lstrip(".").lower()
        if suffix in FORMATS and suffix != self.fmt():
            for button in self.query_one("#format", FormatChoice).query(MarkedRadio):
                if button.name == suffix:
                    button.value = True

    def on_format_choice_submitted(self) -> None:
        self.save()

    def on_input_submitted(self) -> None:
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()
        else:
            self.dismiss(None)

    def problem(self, text: str) -> None:
        self.query_one("#export-status", Static).update(inert("✗ " + text))

    def save(self, replace: bool = False) -> None:
        """Export to the named file; when it exists, ask first (replace it, or choose another name)."""
        name = self.query_one("#path", Input).value.strip()
        if not name:
            self.problem(self.t("jx.no_name"))
            return
        target = Path(name).expanduser()
        if not replace and (target.exists() or target.is_symlink()):

            def answer(yes: bool | None) -> None:
                if yes:
                    self.save(replace=True)
                else:
                    self.choose_another(target)

            question = self.t("jx.exists", path=target)
            self.app.push_screen(
                ConfirmDialog(question, self.study.lang, yes=self.t("jx.replace"), no=self.t("jx.other_name")), answer
            )
            return
        text = render(
            self.reflections, self.study.course, self.study.lang, self.fmt(), self.assessments, commitments=self.commitments
        )
        try:
            storage.write_new_file(target, text, replace=replace)  # replace: the learner said so
        except TillitError as err:
            self.problem(describe(err, self.study.lang))
            return
        self.app.notify(self.t("jx.done", count=len(self.reflections), path=target), markup=False, timeout=10)
        self.dismiss(None)

    def choose_another(self, taken: Path) -> None:
        """Suggest the first free name like the one taken (name-2.html, name-3.html, …), ready to edit."""
        stem, suffix = taken.stem, taken.suffix
        free = next((c for n in range(2, 1000) if not (c := taken.with_name(f"{stem}-{n}{suffix}")).exists()), taken)
        path = self.query_one("#path", Input)
        path.value = editable(str(free))
        path.cursor_position = len(path.value)
        path.focus()
        self.query_one("#export-status", Static).update(inert(self.t("jx.chose_other", path=taken.name)))

    def action_cancel(self) -> None:
        self.dismiss(None)
