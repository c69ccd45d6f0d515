"""The About page and the self-assessment: read, checked line by line, and shown."""

from __future__ import annotations

from pathlib import Path

from course.content.companions import about_text
from course.content.loader import check_course, load_course
from course.content.model import Course

ABOUT = """schema = 1

[origin]
sv = "Kursen bygger på en intervju."
en = "The course draws on an interview."

[[term]]
sv = "tillit"
en = "trust"

[[term]]
sv = "detaljstyrning"
en = "micromanagement"
[term.note]
sv = "När varje steg styrs uppifrån."
en = "When every step is steered from above."

[[reading]]
cite = "McGregor, D. (1960). The Human Side of Enterprise."
[reading.about]
sv = "Teori X och teori Y."
en = "Theory X and Theory Y."
"""

ASSESSMENT = """schema = 1

[intro]
sv = "Hur väl stämmer det?"
en = "How true is it?"

[scale]
sv = ["1", "2", "3", "4", "5"]
en = ["1", "2", "3", "4", "5"]

[[statement]]
id = "ethics-and-care"
lessons = ["seven-manager-behaviours"]
[statement.behaviour]
sv = "Etik och omtanke"
en = "Ethics and care"
[statement.text]
sv = "Jag håller det jag lovar."
en = "I keep my promises."
"""


def write(course_copy: Path, about: str = ABOUT, assessment: str = ASSESSMENT) -> None:
    (course_copy / "lessons" / "about.toml").write_text(about, encoding="utf-8")
    (course_copy / "lessons" / "self-assessment.toml").write_text(assessment, encoding="utf-8")


def test_a_course_without_them_is_fine(course_copy: Path) -> None:
    for name in ("about.toml", "self-assessment.toml"):
        (course_copy / "lessons" / name).unlink(missing_ok=True)
    course = load_course(course_copy)
    assert course.about is None and course.assessment is None


def test_they_load(course_copy: Path) -> None:
    write(course_copy)
    course = load_course(course_copy)
    assert course.about is not None and course.assessment is not None
    assert [t.names["en"] for t in course.about.terms] == ["trust", "micromanagement"]
    assert course.about.terms[1].notes["sv"] == "När varje steg styrs uppifrån."
    assert course.assessment.statements[0].lessons == ("seven-manager-behaviours",)
    assert course.assessment.scale["en"] == ("1", "2", "3", "4", "5")


def test_about_text_shows_origin_glossary_reading_and_data(course_copy: Path, tmp_path: Path) -> None:
    write(course_copy)
    course = load_course(course_copy)
    text = about_text(course, "sv", tmp_path / "data", "9.9")
    assert "Kursen bygger på en intervju." in text
    assert "  detaljstyrning – micromanagement" in text
    assert "När varje steg styrs uppifrån." in text
    assert "McGregor, D. (1960). The Human Side of Enterprise." in text
    assert str(tmp_path / "data") in text and "Tillit 9.9" in text
    english = about_text(course, "en", tmp_path / "data", "9.9")
    assert "  micromanagement – detaljstyrning" in english and "Further reading" in english


def problems_for(course_copy: Path, about: str = ABOUT, assessment: str = ASSESSMENT) -> list[str]:
    write(course_copy, about, assessment)
    return [f"{p.file.name}:{p.line}: {p.problem}" for p in check_course(course_copy)]


def test_a_missing_language_is_reported_with_its_line(course_copy: Path) -> None:
    broken = ABOUT.replace('en = "micromanagement"\n', "")
    assert problems_for(course_copy, about=broken) == ["about.toml:11: term 2 does not name the term in every language"]


def test_a_reading_without_citation(course_copy: Path) -> None:
    broken = ABOUT.replace('cite = "McGregor, D. (1960). The Human Side of Enterprise."\n', "")
    assert problems_for(course_copy, about=broken) == ["about.toml:18: reading 1 has no citation"]


def test_a_statement_naming_an_unknown_lesson(course_copy: Path) -> None:
    broken = ASSESSMENT.replace('lessons = ["seven-manager-behaviours"]', 'lessons = ["no-such-lesson"]')
    assert problems_for(course_copy, assessment=broken) == [
        "self-assessment.toml:13: statement 'ethics-and-care' names lesson 'no-such-lesson', which is not in the course"
    ]


def test_the_scale_needs_five_labels(course_copy: Path) -> None:
    broken = ASSESSMENT.replace('en = ["1", "2", "3", "4", "5"]', 'en = ["1", "2", "3"]')
    assert problems_for(course_copy, assessment=broken) == ["self-assessment.toml:7: [scale] needs 5 labels for 'en'"]


def test_a_statement_text_missing_a_language(course_copy: Path) -> None:
    broken = ASSESSMENT.replace('en = "I keep my promises."\n', "")
    assert problems_for(course_copy, assessment=broken) == [
        "self-assessment.toml:17: [statement.text] has no text for 'en'"
    ]


def test_sources_must_be_the_same_in_every_language(course_copy: Path, course: Course) -> None:
    path = course_copy / "lessons" / "en" / "trust-culture.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Tillit skapar trygghet.", "Trust creates safety."), encoding="utf-8"
    )
    found = [p for p in check_course(course_copy) if p.file == path]
    assert [p.problem for p in found] == ["its sources differ from the sv lesson's"]
    assert path.read_text(encoding="utf-8").splitlines()[found[0].line - 1].startswith("sources")
