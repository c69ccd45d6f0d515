"""Text from the course, a plan or a person written into Markdown so that it reads exactly as written.

The one Markdown escaper of Tillit (the journal export and the handouts both use it): `inline` for a
text inside one line (a heading, a list item, a paragraph of one line), `fenced` for a person's own
text, kept line by line in a fenced block. Either way nothing in the text becomes structure, markup
or a link, and control characters are made visible first (course.content.terminal_text.visible).
"""

from __future__ import annotations

import re

from course.content.terminal_text import visible

_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~#"})
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # only an & that would start an entity (&amp; &#65;) acts
_BREAKS = re.compile(r"[ \t]*\n\s*")
_NUMBERED = re.compile(r"^(\d{1,9})([.)])")


def inline(text: str) -> str:
    """`text` on one line, shown literally: its line breaks become spaces, the characters Markdown acts
    on are escaped, and so is whatever would start a block at the beginning (-, +, =, 1. or 1))."""
    one = _BREAKS.sub(" ", visible(text)).strip()
    one = _ENTITY.sub(r"\\&", one.translate(_SPECIAL))
    if one[:1] in ("-", "+", "="):
        return "\\" + one
    return _NUMBERED.sub(r"\1\\\2", one)


def fenced(text: str) -> list[str]:
    """`text` as the lines of a fenced block: nothing in it is Markdown (not #, >, -, 1. or [x](y)), its
    line breaks kept; the fence is longer than any run of backticks in the text."""
    body = visible(text)
    longest = run = 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *body.split("\n"), fence]
