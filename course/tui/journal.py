"""The journal workspace: every reflection by date, filters and search, and what can be done with one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Header,
    Input,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from course.errors import TillitError
from course.i18n import describe, formats, tr
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection
from course.learner.journal_query import JournalFilter, all_tags, by_date, select, then_and_now
from course.render.export import FORMATS, render, write
from course.store.paths import here
from course.tui.base import TillitScreen, editable, inert
from course.tui.dialogs import ConfirmDialog, TextDialog
from course.tui.quiz import MarkedCheckbox

if TYPE_CHECKING:
    from course.learner.practice import Assessment
    from course.learner.study import Study

NO_FILTER = "*"
# The list lays out every row it holds; a few hundred keep each keystroke instant even with
# 10,000 reflections, and the count line says how to narrow down to the rest.
MAX_ROWS = 100
SEARCH_PAUSE = 0.08  # seconds of no typing before the list is redrawn


class JournalScreen(TillitScreen):
    """Every reflection, newest first, grouped by date, with filters, live search and actions."""

    HELP_SECTION = "help.journal"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("enter", "edit", "key.edit", show=False),
        Binding("ctrl+f", "search", "key.search"),
        Binding("s", "star", "key.star"),
        Binding("t", "tags", "key.tags"),
        Binding("d", "delete", "key.delete"),
        Binding("u", "undo", "key.undo", show=False),
        Binding("v", "versions", "key.versions", show=False),
        Binding("n", "then_and_now", "key.then_and_now", show=False),
        Binding("e", "export", "key.export", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = JournalFilter()
        self.everything: list[Reflection] = []
        self.shown: list[Reflection] = []
        self.deleted: list[Reflection] = []
        self.by_option: dict[str, Reflection] = {}
        self.search_timer: Timer | None = None

    # --- drawing -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        study = self.study
        yield Header()
        yield Input(placeholder=self.t("jw.search"), id="search", compact=True)
        with Horizontal(id="journal-filters"):
            lessons = [
                (inert(f"{n}. {study.course.lesson(lid, study.lang).title}"), lid)
                for n, lid in enumerate(study.course.lesson_ids, 1)
            ]
            yield Select(
                [(inert(self.t("jw.all_lessons")), NO_FILTER), *lessons],
                value=NO_FILTER,
                allow_blank=False,
                id="f-lesson",
                compact=True,
            )
            yield Select(
                [(inert(self.t("jw.all_tags")), NO_FILTER)],
                value=NO_FILTER,
                allow_blank=False,
                id="f-tag",
                compact=True,
            )
            yield MarkedCheckbox(self.t("jw.starred"), id="f-star", compact=True)
            yield Input(placeholder=self.t("jw.since"), id="f-since", compact=True, max_length=10)
            yield Input(placeholder=self.t("jw.until"), id="f-until", compact=True, max_length=10)
        with Horizontal(id="journal-body"):
            yield OptionList(id="entries")
            with VerticalScroll(id="entry-view"):
                yield Static(id="entry-meta")
                yield Static(id="entry-text")
        yield Static(id="journal-count")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.t("jw.title")
        self.query_one("#entry-meta", Static).update(inert(self.t("jw.loading")))
        self.reload()
        self.query_one("#entries", OptionList).focus()

    def reload(self) -> None:
        """Read the journal again (after an edit elsewhere), off the UI thread, then show it."""
        self.run_worker(self._read_all, thread=True, exclusive=True, group="journal-read")

    def _read_all(self) -> None:
        # 10,000 small files take most of a second to read: the screen stays usable meanwhile.
        everything = self.study.all_reflections()
        self.app.call_from_thread(self.show_all, everything)

    def show_all(self, everything: list[Reflection]) -> None:
        """Show a freshly read journal with the current filters."""
        self.everything = everything
        tags = all_tags(self.everything)
        tag_select: Select[str] = self.query_one("#f-tag", Select)
        current = tag_select.value
        tag_select.set_options([(inert(self.t("jw.all_tags")), NO_FILTER), *[(inert(f"#{t}"), t) for t in tags]])
        tag_select.value = current if isinstance(current, str) and current in (*tags, NO_FILTER) else NO_FILTER
        self.refresh_list()

    def prompt_texts(self) -> dict[tuple[str, str], str]:
        study = self.study
        texts: dict[tuple[str, str], str] = {}
        for lid in study.course.lesson_ids:
            for p in study.course.lesson(lid, study.lang).prompts:
                texts[(lid, p.id)] = p.text
        return texts

    def prompt_label(self, r: Reflection) -> str:
        if r.prompt == FOLLOW_UP_PROMPT:
            return self.t("journal.follow_up")
        lesson = (
            self.study.course.lesson(r.lesson, self.study.lang) if r.lesson in self.study.course.lesson_ids else None
        )
        if lesson is None:
            return r.prompt
        order = [p.id for p in lesson.prompts]
        return (
            self.t("reflect.prompt", n=order.index(r.prompt) + 1, total=len(order)) if r.prompt in order else r.prompt
        )

    def lesson_number(self, r: Reflection) -> str:
        ids = self.study.course.lesson_ids
        return self.t("jw.lesson_n", n=ids.index(r.lesson) + 1) if r.lesson in ids else r.lesson

    def refresh_list(self) -> None:
        """Show the reflections that pass the filters, grouped by date (an OptionList stays fast at 10,000)."""
        self.shown = select(self.everything, self.filter, self.prompt_texts())
        self.by_option = {}
        view = self.query_one("#entries", OptionList)
        options: list[Option] = []
        for day, entries in by_date(self.shown[:MAX_ROWS]):
            options.append(Option(inert(formats.day(day, self.study.lang)).stylize("bold"), disabled=True))
            for r in entries:
                first = next((line for line in r.text.splitlines() if line.strip()), "")
                star = "★ " if r.starred else ""
                tags = "".join(f" #{t}" for t in r.tags)
                at = formats.clock(r.created.astimezone(), self.study.lang)
                head = f"{star}{at} · {self.lesson_number(r)} · {self.prompt_label(r)}{tags}"
                options.append(Option(inert(f"{head}\n  {first[:100]}"), id=r.id))
                self.by_option[r.id] = r
        view.clear_options()
        view.add_options(options)
        first_entry = next((i for i, o in enumerate(options) if o.id is not None), None)
        view.highlighted = first_entry
        if len(self.shown) > MAX_ROWS:
            count = self.t("jw.count_capped", rows=MAX_ROWS, shown=len(self.shown), total=len(self.everything))
        else:
            count = self.t("jw.count", shown=len(self.shown), total=len(self.everything))
        self.query_one("#journal-count", Static).update(inert(count))
        self.show_entry(self.shown[0] if self.shown else None)

    def current(self) -> Reflection | None:
        view = self.query_one("#entries", OptionList)
        if view.highlighted is None:
            return None
        option = view.get_option_at_index(view.highlighted)
        return self.by_option.get(option.id or "")

    def show_entry(self, r: Reflection | None) -> None:
        meta, text = self.query_one("#entry-meta", Static), self.query_one("#entry-text", Static)
        if r is None:
            meta.update(inert(self.t("jw.empty") if not self.everything else self.t("jw.no_match")))
            text.update("")
            return
        study = self.study
        title = study.course.lesson(r.lesson, study.lang).title if r.lesson in study.course.lesson_ids else r.lesson
        lines = [title, self.prompt_label(r)]
        prompt_text = self.prompt_texts().get((r.lesson, r.prompt))
        if prompt_text:
            lines.append(prompt_text)
        when = self.t("jw.written", when=formats.moment(r.created.astimezone(), study.lang))
        if r.updated != r.created:
            when += " · " + self.t("reflect.edited", when=formats.moment(r.updated.astimezone(), study.lang))
        lines.append(when)
        extra = []
        if r.starred:
            extra.append("★")
        extra += [f"#{t}" for t in r.tags]
        if r.versions:
            extra.append(self.t("jw.versions_n", n=len(r.versions)))
        if extra:
            lines.append(" ".join(extra))
        meta.update(inert("\n".join(lines)))
        text.update(inert(r.text))

    # --- filters -----------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.filter = JournalFilter(**{**self.filter.__dict__, "words": event.value})
            # Redraw once typing pauses, so fast typing never waits for the list.
            if self.search_timer is not None:
                self.search_timer.stop()
            self.search_timer = self.set_timer(SEARCH_PAUSE, self.refresh_list)
        elif event.input.id in ("f-since", "f-until"):
            value = event.value.strip()
            day: date | None = None
            if value:
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    return  # not a whole date yet; keep filtering by the last good one
            key = "since" if event.input.id == "f-since" else "until"
            self.filter = JournalFilter(**{**self.filter.__dict__, key: day})
            self.refresh_list()

    def on_select_changed(self, event: Select.Changed) -> None:
        value = event.value if isinstance(event.value, str) and event.value != NO_FILTER else None
        key = "lesson" if event.select.id == "f-lesson" else "tag"
        if getattr(self.filter, key) != value:
            self.filter = JournalFilter(**{**self.filter.__dict__, key: value})
            self.refresh_list()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.filter = JournalFilter(**{**self.filter.__dict__, "starred": event.value})
        self.refresh_list()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        r = self.by_option.get(event.option.id or "")
        if r is not None:
            self.show_entry(r)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        r = self.by_option.get(event.option.id or "")
        if r is not None:
            self.open(r)

    # --- actions -----------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, Input | Select | Checkbox):
            self.query_one("#entries", OptionList).focus()
            return
        self.app.pop_screen()

    def action_edit(self) -> None:
        r = self.current()
        if r is not None:
            self.open(r)

    def open(self, r: Reflection) -> None:
        from course.tui.reflect import ReflectScreen

        self.app.push_screen(ReflectScreen(r.lesson, editing=r, back_to_caller=True), lambda _: self.reload())

    def attempt(self, action: Callable[[], object]) -> bool:
        """Run a change to the journal; a refusal (read-only, full disk) is shown, never a crash."""
        try:
            action()
        except TillitError as err:
            self.notify(describe(err, self.study.lang), severity="error", markup=False)
            return False
        return True

    def replace_entry(self, new: Reflection) -> None:
        self.everything = [new if x.id == new.id else x for x in self.everything]
        self.refresh_list()

    def action_star(self) -> None:
        r = self.current()
        if r is not None:
            self.attempt(lambda: self.replace_entry(self.study.set_star(r, not r.starred)))

    def action_tags(self) -> None:
        r = self.current()
        if r is None:
            return
        from course.tui.dialogs import AskDialog

        def done(answer: str | None) -> None:
            if answer is not None:
                tags = [t for t in answer.replace(",", " ").split() if t.strip("#")]
                if self.attempt(lambda: self.replace_entry(self.study.set_tags(r, [t.strip("#") for t in tags]))):
                    self.reload()

        self.app.push_screen(AskDialog(self.t("jw.tags_ask"), " ".join(r.tags), self.study.lang), done)

    def action_delete(self) -> None:
        r = self.current()
        if r is None:
            return

        def done(answer: bool | None) -> None:
            if answer:
                if not self.attempt(lambda: self.study.delete_reflection(r)):
                    return
                self.deleted.append(r)
                self.everything = [x for x in self.everything if x.id != r.id]
                self.refresh_list()
                self.notify(self.t("jw.deleted"), markup=False, timeout=10)

        first = next((line for line in r.text.splitlines() if line.strip()), "")[:60]
        self.app.push_screen(ConfirmDialog(self.t("jw.delete_ask", preview=first), self.study.lang), done)

    def action_undo(self) -> None:
        if not self.deleted:
            return
        r = self.deleted[-1]
        if not self.attempt(lambda: self.study.restore_reflection(r.lesson, r.id)):
            return
        self.deleted.pop()
        self.reload()
        self.notify(self.t("jw.restored"), markup=False)

    def action_versions(self) -> None:
        r = self.current()
        if r is None:
            return
        lang = self.study.lang
        parts = [f"{self.t('jw.now')} ({formats.moment(r.updated.astimezone(), lang)})", r.text, ""]
        for v in reversed(r.versions):
            parts += [formats.moment(v.saved.astimezone(), lang), v.text, ""]
        if not r.versions:
            parts.append(self.t("jw.no_versions"))
        self.app.push_screen(TextDialog(self.t("jw.versions_title"), "\n".join(parts), self.study.lang))

    def action_then_and_now(self) -> None:
        r = self.current()
        if r is None:
            return
        from course.tui.dialogs import ColumnsDialog

        answers = then_and_now(self.everything, r.lesson, r.prompt)
        lead = self.prompt_texts().get((r.lesson, r.prompt), self.prompt_label(r))
        columns = [(formats.day(a.created.astimezone().date(), self.study.lang), a.text) for a in answers]
        self.app.push_screen(ColumnsDialog(self.t("jw.then_and_now"), lead, columns, self.study.lang))

    def action_export(self) -> None:
        assessments = self.tillit.practice.assessments() if self.study.course.assessment else []
        self.app.push_screen(ExportDialog(self.shown, self.study, assessments))


class ExportDialog(ModalScreen[None]):
    """Export the reflections shown (with the current filters) as Markdown, HTML or TOML."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, reflections: Sequence[Reflection], study: Study, assessments: Sequence[Assessment]) -> None:
        super().__init__()
        self.reflections = list(reflections)
        self.study = study
        self.assessments = list(assessments)

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.study.lang, **values)

    def default_path(self, fmt: str) -> str:
        return str(here() / f"tillit-journal-{date.today().isoformat()}.{fmt}")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(inert(self.t("jx.title", count=len(self.reflections))), classes="dialog-title")
            with RadioSet(id="format"):
                for fmt in FORMATS:
                    yield RadioButton(self.t(f"jx.format.{fmt}"), value=fmt == "html", name=fmt)
            yield Input(editable(self.default_path("html")), id="path")
            yield Static(id="export-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.t("jx.save") + " ⏎", id="save", variant="primary")
                yield Button(tr("dialog.cancel", self.study.lang) + " (esc)", id="cancel")

    def fmt(self) -> str:
        pressed = self.query_one("#format", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "html"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        path = self.query_one("#path", Input)
        stem = path.value.rsplit(".", 1)[0] if "." in Path(path.value).name else path.value
        path.value = f"{stem}.{self.fmt()}"

    def on_input_submitted(self) -> None:
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()
        else:
            self.dismiss(None)

    def save(self) -> None:
        target = Path(self.query_one("#path", Input).value).expanduser()
        text = render(self.reflections, self.study.course, self.study.lang, self.fmt(), self.assessments)
        try:
            write(target, text)
        except TillitError as err:
            self.query_one("#export-status", Static).update(inert("✗ " + describe(err, self.study.lang)))
            return
        self.app.notify(self.t("jx.done", count=len(self.reflections), path=target), markup=False, timeout=10)
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
