"""Safe TOML files: private permissions, atomic replace, careful reads, and unreadable files moved aside."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.errors import CorruptFileError, NewerFileError, StorageError
from course.learner.journal import JournalStore, Reflection, clean_text
from course.store import reading, storage


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    """Temp files a save left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    storage.ensure_dir(path)
    return path


@pytest.fixture(params=[0o022, 0o000, 0o077], ids=["umask022", "umask000", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    value: int = request.param
    old = os.umask(value)
    try:
        yield value
    finally:
        os.umask(old)


# --- writing ---------------------------------------------------------------------------------------


def test_write_toml_writes_schema_first_and_reads_back(folder: Path) -> None:
    path = folder / "progress.toml"
    storage.write_toml(path, {"name": "Åsa", "schema": 7, "when": datetime(2025, 5, 21, 9, 30, tzinfo=UTC)})
    assert path.read_bytes().startswith(storage.HEADER + b"schema = 1\n"), "the header line, then the schema first"
    assert reading.read_toml(path) == {"schema": 1, "name": "Åsa", "when": datetime(2025, 5, 21, 9, 30, tzinfo=UTC)}
    assert leftovers(folder) == []


def test_files_are_0600_and_folders_0700(tmp_path: Path, umask: int) -> None:
    nested = tmp_path / "a" / "b" / "data"
    storage.ensure_dir(nested)
    for created in (tmp_path / "a", tmp_path / "a" / "b", nested):
        assert mode(created) == 0o700, f"{created} is {oct(mode(created))} under umask {oct(umask)}"
    path = nested / "progress.toml"
    storage.write_toml(path, {"a": 1})
    assert mode(path) == 0o600
    storage.write_toml(path, {"a": 2})
    assert mode(path) == 0o600
    with storage.locked(nested):
        pass
    assert mode(nested / storage.LOCK_NAME) == 0o600


def test_ensure_dir_tightens_an_existing_open_folder(tmp_path: Path) -> None:
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o755)
    storage.ensure_dir(open_folder)
    assert mode(open_folder) == 0o700


def test_replacing_an_open_file_makes_it_private(folder: Path) -> None:
    path = folder / "x.toml"
    path.write_text("schema = 1\n", encoding="utf-8")
    path.chmod(0o644)
    storage.write_toml(path, {"a": 1})
    assert mode(path) == 0o600


def test_ensure_dir_on_a_file_raises_storage_error(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("hello", encoding="utf-8")
    with pytest.raises(StorageError, match="not-a-folder"):
        storage.ensure_dir(a_file)
    assert a_file.read_text(encoding="utf-8") == "hello"


# --- reading ---------------------------------------------------------------------------------------


def test_read_missing_file_is_none(tmp_path: Path) -> None:
    assert reading.read_toml(tmp_path / "nothing.toml") is None


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfschema = 1\nname = "x"\n')
    assert reading.read_toml(path) == {"schema": 1, "name": "x"}


CORRUPT: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b"  \n\t\n\n",
    "no-schema": b'name = "x"\n',
    "schema-text": b'schema = "1"\n',
    "schema-bool": b"schema = true\n",
    "schema-zero": b"schema = 0\n",
    "schema-negative": b"schema = -1\n",
    "schema-float": b"schema = 1.0\n",
    "schema-table": b"[schema]\nv = 1\n",
    "bad-utf8": b'schema = 1\nname = "\xff\xfe\xc3"\n',
    "utf16": 'schema = 1\nname = "x"\n'.encode("utf-16"),
    "syntax": b"schema = 1\nname = = 2\n",
    "truncated": b'schema = 1\ntext = """unfinished',
    "nul": b"schema = 1\x00\n",
    "deep-array": b"schema = 1\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "deep-table": b"schema = 1\nx = " + b"{a = " * 5000 + b"1" + b"}" * 5000 + b"\n",
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_unreadable_content_is_a_corrupt_file_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(content)
    with pytest.raises(CorruptFileError) as caught:
        reading.read_toml(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert caught.value.reason
    assert path.read_bytes() == content, "reading never changes the file"


def test_a_folder_instead_of_a_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    path.mkdir()
    with pytest.raises(CorruptFileError, match="not a regular file"):
        reading.read_toml(path)


def test_an_oversize_file_is_corrupt_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as f:
        f.write(b"schema = 1\n")
        f.truncate(storage.MAX_FILE_BYTES + 1)  # sparse: no disk needed
    with pytest.raises(CorruptFileError, match="larger than 8 MiB"):
        reading.read_toml(path)


def test_a_newer_schema_is_a_newer_file_error(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(b"schema = 999\nfuture = true\n")
    with pytest.raises(NewerFileError) as caught:
        reading.read_toml(path)
    assert caught.value.path == path
    assert "newer version" in str(caught.value) and "999" in str(caught.value)
    assert path.read_bytes() == b"schema = 999\nfuture = true\n"


def test_a_read_error_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(b"schema = 1\n")

    def fail(fd: int, n: int) -> bytes:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "read", fail)  # the disk fails under the read itself
    with pytest.raises(StorageError, match=r"progress\.toml") as caught:
        reading.read_toml(path)
    assert not isinstance(caught.value, CorruptFileError)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000))
def test_arbitrary_bytes_never_escape_as_anything_but_storage_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(content)
    try:
        result = reading.read_toml(path)
    except StorageError:
        return
    assert isinstance(result, dict)
    assert result["schema"] == 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=st.sampled_from("schema=1[]{}\"'\n. ax\\#"), max_size=200))
