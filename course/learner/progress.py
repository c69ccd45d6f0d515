"""The learner's progress: lesson status, where they left off, settings, and every quiz attempt."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeGuard, TypeVar, get_args

from course.content.model import valid_id
from course.errors import CorruptFileError, NewerFileError, StorageError, UnreadableFileError
from course.store import fields, reading, storage

LessonStatus = Literal["not_started", "read", "completed"]
NOT_STARTED: LessonStatus = "not_started"
READ: LessonStatus = "read"
COMPLETED: LessonStatus = "completed"
STATUSES: tuple[LessonStatus, ...] = get_args(LessonStatus)

ShownStatus = Literal["not_started", "in_progress", "read", "completed"]
"""A lesson's status as the learner is shown it: the saved one, or "in progress", which is worked out and
never saved (a lesson opened but not read to the end, or whose quiz is under way), so that progress.toml
keeps only the statuses every Tillit can read."""
IN_PROGRESS: ShownStatus = "in_progress"


def is_status(value: object) -> TypeGuard[LessonStatus]:
    """True for a lesson status Tillit knows (see STATUSES)."""
    return value in STATUSES
VIEWS = ("lesson", "quiz", "reflect")


def now() -> datetime:
    """The current time, aware, in the local time zone, to the second.

    TOML keeps a time zone offset in whole minutes; under a zone whose offset has seconds (TZ=XXX-01:00:30)
    the time is kept in UTC instead, so that it reads back exactly as it was saved.
    """
    local = datetime.now(UTC).astimezone().replace(microsecond=0)
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        return local.astimezone(UTC)
    return local


@dataclass(frozen=True)
class Notice:
    """Something the learner must be told about their data (shown once, in their language)."""

    kind: str  # "moved" | "left" (read-only: not moved) | "unreadable" (the OS refused) | "newer" | "error"
    # | "edited" (changed outside Tillit and accepted; moved_to: the copy kept as it was found)
    path: Path
    detail: str = ""
    moved_to: Path | None = None
    action: str = ""  # for "error": what the OS refused (save, read, folder), why, and the advice key
    reason: str = ""
    advice: str = ""


@dataclass(frozen=True)
class LessonState:
    """Where one lesson stands for the learner."""

    status: LessonStatus = NOT_STARTED
    read_at: datetime | None = None
    completed_at: datetime | None = None
    reset_at: datetime | None = None
    opened_at: datetime | None = None  # first opened since its last reset (an older Tillit leaves it out)


@dataclass(frozen=True)
class Place:
    """The exact place to continue from: a lesson and a position, a quiz question, or the journal."""

    lesson: str
    view: str = "lesson"
    scroll: int = 0
    question: int = 0


@dataclass(frozen=True)
class QuizDraft:
    """A quiz attempt in progress: the answers given so far, the order it shows each question's options in
    (question id → option ids; none for true/false, nor in a draft an older Tillit started), and what is
    chosen but not yet checked (question id → option ids), so that a resume shows all three as they were."""

    started: datetime
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pending: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    """Everything in progress.toml."""

    language: str | None = None
    theme: str | None = None
    place: Place | None = None
    lessons: dict[str, LessonState] = field(default_factory=dict)
    quizzes: dict[str, QuizDraft] = field(default_factory=dict)

    def lesson(self, lesson_id: str) -> LessonState:
        """The state of a lesson (not started when unknown)."""
        return self.lessons.get(lesson_id, LessonState())


@dataclass(frozen=True)
class Attempt:
    """One finished quiz attempt, kept for good."""

    started: datetime
    finished: datetime
    points: int
    max_points: int
    passed: bool
    answers: dict[str, tuple[str, ...]]
    order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The order the attempt showed each question's options in (empty for one an older Tillit saved:
    that one showed them as authored)."""

    @property
    def share(self) -> float:
        """Points as a share of the maximum."""
        return self.points / self.max_points if self.max_points else 0.0


T = TypeVar("T")


def note_once(notices: list[Notice], notice: Notice) -> None:
    """Record a notice unless the same one is already waiting (a file is re-read on every list)."""
    if notice not in notices:
        notices.append(notice)


def load_checked(
    path: Path, parse: Callable[[dict[str, Any], Path], T], notices: list[Notice], root: Path | None = None
) -> T | None:
    """Read and parse a data file; an unreadable one is reported and skipped, never deleted.

    A file that cannot be understood (corrupt, cut off, a link, wrong types) is moved into
    <root>/quarantine/ under the save lock; one the operating system will not let us read (EACCES,
    EIO) is left where it is. A read-only Tillit (another one holds the folder) moves nothing.
    `root` is the data folder (the file's own folder when not given). A file edited by hand that still
    parses and checks is used as it is, and the first time a copy of it is kept (see storage.keep_hand_edit).
    """
    try:
        found = reading.read_data(path)
        if found is None:
            return None
        value = parse(found.data, path)
        if found.edited:
            _accept_edit(path, found.raw, notices, path.parent if root is None else root)
        return value
    except UnreadableFileError as err:
        note_once(notices, Notice("unreadable", path, err.reason))
        return None
    except CorruptFileError as err:
        base = path.parent if root is None else root
        if storage.is_read_only(base):
            note_once(notices, Notice("left", path, err.reason))
            return None
        with storage.locked(base):
            try:  # read again under the lock: another Tillit may have repaired or replaced it meanwhile
                data = reading.read_toml(path)
                return None if data is None else parse(data, path)
            except CorruptFileError as again:
                moved = storage.move_aside(path, root, again.reason)
                notices.append(Notice("moved", path, again.reason, moved))
                return None


