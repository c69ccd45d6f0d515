"""Reading one quiz file (quizzes/<lang>/<lesson>.toml) and checking every question and option in it,
reporting every problem in one go: an early problem never hides a later one."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from course.content.model import valid_id
from course.content.quiz import KINDS, Option, Question, Quiz, is_kind
from course.content.sourcefile import (
    Report,
    entry_line,
    key_line,
    line_of,
    parse_toml,
    read_text,
    shown,
    suggestion,
    unknown_keys,
    value_fix,
)

QUIZ_SCHEMA = 1
# An explanation that course.content.gift wrote in place of missing feedback; a course is not ready while one is left.
GIFT_PLACEHOLDER = "[GIFT-IMPORT: write an explanation]"

QUIZ_KEYS = ("schema", "lesson", "pass_mark", "question")
QUESTION_KEYS = ("id", "kind", "text", "hint", "answer", "explain", "option")
OPTION_KEYS = ("id", "text", "correct", "explain")
_KIND_NAMES = {"single": "a single-choice question", "multiple": "a select-all-that-apply question", "true_false": ""}
_TRUTH = ("true", "false", "yes", "no", "ja", "nej")


def read_quiz(path: Path, lesson_id: str, lang: str, rep: Report, texts: dict[Path, str]) -> Quiz | None:
    """The quiz at `path`, or None with every problem in it added to `rep`; its text is kept in `texts`.

    A folder, a named pipe or anything else that is not a regular file in its place is a problem
    (course.content.sourcefile.read_text says what it is), never a quiz quietly missing."""
    text = read_text(path, rep)
    if text is None:
        return None
    texts[path] = text
    before = len(rep.problems)
    data = parse_toml(text, path, rep)
    if data is None:
        return None
    unknown_keys(data, QUIZ_KEYS, "the quiz", path, rep, lambda key: entry_line(text, key))
    if data.get("schema") != QUIZ_SCHEMA:
        rep.add(
            path,
            key_line(text, "schema"),
            f"schema should be {QUIZ_SCHEMA}",
            f"write schema = {QUIZ_SCHEMA} at the top",
        )
    if data.get("lesson") != lesson_id:
        rep.add(
            path,
            key_line(text, "lesson"),
            f"lesson is {data.get('lesson')!r} but the file is named {lesson_id}.toml",
            f'set lesson = "{lesson_id}"',
        )
    pass_mark = _pass_mark(data.get("pass_mark"), path, text, rep)
    raw = data.get("question")
    if isinstance(raw, dict):
        rep.add(
            path,
            line_of(text, r"^\s*\[\s*question\s*\]"),
            "[question] has one pair of brackets",
            "write [[question]], with two, before each question",
        )
        return None
    if not isinstance(raw, list) or not raw:
        rep.add(path, 1, "the quiz has no questions", "add at least one [[question]]")
        return None
    questions: list[Question] = []
    first: dict[str, int] = {}
    for n, item in enumerate(raw):
        line = line_of(text, r"^\s*\[\[\s*question\s*\]\]", nth=n)
        question = _read_question(item, n, line, path, text, rep)
        qid = item.get("id") if isinstance(item, dict) else None
        if isinstance(qid, str) and valid_id(qid):  # a second use is a problem, whatever else is wrong with either
            if qid in first:
                rep.add(
                    path,
                    line,
                    f"question id '{qid}' is used twice",
                    f"give each question its own id (the first '{qid}' is on line {first[qid]})",
                )
            first.setdefault(qid, line)
        if question is not None:
            questions.append(question)
    if len(rep.problems) > before:
        return None
    return Quiz(lesson_id, lang, pass_mark, tuple(questions))


def _pass_mark(value: object, path: Path, text: str, rep: Report) -> float:
    if value is None:
        rep.add(path, 1, "'pass_mark' is missing", "add pass_mark = 0.8 (the share of points needed to pass)")
    elif isinstance(value, bool) or not isinstance(value, int | float):
        rep.add(
            path,
            key_line(text, "pass_mark"),
            f"pass_mark is {shown(value)}, not a number",
            value_fix("pass_mark", value, "number", "0.8"),
        )
    elif not 0 < value <= 1:
        fix = "write e.g. pass_mark = 0.8"
        if 1 < value <= 100:
            fix = f"write the share as a number between 0 and 1: pass_mark = {value / 100:g} for {value:g} %"
        rep.add(path, key_line(text, "pass_mark"), "pass_mark should be a share between 0 and 1", fix)
    else:
        return float(value)
    return 1.0


def _not_true_or_false(label: str, key: str, value: object) -> str:
    """The problem with `key = value` where true or false belongs."""
    if isinstance(value, str) and value.strip().lower() in _TRUTH:
        return f"{label} has {key} = {shown(value)} in quotation marks"
    return f"{label} has {key} = {shown(value)}, which is not true or false"


def _read_question(item: object, n: int, line: int, path: Path, text: str, rep: Report) -> Question | None:
    label = f"question {n + 1}"
    if not isinstance(item, dict):
        rep.add(path, line, f"{label} is not a table", "write it as [[question]]")
        return None
    before = len(rep.problems)
    qid = item.get("id")
    if valid_id(qid):
        label = f"question '{qid}'"
    else:
        rep.add(
            path,
            line,
            f"{label} has no valid id ({qid!r})",
            'use lower-case letters, digits and hyphens, e.g. id = "first-step"',
        )
    unknown_keys(item, QUESTION_KEYS, label, path, rep, lambda key: entry_line(text, key, line, "question."))
    kind = item.get("kind")
    if not is_kind(kind):
        close = suggestion(kind, KINDS) if isinstance(kind, str) else None
        rep.add(
            path,
            key_line(text, "kind", line),
            f"{label} has no kind" if kind is None else f"{label} has kind {shown(kind)}",
            (f'did you mean kind = "{close}"? ' if close else "") + 'use kind = "single", "multiple" or "true_false"',
        )
    qtext = item.get("text")
    if not isinstance(qtext, str) or not qtext.strip():
        fix = 'add text = "…"' if qtext is None else value_fix("text", qtext, "text", '"…"')
        rep.add(path, key_line(text, "text", line), f"{label} has no text", fix)
    hint = item.get("hint", "")
    if not isinstance(hint, str):
        rep.add(path, key_line(text, "hint", line), f"{label} has a hint that is not text", 'write hint = "…"')
    if kind == "true_false":
        answer = item.get("answer")
        if "option" in item:
            rep.add(
                path,
                line,
                f"{label} is true_false but has options",
                "remove its [[question.option]] tables, or change its kind",
            )
        if answer is None:
            rep.add(path, line, f"{label} has no answer = true or false", "add answer = true or answer = false")
        elif not isinstance(answer, bool):
            rep.add(
                path,
                key_line(text, "answer", line),
                _not_true_or_false(label, "answer", answer),
                value_fix("answer", answer, "true or false", "true"),
            )
        explain = _explain(item, label, line, path, text, rep)
        if len(rep.problems) > before:
            return None
        assert isinstance(qid, str) and isinstance(qtext, str) and isinstance(answer, bool)
        return Question(qid, kind, qtext, answer=answer, explain=explain, hint=str(hint))
    if is_kind(kind):
        for key, fix in (
            ("answer", "remove it: correct = true on the options says which is right"),
            ("explain", "move it to the options: each [[question.option]] explains itself"),
        ):
            if key in item:
                rep.add(path, key_line(text, key, line), f"{label} is {_KIND_NAMES[kind]} but has {key}", fix)
    options = (
        _read_options(item.get("option"), label, line, path, text, rep) if is_kind(kind) or "option" in item else None
    )
    if options is not None and kind in ("single", "multiple"):
        correct = sum(o.correct for o in options)
        if kind == "single" and correct != 1:
            rep.add(
                path,
                line,
                f"{label} is single choice but has {correct} correct options",
                "mark exactly one option correct = true",
            )
        if kind == "multiple" and correct < 1:
            rep.add(path, line, f"{label} has no correct option", "mark at least one option correct = true")
    if len(rep.problems) > before or options is None or not is_kind(kind):
        return None
    assert isinstance(qid, str) and isinstance(qtext, str)
    return Question(qid, kind, qtext, options=options, hint=str(hint))


def _explain(item: dict[str, Any], label: str, line: int, path: Path, text: str, rep: Report, *, why: str = "") -> str:
    """The `explain` of a true/false question or an option; "" (and a problem) when it is missing or a
    placeholder the GIFT import left."""
    explain = item.get("explain")
    if not isinstance(explain, str) or not explain.strip():
        fix = f'add explain = "…" saying why{why}' if explain is None else value_fix("explain", explain, "text", '"…"')
        rep.add(path, line, f"{label} has no explain", fix)
        return ""
    if explain.startswith(GIFT_PLACEHOLDER):
        rep.add(
            path,
            key_line(text, "explain", line),
            f"{label} still has the placeholder explanation from the GIFT import",
            f"write why {'this option is right or wrong' if why else 'the statement is true or false'}",
        )
        return ""
    return explain


def _read_options(raw: object, label: str, line: int, path: Path, text: str, rep: Report) -> tuple[Option, ...] | None:
    """Every option of a question, or None when any of them has a problem (each one reported)."""
    if isinstance(raw, dict):
        rep.add(
            path,
            line_of(text, r"^\s*\[\s*question\.option\s*\]", start=line),
            f"an option of {label} has one pair of brackets",
            "write [[question.option]], with two, before each option",
        )
        return None
    items = raw if isinstance(raw, list) else []
    before = len(rep.problems)
    out: list[Option] = []
    first: dict[str, int] = {}
    for m, opt in enumerate(items):
        oline = line_of(text, r"^\s*\[\[\s*question\.option\s*\]\]", start=line, nth=m)
        if not isinstance(opt, dict):
            rep.add(path, oline, f"option {m + 1} of {label} is not a table", "write it as [[question.option]]")
            continue
        oid = opt.get("id")
        olabel = f"option '{oid}' of {label}"
        if not isinstance(oid, str) or not valid_id(oid):
            olabel = f"option {m + 1} of {label}"
            rep.add(path, oline, f"{olabel} has no valid id", 'add id = "…" (lower-case letters, digits, hyphens)')
        elif oid in first:
            rep.add(
                path,
                oline,
                f"option id '{oid}' is used twice in {label}",
                f"give each option its own id (the first '{oid}' is on line {first[oid]})",
            )
        else:
            first[oid] = oline
        unknown_keys(
            opt, OPTION_KEYS, olabel, path, rep, partial(entry_line, text, start=oline, prefix="question.option.")
        )
        otext, correct = opt.get("text"), opt.get("correct")
        if not isinstance(otext, str) or not otext.strip():
            fix = 'add text = "…"' if otext is None else value_fix("text", otext, "text", '"…"')
            rep.add(path, oline, f"{olabel} has no text", fix)
        if correct is None:
            rep.add(path, oline, f"{olabel} has no correct = true/false", "add correct = true or correct = false")
        elif not isinstance(correct, bool):
            rep.add(
                path,
                key_line(text, "correct", oline),
                _not_true_or_false(olabel, "correct", correct),
                value_fix("correct", correct, "true or false", "false"),
            )
        explain = _explain(opt, olabel, oline, path, text, rep, why=" it is right or wrong")
        if isinstance(oid, str) and isinstance(otext, str) and isinstance(correct, bool) and explain:
            out.append(Option(oid, otext, correct, explain))
    if len(items) < 2:
        rep.add(
            path,
            line,
            f"{label} needs at least two options",
            "add [[question.option]] tables with id, text, correct and explain",
        )
    return tuple(out) if len(rep.problems) == before else None
