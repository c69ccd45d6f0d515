"""Issue 13, the practice group: self-assessment by number keys, its history on the fixed 1–5 scale with
its notes, commitments that can be postponed or marked "didn't happen", follow-ups that show their
commitment, and spaced review scheduled by FSRS."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from course.content.model import Course
from course.i18n import formats
from course.learner.practice import Practice, PracticeError
from course.learner.study import Study
from course.tui.app import TillitApp
from course.tui.commitments import CommitmentsScreen
from course.tui.dialogs import AskDialog
from course.tui.home import HomeScreen
from course.tui.practice import AssessmentScreen, RatingRow, ReviewScreen, spark
from tests.tui_helpers import flow, new_app, read, screen_text, showing, shows, toasts, until

SIZES = [(80, 24), (160, 48)]
LANGS = ["sv", "en"]


def statements(course: Course) -> list[str]:
    assert course.assessment is not None
    return [s.id for s in course.assessment.statements]


def row_line(app: TillitApp, marker: str) -> str:
    """The screen line of the rating row whose first characters are `marker` (▸ for the one with focus)."""
    return next(line for line in screen_text(app).splitlines() if line.strip().startswith(marker))


async def open_assessment(app: TillitApp, pilot: object) -> AssessmentScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await until(pilot, showing(app, HomeScreen))
    await pilot.press("s")
    await until(pilot, lambda: showing(app, AssessmentScreen)() and isinstance(app.screen.focused, RatingRow))
    screen = app.screen
    assert isinstance(screen, AssessmentScreen)
    return screen


# --- 1. self-assessment: focus at once, 1–5 rate and move on, arrows move ---------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
async def test_seven_number_keys_rate_the_seven_statements(
    course: Course, data_dir: Path, size: tuple[int, int], lang: str
) -> None:
    ids = statements(course)
    keys = ["3", "4", "5", "2", "1", "5", "4"][: len(ids)]
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=size) as pilot:
        screen = await open_assessment(app, pilot)
        focused = screen.focused
        assert isinstance(focused, RatingRow) and focused.statement_id == ids[0], "no tab needed"
        assert "▸ ○ 1  ○ 2  ○ 3  ○ 4  ○ 5" in screen_text(app), "the statement with focus is marked on screen"
        await pilot.press(keys[0])
        await until(pilot, lambda: isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[1])
        first = screen.query_one(f"#r-{ids[0]}", RatingRow)
        assert first.value == 3
        # the choice reads without colour: a filled mark for the chosen value, hollow ones for the rest
        assert first.render().plain.startswith("  ○ 1  ○ 2  ● 3  ○ 4  ○ 5")
        for key in keys[1:]:
            await pilot.press(key)
        await until(pilot, lambda: isinstance(screen.focused, Button) and screen.focused.id == "save")
        assert [screen.query_one(f"#r-{sid}", RatingRow).value for sid in ids] == [int(k) for k in keys]
        await pilot.press("enter")
        await until(pilot, lambda: (data_dir / "assessments").is_dir() and any((data_dir / "assessments").iterdir()))
    (saved,) = (data_dir / "assessments").glob("*.toml")
    assert read(saved)["ratings"] == dict(zip(ids, [int(k) for k in keys], strict=True))


async def test_arrows_move_between_statements_and_change_a_rating(course: Course, data_dir: Path) -> None:
    ids = statements(course)
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_assessment(app, pilot)

        def on(n: int) -> bool:
            return isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[n]

        await pilot.press("down")
        await until(pilot, lambda: on(1))
        await pilot.press("down", "up")
        await until(pilot, lambda: on(1))
        await pilot.press("right", "right", "right")
        row = screen.query_one(f"#r-{ids[1]}", RatingRow)
        await until(pilot, lambda: row.value == 3)
        await pilot.press("left")
        await until(pilot, lambda: row.value == 2)
        assert on(1), "left and right change the rating where it is"
        await until(pilot, lambda: "● 2" in row_line(app, "▸"))
        # tab reaches the note, whose up arrow goes back to its own rating
        await pilot.press("tab")
        await until(pilot, lambda: getattr(screen.focused, "id", "") == f"n-{ids[1]}")
        await pilot.press("3")
        await until(pilot, lambda: getattr(screen.focused, "value", "") == "3")
        assert row.value == 2, "a digit typed in a note is text, not a rating"
        await pilot.press("up")
        await until(pilot, lambda: on(1))


async def test_ratings_survive_a_language_switch(course: Course, data_dir: Path) -> None:
    ids = statements(course)
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_assessment(app, pilot)
        await pilot.press("4", "2")
        await until(pilot, lambda: isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[2])
        await pilot.press("f2")
        await until(pilot, shows(app, "Självskattning"))
        await until(pilot, lambda: screen.query_one(f"#r-{ids[1]}", RatingRow).value == 2)
        assert screen.query_one(f"#r-{ids[0]}", RatingRow).value == 4
        await until(pilot, lambda: isinstance(screen.focused, RatingRow) and screen.focused.statement_id == ids[2])
        await until(pilot, lambda: "▸ ○ 1" in screen_text(app), "the statement with focus is scrolled into view")


# --- 2. the history on the fixed 1–5 scale, with its notes --------------------------------------------------


def test_the_spark_uses_the_fixed_scale() -> None:
    assert spark([5, 5]) == "██", "5 → 5 is the top of the scale, not the bottom"
    assert spark([1, 1]) == "▁▁"
    assert spark([1, 2, 3, 4, 5]) == "▁▃▅▆█"
    assert spark([3]) == "▅"
    assert spark([1, 2, 3, 4, 5], width=2) == "▆█", "the latest ones"
    assert len(spark([3] * 40)) == 16


@pytest.mark.parametrize("size", SIZES)
async def test_the_history_draws_top_ratings_high_and_shows_the_notes(
    course: Course, data_dir: Path, size: tuple[int, int]
) -> None:
    ids = statements(course)
    study = Study(course, data_dir, "en")
    practice = Practice(study)
    practice.add_assessment(dict.fromkeys(ids, 5), {ids[0]: "Hard when we are in a hurry [/]"})
    practice.add_assessment(dict.fromkeys(ids, 5), {})
    app = new_app(course, data_dir, "en")
    async with app.run_test(size=size) as pilot:
        screen = await open_assessment(app, pilot)
        screen.query_one("#assessment").scroll_home(animate=False)
        await until(pilot, shows(app, "Your ratings so far"))
        assert course.assessment is not None
        name = course.assessment.statements[0].behaviour["en"]
        line = next(line for line in screen_text(app).splitlines() if line.strip().startswith(name))
        assert "██" in line and "▁" not in line, line
        assert "5 → 5" in line
        assert f"{formats.day(date.today(), 'en')} (5): Hard when we are in a hurry [/]" in screen_text(app)


# --- 3. commitments: postponed, "didn't happen", follow-ups that name their commitment; notes in exports ----


def test_a_commitment_can_be_postponed_or_marked_as_not_done(course: Course, data_dir: Path) -> None:
    practice = Practice(Study(course, data_dir, "en"))
    lesson = course.lesson_ids[0]
    today = date.today()
    c = practice.add_commitment(lesson, "Ask before I tell.", today)
    assert practice.due_commitments(today) == [c]
    moved = practice.postpone_commitment(c, today + timedelta(days=5))
    assert moved.due == today + timedelta(days=5) and moved.postponed == (today,) and moved.is_open
    assert practice.due_commitments(today) == []
    saved = read(data_dir / "commitments" / f"{c.id}.toml")
    assert saved["due"] == today + timedelta(days=5) and saved["postponed"] == [today]
    missed = practice.mark_missed(moved)
    assert missed.missed and missed.done is not None and not missed.follow_up
    assert practice.due_commitments(today + timedelta(days=30)) == []
    assert read(data_dir / "commitments" / f"{c.id}.toml")["missed"] is True
    with pytest.raises(PracticeError, match="not having happened"):
        practice.complete_commitment(missed, "It went well.")
    with pytest.raises(PracticeError, match="not having happened"):
        practice.mark_missed(missed)
    again = practice.postpone_commitment(missed, today + timedelta(days=9))
    assert again.is_open and not again.missed and again.postponed == (today, today + timedelta(days=5))
    assert practice.commitments() == [again]
    done, _ = practice.complete_commitment(again, "It went well.")
    with pytest.raises(PracticeError, match="already been followed up"):
        practice.postpone_commitment(done, today)
    with pytest.raises(PracticeError, match="already been followed up"):
        practice.mark_missed(done)
    assert "missed" not in read(data_dir / "commitments" / f"{c.id}.toml"), "the newer keys only when set"


@pytest.mark.parametrize(
    "extra",
    [
        b"missed = 1\n",  # not true/false
        b"missed = true\n",  # "didn't happen" but never closed
        b"postponed = [2025-05-21T10:00:00Z]\n",  # not dates
        b'postponed = "soon"\n',
    ],
)
def test_a_hand_broken_commitment_is_moved_aside(course: Course, data_dir: Path, extra: bytes) -> None:
    (data_dir / "commitments").mkdir(parents=True)
    path = data_dir / "commitments" / "20250101-000000-aaaaaa.toml"
    path.write_bytes(
        b'schema = 1\nid = "20250101-000000-aaaaaa"\nlesson = "trust-culture"\ntext = "x"\n'
        b"created = 2025-01-01T00:00:00Z\ndue = 2025-01-08\n" + extra
    )
    practice = Practice(Study(course, data_dir, "en"))
    assert practice.commitments() == []
    assert [n.kind for n in practice.notices] == ["moved"]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_commitments_screen_postpones_marks_and_keeps_its_place(
    course: Course, data_dir: Path, lang: str
) -> None:
    practice = Practice(Study(course, data_dir, lang))
    today = date.today()
    first = practice.add_commitment(course.lesson_ids[0], "Ask before I tell.", today)
    practice.add_commitment(course.lesson_ids[1], "Share the budget news early.", today + timedelta(days=2))
    answered = practice.add_commitment(course.lesson_ids[2], "Let the team plan.", today - timedelta(days=1))
    practice.complete_commitment(answered, "They planned more than I would have.\nSecond line.")
    app = new_app(course, data_dir, lang)
    words = {
        "sv": ("blev inte av", "flyttat en gång", "att följa upp (k)", "2 öppna, 1 avslutat ·"),
        "en": ("didn't happen", "postponed once", "to follow up (k)", "2 open, 1 closed ·"),
    }[lang]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, showing(app, HomeScreen))
        await until(pilot, lambda: words[2] in flow(screen_text(app)))
        await pilot.press("k")
        await until(pilot, lambda: showing(app, CommitmentsScreen)() and "Ask before I tell." in screen_text(app))
        screen = app.screen
        assert isinstance(screen, CommitmentsScreen)
        assert words[3] in screen_text(app)
        assert "→ They planned more than I would have." in screen_text(app), "a follow-up shows how it went"
        assert "Second line." not in screen_text(app)
        assert screen.current() == first
        await pilot.press("x")
        await until(pilot, shows(app, f"✗ {words[0]}"))
        current = screen.current()
        assert current is not None and current.id == first.id and current.missed, "the highlight stays on it"
        await pilot.press("p")
        await until(pilot, showing(app, AskDialog))
        dialog = app.screen
        assert isinstance(dialog, AskDialog)
        dialog.query_one("#answer", Input).value = (today + timedelta(days=10)).isoformat()
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, CommitmentsScreen)() and words[1] in screen_text(app))
        current = screen.current()
        assert current is not None and current.id == first.id and current.is_open
        assert current.due == today + timedelta(days=10)
        # a bad date changes nothing
        await pilot.press("p")
        await until(pilot, showing(app, AskDialog))
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one("#answer", Input).value = "next week"
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, CommitmentsScreen)() and bool(toasts(app)))
        assert read(data_dir / "commitments" / f"{first.id}.toml")["due"] == today + timedelta(days=10)
        await pilot.press("escape")
        await until(pilot, showing(app, HomeScreen))
        await until(pilot, lambda: words[2] not in flow(screen_text(app)), "nothing is due any more")


def test_exports_show_the_notes_and_the_commitment_a_follow_up_answers(
    course: Course, data_dir: Path, clock: object
) -> None:
    from course.render.export import render

    ids = statements(course)
    study = Study(course, data_dir, "en")
    practice = Practice(study)
    practice.add_assessment(dict.fromkeys(ids, 2), {ids[0]: "Hard when we are *busy*"})
    practice.add_assessment(dict.fromkeys(ids, 4), {ids[0]: "Better <b>now</b>"})
    c = practice.add_commitment(course.lesson_ids[0], "Ask <before> I tell", date.today())
    _, follow = practice.complete_commitment(c, "It went well.")
    assessments = practice.assessments()  # a second apart (the clock), so "2 → 4" in that order
    texts = practice.commitment_texts()
    assert texts == {c.id: "Ask <before> I tell"}
    day = formats.day(assessments[0].taken.astimezone().date(), "en")

    md = render([follow], course, "en", "md", assessments, commitments=texts)
    assert f"- {day} (2): Hard when we are \\*busy\\*" in md
    assert "(4): Better" in md
    assert "2 → 4" in md
    assert "Follow-up of the commitment “Ask" in md

    html = render([follow], course, "en", "html", assessments, commitments=texts)
    assert f"<li>{day} (2): Hard when we are *busy*</li>" in html
    assert "Better &lt;b&gt;now&lt;/b&gt;" in html and "<b>now" not in html
    assert "Follow-up of the commitment “Ask &lt;before&gt; I tell”" in html

    toml_text = render([follow], course, "en", "toml", assessments, commitments=texts)
    import tomllib

    data = tomllib.loads(toml_text)
    assert [a["notes"] for a in data["assessment"]] == [
        {ids[0]: "Hard when we are *busy*"},
        {ids[0]: "Better <b>now</b>"},
    ]
    assert data["reflection"][0]["prompt_text"] == "Follow-up of the commitment “Ask <before> I tell”"
    assert data["reflection"][0]["commitment"] == c.id

    sv = render([follow], course, "sv", "md", assessments, commitments=texts)
    assert "Uppföljning av åtagandet ”Ask" in sv
    plain = render([follow], course, "en", "md")
    assert "Follow-up of a commitment" in plain, "without the commitments, the prompt is as before"


# --- 4. spaced review by FSRS: migration, the log kept through a kill, the next review, likely remembered ----

LESSON = "trust-culture"


def question_ids(course: Course, lesson: str = LESSON) -> list[str]:
    quiz = course.quiz(lesson, "en")
    assert quiz is not None
    return [q.id for q in quiz.questions]


def write_legacy(data_dir: Path, tables: dict[str, dict[str, object]]) -> None:
    """A review.toml as Tillit wrote it before FSRS (the 1-3-7-14-30 ladder), signed as it was then."""
    from course.store import storage

    storage.ensure_dir(data_dir)
    storage.write_toml(data_dir / "review.toml", {"item": tables})


def legacy_tables(course: Course, day: date) -> dict[str, dict[str, object]]:
    q = question_ids(course)
    return {
        f"{LESSON}/{q[0]}": {  # missed once, due the next day
            "level": -1,
            "due": day + timedelta(days=1),
            "history": [{"day": day, "right": False}],
        },
        f"{LESSON}/{q[1]}": {  # missed, then right twice: 7 days on the ladder
            "level": 2,
            "due": day + timedelta(days=9),
            "history": [
                {"day": day - timedelta(days=4), "right": False},
                {"day": day - timedelta(days=3), "right": True},
                {"day": day, "right": True},
            ],
        },
        f"{LESSON}/{q[2]}": {  # retired: right past the last interval, never asked again by the ladder
            "level": 5,
            "due": day - timedelta(days=2),
            "history": [{"day": day - timedelta(days=60 - n * 10), "right": n > 0} for n in range(6)],
        },
    }


def old_reader_accepts(table: dict[str, object]) -> bool:
    """What a Tillit from before FSRS demanded of a table (it ignores the keys it does not know)."""
    level, due, history = table.get("level"), table.get("due"), table.get("history", [])
    return (
        isinstance(level, int)
        and -1 <= level <= 5
        and isinstance(due, date)
        and not isinstance(due, datetime)
        and isinstance(history, list)
        and all(
            isinstance(h, dict) and isinstance(h.get("right"), bool) and type(h.get("day")) is date for h in history
        )
    )


def test_a_review_file_from_before_fsrs_is_migrated_once_without_loss(course: Course, data_dir: Path) -> None:
    day = date.today()
    before = legacy_tables(course, day)
    write_legacy(data_dir, before)
    practice = Practice(Study(course, data_dir, "en"))
    items = {i.key: i for i in practice.review_items()}
    assert practice.notices == []
    assert set(items) == set(before)
    for key, table in before.items():
        item = items[key]
        old = table["history"]
        assert isinstance(old, list)
        assert [(a.day, a.right) for a in item.history] == [(h["day"], h["right"]) for h in old], "every answer kept"
        assert item.stability is not None and item.difficulty is not None, "FSRS's memory, from the replayed history"
        if table["level"] != 5:
            assert item.due == table["due"], "the due day is kept"
    retired = items[list(before)[2]]
    assert retired.due > day, "a retired question gets a day from FSRS, not its old (past) one"
    saved = read(data_dir / "review.toml")["item"]
    assert all("stability" in t and "state" in t for t in saved.values()), "rewritten as FSRS cards on first load"
    assert all(old_reader_accepts(t) for t in saved.values()), "a Tillit from before FSRS still reads it"
    assert practice.due_reviews(day + timedelta(days=1)) == [items[next(iter(before))]]
    written = (data_dir / "review.toml").read_bytes()
    again = Practice(Study(course, data_dir, "en"))
    assert {i.key: i for i in again.review_items()} == items
    assert (data_dir / "review.toml").read_bytes() == written, "migrated once: the next load writes nothing"
    # an answer after the migration goes on from the replayed memory
    answered = again.record_answer(LESSON, question_ids(course)[1], True)
    assert answered is not None and len(answered.history) == 4 and answered.history[-1].at is not None


def test_a_file_an_older_tillit_wrote_after_fsrs_is_migrated_again(course: Course, data_dir: Path) -> None:
    """An older Tillit reads the file and writes it back in its own layout; nothing of the log is lost."""
    practice = Practice(Study(course, data_dir, "en"))
    q = question_ids(course)[0]
    practice.record_answer(LESSON, q, False, date.today() - timedelta(days=2))
    practice.record_answer(LESSON, q, True, date.today() - timedelta(days=1))
    table = read(data_dir / "review.toml")["item"][f"{LESSON}/{q}"]
    write_legacy(
        data_dir,
        {
            f"{LESSON}/{q}": {
                "level": table["level"],
                "due": table["due"],
                "history": [{"day": h["day"], "right": h["right"]} for h in table["history"]],
            }
        },
    )
    (item,) = Practice(Study(course, data_dir, "en")).review_items()
    assert [a.right for a in item.history] == [False, True] and item.due == table["due"]
    assert item.stability is not None


def test_a_read_only_instance_does_not_migrate(course: Course, data_dir: Path) -> None:
    write_legacy(data_dir, legacy_tables(course, date.today()))
    before = (data_dir / "review.toml").read_bytes()
    study = Study(course, data_dir, "en")
    study.read_only = True
    items = Practice(study).review_items()
    assert len(items) == 3 and all(i.stability is not None for i in items), "migrated in memory"
    assert (data_dir / "review.toml").read_bytes() == before


@pytest.mark.parametrize(
    "table",
    [
        {"due": date(2025, 5, 22), "state": "sleeping", "stability": 2.0, "difficulty": 5.0},
        {"due": date(2025, 5, 22), "state": "review", "stability": -1.0, "difficulty": 5.0},
        {"due": date(2025, 5, 22), "state": "review", "stability": 2.0, "difficulty": 11.0},
        {"due": date(2025, 5, 22), "state": "review", "stability": True, "difficulty": 5.0},
        {"due": date(2025, 5, 22), "state": "review", "stability": 2.0, "difficulty": 5.0},  # no last_review
        {"due": date(2025, 5, 22), "level": 2, "history": [{"day": date(2025, 5, 20), "right": True, "at": "now"}]},
    ],
)
def test_a_broken_fsrs_table_is_moved_aside(course: Course, data_dir: Path, table: dict[str, object]) -> None:
    write_legacy(data_dir, {f"{LESSON}/{question_ids(course)[0]}": table})
    practice = Practice(Study(course, data_dir, "en"))
    assert practice.review_items() == []
    assert [n.kind for n in practice.notices] == ["moved"]


KILLER = r"""
import os, signal, sys, tempfile
from pathlib import Path
from course.content.loader import load_course
from course.learner.practice import Practice
from course.learner.review import scheduler
from course.learner.study import Study

