"""Sharing with the trainer, anonymously: one small TOML file a participant chooses to hand over.

A share file (`kind = "tillit-share"`, `schema = 1`) holds only what the group results need, and
nothing the participant did not choose:

- a random participant id (kept in <data>/share-id.toml), so a later file from the same person
  replaces their earlier one at the trainer's end; a name only when the participant typed one;
- per quiz question they answered: the options chosen the first time and the latest time, each
  with whether it was right (true/false questions as ["true"] or ["false"]);
- every self-assessment: the day and the ratings 1–5, never the notes written beside them;
- only the reflections they picked: lesson, prompt, the latest text and the day, no tags, stars,
  earlier versions or times of day.

`render_share` gives the exact text that will be written, so it can be shown before it is saved;
it is checked to read back as a valid share (what the trainer's Tillit accepts, see `parse_share`).
The trainer's side is course.trainer.shares (reading many such files safely) and course.trainer.results
(merging them).
"""

from __future__ import annotations

import re
import secrets
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course import __version__
from course.content.model import valid_id
from course.errors import CorruptFileError, NewerFileError, StorageError, TillitError
from course.learner.journal import clean_text
from course.learner.practice import RATING_MAX, RATING_MIN, Practice
from course.learner.progress import load_checked
from course.store import storage

if TYPE_CHECKING:
    from course.content.quiz import Question
    from course.learner.study import Study

KIND = "tillit-share"
SHARE_SCHEMA = 1
ID_FILE = "share-id.toml"  # <data>/share-id.toml: { id = "<16 hex digits>" }

# Limits: what a share may hold. The trainer's side refuses a file beyond any of them, so
# build_share keeps within them too (render_share checks the whole file).
MAX_SHARE_BYTES = 256 * 1024
MAX_NAME = 80
MAX_ANSWERS = 2000
MAX_CHOSEN = 64  # option ids in one answer
MAX_ASSESSMENTS = 1000
MAX_RATINGS = 200  # ratings in one self-assessment
MAX_REFLECTIONS = 500
MAX_TEXT = 20_000  # characters of one reflection
MAX_VERSION = 40  # characters of the app version
PARTICIPANT_RE = re.compile(r"[0-9a-f]{8,64}")
LANG_RE = re.compile(r"[a-z]{2,3}")

HEADER = (
    "# A Tillit share file: your quiz answers, your self-assessment ratings (not your notes) and only\n"
    "# the reflections you chose, for your trainer's group results. The participant id is random;\n"
    "# your name is in it only if you typed one.\n"
)


class ShareError(TillitError):
    """A share that cannot be made as asked; `str()` is one sentence to show the participant."""


class ShareFormatError(ValueError):
    """A share file that is not usable; `reason` is one plain sentence (without a full stop)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SharedAnswer:
    """A participant's answers to one quiz question: the first time they answered it, and the latest."""

    lesson: str
    question: str
    first: tuple[str, ...]
    first_correct: bool  # as judged by the participant's Tillit (the trainer's side re-checks `first`)
    latest: tuple[str, ...]
    latest_correct: bool


@dataclass(frozen=True)
class SharedAssessment:
    """One self-assessment as shared: the day and the ratings (statement id -> 1..5), nothing else."""

    day: date
    ratings: Mapping[str, int]


@dataclass(frozen=True)
class SharedReflection:
    """One reflection the participant chose to share."""

    lesson: str
    prompt: str
    text: str
    day: date


@dataclass(frozen=True)
class Share:
    """One participant's share file, read and checked."""

    path: Path
    participant: str
    course: str
    app_version: str
    created: datetime  # aware
    lang: str
    name: str  # "" when none was typed
    answers: tuple[SharedAnswer, ...]
    assessments: tuple[SharedAssessment, ...]  # oldest first
    reflections: tuple[SharedReflection, ...]


# --- the participant id --------------------------------------------------------------------------------


