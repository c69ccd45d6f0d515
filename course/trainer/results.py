"""Group results for a trainer: reading participants' share files safely and merging them.

Share files come from other people, so every one is untrusted: it is size-capped before it is read,
must be UTF-8, is parsed in a child process with memory and CPU limits (course.store.sandbox), and every
value is checked (course.learner.share.parse_share). A bad file is skipped with one plain sentence; the
others still merge. Two files from the same participant count once (the newest `created` wins; a
`created` more than a day ahead of now is not believed, and the file's save time is used instead).

What the trainer sees:

- per quiz question (weakest first): how many answered, how many were right the *first* time they
  answered it (that shows unaided understanding: a retry after reading the explanations measures
  memory of the feedback as much as understanding; the latest answer is kept beside it), how often
  each option was picked in first answers, and the most common wrong option;
- per self-assessment behaviour: the group's latest ratings (n, mean, spread, distribution) and the
  change from each person's first to their latest rating;
- the reflections people chose to share, grouped by lesson, with no name attached (the names people
  typed are listed separately, sorted, and reflections are ordered by prompt and text, never by file,
  so the two lists cannot be matched up by position).

render_html gives one self-contained, print-friendly page; render_csv and render_assessment_csv give
the figures for a spreadsheet (course texts and numbers only: no participant's words are in them).
"""

from __future__ import annotations

import csv
import io
import os
import stat
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path

from course.content.model import Course
from course.content.quiz import Option, Question
from course.content.terminal_text import visible
from course.i18n import lookup, tr
from course.learner.journal import FOLLOW_UP_PROMPT
from course.learner.practice import RATING_MAX, RATING_MIN
from course.learner.progress import now
from course.learner.share import MAX_SHARE_BYTES, Share, ShareFormatError, parse_share

UNSAFE = "too deeply nested or too large to read safely"
OLDER = "an older file from the same participant"
SAME = "a second copy of another file from the same participant"
SCALE = tuple(range(RATING_MIN, RATING_MAX + 1))

