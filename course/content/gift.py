"""Converting a Moodle GIFT question bank into a Tillit quiz file for a trainer to review.

GIFT is read the way Moodle's importer reads it (question/format/gift/format.php):

- Questions are separated by blank lines; every line is trimmed; a line that starts with `//` is a
  comment. `$CATEGORY: …` is ignored (a Tillit quiz belongs to one lesson) and said so in the notes.
- `::Name::` names a question; the name becomes its id (kebab-case ASCII, made unique) and stays
  beside it as a TOML comment. A question without a name gets q1, q2, … by its place in the quiz.
- `\\~ \\= \\# \\{ \\} \\:` are the characters themselves, `\\n` is a line break and `\\\\` a backslash.
  Line breaks in the file itself become spaces: Tillit shows quiz text exactly as written.
- `[html]` text has its tags removed and its entities decoded (noted); `[markdown]`, `[plain]` and
  `[moodle]` text is kept as written.
- The answer block `{…}` decides the kind: `~` anywhere makes it multiple choice (one `=` is
  "single"; several `=`, or only `~%n%` weights, is "multiple", where an option is right when its
  weight is above zero); `{T}`, `{TRUE}`, `{F}`, `{FALSE}` make it true/false. Words after the block
  make it a missing-word question: the block becomes `_____` in the text. Text after it that no
  answer can fill (in a true/false statement, or a stray `";` after a finished sentence) is left
  out, and said so in the notes.
- `#feedback` after an option is its explanation. A true/false block is `{T#for a wrong answer#for a
  right answer}`: Moodle shows each answer its own feedback, so with feedback for the right answer the
  question becomes single choice between True and False (in the quiz's language), each option
  explained by the feedback for choosing it; feedback for a wrong answer alone explains it to all.
- `####` starts the general feedback, which is for everyone: it explains the options that have no
  feedback of their own, or else follows the right answer's explanation; it is never dropped. What is
  still unexplained gets PLACEHOLDER, which `tillit check` reports until the trainer writes it.
- Short answer, numerical, matching, essay and description items have no Tillit counterpart; they
  are listed in `Conversion.skipped` with their line, as is a question whose braces do not match.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from course.content.htmltext import text_of_html
from course.content.model import valid_id
from course.content.quiz import FALSE_ID, TRUE_ID
from course.content.quizfile import GIFT_PLACEHOLDER
from course.content.sourcefile import MAX_CONTENT_BYTES
from course.errors import UsageError
from course.i18n import tr
from course.store.storage import toml_value

PLACEHOLDER: Final = GIFT_PLACEHOLDER
PASS_MARK: Final = 0.8
BLANK: Final = "_____"
MAX_QUESTION_ID = 48  # leaves room for a "-2" suffix under content.MAX_ID
MAX_OPTION_ID = 32
MIN_OPTION_BYTES = 64  # no option is written in fewer bytes of TOML
OPTION_WORDS = 4


@dataclass(frozen=True)
class Skipped:
    """A GIFT item that did not become a Tillit question, and why."""

    line: int
    kind: str  # short answer | numerical | matching | essay | description | multiple choice | true/false | unreadable
    name: str  # the item's ::name::, else the start of its text
    reason: str

    def render(self) -> str:
        """`line N: kind "name" — reason`."""
        shown = f' "{self.name}"' if self.name else ""
        return f"line {self.line}: {self.kind}{shown} — {self.reason}"


@dataclass
class Conversion:
    """A converted question bank: the quiz file's text and what the trainer should review."""

    quiz_toml: str
    questions: int
    skipped: list[Skipped] = field(default_factory=list)
    placeholders: int = 0
    notes: list[str] = field(default_factory=list)


# --- escapes ------------------------------------------------------------------------------------------
# An escaped control character is replaced by a private-use character while the structure is read,
# and turned back into the character itself in every text (as Moodle does with its "&&058;" marks).

_ESCAPED: Final = {":": "\ue000", "#": "\ue001", "=": "\ue002", "{": "\ue003", "}": "\ue004", "~": "\ue005", "n": "\ue006"}
_ESCAPE_RE = re.compile(r"\\(\\|[:#={}~n])")
_SENTINELS_RE = re.compile("[\ue000-\ue006]")
_RESTORE = str.maketrans({mark: ("\n" if char == "n" else char) for char, mark in _ESCAPED.items()})


def _protect(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: "\\" if m.group(1) == "\\" else _ESCAPED[m.group(1)], text)


