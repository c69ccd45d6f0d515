"""The private reflection journal: one small file per reflection, so saving one never rewrites another."""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course.content.model import valid_id
from course.errors import CorruptFileError, NewerFileError, StorageError
from course.learner.progress import Notice, load_checked, note_once
from course.store import fields, storage

FOLLOW_UP_PROMPT = "follow-up"  # prompt id of a reflection that answers a commitment
INDEX = ".index.json"  # journal/.index.json: a cache of what all() read, see JournalStore.all
INDEX_VERSION = 2  # 2: entries carry the file's checksum and a digest of their own
INDEX_CHANGES = 20  # rewrite the cache once this many files were read afresh or are gone (a few are cheap to read)
TRASH = ".trash"  # journal/.trash/<lesson>/<id>.toml: deleted reflections, kept so a delete can be undone


def clean_text(text: str) -> str:
    """Normalise line endings so the saved text reads back exactly as it is kept."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_SWEDISH_ORDER = str.maketrans({"å": "ä", "ä": "å"})  # code points put ä (U+00E4) before å (U+00E5)


def tag_order(tag: str) -> str:
    """The sort key of a tag, the same whatever the locale: code point order (English order, as it has
    always been) except that the last letters of the Swedish alphabet come after z in their own order,
    å, ä, ö (code points put ä first)."""
    return tag.translate(_SWEDISH_ORDER)


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as they are kept: lower-case, stripped, unique, sorted (tag_order), none empty.

    A leading "#" is dropped (the journal shows tags as #tag) and spaces or commas inside a tag
    become one hyphen, so one tag always reads as one word: "#Team  Work" -> "team-work".
    """
    kept = {"-".join(t.strip().lstrip("#").replace(",", " ").split()).lower() for t in tags}
    return tuple(sorted(kept - {""}, key=tag_order))


@dataclass(frozen=True)
class Version:
    """An earlier text of a reflection."""

    text: str
    saved: datetime  # when that text was last saved (the reflection's `updated` back then)


@dataclass(frozen=True)
class Reflection:
    """One reflection: the learner's answer to one prompt of one lesson."""

    id: str
    lesson: str
    prompt: str
    text: str
    created: datetime
    updated: datetime
    tags: tuple[str, ...] = ()  # normalised: lower-case, stripped, unique, sorted
    starred: bool = False
    versions: tuple[Version, ...] = ()  # oldest first
    commitment: str = ""  # id of the commitment this reflection follows up ("" if none)


@dataclass(frozen=True)
class Trashed:
    """A deleted reflection, kept in journal/.trash until it is restored."""

    reflection: Reflection
    deleted: datetime  # when it was moved to the trash (the file's status-change time), aware


def with_version_restored(current: Reflection, version: Version, when: datetime) -> Reflection:
    """`current` with an earlier version's text as its text again, saved at `when`.

    Nothing is lost: the text it replaces becomes the newest version, and the restored version
    stays in the list too. Restoring the text the reflection already has changes nothing.
    """
    if version.text == current.text:
        return current
    return replace(
        current, text=version.text, updated=when, versions=(*current.versions, Version(current.text, current.updated))
    )


def new_id(when: datetime) -> str:
    """A fresh, sortable, file-name-safe reflection id."""
    return f"{when:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def parse_reflection(data: dict[str, Any], path: Path) -> Reflection:
    """A reflection from its table (a journal file, or one entry of a TOML export); CorruptFileError naming the key."""
    rid = fields.want_str(data, "id", path)
    lesson = fields.want_str(data, "lesson", path)
    prompt = fields.want_str(data, "prompt", path)
    if not (valid_id(rid) and valid_id(lesson) and valid_id(prompt)):
        raise CorruptFileError(path, "its id, lesson or prompt is not a valid id")
    created = fields.want_time(data, "created", path)
    updated = fields.want_time(data, "updated", path)
    assert created is not None and updated is not None
    tags: tuple[str, ...] = ()
    if "tags" in data:
        tags = normalise_tags(fields.want_str_list(data, "tags", path))
    starred = data.get("starred", False)
    if starred is not False and starred is not True:
        raise CorruptFileError(path, "'starred' should be true or false")
    versions: builtins.list[Version] = []
    raw_versions = data.get("versions")
    if raw_versions is not None:
        if not isinstance(raw_versions, list):
            raise CorruptFileError(path, "'versions' should be a list of tables")
        for raw in raw_versions:
            if not isinstance(raw, dict):
                raise CorruptFileError(path, "'versions' should be a list of tables")
            saved = fields.want_time(raw, "saved", path)
            assert saved is not None
            versions.append(Version(fields.want_str(raw, "text", path), saved))
    commitment = fields.want_str(data, "commitment", path, "")
    if commitment and not valid_id(commitment):
        raise CorruptFileError(path, "'commitment' is not a valid id")
    return Reflection(
        rid,
        lesson,
        prompt,
        fields.want_str(data, "text", path),
        created,
        updated,
        tags,
        starred,
        tuple(versions),
        commitment,
    )


