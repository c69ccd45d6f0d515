"""Text from a file or a person is shown, never obeyed by the terminal (review A2).

A reflection, a participant's share file, a course folder or a file's name may hold escape
sequences: a window title (OSC 0 and 2), a clipboard write (OSC 52), a screen clear (CSI 2J),
leaving the alternate screen, a DCS string, 8-bit C1 controls and a right-to-left override. Each
must reach the screen as visible symbols (ESC as ␛, BEL as ␇, a C1 control as �, the override as
⟨U+202E⟩) and never as the sequence itself:

1. the real app in a pseudo-terminal: every byte it writes is read and searched;
2. Pilot tests, screen by screen, with the course and share texts loaded *raw* (the inertness
   load_course and results.merge give them is bypassed), so each screen is shown to hold on its own;
3. a check of the source: no screen builds a Textual Content or a Rich Text, or gives a widget a text,
   other than through course/tui/base.py's `inert`, so a new screen cannot forget it;
4. `tillit results` on the command line.
"""

from __future__ import annotations

import ast
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.content import Content
from textual.widgets import Markdown, OptionList, Static, TextArea
from textual.widgets._toast import Toast

from course.content.loader import load_course
from course.content.model import Course
from course.learner.practice import Practice
from course.learner.share import build_share
from course.learner.study import Study
from course.tui.dialogs import ConfirmDialog
from course.tui.journal import JournalScreen
from course.tui.lesson import LessonScreen
from course.tui.quiz import QuizScreen
from course.tui.reflect import ReflectScreen
from course.tui.results import ResultsScreen, make_results_app
from tests.test_share_results import share_to, take_quiz, wrong_answer
from tests.test_tui_share_results import choose_first, open_share
from tests.tui_helpers import flow, journal_files, new_app, read, screen_text, until

REPO = Path(__file__).resolve().parent.parent
LESSON = "trust-culture"
SIZE = (200, 50)

# Each class of sequence, as a file would carry it and as the screen must show it; {tag} tells where it was.
PIECES = (
    ("\x1b]0;PWNED-{tag}\x07", "␛]0;PWNED-{tag}␇"),  # OSC 0: the window title
    ("\x1b]2;RETITLED-{tag}\x07", "␛]2;RETITLED-{tag}␇"),  # OSC 2: the window title
    ("\x1b]52;c;cHduZWQ=\x07", "␛]52;c;cHduZWQ=␇"),  # OSC 52: write the clipboard
    ("\x1b[2JCLEARED-{tag}", "␛[2JCLEARED-{tag}"),  # CSI 2J: clear the screen
    ("\x1b[?1049lALTOFF-{tag}", "␛[?1049lALTOFF-{tag}"),  # leave the alternate screen
    ("\x1bPDCS-{tag}\x1b\\", "␛PDCS-{tag}␛\\"),  # a DCS string
    ("\x9b2JCSI8-{tag}", "\ufffd2JCSI8-{tag}"),  # 8-bit CSI (C1)
    ("\x9d0;OSC8-{tag}\x9c", "\ufffd0;OSC8-{tag}\ufffd"),  # 8-bit OSC and ST (C1)
    ("\u202eRTL-{tag}", "⟨U+202E⟩RTL-{tag}"),  # right-to-left override
)

# What a terminal would obey, as it would arrive. Textual writes none of these itself.
OBEYED = {
    "OSC 0 (title)": b"\x1b]0;PWNED",
    "OSC 2 (title)": b"\x1b]2;RETITLED",
    "OSC 52 (clipboard)": b"\x1b]52;",
    "CSI 2J (clear)": b"\x1b[2JCLEARED",
    "leave the alternate screen": b"\x1b[?1049lALTOFF",
    "DCS": b"\x1bPDCS",
    "8-bit CSI": "\x9b".encode(),
    "8-bit OSC": "\x9d".encode(),
    "8-bit ST": "\x9c".encode(),
    "right-to-left override": "\u202e".encode(),
}
TEXTUAL_OSC = rb"\x1b\](?!22;)"  # Textual's only OSC is 22 (the pointer's shape): any other came from a text
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile(tag: str) -> str:
    """One line holding every class of sequence, each marked with `tag`."""
    return f"{tag}: " + " ".join(raw.format(tag=tag) for raw, _ in PIECES)


