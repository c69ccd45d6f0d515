"""The private journal for a lesson: its prompts, an autosaving editor, and the saved reflections."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Label, ListItem, ListView, Static, Tab, Tabs, TextArea

from course.errors import StorageError
from course.i18n import describe, formats
from course.learner.journal import Reflection
from course.learner.progress import Place
from course.tui.base import TillitScreen, editable, inert

AUTOSAVE_SECONDS = 3.0


class ReflectScreen(TillitScreen):
    """Write and revisit reflections; nothing typed is lost for more than a few seconds."""

    HELP_SECTION = "help.reflect"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("ctrl+s", "save", "key.save"),
        Binding("ctrl+n", "new", "key.new"),
        Binding("ctrl+t", "next_prompt", "key.next_prompt"),
    ]

    def __init__(
        self, lesson_id: str, editing: Reflection | None = None, back_to_caller: bool = False, resume: bool = False
    ) -> None:
        """Write a new reflection for the lesson, or edit `editing`; with `resume` (Continue), edit the lesson's
        reflection saved last: the draft the learner left (a new one when the lesson has none).

        Whatever is opened, the cursor is at the end of its text, ready to go on writing.
        """
        super().__init__()
        self.lesson_id = lesson_id
        self.resume = resume and editing is None
        self.prompt_id = editing.prompt if editing else ""
        self.editing: Reflection | None = editing
        self.text = editing.text if editing else ""
        self.back_to_caller = back_to_caller  # opened from the journal: going back returns there
        self.dirty = False
        self.status = ""
        self._loading = False
        self.saved: list[Reflection] = []
        self.cursor: tuple[int, int] | None = None  # where the cursor was, kept across a change of language

    # --- drawing -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.resume:
            self.resume = False
            latest = self.study.reflections(self.lesson_id)
            if latest:
                self.editing, self.prompt_id, self.text = latest[0], latest[0].prompt, latest[0].text
        lesson = self.study.course.lesson(self.lesson_id, self.study.lang)
        foreign = self.editing is not None and lesson.prompt(self.prompt_id) is None
        if lesson.prompt(self.prompt_id) is None and not foreign:
            self.prompt_id = lesson.prompts[0].id
        yield Header()
        tabs = [
            Tab(self.t("reflect.prompt", n=n, total=len(lesson.prompts)), id=f"p-{p.id}")
            for n, p in enumerate(lesson.prompts, 1)
        ]
        if foreign:  # a follow-up of a commitment, or a prompt the course no longer has
            tabs.append(Tab(self.t("journal.follow_up"), id=f"p-{self.prompt_id}"))
        yield Tabs(*tabs, active=f"p-{self.prompt_id}", id="prompt-tabs")
        yield Static(inert(self.prompt_text()), id="prompt-text")
        area = TextArea(editable(self.text), id="editor", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        area.placeholder = self.t("reflect.placeholder")
        yield area
        yield Static(inert(self.status_line()), id="save-status")
        yield Static(id="saved-title")
        yield ListView(id="saved")
        yield Footer(show_command_palette=False)

    def prompt_text(self) -> str:
        lesson = self.study.course.lesson(self.lesson_id, self.study.lang)
        prompt = lesson.prompt(self.prompt_id)
        return prompt.text if prompt else self.t("journal.follow_up")

    def status_line(self) -> str:
        if self.status:
            return self.status
        if self.editing is None:
            return f"{self.t('reflect.editing_new')} {self.t('reflect.private')}"
        return f"{self.t('reflect.editing', when=self.when(self.editing.created))} {self.t('reflect.private')}"

    def when(self, moment: datetime) -> str:
        return formats.moment(moment.astimezone(), self.study.lang)

    def on_mount(self) -> None:
        super().on_mount()
        self.study.go(Place(self.lesson_id, "reflect"))
        self.set_interval(AUTOSAVE_SECONDS, self.autosave)
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.t("reflect.title", title=self.study.course.lesson(self.lesson_id, self.study.lang).title)
        self.saved = self.study.reflections(self.lesson_id)
        self.fill_saved()
        area = self.query_one("#editor", TextArea)
        area.move_cursor(self.cursor if self.cursor is not None else area.document.end)
        area.focus()

    def saved_item(self, r: Reflection) -> ListItem:
        """One line of the saved list: when, which prompt, and the first line of the text (literally)."""
        order = [p.id for p in self.study.course.lesson(self.lesson_id, self.study.lang).prompts]
        first = next((line for line in r.text.splitlines() if line.strip()), "")
        when = self.when(r.created)
        if r.updated.replace(second=0) != r.created.replace(second=0):
            when += f" ({self.t('reflect.edited', when=self.when(r.updated))})"
        n = order.index(r.prompt) + 1 if r.prompt in order else "?"
        return ListItem(Label(inert(self.t("reflect.item", when=when, n=n, preview=first[:120]))), name=r.id)

    def show_count(self) -> None:
        count = len(self.saved)
        self.query_one("#saved-title", Static).update(
            inert(self.t("reflect.list", count=count) if count else self.t("reflect.none"))
        )

    def fill_saved(self) -> None:
        """List the lesson's saved reflections, newest first."""
        self.show_count()
        view = self.query_one("#saved", ListView)
        view.clear()
        view.extend(self.saved_item(r) for r in self.saved)

    def put_first(self, reflection: Reflection) -> None:
        """Move a just-saved reflection to the top of the list without reading the journal again."""
        view = self.query_one("#saved", ListView)
        old = next((i for i, r in enumerate(self.saved) if r.id == reflection.id), None)
        if old is not None:
            del self.saved[old]
            view.pop(old)
        self.saved.insert(0, reflection)
        view.insert(0, [self.saved_item(reflection)])
        self.show_count()

    def set_status(self, text: str) -> None:
        self.status = text
        self.query_one("#save-status", Static).update(inert(self.status_line()))

    # --- saving ------------------------------------------------------------------------------------

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        self.cursor = event.selection.end

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._loading:
            return
        self.text = event.text_area.text
        if not self.dirty:
            self.dirty = True
            self.set_status(self.t("reflect.unsaved"))

    def save(self) -> bool:
        """Save the editor's text now if it changed; True when nothing is left unsaved."""
        if not self.dirty:
            return True
        unchanged = self.text == self.editing.text if self.editing else not self.text.strip()
        if unchanged:  # nothing new to keep: do not touch the file (or its "updated" time)
            self.dirty = False
            return True
        try:
            self.editing = self.study.save_reflection(self.lesson_id, self.prompt_id, self.text, self.editing)
        except StorageError as err:
            self.set_status(self.t("reflect.failed", reason=describe(err, self.study.lang)))
            return False
        self.dirty = False
        self.set_status(
            self.t(
                "reflect.saved", time=formats.clock(self.editing.updated.astimezone(), self.study.lang, seconds=True)
            )
        )
        self.put_first(self.editing)
        return True

    def autosave(self) -> None:
        self.save()

    def flush(self) -> bool:
        return self.save()

    def on_descendant_blur(self, event: object) -> None:
        if self.is_mounted and self.dirty and self.query("#editor") and not self.query_one("#editor").has_focus:
            self.save()

    # --- switching what is edited ----------------------------------------------------------------

    def load(self, reflection: Reflection | None, prompt_id: str | None = None) -> None:
        if not self.save():
            return  # keep the unsaved text on screen; the status says why
        self.editing = reflection
        self.prompt_id = reflection.prompt if reflection else (prompt_id or self.prompt_id)
        self.text = reflection.text if reflection else ""
        self.status = ""
        self._loading = True
        area = self.query_one("#editor", TextArea)
        area.load_text(editable(self.text))
        area.move_cursor(area.document.end)  # go on writing where the text ends
        self.call_after_refresh(self._done_loading)
        tabs = self.query_one("#prompt-tabs", Tabs)
        if tabs.active != f"p-{self.prompt_id}":
            tabs.active = f"p-{self.prompt_id}"
        self.query_one("#prompt-text", Static).update(inert(self.prompt_text()))
        self.set_status("")
        area.focus()

    def _done_loading(self) -> None:
        self._loading = False

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        value = (event.tab.id or "").removeprefix("p-")
        if not value or value == self.prompt_id:
            return
        if self.editing is None and not self.text.strip():
            self.prompt_id = value
            self.query_one("#prompt-text", Static).update(inert(self.prompt_text()))
            return
        self.load(None, value)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        rid = event.item.name
        found = next((r for r in self.saved if r.id == rid), None)
        if found is not None:
            self.load(found)

    def action_save(self) -> None:
        if self.dirty:
            self.save()
        elif self.editing is not None:
            self.set_status(
                self.t(
                    "reflect.saved",
                    time=formats.clock(self.editing.updated.astimezone(), self.study.lang, seconds=True),
                )
            )

    def action_new(self) -> None:
        self.load(None)

    def action_next_prompt(self) -> None:
        lesson = self.study.course.lesson(self.lesson_id, self.study.lang)
        order = [p.id for p in lesson.prompts]
        nxt = order[(order.index(self.prompt_id) + 1) % len(order)] if self.prompt_id in order else order[0]
        self.query_one("#prompt-tabs", Tabs).active = f"p-{nxt}"

    def action_back(self) -> None:
        if self.back_to_caller:
            if self.flush():
                self.dismiss(None)
            return
        self.tillit.show(self.lesson_id)  # refuses to leave while the text cannot be saved
