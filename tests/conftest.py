"""Shared fixtures: every test gets its own data folder and never sees a developer's own settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from course.content.loader import load_course
from course.content.model import Course

from .journal_helpers import Clock

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep real user data and locale out of every test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("TILLIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("TILLIT_DATA", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A test clock for everything a Study and its practice record: each saved thing a second after the one before."""
    fake = Clock()
    monkeypatch.setattr("course.learner.study.now", fake)
    monkeypatch.setattr("course.learner.practice.now", fake)
    return fake


@pytest.fixture(scope="session")
def course() -> Course:
    """The built-in course."""
    return load_course(REPO)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder for one test."""
    return tmp_path / "data"


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in course (lessons/ and quizzes/) to break on purpose."""
    import shutil

    root = tmp_path / "course"
    root.mkdir()
    shutil.copytree(REPO / "lessons", root / "lessons")
    shutil.copytree(REPO / "quizzes", root / "quizzes")
    return root
