"""The learning loop: self-assessments over time, commitments with a follow-up, and spaced review of quiz questions.

Files, all in the learner's data folder, all TOML with `schema = 1`, written atomically, 0600:

- assessments/<id>.toml — one self-assessment each (never rewritten);
- commitments/<id>.toml — one commitment each (rewritten once, when it is followed up);
- review.toml — the review schedule, a table per "lesson/question", changed only by a
  read-modify-write under the data folder's lock, so two instances never lose an answer.

Spaced review is scheduled by FSRS (the `fsrs` package, imported only when a review is scheduled or a
memory estimated, so start-up does not pay for it). Every quiz answer is a review of its question: right
= Good, wrong = Again. A wrong answer always comes back the next day (one-day learning and relearning
steps); a right one after the gap FSRS gives for a 90 % chance of still knowing it (at most a year).
A table in review.toml holds the day it is due next, FSRS's memory state (stability in days,
difficulty 1–10, state, the last review) and the review log, every answer kept:

    [item."trust-culture/approval-for-every-decision"]
    due = 2025-05-24
    state = "review"
    stability = 2.3065
    difficulty = 2.1181
    last_review = 2025-05-21T09:12:40+02:00
    history = [{ day = 2025-05-20, right = false, at = 2025-05-20T18:03:11+02:00 }, ...]

Tables from before FSRS (`level`, `due`, `history` of { day, right }) are read as they are and rewritten
once, on first load: the memory state is worked out by replaying their history, the due day is kept
as it was (for a question that had retired from the old ladder, FSRS gives it one), and so is every
answer in the history (those have no `at`: only the day was kept then).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from course.content.model import valid_id
from course.errors import CorruptFileError, NewerFileError, StorageError, TillitError
from course.i18n import tr
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection, clean_text, new_id
from course.learner.progress import NOT_STARTED, Notice, load_checked, note_once, now
from course.learner.review import (
    REVIEW_FILE,
    ReviewItem,
    describe_day,
    dump_reviews,
    is_legacy,
    parse_reviews,
    retrievability,
    schedule,
)
from course.store import fields, storage

if TYPE_CHECKING:

    from course.content.companions import Statement
    from course.content.quiz import Question
    from course.learner.study import Study

RATING_MIN, RATING_MAX = 1, 5
class PracticeError(TillitError):
    """A learning-loop action refused before anything was written; `str()` is the English sentence."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(self.sentence("en"))

    def sentence(self, lang: str) -> str:
        """The same sentence in `lang` (sv or en)."""
        return tr(f"practice.error.{self.key}", lang, **self.values)


@dataclass(frozen=True)
class Assessment:
    """One self-assessment: a rating of 1–5 per statement, with optional notes."""

    id: str  # new_id-style, sortable
    taken: datetime
    ratings: dict[str, int]  # statement id -> 1..5 (statements from course.assessment)
    notes: dict[str, str]  # statement id -> optional note


@dataclass(frozen=True)
class StatementHistory:
    """One statement of the self-assessment over time: every rating of it and every note on it."""

    id: str
    name: str  # the behaviour, in the language asked for
    points: tuple[tuple[date, int], ...]  # (local date taken, rating), oldest first
    notes: tuple[tuple[date, int | None, str], ...]  # (local date taken, that day's rating, note), oldest first


@dataclass(frozen=True)
class Commitment:
    """Something the learner means to try after a lesson, and when to follow it up."""

    id: str
    lesson: str
    text: str
    created: datetime
    due: date
    done: datetime | None = None  # when it was followed up or marked as not having happened (None while open)
    follow_up: str = ""  # id of the reflection that answered it ("" until done)
    missed: bool = False  # closed as "didn't happen" (done is when); a new date opens it again
    postponed: tuple[date, ...] = ()  # the follow-up dates it had before, oldest first

    @property
    def is_open(self) -> bool:
        """Not yet followed up or closed as "didn't happen"."""
        return self.done is None


# --- parsing and writing the files -----------------------------------------------------------------


def _want_id(data: Mapping[str, Any], key: str, path: Path) -> str:
    value = fields.want_str(data, key, path)
    if not valid_id(value):
        raise CorruptFileError(path, f"'{key}' is not a valid id")
    return value


