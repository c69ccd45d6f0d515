"""Issue 13, resume and place, the home and lesson screens, and the words of the UI: Continue keeps its target
however quickly the learner quits, reopens the draft left, f2 keeps the reading place by section, a lesson
begun shows "in progress", the contents mark the section being read, footers show what fits, and every word
a learner sees (the palette, the ctrl+c hint, the read-only sentence, counts, quotation marks) is in their
language."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandInput, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Markdown, Static, TextArea, Tree
from textual.widgets._footer import FooterKey

from course.content.model import Course
from course.i18n import describe, formats, tr
from course.learner.progress import STATUSES
from course.learner.study import Study
from course.tui.app import TillitApp
from course.tui.home import HomeScreen
from course.tui.lesson import LessonScreen, LessonView, lesson_markdown
from course.tui.quiz import QuizScreen
from course.tui.reflect import ReflectScreen
from tests.tui_helpers import journal_files, new_app, read, screen_text, showing, shows, toasts, until

LESSON = "trust-culture"
SIZES = [(80, 24), (160, 48)]
LANGS = ["sv", "en"]


def place(data: Path) -> dict[str, Any]:
    return dict(read(data / "progress.toml")["place"])


async def home(pilot: Pilot[Any]) -> HomeScreen:
    await until(pilot, lambda: showing(pilot.app, HomeScreen)() and pilot.app.screen.query("#lessons"), "home")
    screen = pilot.app.screen
    assert isinstance(screen, HomeScreen)
    return screen


async def lesson_view(pilot: Pilot[Any]) -> LessonView:
    """The lesson in front, once it is laid out and put where the learner was reading."""
    app = pilot.app
    await until(
        pilot,
        lambda: showing(app, LessonScreen)() and app.screen.query_one(LessonView).restored,
        "the lesson, restored",
    )
    return app.screen.query_one(LessonView)


MARK = "▸ "  # before the contents entry of the section being read (course.tui.lesson.MARK)


def tops(view: LessonView) -> list[int]:
    """Where each heading of the page starts, in lines from its top (measured here, not asked of the view)."""
    document = view.query_one(Markdown)
    return [
        document.virtual_region.y + document.query_one(f"#{block}").virtual_region.y
        for _, _, block in document.table_of_contents
    ]


def section(view: LessonView) -> int:
    """The section whose heading is at or above the view's first line."""
    return max((n for n, y in enumerate(tops(view)) if y <= view.scroll_y + 1), default=-1)


def status_cell(app: TillitApp, lesson_id: str) -> str:
    table: DataTable[Any] = app.screen.query_one("#lessons", DataTable)
    return str(table.get_cell(lesson_id, "status"))


# --- 1. Continue keeps its target, even when the learner quits at once --------------------------------------


@pytest.mark.parametrize("view", ["reflect", "quiz"])
async def test_continue_keeps_its_target_after_a_resume_and_an_immediate_quit(
    course: Course, data_dir: Path, view: str
) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        if view == "reflect":
            await pilot.press("w")
            await until(pilot, showing(app, ReflectScreen))
            await pilot.press(*"A first draft")
        else:
            await pilot.press("q")
            await until(pilot, lambda: showing(app, QuizScreen)() and app.screen.query("#options"))
            screen = app.screen
            assert isinstance(screen, QuizScreen)
            ids = [o.id for o in screen.choices()]
            await pilot.press(str(ids.index(sorted(screen.question.correct_ids)[0]) + 1), "enter")
            await until(pilot, lambda: getattr(app.screen, "phase", "") == "feedback")
            await pilot.press("enter")
            await until(pilot, shows(app, "Question 2 of 5"))
        await pilot.press("ctrl+q")
    before = place(data_dir)
    assert before["view"] == view

    # Continue opens the lesson and the quiz or reflection over it in one go; quit before anything settles.
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("c", "ctrl+q")
    assert place(data_dir) == before, "the lesson under the quiz or reflection recorded its place over theirs"

    # and once more, letting every screen mount before quitting
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        where = "reflection" if view == "reflect" else "quiz, question 2"
        assert f"Continue: What characterises a trust culture? – {where}" in screen_text(app)
        await pilot.press("c")
        kind = ReflectScreen if view == "reflect" else QuizScreen
        await until(pilot, showing(app, kind))
        lesson = app.screen_stack[-2]
        assert isinstance(lesson, LessonScreen)
        await until(pilot, lambda: lesson.is_mounted and bool(lesson.query(LessonView)))
        await pilot.press("ctrl+q")
    assert place(data_dir) == before


