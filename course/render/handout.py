"""Printable handouts for a session: a participant workbook and a facilitator guide, as Markdown or HTML.

The workbook has, per lesson, the summary, key points, the article's quotes, every reflection prompt with
room to write and the discussion questions. The facilitator guide has all of that (without the writing
space) and, per lesson, the objectives, the trainer notes, the lesson's blocks in the session plan and the
answer key; with a plan it starts with the agenda. The HTML is one self-contained file laid out for A4,
each lesson on a new page. Every text from the course or the plan is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time

from course.content.model import Course, Lesson, Prompt
from course.content.quiz import Question, Quiz
from course.content.terminal_text import visible
from course.errors import UsageError
from course.i18n import Section
from course.i18n.formats import duration, long_day
from course.render import markdown as md
from course.trainer.plan import Block, Plan

AUDIENCES = ("participants", "trainer")
FORMATS = ("md", "html")

WORKBOOK_LINES = 6  # ruled lines under each reflection prompt in the workbook
DISCUSSION_LINES = 3  # ruled lines for notes under each discussion question in the workbook
MD_RULE = "_" * 64  # one ruled line in a Markdown workbook (a thematic break when rendered)

CORRECT_MARK = "✓"
WRONG_MARK = "✗"

# The handout's texts in every language (the catalogs' handout.*, and the month names and long date).
LABELS = Section("handout.", {"months": "format.months", "date_format": "format.long_date"})


# --- the public API ----------------------------------------------------------------------------------


def render_handout(
    course: Course,
    lang: str,
    lesson_ids: Sequence[str],
    audience: str,
    fmt: str,
    plan: Plan | None = None,
) -> str:
    """A handout for `audience` (see AUDIENCES) covering `lesson_ids`, in `lang`, as `fmt` (see FORMATS).

    UsageError, with one sentence, for an unknown audience, format, language or lesson id.
    """
    if audience not in AUDIENCES:
        raise UsageError(f"{audience!r} is not a handout audience; use {' or '.join(AUDIENCES)}.")
    if fmt not in FORMATS:
        raise UsageError(f"{fmt!r} is not a handout format; use {' or '.join(FORMATS)}.")
    if lang not in course.languages:
        raise UsageError(f"The course is not written in {lang!r}; use {' or '.join(course.languages)}.")
    if isinstance(lesson_ids, str):
        lesson_ids = (lesson_ids,)
    ids = list(dict.fromkeys(lesson_ids))  # each lesson once, in the order given
    if not ids:
        raise UsageError("Choose at least one lesson for the handout.")
    unknown = [lid for lid in ids if lid not in course.lesson_ids]
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        what = "is not a lesson" if len(unknown) == 1 else "are not lessons"
        raise UsageError(f"{names} {what} of this course; use one of {', '.join(course.lesson_ids)}.")
    doc = _Doc(course, lang, tuple(ids), audience == "trainer", plan)
    return _markdown(doc) if fmt == "md" else _html(doc)


# --- what both formats share -------------------------------------------------------------------------


class _Doc:
    """Everything a handout shows, worked out once for either format."""

    def __init__(self, course: Course, lang: str, ids: tuple[str, ...], trainer: bool, plan: Plan | None) -> None:
        self.course = course
        self.lang = lang
        self.ids = ids
        self.trainer = trainer
        self.plan = plan
        self.labels = LABELS[lang]
        self.lessons = [course.lesson(lid, lang) for lid in ids]

    def t(self, key: str, **values: object) -> str:
        text = self.labels[key]
        return text.format(**values) if values else text

    @property
    def kind(self) -> str:
        return self.t("guide") if self.trainer else self.t("workbook")

    @property
    def course_title(self) -> str:
        return self.course.title(self.lang)

    @property
    def document_title(self) -> str:
        if self.plan is not None and self.plan.title.strip():
            return f"{self.plan.title} – {self.kind}"
        return f"{self.kind} – {self.course_title}"

    def number(self, lesson: Lesson) -> str:
        return self.t(
            "lesson_meta",
            n=self.course.lesson_ids.index(lesson.id) + 1,
            total=len(self.course.lesson_ids),
            minutes=lesson.minutes,
        )

    def credit(self) -> str:
        """The source as `author, “title”, publisher, date`, from whichever of them the manifest gives."""
        src = self.course.source
        parts = [src.get("author", "").strip()]
        if src.get("title", "").strip():
            parts.append(f"{self.t('open_quote')}{src['title'].strip()}{self.t('close_quote')}")
        parts += [src.get("publisher", "").strip(), src.get("date", "").strip()]
        return ", ".join(p for p in parts if p)

    def quote(self, text: str) -> str:
        return f"{self.t('open_quote')}{text}{self.t('close_quote')}"

    def facts(self) -> list[tuple[str, str]]:
        """The plan's date, time and place for the cover."""
        plan = self.plan
        if plan is None:
            return []
        out: list[tuple[str, str]] = []
        if plan.date is not None:
            out.append((self.t("date"), self.long_date(plan.date)))
        if plan.start is not None:
            span = self.span(0, plan.total_minutes) if plan.total_minutes else _clock(plan.start, 0)
            out.append((self.t("time"), span))
        if plan.place.strip():
            out.append((self.t("place"), plan.place))
        return out

    def long_date(self, day: date) -> str:
        return long_day(day, self.lang)

    def duration(self, minutes: int) -> str:
        return duration(minutes, self.lang)

    def schedule(self) -> list[tuple[Block, int]]:
        """Every block of the plan with the minutes from the start of the session to where it begins."""
        out: list[tuple[Block, int]] = []
        at = 0
        for block in self.plan.blocks if self.plan is not None else ():
            out.append((block, at))
            at += block.minutes
        return out

    def blocks_of(self, lesson: Lesson) -> list[tuple[Block, int]]:
        """The blocks of the plan that belong to `lesson`, with their offsets (see schedule)."""
        return [(b, at) for b, at in self.schedule() if b.lesson == lesson.id]

    def span(self, offset: int, minutes: int) -> str:
        """`09:20–09:45` when the plan has a start time, else ""."""
        start = self.plan.start if self.plan is not None else None
        if start is None:
            return ""
        return f"{_clock(start, offset)}–{_clock(start, offset + minutes)}"

    def block_kind(self, block: Block) -> str:
        return self.labels.get(f"block.{block.kind}", block.kind)

    def block_title(self, block: Block) -> str:
        """What the agenda calls a block: its own title, else its lesson's title, else nothing."""
        if block.title.strip():
            return block.title
        if block.lesson is not None and block.lesson in self.course.lesson_ids:
            return self.course.lesson(block.lesson, self.lang).title
        return block.lesson or ""

    def quiz(self, lesson: Lesson) -> Quiz | None:
        return self.course.quiz(lesson.id, self.lang)

    def kind_of(self, q: Question) -> str:
        return self.labels.get(f"kind.{q.kind}", q.kind)

    def mark(self, correct: bool) -> str:
        return f"{CORRECT_MARK} {self.t('correct')}" if correct else f"{WRONG_MARK} {self.t('wrong')}"

    def true_false(self, answer: bool | None) -> str:
        return self.t("true") if answer else self.t("false")

    def percent(self, quiz: Quiz) -> str:
        return f"{quiz.pass_mark * 100:.0f}"


