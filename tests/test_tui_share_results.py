"""Pilot tests for sharing with the trainer (the exact file, shown before it is saved) and the group results
for a room (one result at a time, figures hidden until revealed, skipped files, the export)."""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Button, Input, SelectionList, Static, TextArea

from course.content.model import Course
from course.learner.practice import Practice
from course.learner.share import build_share, render_share
from course.learner.study import Study
from course.render.report import render_assessment_csv, render_csv
from course.trainer.results import merge
from course.trainer.shares import load_shares
from course.tui.app import TillitApp, make_app
from course.tui.dialogs import AskDialog, ConfirmDialog, JumpDialog, TextDialog
from course.tui.results import ResultsScreen, make_results_app
from course.tui.share import ShareScreen
from tests.journal_helpers import Clock
from tests.test_share_results import right_answer, share_to, take_quiz, wrong_answer
from tests.tui_helpers import displayed, flow, palette_settled, room_text, screen_text, showing, shows, until

SMALL = (80, 24)
LARGE = (120, 40)
LESSON = "trust-culture"
TRICKY = "We said [bold]trust[/bold] and [/ then [0] x"
PLAIN = "Ordinary words about autonomy"
SHOTS = os.environ.get("TILLIT_SCREENSHOTS")  # a folder: save SVG screenshots there to look at


# --- reading the screen -------------------------------------------------------------------------------------


def without_created(text: str) -> str:
    """A share's text without its `created` line (the time it was made, to the second)."""
    lines = text.splitlines()
    assert sum(line.startswith("created = ") for line in lines) == 1
    return "\n".join(line for line in lines if not line.startswith("created = "))


