"""`--lang` for every command: the languages of the course in use and of every UI catalog, found from
the command line before it is parsed (so `tillit --course DIR --lang fi` takes a language that course
brings, and `--help` lists the built-in course's languages in its order: {sv,en})."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

_choices: tuple[str, ...] = ()


def course_in(argv: Sequence[str]) -> Path:
    """The course folder `argv` names with --course (the last one, as argparse takes it), else the built-in."""
    from course.store.paths import builtin_course_dir

    named: str | None = None
    tokens = iter(argv)
    for token in tokens:
        if token == "--course":
            named = next(tokens, named)
        elif token.startswith("--course="):
            named = token.split("=", 1)[1]
    if named is None or not named.strip():
        return builtin_course_dir()
    try:
        return Path(named).expanduser().absolute()
    except (OSError, RuntimeError):  # a deleted current folder, or ~user unknown: parsing will say so
        return builtin_course_dir()


def find_languages(argv: Sequence[str]) -> tuple[str, ...]:
    """The languages `--lang` takes with this command line; read once, before the parsers are built."""
    from course.content.catalogs import lang_choices

    global _choices
    _choices = lang_choices(course_in(argv))
    return _choices


def add_force(parser: argparse.ArgumentParser, what: str = "FILE") -> None:
    """`--force`: the one way to let a command replace a file that is there already (see storage.write_new_file)."""
    parser.add_argument("--force", action="store_true", help=f"replace {what} if it exists (else it is left as it is)")


def add_lang(parser: argparse.ArgumentParser, help: str, suppress: bool = True) -> None:
    """A `--lang` option taking the languages `find_languages` found."""
    parser.add_argument("--lang", choices=_choices, default=argparse.SUPPRESS if suppress else None, help=help)