def _parse_assessment(data: dict[str, Any], path: Path) -> Assessment:
    aid = _want_id(data, "id", path)
    if aid != path.stem:
        raise CorruptFileError(path, f"its id '{aid}' does not match the file name")
    taken = fields.want_time(data, "taken", path)
    assert taken is not None
    ratings: dict[str, int] = {}
    for sid, value in fields.want_table(data, "ratings", path).items():
        if (
            not valid_id(sid)
            or not isinstance(value, int)
            or isinstance(value, bool)
            or not RATING_MIN <= value <= RATING_MAX
        ):
            raise CorruptFileError(path, f"rating '{sid}' should be a whole number from {RATING_MIN} to {RATING_MAX}")
        ratings[sid] = value
    notes: dict[str, str] = {}
    for sid, value in fields.want_table(data, "notes", path).items():
        if not valid_id(sid) or not isinstance(value, str):
            raise CorruptFileError(path, f"note '{sid}' should be text")
        notes[sid] = value
    return Assessment(aid, taken, ratings, notes)


def _parse_commitment(data: dict[str, Any], path: Path) -> Commitment:
    cid = _want_id(data, "id", path)
    if cid != path.stem:
        raise CorruptFileError(path, f"its id '{cid}' does not match the file name")
    lesson = _want_id(data, "lesson", path)
    created = fields.want_time(data, "created", path)
    assert created is not None
    done = fields.want_time(data, "done", path, optional=True)
    follow_up = fields.want_str(data, "follow_up", path, "")
    if follow_up and not valid_id(follow_up):
        raise CorruptFileError(path, "'follow_up' is not a valid reflection id")
    missed = data.get("missed", False)
    if not isinstance(missed, bool):
        raise CorruptFileError(path, "'missed' should be true or false")
    if missed and (done is None or follow_up):
        raise CorruptFileError(path, "a commitment that did not happen needs 'done' and no 'follow_up'")
    earlier = data.get("postponed", [])
    if not isinstance(earlier, list) or not all(isinstance(d, date) and not isinstance(d, datetime) for d in earlier):
        raise CorruptFileError(path, "'postponed' should be a list of dates")
    return Commitment(
        cid,
        lesson,
        fields.want_str(data, "text", path),
        created,
        fields.want_date(data, "due", path),
        done,
        follow_up,
        missed,
        tuple(earlier),
    )


def _dump_commitment(c: Commitment) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "lesson": c.lesson, "created": c.created, "due": c.due}
    if c.done is not None:
        out["done"] = c.done
    out["follow_up"] = c.follow_up
    if c.missed:  # the newer keys only when set: a plain commitment is written as before
        out["missed"] = True
    if c.postponed:
        out["postponed"] = list(c.postponed)
    out["text"] = c.text
    return out


T = TypeVar("T")


