"""Exports: one self-contained HTML file, literal Markdown, a faithful TOML copy, and the self-assessment chart."""

from __future__ import annotations

import os
import stat
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from course.content.companions import SelfAssessment, Statement
from course.content.loader import load_course
from course.content.model import Course
from course.errors import StorageError, UsageError
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection, Version
from course.learner.journal_query import JournalFilter, select, visible
from course.learner.practice import Assessment
from course.render.chart import assessment_svg
from course.render.export import FORMATS, read_toml_export, render
from course.store.storage import OutputRefused, write_new_file

from .conftest import REPO
from .journal_helpers import TZ

LESSON = "trust-culture"
SECOND = "seven-manager-behaviours"
BASE = datetime(2025, 5, 21, 12, 0, tzinfo=TZ)
HOSTILE = "[bold]not bold[/] [/ <script>alert('x')</script> & &amp; \x1b[31mred\x1b[0m \x07bell"
MARKDOWNISH = "# not a heading\n> not a quote\n- not a list\n1. not numbered\n[x](y) is no link\n```\n    indented"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """The course, with a self-assessment of three statements (one never rated, one label to escape)."""
    statements = (
        Statement("ethics", {"sv": "Etik & <omsorg>", "en": "Ethics & <care>"}, {}, ()),
        Statement("room", {"sv": "Handlingsutrymme", "en": "Room to act"}, {}, ()),
        Statement("unrated", {"sv": "Aldrig skattad", "en": "Never rated"}, {}, ()),
    )
    base = load_course(REPO)
    return replace(base, assessment=SelfAssessment({}, {}, statements))


def prompt_text(course: Course, lesson: str, prompt: str, lang: str) -> str:
    found = course.lesson(lesson, lang).prompt(prompt)
    assert found is not None
    return found.text


def journal() -> list[Reflection]:
    return [
        Reflection(
            "20250521-120000-aaaaaa",
            LESSON,
            "trust-and-control-week",
            HOSTILE,
            BASE,
            BASE + timedelta(hours=2),
            ("<b>&tag", "feedback"),
            True,
            (Version("An older <i>text</i>", BASE + timedelta(hours=1)),),
        ),
        Reflection("20250521-110000-bbbbbb", SECOND, "sharing-responsibility", MARKDOWNISH, BASE, BASE, ("team",)),
        Reflection(
            "20250519-090000-cccccc",
            SECOND,
            FOLLOW_UP_PROMPT,
            "Det gick bättre än väntat.",
            BASE - timedelta(days=2),
            BASE - timedelta(days=2),
            commitment="20250501-080000-123456",
        ),
        Reflection(
            "20250401-090000-dddddd", LESSON, "professional-judgement", "Old and plain.", BASE - timedelta(50), BASE
        ),
    ]


ASSESSMENTS = [
    Assessment("20250401-090000-a1a1a1", BASE - timedelta(days=50), {"ethics": 2, "room": 3}, {}),
    Assessment("20250501-090000-a2a2a2", BASE - timedelta(days=20), {"ethics": 3}, {"ethics": "Better."}),
    Assessment("20250521-090000-a3a3a3", BASE, {"ethics": 4, "room": 5}, {}),
]


