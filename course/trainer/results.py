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
from course.i18n import lookup, tr
from course.learner.journal import FOLLOW_UP_PROMPT
from course.learner.practice import RATING_MAX, RATING_MIN
from course.learner.share import Share

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


def plural(key: str, n: int, lang: str, **values: object) -> str:
    """The label `key.one` or `key.many` for `n` things, in `lang`."""
    return label(f"{key}.{'one' if n == 1 else 'many'}", lang, n=n, **values)


def number(value: float, lang: str, places: int = 1) -> str:
    """A decimal number as people write it: 3,4 in Swedish, 3.4 in English; a true minus sign."""
    text = f"{value:.{places}f}".replace("-", "\u2212")
    return text.replace(".", ",") if lang == "sv" else text


def signed(value: float, lang: str) -> str:
    """A change as people write it, with its sign: +0.5, −1.0 (a plain 0.0 has none)."""
    shown = number(value, lang)
    return shown if shown.startswith("\u2212") or shown.strip("0,.") == "" else "+" + shown


def percent(share: float | None, lang: str) -> str:
    """A share (0–1) as a whole percentage the way `lang` writes it (33 %, 33%); – when there is none."""
    if share is None:
        return "–"
    n = round(share * 100)
    return f"{n} %" if lang == "sv" else f"{n}%"


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