async def test_continue_reopens_the_draft_with_the_cursor_at_its_end_and_the_lesson_where_it_was(
    course: Course, data_dir: Path
) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("enter")
        view = await lesson_view(pilot)
        view.scroll_to(y=12, animate=False, immediate=True)
        await until(pilot, lambda: view.scroll_y == 12)
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        await pilot.press(*"Most of my week")
        await pilot.press("ctrl+q")
    assert place(data_dir) == {"lesson": LESSON, "view": "reflect", "scroll": 12, "question": 0}

    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("c")
        await until(pilot, lambda: showing(app, ReflectScreen)() and app.screen.query("#editor"))
        area = app.screen.query_one("#editor", TextArea)
        await until(pilot, lambda: area.text == "Most of my week", "the draft in the editor")
        assert area.cursor_location == area.document.end
        await pilot.press(*" is control")
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: len(journal_files(data_dir)) == 1 and "is control" in read(journal_files(data_dir)[0])["text"],
        )
        assert read(journal_files(data_dir)[0])["text"] == "Most of my week is control", "the same draft, not a new one"
        # back to the lesson: where the learner stopped reading, and not read to its end just by being under
        await pilot.press("escape")
        view = await lesson_view(pilot)
        assert round(view.scroll_y) == 12
        assert app.study.status(LESSON) == "not_started"


# --- 2. f2 keeps the reading place, by section ------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_f2_mid_lesson_keeps_the_section_being_read(
    course: Course, data_dir: Path, size: tuple[int, int]
) -> None:
    app = new_app(course, data_dir, "sv")
    async with app.run_test(size=size) as pilot:
        await home(pilot)
        await pilot.press("enter")
        view = await lesson_view(pilot)
        heads = tops(view)
        assert len(heads) > 5
        target = heads[4] + 3  # three lines into the fifth section
        view.scroll_to(y=target, animate=False, immediate=True)
        await until(pilot, lambda: view.scroll_y == target)
        assert section(view) == 4
        await pilot.press("f2")
        await until(
            pilot,
            lambda: app.study.lang == "en" and app.screen.query_one(LessonView) is not view,
            "the lesson drawn again in English",
        )
        again = await lesson_view(pilot)
        assert section(again) == 4, f"f2 left the section; now at line {again.scroll_y}"
        assert 0 < again.scroll_y - tops(again)[4] < 10, "about as far into it"
        await pilot.press("f2")
        back = await lesson_view(pilot)
        await until(pilot, lambda: app.study.lang == "sv" and section(back) == 4)