def dump_reflection(reflection: Reflection) -> dict[str, Any]:
    """A reflection's file contents (without `schema`).

    The newer keys (tags, starred, commitment, versions) are written only when set, so a plain
    reflection's file looks exactly as before they existed.
    """
    out: dict[str, Any] = {
        "id": reflection.id,
        "lesson": reflection.lesson,
        "prompt": reflection.prompt,
        "created": reflection.created,
        "updated": reflection.updated,
        "text": clean_text(reflection.text),
    }
    if reflection.tags:
        out["tags"] = list(normalise_tags(reflection.tags))
    if reflection.starred:
        out["starred"] = True
    if reflection.commitment:
        out["commitment"] = reflection.commitment
    if reflection.versions:
        out["versions"] = [{"text": clean_text(v.text), "saved": v.saved} for v in reflection.versions]
    return out


class JournalStore:
    """journal/<lesson>/<id>.toml: each reflection in its own file, written atomically.

    Deleting moves the file to journal/.trash/<lesson>/<id>.toml (never unlinks it); restoring
    moves it back. The trash is left out of every listing but `trashed`.
    """

    def __init__(self, root: Path, notices: list[Notice]) -> None:
        self.root = root
        self.folder = root / "journal"
        self.trash = self.folder / TRASH
        self.notices = notices

    def _path(self, lesson_id: str, reflection_id: str, folder: Path | None = None) -> Path:
        if not (valid_id(lesson_id) and valid_id(reflection_id)):
            raise StorageError(f"{lesson_id!r}/{reflection_id!r} is not a valid reflection id.")
        return (folder or self.folder) / lesson_id / f"{reflection_id}.toml"

    def save(self, reflection: Reflection) -> None:
        """Save one reflection atomically under the data folder's lock; StorageError (with the reason) when it cannot.

        The lock is what keeps a save from falling between a restore's safety backup and its clean-up.
        """
        path = self._path(reflection.lesson, reflection.id)
        storage.ensure_dir(path.parent)
        with storage.locked(self.root):
            storage.ensure_dir(path.parent)  # again: a restore may have just removed an empty folder
            storage.write_toml(path, dump_reflection(reflection))

    def _load(self, path: Path) -> Reflection | None:
        try:
            return load_checked(path, parse_reflection, self.notices, self.root)
        except NewerFileError:
            note_once(self.notices, Notice("newer", path))
            return None

    def list(self, lesson_id: str) -> list[Reflection]:
        """The lesson's reflections, newest first (by last change)."""
        folder = self.folder / lesson_id
        if not valid_id(lesson_id) or not folder.is_dir():
            return []
        found = [r for r in map(self._load, sorted(folder.glob("*.toml"))) if r is not None]
        return sorted(found, key=lambda r: (r.updated, r.created, r.id), reverse=True)

    def lesson_ids(self) -> builtins.list[str]:
        """The lessons that have a folder in the journal (the trash is not one)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if valid_id(p.name) and p.is_dir())

    def all(self) -> builtins.list[Reflection]:
        """Every reflection of every lesson, newest first (by last change); the trash is left out.

        Parsing TOML costs about 0.2 ms a file, so 10,000 reflections would take seconds. The
        reflections read last time are kept in journal/.index.json, a cache that is never the only copy
        of anything and never trusted on its own: an entry is used only when the file's identity (inode,
        size, modification time and the checksum on its last line) is what the entry recorded, and the
        entry itself is whole (its own sha256, over the checksum and the table). Every other file is read
        and checked as always. The cache is rewritten only when INDEX_CHANGES files changed, so a small
        journal has none and a save does not make the next opening rewrite megabytes.
        """
        cached = self._read_index()
        entries: dict[str, Any] = {}
        found: builtins.list[Reflection] = []
        parsed = 0
        for lid in self.lesson_ids():
            folder = self.folder / lid
            try:
                with os.scandir(folder) as scan:
                    listing = sorted((e.name, e) for e in scan if e.name.endswith(".toml"))
            except OSError:
                continue
            for name, entry in listing:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                key = f"{lid}/{name}"
                reflection = None
                signature = _signature(entry.path, info.st_size) if stat.S_ISREG(info.st_mode) else None
                stamp = [info.st_ino, info.st_mtime_ns, info.st_size, signature]
                hit = cached.get(key)
                if signature is not None and isinstance(hit, list) and _entry_ok(hit, stamp):
                    table = hit[1]
                    reflection = _from_index(table, folder)
                if reflection is None:
                    reflection = self._load(folder / name)
                    if reflection is None:
                        continue
                    parsed += 1
                    table = _to_index(reflection)
                entries[key] = _entry(stamp, table)
                found.append(reflection)
        if parsed + len(cached.keys() - entries.keys()) >= INDEX_CHANGES:
            self._write_index(entries)
        found.sort(key=lambda r: (r.updated, r.created, r.id), reverse=True)
        return found

    def _read_index(self) -> dict[str, Any]:
        path = self.folder / INDEX
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > storage.MAX_INDEX_BYTES:
                return {}
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError, MemoryError):  # missing, unreadable or damaged: only a cache
            return {}
        if not isinstance(data, dict) or data.get("tillit_journal_index") != INDEX_VERSION:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _write_index(self, entries: dict[str, Any]) -> None:
        path = self.folder / INDEX
        if not entries and not path.exists():
            return
        data = {"tillit_journal_index": INDEX_VERSION, "entries": entries}
        with contextlib.suppress(StorageError):  # a cache that cannot be saved is simply rebuilt next time
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if len(body) <= storage.MAX_INDEX_BYTES:
                with storage.locked(self.root):
                    storage.atomic_write(path, body)

    def get(self, lesson_id: str, reflection_id: str) -> Reflection | None:
        """One reflection as saved now; None when it is not saved (or unreadable, or from a newer Tillit)."""
        if not (valid_id(lesson_id) and valid_id(reflection_id)):
            return None
        return self._load(self._path(lesson_id, reflection_id))

    def update(self, reflection: Reflection, change: Callable[[Reflection], Reflection]) -> Reflection:
        """Apply `change` to the reflection as saved now (re-read under the lock) and save the result.

        Another window's change to the same reflection (a star, tags) is kept; when the file is gone
        or unreadable, `reflection` is the base, so the learner's words are never dropped. A file
        from a newer Tillit raises NewerFileError and is left untouched.
        """
        path = self._path(reflection.lesson, reflection.id)
        storage.ensure_dir(self.folder)
        with storage.locked(self.root):
            latest = load_checked(path, parse_reflection, self.notices, self.root) if path.exists() else None
            updated = change(latest or reflection)
            self.save(updated)
        return updated

    def delete(self, reflection: Reflection) -> None:
        """Move the reflection's file to journal/.trash/<lesson>/<id>.toml (never unlinked), so it can be restored."""
        source = self._path(reflection.lesson, reflection.id)
        target = self._path(reflection.lesson, reflection.id, self.trash)
        missing = f"The reflection {reflection.id} is not saved in {source.parent}, so it was not deleted."
        if not source.is_file():
            raise StorageError(missing)
        with storage.locked(self.root):
            if not source.is_file():  # deleted in another window meanwhile
                raise StorageError(missing)
            storage.ensure_dir(self.trash)
            storage.ensure_dir(target.parent)
            _move(source, target)

    def restore(self, lesson_id: str, reflection_id: str) -> Reflection:
        """Undo a delete: move the file back from the trash and return the reflection.

        Raises StorageError when there is nothing to restore, or when the reflection has been saved
        again meanwhile (the deleted copy then stays in the trash).
        """
        source = self._path(lesson_id, reflection_id, self.trash)
        target = self._path(lesson_id, reflection_id)
        missing = f"There is no deleted reflection {reflection_id} in {source.parent} to restore."
        if not source.is_file():
            raise StorageError(missing)
        with storage.locked(self.root):
            if not source.is_file():
                raise StorageError(missing)
            if target.exists():
                raise StorageError(f"{target} already exists, so the deleted copy stays in {source.parent}.")
            storage.ensure_dir(target.parent)
            _move(source, target)
        restored = self._load(target)
        if restored is None:
            raise StorageError(f"The restored reflection {target} cannot be read; see the notice about it.")
        return restored

    def trashed(self) -> builtins.list[Trashed]:
        """The deleted reflections that can be restored, the most recently deleted first."""
        found: builtins.list[Trashed] = []
        if not self.trash.is_dir():
            return found
        for folder in sorted(self.trash.iterdir()):
            if not (valid_id(folder.name) and folder.is_dir()):
                continue
            for path in sorted(folder.glob("*.toml")):
                try:
                    changed = path.lstat().st_ctime
                except OSError:
                    continue
                reflection = self._load(path)
                if reflection is not None and reflection.lesson == folder.name and path.stem == reflection.id:
                    found.append(Trashed(reflection, datetime.fromtimestamp(changed, UTC)))
        return sorted(found, key=lambda t: (t.deleted, t.reflection.id), reverse=True)

    def stamp(self) -> tuple[tuple[str, int], ...]:
        """A cheap fingerprint of the journal: the modification times of its folders.

        A reflection saved, added, deleted or restored (by this Tillit or by `tillit journal add`
        beside it) is a file created or renamed in one of them, which changes the folder's time;
        a dozen stat calls, so a screen can look every few seconds. Changes made in place by hand
        (not through Tillit's atomic writes) may not show here.
        """
        seen: builtins.list[tuple[str, int]] = []
        for folder in (self.folder, self.trash, *(self.folder / lid for lid in self.lesson_ids())):
            try:
                seen.append((folder.name, folder.stat().st_mtime_ns))
            except OSError:
                seen.append((folder.name, 0))
        return tuple(seen)

    def count(self) -> int:
        """How many reflections are saved, in all lessons (the trash does not count)."""
        return sum(1 for lid in self.lesson_ids() for _ in (self.folder / lid).glob("*.toml"))