LABELS: dict[str, dict[str, str]] = {
    "title": {"sv": "Gruppens resultat", "en": "Group results"},
    "subtitle": {"sv": "{course} · sammanställt {when}", "en": "{course} · compiled {when}"},
    "participants.one": {"sv": "1 deltagare", "en": "1 participant"},
    "participants.many": {"sv": "{n} deltagare", "en": "{n} participants"},
    "questions": {"sv": "Quizfrågorna, svagaste först", "en": "Quiz questions, weakest first"},
    "questions.note": {
        "sv": "”Rätt första gången” räknar bara varje deltagares första svar på frågan: det visar vad man "
        "förstod på egen hand, innan förklaringarna. Det senaste svaret står bredvid. Staplarna visar hur "
        "ofta varje alternativ valdes i de första svaren. ✓ = rätt alternativ, ✗ = fel alternativ.",
        "en": "“Right the first time” counts only each participant's first answer to the question: it shows "
        "what they understood on their own, before the explanations. The latest answer is shown beside it. "
        "The bars show how often each option was picked in first answers. ✓ = a right option, ✗ = a wrong one.",
    },
    "answered": {"sv": "Svar", "en": "Answered"},
    "right_first": {"sv": "Rätt första gången", "en": "Right the first time"},
    "right_latest": {"sv": "Rätt i senaste svaret", "en": "Right in the latest answer"},
    "common_wrong": {"sv": "Vanligaste felsvaret", "en": "Most common wrong answer"},
    "no_wrong": {"sv": "inget", "en": "none"},
    "nobody": {"sv": "Ingen har svarat på frågan ännu.", "en": "Nobody has answered this question yet."},
    "option": {"sv": "Alternativ", "en": "Option"},
    "picked": {"sv": "Valt", "en": "Picked"},
    "line.answered": {
        "sv": "Besvarad av {n} · rätt första gången {right} ({pct}) · rätt i senaste svaret {latest} ({pct_latest})",
        "en": "Answered by {n} · right the first time {right} ({pct}) · right in the latest answer {latest} ({pct_latest})",
    },
    "line.option": {"sv": "{mark} {text}: {n}", "en": "{mark} {text}: {n}"},
    "line.common_wrong": {"sv": "Vanligaste felsvaret: {text} ({n})", "en": "Most common wrong answer: {text} ({n})"},
    "assessment": {"sv": "Självskattningen", "en": "The self-assessment"},
    "assessment.note": {
        "sv": "Varje deltagares senaste skattning av varje beteende, 1–5. Spridning är standardavvikelsen. "
        "Förändringen jämför varje persons första och senaste skattning, bland dem som skattat minst två gånger.",
        "en": "Each participant's latest rating of each behaviour, 1–5. Spread is the standard deviation. "
        "The change compares each person's first and latest rating, among those who rated it at least twice.",
    },
    "rated": {"sv": "Skattningar", "en": "Ratings"},
    "mean": {"sv": "Medelvärde", "en": "Mean"},
    "spread": {"sv": "Spridning", "en": "Spread"},
    "change": {"sv": "Förändring, första → senaste", "en": "Change, first → latest"},
    "changed": {"sv": "Personer med två eller fler skattningar", "en": "People with two or more ratings"},
    "no_ratings": {"sv": "Inga skattningar ännu.", "en": "No ratings yet."},
    "line.stats": {"sv": "{n} · medel {mean} · spridning {spread}", "en": "{n} · mean {mean} · spread {spread}"},
    "line.people.one": {"sv": "1 person", "en": "1 person"},
    "line.people.many": {"sv": "{n} personer", "en": "{n} people"},
    "line.change": {
        "sv": "Från första till senaste: {change} i snitt ({people} med två eller fler skattningar)",
        "en": "From first to latest: {change} on average ({people} with two or more ratings)",
    },
    "line.no_change": {
        "sv": "Ingen har skattat två gånger än, så det finns ingen förändring att visa.",
        "en": "Nobody has rated it twice yet, so there is no change to show.",
    },
    "distribution": {"sv": "Fördelning av senaste skattningen", "en": "Distribution of the latest rating"},
    "reflections": {"sv": "Delade reflektioner", "en": "Shared reflections"},
    "reflections.note": {
        "sv": "Reflektioner som deltagarna själva valde att dela, utan namn.",
        "en": "Reflections participants chose to share, without names.",
    },
    "reflections.none": {"sv": "Ingen har delat någon reflektion.", "en": "Nobody shared a reflection."},
    "unknown_prompt": {"sv": "(en fråga som kursen inte längre har)", "en": "(a prompt the course no longer has)"},
    "who": {"sv": "Vilka som delade", "en": "Who shared"},
    "who.note": {
        "sv": "Bara namn som deltagarna själva skrev. {anon} delade utan namn.",
        "en": "Only names participants typed themselves. {anon} shared without a name.",
    },
    "who.none": {"sv": "Ingen skrev sitt namn.", "en": "Nobody typed a name."},
    "notes": {"sv": "Att känna till", "en": "Worth knowing"},
    "unknown.course.one": {
        "sv": "1 fil gäller en annan kurs ({ids}) och räknades inte med.",
        "en": "1 file is for another course ({ids}) and was left out.",
    },
    "unknown.course.many": {
        "sv": "{n} filer gäller en annan kurs ({ids}) och räknades inte med.",
        "en": "{n} files are for another course ({ids}) and were left out.",
    },
    "unknown.question.one": {
        "sv": "1 svar gäller en fråga som kursen inte har och räknades inte med.",
        "en": "1 answer is to a question this course does not have and was not counted.",
    },
    "unknown.question.many": {
        "sv": "{n} svar gäller frågor som kursen inte har och räknades inte med.",
        "en": "{n} answers are to questions this course does not have and were not counted.",
    },
    "unknown.option.one": {
        "sv": "1 svar anger ett alternativ som frågan inte har (kursen kan ha ändrats) och räknades inte med.",
        "en": "1 answer names an option the question does not have (the course may have changed) and was not counted.",
    },
    "unknown.option.many": {
        "sv": "{n} svar anger alternativ som frågan inte har (kursen kan ha ändrats) och räknades inte med.",
        "en": "{n} answers name options the question does not have (the course may have changed) and were not counted.",
    },
    "unknown.statement.one": {
        "sv": "1 skattning gäller ett påstående som självskattningen inte har och räknades inte med.",
        "en": "1 rating is for a statement the self-assessment does not have and was not counted.",
    },
    "unknown.statement.many": {
        "sv": "{n} skattningar gäller påståenden som självskattningen inte har och räknades inte med.",
        "en": "{n} ratings are for statements the self-assessment does not have and were not counted.",
    },
    "unknown.lesson.one": {
        "sv": "1 reflektion gäller en lektion som kursen inte har och visas inte.",
        "en": "1 reflection is for a lesson this course does not have and is not shown.",
    },
    "unknown.lesson.many": {
        "sv": "{n} reflektioner gäller lektioner som kursen inte har och visas inte.",
        "en": "{n} reflections are for lessons this course does not have and are not shown.",
    },
    "csv.lesson": {"sv": "lektion", "en": "lesson"},
    "csv.lesson_title": {"sv": "lektionens titel", "en": "lesson title"},
    "csv.question": {"sv": "fråga (id)", "en": "question id"},
    "csv.question_text": {"sv": "fråga", "en": "question"},
    "csv.answered": {"sv": "svar", "en": "answered"},
    "csv.right_first": {"sv": "rätt första gången", "en": "right first"},
    "csv.share_first": {"sv": "andel rätt första gången", "en": "share right first"},
    "csv.right_latest": {"sv": "rätt senaste", "en": "right latest"},
    "csv.share_latest": {"sv": "andel rätt senaste", "en": "share right latest"},
    "csv.common_wrong": {"sv": "vanligaste felsvaret", "en": "most common wrong option"},
    "csv.option": {"sv": "alternativ {n}", "en": "option {n}"},
    "csv.statement": {"sv": "påstående (id)", "en": "statement id"},
    "csv.behaviour": {"sv": "beteende", "en": "behaviour"},
    "csv.n": {"sv": "antal", "en": "n"},
    "csv.mean": {"sv": "medel", "en": "mean"},
    "csv.spread": {"sv": "spridning", "en": "spread"},
    "csv.changed": {"sv": "antal med förändring", "en": "people with a change"},
    "csv.change": {"sv": "förändring i snitt", "en": "mean change"},
}

UNKNOWN_KINDS = ("course", "question", "option", "statement", "lesson")


def label(key: str, lang: str, **values: object) -> str:
    """A label of the results in `lang` (English when the language has none)."""
    return lookup(LABELS, key, lang, **values)


def _plural(key: str, n: int, lang: str, **values: object) -> str:
    return label(f"{key}.{'one' if n == 1 else 'many'}", lang, n=n, **values)


