"""Handouts: the participant workbook and the facilitator guide, as self-contained HTML and literal Markdown."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import date, time
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from course.content.model import Course, Lesson, Prompt
from course.content.quiz import Option, Question, Quiz
from course.errors import UsageError
from course.render.handout import (
    AUDIENCES,
    CORRECT_MARK,
    DISCUSSION_LINES,
    FORMATS,
    LABELS,
    MD_RULE,
    WORKBOOK_LINES,
    WRONG_MARK,
    render_handout,
)
from course.store import storage
from course.trainer.plan import Block, Plan

from .conftest import REPO

LANGS = ("sv", "en")
PAIR = ("hr-role", "trust-culture")  # deliberately not in course order
SELECTIONS = {"all": (), "pair": PAIR}
HOSTILE = "<script>alert('x')</script> & &amp; \x1b[31mred"
MARKDOWNISH = ("# not a heading", "- not a list", "1. not numbered", "+ not a list", "> not a quote", "[x](y) no link")


def norm(text: str) -> str:
    return " ".join(text.split())


class Page(HTMLParser):
    """An HTML document as its tags, its visible text and the text of each lesson section."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.by_lesson: dict[str, list[str]] = {}
        self.lesson_order: list[str] = []
        self._style = 0
        self._lesson: str | None = None
        self._depth = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag in ("style", "title"):
            self._style += 1
        if tag == "section":
            if self._lesson is not None:
                self._depth += 1
            elif "lesson" in (found.get("class") or "").split():
                self._lesson = (found.get("id") or "").removeprefix("lesson-")
                self.lesson_order.append(self._lesson)
                self.by_lesson[self._lesson] = []
                self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._style -= 1
        if tag == "section" and self._lesson is not None:
            self._depth -= 1
            if self._depth == 0:
                self._lesson = None

    def handle_data(self, data: str) -> None:
        if self._style:
            return
        self.chunks.append(data)
        if self._lesson is not None:
            self.by_lesson[self._lesson].append(data)

    @property
    def text(self) -> str:
        return norm(" ".join(self.chunks))

    def lesson_text(self, lesson_id: str) -> str:
        return norm(" ".join(self.by_lesson[lesson_id]))

    def with_class(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for _, attrs in self.tags if name in (attrs.get("class") or "").split()]

    def names(self) -> set[str]:
        return {tag for tag, _ in self.tags}


def page_of(course: Course, lang: str, ids: tuple[str, ...], audience: str, fmt: str, plan: Plan | None = None) -> Page:
    """Render a handout; Markdown is rendered to HTML first (raw HTML allowed, as many viewers do)."""
    text = render_handout(course, lang, ids, audience, fmt, plan)
    if fmt == "md":
        text = MarkdownIt("commonmark").render(text)
    return Page(text)


def ids_of(course: Course, selection: str) -> tuple[str, ...]:
    return SELECTIONS[selection] or course.lesson_ids


def quoted(lang: str, text: str) -> str:
    return f"{LABELS[lang]['open_quote']}{text}{LABELS[lang]['close_quote']}"


