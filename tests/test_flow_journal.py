"""Issue 13, the journal and the reflection editor: a highlight that stays on its reflection, an export that does
what Enter says and never replaces a file unasked, layouts that wrap at 80×24 and centre at 160×48, a journal
that sees what `tillit journal add` saved beside it, a trash to restore from, versions compared word by word and
restored, and an editor that opens a reflection with the cursor at its end."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.containers import Vertical
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Input, ListItem, ListView, OptionList, Select, Static, TextArea

from course.content.model import Course
from course.content.terminal_text import visible
from course.i18n import tr
from course.learner.journal import JournalStore, Reflection, Version, with_version_restored
from course.learner.journal_query import word_diff
from course.learner.study import Study
from course.tui.app import TillitApp
from course.tui.commitments import CommitDialog
from course.tui.dialogs import AskDialog, ColumnsDialog, ConfirmDialog, TextDialog
from course.tui.journal import JournalScreen
from course.tui.journal_dialogs import ExportDialog, FormatChoice, TrashDialog, VersionsDialog
from course.tui.reflect import ReflectScreen
from tests.journal_helpers import Clock
from tests.tui_helpers import flow, journal_files, new_app, read, screen_text, showing, toasts, until

LESSON = "trust-culture"
SIZES = [(80, 24), (160, 48)]


def seed(study: Study, count: int = 5) -> list[Reflection]:
    """`count` reflections of the first lesson, a second apart, so the journal lists them newest first."""
    prompt = study.course.lesson(LESSON, "en").prompts[0].id
    return [study.save_reflection(LESSON, prompt, f"Reflection number {n} about trust.", None) for n in range(count)]


async def open_journal(app: TillitApp, pilot: Pilot[None]) -> JournalScreen:
    await pilot.press("j")
    await until(
        pilot, lambda: showing(app, JournalScreen)() and bool(app.screen.query_one("#entries", OptionList).option_count)
    )
    screen = app.screen
    assert isinstance(screen, JournalScreen)
    await until(pilot, lambda: screen.query_one("#entries", OptionList).has_focus)
    return screen


def highlighted(screen: JournalScreen) -> str:
    """The id of the highlighted reflection, checked against the preview beside the list."""
    r = screen.current()
    assert r is not None
    text = screen.query_one("#entry-text", Static).visual
    assert getattr(text, "plain", None) == visible(r.text), "the preview shows another reflection than the highlight"
    return r.id


def saved(data_dir: Path, rid: str) -> dict[str, object]:
    return read(next(f for f in journal_files(data_dir) if f.stem == rid))


# --- 1. the highlight stays on its reflection -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_the_highlight_stays_on_its_reflection_through_star_tags_edit_delete_and_undo(
    course: Course, data_dir: Path, clock: Clock, lang: str
) -> None:
    app = new_app(course, data_dir, lang)
    seed(app.study)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        await pilot.press("down", "down")
        await until(pilot, lambda: screen.current() is not None and screen.current() != screen.shown[0])
        third = highlighted(screen)
        assert third == screen.shown[2].id

        # s twice: the same reflection is starred, then unstarred (never the one at the top)
        await pilot.press("s")
        await until(pilot, lambda: saved(data_dir, third).get("starred") is True)
        assert highlighted(screen) == third
        await pilot.press("s")
        await until(pilot, lambda: "starred" not in saved(data_dir, third))
        assert highlighted(screen) == third
        assert not any(read(f).get("starred") for f in journal_files(data_dir))

        # tags: the highlight stays, also once the journal is read again for the tag filter
        await pilot.press("t")
        await until(pilot, showing(app, AskDialog))
        app.screen.query_one("#answer", Input).value = "vecka"
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, JournalScreen)() and saved(data_dir, third).get("tags") == ["vecka"])
        await until(pilot, lambda: not any(w.group == "journal-read" and not w.is_finished for w in app.workers))
        assert highlighted(screen) == third

        # an edit: back in the journal the edited reflection (now the newest) is highlighted
        await pilot.press("enter")
        await until(pilot, showing(app, ReflectScreen))
        await pilot.press(*" More.")
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, JournalScreen)() and screen.shown[0].id == third)
        await until(pilot, lambda: screen.current() is not None and screen.current().id == third)  # type: ignore[union-attr]
        assert highlighted(screen) == third
        assert str(saved(data_dir, third)["text"]).endswith("about trust. More.")

        # delete: the highlight goes to the next one down, not to the top
        await pilot.press("down")
        await until(pilot, lambda: screen.current() is not None and screen.current().id != third)  # type: ignore[union-attr]
        doomed = highlighted(screen)
        order = [r.id for r in screen.shown]
        expected_next = order[order.index(doomed) + 1]
        await pilot.press("d")
        await until(pilot, showing(app, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: showing(app, JournalScreen)() and doomed not in [r.id for r in screen.shown])
        assert highlighted(screen) == expected_next

        # undo: the restored reflection is highlighted
        await pilot.press("u")
        await until(pilot, lambda: doomed in [r.id for r in screen.shown])
        assert highlighted(screen) == doomed


async def test_deleting_the_last_reflection_in_the_list_highlights_the_one_above(
    course: Course, data_dir: Path, clock: Clock
) -> None:
    app = new_app(course, data_dir)
    made = seed(app.study, 3)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        await pilot.press("end")
        await until(pilot, lambda: screen.current() is not None and screen.current().id == made[0].id)  # type: ignore[union-attr]
        await pilot.press("d")
        await until(pilot, showing(app, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: showing(app, JournalScreen)() and len(screen.shown) == 2)
        assert highlighted(screen) == made[1].id


async def test_a_change_of_language_keeps_the_filters_and_the_highlight(
    course: Course, data_dir: Path, clock: Clock
) -> None:
    app = new_app(course, data_dir)
    made = seed(app.study, 4)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        screen.query_one("#f-until", Input).value = "2099-12-31"
        screen.query_one("#search", Input).value = "trust"
        await until(pilot, lambda: screen.filter.words == "trust" and len(screen.shown) == 4)
        screen.query_one("#entries", OptionList).focus()
        await pilot.press("down", "down")
        await until(pilot, lambda: screen.current() is not None and screen.current().id == made[1].id)  # type: ignore[union-attr]
        await pilot.press("f2")
        await until(pilot, lambda: app.study.lang == "sv" and screen.query_one("#search", Input).value == "trust")
        await until(pilot, lambda: screen.current() is not None and screen.current().id == made[1].id)  # type: ignore[union-attr]
        assert screen.query_one("#f-until", Input).value == "2099-12-31"
        assert highlighted(screen) == made[1].id


# --- 2. the export dialog -------------------------------------------------------------------------------------


async def open_export(app: TillitApp, pilot: Pilot[None], target: Path) -> ExportDialog:
    await pilot.press("e")
    await until(pilot, showing(app, ExportDialog))
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#path", Input).value = str(target)
    dialog.query_one("#format", FormatChoice).focus()
    await until(pilot, lambda: dialog.query_one("#format", FormatChoice).has_focus)
    return dialog


def format_lines(app: TillitApp) -> dict[str, str]:
    """Each format's line in the dialog as the terminal shows it, by format."""
    lines = screen_text(app).splitlines()
    names = {"md": "Markdown", "html": "HTML", "toml": "TOML"}
    return {
        fmt: next(line for line in lines if f" {word} " in line or f" {word}," in line) for fmt, word in names.items()
    }


