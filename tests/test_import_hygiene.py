"""The domain never loads Textual or Rich: only course.tui may, and only when the TUI opens."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO

DOMAIN = [
    "course",
    "course.errors",
    "course.store.paths",
    "course.store.storage",
    "course.content.loader",
    "course.content.quiz",
    "course.learner.progress",
    "course.learner.journal",
    "course.learner.journal_query",
    "course.render.export",
    "course.render.chart",
    "course.learner.study",
    "course.learner.practice",
    "course.i18n",
    "course.cli.main",
    "course.cli.trainer",
    "course.trainer.plan",
    "course.trainer.present",
    "course.render.handout",
    "course.learner.share",
    "course.trainer.results",
    "course.content.parsecache",
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
        "from course.content.loader import load_course\n"
        "from course.store.paths import builtin_course_dir\n"
        "c = load_course(builtin_course_dir())\n"
        "assert all(l.headings for l in c.lessons.values())\n" + CHECK.format(module="course.learner.study")
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
