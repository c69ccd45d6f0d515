"""The journal workspace: every reflection by date, filters and search, and what can be done with one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import (
    Checkbox,
    Footer,
    Header,
    Input,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from course.errors import TillitError
from course.i18n import describe, formats
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection, Trashed, Version, with_version_restored
from course.learner.journal_query import JournalFilter, all_tags, by_date, select, then_and_now
from course.learner.progress import now
from course.tui.base import TillitScreen, editable, inert
from course.tui.dialogs import ConfirmDialog
from course.tui.journal_dialogs import ExportDialog, TrashDialog, VersionsDialog, first_line
from course.tui.quiz import MarkedCheckbox

if TYPE_CHECKING:

    pass

NO_FILTER = "*"
# The list lays out every row it holds; a few hundred keep each keystroke instant even with
# 10,000 reflections, and the count line says how to narrow down to the rest.
MAX_ROWS = 100
SEARCH_PAUSE = 0.08  # seconds of no typing before the list is redrawn
WATCH_SECONDS = 2.0  # how often the open journal looks for reflections saved beside it (a dozen stat calls)


def newest_first(reflections: list[Reflection]) -> list[Reflection]:
    """The journal's own order: newest change first (as JournalStore.all gives them)."""
    return sorted(reflections, key=lambda r: (r.updated, r.created, r.id), reverse=True)