def shown_as(tag: str) -> list[str]:
    """How each piece of hostile(tag) must read on the screen."""
    return [seen.format(tag=tag) for _, seen in PIECES]


def obeyed(output: bytes) -> list[str]:
    """The sequences from a text that reached the terminal raw (what it would have obeyed)."""
    found = [name for name, raw in OBEYED.items() if raw in output]
    if re.search(TEXTUAL_OSC, output):
        found.append("an OSC that is not Textual's own: " + repr(re.findall(TEXTUAL_OSC + rb".{0,20}", output)[:3]))
    return found


def assert_inert(text: str, tag: str, pieces: int = len(PIECES)) -> None:
    """`text` (what a screen shows) holds no raw control character, and shows the first `pieces` of `tag`."""
    assert not CONTROLS.findall(text), f"raw control characters shown: {sorted(set(CONTROLS.findall(text)))!r}"
    for piece in shown_as(tag)[:pieces]:
        assert piece in flow(text), f"{piece!r} is not on the screen"


# --- the hostile course, journal and share files ------------------------------------------------------


def _toml(text: str) -> str:
    return json.dumps(text)  # JSON's escapes (\u001b, \u009b, …) are TOML's basic-string escapes too


def _replace_first(text: str, pattern: str, line: str) -> str:
    new, n = re.subn(pattern, lambda _: line, text, count=1, flags=re.M)
    assert n == 1, pattern
    return new


@pytest.fixture
def hostile_course(tmp_path: Path) -> Path:
    """The built-in course with its first lesson's title, summary, body, first question and first option hostile."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copytree(REPO / "lessons", root / "lessons")
    shutil.copytree(REPO / "quizzes", root / "quizzes")
    lesson = root / "lessons" / "en" / f"{LESSON}.md"
    text = lesson.read_text(encoding="utf-8")
    text = _replace_first(text, r'^title = ".*"$', "title = " + _toml(hostile("TTL")))
    text = _replace_first(text, r'^summary = ".*"$', "summary = " + _toml(hostile("SUM")))
    head, sep, body = text.partition("\n+++\n")
    assert sep
    lesson.write_text(f"{head}{sep}\n{hostile('BODY')}\n{body}", encoding="utf-8")  # first, so it is on screen
    quiz = root / "quizzes" / "en" / f"{LESSON}.toml"
    text = quiz.read_text(encoding="utf-8")
    text = _replace_first(text, r'^text = ".*"$', "text = " + _toml(hostile("QST")))
    text = _replace_first(text, r'^  text = ".*"$', "  text = " + _toml(hostile("OPT")))
    quiz.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def raw_course(hostile_course: Path, monkeypatch: pytest.MonkeyPatch) -> Course:
    """The hostile course as its files hold it: without the inertness load_course gives it, so the
    screens themselves are tested (the real app gets both)."""
    with monkeypatch.context() as m:
        m.setattr("course.content.loader.visible_all", lambda value: value, raising=False)
        course = load_course(hostile_course)
    title = course.lesson(LESSON, "en").title
    assert "\x1b]0;PWNED-TTL\x07" in title, "the course really is raw"
    return course


def a_reflection(course: Course, data: Path, text: str) -> Study:
    """A data folder holding one reflection on the first lesson's first prompt."""
    study = Study(course, data, "en")
    study.save_reflection(LESSON, course.lesson(LESSON, "en").prompts[0].id, text, None)
    return study


def an_unreadable_file(data: Path) -> Path:
    """A damaged reflection whose *name* is hostile: it is moved aside and a notification names it."""
    path = data / "journal" / LESSON / f"x{PIECES[0][0].format(tag='NOTE')}.toml"
    path.write_text("text = [\n", encoding="utf-8")
    return path


def hostile_shares(course: Course, tmp_path: Path) -> Path:
    """A folder of share files: one participant who got the hostile question wrong and shared a hostile
    reflection, and a broken file with a hostile name (skipped, and listed by its name)."""
    quiz = course.quiz(LESSON, "en")
    assert quiz is not None
    first = quiz.questions[0]
    study = a_reflection(course, tmp_path / "participant", hostile("SHR"))
    take_quiz(study, LESSON, {first.id: wrong_answer(first)})
    folder = tmp_path / "shares"
    share_to(folder, "ada", build_share(study, "Ada", [study.all_reflections()[0].id]))
    (folder / f"bad{PIECES[0][0].format(tag='FILE')}.toml").write_text("kind = [\n", encoding="utf-8")
    return folder


