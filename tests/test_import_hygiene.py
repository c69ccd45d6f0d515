"""The domain never loads Textual or Rich: only course.tui may, and only when the TUI opens."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO

DOMAIN = [
    "course",
    "course.errors",
    "course.paths",
    "course.storage",
    "course.content",
    "course.quiz",
    "course.progress",
    "course.journal",
    "course.journal_query",
    "course.export",
    "course.chart",
    "course.study",
    "course.practice",
    "course.i18n",
    "course.cli",
    "course.cli_trainer",
    "course.plan",
    "course.present",
    "course.handout",
    "course.share",
    "course.results",
    "course.parsecache",
]

CHECK = """
import sys
import {module}
ui = sorted(m for m in sys.modules if m in ("textual", "rich") or m.startswith(("textual.", "rich.", "course.tui")))
assert not ui, "importing {module} loaded " + ", ".join(ui[:5])
"""


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_does_not_import_the_ui(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_reading_the_course_does_not_import_the_ui() -> None:
    # Headings use markdown-it lazily; that must not drag in Rich either.
    code = (
        "from course.content import load_course\n"
        "from course.paths import builtin_course_dir\n"
        "c = load_course(builtin_course_dir())\n"
        "assert all(l.headings for l in c.lessons.values())\n" + CHECK.format(module="course.study")
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_check_is_able_to_fail() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(module="course.tui.app")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "loaded" in done.stderr
