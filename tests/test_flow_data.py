"""Issue 13, "your data, by hand too": hand edits kept, the trash and the editor from the command line,
Markdown prose, one rule for every -o FILE, Swedish tag order and a remembered --lang."""

from __future__ import annotations

import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from course.cli.main import main
from course.content.model import Course
from course.learner import doctor
from course.learner.journal import JournalStore, Reflection
from course.learner.study import Study
from course.store import storage
from course.tui.app import make_app

from .tui_helpers import until

LESSON = "trust-culture"
PROMPT = "reflect-1"
WHEN = datetime(2025, 5, 21, 9, 30, tzinfo=UTC)


def where(course: Course, data: Path) -> list[str]:
    return ["--course", str(course.root), "--data", str(data)]


# --- 1. a file edited by hand is kept; only what cannot be read goes to quarantine -----------------------


def signed_progress(course: Course, data: Path) -> Path:
    """progress.toml as Tillit writes it, with the language saved as Swedish."""
    study = Study(course, data, "sv")
    study.set_language("sv")
    study.mark_read(course.lesson_ids[0])
    path = data / "progress.toml"
    assert storage.seal(path.read_bytes()) == "whole"
    return path


def test_a_hand_edit_that_reads_well_is_kept_with_a_copy_and_said_once(course: Course, data_dir: Path) -> None:
    path = signed_progress(course, data_dir)
    edited = path.read_bytes().replace(b'language = "sv"', b'language = "en"  # changed by me')
    path.write_bytes(edited)
    study = Study(course, data_dir)
    assert study.lang == "en", "the edit is used"
    [notice] = study.notices
    assert notice.kind == "edited" and notice.path == path
    assert notice.moved_to is not None and notice.moved_to.parent == data_dir / storage.HAND_EDITS
    assert notice.moved_to.name.startswith("progress.toml.edited-")
    assert notice.moved_to.read_bytes() == edited, "the copy is the file as it was found"
    assert stat.S_IMODE(notice.moved_to.stat().st_mode) == 0o600
    assert path.read_bytes() == edited, "the file itself stays as the learner left it"
    assert not (data_dir / storage.QUARANTINE).exists()
    again = Study(course, data_dir)
    assert again.notices == [], "said once"
    again.set_language("sv")  # the next save writes a checksum line of its own
    assert storage.seal(path.read_bytes()) == "whole"
    assert storage.hand_edit_copies(data_dir) == [notice.moved_to]


def test_a_hand_edited_reflection_shows_the_new_text(course: Course, data_dir: Path) -> None:
    Study(course, data_dir)
    store = JournalStore(data_dir, [])
    store.save(Reflection("20250521-093000-abcdef", LESSON, PROMPT, "Before the edit.", WHEN, WHEN))
    path = data_dir / "journal" / LESSON / "20250521-093000-abcdef.toml"
    path.write_bytes(path.read_bytes().replace(b"Before the edit.", b"After my own edit, in vim."))
    study = Study(course, data_dir)
    [r] = study.all_reflections()
    assert r.text == "After my own edit, in vim."
    assert [n.kind for n in study.notices] == ["edited"]


def test_a_cut_file_is_still_quarantined_even_where_it_parses(course: Course, data_dir: Path) -> None:
    path = signed_progress(course, data_dir)
    whole = path.read_bytes()
    cut = whole[: whole.rstrip(b"\n").rindex(b"\n") + 1]  # the checksum line gone: a cut that still parses
    path.write_bytes(cut)
    study = Study(course, data_dir)
    [notice] = study.notices
    assert notice.kind == "moved" and notice.detail == storage.TRUNCATED
    assert not path.exists() and storage.hand_edit_copies(data_dir) == []
    half = whole[: len(whole) - 20]  # cut inside the checksum line
    path.write_bytes(half)
    assert [n.kind for n in Study(course, data_dir).notices] == ["moved"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ((b'status = "read"', b'status = "half-read"'), "has an unknown status"),
        ((b"[lessons", b"[[lessons"), "changed outside Tillit and is not valid TOML"),
    ],
)
def test_a_hand_edit_that_does_not_check_goes_to_quarantine_saying_why(
    course: Course, data_dir: Path, change: tuple[bytes, bytes], reason: str
) -> None:
    path = signed_progress(course, data_dir)
    raw = path.read_bytes()
    assert change[0] in raw
    path.write_bytes(raw.replace(*change, 1))
    study = Study(course, data_dir)
    [notice] = study.notices
    assert notice.kind == "moved" and reason in notice.detail
    assert storage.hand_edit_copies(data_dir) == []


