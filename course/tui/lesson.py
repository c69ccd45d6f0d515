"""Reading a lesson: title, objectives, the Markdown body, key points and source quotes, with contents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Mount
from textual.message import Message
from textual.widgets import Footer, Header, Markdown, MarkdownViewer, Static, Tree
from textual.widgets.tree import TreeNode

from course.content.model import Lesson
from course.content.terminal_text import visible
from course.learner.progress import Place
from course.tui.base import TillitScreen, inert, inert_text

TOC_MIN_HEADINGS = 3
TOC_MIN_WIDTH = 110
TOC_MARK = "▸ "
"""Before the contents entry of the section being read (a mark that reads without colour too)."""


@dataclass(frozen=True)
class Spot:
    """A reading place that holds across languages: the section at the top of the view (its index among
    the page's headings, -1 before the first) and how far into it, and how far into the whole page."""

    section: int
    into_section: float
    into_page: float


def lesson_markdown(screen: TillitScreen, lesson: Lesson) -> str:
    """The whole page as one Markdown document, so the contents list covers every part."""
    course = screen.study.course
    parts = [f"# {lesson.title}", "", f"*{lesson.summary}*", "", f"## {screen.t('lesson.objectives')}", ""]
    parts += [f"- {item}" for item in lesson.objectives]
    parts += ["", lesson.body.strip(), ""]
    if lesson.key_points:
        parts += [f"## {screen.t('lesson.key_points')}", ""]
        parts += [f"- {item}" for item in lesson.key_points]
        parts.append("")
    if lesson.discussions:
        parts += [f"## {screen.t('lesson.discuss')}", ""]
        parts += [f"- {item.text}" for item in lesson.discussions]
        parts.append("")
    if lesson.sources:
        parts += [f"## {screen.t('lesson.sources')}", ""]
        for quote in lesson.sources:
            parts += [f"> {screen.quoted(quote)}", ""]
        src = course.source
        if src:
            parts.append(
                screen.t(
                    "lesson.source_credit",
                    author=src.get("author", ""),
                    title=src.get("title", ""),
                    publisher=src.get("publisher", ""),
                    date=src.get("date", ""),
                )
            )
            parts.append("")
    parts += ["---", "", screen.t("lesson.next_steps"), ""]
    return "\n".join(parts)


class LessonView(MarkdownViewer):
    """The lesson page; restores a scroll position once laid out and reports reaching the end."""

    class ReachedEnd(Message):
        """The learner has scrolled to the end of the lesson (or it fits on one screen)."""

    def __init__(self, markdown: str, scroll: int, show_toc: bool, spot: Spot | None = None) -> None:
        super().__init__(visible(markdown), show_table_of_contents=show_toc, open_links=False, id="lesson-view")
        self.start_scroll = scroll
        self.start_spot = spot  # after a change of language: the same section, not the same line
        self.restored = False
        self.announced = False
        self.spot: Spot | None = None  # where the learner is reading, kept while the page reflows
        self.marked: int | None = None  # the section marked in the contents
        self.labels: dict[int, Any] = {}  # section -> its contents entry's own label, while it is marked

    async def _on_mount(self, _: Mount) -> None:  # type: ignore[override]  # MarkdownViewer's is async
        await super()._on_mount(_)
        self.call_after_refresh(self.restore)

    def restore(self) -> None:
        """Put the page where the learner was reading, once it is on screen: a lesson opened under its quiz
        or reflection (Continue) waits until it is in front (LessonScreen.on_screen_resume), as it has no
        size before, and so could neither keep its place nor tell whether it has been read to the end."""
        if self.restored or not self.screen.is_current or not self.size.height:
            return  # again when the screen is in front (on_screen_resume) and the page laid out (on_resize)
        y = self.start_scroll if self.start_spot is None else self.spot_y(self.start_spot)
        self.scroll_to(y=y, animate=False, immediate=True)
        self.restored = True
        self.spot = self.reading_spot()
        self._check_end()
        self.mark_section()

    def keep_place(self) -> None:
        """After the page reflows (a new width, the contents opened beside it), go back to the same spot:
        its lines moved, the learner's place in the text did not."""

        def back() -> None:
            if self.spot is not None:
                self.scroll_to(y=self.spot_y(self.spot), animate=False, immediate=True)

        self.call_after_refresh(back)

    def on_resize(self) -> None:
        if not self.restored:
            self.call_after_refresh(self.restore)
        else:
            self.keep_place()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.restored:
            self.spot = self.reading_spot()
            self._check_end()
            self.mark_section()

    # --- sections ----------------------------------------------------------------------------------

    def section_tops(self) -> list[int]:
        """Where each heading of the page starts, in lines from the top, in page order."""
        document = self.query_one(Markdown)
        top = document.virtual_region.y
        return [top + document.query_one(f"#{block}").virtual_region.y for _, _, block in document.table_of_contents]

    def current_section(self) -> int:
        """The section at the top of the view: the last heading at or above its first line (-1: none yet)."""
        tops = self.section_tops()
        return max((n for n, y in enumerate(tops) if y <= self.scroll_y + 1), default=-1)

    def reading_spot(self) -> Spot:
        """Where the learner is reading, as a Spot."""
        tops = self.section_tops()
        section = self.current_section()
        start = tops[section] if section >= 0 else 0
        end = tops[section + 1] if section + 1 < len(tops) else self.virtual_size.height
        into = (self.scroll_y - start) / (end - start) if end > start else 0.0
        page = self.scroll_y / self.max_scroll_y if self.max_scroll_y else 0.0
        return Spot(section, min(max(into, 0.0), 1.0), page)

    def spot_y(self, spot: Spot) -> int:
        """The line a Spot taken on another rendering of the page (another language) is at here: as far
        into the same section when the page has it, else as far into the page."""
        tops = self.section_tops()
        if spot.section >= len(tops):
            return round(spot.into_page * self.max_scroll_y)
        start = tops[spot.section] if spot.section >= 0 else 0
        end = tops[spot.section + 1] if spot.section + 1 < len(tops) else self.virtual_size.height
        return round(start + spot.into_section * (end - start))

    def contents_entries(self) -> list[TreeNode[Any]]:
        """The contents' entries, one per heading, in page order."""
        found: list[TreeNode[Any]] = []

        def walk(node: TreeNode[Any]) -> None:
            for child in node.children:
                if child.data is not None:
                    found.append(child)
                walk(child)

        walk(self.table_of_contents.query_one(Tree).root)
        return found

    def mark_section(self, force: bool = False) -> None:
        """Mark the section being read in the contents (TOC_MARK, and the contents' cursor on it)."""
        if not self.restored or not self.query(Tree):
            return
        section = self.current_section()
        if section == self.marked and not force:
            return
        entries = self.contents_entries()
        if self.marked is not None and self.marked < len(entries) and self.marked in self.labels:
            entries[self.marked].set_label(self.labels.pop(self.marked))
        self.marked = section
        if 0 <= section < len(entries):
            entry = entries[section]
            self.labels[section] = entry.label
            entry.set_label(inert_text(TOC_MARK) + entry.label)
            self.table_of_contents.query_one(Tree).move_cursor(entry)

    def on_markdown_table_of_contents_updated(self) -> None:
        self.marked, self.labels = None, {}  # the entries are built anew
        self.call_after_refresh(self.mark_section, True)

    def on_markdown_table_of_contents_selected(self, message: Markdown.TableOfContentsSelected) -> None:
        # Not Textual's own (animated) scroll to the heading: the page may reflow first, as the contents
        # close, so go to the section once it has (keep_place).
        message.prevent_default()
        message.stop()
        blocks = [block for _, _, block in self.query_one(Markdown).table_of_contents]
        if message.block_id in blocks:
            self.spot = Spot(blocks.index(message.block_id), 0.0, 0.0)
        self.keep_place()
        self.post_message(self.SectionChosen())

    class SectionChosen(Message):
        """The learner chose a section in the contents (the page is scrolling to it)."""

    def _check_end(self) -> None:
        if not self.announced and self.scroll_y >= self.max_scroll_y - 1:
            self.announced = True
            self.post_message(self.ReachedEnd())


class LessonScreen(TillitScreen):
    """One lesson, with previous/next, quiz and reflection one key away."""

    HELP_SECTION = "help.lesson"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("q", "quiz", "key.quiz"),
        Binding("w", "reflect", "key.reflect"),
        Binding("c", "commit", "key.commit", show=False),
        Binding("t", "toc", "key.toc"),
        Binding("p", "prev", "key.prev"),
        Binding("n", "next", "key.next"),
        Binding("f5", "present", "key.present", show=False),
    ]

    FOOTER_FIRST = ("help", "back", "quiz", "reflect", "next", "toc", "quit", "prev", "language", "journal")

    def __init__(self, lesson_id: str, scroll: int = 0) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.scroll = scroll
        self.show_toc: bool | None = None
        self.toc_opened = False  # the contents were opened with t on a screen too narrow to show them always
        self.spot: Spot | None = None  # where to read on after the page is drawn again in another language

    @property
    def lesson(self) -> Lesson:
        return self.study.course.lesson(self.lesson_id, self.study.lang)

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        if self.show_toc is None:
            self.show_toc = len(lesson.headings) >= TOC_MIN_HEADINGS and self.app.size.width >= TOC_MIN_WIDTH
        yield Header()
        yield Static(inert(self.meta()), id="lesson-meta")
        yield LessonView(lesson_markdown(self, lesson), self.scroll, self.show_toc, self.spot)
        self.spot = None
        yield Footer(show_command_palette=False)

    def meta(self) -> str:
        """Lesson n of N, its length and its status."""
        ids = self.study.course.lesson_ids
        return self.t(
            "lesson.meta",
            n=ids.index(self.lesson_id) + 1,
            total=len(ids),
            minutes=self.lesson.minutes,
            status=self.t(f"status.{self.study.shown_status(self.lesson_id)}"),
        )

    def on_mount(self) -> None:
        super().on_mount()
        if self.in_front():  # a lesson opened under its quiz or reflection (Continue) keeps quiet
            self.study.go(Place(self.lesson_id, "lesson", scroll=self.scroll))
            self.query_one("#lesson-meta", Static).update(inert(self.meta()))
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.study.course.title(self.study.lang)
        # Focus without scrolling to it: the page is put back where the learner was reading.
        self.query_one(LessonView).document.focus(scroll_visible=False)

    async def relocalize(self) -> None:
        """The page in the newly chosen language, at the same section (its lines differ between languages)."""
        views = self.query(LessonView)
        if views and views.first().restored:
            self.spot = views.first().reading_spot()
        await super().relocalize()

    def on_lesson_view_reached_end(self) -> None:
        self.study.mark_read(self.lesson_id)
        self.query_one("#lesson-meta", Static).update(inert(self.meta()))

    def current_scroll(self) -> int:
        views = self.query(LessonView)
        if not views or not views.first().restored:
            return self.scroll  # not on screen yet: the place it is to open at
        return round(views.first().scroll_y)

    def flush(self) -> bool:
        self.scroll = self.current_scroll()
        # Only the screen in front says where the learner is; a lesson under a quiz keeps quiet.
        if self.in_front():
            self.study.go(Place(self.lesson_id, "lesson", scroll=self.scroll))
        return True

    def on_screen_resume(self) -> None:
        self.query_one("#lesson-meta", Static).update(inert(self.meta()))
        for view in self.query(LessonView):
            if not view.restored:
                view.call_after_refresh(view.restore)  # opened under a quiz or reflection: in front now

    def action_back(self) -> None:
        view = self.query_one(LessonView)
        if view.table_of_contents.query_one(Tree).has_focus:  # out of the contents, back to the page
            self.leave_toc()
            return
        self.tillit.go_home()

    def leave_toc(self) -> None:
        """Back to the page from the contents (which close again when t opened them on a narrow screen)."""
        view = self.query_one(LessonView)
        if self.toc_opened:
            self.toc_opened = False
            view.show_table_of_contents = self.show_toc = False
            view.keep_place()
        view.document.focus(scroll_visible=False)

    def on_lesson_view_section_chosen(self) -> None:
        self.leave_toc()

    def action_commit(self) -> None:
        from course.tui.commitments import CommitDialog

        def done(commitment: object) -> None:
            if commitment is not None:
                self.notify(self.t("commit.saved"), markup=False)

        self.app.push_screen(CommitDialog(self.lesson_id, self.study.lang), done)

    def action_toc(self) -> None:
        """Open the contents with the section being read marked and chosen (enter goes there, esc back to
        the page); shown already (a wide screen), t goes into them; in them, t closes them."""
        view = self.query_one(LessonView)
        tree = view.table_of_contents.query_one(Tree)
        if view.show_table_of_contents and tree.has_focus:
            self.toc_opened = False
            view.show_table_of_contents = self.show_toc = False
            view.keep_place()
            view.document.focus(scroll_visible=False)
            return
        if not view.show_table_of_contents:
            self.toc_opened = True
            view.show_table_of_contents = self.show_toc = True
            view.keep_place()
        view.mark_section(force=True)
        self.call_after_refresh(tree.focus)

    def action_quiz(self) -> None:
        if self.study.course.quiz(self.lesson_id, self.study.lang) is None:
            self.notify(self.t("lesson.no_quiz"), markup=False)
            return
        self.study.mark_read(self.lesson_id)
        self.tillit.show(self.lesson_id, "quiz", self.scroll)

    def action_reflect(self) -> None:
        self.tillit.show(self.lesson_id, "reflect", self.scroll)

    def _neighbour(self, which: int, edge_message: str) -> None:
        target = self.study.course.neighbours(self.lesson_id)[which]
        if target is None:
            self.notify(self.t(edge_message), markup=False)
            return
        self.tillit.show(target)

    def action_prev(self) -> None:
        self._neighbour(0, "lesson.first")

    def action_next(self) -> None:
        self._neighbour(1, "lesson.last")

    def action_present(self) -> None:
        """Show this lesson to a room (slides, its discussion, its quiz, timers)."""
        self.tillit.present([self.lesson_id])