def paragraphs(text: str) -> list[str]:
    return [norm(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def workbook_texts(lesson: Lesson, lang: str) -> list[str]:
    """What every handout shows of a lesson."""
    return [
        lesson.title,
        lesson.summary,
        *lesson.key_points,
        *(quoted(lang, q) for q in lesson.sources),
        *(p.text for p in lesson.prompts),
        *(d.text for d in lesson.discussions),
    ]


def quiz_texts(quiz: Quiz) -> list[str]:
    out: list[str] = []
    for q in quiz.questions:
        out += [q.text, q.explain] if q.kind == "true_false" else [q.text]
        out += [t for o in q.options for t in (o.text, o.explain)]
        if q.hint:
            out.append(q.hint)
    return [t for t in out if t]


def a_plan(start: time | None = time(9, 0)) -> Plan:
    blocks = (
        Block(kind="lesson", minutes=20, lesson="trust-culture", title="", notes="Open with a round of names.", line=3),
        Block(kind="discussion", minutes=25, lesson="trust-culture", title="Talk in pairs", notes="", line=9),
        Block(kind="break", minutes=15, lesson=None, title="", notes="", line=15),
        Block(kind="quiz", minutes=10, lesson="hr-role", title="", notes="Do the quiz together.", line=20),
    )
    return Plan(
        path=Path("session.toml"),
        title="Leadership day",
        date=date(2025, 9, 3),
        place="Town hall, Sundsvall",
        lang="en",
        start=start,
        blocks=blocks,
    )


def hostile_course(course: Course) -> Course:
    """The course with hostile and Markdown-active text in every kind of field of trust-culture."""
    lessons = dict(course.lessons)
    quizzes = dict(course.quizzes)
    for lang in course.languages:
        lesson = course.lesson("trust-culture", lang)
        lessons[("trust-culture", lang)] = replace(
            lesson,
            title=f"Title {HOSTILE}",
            summary=MARKDOWNISH[0],
            key_points=(*MARKDOWNISH, f"Point {HOSTILE}"),
            sources=(f"Quote {HOSTILE} `code` *stars* _under_",),
            notes=f"Notes {HOSTILE}\n\nSecond <iframe src='http://evil'></iframe>",
            objectives=(f"Objective {HOSTILE}",),
            prompts=(Prompt("p1", f"Prompt </li><img src=x onerror=alert(2)> {HOSTILE}"),),
            discussions=(Prompt("d1", MARKDOWNISH[2]),),
        )
        quizzes[("trust-culture", lang)] = Quiz(
            "trust-culture",
            lang,
            0.8,
            (
                Question(
                    "q1",
                    "single",
                    f"Question <style>body{{display:none}}</style> {HOSTILE}",
                    options=(
                        Option("a", f"Option <b>{HOSTILE}</b>", True, "Explain <a href='http://evil'>x</a>"),
                        Option("b", MARKDOWNISH[1], False, MARKDOWNISH[3]),
                    ),
                    hint=f"Hint {HOSTILE}",
                ),
            ),
        )
    return replace(
        course,
        lessons=lessons,
        quizzes=quizzes,
        titles={lang: f"Course {HOSTILE}" for lang in course.languages},
        descriptions={lang: MARKDOWNISH[4] for lang in course.languages},
        source={**course.source, "author": f"Author {HOSTILE}"},
    )


# --- the workbook --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("selection", list(SELECTIONS))
@pytest.mark.parametrize("lang", LANGS)
def test_the_workbook_has_every_lesson_text(course: Course, lang: str, selection: str, fmt: str) -> None:
    ids = ids_of(course, selection)
    page = page_of(course, lang, ids, "participants", fmt)
    text = page.text
    assert course.title(lang) in text
    assert LABELS[lang]["workbook"] in text
    for key in ("author", "title", "publisher", "date"):
        assert course.source[key] in text
    for lid in ids:
        lesson = course.lesson(lid, lang)
        for item in workbook_texts(lesson, lang):
            assert norm(item) in text, (lid, item)


@pytest.mark.parametrize("selection", list(SELECTIONS))
@pytest.mark.parametrize("lang", LANGS)
def test_workbook_lessons_come_in_the_order_asked_each_with_its_own_text(
    course: Course, lang: str, selection: str
) -> None:
    ids = ids_of(course, selection)
    page = page_of(course, lang, ids, "participants", "html")
    assert page.lesson_order == list(ids)
    for lid in ids:
        lesson = course.lesson(lid, lang)
        inside = page.lesson_text(lid)
        for item in workbook_texts(lesson, lang):
            assert norm(item) in inside, (lid, item)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_workbook_has_no_answers_notes_or_objectives(course: Course, lang: str, fmt: str) -> None:
    page = page_of(course, lang, course.lesson_ids, "participants", fmt, a_plan())
    text = page.text
    assert CORRECT_MARK not in text and WRONG_MARK not in text
    for key in ("answer_key", "trainer_notes", "objectives", "pass_mark", "answer", "hint"):
        assert LABELS[lang][key].split("{")[0].strip() not in text, key
    assert not page.with_class("answer-key") and not page.with_class("correct") and not page.with_class("notes")
    for lid in course.lesson_ids:
        lesson = course.lesson(lid, lang)
        for p in paragraphs(lesson.notes):
            assert p not in text
        for objective in lesson.objectives:
            assert norm(objective) not in text
        quiz = course.quiz(lid, lang)
        assert quiz is not None
        for q in quiz.questions:
            assert norm(q.text) not in text
            assert not q.explain or norm(q.explain) not in text
            for o in q.options:
                assert norm(o.explain) not in text
    for block in a_plan().blocks:  # the plan's notes are for the trainer
        assert not block.notes or block.notes not in text


@pytest.mark.parametrize("lang", LANGS)
def test_every_prompt_has_a_ruled_box_to_write_in(course: Course, lang: str) -> None:
    page = page_of(course, lang, PAIR, "participants", "html")
    prompts = sum(len(course.lesson(lid, lang).prompts) for lid in PAIR)
    discussions = sum(len(course.lesson(lid, lang).discussions) for lid in PAIR)
    assert len(page.with_class("write")) == prompts + discussions
    assert len(page.with_class("line")) == prompts * WORKBOOK_LINES + discussions * DISCUSSION_LINES
    assert len(page.with_class("prompt")) == prompts + discussions


@pytest.mark.parametrize("lang", LANGS)
def test_the_markdown_workbook_has_ruled_lines_that_read_as_lines(course: Course, lang: str) -> None:
    md = render_handout(course, lang, PAIR, "participants", "md")
    prompts = sum(len(course.lesson(lid, lang).prompts) for lid in PAIR)
    discussions = sum(len(course.lesson(lid, lang).discussions) for lid in PAIR)
    rules = md.splitlines().count(MD_RULE)
    assert rules == prompts * WORKBOOK_LINES + discussions * DISCUSSION_LINES
    rendered = MarkdownIt("commonmark").render(md)
    assert rendered.count("<hr />") >= rules  # each ruled line is a thematic break, never literal underscores
    assert "_" * 10 not in Page(rendered).text.replace("_" * 40, "")  # only the name line stays literal
    assert LABELS[lang]["name"] in md


# --- the facilitator guide -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("selection", list(SELECTIONS))
@pytest.mark.parametrize("lang", LANGS)
def test_the_guide_has_everything_and_the_answer_key(course: Course, lang: str, selection: str, fmt: str) -> None:
    ids = ids_of(course, selection)
    text = page_of(course, lang, ids, "trainer", fmt).text
    assert course.title(lang) in text and LABELS[lang]["guide"] in text
    for lid in ids:
        lesson = course.lesson(lid, lang)
        quiz = course.quiz(lid, lang)
        assert quiz is not None
        expected = [*workbook_texts(lesson, lang), *lesson.objectives, *paragraphs(lesson.notes), *quiz_texts(quiz)]
        for item in expected:
            assert norm(item) in text, (lid, item)
    for lid in course.lesson_ids:
        if lid not in ids:
            assert course.lesson(lid, lang).title not in text.replace(course.title(lang), "")


@pytest.mark.parametrize("lang", LANGS)
def test_each_lesson_of_the_guide_has_its_own_notes_and_quiz(course: Course, lang: str) -> None:
    page = page_of(course, lang, course.lesson_ids, "trainer", "html")
    assert page.lesson_order == list(course.lesson_ids)
    for lid in course.lesson_ids:
        lesson = course.lesson(lid, lang)
        quiz = course.quiz(lid, lang)
        assert quiz is not None
        inside = page.lesson_text(lid)
        for item in [*paragraphs(lesson.notes), *lesson.objectives, *quiz_texts(quiz)]:
            assert norm(item) in inside, (lid, item)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_right_answers_are_marked_with_a_symbol_and_a_word(course: Course, lang: str, fmt: str) -> None:
    labels = LABELS[lang]
    md = render_handout(course, lang, course.lesson_ids, "trainer", fmt)
    quizzes = [course.quiz(lid, lang) for lid in course.lesson_ids]
    questions = [q for quiz in quizzes if quiz is not None for q in quiz.questions]
    right = sum(o.correct for q in questions for o in q.options)
    wrong = sum(not o.correct for q in questions for o in q.options)
    true_false = sum(q.kind == "true_false" for q in questions)
    assert md.count(CORRECT_MARK) == right + true_false
    assert md.count(WRONG_MARK) == wrong
    assert md.count(f"{CORRECT_MARK} {labels['correct']}") == right + true_false * labels["answer"].startswith(
        labels["correct"]
    )
    assert md.count(f"{WRONG_MARK} {labels['wrong']}") == wrong
    assert md.count(f"{CORRECT_MARK} {labels['answer']}") == true_false
    if fmt == "html":
        page = Page(md)
        assert len(page.with_class("correct")) == right
        assert len(page.with_class("wrong")) == wrong
        assert len(page.with_class("question")) == len(questions)
        assert "color:" not in md.replace("color: #000", "").replace("color-scheme", "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_true_false_answers_name_the_answer_and_why(course: Course, fmt: str) -> None:
    quiz = course.quiz("trust-culture", "sv")
    assert quiz is not None
    tf = next(q for q in quiz.questions if q.kind == "true_false")
    text = page_of(course, "sv", ("trust-culture",), "trainer", fmt).text
    answer = LABELS["sv"]["true" if tf.answer else "false"]
    assert re.search(re.escape(f"{CORRECT_MARK} {LABELS['sv']['answer']}:") + r"\s*" + answer, text)
    assert norm(tf.explain) in text


# --- with a session plan ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_guide_starts_with_the_agenda_with_clock_times_and_total(course: Course, fmt: str) -> None:
    plan = a_plan()
    page = page_of(course, "en", plan.lesson_ids(), "trainer", fmt, plan)
    text = page.text
    assert "Leadership day" in text and "3 September 2025" in text and "Town hall, Sundsvall" in text
    agenda = text.index(LABELS["en"]["agenda"])
    assert agenda < text.index(course.lesson("trust-culture", "en").summary)
    spans = ["09:00–09:20", "09:20–09:45", "09:45–10:00", "10:00–10:10"]
    for span in spans:
        assert span in text
    assert [text.index(s) for s in spans] == sorted(text.index(s) for s in spans)
    assert "Total: 1 h 10 min (09:00–10:10)" in text
    assert "Talk in pairs" in text and LABELS["en"]["block.break"] in text
    assert "Open with a round of names." in text and "Do the quiz together." in text
    if fmt == "html":
        first = page.lesson_text("trust-culture")
        assert "09:00–09:20" in first and "Open with a round of names." in first and "Talk in pairs" in first
        assert "Do the quiz together." not in first
        assert "Do the quiz together." in page.lesson_text("hr-role")
        assert any(tag == "table" for tag, _ in page.tags)


def test_the_agenda_without_a_start_time_has_minutes_and_the_total(course: Course) -> None:
    plan = a_plan(start=None)
    text = page_of(course, "sv", plan.lesson_ids(), "trainer", "html", plan).text
    assert not re.search(r"\d\d:\d\d", text.replace(course.source["date"], ""))
    assert "Totalt: 1 tim 10 min" in text and "3 september 2025" in text


def test_a_lesson_without_blocks_says_so_in_a_guide_with_a_plan(course: Course) -> None:
    text = page_of(course, "en", ("team-dialogue",), "trainer", "html", a_plan()).text
    assert LABELS["en"]["no_blocks"] in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_workbook_with_a_plan_has_the_programme_but_no_trainer_notes(course: Course, fmt: str) -> None:
    plan = a_plan()
    text = page_of(course, "sv", plan.lesson_ids(), "participants", fmt, plan).text
    assert "Leadership day" in text and "3 september 2025" in text and "Town hall, Sundsvall" in text
    assert "09:00–09:20" in text and "Talk in pairs" in text
    assert "Open with a round of names." not in text and "Do the quiz together." not in text


# --- a self-contained, printable, safe page ------------------------------------------------------------


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_html_is_one_printable_file_that_loads_nothing(course: Course, lang: str, audience: str) -> None:
    html = render_handout(course, lang, course.lesson_ids, audience, "html", a_plan())
    for needle in ("src=", 'href="http', "href='http", "@import", "url(", "<script", "<link", "<img", "@font-face"):
        assert needle not in html, needle
    page = Page(html)
    assert all("src" not in attrs and "href" not in attrs for _, attrs in page.tags)
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag["lang"] == lang
    assert any(tag == "meta" and (attrs.get("charset") or "").lower() == "utf-8" for tag, attrs in page.tags)
    title = re.search(r"<title>(.+?)</title>", html)
    assert title is not None and "Leadership day" in title.group(1)
    assert [tag for tag, _ in page.tags].count("h1") == 1
    assert len(page.with_class("lesson")) == len(course.lesson_ids)
    css = re.search(r"<style>(.*?)</style>", html, re.S)
    assert css is not None
    style = css.group(1)
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", style)
    assert re.search(r"\.lesson\s*\{[^}]*break-before:\s*page[^}]*page-break-before:\s*always", style)
    for cls in (".prompt", ".question"):
        assert re.search(re.escape(cls) + r"\s*\{[^}]*break-inside:\s*avoid[^}]*page-break-inside:\s*avoid", style)
    assert re.search(r"body\s*\{[^}]*font:\s*1[12](\.\d)?pt", style)
    assert "background: #fff" in style and "color: #000" in style


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("lang", LANGS)
def test_hostile_course_text_comes_out_as_text_in_html(course: Course, lang: str, audience: str) -> None:
    bad = hostile_course(course)
    plan = replace(a_plan(), title=f"Plan {HOSTILE}", place=f"Place {HOSTILE}")
    plan = replace(plan, blocks=(replace(plan.blocks[0], notes=f"Block {HOSTILE}", title=f"Block title {HOSTILE}"),))
    html = render_handout(bad, lang, ("trust-culture", "hr-role"), audience, "html", plan)
    page = Page(html)
    assert page.names() <= {
        "html", "head", "meta", "title", "style", "body", "header", "main", "section", "p", "h1", "h2", "h3",
        "h4", "ul", "ol", "li", "dl", "dt", "dd", "span", "div", "blockquote", "table", "thead", "tbody",
        "tfoot", "tr", "th", "td", "strong",
    }  # fmt: skip
    assert "\x1b" not in html and "␛[31mred" in page.text
    shown = HOSTILE.replace("\x1b", "␛")
    text = page.text
    for expected in (f"Course {shown}", f"Title {shown}", f"Plan {shown}", f"Place {shown}", f"Author {shown}"):
        assert expected in text
    assert f"Prompt </li><img src=x onerror=alert(2)> {shown}" in text
    assert quoted(lang, f"Quote {shown} `code` *stars* _under_") in text
    assert f"<title>Plan {escape(shown)}" in html
    if audience == "trainer":
        for expected in (f"Notes {shown}", f"Block {shown}", f"Question <style>body{{display:none}}</style> {shown}"):
            assert expected in text
        assert f"Option <b>{shown}</b>" in text and "Explain <a href='http://evil'>x</a>" in text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_hostile_and_markdown_active_text_stays_literal_in_markdown(course: Course, audience: str) -> None:
    bad = hostile_course(course)
    md = render_handout(bad, "en", ("trust-culture",), audience, "md", a_plan())
    assert "\x1b" not in md
    rendered = MarkdownIt("commonmark").render(md)
    page = Page(rendered)
    assert page.names() & {"script", "img", "iframe", "a", "b", "style", "code"} == set()
    text = page.text
    shown = HOSTILE.replace("\x1b", "␛")
    assert f"Course {shown}" in text and f"Title {shown}" in text
    assert quoted("en", f"Quote {shown} `code` *stars* _under_") in text
    for item in MARKDOWNISH:
        assert item in text, item
    # nothing Markdown-like in the course became structure: one h1, the lesson's h2, no stray lists or quotes
    assert rendered.count("<h1>") == 1
    assert "<h1>not a heading" not in rendered and "<li>not a list" not in rendered
    assert "<blockquote>\n<p>not a quote" not in rendered
    if audience == "trainer":
        assert f"Question <style>body{{display:none}}</style> {shown}" in text
        assert f"Option <b>{shown}</b>" in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_quotes_are_kept_character_for_character(course: Course, lang: str) -> None:
    for fmt in FORMATS:
        page = page_of(course, lang, course.lesson_ids, "participants", fmt)
        quotes = "".join(page.chunks)
        for lid in course.lesson_ids:
            for q in course.lesson(lid, lang).sources:
                assert quoted(lang, q) in quotes, (fmt, q)
        assert sum(1 for tag, _ in page.tags if tag == "blockquote") == sum(
            len(course.lesson(lid, lang).sources) for lid in course.lesson_ids
        )


def test_markdown_lessons_are_sections_with_headings(course: Course) -> None:
    md = render_handout(course, "sv", PAIR, "trainer", "md")
    rendered = MarkdownIt("commonmark").render(md)
    for lid in PAIR:
        assert f"<h2>{escape(course.lesson(lid, 'sv').title)}</h2>" in rendered
    assert f"<h3>{LABELS['sv']['answer_key']}</h3>" in rendered
    assert md.endswith("\n") and not md.endswith("\n\n")


# --- the API -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({"audience": "managers"}, "'managers'"),
        ({"fmt": "pdf"}, "'pdf'"),
        ({"lang": "de"}, "'de'"),
        ({"lesson_ids": ("trust-culture", "no-such-lesson")}, "'no-such-lesson'"),
        ({"lesson_ids": ()}, "at least one lesson"),
    ],
)
def test_bad_arguments_are_one_clear_sentence(course: Course, args: dict[str, object], words: str) -> None:
    call: dict[str, object] = {"lang": "sv", "lesson_ids": PAIR, "audience": "trainer", "fmt": "html"} | args
    with pytest.raises(UsageError) as err:
        render_handout(course, **call)  # type: ignore[arg-type]
    message = str(err.value)
    assert words in message and message.endswith(".") and "\n" not in message


def test_a_lesson_asked_for_twice_is_shown_once(course: Course) -> None:
    page = page_of(course, "sv", ("hr-role", "hr-role", "trust-culture"), "participants", "html")
    assert page.lesson_order == ["hr-role", "trust-culture"]


def test_labels_exist_in_both_languages() -> None:
    assert set(LABELS["sv"]) == set(LABELS["en"])
    for lang in ("sv", "en"):
        assert all(value.strip() for value in LABELS[lang].values())
        assert len(LABELS[lang]["months"].split()) == 12
    assert LABELS["sv"]["answer_key"] == "Facit" and LABELS["sv"]["correct"] == "Rätt"


def test_write_handout_replaces_the_file_whole(course: Course, tmp_path: Path) -> None:
    target = tmp_path / "handout.html"
    target.write_text("old", encoding="utf-8")
    text = render_handout(course, "sv", PAIR, "participants", "html")
    with pytest.raises(storage.OutputRefused, match="already exists"):  # only when asked to replace it
        storage.write_new_file(target, text)
    assert target.read_text(encoding="utf-8") == "old"
    storage.write_new_file(target, text, replace=True)
    assert target.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir()] == ["handout.html"]


def test_the_handout_module_does_not_load_the_ui() -> None:
    code = (
        "import sys, course.render.handout\n"
        "ui = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') or m.startswith('course.tui')]\n"
        "assert not ui, ui[:5]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_an_exercise_task_is_in_both_handouts_and_its_notes_only_in_the_guide(course: Course) -> None:
    from course.trainer.plan import find_plan, read_plan

    plan = read_plan(find_plan("intro-90", course, "en"), course)
    task = next(b.task for b in plan.blocks if b.task)
    notes = next(b.notes for b in plan.blocks if b.kind == "exercise" and b.notes)
    for fmt in ("md", "html"):
        workbook = render_handout(course, "en", plan.lesson_ids(), "participants", fmt, plan)
        guide = render_handout(course, "en", plan.lesson_ids(), "trainer", fmt, plan)
        assert task.split(",")[0] in workbook and task.split(",")[0] in guide
        assert notes.split(".")[0] not in workbook