class Page(HTMLParser):
    """Everything a test needs from an exported page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.articles: list[str] = []
        self.days: list[str] = []
        self.article_day: dict[str, str] = {}
        self.text_of: dict[str, list[str]] = {}  # article id -> its texts (data), in order
        self.class_stack: list[tuple[str, str]] = []
        self.data_by_class: dict[str, list[str]] = {}
        self.style = ""
        self._in_style = False
        self._article = ""
        self._day = ""
        self.comments: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "style":
            self._in_style = True
        if tag == "article":
            self._article = a.get("id") or ""
            self.articles.append(self._article)
            self.article_day[self._article] = self._day
            self.text_of[self._article] = []
        if tag == "time" and self.tags[-2][0] == "h2":
            self._day = a.get("datetime") or ""
            self.days.append(self._day)
        if tag not in ("br", "meta", "line", "circle", "polyline"):
            self.class_stack.append((tag, a.get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if tag == "article":
            self._article = ""
        while self.class_stack:
            if self.class_stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        if self._article:
            self.text_of[self._article].append(data)
        cls = self.class_stack[-1][1] if self.class_stack else ""
        self.data_by_class.setdefault(cls, []).append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def inside(self, article: str) -> str:
        return "".join(self.text_of[article])


# --- HTML --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_html_shows_every_selected_reflection_and_no_other(course: Course, lang: str) -> None:
    everything = journal()
    chosen = select(everything, JournalFilter(lesson=SECOND))
    page = Page(render(chosen, course, lang, "html"))
    assert page.articles == [f"r-{r.id}" for r in chosen] == ["r-20250521-110000-bbbbbb", "r-20250519-090000-cccccc"]
    for r in everything:
        if r not in chosen:
            assert f"r-{r.id}" not in page.articles
    starred = select(everything, JournalFilter(starred=True))
    assert Page(render(starred, course, lang, "html")).articles == ["r-20250521-120000-aaaaaa"]


def test_html_is_one_self_contained_file(course: Course) -> None:
    html = render(journal(), course, "sv", "html", ASSESSMENTS)
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>")
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert page.tags[0] == ("html", {"lang": "sv"})
    assert "://" not in html and "//" not in html.replace("<!--", "")  # no URL of any kind
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed", "base", "use", "image")
        for name, value in attrs.items():
            assert name not in ("href", "src", "srcset", "action", "xlink:href", "poster", "data")
            assert not name.startswith("on")
            assert "url(" not in (value or "")
    assert "url(" not in page.style and "@import" not in page.style and "@font-face" not in page.style
    assert "@media print" in page.style


def test_html_escapes_every_user_string(course: Course) -> None:
    html = render(journal(), course, "en", "html", title="<Mine> & [bold]")
    page = Page(html)
    assert "<script>" not in html and "<i>" not in html and "<b>&tag" not in html
    assert "\x1b" not in html and "\x07" not in html
    hostile = page.inside("r-20250521-120000-aaaaaa")
    assert visible(HOSTILE) in hostile, "the text reads exactly as written, escape sequences made visible"
    assert "␛[31mred" in hostile
    assert "An older <i>text</i>" in hostile
    assert "<b>&tag" in hostile
    assert page.data_by_class["tag"] == ["<b>&tag", "feedback", "team"]
    assert "<Mine> & [bold]" in page.data_by_class[""]  # the title
    assert MARKDOWNISH in page.inside("r-20250521-110000-bbbbbb")
    assert any("control characters" in c for c in page.comments), "the page says what happens to them"


def test_html_is_grouped_by_day_and_shows_lesson_prompt_tags_star_and_times(course: Course) -> None:
    page = Page(render(journal(), course, "sv", "html"))
    assert page.days == ["2025-05-21", "2025-05-19", "2025-04-01"]
    assert page.article_day == {
        "r-20250521-120000-aaaaaa": "2025-05-21",
        "r-20250521-110000-bbbbbb": "2025-05-21",
        "r-20250519-090000-cccccc": "2025-05-19",
        "r-20250401-090000-dddddd": "2025-04-01",
    }
    first = page.inside("r-20250521-120000-aaaaaa")
    assert course.lesson(LESSON, "sv").title in first
    assert prompt_text(course, LESSON, "trust-and-control-week", "sv") in first
    assert "★ Stjärnmärkt" in first and "Taggar:" in first
    assert "Skriven " + BASE.astimezone().strftime("%Y-%m-%d %H:%M") in first
    assert "ändrad " + (BASE + timedelta(hours=2)).astimezone().strftime("%Y-%m-%d %H:%M") in first
    assert "Tidigare versioner (1)" in first
    follow_up = page.inside("r-20250519-090000-cccccc")
    assert "Uppföljning av ett åtagande" in follow_up and "Stjärnmärkt" not in follow_up
    english = Page(render(journal(), course, "en", "html"))
    assert "Follow-up of a commitment" in english.inside("r-20250519-090000-cccccc")
    assert course.lesson(SECOND, "en").title in english.inside("r-20250521-110000-bbbbbb")


def test_html_includes_the_chart_only_with_assessments(course: Course) -> None:
    without = Page(render(journal(), course, "sv", "html"))
    assert not any(tag == "svg" for tag, _ in without.tags)
    page = Page(render(journal(), course, "sv", "html", ASSESSMENTS))
    assert [tag for tag, _ in page.tags].count("svg") == 1
    assert [tag for tag, _ in page.tags].count("circle") == 5  # ethics 3 points, room 2
    assert "Självskattning över tid" in page.data_by_class[""] + page.data_by_class["assessment-section"]
    assert "Etik & <omsorg>" in page.data_by_class["ch-label"]


def test_an_empty_export_says_so(course: Course) -> None:
    page = Page(render([], course, "en", "html"))
    assert page.articles == []
    assert "No reflections to show." in page.data_by_class[""]
    assert "No reflections to show." in render([], course, "en", "md")


def test_a_lesson_no_longer_in_the_course_shows_its_id(course: Course) -> None:
    gone = Reflection("20250521-120000-eeeeee", "retired-lesson", "some-prompt", "Still mine.", BASE, BASE)
    page = Page(render([gone], course, "en", "html"))
    assert "retired-lesson" in page.inside("r-20250521-120000-eeeeee")
    assert "some-prompt" in page.inside("r-20250521-120000-eeeeee")


# --- Markdown ------------------------------------------------------------------------------------------


def test_markdown_keeps_user_text_literal(course: Course) -> None:
    md = render(journal(), course, "sv", "md")
    tokens = MarkdownIt("commonmark").parse(md)
    paragraphs = [  # as a reader sees them: a line break is a line break, leading spaces are no-break spaces
        "".join("\n" if c.type in ("hardbreak", "softbreak") else c.content for c in t.children or [])
        for t in tokens
        if t.type == "inline"
    ]
    for r in journal():  # prose, not code: every reflection reads exactly as written
        assert visible(r.text).replace("    ", "\u00a0" * 4) in paragraphs, r.id
    assert "An older <i>text</i>" in paragraphs
    kinds = {t.type for t in tokens}
    assert not kinds & {"blockquote_open", "bullet_list_open", "ordered_list_open", "html_block", "hr"}
    assert not kinds & {"fence", "code_block"}
    inline = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not {c.type for c in inline} & {"link_open", "html_inline", "strong_open", "image"}
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == [
        "Reflektionsdagbok",
        "2025-05-21",
        course.lesson(LESSON, "sv").title,
        "Tidigare versioner (1)",
        course.lesson(SECOND, "sv").title,
        "2025-05-19",
        course.lesson(SECOND, "sv").title,
        "2025-04-01",
        course.lesson(LESSON, "sv").title,
    ]
    assert "\x1b" not in md
    texts = "".join(c.content for c in inline if c.type == "text")
    assert "Taggar: <b>&tag, feedback" in texts, "tags are escaped so they read as written"
    assert prompt_text(course, LESSON, "trust-and-control-week", "sv") in texts


def test_markdown_fences_outlast_backticks_in_the_text(course: Course) -> None:
    tricky = Reflection("20250521-120000-ffffff", LESSON, "professional-judgement", "a\n````\nb\n```", BASE, BASE)
    tokens = MarkdownIt("commonmark").parse(render([tricky], course, "en", "md"))
    assert not [t for t in tokens if t.type in ("fence", "code_block")]  # backticks in prose are escaped
    [para] = [t for t in tokens if t.type == "inline" and t.content.startswith("a")]
    assert "".join("\n" if c.type == "hardbreak" else c.content for c in para.children or []) == "a\n````\nb\n```"


# --- TOML ----------------------------------------------------------------------------------------------


def test_toml_has_every_field_and_round_trips(course: Course, tmp_path: Path) -> None:
    everything = journal()
    text = render(everything, course, "en", "toml", ASSESSMENTS, title="Mine")
    data = tomllib.loads(text)
    assert data["schema"] == 1 and data["export_format"] == 1
    assert (data["course"], data["lang"], data["title"]) == (course.id, "en", "Mine")
    first = data["reflection"][0]
    assert set(first) == {
        "id", "lesson", "prompt", "created", "updated", "text", "tags", "starred", "versions", "commitment",
        "lesson_title", "prompt_text",
    }  # fmt: skip
    assert first["text"] == HOSTILE, "TOML keeps the text exactly, escape characters included"
    assert first["versions"] == [{"text": "An older <i>text</i>", "saved": BASE + timedelta(hours=1)}]
    assert first["lesson_title"] == course.lesson(LESSON, "en").title
    assert data["reflection"][2]["prompt_text"] == "Follow-up of a commitment"
    assert data["reflection"][2]["commitment"] == "20250501-080000-123456"
    assert read_toml_export(text, tmp_path / "x.toml") == everything
    assert [a["ratings"] for a in data["assessment"]] == [a.ratings for a in ASSESSMENTS]
    assert data["assessment"][1]["notes"] == {"ethics": "Better."}


def test_an_unknown_format_is_refused(course: Course) -> None:
    assert FORMATS == ("md", "html", "toml")
    with pytest.raises(UsageError, match="not an export format"):
        render(journal(), course, "en", "pdf")


# --- writing ------------------------------------------------------------------------------------------


def test_write_is_atomic_and_private(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        target = tmp_path / "journal.html"
        target.write_text("the previous export", encoding="utf-8")
        with pytest.raises(OutputRefused, match="already exists"):  # replaced only when asked to
            write_new_file(target, "<p>new ✓</p>\n")
        write_new_file(target, "<p>new ✓</p>\n", replace=True)
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "<p>new ✓</p>\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.html"], "no temp file left"


def test_write_into_a_missing_folder_fails_with_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as caught:
        write_new_file(tmp_path / "missing" / "journal.md", "text")
    message = str(caught.value)
    assert message.startswith("The folder") and message.endswith(".") and "\n" not in message


# --- the chart ------------------------------------------------------------------------------------------


def test_chart_is_well_formed_svg_with_a_chart_per_behaviour() -> None:
    series = [
        ("Ethics & <care>", [(date(2025, 4, 1), 2), (date(2025, 5, 1), 3), (date(2025, 5, 21), 4)]),
        ("One point", [(date(2025, 5, 21), 5)]),
        ("No points", []),
        ("Esc\x1b[31m label", [(date(2025, 5, 1), 1)]),
    ]
    svg = assessment_svg(series, "en")
    root = ET.fromstring(svg)  # well-formed XML: escaped labels, no raw control characters
    assert root.tag == "svg" and root.get("role") == "img"
    charts = root.findall("g")
    assert len(charts) == 4
    labels = [g.find("text[@class='ch-label']") for g in charts]
    assert [x.text for x in labels if x is not None] == ["Ethics & <care>", "One point", "No points", "Esc␛[31m label"]
    values = [[t.text for t in g.findall("text[@class='ch-value']")] for g in charts]
    assert values == [["2", "3", "4"], ["5"], [], ["1"]], "every point carries its value as text"
    assert [len(g.findall("circle")) for g in charts] == [3, 1, 0, 1]
    assert [len(g.findall("polyline")) for g in charts] == [1, 0, 0, 0]
    dates = [t.text for t in charts[0].findall("text[@class='ch-date']")]
    assert dates[0] == "2025-04-01" and dates[-1] == "2025-05-21"
    change = charts[0].find("text[@class='ch-change']")
    assert change is not None and change.text == "2 → 4"
    empty = charts[2].find("text[@class='ch-empty']")
    assert empty is not None and empty.text == "No ratings yet"
    assert "://" not in svg
    assert assessment_svg(series, "sv").count("Inga skattningar än") == 1


def test_chart_points_go_up_with_the_rating() -> None:
    root = ET.fromstring(assessment_svg([("x", [(date(2025, 1, 1), 1), (date(2025, 2, 1), 5)])], "en"))
    low, high = (float(c.get("cy") or 0) for c in root.iter("circle"))
    assert high < low, "a higher rating is drawn higher up"