# --- 3. a lesson begun is "in progress" -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_a_lesson_half_read_or_with_its_quiz_started_is_in_progress(
    course: Course, data_dir: Path, lang: str
) -> None:
    second = course.lesson_ids[1]
    words = {
        "sv": {"not_started": "○ Ej påbörjad", "in_progress": "◔ Påbörjad", "read": "◐ Läst"},
        "en": {"not_started": "○ Not started", "in_progress": "◔ In progress", "read": "◐ Read"},
    }[lang]
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        assert status_cell(app, LESSON) == words["not_started"]
        # half read: opened, scrolled a little, left
        await pilot.press("enter")
        view = await lesson_view(pilot)
        assert words["in_progress"] in screen_text(app), "the lesson's own line says it is begun"
        view.scroll_to(y=10, animate=False, immediate=True)
        await until(pilot, lambda: view.scroll_y == 10)
        await pilot.press("escape")
        await home(pilot)
        await until(pilot, lambda: status_cell(app, LESSON) == words["in_progress"])
        # read to the end: read; its quiz started: in progress again
        await pilot.press("enter")
        view = await lesson_view(pilot)
        view.scroll_end(animate=False, immediate=True)
        await until(pilot, lambda: app.study.status(LESSON) == "read")
        await pilot.press("escape")
        await home(pilot)
        await until(pilot, lambda: status_cell(app, LESSON) == words["read"])
        await pilot.press("q")
        await until(pilot, lambda: showing(app, QuizScreen)() and app.screen.query("#options"))
        await pilot.press("escape")
        await until(pilot, showing(app, LessonScreen))
        await pilot.press("escape")
        await home(pilot)
        await until(pilot, lambda: status_cell(app, LESSON) == words["in_progress"])
        # a quiz started from home, its lesson never opened
        await pilot.press("down", "q")
        await until(pilot, lambda: showing(app, QuizScreen)() and app.screen.query("#options"))
        await pilot.press("ctrl+q")
    saved = read(data_dir / "progress.toml")["lessons"]
    assert {s["status"] for s in saved.values()} <= set(STATUSES), "only statuses an older Tillit can read"
    again = Study(course, data_dir, lang)
    assert (again.shown_status(LESSON), again.shown_status(second)) == ("in_progress", "in_progress")
    assert again.shown_status(course.lesson_ids[2]) == "not_started"


# --- 4. the contents: focused, the current section marked ---------------------------------------------------


def contents(app: TillitApp) -> Tree[Any]:
    return app.screen.query_one(LessonView).table_of_contents.query_one(Tree)


def chosen_entry(app: TillitApp) -> str:
    """The words of the contents entry the contents' cursor is on ("" for none)."""
    node = contents(app).cursor_node
    return "" if node is None else str(node.label)


@pytest.mark.parametrize("size", SIZES)
async def test_the_contents_open_focused_on_the_section_being_read(
    course: Course, data_dir: Path, size: tuple[int, int]
) -> None:
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=size) as pilot:
        await home(pilot)
        await pilot.press("enter")
        view = await lesson_view(pilot)
        target = tops(view)[3] + 1
        view.scroll_to(y=target, animate=False, immediate=True)
        await until(pilot, lambda: view.scroll_y == target)
        await pilot.press("t")
        tree = contents(app)
        await until(pilot, lambda: tree.has_focus, "the contents have focus")
        heading = view.query_one(Markdown).table_of_contents[3][1]
        assert chosen_entry(app).startswith(MARK) and heading in chosen_entry(app), "the section being read"
        assert sum(MARK in line for line in screen_text(app).splitlines()) == 1, "one section is marked"
        # enter goes to the chosen section and back to the page
        await pilot.press("down", "enter")
        await until(pilot, lambda: view.document.has_focus and section(view) == 4, "on at section 5")
        assert view.show_table_of_contents == (size[0] >= 110), "opened with t on a narrow screen: closed again"
        if view.show_table_of_contents:  # shown all along: the mark follows the reading
            fifth = view.query_one(Markdown).table_of_contents[4][1]
            await until(pilot, lambda: chosen_entry(app).startswith(MARK) and fifth in chosen_entry(app))
        # t then esc: into the contents and out again, still in the lesson
        await pilot.press("t")
        await until(pilot, lambda: contents(app).has_focus)
        await pilot.press("escape")
        await until(pilot, lambda: view.document.has_focus)
        assert showing(app, LessonScreen)()


# --- 5. layout: footers that fit, a home table that fits its rows ------------------------------------------