# --- 1. the real app in a pseudo-terminal ----------------------------------------------------------------


class Terminal:
    """The real `python -m course …` in a pseudo-terminal, and every byte it has written."""

    def __init__(self, *args: str) -> None:
        pty = pytest.importorskip("pty")  # POSIX only; the other tests run everywhere
        self.main, child = pty.openpty()
        os.set_blocking(self.main, True)
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "course", *args],
            stdin=child, stdout=child, stderr=child, env=env, start_new_session=True, close_fds=True,
        )  # fmt: skip
        os.close(child)
        self.output = b""
        self.ended = False

    def _read(self, seconds: float) -> None:
        if self.ended or not select.select([self.main], [], [], seconds)[0]:
            return
        try:
            chunk = os.read(self.main, 65536)
        except OSError:  # EIO: the app has exited and closed the terminal
            chunk = b""
        self.output += chunk
        self.ended = not chunk

    def wait_for(self, text: str, since: int = 0, seconds: float = 20.0) -> None:
        """Read until `text` has been written (after byte `since`)."""
        needle, deadline = text.encode(), time.monotonic() + seconds
        while needle not in self.output[since:]:
            if self.ended or time.monotonic() > deadline:
                raise AssertionError(
                    f"{text!r} never reached the terminal; obeyed so far: {obeyed(self.output)};"
                    f" last output: {self.output[-600:]!r}"
                )
            self._read(0.1)

    def send(self, keys: bytes) -> int:
        """Type `keys`; the position in the output from which their effect shows."""
        since = len(self.output)
        os.write(self.main, keys)
        return since

    def quit(self, keys: bytes = b"\x11") -> None:
        """Type `keys` (ctrl+q), and read everything until the app has exited."""
        self.send(keys)
        deadline = time.monotonic() + 20
        while not self.ended and time.monotonic() < deadline:
            self._read(0.1)
        assert self.proc.wait(timeout=10) == 0, self.output[-600:]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.main)


@pytest.fixture
def terminal() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for t in started:
        t.close()


def test_in_a_real_terminal_every_screen_shows_hostile_text_and_the_terminal_obeys_none(
    hostile_course: Path, tmp_path: Path, terminal: list[Terminal]
) -> None:
    data = tmp_path / "data"
    a_reflection(load_course(hostile_course), data, hostile("REFL"))
    an_unreadable_file(data)
    app = Terminal("--data", str(data), "--course", str(hostile_course), "--lang", "en")
    terminal.append(app)

    app.wait_for("PWNED-TTL")  # home: the course map
    app.wait_for("PWNED-SUM")  # and the lesson's summary
    since = app.send(b"\r")  # open the lesson
    app.wait_for("PWNED-BODY", since)
    since = app.send(b"q")  # its quiz
    app.wait_for("PWNED-QST", since)
    app.wait_for("PWNED-OPT", since)
    since = app.send(b"j")  # the journal: list, preview, and a notification naming the damaged file
    app.wait_for("PWNED-REFL", since)
    app.wait_for("␛]0;PWNED-NOTE␇", since)  # whole, as asserted below (a frame of its fade-in may split it)
    since = app.send(b"\r")  # the reflection in the editor
    app.wait_for("You are editing the reflection", since)
    app.wait_for("PWNED-REFL", since)
    # A bracketed paste. Textual's own parser reads an ESC inside a paste as the start of a key (it shows
    # "^" for it and types the rest), so only the words are waited for; nothing of it may be obeyed.
    since = app.send(b"\x1b[200~" + hostile("PASTE").encode() + b"\x1b[201~")
    app.wait_for("RTL-PASTE", since)
    app.quit()

    assert not obeyed(app.output), obeyed(app.output)
    assert b"\x1b[2J" not in app.output  # not even a bare one: this one came from a text
    for tag in ("TTL", "SUM", "BODY", "QST", "OPT", "REFL"):
        for piece in shown_as(tag):
            assert piece.encode() in app.output, f"{piece!r} was not shown"
    assert "␛]0;PWNED-NOTE␇".encode() in app.output