def _clock(start: time, minutes: int) -> str:
    total = start.hour * 60 + start.minute + minutes
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def _paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines, each on one line."""
    return [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", visible(text)) if p.strip()]


# --- Markdown ----------------------------------------------------------------------------------------


def _md_lines(n: int) -> list[str]:
    out: list[str] = []
    for _ in range(n):
        out += [MD_RULE, ""]
    return out


def _markdown(doc: _Doc) -> str:
    lines = [f"# {md.inline(doc.course_title)}", "", f"**{md.inline(doc.kind)}**", ""]
    if doc.plan is not None and doc.plan.title.strip():
        lines += [f"## {md.inline(doc.plan.title)}", ""]
    facts = doc.facts()
    if facts:
        lines += [f"- {md.inline(k)}: {md.inline(v)}" for k, v in facts] + [""]
    if not doc.trainer:
        lines += [f"{md.inline(doc.t('name'))}: {'_' * 40}", ""]
    if doc.plan is not None and doc.plan.blocks:
        lines += _md_agenda(doc)
    lines += [f"## {md.inline(doc.t('contents'))}", ""]
    lines += [f"{n}. {md.inline(lesson.title)}" for n, lesson in enumerate(doc.lessons, 1)] + [""]
    description = doc.course.descriptions.get(doc.lang, "")
    if description.strip() and not doc.trainer:
        lines += [f"## {md.inline(doc.t('about'))}", ""]
        lines += [md.inline(p) for p in _paragraphs(description)] + [""]
    if doc.course.source:
        lines += [md.inline(doc.t("based_on", credit=doc.credit())), ""]
    for lesson in doc.lessons:
        lines += ["---", "", *_md_lesson(doc, lesson)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_agenda(doc: _Doc) -> list[str]:
    assert doc.plan is not None
    lines = [f"## {md.inline(doc.t('agenda') if doc.trainer else doc.t('program'))}", ""]
    for block, at in doc.schedule():
        lines += _md_block(doc, block, at)
    total = f"**{md.inline(doc.t('total'))}:** {md.inline(doc.duration(doc.plan.total_minutes))}"
    span = doc.span(0, doc.plan.total_minutes)
    lines += [f"{total} ({span})" if span else total, ""]
    return lines


def _md_block(doc: _Doc, block: Block, at: int) -> list[str]:
    span = doc.span(at, block.minutes)
    head = f"**{span}** · " if span else ""
    title = doc.block_title(block)
    what = f"{md.inline(doc.block_kind(block))} – {md.inline(title)}" if title else md.inline(doc.block_kind(block))
    lines = [f"- {head}{what} ({md.inline(doc.duration(block.minutes))})", ""]
    if block.task.strip():  # what the room is asked to do: in both handouts
        lines += [f"  {md.inline(p)}" for p in _paragraphs(block.task)] + [""]
    if doc.trainer and block.notes.strip():
        lines += [f"  {md.inline(p)}" for p in _paragraphs(block.notes)] + [""]
    return lines


def _md_lesson(doc: _Doc, lesson: Lesson) -> list[str]:
    lines = [
        f"## {md.inline(lesson.title)}",
        "",
        f"*{md.inline(doc.number(lesson))}*",
        "",
        md.inline(lesson.summary),
        "",
    ]
    if doc.trainer:
        lines += [f"### {md.inline(doc.t('objectives'))}", ""]
        lines += [f"- {md.inline(o)}" for o in lesson.objectives] + [""]
        if doc.plan is not None:
            lines += [f"### {md.inline(doc.t('timings'))}", ""]
            mine = doc.blocks_of(lesson)
            for block, at in mine:
                lines += _md_block(doc, block, at)
            if not mine:
                lines += [md.inline(doc.t("no_blocks")), ""]
        if lesson.notes.strip():
            lines += [f"### {md.inline(doc.t('trainer_notes'))}", ""]
            for p in _paragraphs(lesson.notes):
                lines += [md.inline(p), ""]
    if lesson.key_points:
        lines += [f"### {md.inline(doc.t('key_points'))}", ""]
        lines += [f"- {md.inline(k)}" for k in lesson.key_points] + [""]
    if lesson.sources:
        lines += [f"### {md.inline(doc.t('sources'))}", ""]
        for quote in lesson.sources:
            lines += [f"> {md.inline(doc.quote(quote))}", ""]
        if doc.course.source:
            lines += [f"*{md.inline(doc.t('quoted_from', credit=doc.credit()))}*", ""]
    lines += [f"### {md.inline(doc.t('reflection'))}", ""]
    lines += [f"*{md.inline(doc.t('reflection_guide' if doc.trainer else 'reflection_intro'))}*", ""]
    lines += _md_prompts(doc, lesson.prompts, WORKBOOK_LINES)
    if lesson.discussions:
        lines += [f"### {md.inline(doc.t('discussion'))}", ""]
        lines += _md_prompts(doc, lesson.discussions, DISCUSSION_LINES)
    if doc.trainer:
        lines += _md_answer_key(doc, doc.quiz(lesson))
    return lines


def _md_prompts(doc: _Doc, prompts: Sequence[Prompt], rules: int) -> list[str]:
    lines: list[str] = []
    for n, prompt in enumerate(prompts, 1):
        lines += [f"{n}. {md.inline(prompt.text)}", ""]
        if not doc.trainer:
            lines += _md_lines(rules)
    return lines


def _md_answer_key(doc: _Doc, quiz: Quiz | None) -> list[str]:
    lines = [f"### {md.inline(doc.t('answer_key'))}", ""]
    if quiz is None:
        return [*lines, md.inline(doc.t("no_quiz")), ""]
    lines += [md.inline(doc.t("pass_mark", percent=doc.percent(quiz))), ""]
    for n, q in enumerate(quiz.questions, 1):
        lines += [f"#### {md.inline(doc.t('question', n=n))} ({md.inline(doc.kind_of(q))})", "", md.inline(q.text), ""]
        if q.kind == "true_false":
            lines += [f"**{CORRECT_MARK} {md.inline(doc.t('answer'))}:** {md.inline(doc.true_false(q.answer))}", ""]
            lines += [f"{md.inline(doc.t('explain'))}: {md.inline(q.explain)}", ""]
        else:
            for o in q.options:
                mark = md.inline(doc.mark(o.correct))
                lines += [f"- **{mark}:** {md.inline(o.text)}" if o.correct else f"- {mark}: {md.inline(o.text)}", ""]
                lines += [f"  {md.inline(o.explain)}", ""]
        if q.hint.strip():
            lines += [f"*{md.inline(doc.t('hint'))}: {md.inline(q.hint)}*", ""]
    return lines


# --- HTML --------------------------------------------------------------------------------------------


def _html(doc: _Doc) -> str:
    """The page is templates/handout.html.j2; every text in it is made inert and escaped there."""
    from course.render.pages import render

    return render(
        "handout.html.j2",
        doc=doc,
        lang=doc.lang,
        paragraphs=_paragraphs,
        workbook_lines=WORKBOOK_LINES,
        discussion_lines=DISCUSSION_LINES,
        correct_mark=CORRECT_MARK,
    )