scheduler()  # fsrs imported before any count starts
root, base, lesson = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
questions, seeds = sys.argv[4].split(","), [base / name for name in sys.argv[5].split(",")]
course = load_course(root)
HOOKED = ("open", "write", "fsync", "replace", "close", "fchmod", "rename", "unlink")


def run(data, crash_at, phase):
    study = Study(course, data, "en")
    practice = Practice(study)
    log = open(str(data) + ".log", "w")
    count = 0
    kill, getpid = os.kill, os.getpid

    def wrap(original):
        def hooked(*args, **kwargs):
            nonlocal count
            count += 1
            hit = count == crash_at
            if hit and phase == "before":
                kill(getpid(), signal.SIGKILL)
            result = original(*args, **kwargs)
            if hit:
                kill(getpid(), signal.SIGKILL)
            return result
        return hooked

    for name in HOOKED:
        setattr(os, name, wrap(getattr(os, name)))
    tempfile.mkstemp = wrap(tempfile.mkstemp)
    practice.review_items()  # a file from before FSRS is migrated here
    for n, q in enumerate(questions):
        assert practice.record_answer(lesson, q, n % 2 == 1) is not None
        log.write(f"SAVED {q}\n")
        log.flush()
    log.write(f"CALLS {count}\n")
    log.flush()