def footer_keys(app: TillitApp) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
async def test_home_and_lesson_footers_show_whole_entries_that_fit(
    course: Course, data_dir: Path, lang: str, size: tuple[int, int]
) -> None:
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=size) as pilot:
        for screen in ("home", "lesson"):
            if screen == "lesson":
                await pilot.press("enter")
                await lesson_view(pilot)
            else:
                await home(pilot)
            await until(pilot, lambda: bool(footer_keys(app)) and all(k.region.width for k in footer_keys(app)))
            keys = footer_keys(app)
            assert all(k.description for k in keys), "a key without its label"
            assert max(k.region.right for k in keys) <= size[0], "the footer runs off the screen"
            assert "help" in {k.action for k in keys}, "f1 is always there"
            if size[0] >= 160:
                wanted = {"continue", "quiz", "reflect", "reset", "help", "language", "journal", "quit"}
                if screen == "lesson":
                    wanted = {"back", "quiz", "reflect", "toc", "prev", "next", "help", "language", "journal", "quit"}
                assert {k.action for k in keys} == wanted, "a wide screen shows every key"
        # narrower again: the footer fits itself to the new width
        await pilot.resize_terminal(60, 24)
        await until(pilot, lambda: bool(footer_keys(app)) and max(k.region.right for k in footer_keys(app)) <= 60)


@pytest.mark.parametrize("lang", LANGS)
async def test_the_home_table_at_160_by_48_has_no_gap_and_the_summary_sits_under_it(
    course: Course, data_dir: Path, lang: str
) -> None:
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await home(pilot)
        table = screen.query_one("#lessons", DataTable)
        summary = screen.query_one("#summary", Static)
        rows = len(course.lesson_ids) + 1
        await until(pilot, lambda: table.region.height == rows, "the table as tall as its rows")
        assert summary.region.y - table.region.bottom <= 1, "the summary right under the table"
        titles = {lid: course.lesson(lid, lang).title for lid in course.lesson_ids}
        longest = max(titles, key=lambda lid: len(titles[lid]))
        line = next(line for line in screen_text(app).splitlines() if titles[longest] in line)
        after = line.index(titles[longest]) + len(titles[longest])
        assert line.index(tr("status.not_started", lang)) - after <= 3, "the status stands beside the longest title"
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(80, 24)) as pilot:  # a course longer than the screen: the table scrolls
        screen = await home(pilot)
        table = screen.query_one("#lessons", DataTable)
        summary = screen.query_one("#summary", Static)
        await until(pilot, lambda: 3 < table.region.height < len(course.lesson_ids) + 1)
        assert summary.region.y - table.region.bottom <= 1 and summary.region.bottom <= 23, "all of it above the footer"


# --- 6. words: the palette, ctrl+c, read-only, plurals and quotation marks in the learner's language -------


async def test_the_palette_and_its_theme_command_speak_swedish(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir, "sv")
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query(CommandInput))
        field = app.screen.query_one(CommandInput)
        assert field.placeholder == "Sök en lektion eller ett kommando…"
        await pilot.press(*"tema")
        await until(pilot, shows(app, "Byt tema"))
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, CommandPalette)
                and app.screen.query_one(CommandInput).placeholder == "Sök ett tema…"
            ),
            "the themes, searched in Swedish",
        )
        await pilot.press("escape")
        await until(pilot, showing(app, HomeScreen))
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query(CommandInput))
        await pilot.press(*"qqxqzz")
        await until(pilot, shows(app, "Inget matchar."))
        text = screen_text(app)
        assert "No matches" not in text
        await pilot.press("escape")
        await until(pilot, showing(app, HomeScreen))
        names = [c.title for c in app.get_system_commands(app.screen)]
        assert not {"Theme", "Quit", "Keys", "Screenshot", "Maximize"} & set(names), names
        await pilot.press("ctrl+c")
        await until(pilot, lambda: any("ctrl+q avslutar" in t for t in toasts(app)))
        assert not any("Press" in t for t in toasts(app))