def test_the_notes_advice_can_be_followed(course: Course, data_dir: Path) -> None:
    """Repair a quarantined file and move it back: Tillit takes it (before, it was quarantined again)."""
    path = signed_progress(course, data_dir)
    path.write_bytes(path.read_bytes().replace(b'status = "read"', b'status = "reed"'))
    [notice] = Study(course, data_dir).notices
    assert notice.moved_to is not None
    note = notice.moved_to.with_name(notice.moved_to.name + ".note.txt").read_text(encoding="utf-8")
    assert "repair it and move it back" in note and "tillit-sha256" in note
    repaired = notice.moved_to.read_bytes().replace(b'status = "reed"', b'status = "read"  # fixed')
    notice.moved_to.unlink()
    path.write_bytes(repaired)
    study = Study(course, data_dir)
    assert [n.kind for n in study.notices] == ["edited"]
    assert study.status(course.lesson_ids[0]) == "read"


def test_a_read_only_tillit_uses_a_hand_edit_and_keeps_no_copy(course: Course, data_dir: Path) -> None:
    path = signed_progress(course, data_dir)
    path.write_bytes(path.read_bytes().replace(b'language = "sv"', b'language = "en"'))
    reader = Study(course, data_dir, read_only=True)
    storage.set_read_only(data_dir, False)
    assert reader.lang == "en" and reader.notices == []
    assert storage.hand_edit_copies(data_dir) == []


def test_doctor_explains_a_hand_edit_before_and_after_tillit_kept_it(course: Course, data_dir: Path) -> None:
    path = signed_progress(course, data_dir)
    path.write_bytes(path.read_bytes().replace(b'language = "sv"', b'language = "en"'))
    before, code = doctor.run(data_dir, fix=False)
    text = "\n".join(before)
    assert code == 0
    assert "note: progress.toml was changed outside Tillit (its checksum line no longer matches) and reads well" in text
    assert f"{storage.HAND_EDITS}/" in text
    assert path.read_bytes().count(b'"en"') == 1 and storage.hand_edit_copies(data_dir) == [], "doctor changes nothing"
    Study(course, data_dir)
    [copy] = storage.hand_edit_copies(data_dir)
    after = "\n".join(doctor.run(data_dir, fix=False)[0])
    assert "note: progress.toml was changed outside Tillit and read well, so Tillit kept the change (" in after
    assert f"kept in {copy.relative_to(data_dir)}" in after
    assert "its checksum line is renewed when Tillit next saves it" in after
    assert "(its checksum line no longer matches)" not in after
    Study(course, data_dir).set_language("sv")
    saved = "\n".join(doctor.run(data_dir, fix=False)[0])
    assert "Tillit has saved it since, with a checksum line of its own" in saved


