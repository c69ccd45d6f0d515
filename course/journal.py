"""The private reflection journal: one small file per reflection, so saving one never rewrites another."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from course import storage
from course.content import valid_id
from course.errors import CorruptFileError, NewerFileError, StorageError
from course.progress import Notice, load_checked, note_once


def clean_text(text: str) -> str:
    """Normalise line endings so the saved text reads back exactly as it is kept."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Reflection:
    """One reflection: the learner's answer to one prompt of one lesson."""

    id: str
    lesson: str
    prompt: str
    text: str
    created: datetime
    updated: datetime


def new_id(when: datetime) -> str:
    """A fresh, sortable, file-name-safe reflection id."""
    return f"{when:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _parse(data: dict[str, Any], path: Path) -> Reflection:
    rid = storage.want_str(data, "id", path)
    lesson = storage.want_str(data, "lesson", path)
    prompt = storage.want_str(data, "prompt", path)
    if not (valid_id(rid) and valid_id(lesson) and valid_id(prompt)):
        raise CorruptFileError(path, "its id, lesson or prompt is not a valid id")
    created = storage.want_time(data, "created", path)
    updated = storage.want_time(data, "updated", path)
    assert created is not None and updated is not None
    return Reflection(rid, lesson, prompt, storage.want_str(data, "text", path), created, updated)


class JournalStore:
    """journal/<lesson>/<id>.toml: each reflection in its own file, written atomically."""

    def __init__(self, root: Path, notices: list[Notice]) -> None:
        self.root = root
        self.folder = root / "journal"
        self.notices = notices

    def _path(self, lesson_id: str, reflection_id: str) -> Path:
        if not (valid_id(lesson_id) and valid_id(reflection_id)):
            raise StorageError(f"{lesson_id!r}/{reflection_id!r} is not a valid reflection id.")
        return self.folder / lesson_id / f"{reflection_id}.toml"

    def save(self, reflection: Reflection) -> None:
        """Save one reflection atomically; raises StorageError (with the reason) when it cannot."""
        path = self._path(reflection.lesson, reflection.id)
        storage.ensure_dir(self.folder)
        storage.ensure_dir(path.parent)
        storage.write_toml(
            path,
            {
                "id": reflection.id,
                "lesson": reflection.lesson,
                "prompt": reflection.prompt,
                "created": reflection.created,
                "updated": reflection.updated,
                "text": clean_text(reflection.text),
            },
        )

    def list(self, lesson_id: str) -> list[Reflection]:
        """The lesson's reflections, newest first (by last change)."""
        folder = self.folder / lesson_id
        if not valid_id(lesson_id) or not folder.is_dir():
            return []
        found: list[Reflection] = []
        for path in sorted(folder.glob("*.toml")):
            try:
                item = load_checked(path, _parse, self.notices)
            except NewerFileError:
                note_once(self.notices, Notice("newer", path))
                continue
            if item is not None:
                found.append(item)
        return sorted(found, key=lambda r: (r.updated, r.created, r.id), reverse=True)

    def count(self) -> int:
        """How many reflections are saved, in all lessons."""
        return sum(1 for _ in self.folder.glob("*/*.toml")) if self.folder.is_dir() else 0