def fork(data, crash_at, phase):
    pid = os.fork()
    if pid == 0:
        try:
            run(data, crash_at, phase)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


for seed in seeds:
    fork(base / f"{seed.name}-dry", 0, "after")
for seed in seeds:
    calls = int(Path(str(base / f"{seed.name}-dry") + ".log").read_text().split("CALLS ")[1])
    for k in range(1, calls + 1):
        for phase in ("before", "after"):
            data = base / f"{seed.name}-{k}-{phase}"
            os.system(f"cp -a {seed} {data}")
            fork(data, k, phase)
print("DONE", flush=True)
"""


def test_a_save_killed_at_any_step_loses_no_answer_of_the_log(course: Course, tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from .conftest import REPO

    q = question_ids(course)
    new = tmp_path / "seed-new"
    seeded = Practice(Study(course, new, "en"))
    seeded.record_answer(LESSON, q[0], False, date.today() - timedelta(days=1))
    old = tmp_path / "seed-old"
    Study(course, old, "en")
    write_legacy(old, legacy_tables(course, date.today() - timedelta(days=1)))
    for seed in (new, old):
        shutil.copytree(seed, tmp_path / f"{seed.name}-dry")
    asked = [q[3], q[0]]
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(REPO), str(tmp_path), LESSON, ",".join(asked), "seed-new,seed-old"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and "DONE" in done.stdout, done.stderr
    runs = sorted(p for p in tmp_path.iterdir() if p.is_dir() and p.name.endswith(("-before", "-after")))
    assert len(runs) > 20, "every I/O step of the migration and of two saves, before and after"
    for data in runs:
        seed = new if data.name.startswith("seed-new") else old
        kept = {
            i.key: [(a.day, a.right) for a in i.history] for i in Practice(Study(course, seed, "en")).review_items()
        }
        practice = Practice(Study(course, data, "en"))
        items = {i.key: [(a.day, a.right) for a in i.history] for i in practice.review_items()}
        assert practice.notices == [], (data.name, practice.notices)
        for key, history in kept.items():
            assert items[key][: len(history)] == history, f"{data.name}: the log from before is kept"
        log = Path(str(data) + ".log").read_text() if Path(str(data) + ".log").exists() else ""
        for n, question in enumerate(asked):
            if f"SAVED {question}" in log:
                answers = items[f"{LESSON}/{question}"][len(kept.get(f"{LESSON}/{question}", [])) :]
                assert (date.today(), n % 2 == 1) in answers, f"{data.name}: an acknowledged answer is lost"


def test_a_coming_day_is_said_in_words() -> None:
    from course.learner.review import describe_day

    monday = date(2025, 5, 19)
    assert describe_day(monday, "en", monday) == "today"
    assert describe_day(monday + timedelta(days=1), "en", monday) == "tomorrow"
    assert describe_day(monday + timedelta(days=1), "sv", monday) == "i morgon"
    assert describe_day(monday + timedelta(days=3), "en", monday) == "Thursday"
    assert describe_day(monday + timedelta(days=3), "sv", monday) == "torsdag"
    assert describe_day(monday + timedelta(days=6), "en", monday) == "Sunday"
    assert describe_day(monday + timedelta(days=7), "en", monday) == formats.day(monday + timedelta(days=7), "en")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
async def test_the_home_line_says_when_the_next_review_is_due(
    course: Course, data_dir: Path, size: tuple[int, int], lang: str
) -> None:
    from course.learner.review import describe_day

    practice = Practice(Study(course, data_dir, lang))
    item = practice.record_answer(LESSON, question_ids(course)[0], True)  # right: due a few days on
    assert item is not None and item.due > date.today()
    expected = {"en": "↻ next review: ", "sv": "↻ nästa repetition: "}[lang] + describe_day(item.due, lang)
    app = new_app(course, data_dir, lang)
    async with app.run_test(size=size) as pilot:
        await until(pilot, showing(app, HomeScreen))
        await until(pilot, lambda: expected in flow(screen_text(app)), expected)


def test_likely_remembered_falls_as_days_pass_and_rises_with_a_review(course: Course, data_dir: Path) -> None:
    practice = Practice(Study(course, data_dir, "en"))
    q = question_ids(course)
    start = date.today() - timedelta(days=10)
    practice.record_answer(LESSON, q[0], True, start)
    practice.record_answer(LESSON, q[1], False, start)
    other = course.lesson_ids[1]
    practice.record_answer(other, question_ids(course, other)[0], True, start)
    noon = datetime.combine(start, datetime.min.time()).astimezone() + timedelta(hours=12)
    at_once = practice.remembered(noon)
    later = practice.remembered(noon + timedelta(days=10))
    assert set(at_once) == {LESSON, other}, "only lessons with answered questions"
    assert all(0.0 <= v <= 1.0 for v in [*at_once.values(), *later.values()])
    assert later[LESSON] < at_once[LESSON] and later[other] < at_once[other]
    assert later[LESSON] < later[other], "a missed question is less likely remembered"
    practice.record_answer(LESSON, q[1], True)
    assert practice.remembered()[LESSON] > later[LESSON]


@pytest.mark.parametrize("lang", LANGS)
async def test_a_review_ends_with_what_is_likely_remembered_and_the_next_day(
    course: Course, data_dir: Path, lang: str
) -> None:
    quiz = course.quiz(LESSON, lang)
    assert quiz is not None
    first = quiz.questions[0]
    practice = Practice(Study(course, data_dir, lang))
    practice.record_answer(LESSON, first.id, False, date.today() - timedelta(days=1))  # due today
    right = next(i for i, o in enumerate(first.choices("True", "False")) if o.correct) + 1
    app = new_app(course, data_dir, lang)
    words = {"en": ("Likely remembered now:", "next review: "), "sv": ("Troligen ihågkommet nu:", "nästa repetition: ")}
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, showing(app, HomeScreen))
        await pilot.press("v")
        await until(pilot, lambda: showing(app, ReviewScreen)())
        await pilot.press(str(right), "enter")
        await until(pilot, shows(app, "✓"))
        await pilot.press("enter")
        await until(pilot, shows(app, words[lang][0]))
        title = course.lesson(LESSON, lang).title
        text = flow(screen_text(app))
        assert f"1. {title}: " in text and words[lang][1] in text
    (item,) = Practice(Study(course, data_dir, lang)).review_items()
    assert [a.right for a in item.history] == [False, True]


def test_start_up_does_not_import_fsrs(course: Course, data_dir: Path) -> None:
    """The home screen reads the schedule without fsrs (about 6 ms to import); a review or a memory loads it."""
    import subprocess
    import sys

    from .conftest import REPO

    Practice(Study(course, data_dir, "en")).record_answer(LESSON, question_ids(course)[0], False)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from course.content.loader import load_course\n"
        "from course.learner.practice import Practice\n"
        "from course.learner.study import Study\n"
        "import course.tui.app, course.tui.home, course.tui.practice\n"
        f"p = Practice(Study(load_course(Path({str(REPO)!r})), Path({str(data_dir)!r}), 'en'))\n"
        "assert p.due_reviews() == [] and p.next_review() is not None and p.review_reminder('en')\n"
        "assert 'fsrs' not in sys.modules, 'fsrs was imported'\n"
        "p.remembered()\n"
        "assert 'fsrs' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