def _num(value: float, lang: str, places: int = 1) -> str:
    """A decimal number as people write it: 3,4 in Swedish, 3.4 in English; a true minus sign."""
    text = f"{value:.{places}f}".replace("-", "\u2212")
    return text.replace(".", ",") if lang == "sv" else text


def _signed(value: float, lang: str) -> str:
    shown = _num(value, lang)
    return shown if shown.startswith("\u2212") or shown.strip("0,.") == "" else "+" + shown


def _pct(share: float | None, lang: str) -> str:
    if share is None:
        return "–"
    n = round(share * 100)
    return f"{n} %" if lang == "sv" else f"{n}%"


# --- reading share files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A file that was not merged, and why (one plain English sentence, no full stop)."""

    path: Path
    reason: str


def _expand(paths: Sequence[Path]) -> tuple[list[Path], list[Skipped]]:
    """The files to read: each file given, and every *.toml directly in each folder given (sorted), once each."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for path in paths:
        if path.is_dir():
            try:
                found = sorted(p for p in path.iterdir() if p.suffix == ".toml")
            except OSError as err:
                skipped.append(Skipped(path, f"the folder cannot be read ({err.strerror or err})"))
                continue
            for p in found:
                add(p)
        elif not path.exists() and not path.is_symlink():
            skipped.append(Skipped(path, "the file does not exist"))
        else:
            add(path)
    return files, skipped


def _read_capped(path: Path) -> str | Skipped:
    """A share file's text, or why it is not read: not a regular file, too large, empty, not UTF-8."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block us
    except OSError as err:
        return Skipped(path, f"it cannot be read ({err.strerror or err})")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Skipped(path, "not a regular file")
        if info.st_size > MAX_SHARE_BYTES:
            return Skipped(path, f"larger than {MAX_SHARE_BYTES // 1024} KiB")
        chunks: list[bytes] = []
        left = MAX_SHARE_BYTES + 1  # never read more than the cap, even if the file grows meanwhile
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        return Skipped(path, f"it cannot be read ({err.strerror or err})")
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_SHARE_BYTES:
        return Skipped(path, f"larger than {MAX_SHARE_BYTES // 1024} KiB")
    if not raw.strip():
        return Skipped(path, "the file is empty")
    if b"\x00" in raw:  # UTF-16 and binary files; NUL is valid UTF-8 but never in a share
        return Skipped(path, "not UTF-8 text")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return Skipped(path, "not UTF-8 text")


def _when(share: Share, limit: datetime) -> tuple[datetime, str]:
    """When a share was made, for choosing a participant's latest file, and why that time is doubted ("" when not).

    A `created` later than `limit` (a day ahead of now) is a wrong clock or a wish to win, not a time:
    such a file is dated by when it was saved here (its mtime), and when that too is in the future it
    counts as older than every file with a believable date.
    """
    if share.created <= limit:
        return share.created, ""
    doubt = f"its date ({share.created.date().isoformat()}) is in the future"
    try:
        saved = datetime.fromtimestamp(os.stat(share.path).st_mtime, UTC)
    except (OSError, OverflowError, ValueError):
        saved = limit + timedelta(days=1)
    if saved <= limit:
        return saved, f"{doubt}, so the time the file was saved was used instead"
    return datetime.min.replace(tzinfo=UTC), f"{doubt}, and so is its save time, so it counts as the oldest"


def _latest_per_participant(shares: list[Share], skipped: list[Skipped]) -> list[Share]:
    """One share per participant id: the one created last (the first of equals); the others are Skipped.

    A file dated more than a day ahead of now does not win by its date (see _when), and the reason it
    was skipped says so."""
    limit = now() + timedelta(days=1)
    best: dict[str, tuple[Share, datetime, str]] = {}

    def older(why: str) -> str:
        return f"{OLDER}; {why}" if why else OLDER

    for share in shares:
        when, why = _when(share, limit)
        found = best.get(share.participant)
        if found is None:
            best[share.participant] = (share, when, why)
            continue
        kept, kept_when, kept_why = found
        if share.created == kept.created:
            skipped.append(Skipped(share.path, SAME))
        elif when > kept_when:
            skipped.append(Skipped(kept.path, older(kept_why)))
            best[share.participant] = (share, when, why)
        else:
            skipped.append(Skipped(share.path, older(why)))
    chosen = {id(s) for s, _, _ in best.values()}
    return [s for s in shares if id(s) in chosen]


def load_shares(paths: Sequence[Path]) -> tuple[list[Share], list[Skipped]]:
    """Read share files (a folder means every *.toml in it), safely: (shares to merge, files skipped).

    Every file is capped at MAX_SHARE_BYTES (checked before and while reading), must be UTF-8,
    is parsed in one sandboxed child process for the whole batch (memory limits, and a CPU limit per
    file), and is
    checked value by value. A file that fails any of it is Skipped with one plain sentence and the
    rest are still read. Of several files with the same participant id only the newest (`created`,
    unless that is more than a day ahead of now) is kept; the others are Skipped as "an older file
    from the same participant".
    """
    from course.store.sandbox import TomlSandbox

    files, skipped = _expand(paths)
    shares: list[Share] = []
    sandbox = TomlSandbox()
    try:
        for path in files:
            text = _read_capped(path)
            if isinstance(text, Skipped):
                skipped.append(text)
                continue
            kind, value = sandbox.parse(text)
            if kind == "limit":
                skipped.append(Skipped(path, UNSAFE))
                continue
            if kind != "ok" or not isinstance(value, dict):
                message = str(value).split(" (at line")[0] if kind == "error" else "unreadable"
                skipped.append(Skipped(path, f"not valid TOML ({message})"))
                continue
            try:
                shares.append(parse_share(value, path))
            except ShareFormatError as err:
                skipped.append(Skipped(path, err.reason))
            except (RecursionError, ValueError, TypeError):  # never expected: the checks look only at set types
                skipped.append(Skipped(path, UNSAFE))
    finally:
        sandbox.close()
    return _latest_per_participant(shares, skipped), skipped


