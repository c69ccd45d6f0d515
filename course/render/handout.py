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
from html import escape
from pathlib import Path

from course.content.model import Course, Lesson, Prompt
from course.content.quiz import Question, Quiz
from course.content.terminal_text import visible
from course.errors import UsageError
from course.store import storage
from course.trainer.plan import Block, Plan

AUDIENCES = ("participants", "trainer")
FORMATS = ("md", "html")

WORKBOOK_LINES = 6  # ruled lines under each reflection prompt in the workbook
DISCUSSION_LINES = 3  # ruled lines for notes under each discussion question in the workbook
MD_RULE = "_" * 64  # one ruled line in a Markdown workbook (a thematic break when rendered)

CORRECT_MARK = "✓"
WRONG_MARK = "✗"

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "workbook": "Arbetsbok",
        "guide": "Handledning för kursledaren",
        "name": "Namn",
        "date": "Datum",
        "place": "Plats",
        "time": "Tid",
        "contents": "Innehåll",
        "about": "Om kursen",
        "based_on": "Bygger på: {credit}.",
        "lesson_meta": "Lektion {n} av {total} · {minutes} min",
        "summary": "Sammanfattning",
        "objectives": "Lektionens mål",
        "timings": "Lektionen i programmet",
        "no_blocks": "Lektionen har inget eget pass i programmet.",
        "trainer_notes": "Till dig som leder passet",
        "key_points": "Nyckelpunkter",
        "sources": "Ur artikeln",
        "quoted_from": "Citat ur {credit}.",
        "reflection": "Reflektion",
        "reflection_intro": "Skriv för dig själv. Ingen annan behöver läsa det du skriver.",
        "reflection_guide": "I arbetsboken har varje fråga plats för deltagarnas egna svar.",
        "discussion": "Diskutera i gruppen",
        "discussion_notes": "Anteckningar",
        "answer_key": "Facit",
        "pass_mark": "Godkänt vid {percent} % rätt.",
        "no_quiz": "Lektionen har inget quiz.",
        "question": "Fråga {n}",
        "kind.single": "ett rätt svar",
        "kind.multiple": "ett eller flera rätta svar",
        "kind.true_false": "sant eller falskt",
        "correct": "Rätt",
        "wrong": "Fel",
        "answer": "Rätt svar",
        "true": "Sant",
        "false": "Falskt",
        "explain": "Förklaring",
        "hint": "Ledtråd",
        "agenda": "Program",
        "program": "Dagens program",
        "col.time": "Tid",
        "col.minutes": "Min",
        "col.kind": "Moment",
        "col.what": "Innehåll",
        "col.notes": "Anteckningar",
        "total": "Totalt",
        "block.lesson": "Lektion",
        "block.discussion": "Diskussion",
        "block.quiz": "Quiz",
        "block.exercise": "Övning",
        "block.break": "Paus",
        "hours": "{h} tim",
        "hours_minutes": "{h} tim {m} min",
        "minutes": "{m} min",
        "months": "januari februari mars april maj juni juli augusti september oktober november december",
        "date_format": "{d} {month} {y}",
        "open_quote": "”",
        "close_quote": "”",
    },
    "en": {
        "workbook": "Workbook",
        "guide": "Facilitator guide",
        "name": "Name",
        "date": "Date",
        "place": "Place",
        "time": "Time",
        "contents": "Contents",
        "about": "About the course",
        "based_on": "Based on: {credit}.",
        "lesson_meta": "Lesson {n} of {total} · {minutes} min",
        "summary": "Summary",
        "objectives": "Learning objectives",
        "timings": "This lesson in the agenda",
        "no_blocks": "This lesson has no block of its own in the agenda.",
        "trainer_notes": "Notes for the trainer",
        "key_points": "Key points",
        "sources": "From the article",
        "quoted_from": "Quoted in the original language from {credit}.",
        "reflection": "Reflection",
        "reflection_intro": "Write for yourself. No one else needs to read what you write.",
        "reflection_guide": "In the workbook, each prompt has room for the participants' own answers.",
        "discussion": "Discuss in the group",
        "discussion_notes": "Notes",
        "answer_key": "Answer key",
        "pass_mark": "Pass mark: {percent}% correct.",
        "no_quiz": "This lesson has no quiz.",
        "question": "Question {n}",
        "kind.single": "one correct answer",
        "kind.multiple": "one or more correct answers",
        "kind.true_false": "true or false",
        "correct": "Correct",
        "wrong": "Incorrect",
        "answer": "Correct answer",
        "true": "True",
        "false": "False",
        "explain": "Explanation",
        "hint": "Hint",
        "agenda": "Agenda",
        "program": "Agenda",
        "col.time": "Time",
        "col.minutes": "Min",
        "col.kind": "Activity",
        "col.what": "Content",
        "col.notes": "Notes",
        "total": "Total",
        "block.lesson": "Lesson",
        "block.discussion": "Discussion",
        "block.quiz": "Quiz",
        "block.exercise": "Exercise",
        "block.break": "Break",
        "hours": "{h} h",
        "hours_minutes": "{h} h {m} min",
        "minutes": "{m} min",
        "months": "January February March April May June July August September October November December",
        "date_format": "{d} {month} {y}",
        "open_quote": "“",
        "close_quote": "”",
    },
}


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


