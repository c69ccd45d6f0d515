"""Finding reflections: forgiving full-text search, filters, grouping by day, "then and now", and how two texts
differ (pure functions)."""

from __future__ import annotations

import difflib
import re
import sys
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from course.content.terminal_text import visible as visible  # re-exported: the journal commands show texts with it
from course.learner.journal import Reflection, tag_order

_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 200_000  # texts; about the journal's size several times over, then it starts afresh


_BMP_END = 0xFFFF
_MARKS: dict[bool, re.Pattern[str]] = {}


def _marks(astral: bool) -> re.Pattern[str]:
    """A regex of every combining mark (in the Basic Multilingual Plane only, unless `astral`).

    Built on first use from unicodedata (the whole of Unicode takes about 75 ms to scan, the BMP a
    few), because removing marks with one regex is five times faster than a per-character table.
    """
    found = _MARKS.get(astral)
    if found is None:
        top = sys.maxunicode if astral else _BMP_END
        ranges: list[list[int]] = []
        for code in range(0x300, top + 1):
            if unicodedata.combining(chr(code)):
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1][1] = code
                else:
                    ranges.append([code, code])
        body = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
        found = _MARKS[astral] = re.compile(f"[{body}]")
    return found


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """Text as search compares it: case-folded, diacritics removed ("Återkoppling" -> "aterkoppling", "ö" -> "o").

    NFKD-decomposed (so "å" is "a" plus a ring, "ﬁ" is "fi", a full-width "Ａ" is "A"), case-folded,
    then without the combining marks. Letters not composed with a mark (æ, ø) stay as they are.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return _marks(_ASTRAL.search(decomposed) is not None).sub("", decomposed)


def folded(text: str) -> str:
    """fold(text), remembered: each text is folded once, however many keystrokes search it.

    Keyed by the text itself (not by id and time) so that a change saved within the same second
    can never be searched as its old text; a dict lookup by a str object already seen is O(1).
    """
    hit = _FOLDED.get(text)
    if hit is None:
        if len(_FOLDED) >= _FOLDED_MAX:
            _FOLDED.clear()
        hit = _FOLDED[text] = fold(text)
    return hit


_DAYS: dict[datetime, date] = {}
_DAYS_ZONE: dict[str, object] = {}


def local_date(r: Reflection) -> date:
    """The day the reflection was written, in the computer's own time zone (remembered per time)."""
    zone = (time.tzname, time.timezone, time.altzone, time.daylight)
    if _DAYS_ZONE.get("zone") != zone:  # the time zone was changed (time.tzset): start afresh
        _DAYS.clear()
        _DAYS_ZONE["zone"] = zone
    day = _DAYS.get(r.created)
    if day is None:
        if len(_DAYS) >= _FOLDED_MAX:
            _DAYS.clear()
        day = _DAYS[r.created] = r.created.astimezone().date()
    return day


@dataclass(frozen=True)
class JournalFilter:
    """What the journal shows: every condition that is set must hold."""

    lesson: str | None = None
    tag: str | None = None
    since: date | None = None  # inclusive, by `created` local date
    until: date | None = None  # inclusive, by `created` local date
    starred: bool = False
    words: str = ""  # every word must occur (folded) in the text, the tags or the prompt text

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered out."""
        return replace(self, words=self.words.strip()) == JournalFilter()


def _words(words: str) -> list[str]:
    return [fold(w) for w in words.split()]


def select(
    reflections: Sequence[Reflection],
    f: JournalFilter,
    prompt_texts: Mapping[tuple[str, str], str] | None = None,
) -> list[Reflection]:
    """The reflections that pass the filter, in the order given.

    `prompt_texts` maps (lesson id, prompt id) to the prompt's text, so that search finds words of
    the question too. Runs on every keystroke of a search, so the loop is kept plain: each text is
    folded once (see `folded`), after that a search is substring tests.
    """
    lesson, starred = f.lesson, f.starred
    tag = fold(" ".join(f.tag.split())) if f.tag else None
    since, until = f.since, f.until
    dated = since is not None or until is not None
    wanted = _words(f.words)
    prompts: dict[str, dict[str, str]] = {}
    for (lid, pid), text in (prompt_texts or {}).items():
        prompts.setdefault(lid, {})[pid] = folded(text)
    cache_get = _FOLDED.get
    out: list[Reflection] = []
    append = out.append
    for r in reflections:
        if lesson is not None and r.lesson != lesson:
            continue
        if starred and not r.starred:
            continue
        if tag is not None and tag not in [folded(t) for t in r.tags]:
            continue
        if dated:
            day = local_date(r)
            if (since is not None and day < since) or (until is not None and day > until):
                continue
        if wanted:
            body = cache_get(r.text) or folded(r.text)
            prompt: str | None = None
            for word in wanted:
                if word in body:
                    continue
                if prompt is None:
                    prompt = prompts.get(r.lesson, {}).get(r.prompt, "")
                if word in prompt or (r.tags and _in_tags(word, r.tags)):
                    continue
                break
            else:
                append(r)
            continue
        append(r)
    return out


def _in_tags(word: str, tags: tuple[str, ...]) -> bool:
    return any(word in folded(t) for t in tags)


def by_date(reflections: Sequence[Reflection]) -> list[tuple[date, list[Reflection]]]:
    """The reflections grouped by the local date they were written, newest date first.

    Within a day they keep the order given (the journal's own order is newest change first).
    """
    groups: dict[date, list[Reflection]] = {}
    for r in reflections:
        groups.setdefault(local_date(r), []).append(r)
    return sorted(groups.items(), key=lambda item: item[0], reverse=True)


def then_and_now(reflections: Sequence[Reflection], lesson: str, prompt: str) -> list[Reflection]:
    """Every answer to one prompt of one lesson, oldest first (by when it was written)."""
    same = [r for r in reflections if r.lesson == lesson and r.prompt == prompt]
    return sorted(same, key=lambda r: (r.created, r.id))


def all_tags(reflections: Iterable[Reflection]) -> list[str]:
    """Every tag in use, sorted (journal.tag_order: å, ä, ö after z)."""
    return sorted({t for r in reflections for t in r.tags}, key=tag_order)


Change = Literal["same", "removed", "added"]
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[Change, str]]:
    """How `new` differs from `old`, word by word: pieces of text, each the same in both, only in `old`
    ("removed") or only in `new` ("added"), in reading order; joining the "same" and "removed" pieces
    gives `old` back, the "same" and "added" ones `new`.

    Spaces and line breaks are kept as they are. A run of spaces between two changes goes with them,
    so three words rewritten read as one change and not as three.
    """
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out: list[tuple[Change, str]] = []
    removed = added = ""

    def changes() -> list[tuple[Change, str]]:
        found: list[tuple[Change, str]] = []
        if removed:
            found.append(("removed", removed))
        if added:
            found.append(("added", added))
        return found

    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op != "equal":
            removed += "".join(a[i1:i2])
            added += "".join(b[j1:j2])
            continue
        same = "".join(a[i1:i2])
        if (removed or added) and n + 1 < len(opcodes) and not same.strip():
            removed, added = removed + same, added + same  # only spaces between two changes
            continue
        out += [*changes(), ("same", same)]
        removed = added = ""
    out += changes()
    return out