def test_in_a_real_terminal_group_results_show_hostile_shares_and_the_terminal_obeys_none(
    hostile_course: Path, tmp_path: Path, terminal: list[Terminal]
) -> None:
    shares = hostile_shares(load_course(hostile_course), tmp_path)
    show = Terminal("results", str(shares), "--show", "--course", str(hostile_course), "--lang", "en")
    terminal.append(show)
    show.wait_for("PWNED-QST")  # the weakest question: the hostile one
    show.wait_for("PWNED-OPT")
    show.wait_for("PWNED-TTL")  # the lesson it belongs to
    since = show.send(b"s")  # the skipped files, by name
    show.wait_for("PWNED-FILE", since)
    since = show.send(b"\x1b[F")  # end: the shared reflections
    show.wait_for("PWNED-SHR", since)
    show.quit(b"q")

    assert not obeyed(show.output), obeyed(show.output)
    assert b"\x1b[2J" not in show.output
    for piece in shown_as("SHR"):
        assert piece.encode() in show.output


# --- 2. screen by screen, the texts raw --------------------------------------------------------------------


def on_screen(app: App[Any]) -> str:
    """What the terminal shows now, and every text the screen's widgets hold (scrolled into view or not)."""
    parts = [screen_text(app)]
    for widget in app.screen.query("*"):
        if isinstance(widget, Markdown):
            continue  # its source is text to parse; what it shows is in the blocks below it
        if isinstance(widget, Static):
            visual = widget.visual
            parts.append(visual.plain if isinstance(visual, Content) else str(visual))
        elif isinstance(widget, TextArea):
            parts.append(widget.text)
    return "\n".join(parts)


async def test_home_lesson_and_quiz_show_a_raw_course_inert(raw_course: Course, data_dir: Path) -> None:
    app = new_app(raw_course, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "RTL-SUM" in screen_text(app), "the summary is shown")
        assert_inert(on_screen(app), "TTL", pieces=3)  # the course map (its title column is cut)
        assert_inert(on_screen(app), "SUM")

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson opens")
        await until(pilot, lambda: "RTL-BODY" in screen_text(app), "the body is shown")
        assert_inert(on_screen(app), "BODY")
        assert_inert(on_screen(app), "TTL")  # its heading

        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, QuizScreen), "the quiz opens")
        await until(pilot, lambda: "RTL-OPT" in screen_text(app), "the options are shown")
        assert_inert(str(app.screen.title), "TTL", pieces=1)  # the header: "Quiz: <the lesson's title>"
        assert_inert(on_screen(app), "QST")
        assert_inert(on_screen(app), "OPT")
        await pilot.press("1", "enter")  # the feedback repeats the options with their explanations
        await until(pilot, lambda: app.screen.query("#verdict"), "the feedback is shown")
        assert_inert(on_screen(app), "OPT")


async def test_the_journal_list_preview_and_editor_show_a_reflection_inert_and_keep_it(
    course: Course, data_dir: Path
) -> None:
    a_reflection(course, data_dir, hostile("REFL"))
    [saved] = journal_files(data_dir)
    app = new_app(course, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await until(pilot, lambda: "RTL-REFL" in screen_text(app), "the preview is shown")
        assert isinstance(app.screen, JournalScreen)
        assert_inert(on_screen(app), "REFL")
        [entry] = [o.prompt for o in app.screen.query_one("#entries", OptionList).options if o.id]
        listed = entry.plain if isinstance(entry, Content) else str(entry)
        assert_inert(listed, "REFL", pieces=3)  # the list shows the start of the first line
        preview = app.screen.query_one("#entry-text", Static).visual
        assert isinstance(preview, Content)
        assert_inert(preview.plain, "REFL")
        await pilot.press("d")  # a dialog quotes it: "Delete the reflection …?"
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question is asked")
        assert_inert(on_screen(app), "REFL", pieces=3)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen), "the question is answered")

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReflectScreen), "the editor opens")
        editor = app.screen.query_one("#editor", TextArea)
        await until(pilot, lambda: "RTL-REFL" in editor.text, "the text is in the editor")
        assert_inert(editor.text, "REFL")
        assert_inert(on_screen(app), "REFL")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen), "back in the journal")
    assert read(saved)["text"] == hostile("REFL")  # opened and left unchanged: kept exactly as typed


