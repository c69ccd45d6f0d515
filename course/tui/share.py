"""Sharing with the trainer: choose a name and reflections, see the exact file, and save it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, SelectionList, Static, TextArea
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection
from textual.worker import get_current_worker

from course.errors import TillitError
from course.i18n import describe, formats
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection
from course.learner.share import build_share, render_share
from course.store import storage
from course.store.instance import ReadOnlyError
from course.tui.base import TillitScreen, editable, inert
from course.tui.dialogs import ConfirmDialog

PREVIEW_PAUSE = 0.1  # seconds of no typing before the preview is rebuilt
SNIPPET = 60  # characters of a reflection shown in the list
PROMPT_SNIPPET = 40  # characters of its prompt


def shorten(text: str, limit: int) -> str:
    """Text on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def default_share_path(today: date | None = None) -> Path:
    """Where a share is saved unless the participant says otherwise: ~/tillit-share-<date>.toml."""
    return Path.home() / f"tillit-share-{(today or date.today()).isoformat()}.toml"


@dataclass(frozen=True)
class Built:
    """A share made for the preview: its exact text, or the sentence saying why it could not be made."""

    text: str
    problem: str
    counts: tuple[int, int, int] | None  # quiz answers, self-assessments, reflections in it
    read_only: bool = False  # no share id yet, and another Tillit holds the data folder


