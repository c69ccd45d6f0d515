"""What fits on a narrow terminal: the widest a text runs, and a footer that keeps F1 and Escape and drops
the keys it has no room for (F1's help lists every key anyway)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

if TYPE_CHECKING:
    from textual.binding import ActiveBinding
    from textual.screen import Screen

MEASURE = 100
"""The widest a quiz's text runs (as a lesson's does, tillit.tcss #lesson-view Markdown): long lines are
hard to read on a wide terminal."""

FOOTER_FIRST = ("help", "back")
"""The actions a quiz footer always shows (F1 and Escape); the others follow while they fit, and F1's
help lists every key anyway."""


def fitted_bindings(screen: Screen[Any], bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """`bindings` with show=False on those the footer has no room for at the screen's width.

    F1 and Escape always stay; the others are kept in the order the screen lists them (its own keys
    first, then the app's) while they fit, so a narrow terminal never shows a key without its label."""
    shown: dict[str, list[str]] = {}  # action -> its keys (f1 and ? are one footer entry)
    for key, active in bindings.items():
        if active.binding.show:
            shown.setdefault(active.binding.action, []).append(key)
    room = screen.app.size.width

    def width(action: str) -> int:
        binding = bindings[shown[action][0]].binding
        # A footer entry is " key description " (FooterKey's paddings), one after the other.
        return cell_len(screen.app.get_key_display(binding)) + cell_len(binding.description) + 3

    ranked = [a for a in FOOTER_FIRST if a in shown] + [a for a in shown if a not in FOOTER_FIRST]
    keep: set[str] = set()
    used = 0
    for action in ranked:
        if action in FOOTER_FIRST or used + width(action) <= room:
            keep.add(action)
            used += width(action)
    out = dict(bindings)
    for action, keys in shown.items():
        if action not in keep:
            for key in keys:
                active = out[key]
                out[key] = active._replace(binding=replace(active.binding, show=False))
    return out