def _signature(path: str, size: int) -> str | None:
    """The sha256 on a data file's last line (read from its end, not parsed); None when it has none."""
    tail = len(storage.TRAILER) + 66
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            last = os.pread(fd, tail, max(0, size - tail))
        finally:
            os.close(fd)
    except OSError:
        return None
    line = last.removesuffix(b"\n").rpartition(b"\n")[2]
    if not line.startswith(storage.TRAILER):
        return None
    return line[len(storage.TRAILER) :].decode("ascii", "replace")


def _entry_digest(stamp: list[Any], table: object) -> str:
    blob = json.dumps([stamp, table], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def _entry(stamp: list[Any], table: dict[str, Any]) -> list[Any]:
    """One entry of the index: the file's identity, the reflection's table, and a digest over both."""
    return [stamp, table, _entry_digest(stamp, table)]


def _entry_ok(hit: object, stamp: list[Any]) -> bool:
    """True when a cached entry was made for exactly this file and has not been changed since."""
    if not (isinstance(hit, list) and len(hit) == 3 and hit[0] == stamp and isinstance(hit[2], str)):
        return False
    try:
        return hit[2] == _entry_digest(stamp, hit[1])
    except (TypeError, ValueError, RecursionError):
        return False


def _to_index(r: Reflection) -> dict[str, Any]:
    table = dump_reflection(r)
    table["created"] = r.created.isoformat()
    table["updated"] = r.updated.isoformat()
    if r.versions:
        table["versions"] = [{"text": v.text, "saved": v.saved.isoformat()} for v in r.versions]
    return table


def _from_index(table: object, path: Path) -> Reflection | None:
    """A reflection from the cache, checked like a file; None when the entry is not usable."""
    if not isinstance(table, dict):
        return None
    try:
        data = dict(table)
        for key in ("created", "updated"):
            data[key] = datetime.fromisoformat(data[key])
        versions = data.get("versions", [])
        if versions:
            data["versions"] = [{**v, "saved": datetime.fromisoformat(v["saved"])} for v in versions]
        return parse_reflection(data, path)
    except (CorruptFileError, KeyError, TypeError, ValueError):
        return None


def _move(source: Path, target: Path) -> None:
    """Rename within the data folder (atomic), then make the change durable in both folders."""
    try:
        os.replace(source, target)
    except OSError as err:
        raise storage.os_failure("save", target, err) from err
    for folder in {source.parent, target.parent}:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