class MarkedSelectionList(SelectionList[str]):
    """A SelectionList whose mark is blank when a row is not chosen, so the choice reads without colour."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if selection.value in self.selected or len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        segments[1] = Segment(" " * len(ToggleButton.BUTTON_INNER), segments[1].style)
        return Strip(segments, strip.cell_length)


class ShareScreen(TillitScreen):
    """What is shared, what never is, the reflections to add, the exact file, and where to save it."""

    HELP_SECTION = "share.title"
    BINDINGS = [
        Binding("ctrl+s", "save", "key.share.save"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reflections: list[Reflection] = []
        self.loaded = False
        self.name_value = ""
        self.chosen: set[str] = set()
        self.path_value = str(default_share_path())
        self.preview = ""  # exactly what Save writes (the last one built)
        self.problem = ""  # why the share cannot be made now ("" when it can)
        self.read_only_without_id = False
        self.generation = 0  # the latest preview asked for; older ones are dropped
        self.building = False
        self.preview_timer: Timer | None = None
        self.shown_reflections = 0  # in the preview now

    # --- drawing -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(inert(self.t("share.intro")), id="share-intro")
        with Horizontal(id="share-name-row", classes="share-row"):
            yield Static(inert(self.t("share.name")), classes="share-label")
            yield Input(
                editable(self.name_value), placeholder=self.t("share.name.placeholder"), id="share-name", compact=True
            )
        yield Static(inert(self.reflections_label()), id="share-reflections-label", classes="share-heading")
        yield MarkedSelectionList(*self.choices(), id="share-reflections", compact=True)
        yield Static(inert(self.preview_label(None)), id="share-preview-label", classes="share-heading")
        yield TextArea(
            editable(self.preview), id="share-preview", read_only=True, soft_wrap=True, show_cursor=False, compact=True
        )
        with Horizontal(id="share-save-row", classes="share-row"):
            yield Static(inert(self.t("share.path")), classes="share-label")
            yield Input(editable(self.path_value), id="share-path", compact=True)
            yield Button(self.t("share.save") + " (ctrl+s)", id="share-save", variant="primary", compact=True)
        yield Static(id="share-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()
        if not self.loaded:
            self.run_worker(self._read_reflections, thread=True, exclusive=True, group="share-read")

    def after_recompose(self) -> None:
        self.title = self.t("share.title")
        self.query_one("#share-name", Input).focus()
        self.show_problem()
        self.rebuild_preview()

    def reflections_label(self) -> str:
        if not self.loaded:
            return self.t("share.loading")
        if not self.reflections:
            return self.t("share.no_reflections")
        return self.t("share.reflections", chosen=len(self.chosen), total=len(self.reflections))

    def preview_label(self, counts: tuple[int, int, int] | None) -> str:
        if counts is None:
            return self.t("share.preview")
        answers, assessments, reflections = counts
        return self.t("share.preview.counts", answers=answers, assessments=assessments, reflections=reflections)

    def choices(self) -> list[Selection[str]]:
        """One line per reflection, newest first (shown literally)."""
        return [Selection(inert(self.reflection_line(r)), r.id, r.id in self.chosen) for r in self.reflections]

    def reflection_line(self, r: Reflection) -> str:
        """The learner's own words first (what they recognise at 80 columns), then the lesson and the prompt."""
        course, lang = self.study.course, self.study.lang
        ids = course.lesson_ids
        title = f"{ids.index(r.lesson) + 1}. {course.lesson(r.lesson, lang).title}" if r.lesson in ids else r.lesson
        if r.prompt == FOLLOW_UP_PROMPT:
            prompt = self.t("journal.follow_up")
        else:
            found = course.lesson(r.lesson, lang).prompt(r.prompt) if r.lesson in ids else None
            prompt = found.text if found is not None else r.prompt
        return " · ".join(
            (self.quoted(shorten(r.text, SNIPPET)), shorten(title, PROMPT_SNIPPET), shorten(prompt, PROMPT_SNIPPET))
        )

    # --- the reflections and the preview ---------------------------------------------------------------

    def _read_reflections(self) -> None:
        # A journal of thousands of files takes a while to read: the screen stays usable meanwhile.
        found = self.study.all_reflections()
        self.app.call_from_thread(self.show_reflections, found)

    def show_reflections(self, found: list[Reflection]) -> None:
        self.reflections = found
        self.loaded = True
        known = {r.id for r in found}
        self.chosen &= known
        view = self.query_one("#share-reflections", SelectionList)
        view.clear_options()
        view.add_options(self.choices())
        if found:
            view.highlighted = 0  # so space picks the first one as soon as the list has focus
        self.query_one("#share-reflections-label", Static).update(inert(self.reflections_label()))

    def chosen_ids(self) -> list[str]:
        """The chosen reflections in the order the list shows them (newest first)."""
        return [r.id for r in self.reflections if r.id in self.chosen]

    def rebuild_preview(self) -> None:
        """Make the share again in the background (the journal may be large) and show it when ready."""
        self.generation += 1
        self.building = True
        generation, name, ids = self.generation, self.name_value, self.chosen_ids()
        self.run_worker(lambda: self._build(generation, name, ids), thread=True, group="share-build")

    def _build(self, generation: int, name: str, ids: list[str]) -> None:
        built = self.make(name, ids)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_preview, generation, built)

    def make(self, name: str, ids: list[str]) -> Built:
        """The rendered share for this name and these reflections, or why it cannot be made."""
        try:
            data = build_share(self.study, name, ids)
            text = render_share(data)
        except ReadOnlyError:
            return Built("", self.t("share.read_only"), None, read_only=True)
        except TillitError as err:
            return Built("", describe(err, self.study.lang), None)
        return Built(text, "", (len(data["answer"]), len(data["assessment"]), len(data["reflection"])))

    def show_preview(self, generation: int, built: Built) -> None:
        if generation != self.generation:
            return  # the name or the choice changed since: a newer preview is on its way
        self.building = False
        self.preview = built.text
        self.problem = built.problem
        self.read_only_without_id = built.read_only
        area = self.query_one("#share-preview", TextArea)
        if area.text != editable(built.text):
            area.load_text(editable(built.text))
        reflections = built.counts[2] if built.counts else 0
        if reflections > self.shown_reflections:  # a reflection was added: show it (they come last)
            area.call_after_refresh(area.scroll_end, animate=False)
        self.shown_reflections = reflections
        self.query_one("#share-preview-label", Static).update(inert(self.preview_label(built.counts)))
        self.query_one("#share-save", Button).disabled = built.read_only
        self.show_problem()

    def show_problem(self) -> None:
        status = self.query_one("#share-status", Static)
        status.update(inert("✗ " + self.problem) if self.problem else "")
        status.set_class(bool(self.problem), "problem")

    def schedule_preview(self) -> None:
        self.building = True
        if self.preview_timer is not None:
            self.preview_timer.stop()
        self.preview_timer = self.set_timer(PREVIEW_PAUSE, self.rebuild_preview)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "share-name":
            self.name_value = event.value
            self.schedule_preview()
        elif event.input.id == "share-path":
            self.path_value = event.value

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.chosen = set(event.selection_list.selected)
        self.query_one("#share-reflections-label", Static).update(inert(self.reflections_label()))
        self.schedule_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "share-path":
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "share-save":
            self.action_save()

    # --- saving ----------------------------------------------------------------------------------------

    def fail(self, sentence: str) -> None:
        self.problem = sentence
        self.show_problem()

    def target(self) -> Path | None:
        """The file to write, or None (and the reason shown) when the path cannot be used."""
        typed = self.path_value.strip()
        if not typed:
            self.fail(self.t("share.no_path"))
            return None
        path = Path(typed).expanduser().absolute()
        if path.is_dir():
            self.fail(self.t("share.is_folder", path=path, example=path / default_share_path().name))
            return None
        if not path.parent.is_dir():
            self.fail(self.t("share.no_folder", folder=path.parent))
            return None
        return path

    def action_save(self) -> None:
        """Make the share for what is on screen, show it, ask about reflections and an existing file, save."""
        path = self.target()
        if path is None:
            return
        if self.preview_timer is not None:
            self.preview_timer.stop()
        self.generation += 1  # anything still being built is older than this
        ids = self.chosen_ids()
        built = self.make(self.name_value, ids)
        self.show_preview(self.generation, built)
        if built.problem:
            return
        text = built.text

        def write(yes: bool | None = True) -> None:
            if not yes:
                return
            try:
                storage.write_new_file(path, text, replace=True)  # asked first when it was there
            except TillitError as err:
                self.fail(describe(err, self.study.lang))
                return
            self.problem = ""
            self.show_problem()
            self.notify(self.t("share.saved", path=path), markup=False, timeout=15)

        def replace_if_asked(yes: bool | None = True) -> None:
            if not yes:
                return
            if path.exists():
                self.app.push_screen(ConfirmDialog(self.t("share.replace", path=path), self.study.lang), write)
            else:
                write()

        if ids:
            sentence = formats.plural("share.confirm", len(ids), self.study.lang)
            self.app.push_screen(ConfirmDialog(sentence, self.study.lang), replace_if_asked)
        else:
            replace_if_asked()

    def action_back(self) -> None:
        self.app.pop_screen()