def test_toml_like_text_never_escapes_as_anything_but_storage_error(tmp_path: Path, body: str) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_text("schema = 1\n" + body, encoding="utf-8")
    try:
        result = reading.read_toml(path)
    except StorageError:
        return
    assert isinstance(result, dict)


# --- moving aside ----------------------------------------------------------------------------------


def test_move_aside_keeps_the_bytes_and_never_overwrites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "strftime", lambda fmt: "20250521-093000")  # every move in the same second
    path = tmp_path / "progress.toml"
    moved: list[Path] = []
    for n in range(3):
        path.write_bytes(f"broken {n} \xff".encode("latin-1"))
        moved.append(storage.move_aside(path))
        assert not path.exists()
    assert [m.name for m in moved] == [
        "progress.toml.unreadable-20250521-093000",
        "progress.toml.unreadable-20250521-093000-2",
        "progress.toml.unreadable-20250521-093000-3",
    ]
    assert {m.parent for m in moved} == {tmp_path / "quarantine"}
    assert [m.read_bytes() for m in moved] == [f"broken {n} \xff".encode("latin-1") for n in range(3)]


def test_move_aside_failure_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(b"junk")

    def fail(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "rename", fail)
    with pytest.raises(StorageError, match="could not be moved aside"):
        storage.move_aside(path)
    assert path.read_bytes() == b"junk"


# --- failures while saving -------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "free some disk space"),
        (errno.EIO, "check the disk"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permissions"),
    ],
)
def test_a_failed_save_keeps_the_previous_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int, advice: str
) -> None:
    path = folder / "progress.toml"
    storage.write_toml(path, {"text": "the earlier entry"})
    before = path.read_bytes()

    def fail(*args: object) -> Any:
        raise OSError(code, os.strerror(code))

    with monkeypatch.context() as patch:
        patch.setattr(os, call, fail)
        with pytest.raises(StorageError) as caught:
            storage.write_toml(path, {"text": "the new entry"})
    message = str(caught.value)
    assert str(path) in message
    assert os.strerror(code) in message
    assert advice in message
    assert path.read_bytes() == before
    assert leftovers(folder) == []