@pytest.mark.parametrize("size", SIZES)
async def test_enter_exports_the_chosen_format_and_the_choice_shows_without_colour(
    course: Course, data_dir: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = new_app(course, data_dir)
    seed(app.study, 2)
    async with app.run_test(size=size) as pilot:
        await open_journal(app, pilot)
        dialog = await open_export(app, pilot, tmp_path / "mine.html")
        await until(pilot, lambda: "●" in format_lines(app)["html"])
        marks = format_lines(app)
        assert "●" in marks["html"] and "●" not in marks["md"] and "●" not in marks["toml"]
        await pilot.press("enter")  # on the formats: exports what is chosen (HTML), no other format
        await until(pilot, lambda: (tmp_path / "mine.html").exists() and not showing(app, ExportDialog)())
        assert "<html" in (tmp_path / "mine.html").read_text(encoding="utf-8").lower()

        # the arrows move the choice itself: down once is TOML, and Enter exports TOML
        dialog = await open_export(app, pilot, tmp_path / "mine.html")
        await pilot.press("down")
        await until(pilot, lambda: dialog.fmt() == "toml")
        assert dialog.query_one("#path", Input).value == str(tmp_path / "mine.toml")
        await until(pilot, lambda: "●" in format_lines(app)["toml"] and "●" not in format_lines(app)["html"])
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "mine.toml").exists())
        toml = (tmp_path / "mine.toml").read_text(encoding="utf-8")
        assert "<html" not in toml.lower() and read(tmp_path / "mine.toml")


