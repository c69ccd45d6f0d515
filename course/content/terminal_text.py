"""Text made inert for a terminal or a page: characters that could act on a terminal, or reorder text, shown as symbols.

Everything Tillit shows that came from a file or a person (a course folder, a session plan, a
participant's share file, the learner's own reflections) passes through `visible` before it reaches a
terminal or an HTML page, so it is shown and can never act. Pure functions, no Textual or Rich.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

T = TypeVar("T")

_INERT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_DEL = 0x7F
_C1_END = 0x9F


def _symbol(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture": ESC shows as ␛, BEL as ␇
    if code == _DEL:
        return "\u2421"  # ␡
    if code <= _C1_END:
        return "\ufffd"  # �: C1 controls are almost always text decoded with the wrong code page
    return f"⟨U+{code:04X}⟩"  # a bidi control, named where it stands


def visible(text: str) -> str:
    """`text` with nothing left in it that a terminal would obey or that would reorder the text around it.

    - C0 control characters other than newline and tab (ESC, BEL, CR, backspace, …) become their
      control pictures: ESC shows as ␛, so an escape sequence (OSC 0/2 title, OSC 52 clipboard,
      CSI 2J, the alternate screen) is shown as typed and never run;
    - DEL becomes ␡;
    - C1 controls (U+0080–U+009F, among them the 8-bit CSI U+009B and OSC U+009D) become �;
    - the bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are shown by
      name, as ⟨U+202E⟩, so a right-to-left override cannot make a name or a reflection read as
      something else, in the terminal or in a page. Right-to-left letters themselves, and the
      invisible marks U+200E, U+200F and U+061C (which cannot override strong letters), are kept.

    Newlines, tabs and every printable character (markup such as `[bold]` or `<b>` included) are
    kept as they are; a text that holds none of the above is returned unchanged, and applying it
    twice gives the same as once.
    """
    return _INERT.sub(_symbol, text)


def visible_all(value: T) -> T:
    """`value` with every text inside it made `visible`: frozen dataclasses, tuples, lists and the
    values of dicts are walked (dict keys, which are ids, are kept); anything else is kept as it is.

    Used once where a course or a session plan is read, so that no screen or page has to remember it.
    """
    return _walk(value)  # type: ignore[no-any-return]


def _walk(value: Any) -> Any:
    """`value` made visible; the very same object when nothing in it needed to change (the usual case)."""
    if isinstance(value, str):
        return visible(value) if _INERT.search(value) else value
    if isinstance(value, tuple | list):
        items = [_walk(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        changed = {k: w for k, v in value.items() if (w := _walk(v)) is not v}
        return {**value, **changed} if changed else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if f.init:
                old = getattr(value, f.name)
                new = _walk(old)
                if new is not old:
                    changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