# --- the merged results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionStat:
    """One option of a question and how many first answers picked it."""

    id: str
    text: str
    correct: bool
    picked: int


@dataclass(frozen=True)
class QuestionStat:
    """The group's answers to one quiz question; texts are in the language the results were made in."""

    lesson: str
    lesson_title: str
    question: str
    text: str
    kind: str
    position: int  # in course order (lessons, then questions), for stable ties
    answered: int  # participants with an answer
    right_first: int  # of them, right in their first answer
    right_latest: int  # of them, right in their latest answer
    options: tuple[OptionStat, ...]  # course order; picked counts first answers
    common_wrong: OptionStat | None  # the wrong option picked most often in first answers, if any was

    @property
    def share_first(self) -> float | None:
        """Right the first time, as a share of those who answered (None when nobody did)."""
        return self.right_first / self.answered if self.answered else None

    @property
    def share_latest(self) -> float | None:
        """Right in the latest answer, as a share of those who answered (None when nobody did)."""
        return self.right_latest / self.answered if self.answered else None

    def lines(self, lang: str) -> list[str]:
        """The question's results as a few lines of plain text (labels in `lang`)."""
        out = [" ".join(f"{self.lesson_title} – {self.text}".split())]
        if not self.answered:
            return [*out, label("nobody", lang)]
        out.append(
            label(
                "line.answered",
                lang,
                n=self.answered,
                right=self.right_first,
                pct=_pct(self.share_first, lang),
                latest=self.right_latest,
                pct_latest=_pct(self.share_latest, lang),
            )
        )
        for o in self.options:
            mark = "✓" if o.correct else "✗"
            out.append("  " + label("line.option", lang, mark=mark, text=" ".join(o.text.split()), n=o.picked))
        if self.common_wrong is not None:
            wrong = " ".join(self.common_wrong.text.split())
            out.append(label("line.common_wrong", lang, text=wrong, n=self.common_wrong.picked))
        return out


@dataclass(frozen=True)
class AssessmentStat:
    """The group's self-assessment of one behaviour."""

    statement: str
    behaviour: str
    text: str
    position: int
    n: int  # participants who rated it (their latest rating counts)
    mean: float | None
    spread: float | None  # population standard deviation of the latest ratings
    distribution: tuple[int, ...]  # how many latest ratings were 1, 2, 3, 4, 5
    changed: int  # participants who rated it at least twice
    change: float | None  # mean of (latest − first) over them

    def lines(self, lang: str) -> list[str]:
        """The behaviour's results as a few lines of plain text (labels in `lang`)."""
        out = [" ".join(self.behaviour.split())]
        if not self.n or self.mean is None or self.spread is None:
            return [*out, label("no_ratings", lang)]
        people = _plural("line.people", self.n, lang)
        out.append(label("line.stats", lang, n=people, mean=_num(self.mean, lang), spread=_num(self.spread, lang)))
        out.append(" · ".join(f"{r}: {c}" for r, c in zip(SCALE, self.distribution, strict=True)))
        if self.change is None:
            out.append(label("line.no_change", lang))
        else:
            who = _plural("line.people", self.changed, lang)
            out.append(label("line.change", lang, change=_signed(self.change, lang), people=who))
        return out


@dataclass(frozen=True)
class GroupReflection:
    """A shared reflection, without any name."""

    lesson: str
    prompt: str
    prompt_text: str
    text: str
    day: date


@dataclass(frozen=True)
class LessonReflections:
    """The shared reflections of one lesson."""

    lesson: str
    title: str
    reflections: tuple[GroupReflection, ...]


@dataclass(frozen=True)
class Results:
    """Everything merged from a group's shares, in one language (see `relabel` for another)."""

    course: str
    lang: str
    participants: int
    names: tuple[str, ...]  # typed names only, sorted, each once
    questions: tuple[QuestionStat, ...]  # weakest first; unanswered questions last, in course order
    assessments: tuple[AssessmentStat, ...]  # course order
    reflections: tuple[LessonReflections, ...]  # course order, lessons with none left out
    unknown: Mapping[str, int] = field(default_factory=dict)  # kind (UNKNOWN_KINDS) -> how many were left out
    other_courses: tuple[str, ...] = ()  # course ids of files left out as being for another course
    named: int = 0  # participants who typed a name

    @property
    def anonymous(self) -> int:
        """Participants who shared without a name."""
        return self.participants - self.named

    def items(self) -> list[QuestionStat | AssessmentStat]:
        """Every result to show one by one: the questions (weakest first), then the behaviours."""
        return [*self.questions, *self.assessments]

    def notes(self, lang: str) -> list[str]:
        """One sentence per kind of thing that was left out (files for another course, unknown ids)."""
        out: list[str] = []
        for kind in UNKNOWN_KINDS:
            n = self.unknown.get(kind, 0)
            if n:
                out.append(_plural(f"unknown.{kind}", n, lang, ids=", ".join(self.other_courses)))
        return out


