"""Pilot tests for everything around the main path: errors, language, resets, help, palette, themes, sizes."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Static, Tabs, TextArea

from course.content.model import Course
from course.tui.dialogs import ConfirmDialog, TextDialog
from course.tui.home import HomeScreen
from course.tui.lesson import LessonScreen
from course.tui.quiz import QuizScreen
from course.tui.reflect import ReflectScreen
from tests.tui_helpers import (
    journal_files,
    new_app,
    palette_settled,
    read,
    screen_text,
    showing,
    shows,
    toasts,
    until,
)

TRICKY = ["[bold]", "[/", "[0] x", "[link=https://x]y[/link]", "\x1b[31mred", "tab\there"]


def save_status(screen: Screen[Any]) -> str:
    """The editor's status line, all of it: on screen it is cut after a few lines (a long path fills them)."""
    return str(screen.query_one("#save-status", Static).visual)


async def test_a_reflection_that_cannot_be_saved_stays_in_the_editor(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        screen = app.screen
        assert isinstance(screen, ReflectScreen)

        def full_disk(fd: int, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", full_disk)
        await pilot.press(*"words I must not lose")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "No space left on device" in save_status(screen))
        text = screen_text(app)
        assert "✗ Could not save" in text
        assert "No space left on device" in save_status(screen)  # in full, however long the file's path
        assert screen.query_one("#editor", TextArea).text == "words I must not lose"
        assert journal_files(data_dir) == []
        # leaving is refused while the text is unsaved
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        # once there is space again, saving works and nothing was lost
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await until(pilot, shows(app, "✓ Saved"))
        assert "✓ Saved" in screen_text(app)
        files = journal_files(data_dir)
        assert [read(f)["text"] for f in files] == ["words I must not lose"]
        assert os.stat(files[0]).st_mode & 0o777 == 0o600
        assert list(data_dir.rglob("*.tmp")) == []


@pytest.mark.parametrize("tricky", TRICKY)
async def test_reflection_text_is_shown_literally(course: Course, data_dir: Path, tricky: str) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        screen.query_one("#editor", TextArea).insert(f"before {tricky} after")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(journal_files(data_dir)) and shows(app, "Saved reflections (1)")())
        assert read(journal_files(data_dir)[0])["text"] == f"before {tricky} after"
        if "\x1b" not in tricky and "\t" not in tricky:
            assert f"before {tricky} after" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, showing(app, LessonScreen))
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        assert isinstance(app.screen, ReflectScreen)
        assert app.screen.saved[0].text == f"before {tricky} after"