def _parse_id(data: dict[str, Any], path: Path) -> str:
    pid = data.get("id")
    if not isinstance(pid, str) or PARTICIPANT_RE.fullmatch(pid) is None:
        raise CorruptFileError(path, "'id' should be 8 to 64 hexadecimal digits")
    return pid


def _read_id(study: Study, path: Path) -> str | None:
    try:
        return load_checked(path, _parse_id, study.notices, study.data_dir)
    except NewerFileError:
        # Written by a newer Tillit: never rewrite it, but its id is still this person's id.
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            return _parse_id(data, path)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError) as err:
            raise ShareError(f"{path} was written by a newer Tillit and its id cannot be read.") from err
        except CorruptFileError as err:
            raise ShareError(str(err)) from err


def participant_id(study: Study) -> str:
    """This person's random share id: made once (secrets.token_hex(8)) and kept in <data>/share-id.toml.

    An unreadable id file is moved aside like every data file (a notice says so) and a new id made.
    Raises ReadOnlyError when there is no id yet and another Tillit holds the data folder, and
    StorageError when the id cannot be saved.
    """
    path = study.data_dir / ID_FILE
    found = _read_id(study, path)
    if found is not None:
        return found
    study.check_writable()
    with storage.locked(study.data_dir):
        found = _read_id(study, path)  # another Tillit may have made it meanwhile
        if found is not None:
            return found
        pid = secrets.token_hex(8)
        storage.write_toml(path, {"id": pid})
    return pid


# --- building a share ------------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """A typed name as it is shared: on one line, spaces collapsed, at most MAX_NAME characters."""
    return " ".join(name.split())[:MAX_NAME].strip()


def _ordered(chosen: Sequence[str], question: Question) -> list[str]:
    """Chosen ids in the question's option order, once each, leaving out anything that is not an id."""
    order = [o.id for o in question.choices("", "")]
    picked = [c for c in dict.fromkeys(chosen) if valid_id(c)]
    return ([o for o in order if o in picked] + [c for c in picked if c not in order])[:MAX_CHOSEN]


def _answers(study: Study) -> list[dict[str, Any]]:
    course = study.course
    out: list[dict[str, Any]] = []
    for lid in course.lesson_ids:
        quiz = course.quiz(lid, study.lang)
        if quiz is None:
            continue
        attempts = list(study.attempts.list(lid))  # every finished attempt, oldest first, resets too
        for q in quiz.questions:
            answered = [a.answers[q.id] for a in attempts if q.id in a.answers]
            if not answered:
                continue
            first, latest = _ordered(answered[0], q), _ordered(answered[-1], q)
            out.append(
                {
                    "lesson": lid,
                    "question": q.id,
                    "first": first,
                    "first_correct": q.is_correct(first),
                    "latest": latest,
                    "latest_correct": q.is_correct(latest),
                }
            )
    return out[:MAX_ANSWERS]


def _assessments(study: Study) -> list[dict[str, Any]]:
    saved = Practice(study).assessments()  # oldest first
    if len(saved) > MAX_ASSESSMENTS:  # keep the first (the starting point) and the newest
        saved = [saved[0], *saved[-(MAX_ASSESSMENTS - 1) :]]
    out: list[dict[str, Any]] = []
    for a in saved:
        ratings = {sid: value for sid, value in a.ratings.items() if valid_id(sid)}
        if ratings:
            out.append({"date": a.taken.astimezone().date(), "ratings": dict(list(ratings.items())[:MAX_RATINGS])})
    return out


def _reflections(study: Study, reflection_ids: Sequence[str]) -> list[dict[str, Any]]:
    wanted = list(dict.fromkeys(reflection_ids))
    if not wanted:
        return []
    if len(wanted) > MAX_REFLECTIONS:
        raise ShareError(f"At most {MAX_REFLECTIONS} reflections can be shared in one file; choose fewer.")
    by_id = {r.id: r for r in study.all_reflections()}
    out: list[dict[str, Any]] = []
    for rid in wanted:
        r = by_id.get(rid)
        if r is None:
            raise ShareError(f"There is no reflection with the id {rid!r}; it may have been deleted.")
        out.append(
            {
                "lesson": r.lesson,
                "prompt": r.prompt,
                "text": clean_text(r.text).strip()[:MAX_TEXT],
                "date": r.updated.astimezone().date(),
            }
        )
    return out