def _choices(q: Question, lang: str) -> tuple[Option, ...]:
    return q.choices(tr("quiz.true", lang), tr("quiz.false", lang))


def _prompt_text(course: Course, lang: str, lesson_id: str, prompt_id: str) -> str:
    if prompt_id == FOLLOW_UP_PROMPT:
        return tr("journal.follow_up", lang)
    prompt = course.lesson(lesson_id, lang).prompt(prompt_id)
    return prompt.text if prompt is not None else label("unknown_prompt", lang)


def _common_wrong(options: Iterable[OptionStat]) -> OptionStat | None:
    """The wrong option picked most often (the first in course order of equals); None when none was picked."""
    best: OptionStat | None = None
    for o in options:
        if not o.correct and o.picked and (best is None or o.picked > best.picked):
            best = o
    return best


def _questions(shares: Sequence[Share], course: Course, lang: str, unknown: Counter[str]) -> list[QuestionStat]:
    known: dict[tuple[str, str], tuple[int, str, Question]] = {}
    for lid in course.lesson_ids:
        quiz = course.quiz(lid, lang)
        for q in quiz.questions if quiz is not None else ():
            known[(lid, q.id)] = (len(known), lid, q)
    valid = {key: q.valid_ids for key, (_, _, q) in known.items()}
    right = {key: q.correct_ids for key, (_, _, q) in known.items()}  # as Question.is_correct judges
    answered: dict[tuple[str, str], int] = dict.fromkeys(known, 0)
    right_first = dict.fromkeys(known, 0)
    right_latest = dict.fromkeys(known, 0)
    picked: dict[tuple[str, str], Counter[str]] = {key: Counter() for key in known}
    for share in shares:
        for a in share.answers:
            key = (a.lesson, a.question)
            if key not in known:
                unknown["question"] += 1
                continue
            first, latest = frozenset(a.first), frozenset(a.latest)
            if not (first <= valid[key] and latest <= valid[key]):
                unknown["option"] += 1
                continue
            answered[key] += 1
            # Judged here, against this course: the flags in the file are not trusted.
            right_first[key] += first == right[key]
            right_latest[key] += latest == right[key]
            for option in a.first:
                picked[key][option] += 1
    stats: list[QuestionStat] = []
    for key, (position, lid, q) in known.items():
        options = tuple(OptionStat(o.id, o.text, o.correct, picked[key][o.id]) for o in _choices(q, lang))
        stats.append(
            QuestionStat(
                lid,
                course.lesson(lid, lang).title,
                q.id,
                q.text,
                q.kind,
                position,
                answered[key],
                right_first[key],
                right_latest[key],
                options,
                _common_wrong(options),
            )
        )

    def weakest(s: QuestionStat) -> tuple[int, float, int, int]:
        if s.share_first is None:
            return (1, 0.0, 0, s.position)
        return (0, s.share_first, -s.answered, s.position)

    return sorted(stats, key=weakest)


def _assessments(shares: Sequence[Share], course: Course, lang: str, unknown: Counter[str]) -> list[AssessmentStat]:
    statements = course.assessment.statements if course.assessment is not None else ()
    known = {s.id for s in statements}
    latest: dict[str, list[int]] = defaultdict(list)
    diffs: dict[str, list[int]] = defaultdict(list)
    for share in shares:
        ordered = sorted(share.assessments, key=lambda a: a.day)  # stable: same-day ones keep the file's order
        for a in ordered:
            unknown["statement"] += sum(1 for sid in a.ratings if sid not in known)
        for s in statements:
            series = [a.ratings[s.id] for a in ordered if s.id in a.ratings]
            if series:
                latest[s.id].append(series[-1])
            if len(series) >= 2:
                diffs[s.id].append(series[-1] - series[0])
    fallback = course.languages[0]
    out: list[AssessmentStat] = []
    for position, s in enumerate(statements):
        ratings, changes = latest[s.id], diffs[s.id]
        counts = Counter(ratings)
        out.append(
            AssessmentStat(
                s.id,
                s.behaviour.get(lang) or s.behaviour.get(fallback) or s.id,
                s.text.get(lang) or s.text.get(fallback) or "",
                position,
                len(ratings),
                statistics.fmean(ratings) if ratings else None,
                statistics.pstdev(ratings) if ratings else None,
                tuple(counts[r] for r in SCALE),
                len(changes),
                statistics.fmean(changes) if changes else None,
            )
        )
    return out


def _reflections(shares: Sequence[Share], course: Course, lang: str, unknown: Counter[str]) -> list[LessonReflections]:
    by_lesson: dict[str, list[GroupReflection]] = defaultdict(list)
    for share in shares:
        for r in share.reflections:
            if r.lesson not in course.lesson_ids:
                unknown["lesson"] += 1
                continue
            text = _prompt_text(course, lang, r.lesson, r.prompt)
            by_lesson[r.lesson].append(GroupReflection(r.lesson, r.prompt, text, visible(r.text), r.day))
    out: list[LessonReflections] = []
    for lid in course.lesson_ids:
        found = by_lesson.get(lid)
        if not found:
            continue
        order = {p.id: n for n, p in enumerate(course.lesson(lid, lang).prompts)}
        # By prompt, then by text: never in file order, which could be matched with the list of names.
        found.sort(key=lambda g: (order.get(g.prompt, len(order)), g.prompt, g.text.casefold(), g.text))
        out.append(LessonReflections(lid, course.lesson(lid, lang).title, tuple(found)))
    return out