async def test_sharing_and_commitments_show_the_learners_words_inert(course: Course, data_dir: Path) -> None:
    study = a_reflection(course, data_dir, hostile("REFL"))
    Practice(study).add_commitment(LESSON, hostile("DUE"), date.today())
    app = new_app(course, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_share(app, pilot)  # the reflections to choose from, then the exact file
        assert_inert(on_screen(app), "REFL", pieces=2)
        await choose_first(pilot, screen)
        # The exact file, where TOML escapes ESC, the C1 controls and the bidi overrides (\u202E)
        preview = screen.query_one("#share-preview", TextArea).text
        assert "\\u202ERTL-REFL" in preview and "\\u009B2JCSI8-REFL" in preview
        assert not CONTROLS.search(preview)
        await pilot.press("escape")
        app.action_commitments()
        await until(pilot, lambda: "RTL-DUE" in screen_text(app), "the commitment is listed")
        assert_inert(on_screen(app), "DUE")


async def test_a_paste_into_the_editor_is_inert(course: Course, data_dir: Path) -> None:
    app = new_app(course, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, ReflectScreen), "the editor opens")
        editor = app.screen.query_one("#editor", TextArea)
        await until(pilot, lambda: app.focused is editor, "the editor has focus")
        app.post_message(events.Paste(hostile("PASTE") + "\r\nsecond line"))  # as the terminal driver does
        await until(pilot, lambda: "second line" in editor.text, "the paste arrived")
        assert_inert(on_screen(app), "PASTE")
        assert editor.text.splitlines()[-1] == "second line"  # a pasted line break stays one


async def test_a_notification_naming_a_hostile_file_is_inert(course: Course, data_dir: Path) -> None:
    a_reflection(course, data_dir, "ordinary words")
    an_unreadable_file(data_dir)
    app = new_app(course, data_dir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("j")
        await until(pilot, lambda: app.screen.query(Toast), "the notification is shown")
        [toast] = app.screen.query(Toast)
        shown = toast.render()
        text = shown.plain if isinstance(shown, Content) else str(shown)
        assert "␛]0;PWNED-NOTE␇.toml" in text and "moved" in text
        assert not CONTROLS.search(text)
        assert not CONTROLS.search(screen_text(app))


async def test_group_results_show_raw_shares_and_a_raw_course_inert(
    raw_course: Course, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = hostile_shares(raw_course, tmp_path)
    monkeypatch.setattr("course.trainer.results.visible", lambda text: text, raising=False)  # the screen on its own
    app = make_results_app(raw_course, "en", [folder])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ResultsScreen) and app.screen.results, "results shown")
        assert_inert(on_screen(app), "QST")
        assert_inert(on_screen(app), "OPT")
        assert_inert(on_screen(app), "TTL")
        await pilot.press("space")  # the figures, and the most common wrong answer
        await pilot.press("s")  # the skipped files, by name
        await until(pilot, lambda: "PWNED-FILE" in screen_text(app), "the skipped file is listed")
        assert "bad␛]0;PWNED-FILE␇.toml" in on_screen(app)
        assert_inert(on_screen(app), "OPT")
        await pilot.press("end")
        await until(pilot, lambda: "SHR" in screen_text(app), "the shared reflections are shown")
        assert_inert(on_screen(app), "SHR")


# --- 3. no screen can bypass `inert` --------------------------------------------------------------------------

TUI = REPO / "course" / "tui"
# Widgets whose first argument (or `label=`) is text they show, and what may give it to them: inert text
# (course/tui/base.py), a literal, or the app's own translated strings (values put into those are numbers,
# or the screen passes the whole through inert).
TEXT_WIDGETS = {
    "Static", "Label", "Button", "Option", "Selection", "Tab", "RadioButton", "Checkbox",
    "MarkedRadio", "MarkedCheckbox", "Digits",
}  # fmt: skip
INERT = {"inert", "inert_text"}
# Editors and Markdown write their text out as it is: it must be made visible first (`editable` does that).
EDITORS = {"TextArea", "Input", "Markdown", "MarkdownViewer", "load_text"}
EDITABLE = {"editable", "visible"}
TRANSLATED = {"t", "tr", "label"}
# Reviewed exceptions: (file, the expression as written).
ALLOWED = {
    ("practice.py", "str(n)"),  # a number on the rating scale
    ("commitments.py", "(date.today() + timedelta(days=7)).isoformat()"),  # a date
    ("journal.py", "since"),  # the date filter's day, written by date.isoformat()
    ("journal.py", "until"),
    ("slides.py", "clock_text(c.remaining())"),  # a countdown's digits
    ("quiz.py", "label"),  # each of `labels = [inert(…) for …]`
}


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _texty(node: ast.expr, safe: set[str]) -> bool:
    """True when `node` is text that could come from outside: not a literal, not made safe by a `safe`
    call, not the app's own strings."""
    if isinstance(node, ast.Constant):
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _texty(node.left, safe) or _texty(node.right, safe)
    if isinstance(node, ast.IfExp):
        return _texty(node.body, safe) or _texty(node.orelse, safe)
    if isinstance(node, ast.Call):
        if _name(node.func) in safe | TRANSLATED:
            return False
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
            return _texty(node.func.value, safe)  # inert(…).stylize("bold")
    return True


