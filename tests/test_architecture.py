"""The house's rules that a test can check (docs/architecture.md): wings that say what they are, no
Python module that builds an HTML document, modules of a readable size."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "course"
WINGS = ("content", "learner", "store", "trainer", "render", "cli", "web", "tui")
MAX_LINES = 650  # "no module over about 600 lines"
HTML_DOCUMENT = re.compile(r"<!doctype|<html[\s>]|<body[\s>]|<head>", re.IGNORECASE)


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "builtin" not in p.parts)


def test_each_wing_says_in_one_sentence_what_it_is_and_holds_nothing_else() -> None:
    for wing in WINGS:
        init = PACKAGE / wing / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc is not None and len(tree.body) == 1, f"{init}: only a docstring"
        assert doc.count(". ") == 0 and doc.endswith("."), f"{init}: one sentence, not {doc!r}"


def test_only_errors_and_the_entry_points_sit_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "errors.py"]


def test_no_python_module_builds_an_html_document() -> None:
    """HTML documents come from the Jinja2 templates in course/render/templates/, with autoescape."""
    found = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
            if text is not None and id(node) not in docstrings and HTML_DOCUMENT.search(text):
                found.append(f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}")
    assert found == []


def test_the_check_finds_a_page_built_in_strings() -> None:
    assert HTML_DOCUMENT.search('return f"<!DOCTYPE html><html lang={lang}>"')
    assert not HTML_DOCUMENT.search("<p>a paragraph is not a document</p>")


def test_no_module_is_over_about_600_lines() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by job: {long}"