def merge(shares: Sequence[Share], course: Course, lang: str) -> Results:
    """The group's results from their shares (one per participant: see load_shares), in `lang`.

    A share comes from someone else, so its words (names, reflections) are made inert here, once
    (course.content.terminal_text.visible): every screen, printout and page of the results shows them and
    none can run an escape sequence or reorder text with a bidi override.

    Only what this course has is counted: answers to questions it does not have (or naming options
    a question does not have), ratings of statements it does not have, reflections on lessons it does
    not have and whole files for another course id are left out and counted in `Results.unknown`
    (see Results.notes for the sentences). Right and wrong are judged against this course.
    """
    lang = course.pick_lang(lang)
    unknown: Counter[str] = Counter()
    ours = [s for s in shares if s.course == course.id]
    others = sorted({s.course for s in shares if s.course != course.id})
    if len(ours) != len(shares):
        unknown["course"] = len(shares) - len(ours)
    names = sorted({visible(s.name) for s in ours if s.name}, key=lambda n: (n.casefold(), n))
    return Results(
        course.id,
        lang,
        len(ours),
        tuple(names),
        tuple(_questions(ours, course, lang, unknown)),
        tuple(_assessments(ours, course, lang, unknown)),
        tuple(_reflections(ours, course, lang, unknown)),
        {k: v for k, v in unknown.items() if v},
        tuple(others),
        named=sum(1 for s in ours if s.name),
    )


def relabel(results: Results, course: Course, lang: str) -> Results:
    """The same results with the course's texts in another language (the figures are unchanged)."""
    lang = course.pick_lang(lang)
    if lang == results.lang:
        return results
    questions = []
    for s in results.questions:
        quiz = course.quiz(s.lesson, lang)
        q = quiz.question(s.question) if quiz is not None else None
        if q is None:
            questions.append(s)
            continue
        texts = {o.id: o.text for o in _choices(q, lang)}
        options = tuple(replace(o, text=texts.get(o.id, o.text)) for o in s.options)
        wrong = (
            replace(s.common_wrong, text=texts.get(s.common_wrong.id, s.common_wrong.text)) if s.common_wrong else None
        )
        title = course.lesson(s.lesson, lang).title
        questions.append(replace(s, lesson_title=title, text=q.text, options=options, common_wrong=wrong))
    statements = {st.id: st for st in (course.assessment.statements if course.assessment is not None else ())}
    assessments = []
    for a in results.assessments:
        st = statements.get(a.statement)
        assessments.append(
            replace(a, behaviour=st.behaviour.get(lang, a.behaviour), text=st.text.get(lang, a.text)) if st else a
        )
    reflections = [
        LessonReflections(
            group.lesson,
            course.lesson(group.lesson, lang).title,
            tuple(replace(r, prompt_text=_prompt_text(course, lang, r.lesson, r.prompt)) for r in group.reflections),
        )
        for group in results.reflections
    ]
    return replace(
        results, lang=lang, questions=tuple(questions), assessments=tuple(assessments), reflections=tuple(reflections)
    )


# --- HTML ----------------------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; background: #fff;
       max-width: 50rem; margin: 2rem auto; padding: 0 1rem; }
