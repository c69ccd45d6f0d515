"""Journal v2: versions, stars, tags, delete with undo, and files from before any of that still loading."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from course.content.loader import load_course
from course.content.model import Course
from course.errors import NewerFileError, StorageError
from course.learner.journal import FOLLOW_UP_PROMPT, JournalStore, Reflection, Version, normalise_tags
from course.learner.progress import Notice
from course.learner.study import VERSION_GAP, Study
from course.store import storage

from .conftest import REPO
from .journal_helpers import TZ, Clock, read

LESSON = "trust-culture"
SECOND = "seven-manager-behaviours"
PROMPT = "trust-and-control-week"
OTHER_PROMPT = "professional-judgement"
WHEN = Clock().current


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return load_course(REPO)


@pytest.fixture
def study(course: Course, data_dir: Path, clock: Clock) -> Study:
    return Study(course, data_dir, "en")


def path_of(data_dir: Path, r: Reflection) -> Path:
    return data_dir / "journal" / r.lesson / f"{r.id}.toml"


def full(rid: str = "20250521-090000-abcdef", lesson: str = LESSON) -> Reflection:
    """A reflection with every field set, and text that TOML and Markdown could both get wrong."""
    return Reflection(
        rid,
        lesson,
        FOLLOW_UP_PROMPT,
        'Line one\n"""quoted"""\n\ttab, [bold] \\ and \x1b[31m escape',
        WHEN,
        WHEN + timedelta(hours=1),
        ("feedback", "team"),
        True,
        (Version("first", WHEN), Version("second\nline", WHEN + timedelta(minutes=30))),
        "20250501-080000-123456",
    )


# --- the store ------------------------------------------------------------------------------------


def test_every_field_round_trips_exactly(data_dir: Path) -> None:
    store = JournalStore(data_dir, [])
    original = full()
    store.save(original)
    assert store.get(LESSON, original.id) == original
    saved = read(path_of(data_dir, original))
    assert saved["tags"] == ["feedback", "team"]
    assert saved["starred"] is True
    assert saved["commitment"] == "20250501-080000-123456"
    assert saved["versions"] == [
        {"text": "first", "saved": WHEN},
        {"text": "second\nline", "saved": WHEN + timedelta(minutes=30)},
    ]
    assert JournalStore(data_dir, []).list(LESSON) == [original]


def test_a_plain_reflection_is_saved_as_before(data_dir: Path) -> None:
    store = JournalStore(data_dir, [])
    plain = Reflection("20250521-090000-abcdef", LESSON, PROMPT, "Text.", WHEN, WHEN)
    store.save(plain)
    saved = read(path_of(data_dir, plain))
    assert set(saved) == {"schema", "id", "lesson", "prompt", "created", "updated", "text"}


def test_a_file_from_before_journal_v2_still_loads_and_saves_the_same_keys(data_dir: Path) -> None:
    path = data_dir / "journal" / LESSON / "20250101-120000-0a0b0c.toml"
    storage.ensure_dir(path.parent)
    old = (
        "schema = 1\n"
        'id = "20250101-120000-0a0b0c"\n'
        'lesson = "trust-culture"\n'
        'prompt = "trust-and-control-week"\n'
        "created = 2025-01-01T12:00:00+01:00\n"
        "updated = 2025-01-01T12:05:00+01:00\n"
        'text = "Written before tags existed."\n'
    )
    path.write_text(old, encoding="utf-8")
    notices: list[Notice] = []
    store = JournalStore(data_dir, notices)
    [loaded] = store.all()
    assert notices == []
    assert (loaded.tags, loaded.starred, loaded.versions, loaded.commitment) == ((), False, (), "")
    assert loaded.text == "Written before tags existed."
    store.save(loaded)
    assert read(path) == tomllib.loads(old)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('starred = "yes"', "starred"),
        ("tags = [1, 2]", "tags"),
        ('tags = "feedback"', "tags"),
        ('versions = "old"', "versions"),
        ("versions = [1]", "versions"),
        ("versions = [{ text = 1, saved = 2025-05-21T09:00:00+02:00 }]", "text"),
        ('versions = [{ text = "no time" }]', "saved"),
        ('versions = [{ text = "naive", saved = 2025-05-21T09:00:00 }]', "saved"),
        ("commitment = 3", "commitment"),
        ('commitment = "../escape"', "commitment"),
    ],
)
def test_a_corrupt_new_field_moves_the_file_aside_naming_the_key(
    data_dir: Path, course: Course, line: str, key: str
) -> None:
    store = JournalStore(data_dir, [])
    good = Reflection("20250521-090000-aaaaaa", LESSON, PROMPT, "Fine.", WHEN, WHEN)
    bad = Reflection("20250521-090001-bbbbbb", LESSON, PROMPT, "Damaged.", WHEN, WHEN)
    store.save(good)
    store.save(bad)
    bad_path = path_of(data_dir, bad)
    damaged = bad_path.read_text(encoding="utf-8").replace("\ntext = ", f"\n{line}\ntext = ")
    # as if written by hand (no header or checksum line), so the check of the field itself speaks
    damaged = "".join(x for x in damaged.splitlines(keepends=True) if not x.startswith("# "))
    bad_path.write_text(damaged, encoding="utf-8")
    again = Study(course, data_dir)
    assert [r.id for r in again.all_reflections()] == [good.id]
    [notice] = again.notices
    assert notice.kind == "moved" and notice.path == bad_path
    assert f"'{key}'" in notice.detail
    assert notice.moved_to is not None and notice.moved_to.read_text(encoding="utf-8") == damaged
    assert not bad_path.exists()


def test_all_is_every_lesson_newest_change_first(data_dir: Path) -> None:
    store = JournalStore(data_dir, [])
    a = Reflection("20250521-090000-aaaaaa", LESSON, PROMPT, "a", WHEN, WHEN)
    b = Reflection("20250521-090100-bbbbbb", SECOND, "sharing-responsibility", "b", WHEN, WHEN + timedelta(minutes=1))
    c = Reflection("20250520-090000-cccccc", LESSON, OTHER_PROMPT, "c", WHEN - timedelta(days=1), WHEN + timedelta(1))
    for r in (a, b, c):
        store.save(r)
    assert [r.id for r in store.all()] == [c.id, b.id, a.id]
    assert store.count() == 3
    assert store.lesson_ids() == sorted([LESSON, SECOND])


def test_get(data_dir: Path) -> None:
    store = JournalStore(data_dir, [])
    r = full()
    store.save(r)
    assert store.get(LESSON, r.id) == r
    assert store.get(SECOND, r.id) is None
    assert store.get(LESSON, "20990101-000000-000000") is None
    assert store.get("../journal", r.id) is None
    assert store.get(LESSON, "../../progress") is None


def test_delete_moves_the_file_to_the_trash_and_restore_brings_it_back(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notices: list[Notice] = []
    store = JournalStore(data_dir, notices)
    kept = Reflection("20250521-090000-aaaaaa", LESSON, PROMPT, "Kept.", WHEN, WHEN)
    gone = full("20250521-090100-bbbbbb")
    store.save(kept)
    store.save(gone)
    live = path_of(data_dir, gone)
    before = live.read_bytes()

    def no_unlink(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reflection must never be unlinked")

    with monkeypatch.context() as patch:
        patch.setattr(os, "unlink", no_unlink)
        patch.setattr(os, "remove", no_unlink)
        patch.setattr(Path, "unlink", no_unlink)
        store.delete(gone)
    trashed = data_dir / "journal" / ".trash" / LESSON / f"{gone.id}.toml"
    assert not live.exists()
    assert trashed.read_bytes() == before
    assert stat.S_IMODE(trashed.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "journal" / ".trash").stat().st_mode) == 0o700
    assert [r.id for r in store.all()] == [kept.id]
    assert [r.id for r in store.list(LESSON)] == [kept.id]
    assert store.list(".trash") == []
    assert store.count() == 1
    assert store.get(LESSON, gone.id) is None

    restored = store.restore(LESSON, gone.id)
    assert restored == gone
    assert live.read_bytes() == before
    assert not trashed.exists()
    assert {r.id for r in store.all()} == {kept.id, gone.id}
    assert notices == []


def test_delete_and_restore_refuse_what_is_not_there(data_dir: Path) -> None:
    store = JournalStore(data_dir, [])
    r = full()
    with pytest.raises(StorageError, match="not saved"):
        store.delete(r)
    with pytest.raises(StorageError, match="no deleted reflection"):
        store.restore(LESSON, r.id)
    store.save(r)
    store.delete(r)
    store.save(r)  # written again meanwhile (another window): the deleted copy is not put over it
    with pytest.raises(StorageError, match="already exists"):
        store.restore(LESSON, r.id)
    assert (data_dir / "journal" / ".trash" / LESSON / f"{r.id}.toml").is_file()
    with pytest.raises(StorageError):
        store.restore(LESSON, "../../progress")


def test_tags_are_normalised() -> None:
    assert normalise_tags([" Feedback ", "feedback", "#Team  Work", "", "  ", "a,b", "ÅTERKOPPLING"]) == (
        "a-b",
        "feedback",
        "team-work",
        "återkoppling",
    )


# --- through Study, as the app drives it ----------------------------------------------------------


def test_quick_autosaves_make_no_version_and_a_later_edit_keeps_the_earlier_text(
    study: Study, clock: Clock, data_dir: Path
) -> None:
    r = study.save_reflection(LESSON, PROMPT, "Draft", None)
    for text in ("Draft o", "Draft on", "Draft one"):
        clock.jump(timedelta(seconds=5))
        r = study.save_reflection(LESSON, PROMPT, text, r)
    assert r.versions == ()
    first_session_end = r.updated

    clock.jump(VERSION_GAP + timedelta(seconds=1))
    r = study.save_reflection(LESSON, PROMPT, "Second session", r)
    assert r.versions == (Version("Draft one", first_session_end),)
    clock.jump(timedelta(seconds=5))
    r = study.save_reflection(LESSON, PROMPT, "Second session, more", r)
    assert len(r.versions) == 1

    clock.jump(timedelta(hours=2))
    r = study.save_reflection(LESSON, PROMPT, "Second session, more", r)  # unchanged text: no version
    assert len(r.versions) == 1
    clock.jump(timedelta(days=1))
    r = study.save_reflection(LESSON, PROMPT, "Third", r)
    assert [v.text for v in r.versions] == ["Draft one", "Second session, more"]
    assert r.created < r.versions[0].saved < r.versions[1].saved < r.updated

    saved = read(path_of(data_dir, r))
    assert [v["text"] for v in saved["versions"]] == ["Draft one", "Second session, more"]
    assert Study(study.course, data_dir).all_reflections() == [r]


def test_an_edit_exactly_version_gap_later_is_the_same_session(study: Study, clock: Clock) -> None:
    r = study.save_reflection(LESSON, PROMPT, "One", None)
    clock.jump(VERSION_GAP - clock.step)  # the next call is exactly VERSION_GAP after the save
    r = study.save_reflection(LESSON, PROMPT, "Two", r)
    assert r.versions == ()


def test_star_and_tags_are_saved_and_do_not_count_as_edits(study: Study, clock: Clock, data_dir: Path) -> None:
    r = study.save_reflection(LESSON, PROMPT, "Worth keeping.", None)
    starred = study.set_star(r, True)
    assert starred.starred and starred.updated == r.updated and starred.text == r.text
    tagged = study.set_tags(starred, ["Feedback", " team ", "feedback"])
    assert tagged.tags == ("feedback", "team") and tagged.starred
    saved = read(path_of(data_dir, r))
    assert saved["starred"] is True and saved["tags"] == ["feedback", "team"]
    assert saved["updated"] == r.updated

    plain = study.set_tags(study.set_star(tagged, False), [])
    assert (plain.starred, plain.tags) == (False, ())
    assert "starred" not in read(path_of(data_dir, r)) and "tags" not in read(path_of(data_dir, r))


def test_an_edit_from_a_stale_copy_keeps_a_star_set_in_another_window(
    course: Course, data_dir: Path, study: Study, clock: Clock
) -> None:
    r = study.save_reflection(LESSON, PROMPT, "Shared.", None)
    other = Study(course, data_dir, "en")
    [seen] = other.all_reflections()
    other.set_star(other.set_tags(seen, ["cli"]), True)
    edited = study.save_reflection(LESSON, PROMPT, "Shared, edited.", r)  # r still says not starred
    assert (edited.text, edited.starred, edited.tags) == ("Shared, edited.", True, ("cli",))
    assert Study(course, data_dir).all_reflections() == [edited]


def test_an_edit_of_a_file_that_became_unreadable_saves_the_learners_words(
    course: Course, data_dir: Path, study: Study, clock: Clock
) -> None:
    r = study.save_reflection(LESSON, PROMPT, "Mine.", None)
    path = path_of(data_dir, r)
    path.write_bytes(b"\x00garbage")
    edited = study.save_reflection(LESSON, PROMPT, "Mine, still.", r)
    assert [n.kind for n in study.notices] == ["moved"]
    assert Study(course, data_dir).all_reflections() == [edited]


def test_a_reflection_from_a_newer_version_is_never_overwritten(study: Study, data_dir: Path) -> None:
    r = study.save_reflection(LESSON, PROMPT, "Mine.", None)
    path = path_of(data_dir, r)
    newer = f'schema = 999\nid = "{r.id}"\n'.encode()
    path.write_bytes(newer)
    with pytest.raises(NewerFileError):
        study.set_star(r, True)
    with pytest.raises(NewerFileError):
        study.save_reflection(LESSON, PROMPT, "Overwrite?", r)
    assert path.read_bytes() == newer


def test_delete_and_undo_through_study(course: Course, study: Study, data_dir: Path) -> None:
    a = study.save_reflection(LESSON, PROMPT, "Keep.", None)
    b = study.set_tags(study.save_reflection(SECOND, "sharing-responsibility", "Undo me.", None), ["x"])
    study.delete_reflection(b)
    assert study.all_reflections() == [a]
    assert study.reflections(SECOND) == []
    assert Study(course, data_dir).all_reflections() == [a]
    assert study.restore_reflection(SECOND, b.id) == b
    assert study.all_reflections() == [b, a]


def test_everything_in_the_journal_stays_private(course: Course, tmp_path: Path, clock: Clock) -> None:
    old = os.umask(0)
    try:
        data_dir = tmp_path / "data"
        study = Study(course, data_dir)
        r = study.save_reflection(LESSON, PROMPT, "Private.", None)
        r = study.set_star(study.set_tags(r, ["x"]), True)
        study.delete_reflection(r)
        study.save_reflection(SECOND, "sharing-responsibility", "Also private.", None)
    finally:
        os.umask(old)
    for path in [data_dir, *data_dir.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_created_and_versions_keep_their_time_zone(study: Study, clock: Clock) -> None:
    r = study.save_reflection(LESSON, PROMPT, "Zone.", None)
    clock.jump(timedelta(hours=1))
    r = study.save_reflection(LESSON, PROMPT, "Zone, later.", r)
    [loaded] = Study(study.course, study.data_dir).all_reflections()
    assert loaded == r
    assert loaded.versions[0].saved.utcoffset() == TZ.utcoffset(None)


# --- the cache that makes opening a large journal fast ---------------------------------------------


def fill(store: JournalStore, count: int) -> list[Reflection]:
    made = [
        Reflection(f"20250521-0900{n:02d}-{n:06x}", LESSON if n % 2 else SECOND, PROMPT, f"Text {n}.", WHEN, WHEN)
        for n in range(count)
    ]
    for r in made:
        store.save(r)
    return made


def test_a_small_journal_has_no_cache(data_dir: Path) -> None:
    store = JournalStore(data_dir, [])
    fill(store, 5)
    assert len(store.all()) == 5
    assert not (data_dir / "journal" / ".index.json").exists()


def test_the_cache_never_hides_a_change(data_dir: Path) -> None:
    notices: list[Notice] = []
    store = JournalStore(data_dir, notices)
    made = fill(store, 30)
    index = data_dir / "journal" / ".index.json"
    assert {r.id for r in store.all()} == {r.id for r in made}
    assert index.is_file() and stat.S_IMODE(index.stat().st_mode) == 0o600

    edited = replace(made[3], text="Edited in another window.", tags=("new",))
    store.save(edited)  # a new file (atomic replace), same size or not
    store.delete(made[4])
    (data_dir / "journal" / LESSON / f"{made[5].id}.toml").write_bytes(b"broken = [")
    found = {r.id: r for r in JournalStore(data_dir, notices).all()}
    assert found[edited.id] == edited
    assert made[4].id not in found and made[5].id not in found
    assert len(found) == 28
    assert [n.kind for n in notices] == ["moved"]


def test_a_damaged_cache_is_ignored(data_dir: Path) -> None:
    store = JournalStore(data_dir, [])
    made = fill(store, 25)
    expected = store.all()
    index = data_dir / "journal" / ".index.json"
    text = index.read_text(encoding="utf-8")
    for damaged in ("{not json", "[]", '{"tillit_journal_index": 99}', text.replace('"Text 1."', "17")):
        index.write_text(damaged, encoding="utf-8")
        notices: list[Notice] = []
        assert JournalStore(data_dir, notices).all() == expected
        assert notices == []
    assert len(expected) == len(made)