async def test_a_file_name_chooses_its_format(course: Course, data_dir: Path, tmp_path: Path) -> None:
    app = new_app(course, data_dir)
    seed(app.study, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(app, pilot)
        dialog = await open_export(app, pilot, tmp_path / "notes.md")
        await until(pilot, lambda: dialog.fmt() == "md")
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "notes.md").exists())
        assert "<html" not in (tmp_path / "notes.md").read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_an_existing_file_is_replaced_only_when_asked(
    course: Course, data_dir: Path, tmp_path: Path, lang: str
) -> None:
    app = new_app(course, data_dir, lang)
    seed(app.study, 2)
    target = tmp_path / "journal.html"
    target.write_text("my own page, not an export", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(app, pilot)
        dialog = await open_export(app, pilot, target)
        await pilot.press("enter")
        await until(pilot, showing(app, ConfirmDialog))
        assert str(target) in flow(screen_text(app)) or target.name in screen_text(app)
        assert target.read_text(encoding="utf-8") == "my own page, not an export"
        # Enter on the question does no harm: the focused answer is "choose another name"
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ExportDialog)() and dialog.query_one("#path", Input).has_focus)
        assert target.read_text(encoding="utf-8") == "my own page, not an export"
        suggested = Path(dialog.query_one("#path", Input).value)
        assert suggested == tmp_path / "journal-2.html" and not suggested.exists()
        await pilot.press("enter")
        await until(pilot, suggested.exists)
        assert target.read_text(encoding="utf-8") == "my own page, not an export"
        # and once more, now saying yes: the file is replaced
        dialog = await open_export(app, pilot, target)
        await pilot.press("enter")
        await until(pilot, showing(app, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: "<html" in target.read_text(encoding="utf-8").lower())
        assert any(str(target) in t for t in toasts(app))


# --- 3. wrapping at 80×24 -------------------------------------------------------------------------------------

LONG_THEN = (
    "Last spring I checked every case myself before it went out, because I was afraid that a mistake would reach "
    "the newspaper and that the team would be blamed for something I should have caught."
)
LONG_NOW = (
    "Now the team reads each other's cases and asks me only when they disagree; the mistakes are fewer, and I spend "
    "my mornings on planning with them instead of proofreading alone."
)


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("size", SIZES)
async def test_then_and_now_wraps_every_word_of_every_answer(
    course: Course, data_dir: Path, lang: str, size: tuple[int, int]
) -> None:
    app = new_app(course, data_dir, lang)
    study = app.study
    prompt = course.lesson(LESSON, lang).prompts[0].id
    old = study.save_reflection(LESSON, prompt, LONG_THEN, None)
    study.journal.save(replace(old, created=old.created - timedelta(days=60), updated=old.updated - timedelta(days=60)))
    study.save_reflection(LESSON, prompt, LONG_NOW, None)
    async with app.run_test(size=size) as pilot:
        await open_journal(app, pilot)
        await pilot.press("n")
        await until(pilot, showing(app, ColumnsDialog))
        shown = flow(screen_text(app))
        for answer in (LONG_THEN, LONG_NOW):
            missing = [w for w in answer.split() if f" {w} " not in f" {shown} "]
            assert not missing, f"cut off: {missing}"


async def test_then_and_now_stacks_answers_that_would_be_too_narrow_side_by_side(
    course: Course, data_dir: Path
) -> None:
    app = new_app(course, data_dir)
    study = app.study
    prompt = course.lesson(LESSON, "en").prompts[0].id
    for n in range(4):
        r = study.save_reflection(LESSON, prompt, f"Answer {n}: {LONG_NOW}", None)
        study.journal.save(replace(r, created=r.created - timedelta(days=30 * (4 - n))))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(app, pilot)
        await pilot.press("n")
        await until(pilot, lambda: showing(app, ColumnsDialog)() and bool(app.screen.query(".stacked")))
        columns = list(app.screen.query(".column-body"))
        assert len(columns) == 4
        assert all(c.region.width >= ColumnsDialog.MIN_COLUMN for c in columns)
        assert len({c.region.x for c in columns}) == 1  # one under the other


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_the_lesson_filter_wraps_titles_between_words(course: Course, data_dir: Path, lang: str) -> None:
    app = new_app(course, data_dir, lang)
    seed(app.study, 1)
    titles = [f"{n}. {course.lesson(lid, lang).title}" for n, lid in enumerate(course.lesson_ids, 1)]
    words = {w for t in [*titles, tr("jw.all_lessons", lang)] for w in t.split()}
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        lesson_filter = screen.query_one("#f-lesson", Select)
        lesson_filter.focus()
        await until(pilot, lambda: lesson_filter.has_focus)
        await pilot.press("enter")
        await until(pilot, lambda: lesson_filter.expanded)
        overlay = lesson_filter.query_one(OptionList)
        await until(pilot, lambda: overlay.region.width > 0)
        region = overlay.content_region
        rows = screen_text(app).splitlines()[region.y : region.bottom]
        seen = [w for row in rows for w in row[region.x : region.right].split()]
        assert seen
        broken = [w for w in seen if w not in words and w.strip("▇▁▔ ") and len(w) > 1]
        assert not broken, f"titles cut inside a word: {broken}"


# --- 4. every dialog centred ----------------------------------------------------------------------------------


def centred(app: TillitApp) -> tuple[int, int]:
    """How far the top dialog's box is from the middle of the screen (columns, rows)."""
    box = app.screen.query_one(".dialog", Vertical).region
    width, height = app.size
    return abs((box.x + box.right) - width), abs((box.y + box.bottom) - height)


async def test_every_dialog_sits_in_the_middle_at_160x48(course: Course, data_dir: Path, tmp_path: Path) -> None:
    app = new_app(course, data_dir)
    made = seed(app.study, 2)
    app.study.journal.save(replace(made[1], versions=(Version("An earlier text.", made[1].created),)))
    dialogs: list[tuple[str, type[ModalScreen[Any]]]] = [
        ("t", AskDialog),
        ("d", ConfirmDialog),
        ("e", ExportDialog),
        ("n", ColumnsDialog),
        ("v", VersionsDialog),
        ("r", TrashDialog),
        ("f1", TextDialog),
    ]
    async with app.run_test(size=(160, 48)) as pilot:
        await open_journal(app, pilot)
        for key, kind in dialogs:
            await pilot.press(key)
            await until(pilot, showing(app, kind))
            await until(pilot, lambda: app.screen.query_one(".dialog", Vertical).region.width > 0)
            assert centred(app) <= (2, 2), f"{kind.__name__} is not centred"
            await pilot.press("escape")
            await until(pilot, showing(app, JournalScreen))
        app.push_screen(CommitDialog(LESSON, "en"))
        await until(pilot, showing(app, CommitDialog))
        await until(pilot, lambda: app.screen.query_one(".dialog", Vertical).region.width > 0)
        assert centred(app) <= (2, 2), "CommitDialog is not centred"


# --- 5. a reflection saved beside the open journal ------------------------------------------------------------


async def test_the_open_journal_shows_a_reflection_added_on_the_command_line(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("course.tui.journal.WATCH_SECONDS", 0.2)
    app = new_app(course, data_dir)
    seed(app.study, 2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        await pilot.press("down")
        await until(pilot, lambda: screen.current() is not None and screen.current() != screen.shown[0])
        kept = highlighted(screen)
        env = {**os.environ, "TILLIT_DATA": str(data_dir)}
        done = subprocess.run(
            [sys.executable, "-m", "course", "journal", "add", "--course", str(course.root), "Added", "beside", "it."],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        await until(pilot, lambda: "Added beside it." in [r.text for r in screen.shown])
        assert "Added beside it." in screen_text(app)
        assert highlighted(screen) == kept  # the new one is listed; the highlight stays where it was


async def test_looking_for_changes_reads_nothing_while_the_journal_is_unchanged(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("course.tui.journal.WATCH_SECONDS", 0.05)
    app = new_app(course, data_dir)
    seed(app.study, 2)
    reads: list[int] = []
    original = app.study.all_reflections

    def counted() -> list[Reflection]:
        reads.append(1)
        return original()

    monkeypatch.setattr(app.study, "all_reflections", counted)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        first = len(reads)
        ticks: list[int] = []
        original_look = screen.look_for_changes

        def look() -> None:
            ticks.append(1)
            original_look()

        monkeypatch.setattr(screen, "look_for_changes", look)
        screen.set_interval(0.05, screen.look_for_changes)
        await until(pilot, lambda: len(ticks) >= 5)
        assert len(reads) == first


# --- 6. the trash, and versions compared and restored ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_a_deleted_reflection_is_restored_from_the_trash(
    course: Course, data_dir: Path, clock: Clock, lang: str
) -> None:
    app = new_app(course, data_dir, lang)
    made = seed(app.study, 3)
    app.study.delete_reflection(made[0])  # deleted before this journal was opened: u cannot bring it back
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        assert made[0].id not in [r.id for r in screen.shown]
        await pilot.press("u")
        await pilot.press("r")
        await until(pilot, showing(app, TrashDialog))
        assert "Reflection number 0 about trust." in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, JournalScreen)() and made[0].id in [r.id for r in screen.shown])
        assert highlighted(screen) == made[0].id
        assert saved(data_dir, made[0].id)["text"] == "Reflection number 0 about trust."
        assert not list((data_dir / "journal" / ".trash").rglob("*.toml"))
        await pilot.press("r")
        await until(pilot, showing(app, TrashDialog))
        assert flow(tr("jw.trash_empty", lang))[:30] in flow(screen_text(app))


async def test_the_trash_lists_the_most_recently_deleted_first(course: Course, data_dir: Path, clock: Clock) -> None:
    study = Study(course, data_dir, "en")
    made = seed(study, 3)
    for r in (made[2], made[0], made[1]):
        study.delete_reflection(r)
        os.utime(data_dir / "journal" / ".trash" / LESSON / f"{r.id}.toml")  # ctime moves on with every delete
    trashed = study.journal.trashed()
    assert [t.reflection.id for t in trashed] == [made[1].id, made[0].id, made[2].id]
    assert trashed[0].deleted.tzinfo is not None
    assert study.all_reflections() == []


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_a_version_is_compared_word_by_word_and_restored(
    course: Course, data_dir: Path, clock: Clock, lang: str
) -> None:
    app = new_app(course, data_dir, lang)
    study = app.study
    prompt = course.lesson(LESSON, lang).prompts[0].id
    r = study.save_reflection(LESSON, prompt, "We need much more honest feedback in the team.", None)
    earlier = Version("We need more feedback \x1b]0;PWNED\x07in the group.", r.created - timedelta(days=2))
    study.journal.save(replace(r, versions=(earlier,)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        await pilot.press("v")
        await until(pilot, showing(app, VersionsDialog))
        shown = flow(screen_text(app))
        assert "[+much+]" in shown and "[+honest+]" in shown
        assert "[-group.-][+team.+]" in shown
        assert "␛]0;PWNED␇" in shown and "\x1b" not in screen_text(app)  # the old text is shown, never obeyed
        await pilot.press("r")
        await until(pilot, lambda: showing(app, JournalScreen)() and saved(data_dir, r.id)["text"] == earlier.text)
        kept = saved(data_dir, r.id)["versions"]
        assert isinstance(kept, list)
        assert [v["text"] for v in kept] == [earlier.text, "We need much more honest feedback in the team."]
        assert highlighted(screen) == r.id


def test_word_diff_pieces_give_back_both_texts() -> None:
    old, new = "We need more feedback in the team.\nSoon.", "We need much more honest feedback in the group.\nSoon."
    pieces = word_diff(old, new)
    assert "".join(t for k, t in pieces if k != "added") == old
    assert "".join(t for k, t in pieces if k != "removed") == new
    assert ("added", "much ") in pieces and ("removed", "team.") in pieces and ("added", "group.") in pieces
    assert word_diff("same", "same") == [("same", "same")]
    assert word_diff("", "new") == [("added", "new")]
    # three words rewritten read as one change
    assert word_diff("a b c d e", "a x y z e") == [
        ("same", "a "),
        ("removed", "b c d"),
        ("added", "x y z"),
        ("same", " e"),
    ]


def test_restoring_a_version_keeps_the_text_it_replaces(course: Course, data_dir: Path, clock: Clock) -> None:
    study = Study(course, data_dir, "en")
    r = study.save_reflection(LESSON, course.lesson(LESSON, "en").prompts[0].id, "now", None)
    r = replace(r, versions=(Version("then", r.created),))
    later = r.updated + timedelta(hours=1)
    back = with_version_restored(r, r.versions[0], later)
    assert back.text == "then" and back.updated == later
    assert [v.text for v in back.versions] == ["then", "now"]
    assert with_version_restored(back, Version("then", later), later + timedelta(hours=1)) is back


# --- 7. the editor opens a reflection with the cursor at its end ----------------------------------------------


async def test_editing_a_reflection_puts_the_cursor_at_its_end(course: Course, data_dir: Path, clock: Clock) -> None:
    app = new_app(course, data_dir)
    made = seed(app.study, 2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(app, pilot)
        await pilot.press("enter")
        await until(pilot, showing(app, ReflectScreen))
        area = app.screen.query_one("#editor", TextArea)
        await until(pilot, lambda: area.text == made[1].text and area.has_focus)
        assert area.cursor_location == area.document.end
        await pilot.press(*" Yes.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saved(data_dir, made[1].id)["text"] == made[1].text + " Yes.")
        # choosing another one in the editor's list: the cursor is at the end of that one too
        saved_list = app.screen.query_one("#saved", ListView)
        saved_list.focus()
        saved_list.index = [item.name for item in saved_list.query(ListItem)].index(made[0].id)
        await pilot.press("enter")
        await until(pilot, lambda: area.text == made[0].text)
        assert area.cursor_location == area.document.end
        await pilot.press("escape")
        await until(pilot, showing(app, JournalScreen))
        assert screen.is_mounted


async def test_resume_opens_the_draft_left_with_the_cursor_at_its_end(
    course: Course, data_dir: Path, clock: Clock
) -> None:
    app = new_app(course, data_dir)
    study = app.study
    prompts = course.lesson(LESSON, "en").prompts
    study.save_reflection(LESSON, prompts[0].id, "An older reflection.", None)
    draft = study.save_reflection(LESSON, prompts[1].id, "Half a thought that", None)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReflectScreen(LESSON, resume=True))
        await until(pilot, showing(app, ReflectScreen))
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        area = screen.query_one("#editor", TextArea)
        await until(pilot, lambda: area.text == draft.text and area.has_focus)
        assert screen.editing is not None and screen.editing.id == draft.id
        assert screen.prompt_id == prompts[1].id
        assert area.cursor_location == area.document.end
        await pilot.press(*" goes on.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saved(data_dir, draft.id)["text"] == "Half a thought that goes on.")
        assert len(journal_files(data_dir)) == 2


async def test_resume_without_a_draft_opens_a_new_reflection(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReflectScreen(LESSON, resume=True))
        await until(pilot, showing(app, ReflectScreen))
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        await until(pilot, lambda: screen.query_one("#editor", TextArea).has_focus)
        assert screen.editing is None and screen.query_one("#editor", TextArea).text == ""


def test_trash_of_a_store_is_read_by_the_command_line_too(data_dir: Path, course: Course) -> None:
    """JournalStore.trashed needs nothing from the app: `tillit journal trash` can list with it."""
    study = Study(course, data_dir, "en")
    [r] = seed(study, 1)
    study.delete_reflection(r)
    assert [t.reflection.id for t in JournalStore(data_dir, []).trashed()] == [r.id]


async def test_a_follow_up_names_the_commitment_it_answers_in_the_journal(
    course: Course, data_dir: Path, clock: Clock
) -> None:
    from datetime import date

    from course.learner.practice import Practice

    app = new_app(course, data_dir, "en")
    practice = Practice(app.study)
    commitment = practice.add_commitment(LESSON, "Ask the team before deciding", date.today())
    practice.complete_commitment(commitment, "It went well.")
    async with app.run_test(size=(160, 48)) as pilot:
        await open_journal(app, pilot)
        await until(pilot, lambda: "Follow-up of the commitment “Ask the team before deciding”" in screen_text(app))


def test_one_earlier_version_is_named_in_the_singular() -> None:
    from course.i18n import formats

    assert formats.plural("jw.versions_n", 1, "sv") == "1 tidigare version (v)"
    assert formats.plural("jw.versions_n", 2, "sv") == "2 tidigare versioner (v)"
    assert formats.plural("jw.versions_n", 1, "en") == "1 earlier version (v)"