async def test_the_read_only_sentence_is_in_the_learners_language(course: Course, data_dir: Path) -> None:
    Study(course, data_dir, "sv")  # makes the folder
    study = Study(course, data_dir, "sv", read_only=True)
    try:
        study.reset_lesson(LESSON)
    except Exception as err:  # the refusal, said in Swedish and in English
        assert describe(err, "sv") == tr("data.read_only", "sv")
        assert describe(err, "en") == tr("data.read_only", "en")
    else:  # pragma: no cover - the refusal is the point
        raise AssertionError("a read-only study saved a reset")
    app = TillitApp(study)
    sentence = tr("data.read_only", "sv")
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await until(pilot, lambda: toasts(app).count(sentence) == 1, "said once on opening")
        await pilot.press("r")
        await until(pilot, lambda: not showing(app, HomeScreen)() and app.screen.query("Button"))
        await pilot.press("y")
        await until(pilot, lambda: toasts(app).count(sentence) == 2, "and again when the reset is refused")
        assert not any("Another Tillit" in t for t in toasts(app))


@pytest.mark.parametrize("lang", LANGS)
async def test_counts_on_home_take_the_right_plural(course: Course, data_dir: Path, lang: str) -> None:
    from course.learner.practice import Practice

    study = Study(course, data_dir, lang)
    practice = Practice(study)
    today = date.today()
    practice.add_commitment(course.lesson_ids[0], "Ask before I tell.", today - timedelta(days=1))
    expected = {
        "en": ("⏰ 1 commitment to follow up (k)", "⏰ 2 commitments to follow up (k)"),
        "sv": ("⏰ 1 åtagande att följa upp (k)", "⏰ 2 åtaganden att följa upp (k)"),
    }[lang]
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await home(pilot)
        await until(pilot, shows(app, expected[0]))
    practice.add_commitment(course.lesson_ids[1], "Share the news early.", today)
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await home(pilot)
        await until(pilot, shows(app, expected[1]))
    one = {"en": "↻ 1 question to review (v)", "sv": "↻ 1 fråga att repetera (v)"}[lang]
    many = {"en": "↻ 3 questions to review (v)", "sv": "↻ 3 frågor att repetera (v)"}[lang]
    assert (formats.plural("home.reviews_due", 1, lang), formats.plural("home.reviews_due", 3, lang)) == (one, many)
    single = {"en": "0 of 1 lesson completed (0%)", "sv": "0 av 1 lektion klar (0 %)"}[lang]
    assert formats.plural("home.progress", 1, lang, done=0, total=1, percent=0) == single


@pytest.mark.parametrize(("lang", "marks"), [("sv", ("”", "”")), ("en", ("“", "”"))])
async def test_sources_are_quoted_with_the_languages_own_marks(
    course: Course, data_dir: Path, lang: str, marks: tuple[str, str]
) -> None:
    lid = next(lid for lid in course.lesson_ids if course.lesson(lid, lang).sources)
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.show(lid)
        view = await lesson_view(pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        source = lesson_markdown(screen, course.lesson(lid, lang))
        quote = course.lesson(lid, lang).sources[0]
        assert f"> {marks[0]}{quote}{marks[1]}" in source
        assert f"{marks[0]}{quote}{marks[1]}" in view.query_one(Markdown).source


def test_answering_a_question_keeps_the_lessons_reading_position(course: Course, data_dir: Path) -> None:
    """Before: the first answer wrote a quiz place without the lesson's position, so Continue → quiz
    opened the lesson underneath at the top."""
    from course.learner.progress import Place
    from course.learner.study import Study

    study = Study(course, data_dir, "en")
    lesson = course.lesson_ids[0]
    study.go(Place(lesson, "lesson", scroll=37))
    quiz = course.quiz(lesson, "en")
    assert quiz is not None
    first = quiz.questions[0]
    study.answer(lesson, first.id, [next(iter(first.valid_ids))], 0)
    place = Study(course, data_dir, "en").progress.current.place
    assert place is not None and (place.view, place.question, place.scroll) == ("quiz", 0, 37)