class Practice:
    """Self-assessment, commitments and spaced review for one learner, on top of their Study."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.data_dir = study.data_dir
        self.notices = study.notices
        self.course = study.course
        self.assessments_dir = self.data_dir / "assessments"
        self.commitments_dir = self.data_dir / "commitments"
        self.review_path = self.data_dir / REVIEW_FILE

    # --- helpers ---------------------------------------------------------------------------------

    def _load_all(self, folder: Path, parse: Callable[[dict[str, Any], Path], T]) -> list[T]:
        """Every readable file in `folder`: unreadable ones are moved aside, newer ones left alone."""
        if not folder.is_dir():
            return []
        found: list[T] = []
        for path in sorted(folder.glob("*.toml")):
            if not valid_id(path.stem):
                continue
            try:
                item = load_checked(path, parse, self.notices, self.data_dir)
            except NewerFileError:
                note_once(self.notices, Notice("newer", path))
                continue
            if item is not None:
                found.append(item)
        return found

    def _fresh_path(self, folder: Path, when: datetime) -> tuple[str, Path]:
        while True:
            ident = new_id(when)
            path = folder / f"{ident}.toml"
            if not path.exists():
                return ident, path

    def _statements(self) -> tuple[Statement, ...]:
        assessment = self.course.assessment
        return assessment.statements if assessment is not None else ()

    # --- self-assessment -------------------------------------------------------------------------

    def assessments(self) -> list[Assessment]:
        """Every saved self-assessment, oldest first."""
        return sorted(self._load_all(self.assessments_dir, _parse_assessment), key=lambda a: (a.taken, a.id))

    def add_assessment(self, ratings: Mapping[str, int], notes: Mapping[str, str]) -> Assessment:
        """Save a new self-assessment in its own file.

        Raises PracticeError (a TillitError), with nothing written, when the course has no
        self-assessment, when a rating is not a whole number from 1 to 5, when a rating or note names
        an unknown statement, or when there is no rating at all; StorageError when it cannot be saved.
        Ratings may leave statements out (the series then has no point for them that day).
        """
        self.study.check_writable()
        statements = self._statements()
        if not statements:
            raise PracticeError("no_assessment")
        known = [s.id for s in statements]
        for sid in [*ratings, *notes]:
            if sid not in known:
                raise PracticeError("unknown_statement", id=sid)
        for sid, value in ratings.items():
            if not isinstance(value, int) or isinstance(value, bool) or not RATING_MIN <= value <= RATING_MAX:
                raise PracticeError("rating", id=sid, low=RATING_MIN, high=RATING_MAX, value=repr(value))
        for sid, note in notes.items():
            if not isinstance(note, str):
                raise PracticeError("note", id=sid)
        if not ratings:
            raise PracticeError("no_rating")
        kept_ratings = {sid: ratings[sid] for sid in known if sid in ratings}
        kept_notes = {sid: clean_text(notes[sid]).strip() for sid in known if sid in notes}
        kept_notes = {sid: note for sid, note in kept_notes.items() if note}
        when = now()
        storage.ensure_dir(self.assessments_dir)
        with storage.locked(self.data_dir):
            aid, path = self._fresh_path(self.assessments_dir, when)
            assessment = Assessment(aid, when, kept_ratings, kept_notes)
            storage.write_toml(path, {"id": aid, "taken": when, "ratings": kept_ratings, "notes": kept_notes})
        return assessment

    def series(self, lang: str) -> list[tuple[str, list[tuple[date, int]]]]:
        """Per statement, in course order: (behaviour name in `lang`, [(local date taken, rating)] oldest first)."""
        return [(h.name, list(h.points)) for h in self.history(lang)]

    def history(self, lang: str) -> list[StatementHistory]:
        """Per statement, in course order: its ratings and its notes over time, oldest first."""
        fallback = self.course.languages[0]
        saved = self.assessments()
        out: list[StatementHistory] = []
        for statement in self._statements():
            sid = statement.id
            name = statement.behaviour.get(lang) or statement.behaviour.get(fallback) or sid
            points = tuple((a.taken.astimezone().date(), a.ratings[sid]) for a in saved if sid in a.ratings)
            notes = tuple(
                (a.taken.astimezone().date(), a.ratings.get(sid), a.notes[sid]) for a in saved if a.notes.get(sid)
            )
            out.append(StatementHistory(sid, name, points, notes))
        return out

    def should_offer_assessment(self) -> bool:
        """True for a brand-new learner: the course has a self-assessment, none is saved, no lesson started."""
        if not self._statements():
            return False
        progress = self.study.progress.current
        if progress.place is not None:
            return False
        if any(self.study.status(lid) != NOT_STARTED for lid in self.course.lesson_ids):
            return False
        return not self.assessments()

    # --- commitments ------------------------------------------------------------------------------

    def commitments(self) -> list[Commitment]:
        """Open commitments first (soonest due first), then closed ones (most recently closed first)."""
        found = self._load_all(self.commitments_dir, _parse_commitment)
        open_ = sorted((c for c in found if c.done is None), key=lambda c: (c.due, c.created, c.id))
        done = sorted((c for c in found if c.done is not None), key=lambda c: (c.done, c.id), reverse=True)
        return open_ + done

    def add_commitment(self, lesson_id: str, text: str, due: date) -> Commitment:
        """Save what the learner will try after a lesson, and when to follow it up.

        Raises PracticeError (a TillitError), with nothing written, for an unknown lesson, empty text
        or a due that is not a date; StorageError when it cannot be saved.
        """
        self.study.check_writable()
        if not valid_id(lesson_id) or lesson_id not in self.course.lesson_ids:
            raise PracticeError("unknown_lesson", id=lesson_id)
        cleaned = clean_text(text).strip()
        if not cleaned:
            raise PracticeError("empty_commitment")
        if not isinstance(due, date) or isinstance(due, datetime):
            raise PracticeError("due", value=repr(due))
        when = now()
        storage.ensure_dir(self.commitments_dir)
        with storage.locked(self.data_dir):
            cid, path = self._fresh_path(self.commitments_dir, when)
            commitment = Commitment(cid, lesson_id, cleaned, when, due)
            storage.write_toml(path, _dump_commitment(commitment))
        return commitment

    def due_commitments(self, today: date | None = None) -> list[Commitment]:
        """Open commitments due today or earlier, soonest due first."""
        day = today or now().date()
        return [c for c in self.commitments() if c.done is None and c.due <= day]

    def _commitment_path(self, commitment_id: str) -> Path:
        if not valid_id(commitment_id):
            raise StorageError(f"{commitment_id!r} is not a valid commitment id.")
        return self.commitments_dir / f"{commitment_id}.toml"

    def _load_commitment(self, path: Path, missed_ok: bool = False) -> Commitment:
        """The commitment as saved now, while open (or closed as "didn't happen", with `missed_ok`)."""
        current = load_checked(path, _parse_commitment, self.notices, self.data_dir)  # NewerFileError: left untouched
        if current is None:
            raise PracticeError("commitment_gone", id=path.stem)
        if current.done is not None and not (missed_ok and current.missed):
            raise PracticeError("commitment_missed" if current.missed else "commitment_done", id=path.stem)
        return current

    def postpone_commitment(self, c: Commitment, due: date) -> Commitment:
        """Give a commitment a new follow-up date (one marked "didn't happen" is open again); the old date is kept.

        Raises PracticeError (a TillitError), with nothing written, for a due that is not a date or a
        commitment that is gone or already followed up; NewerFileError when a newer Tillit wrote it,
        StorageError when it cannot be saved.
        """
        self.study.check_writable()
        if not isinstance(due, date) or isinstance(due, datetime):
            raise PracticeError("due", value=repr(due))
        path = self._commitment_path(c.id)
        with storage.locked(self.data_dir):
            current = self._load_commitment(path, missed_ok=True)
            moved = replace(current, due=due, done=None, missed=False, postponed=(*current.postponed, current.due))
            storage.write_toml(path, _dump_commitment(moved))
        return moved

    def mark_missed(self, c: Commitment) -> Commitment:
        """Close an open commitment as "didn't happen" (no follow-up is written); postponing opens it again.

        Raises PracticeError (a TillitError) when the commitment is gone or no longer open,
        NewerFileError when a newer Tillit wrote it, StorageError when it cannot be saved.
        """
        self.study.check_writable()
        path = self._commitment_path(c.id)
        when = now()
        with storage.locked(self.data_dir):
            current = self._load_commitment(path)
            closed = replace(current, done=when, missed=True)
            storage.write_toml(path, _dump_commitment(closed))
        return closed

    def commitment_texts(self) -> dict[str, str]:
        """Commitment id -> what the learner meant to try: what a follow-up reflection answers."""
        return {c.id: c.text for c in self._load_all(self.commitments_dir, _parse_commitment)}

    def complete_commitment(self, c: Commitment, how_it_went: str) -> tuple[Commitment, Reflection]:
        """Save how it went as a reflection linked to the commitment, then mark the commitment done.

        The reflection is saved first, so the learner's words are never lost to a failed second step.
        Raises PracticeError (a TillitError) when the text is empty or the commitment is gone or
        already done, NewerFileError when a newer Tillit wrote it, StorageError when a file cannot
        be saved.
        """
        self.study.check_writable()
        path = self._commitment_path(c.id)
        text = clean_text(how_it_went)
        if not text.strip():
            raise PracticeError("empty_follow_up")
        stored = self._load_commitment(path)
        when = now()
        reflection = Reflection(new_id(when), stored.lesson, FOLLOW_UP_PROMPT, text, when, when, commitment=stored.id)
        self.study.journal.save(reflection)
        with storage.locked(self.data_dir):
            current = self._load_commitment(path)
            done = replace(current, done=when, follow_up=reflection.id)
            storage.write_toml(path, _dump_commitment(done))
        return done, reflection

    # --- spaced review ------------------------------------------------------------------------------

    def _read_reviews(self) -> tuple[dict[str, ReviewItem], bool]:
        """review.toml's items (none when missing or moved aside as unreadable), and whether any table in it
        is from before FSRS; NewerFileError when a newer Tillit wrote it."""
        legacy = False

        def parse(data: dict[str, Any], path: Path) -> dict[str, ReviewItem]:
            nonlocal legacy
            items = parse_reviews(data, path)
            legacy = any(is_legacy(raw) for raw in fields.want_table(data, "item", path).values())
            return items

        items = load_checked(self.review_path, parse, self.notices, self.data_dir) or {}
        return items, legacy

    def _load_reviews(self) -> dict[str, ReviewItem]:
        """review.toml's items; a file with tables from before FSRS is rewritten with them migrated, once
        (left as it is when the folder is read-only or the save fails, with a notice). NewerFileError when newer."""
        items, legacy = self._read_reviews()
        if legacy and not self.study.read_only and not storage.is_read_only(self.data_dir):
            try:
                with storage.locked(self.data_dir):
                    items, legacy = self._read_reviews()  # again under the lock: another Tillit may have done it
                    if legacy:
                        storage.write_toml(self.review_path, dump_reviews(items))
            except StorageError as err:
                note_once(
                    self.notices,
                    Notice("error", self.review_path, str(err), action=err.action, reason=err.reason, advice=err.advice),
                )
        return items

    def _question(self, lesson_id: str, question_id: str) -> Question | None:
        if lesson_id not in self.course.lesson_ids:
            return None
        quiz = self.course.quiz(lesson_id, self.study.lang)
        return quiz.question(question_id) if quiz is not None else None

    def record_answer(
        self, lesson_id: str, question_id: str, right: bool, today: date | None = None
    ) -> ReviewItem | None:
        """Add a quiz answer to the question's review log and schedule it again by FSRS (see `schedule`).

        The answer is taken now, or at local noon of `today` when given. Returns the question's new
        schedule. Raises PracticeError (a TillitError) for a question the course does not have. Trouble
        with review.toml never stops the quiz: a newer file is left alone and an unsavable change
        dropped, each with a notice (and None returned).
        """
        self.study.check_writable()
        if not (valid_id(lesson_id) and valid_id(question_id)):
            raise StorageError(f"{lesson_id!r}/{question_id!r} is not a valid question id.")
        if self._question(lesson_id, question_id) is None:
            raise PracticeError("unknown_question", lesson=lesson_id, question=question_id)
        when = now() if today is None else datetime.combine(today, time(12)).astimezone().replace(microsecond=0)
        key = f"{lesson_id}/{question_id}"
        try:
            with storage.locked(self.data_dir):
                items = self._load_reviews()
                item = replace(schedule(items.get(key), right, when), lesson=lesson_id, question=question_id)
                items[key] = item
                storage.write_toml(self.review_path, dump_reviews(items))
                return item
        except NewerFileError as err:
            note_once(self.notices, Notice("newer", err.path))
        except StorageError as err:
            note_once(
                self.notices,
                Notice("error", self.review_path, str(err), action=err.action, reason=err.reason, advice=err.advice),
            )
        return None

    def review_items(self) -> list[ReviewItem]:
        """Every item on the schedule (of removed questions too), as saved; none when review.toml is newer."""
        try:
            return list(self._load_reviews().values())
        except NewerFileError as err:
            note_once(self.notices, Notice("newer", err.path))
            return []

    def _current_items(self) -> list[tuple[int, int, ReviewItem]]:
        """The items of questions the course still has, each with its lesson's and its question's position."""
        order = {lid: n for n, lid in enumerate(self.course.lesson_ids)}
        out: list[tuple[int, int, ReviewItem]] = []
        for item in self.review_items():
            if self._question(item.lesson, item.question) is None:
                continue
            quiz = self.course.quiz(item.lesson, self.study.lang)
            assert quiz is not None
            out.append((order[item.lesson], [q.id for q in quiz.questions].index(item.question), item))
        return out

    def due_reviews(self, today: date | None = None) -> list[ReviewItem]:
        """Items due today or earlier, oldest due first (then in course order), skipping removed questions."""
        day = today or now().date()
        due = [(item.due, lesson, question, item) for lesson, question, item in self._current_items() if item.due <= day]
        return [entry[-1] for entry in sorted(due, key=lambda e: e[:3])]

    def next_review(self) -> date | None:
        """The day the next review is due (today or earlier when some are due now); None with nothing scheduled."""
        days = [item.due for _, _, item in self._current_items()]
        return min(days) if days else None

    def review_reminder(self, lang: str, today: date | None = None) -> str:
        """The home screen's "↻ next review: Thursday" in `lang`; "" when nothing is scheduled or some is due now."""
        day = self.next_review()
        base = today or now().date()
        if day is None or day <= base:
            return ""
        return tr("review.next", lang, day=describe_day(day, lang, base))

    def remembered(self, when: datetime | None = None) -> dict[str, float]:
        """Per lesson with answered questions: how likely (0..1) its questions are still remembered, on
        average, by FSRS (at `when`, default now). Lessons whose questions were never answered are left out."""
        moment = when or now()
        found: dict[str, list[float]] = {}
        for _, _, item in self._current_items():
            chance = retrievability(item, moment)
            if chance is not None:
                found.setdefault(item.lesson, []).append(chance)
        return {lid: sum(values) / len(values) for lid, values in found.items()}

    def review_questions(self, today: date | None = None) -> list[tuple[str, Question]]:
        """The due items as (lesson id, question in the learner's language), oldest due first."""
        out: list[tuple[str, Question]] = []
        for item in self.due_reviews(today):
            question = self._question(item.lesson, item.question)
            if question is not None:
                out.append((item.lesson, question))
        return out