# --- text -------------------------------------------------------------------------------------------

_FORMAT_RE = re.compile(r"^\[(moodle|html|plain|markdown)\]")
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_BRACES_RE = re.compile(r"[{}]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _tidy(text: str) -> str:
    """Lines trimmed, control characters and runs of blank lines removed."""
    text = _CONTROL_RE.sub("", text.replace("\t", " "))
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text(raw: str, default_format: str) -> tuple[str, str]:
    """(format, plain text) of one GIFT text with its optional [format] prefix, escapes restored."""
    raw = raw.strip()
    fmt = default_format
    match = _FORMAT_RE.match(raw)
    if match:
        fmt, raw = match.group(1), raw[match.end() :]
    raw = raw.replace("\n", " ").translate(_RESTORE)  # file line breaks are spaces; \n is a line break
    if fmt == "html":
        raw = text_of_html(raw)
    return fmt, _tidy(raw)


def _joined(first: str, then: str) -> str:
    """Two texts as one, a full stop between them when the first has no ending of its own."""
    if not first or not then:
        return first or then
    return f"{first}{'' if first[-1] in '.!?…:;' else '.'} {then}"


def _one_line(text: str, limit: int = 80) -> str:
    """Text fit for a one-line note or TOML comment."""
    flat = re.sub(r"\s+", " ", _CONTROL_RE.sub(" ", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --- ids --------------------------------------------------------------------------------------------

_FOLD = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l",
     "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i", "'": "", "’": ""}
)  # fmt: skip


def slugify(text: str, max_len: int = MAX_QUESTION_ID, max_words: int | None = None) -> str:
    """Lower-case kebab-case ASCII made from `text` (å, ä, ö become a, a, o); "" when nothing is left."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)[:max_words]
    out = ""
    for word in words:
        joined = f"{out}-{word}" if out else word[:max_len]
        if len(joined) > max_len:
            break
        out = joined
    return out


class _Ids:
    """Hands out ids that are unique among those already given: base, base-2, base-3, …"""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.next: dict[str, int] = {}

    def take(self, base: str) -> str:
        candidate, n = base, self.next.get(base, 2)
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.next[base] = n
        self.used.add(candidate)
        return candidate


def _letter(n: int) -> str:
    return chr(ord("a") + n) if n < 26 else f"option-{n + 1}"


# --- the model ----------------------------------------------------------------------------------------


@dataclass
class _Option:
    text: str
    correct: bool
    explain: str
    line: int
    weight: float
    marker: str
    id: str = ""


@dataclass
class _Question:
    line: int
    name: str
    id: str
    kind: str
    text: str
    options: list[_Option] = field(default_factory=list)
    answer: bool = False
    explain: str = ""


class _Block:
    """One question's lines (comments blanked, escapes protected) and where they are in the file."""

    def __init__(self, first_line: int, text: str) -> None:
        self.first_line = first_line
        self.text = text
        self.breaks = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, offset: int) -> int:
        return self.first_line + bisect.bisect_left(self.breaks, offset)