def build_share(study: Study, name: str = "", reflection_ids: Sequence[str] = ()) -> dict[str, Any]:
    """Everything one share file holds, as TOML-ready data (see the module docstring for what and why).

    `name` is left out unless something is typed (spaces collapsed, at most MAX_NAME characters).
    Only the reflections named in `reflection_ids` are shared, in that order; an unknown id raises
    ShareError. The id file is made on first use (see participant_id).
    """
    data: dict[str, Any] = {
        "schema": SHARE_SCHEMA,
        "kind": KIND,
        "course": study.course.id,
        "app_version": __version__,
        "participant": participant_id(study),
    }
    shown = clean_name(name)
    if shown:
        data["name"] = shown
    data["created"] = datetime.now(UTC).replace(microsecond=0)
    data["lang"] = study.lang
    data["answer"] = _answers(study)
    data["assessment"] = _assessments(study)
    data["reflection"] = _reflections(study, reflection_ids)
    return data


def render_share(data: Mapping[str, Any]) -> str:
    """The exact text a share file holds (storage.write_new_file saves it): a comment saying what it is, then the TOML.

    Raises ShareError when the file would be larger than MAX_SHARE_BYTES or would not be accepted
    by the trainer's Tillit (every share is read back and checked with parse_share first).
    """
    where = Path("share.toml")
    try:
        body = storage.dumps(data, where).decode("utf-8")
    except StorageError as err:
        raise ShareError(f"The share could not be made: {err}") from err
    text = HEADER + body
    size = len(text.encode("utf-8"))
    if size > MAX_SHARE_BYTES:
        raise ShareError(
            f"The share would be {size // 1024} KiB, more than the {MAX_SHARE_BYTES // 1024} KiB a trainer's "
            "Tillit accepts; share fewer or shorter reflections."
        )
    try:
        parse_share(tomllib.loads(text), where)
    except ShareFormatError as err:
        raise ShareError(f"The share could not be made: {err.reason}.") from err
    return text


# --- reading a share (untrusted: every value is checked) -------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _table_list(data: Mapping[str, Any], key: str, limit: int, what: str, plural: str) -> list[dict[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise ShareFormatError(f"'{key}' should be a list of [[{key}]] tables")
    if len(raw) > limit:
        raise ShareFormatError(f"it has more than {limit:,} {plural}")
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise ShareFormatError(f"{what} {n} is not a table")
    return raw


def _id(item: Mapping[str, Any], key: str, label: str) -> str:
    value = item.get(key)
    if not valid_id(value):
        raise ShareFormatError(f"{label} has an invalid {key} id")
    assert isinstance(value, str)
    return value


def _day(item: Mapping[str, Any], label: str) -> date:
    value = item.get("date")
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ShareFormatError(f"{label} has no valid date")
    return value


def _chosen(item: Mapping[str, Any], key: str, label: str) -> tuple[str, ...]:
    value = item.get(key)
    if not isinstance(value, list) or len(value) > MAX_CHOSEN:
        raise ShareFormatError(f"{label} should list the chosen option ids in '{key}'")
    if not all(valid_id(c) for c in value):
        raise ShareFormatError(f"{label} has an invalid option id in '{key}'")
    if len(set(value)) != len(value):
        raise ShareFormatError(f"{label} names an option twice in '{key}'")
    return tuple(value)


def _flag(item: Mapping[str, Any], key: str, label: str) -> bool:
    value = item.get(key)
    if not isinstance(value, bool):
        raise ShareFormatError(f"{label} should say {key} = true or false")
    return value


