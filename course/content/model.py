"""The course as data: a course, its lessons, their headings and reflection prompts (frozen, read once)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from course.content.companions import About, SelfAssessment
from course.content.quiz import Quiz

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ID = 64


def valid_id(value: object) -> bool:
    """True for a stable, lower-case kebab-case ASCII id that is safe to use in a file name."""
    return isinstance(value, str) and len(value) <= MAX_ID and ID_RE.fullmatch(value) is not None


@dataclass(frozen=True)
class Prompt:
    """A reflection prompt or a discussion question."""

    id: str
    text: str


@dataclass(frozen=True)
class Heading:
    """A heading of a lesson body, for the table of contents."""

    level: int
    text: str


@dataclass(frozen=True)
class Lesson:
    """One lesson in one language."""

    id: str
    lang: str
    title: str
    summary: str
    minutes: int
    objectives: tuple[str, ...]
    key_points: tuple[str, ...]
    sources: tuple[str, ...]
    notes: str
    prompts: tuple[Prompt, ...]
    discussions: tuple[Prompt, ...]
    body: str
    path: Path

    @property
    def headings(self) -> tuple[Heading, ...]:
        """The body's headings, in order."""
        from markdown_it import MarkdownIt

        tokens = MarkdownIt("commonmark").parse(self.body)
        found: list[Heading] = []
        for i, tok in enumerate(tokens):
            if tok.type == "heading_open" and i + 1 < len(tokens):
                found.append(Heading(int(tok.tag[1:]), tokens[i + 1].content))
        return tuple(found)

    def prompt(self, prompt_id: str) -> Prompt | None:
        """The reflection prompt with this id, if the lesson has it."""
        return next((p for p in self.prompts if p.id == prompt_id), None)


@dataclass(frozen=True)
class Course:
    """A whole course: the manifest and every lesson and quiz in every language."""

    root: Path
    id: str
    languages: tuple[str, ...]
    lesson_ids: tuple[str, ...]
    titles: dict[str, str]
    descriptions: dict[str, str]
    source: dict[str, str]
    lessons: dict[tuple[str, str], Lesson] = field(repr=False)
    quizzes: dict[tuple[str, str], Quiz] = field(repr=False)
    about: About | None = field(default=None, repr=False)
    assessment: SelfAssessment | None = field(default=None, repr=False)

    def pick_lang(self, lang: str) -> str:
        """The language to show: the one asked for when the course has it, else the fallback."""
        return lang if lang in self.languages else self.languages[0]

    def lesson(self, lesson_id: str, lang: str) -> Lesson:
        """A lesson in the wanted language, falling back to the course's first language."""
        found = self.lessons.get((lesson_id, lang)) or self.lessons.get((lesson_id, self.languages[0]))
        if found is None:
            raise KeyError(lesson_id)
        return found

    def quiz(self, lesson_id: str, lang: str) -> Quiz | None:
        """A lesson's quiz in the wanted language (falling back), or None when it has none."""
        return self.quizzes.get((lesson_id, lang)) or self.quizzes.get((lesson_id, self.languages[0]))

    def title(self, lang: str) -> str:
        """The course title in a language."""
        return self.titles.get(lang) or self.titles.get(self.languages[0], self.id)

    def neighbours(self, lesson_id: str) -> tuple[str | None, str | None]:
        """The previous and next lesson ids in course order."""
        i = self.lesson_ids.index(lesson_id)
        prev_id = self.lesson_ids[i - 1] if i > 0 else None
        next_id = self.lesson_ids[i + 1] if i + 1 < len(self.lesson_ids) else None
        return prev_id, next_id


# --- reading, with every problem collected -------------------------------------------------------