class JournalScreen(TillitScreen):
    """Every reflection, newest first, grouped by date, with filters, live search and actions.

    The highlight stays on its reflection through everything that redraws the list (a star, tags,
    an edit, a filter that keeps it, a change of language, a reflection saved beside the open
    journal); after a delete it moves to the next one, after a restore to the restored one.
    """

    HELP_SECTION = "help.journal"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("enter", "edit", "key.edit", show=False),
        Binding("ctrl+f", "search", "key.search"),
        Binding("s", "star", "key.star"),
        Binding("t", "tags", "key.tags"),
        Binding("d", "delete", "key.delete"),
        Binding("u", "undo", "key.undo", show=False),
        Binding("r", "trash", "key.trash", show=False),
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
        self.selected_id: str | None = None  # the reflection the highlight is on (kept through every redraw)
        self.stamp: object = None  # the journal folders' times when it was last read (JournalStore.stamp)
        self._commitments: dict[str, str] | None = None  # commitment id -> text, read once (commitment_texts)

    # --- drawing -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        study = self.study
        yield Header()
        # Built again on a change of language: every filter shows what it filters by.
        yield Input(editable(self.filter.words), placeholder=self.t("jw.search"), id="search", compact=True)
        with Horizontal(id="journal-filters"):
            lessons = [
                (inert(f"{n}. {study.course.lesson(lid, study.lang).title}"), lid)
                for n, lid in enumerate(study.course.lesson_ids, 1)
            ]
            yield Select(
                [(inert(self.t("jw.all_lessons")), NO_FILTER), *lessons],
                value=NO_FILTER if self.filter.lesson is None else self.filter.lesson,
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
            yield MarkedCheckbox(self.t("jw.starred"), self.filter.starred, id="f-star", compact=True)
            since, until = (d.isoformat() if d else "" for d in (self.filter.since, self.filter.until))
            yield Input(since, placeholder=self.t("jw.since"), id="f-since", compact=True, max_length=10)
            yield Input(until, placeholder=self.t("jw.until"), id="f-until", compact=True, max_length=10)
        with Horizontal(id="journal-body"):
            yield OptionList(id="entries")
            with VerticalScroll(id="entry-view"):
                yield Static(id="entry-meta")
                yield Static(id="entry-text")
        yield Static(id="journal-count")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(WATCH_SECONDS, self.look_for_changes)
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.t("jw.title")
        self.query_one("#entry-meta", Static).update(inert(self.t("jw.loading")))
        self.reload()
        self.query_one("#entries", OptionList).focus()

    def reload(self, keep: str | None = None) -> None:
        """Read the journal again (after an edit elsewhere), off the UI thread, then show it, the highlight
        on `keep` (else where it is)."""
        if keep is not None:
            self.selected_id = keep
        self.stamp = self.study.journal.stamp()  # before reading: a save meanwhile makes the next look read again
        self.run_worker(self._read_all, thread=True, exclusive=True, group="journal-read")

    def _read_all(self) -> None:
        # 10,000 small files take most of a second to read: the screen stays usable meanwhile.
        everything = self.study.all_reflections()
        if not get_current_worker().is_cancelled:  # a newer read was started: it shows the journal
            self.app.call_from_thread(self.show_all, everything)

    def look_for_changes(self) -> None:
        """Read the journal again when a reflection was saved, deleted or restored beside this screen
        (`tillit journal add`, another window): a few stat calls, so it can run every few seconds."""
        if self.is_mounted and self.study.journal.stamp() != self.stamp:
            self.reload()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.look_for_changes()  # back from another screen or a dialog, which may have written to the journal

    def show_all(self, everything: list[Reflection]) -> None:
        """Show a freshly read journal with the current filters."""
        self.everything = everything
        tags = all_tags(self.everything)
        tag_select: Select[str] = self.query_one("#f-tag", Select)
        current = tag_select.value if tag_select.value != NO_FILTER else self.filter.tag
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

    def commitment_texts(self) -> dict[str, str]:
        """What each commitment meant to try, read once while the journal is open (a follow-up names it)."""
        if self._commitments is None:
            try:
                self._commitments = self.tillit.practice.commitment_texts()
            except TillitError:  # a damaged commitment file: the follow-up keeps its plain label
                self._commitments = {}
        return self._commitments

    def prompt_label(self, r: Reflection) -> str:
        if r.prompt == FOLLOW_UP_PROMPT:
            meant = self.commitment_texts().get(r.commitment)
            return self.t("journal.follow_up_of", text=first_line(meant)[:60]) if meant else self.t("journal.follow_up")
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

    def row(self, r: Reflection) -> str:
        """A reflection as the list shows it: star, time, lesson, prompt and tags, then its first line."""
        star = "★ " if r.starred else ""
        tags = "".join(f" #{t}" for t in r.tags)
        at = formats.clock(r.created.astimezone(), self.study.lang)
        return f"{star}{at} · {self.lesson_number(r)} · {self.prompt_label(r)}{tags}\n  {first_line(r.text)[:100]}"

    def refresh_list(self) -> None:
        """Show the reflections that pass the filters, grouped by date (an OptionList stays fast at 10,000),
        the highlight on the reflection it was on when that one is still shown (else on the first)."""
        self.shown = select(self.everything, self.filter, self.prompt_texts())
        self.by_option = {}
        view = self.query_one("#entries", OptionList)
        options: list[Option] = []
        for day, entries in by_date(self.shown[:MAX_ROWS]):
            options.append(Option(inert(formats.day(day, self.study.lang)).stylize("bold"), disabled=True))
            for r in entries:
                options.append(Option(inert(self.row(r)), id=r.id))
                self.by_option[r.id] = r
        keep = self.selected_id
        view.clear_options()
        view.add_options(options)
        ids = [o.id for o in options]
        first_entry = next((i for i, o in enumerate(options) if o.id is not None), None)
        view.highlighted = ids.index(keep) if keep is not None and keep in ids else first_entry
        if len(self.shown) > MAX_ROWS:
            count = self.t("jw.count_capped", rows=MAX_ROWS, shown=len(self.shown), total=len(self.everything))
        else:
            count = formats.plural("jw.count", len(self.everything), self.study.lang, shown=len(self.shown))
        self.query_one("#journal-count", Static).update(inert(count))
        self.show_entry(self.current())

    def current(self) -> Reflection | None:
        view = self.query_one("#entries", OptionList)
        if view.highlighted is None or view.highlighted >= view.option_count:
            return None
        option = view.get_option_at_index(view.highlighted)
        return self.by_option.get(option.id or "")

    def neighbour(self, r: Reflection) -> str | None:
        """The reflection below `r` in the list (above it when `r` is the last): where the highlight goes
        when `r` is deleted."""
        view = self.query_one("#entries", OptionList)
        ids = [view.get_option_at_index(i).id for i in range(view.option_count)]
        if r.id not in ids:
            return None
        at = ids.index(r.id)
        below = [i for i in ids[at + 1 :] if i is not None]
        above = [i for i in ids[:at] if i is not None]
        return below[0] if below else above[-1] if above else None

    def show_entry(self, r: Reflection | None) -> None:
        meta, text = self.query_one("#entry-meta", Static), self.query_one("#entry-text", Static)
        if r is None:
            meta.update(inert(self.t("jw.empty") if not self.everything else self.t("jw.no_match")))
            text.update("")
            return
        self.selected_id = r.id
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
            extra.append(formats.plural("jw.versions_n", len(r.versions), self.study.lang))
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
        if self.filter.starred != event.value:
            self.filter = JournalFilter(**{**self.filter.__dict__, "starred": event.value})
            self.refresh_list()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "entries":
            r = self.current()  # what is highlighted now (the message may be older than the list)
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

        editor = ReflectScreen(r.lesson, editing=r, back_to_caller=True)
        # Back in the journal, the highlight is on the reflection edited last (the editor can switch to another).
        self.app.push_screen(editor, lambda _: self.reload(keep=(editor.editing or r).id))

    def attempt(self, action: Callable[[], object]) -> bool:
        """Run a change to the journal; a refusal (read-only, full disk) is shown, never a crash."""
        try:
            action()
        except TillitError as err:
            self.notify(describe(err, self.study.lang), severity="error", markup=False)
            return False
        return True

    def replace_entry(self, new: Reflection) -> None:
        self.everything = newest_first([new if x.id == new.id else x for x in self.everything])
        self.refresh_list()

    def put_back(self, restored: Reflection) -> None:
        """Show a reflection that is back from the trash, highlighted."""
        self.deleted = [x for x in self.deleted if x.id != restored.id]
        self.everything = newest_first([*(x for x in self.everything if x.id != restored.id), restored])
        self.selected_id = restored.id
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
                    self.reload(keep=r.id)  # the tag filter's list of tags

        self.app.push_screen(AskDialog(self.t("jw.tags_ask"), " ".join(r.tags), self.study.lang), done)

    def action_delete(self) -> None:
        r = self.current()
        if r is None:
            return

        def done(answer: bool | None) -> None:
            if answer:
                after = self.neighbour(r)
                if not self.attempt(lambda: self.study.delete_reflection(r)):
                    return
                self.deleted.append(r)
                self.everything = [x for x in self.everything if x.id != r.id]
                self.selected_id = after
                self.refresh_list()
                self.notify(self.t("jw.deleted"), markup=False, timeout=10)

        preview = first_line(r.text)[:60]
        self.app.push_screen(ConfirmDialog(self.t("jw.delete_ask", preview=preview), self.study.lang), done)

    def action_undo(self) -> None:
        if not self.deleted:
            return
        r = self.deleted[-1]
        back: list[Reflection] = []
        if not self.attempt(lambda: back.append(self.study.restore_reflection(r.lesson, r.id))):
            return
        self.put_back(back[0])
        self.notify(self.t("jw.restored"), markup=False)

    def action_trash(self) -> None:
        """The deleted reflections, any of which can be put back (not only the last one, as u does)."""
        trashed = self.study.journal.trashed()

        def done(chosen: Trashed | None) -> None:
            if chosen is None:
                return
            r = chosen.reflection
            back: list[Reflection] = []
            if self.attempt(lambda: back.append(self.study.restore_reflection(r.lesson, r.id))):
                self.put_back(back[0])
                self.notify(self.t("jw.restored"), markup=False)

        self.app.push_screen(TrashDialog(trashed, self), done)

    def action_versions(self) -> None:
        r = self.current()
        if r is None:
            return

        def done(version: Version | None) -> None:
            if version is None:
                return
            changed: list[Reflection] = []

            def restore() -> None:
                self.study.check_writable()
                changed.append(
                    self.study.journal.update(
                        reflection=r, change=lambda saved: with_version_restored(saved, version, now())
                    )
                )

            if self.attempt(restore):
                self.replace_entry(changed[0])
                when = formats.moment(version.saved.astimezone(), self.study.lang)
                self.notify(self.t("jw.version_restored", when=when), markup=False, timeout=10)

        self.app.push_screen(VersionsDialog(r, self.study.lang), done)

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
        self.app.push_screen(ExportDialog(self.shown, self.study, assessments, self.commitment_texts()))