def _accept_edit(path: Path, raw: bytes, notices: list[Notice], base: Path) -> None:
    """Keep a copy of a hand-edited file as it was accepted, and say so once (when the copy is new).

    A read-only Tillit keeps nothing and says nothing (the Tillit that holds the folder will); a copy
    that cannot be made is no reason to refuse the learner's edit (`tillit doctor` still reports it)."""
    if storage.is_read_only(base):
        return
    try:
        with storage.locked(base):
            copy, new = storage.keep_hand_edit(path, base, raw)
    except StorageError:
        return
    if new:
        note_once(notices, Notice("edited", path, moved_to=copy))


# --- progress.toml --------------------------------------------------------------------------------


def _answers(raw: object, path: Path, what: str = "answers") -> dict[str, tuple[str, ...]]:
    """A table of question id → list of option ids: `answers`, and since options are shuffled `order`
    and `pending` (both optional: a file from before them reads as it always did)."""
    if not isinstance(raw, dict):
        raise CorruptFileError(path, f"'{what}' should be a table")
    out: dict[str, tuple[str, ...]] = {}
    for qid, chosen in raw.items():
        if not valid_id(qid) or not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            raise CorruptFileError(path, f"'{what}' of question '{qid}' should be a list of option ids")
        out[qid] = tuple(chosen)
    return out


