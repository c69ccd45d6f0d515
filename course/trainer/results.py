"""Group results for a trainer: a group's share files (read by course.trainer.shares) merged into figures.

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

The models here also give each result as a few lines of plain text (for the terminal and the app);
course.render.report makes the HTML page and the CSV files of them.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from course.content.model import Course
from course.content.quiz import Option, Question
from course.content.terminal_text import visible
from course.i18n import formats, tr
from course.learner.journal import FOLLOW_UP_PROMPT
from course.learner.practice import RATING_MAX, RATING_MIN
from course.learner.share import Share

SCALE = tuple(range(RATING_MIN, RATING_MAX + 1))

UNKNOWN_KINDS = ("course", "question", "option", "statement", "lesson")


def label(key: str, lang: str, **values: object) -> str:
    """A label of the results in `lang` (the catalogs' report.*)."""
    return tr(f"report.{key}", lang, **values)


def plural(key: str, n: int, lang: str, **values: object) -> str:
    """The label `key.one` or `key.many` for `n` things, in `lang`."""
    return formats.plural(f"report.{key}", n, lang, **values)


def number(value: float, lang: str, places: int = 1) -> str:
    """A decimal number as people write it: 3,4 in Swedish, 3.4 in English; a true minus sign."""
    return formats.number(value, lang, places)


def signed(value: float, lang: str) -> str:
    """A change as people write it, with its sign: +0.5, −1.0 (a plain 0.0 has none)."""
    return formats.signed(value, lang)


def percent(share: float | None, lang: str) -> str:
    """A share (0–1) as a whole percentage the way `lang` writes it (33 %, 33%); – when there is none."""
    return "–" if share is None else formats.percent(round(share * 100), lang)


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
                pct=percent(self.share_first, lang),
                latest=self.right_latest,
                pct_latest=percent(self.share_latest, lang),
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
        people = plural("line.people", self.n, lang)
        out.append(label("line.stats", lang, n=people, mean=number(self.mean, lang), spread=number(self.spread, lang)))
        out.append(" · ".join(f"{r}: {c}" for r, c in zip(SCALE, self.distribution, strict=True)))
        if self.change is None:
            out.append(label("line.no_change", lang))
        else:
            who = plural("line.people", self.changed, lang)
            out.append(label("line.change", lang, change=signed(self.change, lang), people=who))
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
                out.append(plural(f"unknown.{kind}", n, lang, ids=", ".join(self.other_courses)))
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