def test_the_command_line_says_so_once_on_stderr(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Study(course, data_dir)
    JournalStore(data_dir, []).save(Reflection("20250521-093000-abcdef", LESSON, PROMPT, "Mine.", WHEN, WHEN))
    path = data_dir / "journal" / LESSON / "20250521-093000-abcdef.toml"
    path.write_bytes(path.read_bytes().replace(b"Mine.", b"Mine, edited."))
    assert main(["journal", "list", *where(course, data_dir)]) == 0
    out, err = capsys.readouterr()
    assert "Mine, edited." in out
    assert err.count("was changed outside Tillit") == 1 and str(path) in err
    assert main(["journal", "list", *where(course, data_dir)]) == 0
    assert "changed outside Tillit" not in capsys.readouterr().err


@pytest.mark.parametrize(("lang", "words"), [("en", "was changed outside Tillit"), ("sv", "har ändrats utanför Tillit")])
async def test_the_app_says_so_in_the_learners_language(course: Course, data_dir: Path, lang: str, words: str) -> None:
    path = signed_progress(course, data_dir)
    path.write_bytes(path.read_bytes().replace(b"[lessons", b"# my note\n[lessons", 1))
    app = make_app(Study(course, data_dir, lang))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: any(words in str(n.message) for n in app._notifications), "the notice")
        [message] = [str(n.message) for n in app._notifications if words in str(n.message)]
        assert str(path) in message and storage.HAND_EDITS in message


# --- 6. one rule for every -o FILE: never over an existing file without --force ------------------------


def outputs(course: Course, tmp_path: Path, data: Path) -> dict[str, tuple[list[str], Path]]:
    """Every command that writes a file it is given, with that file (under tmp_path/out)."""
    shares = tmp_path / "shares"
    shares.mkdir(exist_ok=True)
    if not (shares / "p.toml").exists():
        assert main(["--data", str(data), "share", "-o", str(shares / "p.toml")]) == 0
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    gift = Path(__file__).parent / "gift" / "moodle-examples.gift"
    common = where(course, data)
    return {
        "journal export": (["journal", "export", *common, "-o", str(out / "j.md")], out / "j.md"),
        "share": (["--data", str(data), "share", "-o", str(out / "share.toml")], out / "share.toml"),
        "handout": (["handout", *common, "--for", "participants", "--format", "md", "-o", str(out / "h.md")], out / "h.md"),
        "results --html": (["results", *common, str(shares), "--html", str(out / "r.html")], out / "r.html"),
        "results --csv": (["results", *common, str(shares), "--csv", str(out / "r.csv")], out / "r.csv"),
        "results --assessment-csv": (
            ["results", *common, str(shares), "--assessment-csv", str(out / "a.csv")],
            out / "a.csv",
        ),
        "session new": (["session", "new", *common, "-o", str(out / "plan.toml")], out / "plan.toml"),
        "import gift": (["import", "gift", str(gift), "-o", str(out / "trust-culture.toml")], out / "trust-culture.toml"),
    }


