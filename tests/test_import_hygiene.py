"""The domain never loads Textual or Rich: only course.tui may, and only when the TUI opens."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO

FACES_WITH_UI = ("course.tui",)  # the only wing that may load Textual (and only when the app opens)


def domain_modules() -> list[str]:
    """Every module of the package outside course.tui, found on disk: a new module is checked by itself."""
    found = []
    for path in sorted((REPO / "course").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__main__":
            continue  # running it starts the command line
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith(FACES_WITH_UI) and "builtin" not in parts:
            found.append(name)
    return found


CHECK = """
import importlib, sys
for module in {modules!r}:
    importlib.import_module(module)
    ui = sorted(m for m in sys.modules if m in ("textual", "rich") or m.startswith(("textual.", "rich.", "course.tui")))
    assert not ui, "importing " + module + " loaded " + ", ".join(ui[:5])
    # Jinja2 costs start-up time: the render wing loads it only when a document is made.
    assert "jinja2" not in sys.modules, "importing " + module + " loaded jinja2"
"""


def test_the_list_holds_every_wing() -> None:
    modules = domain_modules()
    for wing in ("content", "learner", "store", "trainer", "render", "cli", "web"):
        assert any(m.startswith(f"course.{wing}.") for m in modules), wing
    assert "course.cli.main" in modules and "course.i18n" in modules
    assert not any(m.startswith("course.tui") for m in modules)


def test_no_domain_module_imports_the_ui() -> None:
    """One process imports every module in turn, and names the first that loads Textual or Rich."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(modules=domain_modules())],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_reading_the_course_does_not_import_the_ui() -> None:
    # Headings use markdown-it lazily; that must not drag in Rich either.
    code = (
        "from course.content.loader import load_course\n"
        "from course.store.paths import builtin_course_dir\n"
        "c = load_course(builtin_course_dir())\n"
        "assert all(l.headings for l in c.lessons.values())\n" + CHECK.format(modules=["course.learner.study"])
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_check_is_able_to_fail() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(modules=["course.store.storage", "course.tui.app"])],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "importing course.tui.app loaded" in done.stderr