header h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
header p, .note { color: #444; margin: .2rem 0; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #888; padding-bottom: .15rem; margin: 2.2rem 0 .6rem; }
h3 { font-size: 1.02rem; margin: 0 0 .2rem; }
article { border-left: 3px solid #888; padding: 0 0 0 .9rem; margin: 1.1rem 0 1.6rem; }
.lesson { font-size: .85rem; color: #444; margin: 0 0 .3rem; }
table { border-collapse: collapse; margin: .3rem 0; }
th, td { text-align: left; vertical-align: top; padding: .1rem .6rem .1rem 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.figures td.num { text-align: left; }
table.options { width: 100%; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.options td.mark { width: 1.2rem; font-weight: bold; }
.options td.text { max-width: 26rem; overflow-wrap: anywhere; }
svg.bar { display: block; }
svg text { font: 10px system-ui, sans-serif; fill: #000; }
.bar-fill { fill: #444; } .bar-fill.right { fill: #111; } .bar-box { fill: none; stroke: #999; stroke-width: .5; }
.prompt { font-style: italic; margin: 1rem 0 .2rem; }
.reflection { margin: .4rem 0 .8rem; }
.reflection .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .2rem 0; }
ul.names { columns: 2; }
@page { margin: 18mm 16mm; }
@media print {
  body { font: 10.5pt/1.4 Georgia, "Times New Roman", serif; max-width: none; margin: 0; padding: 0; }
  header p, .note, .lesson { color: #000; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  article { break-inside: avoid-page; page-break-inside: avoid; border-left-color: #000; }
}
"""

BAR_W, BAR_H = 160, 12
DIST_W, DIST_H = 220, 90


def _h(text: object) -> str:
    """Any text (course or participant) as HTML: control characters and bidi controls made visible, then escaped.

    A participant's words are also put in elements of their own with dir="auto" (render_html), so a
    name or a reflection in a right-to-left script cannot reorder the text around it."""
    return escape(visible(str(text)), quote=True)


def _bar(count: int, total: int, right: bool) -> str:
    """A bar for one option; decorative (aria-hidden): its number is in the table beside it."""
    width = 0.0 if not total else BAR_W * count / total
    cls = "bar-fill right" if right else "bar-fill"
    return (
        f'<svg class="bar" viewBox="0 0 {BAR_W} {BAR_H}" width="{BAR_W}" height="{BAR_H}" aria-hidden="true">'
        f'<rect class="bar-box" x="0.25" y="0.25" width="{BAR_W - 0.5}" height="{BAR_H - 0.5}"/>'
        f'<rect class="{cls}" x="0" y="0" width="{width:.1f}" height="{BAR_H}"/></svg>'
    )


def _distribution_svg(stat: AssessmentStat) -> str:
    """Bars for the ratings 1–5, each labelled with its count; decorative (aria-hidden): the table has the numbers."""
    top = max(stat.distribution, default=0) or 1
    slot = DIST_W / len(SCALE)
    plot = DIST_H - 30
    parts = [
        f'<svg class="distribution" viewBox="0 0 {DIST_W} {DIST_H}" width="{DIST_W}" height="{DIST_H}" '
        'aria-hidden="true">'
    ]
    for i, (rating, count) in enumerate(zip(SCALE, stat.distribution, strict=True)):
        h = plot * count / top
        x = i * slot + slot * 0.2
        w = slot * 0.6
        y = 14 + plot - h
        parts.append(f'<rect class="bar-fill" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"/>')
        parts.append(f'<text x="{x + w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + w / 2:.1f}" y="{DIST_H - 4}" text-anchor="middle">{rating}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html_question(s: QuestionStat, lang: str) -> list[str]:
    out = [
        f'<article class="question" data-lesson="{_h(s.lesson)}" data-question="{_h(s.question)}">',
        f"<h3>{_h(s.text)}</h3>",
        f'<p class="lesson">{_h(s.lesson_title)}</p>',
    ]
    if not s.answered:
        out += [f'<p class="note">{_h(label("nobody", lang))}</p>', "</article>"]
        return out
    wrong = (
        f'<td class="common-wrong" data-option="{_h(s.common_wrong.id)}" data-count="{s.common_wrong.picked}">'
        f"{_h(s.common_wrong.text)} ({s.common_wrong.picked})</td>"
        if s.common_wrong is not None
        else f'<td class="common-wrong" data-option="">{_h(label("no_wrong", lang))}</td>'
    )
    out += [
        '<table class="figures">',
        f'<tr><th>{_h(label("answered", lang))}</th><td class="answered num">{s.answered}</td></tr>',
        f'<tr><th>{_h(label("right_first", lang))}</th><td class="right-first num" data-count="{s.right_first}">'
        f"{s.right_first} ({_h(_pct(s.share_first, lang))})</td></tr>",
        f'<tr><th>{_h(label("right_latest", lang))}</th><td class="right-latest num" data-count="{s.right_latest}">'
        f"{s.right_latest} ({_h(_pct(s.share_latest, lang))})</td></tr>",
        f"<tr><th>{_h(label('common_wrong', lang))}</th>{wrong}</tr>",
        "</table>",
        '<table class="options">',
        f'<tr><th></th><th>{_h(label("option", lang))}</th><th class="num">{_h(label("picked", lang))}</th><th></th></tr>',
    ]
    for o in s.options:
        mark = "✓" if o.correct else "✗"
        out.append(
            f'<tr class="option" data-option="{_h(o.id)}" data-correct="{str(o.correct).lower()}">'
            f'<td class="mark">{mark}</td><td class="text">{_h(o.text)}</td>'
            f'<td class="picked num">{o.picked}</td><td>{_bar(o.picked, s.answered, o.correct)}</td></tr>'
        )
    out += ["</table>", "</article>"]
    return out


def _html_assessment(a: AssessmentStat, lang: str) -> list[str]:
    out = [
        f'<article class="behaviour" data-statement="{_h(a.statement)}">',
        f"<h3>{_h(a.behaviour)}</h3>",
        f'<p class="lesson">{_h(a.text)}</p>',
    ]
    if not a.n or a.mean is None or a.spread is None:
        return [*out, f'<p class="note">{_h(label("no_ratings", lang))}</p>', "</article>"]
    change = (
        f'<td class="change num" data-value="{a.change:.6f}">{_h(_signed(a.change, lang))}</td>'
        if a.change is not None
        else '<td class="change num" data-value="">–</td>'
    )
    out += [
        '<table class="figures">',
        f'<tr><th>{_h(label("rated", lang))}</th><td class="n num">{a.n}</td></tr>',
        f'<tr><th>{_h(label("mean", lang))}</th><td class="mean num" data-value="{a.mean:.6f}">{_h(_num(a.mean, lang))}</td></tr>',
        f'<tr><th>{_h(label("spread", lang))}</th><td class="spread num" data-value="{a.spread:.6f}">{_h(_num(a.spread, lang))}</td></tr>',
        f"<tr><th>{_h(label('change', lang))}</th>{change}</tr>",
        f'<tr><th>{_h(label("changed", lang))}</th><td class="changed num">{a.changed}</td></tr>',
        "</table>",
        f"<p>{_h(label('distribution', lang))}</p>",
        '<table class="distribution sr-only"><tr>'
        + "".join(f'<th class="num">{r}</th>' for r in SCALE)
        + "</tr><tr>"
        + "".join(
            f'<td class="count num" data-rating="{r}">{c}</td>' for r, c in zip(SCALE, a.distribution, strict=True)
        )
        + "</tr></table>",
        _distribution_svg(a),
        "</article>",
    ]
    return out


def render_html(results: Results, course: Course, lang: str) -> str:
    """One self-contained, print-friendly HTML page of the results (no scripts, fonts or images from
    elsewhere; charts are inline SVG). Every text is escaped: names and reflections come from participants."""
    results = relabel(results, course, lang)
    lang = results.lang
    heading = label("title", lang)
    when = now().strftime("%Y-%m-%d %H:%M")
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(heading)} – {_h(course.title(lang))}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_h(heading)}</h1>",
        f"<p>{_h(label('subtitle', lang, course=course.title(lang), when=when))}</p>",
        f'<p class="participants" data-count="{results.participants}">'
        f"{_h(_plural('participants', results.participants, lang))}</p>",
        "</header>",
        "<main>",
    ]
    notes = results.notes(lang)
    if notes:
        out += ['<section class="notes">', f"<h2>{_h(label('notes', lang))}</h2>", '<ul class="unknown">']
        out += [f"<li>{_h(n)}</li>" for n in notes]
        out += ["</ul>", "</section>"]
    out += [
        '<section class="questions">',
        f"<h2>{_h(label('questions', lang))}</h2>",
        f'<p class="note">{_h(label("questions.note", lang))}</p>',
    ]
    for s in results.questions:
        out += _html_question(s, lang)
    out.append("</section>")
    if results.assessments:
        out += [
            '<section class="assessment">',
            f"<h2>{_h(label('assessment', lang))}</h2>",
            f'<p class="note">{_h(label("assessment.note", lang))}</p>',
        ]
        for a in results.assessments:
            out += _html_assessment(a, lang)
        out.append("</section>")
    out += [
        '<section class="reflections">',
        f"<h2>{_h(label('reflections', lang))}</h2>",
        f'<p class="note">{_h(label("reflections.note", lang))}</p>',
    ]
    if not results.reflections:
        out.append(f"<p>{_h(label('reflections.none', lang))}</p>")
    for group in results.reflections:
        out += [f'<section class="lesson-reflections" data-lesson="{_h(group.lesson)}">', f"<h3>{_h(group.title)}</h3>"]
        shown = None
        for r in group.reflections:  # sorted by prompt: each prompt is written once, above its answers
            if r.prompt != shown:
                shown = r.prompt
                out.append(f'<p class="prompt">{_h(r.prompt_text)}</p>')
            out += [
                f'<article class="reflection" data-prompt="{_h(r.prompt)}">',
                f'<div class="text" dir="auto">{_h(r.text)}</div>',
                "</article>",
            ]
        out.append("</section>")
    out.append("</section>")
    anon = _plural("participants", results.anonymous, lang)
    out += ['<section class="who">', f"<h2>{_h(label('who', lang))}</h2>"]
    out.append(f'<p class="note">{_h(label("who.note", lang, anon=anon))}</p>')
    if results.names:
        out.append('<ul class="names">' + "".join(f'<li dir="auto">{_h(n)}</li>' for n in results.names) + "</ul>")
    else:
        out.append(f"<p>{_h(label('who.none', lang))}</p>")
    out += ["</section>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# --- CSV -------------------------------------------------------------------------------------------------------


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def render_csv(results: Results) -> str:
    """The questions as CSV (weakest first), headers in the results' language, decimals with a point.

    Columns: lesson, lesson title, question id, question, answered, right first, share right first,
    right latest, share right latest, most common wrong option, then one column per option holding
    "option text: n" (first answers). Only course texts and numbers: no participant's words.
    """
    lang = results.lang
    widest = max((len(s.options) for s in results.questions), default=0)
    buf = io.StringIO()
    writer = csv.writer(buf)
    keys = (
        "lesson", "lesson_title", "question", "question_text", "answered", "right_first", "share_first",
        "right_latest", "share_latest", "common_wrong",
    )  # fmt: skip
    writer.writerow(
        [label(f"csv.{k}", lang) for k in keys] + [label("csv.option", lang, n=n) for n in range(1, widest + 1)]
    )
    for s in results.questions:
        options = [f"{o.text}: {o.picked}" for o in s.options]
        writer.writerow(
            [
                s.lesson,
                s.lesson_title,
                s.question,
                s.text,
                s.answered,
                s.right_first,
                _decimal(s.share_first),
                s.right_latest,
                _decimal(s.share_latest),
                s.common_wrong.text if s.common_wrong else "",
                *options,
                *[""] * (widest - len(options)),
            ]
        )
    return buf.getvalue()


def render_assessment_csv(results: Results) -> str:
    """The self-assessment as CSV, one row per behaviour in course order.

    Columns: statement id, behaviour, n, mean, spread, the counts of 1 to 5, people with a change,
    mean change (latest − first).
    """
    lang = results.lang
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [label(f"csv.{k}", lang) for k in ("statement", "behaviour", "n", "mean", "spread")]
        + [str(r) for r in SCALE]
        + [label("csv.changed", lang), label("csv.change", lang)]
    )
    for a in results.assessments:
        writer.writerow(
            [
                a.statement,
                a.behaviour,
                a.n,
                _decimal(a.mean),
                _decimal(a.spread),
                *a.distribution,
                a.changed,
                _decimal(a.change),
            ]
        )
    return buf.getvalue()
