"""HTML documents (the journal export, the handouts, the group report) from the Jinja2 templates in
course/render/templates: one base layout, one print stylesheet, one template per document.

Every value a template writes is made inert and escaped, whatever the template says: control
characters and bidi controls become visible symbols (course.content.terminal_text.visible), then
`& < > " '` become entities, so text from a course folder, a plan, a share file or a journal is only
ever shown. Only the templates' own markup and what their macros return (Markup) are written as they
are; there is no `safe` filter to mark a value otherwise. A name that no template was given is an
error (StrictUndefined), never an empty string.

Jinja2 is imported when the first document is made, not before: nothing at start-up pays for it.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.content.terminal_text import visible

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


def inert(value: object) -> str:
    """`value` as HTML text: control characters and bidi controls made visible, then escaped."""
    return html.escape(visible(str(value)), quote=True)


def one_line(value: object) -> str:
    """`value` on one line: control characters made visible, then every run of white space one space."""
    return " ".join(visible(str(value)).split())


def _finalize(value: object) -> object:
    from markupsafe import Markup

    if isinstance(value, Markup):  # the templates' own markup: a macro's output
        return value
    return Markup(inert(value))


@cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment for Tillit's documents, made on first use."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["one_line"] = one_line
    del env.filters["safe"]  # nothing a document shows may bypass _finalize
    return env


def render(template: str, **context: Any) -> str:
    """The document that `template` (a file in course/render/templates) makes of `context`."""
    return environment().get_template(template).render(**context)
