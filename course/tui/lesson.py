"""Reading a lesson: title, objectives, the Markdown body, key points and source quotes, with contents."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Mount
from textual.message import Message
from textual.widgets import Footer, Header, MarkdownViewer, Static

from course.content.model import Lesson
from course.content.terminal_text import visible
from course.learner.progress import Place
from course.tui.base import TillitScreen, inert

TOC_MIN_HEADINGS = 3
TOC_MIN_WIDTH = 110


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
            parts += [f"> ”{quote}”", ""]
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

    def __init__(self, markdown: str, scroll: int, show_toc: bool) -> None:
        super().__init__(visible(markdown), show_table_of_contents=show_toc, open_links=False, id="lesson-view")
        self.start_scroll = scroll
        self.restored = False
        self.announced = False

    async def _on_mount(self, _: Mount) -> None:  # type: ignore[override]  # MarkdownViewer's is async
        await super()._on_mount(_)
        self.call_after_refresh(self._restore)

    def _restore(self) -> None:
        self.scroll_to(y=self.start_scroll, animate=False, immediate=True)
        self.restored = True
        self._check_end()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.restored:
            self._check_end()

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

    def __init__(self, lesson_id: str, scroll: int = 0) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.scroll = scroll
        self.show_toc: bool | None = None

    @property
    def lesson(self) -> Lesson:
        return self.study.course.lesson(self.lesson_id, self.study.lang)

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        if self.show_toc is None:
            self.show_toc = len(lesson.headings) >= TOC_MIN_HEADINGS and self.app.size.width >= TOC_MIN_WIDTH
        yield Header()
        yield Static(inert(self.meta()), id="lesson-meta")
        yield LessonView(lesson_markdown(self, lesson), self.scroll, self.show_toc)
        yield Footer(show_command_palette=False)

    def meta(self) -> str:
        """Lesson n of N, its length and its status."""
        ids = self.study.course.lesson_ids
        return self.t(
            "lesson.meta",
            n=ids.index(self.lesson_id) + 1,
            total=len(ids),
            minutes=self.lesson.minutes,
            status=self.t(f"status.{self.study.status(self.lesson_id)}"),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.study.go(Place(self.lesson_id, "lesson", scroll=self.scroll))
        self.after_recompose()

    def after_recompose(self) -> None:
        self.title = self.study.course.title(self.study.lang)
        self.query_one(LessonView).document.focus()

    def on_lesson_view_reached_end(self) -> None:
        self.study.mark_read(self.lesson_id)
        self.query_one("#lesson-meta", Static).update(inert(self.meta()))

    def current_scroll(self) -> int:
        views = self.query(LessonView)
        return round(views.first().scroll_y) if views else self.scroll

    def flush(self) -> bool:
        self.scroll = self.current_scroll()
        # Only the screen in front says where the learner is; a lesson under a quiz keeps quiet.
        if self.app.screen is self:
            self.study.go(Place(self.lesson_id, "lesson", scroll=self.scroll))
        return True

    def on_screen_resume(self) -> None:
        self.query_one("#lesson-meta", Static).update(inert(self.meta()))

    def action_back(self) -> None:
        self.tillit.go_home()

    def action_commit(self) -> None:
        from course.tui.commitments import CommitDialog

        def done(commitment: object) -> None:
            if commitment is not None:
                self.notify(self.t("commit.saved"), markup=False)

        self.app.push_screen(CommitDialog(self.lesson_id, self.study.lang), done)

    def action_toc(self) -> None:
        view = self.query_one(LessonView)
        view.show_table_of_contents = not view.show_table_of_contents
        self.show_toc = view.show_table_of_contents

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
