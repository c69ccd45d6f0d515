"""The text of an HTML fragment, for the [html] questions of a Moodle GIFT question bank (course.content.gift)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final


class _TextOnly(HTMLParser):
    """The text of an HTML fragment: tags dropped, entities decoded, block elements on lines of their own."""

    BREAKS: Final = frozenset(
        {"br", "p", "div", "tr", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BREAKS:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BREAKS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def text_of_html(text: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, block elements on lines of their own,
    the alternative text of a picture in brackets; scripts and styles left out."""
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)