async def test_unreadable_progress_is_moved_aside_and_reported(course: Course, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    broken = b'schema = 1\n[place]\nlesson = "trust-culture"\nview = '
    (data_dir / "progress.toml").write_bytes(broken)
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = toasts(app)
        assert len(messages) == 1
        assert "progress.toml could not be read" in messages[0]
        moved = list((data_dir / "quarantine").glob("progress.toml.unreadable-*[0-9]"))
        assert len(moved) == 1 and moved[0].read_bytes() == broken
        assert str(moved[0]) in messages[0]
        # the course still works and saves a fresh file
        await pilot.press("enter")
        await until(pilot, showing(app, LessonScreen))
        assert isinstance(app.screen, LessonScreen)
    assert read(data_dir / "progress.toml")["place"]["lesson"] == "trust-culture"


async def test_switching_language_is_immediate_and_remembered(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir, lang=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Start: What characterises a trust culture?" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, shows(app, "Lesson 1 of 10"))
        await pilot.press("f2")
        await until(pilot, lambda: "Lektion 1 av 10" in screen_text(app) and "Tillbaka" in screen_text(app))
        text = screen_text(app)
        assert "Vad kännetecknar en tillitskultur?" in text
        assert "Lektion 1 av 10" in text
        assert "Tillbaka" in text  # the footer speaks Swedish too
        await pilot.press("escape")
        await until(pilot, shows(app, "0 av 10 lektioner klara"))
        assert "Fortsätt: Vad kännetecknar en tillitskultur?" in screen_text(app)
        assert "0 av 10 lektioner klara" in screen_text(app)
    assert read(data_dir / "progress.toml")["settings"]["language"] == "sv"
    app = new_app(course, data_dir, lang=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Fortsätt" in screen_text(app)


async def test_reset_asks_first_and_never_touches_the_journal(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    study = app.study
    study.mark_read("trust-culture")
    study.save_reflection("trust-culture", "trust-and-control-week", "keep me", None)
    before = {f: f.read_bytes() for f in journal_files(data_dir)}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "◐ Read" in screen_text(app)
        await pilot.press("r")
        await until(pilot, showing(app, ConfirmDialog))
        assert isinstance(app.screen, ConfirmDialog)
        assert "Your reflections and earlier attempts are kept" in app.screen.question
        await pilot.press("n")
        await until(pilot, showing(app, HomeScreen))
        assert isinstance(app.screen, HomeScreen)
        assert "◐ Read" in screen_text(app)
        await pilot.press("r")
        await until(pilot, showing(app, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: any("has been reset" in t for t in toasts(app)))
        assert "◐ Read" not in screen_text(app)
        assert "has been reset" in toasts(app)[-1]
        await pilot.press("R")
        await until(pilot, showing(app, ConfirmDialog))
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await until(pilot, showing(app, HomeScreen))
    assert {f: f.read_bytes() for f in journal_files(data_dir)} == before
    assert read(data_dir / "progress.toml")["lessons"]["trust-culture"]["status"] == "not_started"


async def test_help_lists_every_key(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await until(pilot, showing(app, TextDialog))
        assert isinstance(app.screen, TextDialog)
        body = app.screen.body
        for expected in (
            "^s ",
            "Save",
            "^t ",
            "Next prompt",
            "Hint",
            "1–9",
            "Contents",
            "Reset all",
            "Switch language",
        ):
            assert expected in body, expected
        for screen_cls in (HomeScreen, LessonScreen, QuizScreen, ReflectScreen):
            for _key, binding in screen_cls._merged_bindings or []:
                if binding.description.startswith("key.") and not binding.action.startswith("choose"):
                    assert f"  {app.get_key_display(binding):<10} " in body, binding.key
        await pilot.press("escape")
        await until(pilot, showing(app, HomeScreen))
        assert isinstance(app.screen, HomeScreen)


async def test_command_palette_opens_any_lesson(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await until(pilot, lambda: palette_settled(app))
        await pilot.press(*"open lesson seven")
        await until(pilot, lambda: palette_settled(app))
        await pilot.press("enter")
        await until(pilot, showing(app, LessonScreen))
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson_id == "seven-manager-behaviours"


async def test_theme_is_remembered(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.theme = "nord"
        await until(pilot, lambda: read(data_dir / "progress.toml")["settings"]["theme"] == "nord")
    assert read(data_dir / "progress.toml")["settings"]["theme"] == "nord"
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"


async def test_quiz_hint_and_empty_answer(course: Course, data_dir: Path) -> None:
    quiz = course.quiz("trust-culture", "en")
    assert quiz is not None
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await until(pilot, lambda: showing(app, QuizScreen)() and "Question 1 of" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: any("Choose an answer first" in t for t in toasts(app)))
        assert "Choose an answer first" in toasts(app)[-1]
        await pilot.press("h")
        hint = quiz.questions[0].hint
        assert hint
        await until(pilot, lambda: "Hint: " in " ".join(screen_text(app).split()))
        shown = " ".join(screen_text(app).split())
        assert f"Hint: {' '.join(hint.split()[:4])}" in shown


async def test_mouse_works(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#continue")
        await until(pilot, showing(app, LessonScreen))
        assert isinstance(app.screen, LessonScreen)


@pytest.mark.parametrize("size", [(40, 12), (80, 24), (132, 43), (250, 70)])
async def test_every_screen_at_every_size(course: Course, data_dir: Path, size: tuple[int, int]) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        steps: list[tuple[list[str], Callable[[], bool]]] = [
            (["enter"], showing(app, LessonScreen)),
            (["q"], showing(app, QuizScreen)),
            (["1", "enter"], lambda: getattr(app.screen, "phase", None) == "feedback"),
            (["escape", "w"], showing(app, ReflectScreen)),
            (["f1"], showing(app, TextDialog)),
            (["escape", "escape", "escape"], showing(app, HomeScreen)),
        ]
        for keys, arrived in steps:
            await pilot.press(*keys)
            await until(pilot, arrived)
            screen_text(app)  # draws every widget of the screen at this size
        assert isinstance(app.screen, HomeScreen)
        await pilot.resize_terminal(60, 20)
        await until(pilot, shows(app, "Trust"))
        assert "Trust" in screen_text(app)


async def test_no_color_is_respected(course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color
        await pilot.press("q")
        await until(pilot, lambda: showing(app, QuizScreen)() and "Question 1 of" in screen_text(app))
        await pilot.press("1", "enter")
        await until(pilot, lambda: "✓ Right!" in screen_text(app) or "✗ Not quite." in screen_text(app))
        text = screen_text(app)
        # right and wrong are told in symbols and words, not colour alone
        assert ("✓ Right!" in text) or ("✗ Not quite." in text)


async def test_leaving_the_editor_saves_the_draft(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("course.tui.reflect.AUTOSAVE_SECONDS", 600.0)  # only leaving may save here
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        await pilot.press(*"half a thought")
        assert journal_files(data_dir) == []
        await pilot.press("tab")  # focus leaves the editor
        await until(pilot, lambda: bool(journal_files(data_dir)))
        assert [read(f)["text"] for f in journal_files(data_dir)] == ["half a thought"]


async def test_unsaved_text_is_not_dropped_by_navigation_or_quit(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        screen = app.screen
        assert isinstance(screen, ReflectScreen)

        def read_only(*args: object) -> None:
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(os, "replace", read_only)
        await pilot.press(*"not yet saved")
        # the command palette tries to go elsewhere: the reflection stays
        app.show("seven-manager-behaviours")
        await until(pilot, lambda: "Read-only file system" in save_status(screen))
        assert app.screen is screen
        assert "✗ Could not save" in screen_text(app)
        assert "Read-only file system" in save_status(screen)  # in full, however long the file's path
        # quitting asks first
        await pilot.press("ctrl+q")
        await until(pilot, showing(app, ConfirmDialog))
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        assert app.screen is screen
        assert screen.query_one("#editor", TextArea).text == "not yet saved"
        monkeypatch.undo()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert [read(f)["text"] for f in journal_files(data_dir)] == ["not yet saved"]


async def test_reading_an_old_reflection_does_not_change_it(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    app.study.save_reflection("trust-culture", "professional-judgement", "weeks ago\nsecond line", None)
    before = [f.read_bytes() for f in journal_files(data_dir)]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        screen.query_one("#saved").focus()
        await pilot.press("down", "enter")
        await until(pilot, lambda: screen.query_one("#editor", TextArea).text == "weeks ago\nsecond line")
        assert screen.query_one("#editor", TextArea).text == "weeks ago\nsecond line"
        second = course.lesson("trust-culture", "en").prompts[1].text
        assert " ".join(second.split()[:5]) in " ".join(screen_text(app).split())  # its own prompt is shown
        assert screen.query_one("#prompt-tabs", Tabs).active == "p-professional-judgement"
        screen.autosave()
        await pilot.press("escape")
        await until(pilot, showing(app, LessonScreen))
    assert [f.read_bytes() for f in journal_files(data_dir)] == before


async def test_switching_language_in_the_journal_keeps_the_text(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        await pilot.press(*"typed in English")
        await pilot.press("f2")
        await until(pilot, shows(app, "Fråga 1 av 2"))
        text = screen_text(app)
        assert "Reflektion: Vad kännetecknar en tillitskultur?" in text
        assert "Fråga 1 av 2" in text
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        assert screen.query_one("#editor", TextArea).text == "typed in English"
    assert [read(f)["text"] for f in journal_files(data_dir)] == ["typed in English"]


async def test_a_second_tillit_on_the_same_data_is_read_only_and_says_so(course: Course, data_dir: Path) -> None:
    from course.learner.study import Study
    from course.tui.app import make_app

    Study(course, data_dir, "en").save_reflection("trust-culture", "trust-and-control-week", "first", None)
    before = {f: f.read_bytes() for f in data_dir.rglob("*.toml") if "backups" not in f.parts}
    app = make_app(Study(course, data_dir, "en", read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert any("Another Tillit is open on this data folder" in t for t in toasts(app))
        await pilot.press("enter")  # reading and moving around still work
        await until(pilot, showing(app, LessonScreen))
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("w")
        await until(pilot, showing(app, ReflectScreen))
        await pilot.press(*"second")
        await pilot.press("ctrl+s")
        await until(pilot, shows(app, "read-only"))
        assert "read-only" in screen_text(app)
        screen = app.screen
        assert isinstance(screen, ReflectScreen)
        assert screen.query_one("#editor", TextArea).text == "second"
        await pilot.press("ctrl+q")
        await until(pilot, showing(app, ConfirmDialog))
        assert isinstance(app.screen, ConfirmDialog)  # quitting asks before dropping the text
        await pilot.press("y")
        await pilot.pause()
    after = {f: f.read_bytes() for f in data_dir.rglob("*.toml") if "backups" not in f.parts}
    assert after == before