def write_handout(path: Path, text: str) -> None:
    """Write a handout atomically: a crash leaves the old file or the new one, never half of one."""
    storage.write_output(path, text.encode("utf-8"))


# --- what both formats share -------------------------------------------------------------------------


class _Doc:
    """Everything a handout shows, worked out once for either format."""

    def __init__(self, course: Course, lang: str, ids: tuple[str, ...], trainer: bool, plan: Plan | None) -> None:
        self.course = course
        self.lang = lang
        self.ids = ids
        self.trainer = trainer
        self.plan = plan
        self.labels = LABELS.get(lang, LABELS["en"])
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
        months = self.t("months").split()
        return self.t("date_format", d=day.day, month=months[day.month - 1], y=day.year)

    def duration(self, minutes: int) -> str:
        h, m = divmod(minutes, 60)
        if not h:
            return self.t("minutes", m=m)
        return self.t("hours", h=h) if not m else self.t("hours_minutes", h=h, m=m)

    def schedule(self) -> list[tuple[Block, int]]:
        """Every block of the plan with the minutes from the start of the session to where it begins."""
        out: list[tuple[Block, int]] = []
        at = 0
        for block in self.plan.blocks if self.plan is not None else ():
            out.append((block, at))
            at += block.minutes
        return out

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

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~#"})
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_NUMBERED = re.compile(r"^(\d{1,9})([.)])")


def _md(text: str) -> str:
    """Course text inside one Markdown line, shown literally: the characters Markdown acts on are escaped,
    and so is whatever would start a block (-, +, =, 1.) at the beginning."""
    one = re.sub(r"[ \t]*\n\s*", " ", visible(text)).strip()
    one = _MD_ENTITY.sub(r"\\&", one.translate(_MD_SPECIAL))
    if one[:1] in ("-", "+", "="):
        return "\\" + one
    return _MD_NUMBERED.sub(r"\1\\\2", one)


def _md_lines(n: int) -> list[str]:
    out: list[str] = []
    for _ in range(n):
        out += [MD_RULE, ""]
    return out