def _ids(table: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {q: list(ids) for q, ids in table.items()}


def _parse_progress(data: dict[str, Any], path: Path) -> Progress:
    settings = fields.want_table(data, "settings", path)
    language = settings.get("language")
    theme = settings.get("theme")
    if (language is not None and not isinstance(language, str)) or (theme is not None and not isinstance(theme, str)):
        raise CorruptFileError(path, "'settings' should hold text")
    place = None
    raw_place = fields.want_table(data, "place", path)
    if raw_place:
        lesson = fields.want_str(raw_place, "lesson", path)
        view = fields.want_str(raw_place, "view", path, "lesson")
        if not valid_id(lesson) or view not in VIEWS:
            raise CorruptFileError(path, "'place' names an unknown lesson or view")
        place = Place(
            lesson,
            view,
            fields.want_int(raw_place, "scroll", path, 0),
            fields.want_int(raw_place, "question", path, 0),
        )
    lessons: dict[str, LessonState] = {}
    for lid, raw in fields.want_table(data, "lessons", path).items():
        if not valid_id(lid) or not isinstance(raw, dict):
            raise CorruptFileError(path, f"lesson '{lid}' should be a table")
        status = fields.want_str(raw, "status", path, NOT_STARTED)
        if not is_status(status):
            raise CorruptFileError(path, f"lesson '{lid}' has an unknown status")
        lessons[lid] = LessonState(
            status,
            fields.want_time(raw, "read_at", path, optional=True),
            fields.want_time(raw, "completed_at", path, optional=True),
            fields.want_time(raw, "reset_at", path, optional=True),
            fields.want_time(raw, "opened_at", path, optional=True),
        )
    quizzes: dict[str, QuizDraft] = {}
    for lid, raw in fields.want_table(data, "quiz", path).items():
        if not valid_id(lid) or not isinstance(raw, dict):
            raise CorruptFileError(path, f"quiz '{lid}' should be a table")
        started = fields.want_time(raw, "started", path)
        assert started is not None
        quizzes[lid] = QuizDraft(
            started,
            _answers(raw.get("answers", {}), path),
            _answers(raw.get("order", {}), path, "order"),
            _answers(raw.get("pending", {}), path, "pending"),
        )
    return Progress(language, theme, place, lessons, quizzes)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _dump_progress(p: Progress) -> dict[str, Any]:
    out: dict[str, Any] = {"settings": _drop_none({"language": p.language, "theme": p.theme})}
    if p.place is not None:
        out["place"] = {
            "lesson": p.place.lesson,
            "view": p.place.view,
            "scroll": p.place.scroll,
            "question": p.place.question,
        }
    out["lessons"] = {
        lid: _drop_none(
            {
                "status": s.status,
                "read_at": s.read_at,
                "completed_at": s.completed_at,
                "reset_at": s.reset_at,
                "opened_at": s.opened_at,
            }
        )
        for lid, s in sorted(p.lessons.items())
    }
    out["quiz"] = {
        lid: {
            "started": d.started,
            "answers": _ids(d.answers),
            # written only when there is one, so a draft without them reads back equal
            **({"order": _ids(d.order)} if d.order else {}),
            **({"pending": _ids(d.pending)} if d.pending else {}),
        }
        for lid, d in sorted(p.quizzes.items())
    }
    return out


class ProgressStore:
    """progress.toml: read once, then every change is a locked read-modify-write."""

    def __init__(self, root: Path, notices: list[Notice]) -> None:
        self.root = root
        self.path = root / "progress.toml"
        self.notices = notices
        self.read_only = False
        self.current = self._load()

    def _load(self) -> Progress:
        try:
            return load_checked(self.path, _parse_progress, self.notices, self.root) or Progress()
        except NewerFileError:
            self.read_only = True
            note_once(self.notices, Notice("newer", self.path))
            return Progress()

    def update(self, change: Callable[[Progress], Progress]) -> Progress:
        """Apply `change` to the latest saved progress and save it atomically under the lock.

        When it cannot be saved (a full disk, a read-only folder) the change is kept for this
        session and a notice says why; progress is never worth stopping the learner for.
        """
        if self.read_only:
            self.current = change(self.current)
            return self.current
        try:
            with storage.locked(self.root):
                latest = self._load()
                if self.read_only:  # a newer Tillit wrote the file since we read it: never overwrite it
                    self.current = change(self.current)
                    return self.current
                updated = change(latest)
                if updated != latest:
                    storage.write_toml(self.path, _dump_progress(updated))
        except StorageError as err:
            updated = change(self.current)
            note_once(
                self.notices,
                Notice("error", self.path, str(err), action=err.action, reason=err.reason, advice=err.advice),
            )
        self.current = updated
        return updated


# --- attempts/<lesson>.toml --------------------------------------------------------------------


def _parse_attempts(data: dict[str, Any], path: Path) -> list[Attempt]:
    raw = data.get("attempt", [])
    if not isinstance(raw, list):
        raise CorruptFileError(path, "'attempt' should be a list of tables")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise CorruptFileError(path, "each attempt should be a table")
        started = fields.want_time(item, "started", path)
        finished = fields.want_time(item, "finished", path)
        passed = item.get("passed")
        if not isinstance(passed, bool):
            raise CorruptFileError(path, "'passed' should be true or false")
        points, max_points = fields.want_int(item, "points", path), fields.want_int(item, "max_points", path)
        if not 0 <= points <= max_points:
            raise CorruptFileError(path, "'points' should be between 0 and 'max_points'")
        assert started is not None and finished is not None
        answers = _answers(item.get("answers", {}), path)
        order = _answers(item.get("order", {}), path, "order")
        out.append(Attempt(started, finished, points, max_points, passed, answers, order))
    return out


class AttemptStore:
    """Every quiz attempt, one file per lesson, appended under the lock."""

    def __init__(self, root: Path, notices: list[Notice]) -> None:
        self.root = root
        self.folder = root / "attempts"
        self.notices = notices

    def _path(self, lesson_id: str) -> Path:
        if not valid_id(lesson_id):
            raise StorageError(f"{lesson_id!r} is not a valid lesson id.")
        return self.folder / f"{lesson_id}.toml"

    def _load(self, lesson_id: str) -> list[Attempt]:
        return load_checked(self._path(lesson_id), _parse_attempts, self.notices, self.root) or []

    def list(self, lesson_id: str) -> Sequence[Attempt]:
        """Every saved attempt at a lesson's quiz, oldest first (none when a newer Tillit wrote the file)."""
        try:
            return self._load(lesson_id)
        except NewerFileError as err:
            note_once(self.notices, Notice("newer", err.path))
            return []

    def add(self, lesson_id: str, attempt: Attempt) -> None:
        """Append one attempt to the lesson's file (re-read under the lock, so nothing is lost).

        Raises NewerFileError, leaving the file untouched, when a newer Tillit wrote it.
        """
        path = self._path(lesson_id)
        storage.ensure_dir(self.folder)
        with storage.locked(self.root):
            attempts = [*self._load(lesson_id), attempt]
            storage.write_toml(
                path,
                {
                    "lesson": lesson_id,
                    "attempt": [
                        {
                            "started": a.started,
                            "finished": a.finished,
                            "points": a.points,
                            "max_points": a.max_points,
                            "passed": a.passed,
                            "answers": _ids(a.answers),
                            **({"order": _ids(a.order)} if a.order else {}),
                        }
                        for a in attempts
                    ],
                },
            )


def reset_lesson(p: Progress, lesson_id: str, when: datetime) -> Progress:
    """Progress with one lesson reset: status cleared, quiz in progress dropped, attempts before now ignored."""
    lessons = dict(p.lessons)
    lessons[lesson_id] = LessonState(reset_at=when)
    quizzes = {k: v for k, v in p.quizzes.items() if k != lesson_id}
    place = None if p.place is not None and p.place.lesson == lesson_id else p.place
    return replace(p, lessons=lessons, quizzes=quizzes, place=place)