def _parse_answers(data: Mapping[str, Any]) -> tuple[SharedAnswer, ...]:
    out: list[SharedAnswer] = []
    seen: set[tuple[str, str]] = set()
    for n, item in enumerate(_table_list(data, "answer", MAX_ANSWERS, "answer", "answers"), 1):
        label = f"answer {n}"
        lesson, question = _id(item, "lesson", label), _id(item, "question", label)
        if (lesson, question) in seen:
            raise ShareFormatError(f"{label} repeats an earlier question")
        seen.add((lesson, question))
        first, latest = _chosen(item, "first", label), _chosen(item, "latest", label)
        out.append(
            SharedAnswer(
                lesson,
                question,
                first,
                _flag(item, "first_correct", label),
                latest,
                _flag(item, "latest_correct", label),
            )
        )
    return tuple(out)


def _parse_assessments(data: Mapping[str, Any]) -> tuple[SharedAssessment, ...]:
    out: list[SharedAssessment] = []
    for n, item in enumerate(_table_list(data, "assessment", MAX_ASSESSMENTS, "assessment", "self-assessments"), 1):
        label = f"assessment {n}"
        day = _day(item, label)
        ratings = item.get("ratings")
        if not isinstance(ratings, dict) or len(ratings) > MAX_RATINGS:
            raise ShareFormatError(f"{label} should have a [ratings] table")
        for sid, value in ratings.items():
            if not valid_id(sid):
                raise ShareFormatError(f"{label} has a rating with an invalid statement id")
            if not _is_int(value) or not RATING_MIN <= value <= RATING_MAX:
                raise ShareFormatError(
                    f"{label} has a rating for '{sid}' that is not a whole number from {RATING_MIN} to {RATING_MAX}"
                )
        out.append(SharedAssessment(day, dict(ratings)))
    return tuple(out)


def _parse_reflections(data: Mapping[str, Any]) -> tuple[SharedReflection, ...]:
    out: list[SharedReflection] = []
    for n, item in enumerate(_table_list(data, "reflection", MAX_REFLECTIONS, "reflection", "reflections"), 1):
        label = f"reflection {n}"
        lesson, prompt = _id(item, "lesson", label), _id(item, "prompt", label)
        text = item.get("text")
        if not isinstance(text, str):
            raise ShareFormatError(f"{label} has no text")
        if len(text) > MAX_TEXT:
            raise ShareFormatError(f"{label} is longer than {MAX_TEXT:,} characters")
        out.append(SharedReflection(lesson, prompt, clean_text(text), _day(item, label)))
    return tuple(out)


def parse_share(data: Mapping[str, Any], path: Path) -> Share:
    """A share file's parsed TOML, checked value by value; ShareFormatError with one plain reason when unusable."""
    if data.get("kind") != KIND:
        raise ShareFormatError("not a Tillit share file")
    schema = data.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise ShareFormatError("its schema number is not a positive whole number")
    if schema > SHARE_SCHEMA:
        raise ShareFormatError(f"it was made by a newer Tillit (share schema {schema}); update Tillit to read it")
    course = data.get("course")
    if not valid_id(course):
        raise ShareFormatError("it has an invalid course id")
    participant = data.get("participant")
    if not isinstance(participant, str) or PARTICIPANT_RE.fullmatch(participant) is None:
        raise ShareFormatError("its participant id is not 8 to 64 hexadecimal digits")
    version = data.get("app_version", "")
    if not isinstance(version, str) or len(version) > MAX_VERSION:
        raise ShareFormatError("its app version is not a short text")
    created = data.get("created")
    if not isinstance(created, datetime) or created.tzinfo is None:
        raise ShareFormatError("'created' is not a date and time with a time zone")
    lang = data.get("lang")
    if not isinstance(lang, str) or LANG_RE.fullmatch(lang) is None:
        raise ShareFormatError("'lang' is not a language code")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise ShareFormatError("the name is not text")
    if len(name) > MAX_NAME:
        raise ShareFormatError(f"the name is longer than {MAX_NAME} characters")
    assert isinstance(course, str)
    return Share(
        path,
        participant,
        course,
        version,
        created,
        lang,
        " ".join(name.split()),
        _parse_answers(data),
        _parse_assessments(data),
        _parse_reflections(data),
    )