def _markdown(doc: _Doc) -> str:
    lines = [f"# {_md(doc.course_title)}", "", f"**{_md(doc.kind)}**", ""]
    if doc.plan is not None and doc.plan.title.strip():
        lines += [f"## {_md(doc.plan.title)}", ""]
    facts = doc.facts()
    if facts:
        lines += [f"- {_md(k)}: {_md(v)}" for k, v in facts] + [""]
    if not doc.trainer:
        lines += [f"{_md(doc.t('name'))}: {'_' * 40}", ""]
    if doc.plan is not None and doc.plan.blocks:
        lines += _md_agenda(doc)
    lines += [f"## {_md(doc.t('contents'))}", ""]
    lines += [f"{n}. {_md(lesson.title)}" for n, lesson in enumerate(doc.lessons, 1)] + [""]
    description = doc.course.descriptions.get(doc.lang, "")
    if description.strip() and not doc.trainer:
        lines += [f"## {_md(doc.t('about'))}", ""]
        lines += [_md(p) for p in _paragraphs(description)] + [""]
    if doc.course.source:
        lines += [_md(doc.t("based_on", credit=doc.credit())), ""]
    for lesson in doc.lessons:
        lines += ["---", "", *_md_lesson(doc, lesson)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_agenda(doc: _Doc) -> list[str]:
    assert doc.plan is not None
    lines = [f"## {_md(doc.t('agenda') if doc.trainer else doc.t('program'))}", ""]
    for block, at in doc.schedule():
        lines += _md_block(doc, block, at)
    total = f"**{_md(doc.t('total'))}:** {_md(doc.duration(doc.plan.total_minutes))}"
    span = doc.span(0, doc.plan.total_minutes)
    lines += [f"{total} ({span})" if span else total, ""]
    return lines


def _md_block(doc: _Doc, block: Block, at: int) -> list[str]:
    span = doc.span(at, block.minutes)
    head = f"**{span}** · " if span else ""
    title = doc.block_title(block)
    what = f"{_md(doc.block_kind(block))} – {_md(title)}" if title else _md(doc.block_kind(block))
    lines = [f"- {head}{what} ({_md(doc.duration(block.minutes))})", ""]
    if block.task.strip():  # what the room is asked to do: in both handouts
        lines += [f"  {_md(p)}" for p in _paragraphs(block.task)] + [""]
    if doc.trainer and block.notes.strip():
        lines += [f"  {_md(p)}" for p in _paragraphs(block.notes)] + [""]
    return lines


def _md_lesson(doc: _Doc, lesson: Lesson) -> list[str]:
    lines = [f"## {_md(lesson.title)}", "", f"*{_md(doc.number(lesson))}*", "", _md(lesson.summary), ""]
    if doc.trainer:
        lines += [f"### {_md(doc.t('objectives'))}", ""]
        lines += [f"- {_md(o)}" for o in lesson.objectives] + [""]
        if doc.plan is not None:
            lines += [f"### {_md(doc.t('timings'))}", ""]
            mine = [(b, at) for b, at in doc.schedule() if b.lesson == lesson.id]
            for block, at in mine:
                lines += _md_block(doc, block, at)
            if not mine:
                lines += [_md(doc.t("no_blocks")), ""]
        if lesson.notes.strip():
            lines += [f"### {_md(doc.t('trainer_notes'))}", ""]
            for p in _paragraphs(lesson.notes):
                lines += [_md(p), ""]
    if lesson.key_points:
        lines += [f"### {_md(doc.t('key_points'))}", ""]
        lines += [f"- {_md(k)}" for k in lesson.key_points] + [""]
    if lesson.sources:
        lines += [f"### {_md(doc.t('sources'))}", ""]
        for quote in lesson.sources:
            lines += [f"> {_md(doc.quote(quote))}", ""]
        if doc.course.source:
            lines += [f"*{_md(doc.t('quoted_from', credit=doc.credit()))}*", ""]
    lines += [f"### {_md(doc.t('reflection'))}", ""]
    lines += [f"*{_md(doc.t('reflection_guide' if doc.trainer else 'reflection_intro'))}*", ""]
    lines += _md_prompts(doc, lesson.prompts, WORKBOOK_LINES)
    if lesson.discussions:
        lines += [f"### {_md(doc.t('discussion'))}", ""]
        lines += _md_prompts(doc, lesson.discussions, DISCUSSION_LINES)
    if doc.trainer:
        lines += _md_answer_key(doc, doc.quiz(lesson))
    return lines


def _md_prompts(doc: _Doc, prompts: Sequence[Prompt], rules: int) -> list[str]:
    lines: list[str] = []
    for n, prompt in enumerate(prompts, 1):
        lines += [f"{n}. {_md(prompt.text)}", ""]
        if not doc.trainer:
            lines += _md_lines(rules)
    return lines


def _md_answer_key(doc: _Doc, quiz: Quiz | None) -> list[str]:
    lines = [f"### {_md(doc.t('answer_key'))}", ""]
    if quiz is None:
        return [*lines, _md(doc.t("no_quiz")), ""]
    lines += [_md(doc.t("pass_mark", percent=doc.percent(quiz))), ""]
    for n, q in enumerate(quiz.questions, 1):
        lines += [f"#### {_md(doc.t('question', n=n))} ({_md(doc.kind_of(q))})", "", _md(q.text), ""]
        if q.kind == "true_false":
            lines += [f"**{CORRECT_MARK} {_md(doc.t('answer'))}:** {_md(doc.true_false(q.answer))}", ""]
            lines += [f"{_md(doc.t('explain'))}: {_md(q.explain)}", ""]
        else:
            for o in q.options:
                mark = _md(doc.mark(o.correct))
                lines += [f"- **{mark}:** {_md(o.text)}" if o.correct else f"- {mark}: {_md(o.text)}", ""]
                lines += [f"  {_md(o.explain)}", ""]
        if q.hint.strip():
            lines += [f"*{_md(doc.t('hint'))}: {_md(q.hint)}*", ""]
    return lines


# --- HTML --------------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 18mm 18mm 20mm 20mm;
  @bottom-right { content: counter(page) " / " counter(pages);
                  font: 9pt "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #000; } }
:root { color-scheme: light; }
html { background: #fff; }
body { font: 11.5pt/1.45 Georgia, Cambria, "Liberation Serif", "DejaVu Serif", serif; color: #000;
       background: #fff; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1, h2, h3, h4, .kicker, .meta, table, .mark, .q-head, .facts { font-family: "Helvetica Neue", Arial,
       "Liberation Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 22pt; line-height: 1.2; margin: 0 0 3mm; }
h2 { font-size: 16pt; line-height: 1.25; margin: 0 0 2mm; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 0.75pt solid #000; padding-bottom: 0.8mm;
     break-after: avoid; page-break-after: avoid; }
h4 { font-size: 11pt; margin: 0 0 1mm; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 2.5mm; }
ul, ol { margin: 0 0 2.5mm; padding-left: 6mm; }
li { margin: 0 0 1.2mm; }
.cover .kicker { font-size: 11pt; text-transform: uppercase; letter-spacing: .08em; margin: 0 0 2mm; }
.cover .plan-title { font-size: 15pt; margin: 0 0 4mm; }
.cover h2 { font-size: 13pt; margin-top: 6mm; border-bottom: 0.75pt solid #000; padding-bottom: 0.8mm; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0 0 5mm; }
.facts dt { font-weight: bold; }
.facts dd { margin: 0; }
.name { margin: 6mm 0 4mm; font-family: "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
.name .fill { display: inline-block; width: 110mm; border-bottom: 0.75pt solid #000; }
.credit { margin: 5mm 0 0; font-size: 10pt; }
.contents.long { columns: 2; column-gap: 8mm; }
.contents li { break-inside: avoid; page-break-inside: avoid; }
.about { font-size: 10.5pt; break-inside: avoid; page-break-inside: avoid; }
.lesson { break-before: page; page-break-before: always; }
.lesson .meta { font-size: 10pt; margin: 0 0 1mm; }
.summary { font-size: 12pt; font-style: italic; margin: 0 0 4mm; }
blockquote { margin: 0 0 2mm; padding: 0 0 0 4mm; border-left: 2pt solid #000; break-inside: avoid;
             page-break-inside: avoid; }
blockquote p { margin: 0; }
.quoted-from { font-size: 10pt; font-style: italic; }
.intro { font-style: italic; break-after: avoid; page-break-after: avoid; }
.prompts { list-style: none; padding: 0; }
.prompt { break-inside: avoid; page-break-inside: avoid; margin: 0 0 5mm; }
.prompt .text { margin: 0 0 1.5mm; font-weight: bold; }
.prompt .num { display: inline-block; min-width: 6mm; }
.write { border: 0.75pt solid #000; border-radius: 1.5mm; padding: 0 4mm 3mm; }
.write .line { height: 8.5mm; border-bottom: 0.5pt solid #444; }
.write .label { display: block; padding-top: 1mm; font-size: 8.5pt;
                font-family: "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; margin: 0 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #000; padding: 1mm 2mm; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.time, td.kind, td.num, th.num { width: 1%; white-space: nowrap; }  /* as narrow as their content */
tfoot td { font-weight: bold; }
.notes p { margin: 0 0 2mm; }
.block-notes { margin: 1mm 0 0; font-style: italic; }
.block-task { margin: 1mm 0 0; }
.answer-key .pass { font-style: italic; break-after: avoid; page-break-after: avoid; }
.question { break-inside: avoid; page-break-inside: avoid; margin: 0 0 5mm; }
.q-head { font-weight: bold; font-size: 10.5pt; margin: 0 0 1mm; }
.q-text { margin: 0 0 1.5mm; }
.options { list-style: none; padding: 0; margin: 0; }
.option { margin: 0 0 2mm; padding-left: 3mm; border-left: 0.75pt dotted #000; display: grid;
          grid-template-columns: 23mm 1fr; column-gap: 1mm; }
.option.correct { border-left: 2.5pt solid #000; }
.option .o-text { margin: 0; }
.option .explain, .answer .explain { margin: 0.5mm 0 0; font-size: 10.5pt; }
.mark { font-size: 9.5pt; white-space: nowrap; padding-top: 0.6mm; }
.option.correct .mark, .answer .mark { font-weight: bold; }
.hint { font-size: 10pt; font-style: italic; margin: 1mm 0 0; }
@media screen {
  .lesson { border-top: 1.5pt solid #000; margin-top: 3rem; padding-top: 1rem; }
}
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  a { color: #000; text-decoration: none; }
}
"""


def _h(text: str) -> str:
    """Course or plan text as HTML text: control characters made visible, then escaped."""
    return escape(visible(text), quote=True)


def _html(doc: _Doc) -> str:
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(doc.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(doc.document_title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        f'<body class="{"trainer" if doc.trainer else "participants"}">',
        "<!-- Every text from the course and the plan is escaped; nothing here loads anything. -->",
        *_html_cover(doc),
        "<main>",
    ]
    for lesson in doc.lessons:
        out += _html_lesson(doc, lesson)
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_cover(doc: _Doc) -> list[str]:
    out = ['<header class="cover">', f'<p class="kicker">{_h(doc.kind)}</p>', f"<h1>{_h(doc.course_title)}</h1>"]
    if doc.plan is not None and doc.plan.title.strip():
        out.append(f'<p class="plan-title">{_h(doc.plan.title)}</p>')
    facts = doc.facts()
    if facts:
        out.append('<dl class="facts">')
        out += [f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in facts]
        out.append("</dl>")
    if not doc.trainer:
        out.append(f'<p class="name">{_h(doc.t("name"))}: <span class="fill"></span></p>')
    if doc.plan is not None and doc.plan.blocks:
        out += _html_agenda(doc)
    long = " long" if len(doc.lessons) > 5 else ""  # in two columns, so that the cover stays one page
    out += [f"<h2>{_h(doc.t('contents'))}</h2>", f'<ol class="contents{long}">']
    for lesson in doc.lessons:
        minutes = f' <span class="minutes">({lesson.minutes} min)</span>' if doc.trainer else ""
        out.append(f"<li>{_h(lesson.title)}{minutes}</li>")
    out.append("</ol>")
    out.append('<section class="about">')  # kept together: never the credit alone on a page
    description = doc.course.descriptions.get(doc.lang, "")
    if description.strip() and not doc.trainer:
        out.append(f"<h2>{_h(doc.t('about'))}</h2>")
        out += [f"<p>{_h(p)}</p>" for p in _paragraphs(description)]
    if doc.course.source:
        out.append(f'<p class="credit">{_h(doc.t("based_on", credit=doc.credit()))}</p>')
    out.append("</section>")
    out.append("</header>")
    return out


def _html_agenda(doc: _Doc) -> list[str]:
    heading = doc.t("agenda") if doc.trainer else doc.t("program")
    return [f'<section class="agenda"><h2>{_h(heading)}</h2>', *_html_blocks(doc, doc.schedule()), "</section>"]


def _html_blocks(doc: _Doc, rows: Sequence[tuple[Block, int]], total: bool = True) -> list[str]:
    """A table of blocks: clock times when the plan has a start, kind, content (and notes for the trainer), minutes."""
    assert doc.plan is not None
    timed = doc.plan.start is not None
    head = [f"<th>{_h(doc.t('col.time'))}</th>"] if timed else []
    head += [f"<th>{_h(doc.t('col.kind'))}</th>", f"<th>{_h(doc.t('col.what'))}</th>"]
    head.append(f'<th class="num">{_h(doc.t("col.minutes"))}</th>')
    out = ['<table class="blocks">', f"<thead><tr>{''.join(head)}</tr></thead>", "<tbody>"]
    for block, at in rows:
        cells = [f'<td class="time">{_h(doc.span(at, block.minutes))}</td>'] if timed else []
        cells.append(f'<td class="kind">{_h(doc.block_kind(block))}</td>')
        what = _h(doc.block_title(block))
        if block.task.strip():  # what the room is asked to do: in both handouts
            what += "".join(f'<p class="block-task">{_h(p)}</p>' for p in _paragraphs(block.task))
        if doc.trainer and block.notes.strip():
            what += "".join(f'<p class="block-notes">{_h(p)}</p>' for p in _paragraphs(block.notes))
        cells += [f"<td>{what}</td>", f'<td class="num">{block.minutes}</td>']
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append("</tbody>")
    if total:
        minutes = doc.plan.total_minutes
        span = doc.span(0, minutes)
        label = f"{doc.t('total')}: {doc.duration(minutes)}" + (f" ({span})" if span else "")
        width = 3 if timed else 2
        out.append(f'<tfoot><tr><td colspan="{width}">{_h(label)}</td><td class="num">{minutes}</td></tr></tfoot>')
    out.append("</table>")
    return out


def _html_lesson(doc: _Doc, lesson: Lesson) -> list[str]:
    out = [
        f'<section class="lesson" id="lesson-{_h(lesson.id)}">',
        f'<p class="meta">{_h(doc.number(lesson))}</p>',
        f"<h2>{_h(lesson.title)}</h2>",
        f'<p class="summary">{_h(lesson.summary)}</p>',
    ]
    if doc.trainer:
        out += [f"<h3>{_h(doc.t('objectives'))}</h3>", '<ul class="objectives">']
        out += [f"<li>{_h(o)}</li>" for o in lesson.objectives]
        out.append("</ul>")
        if doc.plan is not None:
            out.append(f'<section class="timings"><h3>{_h(doc.t("timings"))}</h3>')
            mine = [(b, at) for b, at in doc.schedule() if b.lesson == lesson.id]
            out += _html_blocks(doc, mine, total=False) if mine else [f"<p>{_h(doc.t('no_blocks'))}</p>"]
            out.append("</section>")
        if lesson.notes.strip():
            out += [f'<section class="notes"><h3>{_h(doc.t("trainer_notes"))}</h3>']
            out += [f"<p>{_h(p)}</p>" for p in _paragraphs(lesson.notes)]
            out.append("</section>")
    if lesson.key_points:
        out += [f"<h3>{_h(doc.t('key_points'))}</h3>", '<ul class="key-points">']
        out += [f"<li>{_h(k)}</li>" for k in lesson.key_points]
        out.append("</ul>")
    if lesson.sources:
        out.append(f'<section class="sources"><h3>{_h(doc.t("sources"))}</h3>')
        out += [f"<blockquote><p>{_h(doc.quote(q))}</p></blockquote>" for q in lesson.sources]
        if doc.course.source:
            out.append(f'<p class="quoted-from">{_h(doc.t("quoted_from", credit=doc.credit()))}</p>')
        out.append("</section>")
    intro = doc.t("reflection_guide" if doc.trainer else "reflection_intro")
    out += [f'<section class="reflection"><h3>{_h(doc.t("reflection"))}</h3>', f'<p class="intro">{_h(intro)}</p>']
    out += _html_prompts(doc, lesson.prompts, WORKBOOK_LINES, "")
    out.append("</section>")
    if lesson.discussions:
        out.append(f'<section class="discussion"><h3>{_h(doc.t("discussion"))}</h3>')
        out += _html_prompts(doc, lesson.discussions, DISCUSSION_LINES, doc.t("discussion_notes"))
        out.append("</section>")
    if doc.trainer:
        out += _html_answer_key(doc, doc.quiz(lesson))
    out.append("</section>")
    return out


def _html_prompts(doc: _Doc, prompts: Sequence[Prompt], rules: int, label: str) -> list[str]:
    out = ['<ol class="prompts">']
    for n, prompt in enumerate(prompts, 1):
        item = f'<li class="prompt"><p class="text"><span class="num">{n}.</span> {_h(prompt.text)}</p>'
        if not doc.trainer:
            caption = f'<span class="label">{_h(label)}</span>' if label else ""
            item += f'<div class="write">{caption}{"<div class=line></div>" * rules}</div>'
        out.append(item + "</li>")
    out.append("</ol>")
    return out


def _html_answer_key(doc: _Doc, quiz: Quiz | None) -> list[str]:
    out = [f'<section class="answer-key"><h3>{_h(doc.t("answer_key"))}</h3>']
    if quiz is None:
        return [*out, f"<p>{_h(doc.t('no_quiz'))}</p>", "</section>"]
    out.append(f'<p class="pass">{_h(doc.t("pass_mark", percent=doc.percent(quiz)))}</p>')
    for n, q in enumerate(quiz.questions, 1):
        out += [
            '<div class="question">',
            f'<h4 class="q-head">{_h(doc.t("question", n=n))} · {_h(doc.kind_of(q))}</h4>',
            f'<p class="q-text">{_h(q.text)}</p>',
        ]
        if q.kind == "true_false":
            out += [
                '<div class="answer">',
                f'<p><span class="mark">{CORRECT_MARK} {_h(doc.t("answer"))}:</span> '
                f"<strong>{_h(doc.true_false(q.answer))}</strong></p>",
                f'<p class="explain">{_h(q.explain)}</p>',
                "</div>",
            ]
        else:
            out.append('<ul class="options">')
            for o in q.options:
                state = "correct" if o.correct else "wrong"
                out.append(
                    f'<li class="option {state}"><span class="mark">{_h(doc.mark(o.correct))}</span> '
                    f'<div><p class="o-text">{_h(o.text)}</p><p class="explain">{_h(o.explain)}</p></div></li>'
                )
            out.append("</ul>")
        if q.hint.strip():
            out.append(f'<p class="hint">{_h(doc.t("hint"))}: {_h(q.hint)}</p>')
        out.append("</div>")
    out.append("</section>")
    return out