def _bypasses(path: Path) -> list[str]:
    """Every place in `path` where text reaches a widget without being made inert (file:line: code)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    builders = {"Content", "Text"}  # and whatever name they are imported as
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("textual.content", "rich.text", "rich.markup"):
            builders |= {a.asname or a.name for a in node.names}
    found = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}: {ast.unparse(node)[:100]}"
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "label" for t in node.targets
        ):
            if _texty(node.value, INERT):  # button.label = …
                found.append(where)
            continue
        if not isinstance(node, ast.Call):
            continue
        func, name = node.func, _name(node.func)
        # Content(…), Text(…), Content.from_markup(…), Text.from_ansi(…), Text.assemble(…)
        if name in builders or (isinstance(func, ast.Attribute) and _name(func.value) in builders):
            if not all(isinstance(a, ast.Constant) for a in [*node.args, *(k.value for k in node.keywords)]):
                found.append(where)
            continue
        texts: list[ast.expr] = []
        safe = INERT
        if name in TEXT_WIDGETS:
            texts = node.args[:1] + [k.value for k in node.keywords if k.arg in ("label", "prompt")]
        elif name == "update" and isinstance(func, ast.Attribute):
            texts = node.args[:1]  # Static.update(text)
        elif name in EDITORS:
            texts, safe = (
                node.args[:1] + [k.value for k in node.keywords if k.arg in ("value", "text", "markdown")],
                EDITABLE,
            )
        if any(_texty(t, safe) and (path.name, ast.unparse(t)) not in ALLOWED for t in texts):
            found.append(where)
    return found


def test_no_screen_builds_shown_text_except_through_inert() -> None:
    files = sorted(p for p in TUI.glob("*.py") if p.name != "base.py")
    assert len(files) > 8
    bypasses = [b for p in files for b in _bypasses(p)]
    assert not bypasses, "text shown without course.tui.base.inert:\n" + "\n".join(bypasses)


def test_the_source_check_catches_a_bypass(tmp_path: Path) -> None:
    screen = tmp_path / "screen.py"
    screen.write_text(
        "from textual.content import Content as C\n"
        "from rich.text import Text\n"
        "x = C(r.text)\n"
        "y = Text.from_ansi(r.text)\n"
        "z = Static(f'{r.text}')\n"
        "w.update(r.text)\n"
        "b.label = r.text\n"
        "ok = Static(inert(r.text)), Static(self.t('k') + ' ⏎'), Content('literal'), Static()\n"
        "ok = Option(inert(r.text).stylize('bold')), s.update(inert(a) if a else '')\n"
        "v = s.update(a if a else '')\n"
        "e = TextArea(r.text), Input(value=r.text), area.load_text(r.text), Markdown(source)\n"
        "ok = TextArea(editable(r.text)), Input(), area.load_text(editable(r.text)), Markdown(visible(source))\n",
        encoding="utf-8",
    )
    assert sorted(int(b.split(":")[1]) for b in _bypasses(screen)) == [3, 4, 5, 6, 7, 10, 11, 11, 11, 11]


# --- 4. the command line ---------------------------------------------------------------------------------------


def test_tillit_results_prints_hostile_shares_and_course_text_inert(hostile_course: Path, tmp_path: Path) -> None:
    shares = hostile_shares(load_course(hostile_course), tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "course", "results", str(shares), "--course", str(hostile_course), "--lang", "en"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for stream in (done.stdout, done.stderr):
        assert b"\x1b" not in stream and not obeyed(stream), stream
        assert not CONTROLS.search(stream.decode()), stream
    assert "␛]0;PWNED-QST␇".encode() in done.stdout  # the weakest question, shown
    assert "bad␛]0;PWNED-FILE␇.toml".encode() in done.stderr  # the skipped file, by its name