def test_an_oserror_without_errno_still_gives_a_sentence(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = folder / "progress.toml"

    def fail(*args: object) -> Any:
        raise OSError("the disk went away")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", fail)
        with pytest.raises(StorageError) as caught:
            storage.write_toml(path, {"a": 1})
    assert "the disk went away" in str(caught.value)
    assert "None" not in str(caught.value)
    assert not path.exists()
    assert leftovers(folder) == []


def test_no_room_for_a_temp_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = folder / "progress.toml"
    storage.write_toml(path, {"a": 1})
    before = path.read_bytes()

    def fail(*args: object, **kwargs: object) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkstemp", fail)
    with pytest.raises(StorageError, match="free some disk space"):
        storage.write_toml(path, {"a": 2})
    assert path.read_bytes() == before


def test_an_interrupted_save_keeps_the_previous_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = folder / "progress.toml"
    storage.write_toml(path, {"a": 1})
    before = path.read_bytes()

    def interrupt(*args: object) -> Any:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", interrupt)
        with pytest.raises(KeyboardInterrupt):
            storage.write_toml(path, {"a": 2})
    assert path.read_bytes() == before
    assert leftovers(folder) == []


@pytest.mark.parametrize(
    "data",
    [
        {"text": "\ud800"},
        {"text": "ok", "nested": {"deeper": "\udfff"}},
        {"value": None},
        {"items": [{"a": 1}, {"b": None}]},
        {"text": "a\r\nb"},  # would read back as "a\nb": refused rather than changed quietly
    ],
    ids=["lone-surrogate", "nested-surrogate", "none", "nested-none", "crlf"],
)
def test_unwritable_data_is_refused_before_anything_is_written(folder: Path, data: dict[str, Any]) -> None:
    path = folder / "progress.toml"
    with pytest.raises(StorageError, match="Could not save"):
        storage.dumps(data, path)
    with pytest.raises(StorageError):
        storage.write_toml(path, data)
    assert not path.exists()
    storage.write_toml(path, {"text": "earlier"})
    before = path.read_bytes()
    with pytest.raises(StorageError):
        storage.write_toml(path, data)
    assert path.read_bytes() == before
    assert leftovers(folder) == []


# --- temp files left by a crash --------------------------------------------------------------------


def test_sweep_removes_old_temp_files_only(folder: Path) -> None:
    old = time.time() - 3600
    stale = folder / ".progress.toml.abc123.tmp"
    nested = folder / "journal" / "trust-culture" / ".20250101-000000-abcdef.toml.x.tmp"
    fresh = folder / ".progress.toml.def456.tmp"
    keep_old = [folder / "progress.toml", folder / "notes.tmp", folder / ".hidden"]
    nested.parent.mkdir(parents=True)
    for path in (stale, nested, fresh, *keep_old):
        path.write_bytes(b"partial")
    for path in (stale, nested, *keep_old):
        os.utime(path, (old, old))
    assert storage.sweep_temp_files(folder) == 2
    assert not stale.exists() and not nested.exists()
    assert fresh.exists()
    assert all(path.read_bytes() == b"partial" for path in keep_old)


def test_sweep_of_a_missing_folder_does_nothing(tmp_path: Path) -> None:
    assert storage.sweep_temp_files(tmp_path / "missing") == 0


# --- round trips -----------------------------------------------------------------------------------

TRICKY = [
    "[bold]not bold[/bold]",
    "[/",
    "[/]",
    "[0] x",
    "\x1b[31mred\x1b[0m",
    '"""',
    'ends with a quote"',
    '"""\n"""',
    "back\\slash \\n not a newline \\",
    "line\\\ncontinued",
    "windows\r\nline\r\nendings\r\n",
    "old mac\rline",
    "\n\nleading newlines",
    "trailing newlines\n\n",
    "tab\there \x00 nul \x7f del",
    "emoji 🙂 and åäö",
    "",
    " ",
    "'''",
    "a = 1\n[table]\n",
    "\u2028\u2029",
]


def roundtrip(tmp_path: Path, text: str) -> str:
    """Save a reflection with this text and read it back from the journal."""
    store = JournalStore(tmp_path / "data", [])
    when = datetime(2025, 5, 21, 9, 30, tzinfo=UTC)
    store.save(Reflection("20250521-093000-abcdef", "trust-culture", "own-culture", text, when, when))
    (saved,) = store.list("trust-culture")
    assert store.notices == []
    return saved.text


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_reflection_texts_round_trip(tmp_path: Path, text: str) -> None:
    assert roundtrip(tmp_path, text) == clean_text(text)


def test_crlf_is_normalised_to_lf(tmp_path: Path) -> None:
    assert clean_text("a\r\nb\rc\n") == "a\nb\nc\n"
    assert roundtrip(tmp_path, "first\r\nsecond\r\n") == "first\nsecond\n"
    saved = next((tmp_path / "data" / "journal" / "trust-culture").glob("*.toml")).read_bytes()
    assert b"\r" not in saved


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.sampled_from(TRICKY))
def test_any_reflection_text_round_trips(tmp_path: Path, text: str) -> None:
    assert roundtrip(tmp_path, text) == clean_text(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_write_and_read_toml_round_trip_clean_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.toml"
    storage.write_toml(path, {"text": clean_text(text)})
    data = reading.read_toml(path)
    assert data is not None and data["text"] == clean_text(text)
