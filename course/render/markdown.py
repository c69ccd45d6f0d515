"""Text from the course, a plan or a person written into Markdown so that it reads exactly as written.

The one Markdown escaper of Tillit (the journal export and the handouts both use it): `inline` for a
text inside one line (a heading, a list item, a paragraph of one line), `prose` for a person's own
text, kept as paragraphs with its line breaks. Either way nothing in the text becomes structure, markup
or a link, and control characters are made visible first (course.content.terminal_text.visible).
"""

from __future__ import annotations

import re

from course.content.terminal_text import visible

_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~#"})
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # only an & that would start an entity (&amp; &#65;) acts
_BREAKS = re.compile(r"[ \t]*\n\s*")
_NUMBERED = re.compile(r"^(\d{1,9})([.)])")


def _escaped(one: str) -> str:
    """One line, escaped: every character Markdown acts on, and whatever would start a block (-, +, =, 1. or 1))."""
    one = _ENTITY.sub(r"\\&", one.translate(_SPECIAL))
    if one[:1] in ("-", "+", "="):
        return "\\" + one
    return _NUMBERED.sub(r"\1\\\2", one)


def inline(text: str) -> str:
    """`text` on one line, shown literally: its line breaks become spaces, the characters Markdown acts
    on are escaped, and so is whatever would start a block at the beginning (-, +, =, 1. or 1))."""
    return _escaped(_BREAKS.sub(" ", visible(text)).strip())


def _line(text: str) -> str:
    """One line of a person's text, escaped: its indentation kept as no-break spaces (four spaces would
    start a code block), its trailing spaces dropped (two would be a line break of their own)."""
    body = text.lstrip(" \t")
    indent = text[: len(text) - len(body)].replace("\t", "    ")
    return "\u00a0" * len(indent) + _escaped(body.rstrip())


def prose(text: str) -> list[str]:
    """A person's own text as Markdown paragraphs that read as written, not as code: each line escaped as
    `inline` escapes it (no heading, list, quote, code, table, link or markup can start), a line break
    inside a paragraph kept as a hard break (a backslash at the end of the line), empty lines between
    paragraphs kept as one. The lines to add to a document, without an empty line around them."""
    out: list[str] = []
    paragraph: list[str] = []
    for line in [*visible(text).split("\n"), ""]:
        if line.strip():
            paragraph.append(_line(line))
            continue
        if paragraph:
            if out:
                out.append("")
            out += [f"{kept}\\" for kept in paragraph[:-1]] + [paragraph[-1]]
            paragraph = []
    return out