COMMANDS = (
    "journal export",
    "share",
    "handout",
    "results --html",
    "results --csv",
    "results --assessment-csv",
    "session new",
    "import gift",
)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_output_refuses_an_existing_file_in_one_sentence_and_replaces_it_with_force(
    course: Course, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    Study(course, data_dir, "en")
    args, target = outputs(course, tmp_path, data_dir)[command]
    target.write_text("mine, not Tillit's\n", encoding="utf-8")
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == f"tillit: {storage.exists_sentence(target)}\n", "the same one sentence for every command"
    assert target.read_text(encoding="utf-8") == "mine, not Tillit's\n"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")], "no temp file left"
    assert main([*args, "--force"]) == 0
    assert target.read_text(encoding="utf-8") != "mine, not Tillit's\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_results_refuse_before_writing_any_of_their_files(
    course: Course, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Study(course, data_dir, "en")
    outputs(course, tmp_path, data_dir)
    out = tmp_path / "out"
    (out / "r.csv").write_text("keep\n", encoding="utf-8")
    args = ["results", *where(course, data_dir), str(tmp_path / "shares"), "--html", str(out / "r.html")]
    assert main([*args, "--csv", str(out / "r.csv")]) == 2
    assert not (out / "r.html").exists(), "nothing is written when one of the files is there already"
    assert (out / "r.csv").read_text(encoding="utf-8") == "keep\n"


def test_sharing_reflections_refuses_an_existing_file_before_asking(
    course: Course, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    study = Study(course, data_dir, "en")
    r = study.save_reflection(LESSON, course.lesson(LESSON, "en").prompts[0].id, "Private words.", None)
    target = tmp_path / "share.toml"
    target.write_text("earlier\n", encoding="utf-8")
    asked: list[str] = []

    def answer(question: str) -> str:
        asked.append(question)
        return "y"

    monkeypatch.setattr("builtins.input", answer)
    assert main(["--data", str(data_dir), "share", "-o", str(target), "--reflection", r.id, "--yes"]) == 2
    assert asked == [] and target.read_text(encoding="utf-8") == "earlier\n"
    assert "already exists" in capsys.readouterr().err


def test_a_device_is_written_into_without_force(course: Course, data_dir: Path) -> None:
    Study(course, data_dir, "en")
    assert main(["journal", "export", *where(course, data_dir), "--format", "md", "-o", os.devnull]) == 0
    assert main(["--data", str(data_dir), "share", "-o", os.devnull]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_file_that_appears_while_writing_is_never_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.html"
    real = storage.check_new_file

    def late(path: Path, replace: bool = False) -> None:
        real(path, replace)
        path.write_text("someone else's, written a moment later\n", encoding="utf-8")

    monkeypatch.setattr(storage, "check_new_file", late)
    with pytest.raises(storage.OutputRefused, match="already exists"):
        storage.write_new_file(target, "<p>mine</p>")
    assert target.read_text(encoding="utf-8") == "someone else's, written a moment later\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.html"], "no temp file left"


def test_a_link_of_that_name_is_never_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    link = tmp_path / "out.md"
    link.symlink_to(elsewhere)  # dangling
    with pytest.raises(storage.OutputRefused, match="already exists"):
        storage.write_new_file(link, "x")
    assert not elsewhere.exists() and link.is_symlink()


# --- 5. -o x.html without --format takes the format from the name ------------------------------------------


def test_export_takes_the_format_from_the_file_name(
    course: Course, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = Study(course, data_dir, "en")
    study.save_reflection(LESSON, course.lesson(LESSON, "en").prompts[0].id, "Asked instead of told.", None)
    args = ["journal", "export", *where(course, data_dir)]
    assert main([*args, "-o", str(tmp_path / "notes.html")]) == 0
    assert (tmp_path / "notes.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert main([*args, "-o", str(tmp_path / "notes.MD")]) == 0
    assert (tmp_path / "notes.MD").read_text(encoding="utf-8").startswith("# ")
    assert main([*args, "-o", str(tmp_path / "notes.toml")]) == 0
    assert "Asked instead of told." in (tmp_path / "notes.toml").read_text(encoding="utf-8")
    assert main([*args, "--format", "md", "-o", str(tmp_path / "plain.html")]) == 0  # --format, when given, wins
    assert (tmp_path / "plain.html").read_text(encoding="utf-8").startswith("# ")
    capsys.readouterr()
    assert main([*args, "-o", str(tmp_path / "notes.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "end it in .md, .html or .toml" in err and "--format" in err
    assert not (tmp_path / "notes.txt").exists()
    assert main(args) == 2
    assert "--format md, html or toml" in capsys.readouterr().err


# --- 2. the trash from the command line: list deleted reflections, restore one -----------------------------


def test_journal_trash_lists_deleted_reflections_and_restore_puts_one_back(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = Study(course, data_dir, "en")
    prompt = course.lesson(LESSON, "en").prompts[0].id
    kept = study.save_reflection(LESSON, prompt, "This one stays.", None)
    gone = study.save_reflection(LESSON, prompt, "Deleted by mistake: " + "a long thought " * 10, None)
    other = study.save_reflection(LESSON, prompt, "Also deleted \x1b[31m.", None)
    study.delete_reflection(gone)
    study.delete_reflection(other)
    args = where(course, data_dir)
    assert main(["journal", "trash", *args, "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [other.id, gone.id], "the most recently deleted first"
    title = course.lesson(LESSON, "en").title
    assert f"{title}: Deleted by mistake: a long thought" in lines[1] and lines[1].endswith("…")
    assert "\x1b" not in out and "␛" in lines[0], "a reflection's text is shown, never obeyed"
    assert kept.id not in out
    assert "tillit journal restore ID" in err
    unique = next(n for n in range(len(gone.id)) if gone.id[n] != other.id[n]) + 1
    assert main(["journal", "restore", *args, gone.id[:unique]]) == 0  # the start of the id is enough
    assert f"Restored {gone.id}" in capsys.readouterr().out
    assert gone.id in [r.id for r in Study(course, data_dir).all_reflections()]
    assert main(["journal", "trash", *args]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [other.id]


def test_journal_restore_says_in_one_sentence_what_is_wrong(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = Study(course, data_dir, "en")
    prompt = course.lesson(LESSON, "en").prompts[0].id
    args = where(course, data_dir)
    assert main(["journal", "trash", *args]) == 0
    assert capsys.readouterr().err == "tillit: the trash is empty: no deleted reflection to restore.\n"
    assert main(["journal", "restore", *args, "20250101-000000-abcdef"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    first = study.save_reflection(LESSON, prompt, "One.", None)
    second = study.save_reflection(LESSON, prompt, "Two.", None)
    for r in (first, second):
        study.delete_reflection(r)
    common = next(n for n in range(len(first.id)) if first.id[n] != second.id[n])
    assert main(["journal", "restore", *args, first.id[:common]]) == 2
    err = capsys.readouterr().err
    assert "give more of it" in err and err.count("\n") == 1


# --- 3. journal add in $EDITOR shows the prompt as # comment lines, left out when saved -----------------


EDITOR = """
import os, sys
from pathlib import Path
draft = Path(sys.argv[-1])
Path(os.environ["SEEN"]).write_text(draft.read_text(encoding="utf-8"), encoding="utf-8")
draft.write_text(os.environ["WRITE"].replace("{draft}", draft.read_text(encoding="utf-8")), encoding="utf-8")
"""


@pytest.mark.parametrize(("lang", "lesson_word"), [("en", "# Lesson: "), ("sv", "# Lektion: ")])
def test_the_editor_shows_the_prompt_as_comment_lines_that_are_not_saved(
    course: Course, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, lesson_word: str
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    seen = tmp_path / "seen.txt"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("SEEN", str(seen))
    monkeypatch.setenv("WRITE", "My own words.\n#team is a line of mine\n{draft}")  # typed on the first line
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert main(["journal", "add", *where(course, data_dir), "--lang", lang]) == 0
    draft = seen.read_text(encoding="utf-8")
    lesson = course.lesson(course.lesson_ids[0], lang)
    assert draft.startswith("\n# "), "an empty first line to write on, as git commit does"
    comments = draft.splitlines()[1:]
    assert all(line.startswith("#") for line in comments)
    assert f"{lesson_word}{lesson.title}" in comments
    assert " ".join(lesson.prompts[0].text.split())[:40] in " ".join(c.lstrip("# ") for c in comments)
    assert "#" in comments[0][1:], "the first comment line says that # lines are left out"
    [r] = Study(course, data_dir).all_reflections()
    assert r.text == "My own words.\n#team is a line of mine"


# --- 4. Markdown export: reflections as prose (escaped), not code fences --------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_markdown_export_writes_reflections_as_prose_that_reads_as_written(
    course: Course, data_dir: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    from markdown_it import MarkdownIt

    text = "Today I *asked* instead of told.\n# not a heading\n- not a list\n\nSecond thought: <b>&amp;</b> `x`"
    study = Study(course, data_dir, lang)
    study.save_reflection(LESSON, course.lesson(LESSON, lang).prompts[0].id, text, None)
    assert main(["journal", "export", *where(course, data_dir), "--lang", lang, "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "```" not in md
    tokens = MarkdownIt("commonmark").parse(md)
    assert not {t.type for t in tokens} & {"fence", "code_block", "bullet_list_open", "html_block"}
    mine = [c for t in tokens if t.type == "inline" and ("asked" in t.content or "thought" in t.content) for c in t.children or []]
    assert mine and not {c.type for c in mine} & {"em_open", "code_inline", "html_inline", "link_open"}
    paragraphs = [
        "".join("\n" if c.type == "hardbreak" else c.content for c in t.children or [])
        for t in tokens
        if t.type == "inline"
    ]
    assert "Today I *asked* instead of told.\n# not a heading\n- not a list" in paragraphs
    assert "Second thought: <b>&amp;</b> `x`" in paragraphs


# --- 7. Swedish tag order, and --lang remembered ------------------------------------------------------------


def test_tags_sort_with_a_a_o_after_z_and_english_order_as_before() -> None:
    from course.learner.journal import normalise_tags
    from course.learner.journal_query import all_tags

    swedish = ["ödmjukhet", "ärlighet", "återkoppling", "zon", "arbete", "Öppenhet"]
    assert normalise_tags(swedish) == ("arbete", "zon", "återkoppling", "ärlighet", "ödmjukhet", "öppenhet")
    english = ["trust", "Feedback", "team-work", "autonomy", "zeal", "1-on-1"]
    assert normalise_tags(english) == tuple(sorted(t.lower() for t in english))  # code point order, as before
    reflections = [
        Reflection(f"20250521-09300{n}-abcdef", LESSON, PROMPT, "x", WHEN, WHEN, normalise_tags([tag]))
        for n, tag in enumerate(swedish[:4])
    ]
    assert all_tags(reflections) == ["zon", "återkoppling", "ärlighet", "ödmjukhet"]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_journal_lists_tags_in_swedish_order(
    course: Course, data_dir: Path, lang: str, size: tuple[int, int]
) -> None:
    from textual.widgets import Select

    from course.tui.journal import JournalScreen

    from .tui_helpers import screen_text, showing

    study = Study(course, data_dir, lang)
    prompt = course.lesson(LESSON, lang).prompts[0].id
    study.save_reflection(LESSON, prompt, "Tags.", None, ["ödmjukhet", "ärlighet", "återkoppling", "zon"])
    app = make_app(study)
    async with app.run_test(size=size) as pilot:
        await pilot.press("j")
        await until(pilot, lambda: showing(app, JournalScreen)() and "#zon" in screen_text(app), "the journal")
        shown = screen_text(app)  # row by row: the list's row (wrapped at 80 columns) comes before the preview
        assert shown.index("#zon") < shown.index("#återkoppling") < shown.index("#ärlighet") < shown.index("#ödmjukhet")
        tags = app.screen.query_one("#f-tag", Select)
        values = [value for _prompt, value in tags._options][1:]
        assert values == ["zon", "återkoppling", "ärlighet", "ödmjukhet"]


def test_lang_given_once_is_remembered_by_the_commands_that_open_the_study(course: Course, data_dir: Path) -> None:
    args = where(course, data_dir)
    assert main(["journal", "list", *args, "--lang", "en"]) == 0
    assert Study(course, data_dir).lang == "en"
    assert main(["journal", "trash", *args, "--lang", "sv"]) == 0
    assert Study(course, data_dir).lang == "sv"
    assert main(["--lang", "en", *args, "share"]) == 0
    assert Study(course, data_dir).lang == "en"
    assert main(["journal", "list", *args]) == 0  # without --lang nothing changes
    assert Study(course, data_dir).lang == "en"


def test_lang_given_to_the_app_is_remembered_like_f2(
    course: Course, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    class Opened:
        def __init__(self, study: Study) -> None:
            self.study = study

        def run(self) -> None:
            opened.append(self.study.lang)

    monkeypatch.setattr("course.tui.app.make_app", Opened)
    assert main([*where(course, data_dir), "--lang", "en"]) == 0
    assert main(where(course, data_dir)) == 0
    assert opened == ["en", "en"], "the second start, without --lang, opens in the language given before"
    assert main([*where(course, data_dir), "--lang", "sv"]) == 0
    assert Study(course, data_dir).lang == "sv"