def _blocks(text: str) -> Iterator[_Block]:
    current: list[str] = []
    start = 0
    for number, raw in enumerate([*text.split("\n"), ""], 1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append("" if line.startswith("//") else line)
            continue
        while current and not current[-1]:
            current.pop()
        lead = 0
        while lead < len(current) and not current[lead]:
            lead += 1
        if lead < len(current):
            yield _Block(start + lead, _protect("\n".join(current[lead:])))
        current = []


# --- converting ---------------------------------------------------------------------------------------


class _TooLarge(Exception):
    """The quiz would be larger than a course file may be."""


_UNSUPPORTED: Final = {
    "short answer": "Tillit quizzes have no typed answers; rewrite it as a choice between options",
    "numerical": "Tillit quizzes have no number answers; rewrite it as a choice between options",
    "matching": "Tillit quizzes have no matching questions; rewrite each pair as its own question",
    "essay": "an open question has no right answer; add it to the lesson as a reflection [[prompt]] instead",
    "description": "it has no answer block {…}; put the text into the lesson if it is needed",
}


class _Converter:
    def __init__(self, lang: str) -> None:
        self.lang = lang  # of the True and False options a true/false question may become
        self.questions: list[_Question] = []
        self.skipped: list[Skipped] = []
        self.notes: list[str] = []
        self.placeholders = 0
        self.qids = _Ids()
        self.pending: list[str] = []  # notes about the question being read, kept only if it is converted
        self.current = ""  # its id, given back if it is skipped after all
        self.chunks: list[str] = []  # each converted question as TOML
        self.size = 0  # bytes of TOML so far, so that a huge bank is refused early

    def add(self, question: _Question) -> None:
        self.questions.append(question)
        self.chunks.append(_render_question(question))
        self.size += len(self.chunks[-1].encode("utf-8"))

    def note(self, line: int, text: str) -> None:
        self.pending.append(f"line {line}: {text}")

    def skip(self, line: int, kind: str, name: str, reason: str) -> None:
        self.skipped.append(Skipped(line, kind, _one_line(name, 60), reason))
        self.pending = []
        self.qids.used.discard(self.current)

    def placeholder(self, why: str) -> str:
        self.placeholders += 1
        return f"{PLACEHOLDER} {why}"

    # -- one block

    def block(self, block: _Block) -> None:
        self.pending, self.current = [], ""
        skipped = len(self.skipped)
        self.read(block)
        self.notes += self.pending
        self.size += sum(len(n.encode("utf-8")) + 4 for n in self.pending)
        self.size += sum(len(s.render().encode("utf-8")) + 4 for s in self.skipped[skipped:])

    def read(self, block: _Block) -> None:
        body, pos = block.text, 0
        if body.startswith("$CATEGORY:"):
            first, _, _ = body.partition("\n")
            category = _one_line(first[len("$CATEGORY:") :].translate(_RESTORE))
            self.note(block.first_line, f"the category '{category}' is ignored: a Tillit quiz belongs to one lesson")
            self.notes += self.pending
            self.pending = []
            pos = len(first) + 1
            if not body[pos:].strip():
                return
        while pos < len(body) and body[pos].isspace():
            pos += 1
        line = block.line_at(pos)
        name = ""
        if body.startswith("::", pos):
            end = body.find("::", pos + 2)
            if end < 0:
                pos += 2  # as Moodle: an unclosed name is dropped and the question stays unnamed
            else:
                name = _one_line(body[pos + 2 : end].translate(_RESTORE), 200)
                pos = end + 2
        span = self.answer_span(block, pos, name)
        if span is None:
            return
        if span == (-1, -1):
            _, text = _text(body[pos:], "moodle")
            self.skip(line, "description", name or text, _UNSUPPORTED["description"])
            return
        start, end = span
        fmt, text = _text(body[pos:start], "moodle")
        after = _text(body[end + 1 :], fmt)[1]
        blank = _text(body[pos:start] + BLANK + body[end + 1 :], "moodle")[1] if after else text
        answer = body[start + 1 : end]
        general_at = answer.rfind("####")
        general = ""
        if general_at >= 0:
            general = answer[general_at + 4 :]
            answer = answer[:general_at]
        self.question(block, line, name, fmt, (text, blank, after), answer, start + 1, general)

    def answer_span(self, block: _Block, pos: int, name: str) -> tuple[int, int] | None:
        """Offsets of the one `{` and `}`; (-1, -1) when there are none; None (and a skip) when they do not match."""
        start, span = -1, None
        problem = ""
        for match in _BRACES_RE.finditer(block.text, pos):
            at = match.start()
            if match.group() == "{":
                if start >= 0:
                    problem = "unbalanced braces: a { inside an answer block"
                elif span is not None:
                    problem = "a second answer block { … } in one question (is the blank line before a new question missing?)"
                else:
                    start = at
                    continue
            elif start < 0:
                problem = "unbalanced braces: a } without a { before it"
            else:
                span, start = (start, at), -1
                continue
            break
        else:
            if start >= 0:
                at, problem = start, "unbalanced braces: an answer block { that is never closed with }"
            elif span is None:
                return -1, -1
            else:
                return span
        _, text = _text(block.text[pos:], "moodle")
        self.skip(
            block.line_at(at),
            "unreadable",
            name or text,
            f"{problem} — write \\{{ and \\}} for a brace in the text",
        )
        return None

    def question(
        self, block: _Block, line: int, name: str, fmt: str, wording: tuple[str, str, str], answer: str, offset: int,
        general_raw: str,
    ) -> None:  # fmt: skip
        text, blank, after = wording  # the text before {…}; with the blank _____ in its place; the text after it
        label = name or text or blank
        stripped = answer.strip()
        head = stripped.split("#", 1)[0].strip()
        if not stripped:
            kind = "essay"
        elif stripped.startswith("#"):
            kind = "numerical"
        elif "~" in stripped:
            kind = "multiple choice"
        elif "=" in stripped and "->" in stripped:
            kind = "matching"
        elif head in _TF:
            kind = "true/false"
        else:
            kind = "short answer"
        if kind not in ("multiple choice", "true/false"):
            reason = _UNSUPPORTED[kind]
            if kind == "short answer" and head.upper() in _TF:
                reason += f" (Moodle reads {{{head}}} as a typed answer: true/false is {{T}}, {{TRUE}}, {{F}} or {{FALSE}})"
            self.skip(line, kind, label, reason)
            return
        # Text after the block makes a missing word, as in Moodle, where the answers can fill a gap: not in a
        # true/false statement, nor after a question that has ended (`?{…}.`, or a stray `";`); that is reported.
        unused = kind == "true/false" or (not re.search(r"\w", after) and re.search(r"[.?!:…]$", text) is not None)
        if after and not unused:
            text = blank
        if not text:
            self.skip(line, kind, label, "it has no question text")
            return
        _, general = _text(general_raw, fmt)
        qid = self.current = self.qids.take(slugify(name) or f"q{len(self.questions) + 1}")
        if after and unused:
            why = "a true/false statement has no blank" if kind == "true/false" else "it is not a word the answers fill in"
            self.note(line, f"question '{qid}': the text after the closing }} is not used ({why}): '{_one_line(after)}'")
        if fmt == "html":
            self.note(line, f"question '{qid}' was [html]: its tags were removed; check that the text reads well")
        elif fmt == "markdown":
            self.note(line, f"question '{qid}' was [markdown]: Tillit shows quiz text as written, marks like ** included")
        if kind == "true/false":
            self.true_false(line, qid, name, text, stripped, fmt, general)
        else:
            self.choice(block, line, qid, name, text, answer, offset, fmt, general)

    def true_false(self, line: int, qid: str, name: str, text: str, answer: str, fmt: str, general: str) -> None:
        """{T#for a wrong answer#for a right answer####for everyone}: Moodle shows each answer its own feedback."""
        parts = answer.split("#", 2)
        wrong = _text(parts[1], fmt)[1] if len(parts) > 1 else ""
        right = _text(parts[2], fmt)[1] if len(parts) > 2 else ""
        value = _TF[parts[0].strip()]
        if not right or right == wrong:  # the feedback fits everyone: one explanation, as a true/false question has
            if wrong and right != wrong:
                self.note(line, f"question '{qid}': the feedback Moodle showed after a wrong answer is the explanation now; check that it reads well after a right one too")
            explain = _joined(wrong, general) or self.placeholder(f"Why is the statement {'true' if value else 'false'}?")
            self.add(_Question(line, name, qid, "true_false", text, answer=value, explain=explain))
            return
        # Feedback for the right answer ("You gave the right answer.") is not for those who answered wrong: each
        # answer becomes an option with the feedback for choosing it as its explanation.
        labels = {True: tr("quiz.true", self.lang), False: tr("quiz.false", self.lang)}
        options = [
            _Option(labels[v], v == value, right if v == value else wrong, line, 100.0 if v == value else 0.0, "=", TRUE_ID if v else FALSE_ID)
            for v in (True, False)
        ]
        self.note(line, f"question '{qid}' became single choice between '{labels[True]}' and '{labels[False]}': Moodle shows each answer its own feedback, and here each is the explanation of its option")
        self.explain(line, qid, options, general)
        self.add(_Question(line, name, qid, "single", text, options=options))

    def choice(
        self, block: _Block, line: int, qid: str, name: str, text: str, answer: str, offset: int, fmt: str, general: str
    ) -> None:
        marks = [m.start() for m in re.finditer(r"[~=]", answer)]
        if self.size + len(marks) * MIN_OPTION_BYTES > MAX_CONTENT_BYTES:
            raise _TooLarge
        pieces = [("~", 0, marks[0])] if answer[: marks[0]].strip() else []  # text before the first ~ or =: a wrong answer, as Moodle
        pieces += [(answer[at], at + 1, nxt) for at, nxt in zip(marks, [*marks[1:], len(answer)], strict=True)]
        options: list[_Option] = []
        formats: set[str] = set()
        for marker, start, end in pieces:
            raw = answer[start:end]
            oline = block.line_at(offset + start + len(raw) - len(raw.lstrip()))
            raw = raw.strip()
            weight = 100.0 if marker == "=" else 0.0
            match = _WEIGHT_RE.match(raw)
            if match:
                raw = raw[match.end() :]
                if marker == "=":
                    self.note(oline, f"question '{qid}': the weight {match.group(1)}% after = is ignored: = marks a right answer")
                else:
                    weight = float(match.group(1))
            option_raw, _, feedback_raw = raw.partition("#")
            option_fmt, option_text = _text(option_raw, fmt)
            feedback_fmt, feedback = _text(feedback_raw, fmt)
            formats |= {option_fmt, feedback_fmt}
            if not option_text:
                self.skip(line, "multiple choice", name or text, f"option {len(options) + 1} (line {oline}) has no text")
                return
            options.append(_Option(option_text.replace("\n", " "), False, feedback, oline, weight, marker))
        if len(options) < 2:
            self.skip(line, "multiple choice", name or text, "it needs at least two options")
            return
        if fmt != "html" and "html" in formats:
            self.note(line, f"question '{qid}' has [html] options or feedback: their tags were removed; check that they read well")
        ids = _Ids()
        for n, option in enumerate(options):
            option.id = ids.take(slugify(option.text, MAX_OPTION_ID, OPTION_WORDS) or _letter(n))
        right = [o for o in options if o.marker == "="]
        if len(right) == 1:
            kind = "single"
            right[0].correct = True
            partial = [o for o in options if o.marker == "~" and o.weight > 0]
            if partial:
                shown = ", ".join(f"'{o.id}' ({o.weight:g}%)" for o in partial)
                self.note(line, f"question '{qid}': partial credit for {shown} is dropped: a single-choice question has one right answer")
        else:
            kind = "multiple"
            for option in options:
                option.correct = option.weight > 0
            if not any(o.correct for o in options):
                self.skip(line, "multiple choice", name or text, "no option is right: mark one with = or give it a weight above zero, like ~%50%")
                return
            if right:
                self.note(line, f"question '{qid}' has {len(right)} answers marked =: in Moodle any one of them was right; here it is 'select all that apply' and the learner must choose all of them")
            else:
                self.note(line, f"question '{qid}': the answer weights became right (above zero) or wrong; Tillit scores 'select all that apply' all or nothing")
        for option in options:
            if option.weight < 0:
                self.note(option.line, f"question '{qid}': option '{option.id}' had a negative weight ({option.weight:g}%), a penalty for choosing it; here it is simply a wrong option")
        self.explain(line, qid, options, general)
        self.add(_Question(line, name, qid, kind, text, options=options))

    def explain(self, line: int, qid: str, options: list[_Option], general: str) -> None:
        """The general feedback (####), for everyone, explains the options that have no feedback of their own,
        or else follows the right answer's; what is still unexplained gets a placeholder."""
        filled = [o for o in options if not o.explain]
        if general and filled:
            for option in filled:
                option.explain = general
            shown = ", ".join(f"'{o.id}'" for o in filled)
            self.note(line, f"question '{qid}': the general feedback (####) is used as the explanation of {shown}; make it fit each option")
        elif general:
            for option in options:
                option.explain = _joined(option.explain, general) if option.correct else option.explain
            shown = ", ".join(f"'{o.id}'" for o in options if o.correct)
            self.note(line, f"question '{qid}': every option has its own feedback, so the general feedback (####) follows that of {shown}")
        for option in options:
            if not option.explain:
                option.explain = self.placeholder(f"Why is this option {'right' if option.correct else 'wrong'}?")


# --- writing the quiz -----------------------------------------------------------------------------------


def _value(key: str, value: str | bool | float) -> str:
    """`key = value` on one line: strings are TOML basic strings, so that the checker finds every key by its line."""
    return f"{key} = {toml_value(value)}"


def _comment(text: str) -> str:
    return "# " + _one_line(text, 1000) if text.strip() else "#"


def _render(conv: _Converter, lesson_id: str, source_name: str) -> str:
    count, skipped = len(conv.questions), len(conv.skipped)
    out = [
        _comment(f"Converted by Tillit from the Moodle GIFT question bank {source_name}."),
        _comment(f"{count} question(s) converted, {skipped} skipped, {conv.placeholders} explanation(s) still to write."),
        "#",
        "# Before learners see this quiz:",
        _comment(f'- Every explain that starts with "{PLACEHOLDER}" is a placeholder: write why that answer'),
        "#   is right or wrong. `tillit check` lists each one (file:line) until it is written.",
        "# - Read the notes and the skipped items below; check every question's kind and right answers.",
        "# - Put the quiz in quizzes/<language>/<lesson>.toml for every language of the course,",
        "#   translated, with the same question ids, option ids and right answers in the same order.",
    ]
    if not count:
        out.append("# - No question could be converted: this file is not a usable quiz yet.")
    if conv.skipped:
        out += ["#", "# Skipped (Tillit quizzes have single choice, select all that apply and true/false):"]
        out += [_comment(f"- {s.render()}") for s in conv.skipped]
    if conv.notes:
        out += ["#", "# Notes:"]
        out += [_comment(f"- {n}") for n in conv.notes]
    out += ["", _value("schema", 1), _value("lesson", lesson_id), _value("pass_mark", PASS_MARK)]
    return "\n".join(out) + "\n" + "".join(conv.chunks)


def _render_question(q: _Question) -> str:
    named = f', named "{_one_line(q.name, 200)}"' if q.name else ""
    out = ["", _comment(f"GIFT line {q.line}{named}"), "[[question]]"]
    out += [_value("id", q.id), _value("kind", q.kind), _value("text", q.text)]
    if q.kind == "true_false":
        out += [_value("answer", q.answer), _value("explain", q.explain)]
    for o in q.options:
        out += ["", "  [[question.option]]"]
        out += ["  " + _value(k, v) for k, v in (("id", o.id), ("text", o.text), ("correct", o.correct), ("explain", o.explain))]
    return "\n".join(out) + "\n"


# --- the public functions --------------------------------------------------------------------------------


def convert(text: str, lesson_id: str, source_name: str = "GIFT", lang: str = "en") -> Conversion:
    """Convert a GIFT question bank into a Tillit quiz for `lesson_id` in `lang` (the language of the True and
    False options a true/false question may become); see the module docstring for the rules.

    Raises UsageError for text over 2 MiB, a lesson id that is not valid, or a quiz that would be over 2 MiB.
    With `questions == 0` the quiz text is not a usable quiz (`tillit check` would say so): do not write it.
    """
    if not valid_id(lesson_id):
        raise UsageError(f"'{lesson_id}' is not a valid lesson id; use lower-case letters, digits and hyphens.")
    if len(text) > MAX_CONTENT_BYTES or len(text.encode("utf-8", "replace")) > MAX_CONTENT_BYTES:
        raise UsageError(f"{source_name} is larger than 2 MiB; split the question bank into smaller files.")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be written as UTF-8
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    conv = _Converter(lang)
    found = _SENTINELS_RE.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        conv.notes.append(f"line {line}: private-use characters U+E000–U+E006 were replaced by U+FFFD (the converter uses them itself)")
        text = _SENTINELS_RE.sub("\ufffd", text)
    too_large = f"the quiz converted from {source_name} would be larger than 2 MiB; split the question bank into smaller files."
    try:
        for block in _blocks(text):
            conv.block(block)
            if conv.size > MAX_CONTENT_BYTES:
                raise _TooLarge
    except _TooLarge:
        raise UsageError(too_large) from None
    quiz = _render(conv, lesson_id, _one_line(source_name, 200))
    if len(quiz.encode("utf-8")) > MAX_CONTENT_BYTES:
        raise UsageError(too_large)
    return Conversion(quiz, len(conv.questions), conv.skipped, conv.placeholders, conv.notes)


def read_gift(path: Path) -> str:
    """A GIFT file's text (UTF-8, a byte-order mark removed), or UsageError with one sentence saying why not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))  # a pipe must not block
        try:
            regular = stat.S_ISREG(os.fstat(fd).st_mode)
        except OSError:
            os.close(fd)
            raise
        if not regular:
            os.close(fd)
            raise UsageError(f"{path} is not a file; give the path of a GIFT text file.")
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_CONTENT_BYTES + 1)
    except OSError as err:
        raise UsageError(f"{path} cannot be read ({err.strerror or err}).") from err
    if len(raw) > MAX_CONTENT_BYTES:
        raise UsageError(f"{path} is larger than 2 MiB; split the question bank into smaller files.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise UsageError(f"{path} is not UTF-8 text (line {line}); save it as UTF-8 and try again.") from err
    return text.removeprefix("\ufeff")