def toasts(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


def screenshot(app: App[Any], name: str) -> None:
    if SHOTS:
        app.save_screenshot(f"{name}.svg", path=SHOTS)


# --- the participant's side -----------------------------------------------------------------------------------


def participant(course: Course, data: Path, read_only: bool = False) -> tuple[Study, list[str]]:
    """A learner who took the first quiz, rated two behaviours (with a private note) and wrote two reflections."""
    study = Study(course, data, "en")
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None and course.assessment is not None
    q1, q2 = quiz.questions[:2]
    take_quiz(study, LESSON, {q1.id: wrong_answer(q1), q2.id: right_answer(q2)})
    s1, s2 = (s.id for s in course.assessment.statements[:2])
    Practice(study).add_assessment({s1: 2, s2: 4}, {s1: "MY PRIVATE NOTE"})
    prompts = [p.id for p in course.lesson(LESSON, "en").prompts]
    older = study.save_reflection(LESSON, prompts[0], PLAIN, None)
    newer = study.save_reflection(LESSON, prompts[1], TRICKY, None)
    study.set_tags(newer, ["secret-tag"])
    if read_only:
        study = Study(course, data, "en", read_only=True)
    return study, [newer.id, older.id]


async def open_share(app: TillitApp, pilot: Pilot[None]) -> ShareScreen:
    await pilot.pause()
    app.action_share()
    screen = app.screen
    assert isinstance(screen, ShareScreen)
    await settle(pilot, screen)
    return screen


async def settle(pilot: Pilot[None], screen: ShareScreen) -> None:
    """Wait until the reflections are listed and the preview shows the state on screen."""
    await until(pilot, lambda: screen.loaded and not screen.building)
    await pilot.pause()


def preview(screen: ShareScreen) -> str:
    text = screen.query_one("#share-preview", TextArea).text
    assert text == screen.preview
    return text


def expected(study: Study, name: str = "", ids: list[str] | tuple[str, ...] = ()) -> str:
    return without_created(render_share(build_share(study, name, ids)))


async def choose_first(pilot: Pilot[None], screen: ShareScreen) -> None:
    """Pick the first (newest) reflection in the list, as a person would: focus the list, press space."""
    screen.query_one("#share-reflections", SelectionList).focus()
    await pilot.press("space")
    await settle(pilot, screen)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_preview_is_the_file_and_holds_a_reflection_only_once_chosen(
    course: Course, data_dir: Path, tmp_path: Path, size: tuple[int, int], clock: Clock
) -> None:
    study, (newer, _older) = participant(course, data_dir)
    app = make_app(study)
    async with app.run_test(size=size) as pilot:
        screen = await open_share(app, pilot)
        screenshot(app, f"share-{size[0]}x{size[1]}")
        text = flow(screen_text(app))
        assert "a reflection only if you pick it" in text
        assert "never shared" in text
        # Nothing chosen: the preview is exactly the share with no reflection in it.
        assert without_created(preview(screen)) == expected(study)
        for secret in (TRICKY, PLAIN, "MY PRIVATE NOTE", "secret-tag"):
            assert secret not in preview(screen)
        assert "0 of 2 chosen" in text
        assert "answer" in preview(screen) and "ratings" in preview(screen)
        # The list shows the learner's own words literally, markup and all.
        assert "[bold]trust[/bold]" in screen_text(app)

        await choose_first(pilot, screen)
        assert without_created(preview(screen)) == expected(study, "", [newer])
        assert 'text = "We said [bold]trust[/bold] and [/ then [0] x"' in preview(screen)
        assert PLAIN not in preview(screen)
        assert "1 of 2 chosen" in flow(screen_text(app))
        screenshot(app, f"share-chosen-{size[0]}x{size[1]}")

        # A typed name goes in (and nowhere else changes).
        screen.query_one("#share-name", Input).focus()
        await pilot.press(*"Ada [i]L[/i]")
        await settle(pilot, screen)
        assert 'name = "Ada [i]L[/i]"' in preview(screen)
        assert without_created(preview(screen)) == expected(study, "Ada [i]L[/i]", [newer])

        # Saving asks first, since a reflection is in it; "no" writes nothing.
        target = tmp_path / "out" / "mine.toml"
        target.parent.mkdir()
        screen.query_one("#share-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "1 reflection will be shared" in dialog.question and "exactly as the file shows" in dialog.question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        assert not target.exists()
        # "yes" writes exactly what is shown, readable only by the learner.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        assert target.read_text(encoding="utf-8") == preview(screen)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert any(str(target) in t for t in toasts(app))
    shares, skipped = load_shares([target])
    assert skipped == [] and shares[0].name == "Ada [i]L[/i]"
    assert [r.text for r in shares[0].reflections] == [TRICKY]


async def test_a_share_without_reflections_saves_at_once_and_a_bad_path_is_one_sentence(
    course: Course, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    study, _ids = participant(course, data_dir)
    app = make_app(study)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_share(app, pilot)
        path_input = screen.query_one("#share-path", Input)
        assert path_input.value.startswith(str(Path.home() / "tillit-share-"))
        status = screen.query_one("#share-status", Static)

        path_input.value = str(tmp_path)  # a folder
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert f"{tmp_path} is a folder; type a file name" in str(status.visual)
        path_input.value = str(tmp_path / "missing" / "x.toml")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert f"The folder {tmp_path / 'missing'} does not exist" in str(status.visual)
        assert app.screen is screen and list(tmp_path.glob("*.toml")) == []

        target = tmp_path / "share.toml"
        path_input.value = str(target)

        def full_disk(fd: int, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", full_disk)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # no reflection chosen: nothing to confirm
        assert "No space left on device" in str(status.visual) and displayed(status)  # whatever the path's length
        assert not target.exists()
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert target.read_text(encoding="utf-8") == preview(screen)
        assert TRICKY not in preview(screen) and PLAIN not in preview(screen)
        assert str(status.visual).strip() == ""
        # Saving again over the file asks before replacing it.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "already exists" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ShareScreen)


async def test_read_only_without_a_share_id_says_so_and_saves_nothing(
    course: Course, data_dir: Path, tmp_path: Path, clock: Clock
) -> None:
    study, _ids = participant(course, data_dir, read_only=True)
    app = make_app(study)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_share(app, pilot)
        assert "you have no share id yet; close the other one to share" in flow(screen_text(app))
        assert screen.query_one("#share-save", Button).disabled
        screen.query_one("#share-path", Input).value = str(tmp_path / "s.toml")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not (tmp_path / "s.toml").exists()
    assert not (data_dir / "share-id.toml").exists()


async def test_the_palette_offers_sharing_and_group_results(course: Course, data_dir: Path) -> None:
    app = make_app(Study(course, data_dir, "en"))
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Share with your trainer…" in titles and "Group results…" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        app.screen.query_one("CommandInput", Input).value = "Share with your trainer"
        await until(pilot, lambda: palette_settled(app))
        await pilot.press("enter")
        await until(pilot, showing(app, ShareScreen))
        assert isinstance(app.screen, ShareScreen)
        # Both screens' keys are in the help.
        app.action_help()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        assert "Share with your trainer\n  ^s         Save the file" in dialog.body
        assert "Group results\n  →          Next" in dialog.body and "space      Show figures" in dialog.body


# --- the trainer's side -----------------------------------------------------------------------------------------


@pytest.fixture
def group(course: Course, tmp_path: Path) -> Iterator[Path]:
    """A folder with three real participants' share files and two hostile ones."""
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None and course.assessment is not None
    q1, q2 = quiz.questions[0], quiz.questions[2]
    sid = course.assessment.statements[0].id
    prompt = course.lesson(LESSON, "en").prompts[0].id
    folder = tmp_path / "shares"
    ada = Study(course, tmp_path / "ada", "en")
    take_quiz(ada, LESSON, {q1.id: wrong_answer(q1), q2.id: right_answer(q2)})
    take_quiz(ada, LESSON, {q1.id: right_answer(q1), q2.id: right_answer(q2)})
    Practice(ada).add_assessment({sid: 2}, {})
    r = ada.save_reflection(LESSON, prompt, TRICKY, None)
    share_to(folder, "ada", build_share(ada, "Ada", [r.id]))
    bo = Study(course, tmp_path / "bo", "sv")
    take_quiz(bo, LESSON, {q1.id: right_answer(q1)})
    Practice(bo).add_assessment({sid: 4}, {})
    share_to(folder, "bo", build_share(bo))
    cy = Study(course, tmp_path / "cy", "en")
    take_quiz(cy, LESSON, {q1.id: wrong_answer(q1), q2.id: wrong_answer(q2)})
    share_to(folder, "cy", build_share(cy, "Cy"))
    (folder / "evil.toml").write_text('kind = "tillit-share"\nschema = 1\ncourse = "../x"\n', encoding="utf-8")
    (folder / "broken.toml").write_text("kind = [\n", encoding="utf-8")
    yield folder


async def loaded(pilot: Pilot[None], app: App[Any]) -> ResultsScreen:
    await until(pilot, lambda: isinstance(app.screen, ResultsScreen) and app.screen.results is not None)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ResultsScreen)
    return screen


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_results_show_one_item_at_a_time_with_figures_hidden_until_revealed(
    course: Course, group: Path, size: tuple[int, int]
) -> None:
    shares, _skipped = load_shares([group])
    results = merge(shares, course, "en")
    weakest, second = results.questions[0], results.questions[1]
    assert weakest.answered and weakest.share_first is not None
    app = make_results_app(course, "en", [group])
    async with app.run_test(size=size) as pilot:
        screen = await loaded(pilot, app)
        screenshot(app, f"results-hidden-{size[0]}x{size[1]}")
        text = flow(screen_text(app))
        assert "Group results · 3 participants · 2 named" in text
        answered = [s for s in results.questions if s.answered]
        rated = [a for a in results.assessments if a.n]
        assert f"1 of {len(answered) + len(rated)}" in text
        # The heading of the weakest question is there; none of its figures, anywhere in the screen.
        assert flow(weakest.text)[:60] in text
        assert "guess first" in text
        shown_later = weakest.lines("en")[1]
        hidden = room_text(app)
        for figure in (shown_later, "█", "░", "✓ right", "✗ wrong", "Most common wrong answer"):
            assert figure not in hidden
        assert all(flow(o.text)[:30] in flow(hidden) for o in weakest.options)

        await pilot.press("space")
        await pilot.pause()
        screenshot(app, f"results-shown-{size[0]}x{size[1]}")
        shown = room_text(app)
        assert shown_later in shown
        assert "█" in shown and "✓ right" in shown and "✗ wrong" in shown
        assert flow(shown_later)[:40] in flow(screen_text(app))  # visible, not just mounted
        wrong = weakest.common_wrong
        assert wrong is not None and f"{wrong.picked}" in shown

        await pilot.press("right")
        await pilot.pause()
        text = flow(screen_text(app))
        assert f"2 of {len(answered) + len(rated)}" in text
        assert flow(second.text)[:60] in text
        assert second.lines("en")[1] not in room_text(app) and "█" not in room_text(app)
        await pilot.press("left")
        await pilot.pause()
        assert shown_later in room_text(app)  # what was revealed stays revealed
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        screenshot(app, f"results-reflections-{size[0]}x{size[1]}")
        text = flow(screen_text(app))
        assert "Shared reflections" in text and TRICKY in text  # literally, with no name beside it
        assert "Ada" not in room_text(app).split("Shared reflections", 1)[1]
        await pilot.press("left")
        await pilot.pause()
        assert "█" in room_text(app)  # v revealed them all
        assert screen.index == len(answered) + len(rated) - 1


async def test_skipped_files_are_listed_with_their_reason_and_the_rest_still_show(course: Course, group: Path) -> None:
    app = make_results_app(course, "en", [group])
    async with app.run_test(size=SMALL) as pilot:
        screen = await loaded(pilot, app)
        text = flow(screen_text(app))
        assert "2 files were skipped. s shows which and why" in text
        assert "evil.toml" not in room_text(app)  # file names can be people's names: only when asked
        assert screen.results is not None and screen.results.participants == 3
        await pilot.press("s")
        await pilot.pause()
        screenshot(app, "results-skipped-80x24")
        text = flow(screen_text(app))
        assert "evil.toml — it has an invalid course id" in text
        assert "broken.toml — not valid TOML" in text
        await pilot.press("s")
        await pilot.pause()
        assert "evil.toml" not in room_text(app)


async def test_export_writes_the_report_and_both_csv_files_side_by_side(
    course: Course, group: Path, tmp_path: Path
) -> None:
    app = make_results_app(course, "en", [group])
    async with app.run_test(size=SMALL) as pilot:
        screen = await loaded(pilot, app)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AskDialog)
        answer = dialog.query_one("#answer", Input)
        assert answer.value == str(group / "group-results.html")
        out = tmp_path / "report"
        out.mkdir()
        answer.value = str(out / "week-12")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        html, questions, assessment = (
            out / "week-12.html",
            out / "week-12-questions.csv",
            out / "week-12-assessment.csv",
        )
        for path in (html, questions, assessment):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert screen.results is not None
        assert questions.read_bytes().decode("utf-8") == render_csv(screen.results)
        assert assessment.read_bytes().decode("utf-8") == render_assessment_csv(screen.results)
        page = html.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "3 participants" in page
        assert "We said [bold]trust[/bold]" in page
        rows = list(csv.reader(io.StringIO(questions.read_text(encoding="utf-8"))))
        assert rows[0][:2] == ["lesson", "lesson title"] and len(rows) > 2
        assert any("week-12.html" in t for t in toasts(app))
        # A second export into the same place asks before replacing.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one("#answer", Input).value = str(out / "week-12.html")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "already exist" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        # A folder that is not there: one sentence, nothing written.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one("#answer", Input).value = str(tmp_path / "nowhere" / "r.html")
        await pilot.press("enter")
        await pilot.pause()
        assert any("does not exist" in t for t in toasts(app))
        assert not (tmp_path / "nowhere").exists()


async def test_the_learner_app_asks_for_the_folder_and_jumps(
    course: Course, data_dir: Path, group: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(group)
    app = make_app(Study(course, data_dir, "en"))
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        home = app.screen
        app.action_results()
        await pilot.pause()
        assert isinstance(app.screen, AskDialog)
        await pilot.press("escape")  # changed their mind: back where they were
        await pilot.pause()
        assert app.screen is home
        app.action_results()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AskDialog)
        assert dialog.query_one("#answer", Input).value == str(group)
        await pilot.press("enter")
        screen = await loaded(pilot, app)
        assert screen.results is not None and screen.results.participants == 3
        await pilot.press("j")  # the learner's journal stays closed in front of a room
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, JumpDialog)
        await pilot.press("end", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert "Shared reflections" in flow(screen_text(app))
        await pilot.press("f2")
        await until(pilot, lambda: "Delade reflektioner" in flow(screen_text(app)))
        assert "Delade reflektioner" in flow(screen_text(app))
        assert app.study.lang == "sv"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ResultsScreen)


async def test_a_folder_without_share_files_says_so(course: Course, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    app = make_results_app(course, "en", [empty])
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot, app)
        said = f"No share files could be read in {empty}"
        assert said in room_text(app)  # word for word in the widget
        # and drawn, wrapped wherever the terminal's width falls (a long temp path breaks inside a name)
        assert "".join(said.split()) in "".join(screen_text(app).split())
        await pilot.press("space", "right", "e")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)


async def test_reading_says_how_many_files_while_it_works(
    course: Course, group: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    go_on = threading.Event()

    def slow(paths: Sequence[Path]) -> Any:
        go_on.wait(10)
        return load_shares(paths)

    monkeypatch.setattr("course.tui.results.load_shares", slow)
    app = make_results_app(course, "en", [group])
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, shows(app, "Reading 5 files…"))
        assert "Reading 5 files…" in screen_text(app)
        go_on.set()
        screen = await loaded(pilot, app)
        assert screen.results is not None and screen.results.participants == 3
