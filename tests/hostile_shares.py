"""A corpus of hostile and broken share files, each with the reason load_shares must give for skipping it."""

from __future__ import annotations

import copy
import os
import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from course.trainer.shares import UNSAFE

Share = dict[str, Any]

KIB = 1024


def _dump(data: Share) -> str:
    return tomli_w.dumps(data, multiline_strings=True)


def _changed(base: Share, change: Callable[[Share], None]) -> str:
    data = copy.deepcopy(base)
    change(data)
    return _dump(data)


def _set(path: tuple[str | int, ...], value: object) -> Callable[[Share], None]:
    def change(data: Share) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(key: str) -> Callable[[Share], None]:
    def change(data: Share) -> None:
        del data[key]

    return change


def write_corpus(folder: Path, base: Share) -> dict[str, str]:
    """Write every hostile file into `folder`; file name -> the exact reason it must be skipped with.

    `base` is a valid share (with at least one answer, one assessment and one reflection) that the
    broken ones are made from; none of the files written here may be merged.
    """
    assert base["answer"] and base["assessment"] and base["reflection"]
    expected: dict[str, str] = {}

    def text(name: str, body: str, reason: str) -> None:
        (folder / name).write_text(body, encoding="utf-8")
        expected[name] = reason

    def raw(name: str, body: bytes, reason: str) -> None:
        (folder / name).write_bytes(body)
        expected[name] = reason

    good = _dump(base)
    head = 'schema = 1\nkind = "tillit-share"\n'

    # Too deep or too costly to parse: the sandbox's limits, never a crash or a hang.
    text("deep-arrays.toml", head + "a = " + "[" * 5000 + "]" * 5000 + "\n", UNSAFE)
    text("deep-tables.toml", head + "a = " + "{ b = " * 3000 + "1" + " }" * 3000 + "\n", UNSAFE)
    text("dotted-key-bomb.toml", head + "a." * 19000 + "a = 1\n", UNSAFE)

    # Size: a valid share just over the cap, and megabytes of whitespace (never read past the cap).
    big = copy.deepcopy(base)
    big["reflection"] = [dict(base["reflection"][0], text="x" * 19_000) for _ in range(14)]
    text("too-big.toml", _dump(big), "larger than 256 KiB")
    assert (folder / "too-big.toml").stat().st_size > 256 * KIB
    text("whitespace.toml", " \n\t" * (3 * 1024 * KIB), "larger than 256 KiB")
    text("some-whitespace.toml", " \n" * (50 * KIB), "the file is empty")
    raw("empty.toml", b"", "the file is empty")

    # Encodings and binary data.
    raw("utf16-bom.toml", good.encode("utf-16"), "not UTF-8 text")
    raw("utf16le.toml", good.encode("utf-16-le"), "not UTF-8 text")
    latin = _changed(base, _set(("name",), "Åsa Öberg"))
    raw("latin1.toml", latin.encode("latin-1"), "not UTF-8 text")
    rng = random.Random(7)
    raw("binary.toml", bytes(rng.randrange(256) for _ in range(4096)), "not UTF-8 text")
    raw("nul-in-utf8.toml", good.encode("utf-8") + b"\x00\n", "not UTF-8 text")

    # Not TOML, or TOML that is not a share.
    text(
        "syntax.toml",
        good + "\nthis is not = = toml\n",
        "not valid TOML (Expected '=' after a key in a key/value pair)",
    )
    text("duplicate-key.toml", 'kind = "tillit-share"\n' + good, "not valid TOML (Cannot overwrite a value)")
    text("no-kind.toml", _changed(base, _drop("kind")), "not a Tillit share file")
    text("other-kind.toml", _changed(base, _set(("kind",), "tillit-export")), "not a Tillit share file")
    text("plain.toml", 'title = "hello"\n', "not a Tillit share file")
    text(
        "newer-schema.toml",
        _changed(base, _set(("schema",), 2)),
        "it was made by a newer Tillit (share schema 2); update Tillit to read it",
    )
    text("schema-text.toml", _changed(base, _set(("schema",), "1")), "its schema number is not a positive whole number")

    # Ids that could walk out of a folder, or are not ids at all.
    text(
        "traversal-lesson.toml",
        _changed(base, _set(("answer", 0, "lesson"), "../../etc")),
        "answer 1 has an invalid lesson id",
    )
    text(
        "traversal-question.toml",
        _changed(base, _set(("answer", 0, "question"), "/etc/passwd")),
        "answer 1 has an invalid question id",
    )
    text(
        "traversal-reflection.toml",
        _changed(base, _set(("reflection", 0, "lesson"), "..")),
        "reflection 1 has an invalid lesson id",
    )
    text("traversal-course.toml", _changed(base, _set(("course",), "../tillit")), "it has an invalid course id")
    text(
        "bad-option-id.toml",
        _changed(base, _set(("answer", 0, "first"), ["Option A"])),
        "answer 1 has an invalid option id in 'first'",
    )
    text(
        "bad-statement-id.toml",
        _changed(base, _set(("assessment", 0, "ratings"), {"Ethics & care": 3})),
        "assessment 1 has a rating with an invalid statement id",
    )
    text(
        "participant-short.toml",
        _changed(base, _set(("participant",), "abc")),
        "its participant id is not 8 to 64 hexadecimal digits",
    )
    text(
        "participant-not-hex.toml",
        _changed(base, _set(("participant",), "../../zzzzzzzz")),
        "its participant id is not 8 to 64 hexadecimal digits",
    )
    text(
        "participant-long.toml",
        _changed(base, _set(("participant",), "a" * 65)),
        "its participant id is not 8 to 64 hexadecimal digits",
    )

    # Wrong types.
    text(
        "participant-number.toml",
        _changed(base, _set(("participant",), 12345678)),
        "its participant id is not 8 to 64 hexadecimal digits",
    )
    text(
        "first-text.toml",
        _changed(base, _set(("answer", 0, "first"), "a")),
        "answer 1 should list the chosen option ids in 'first'",
    )
    text(
        "first-correct-text.toml",
        _changed(base, _set(("answer", 0, "first_correct"), "yes")),
        "answer 1 should say first_correct = true or false",
    )
    text(
        "answer-table.toml",
        _changed(base, _set(("answer",), {"a": 1})),
        "'answer' should be a list of [[answer]] tables",
    )
    text("answer-scalars.toml", _changed(base, _set(("answer",), [1, 2])), "answer 1 is not a table")
    text(
        "created-text.toml",
        _changed(base, _set(("created",), "yesterday")),
        "'created' is not a date and time with a time zone",
    )
    text(
        "created-local.toml",
        _changed(base, _set(("created",), datetime(2025, 5, 1, 12, 0))),
        "'created' is not a date and time with a time zone",
    )
    text(
        "date-datetime.toml",
        _changed(base, _set(("assessment", 0, "date"), base["created"])),
        "assessment 1 has no valid date",
    )
    text(
        "ratings-list.toml",
        _changed(base, _set(("assessment", 0, "ratings"), [1, 2])),
        "assessment 1 should have a [ratings] table",
    )
    text("lang-number.toml", _changed(base, _set(("lang",), 1)), "'lang' is not a language code")
    text("name-number.toml", _changed(base, _set(("name",), 7)), "the name is not text")
    text("name-long.toml", _changed(base, _set(("name",), "n" * 81)), "the name is longer than 80 characters")
    text(
        "reflection-text-list.toml", _changed(base, _set(("reflection", 0, "text"), ["a"])), "reflection 1 has no text"
    )
    text(
        "reflection-long.toml",
        _changed(base, _set(("reflection", 0, "text"), "y" * 20_001)),
        "reflection 1 is longer than 20,000 characters",
    )
    scalars = {k: v for k, v in base.items() if k not in ("answer", "assessment", "reflection")}
    compact = ", ".join(
        f'{{ lesson = "a", question = "q{n}", first = [], first_correct = false, latest = [], latest_correct = false }}'
        for n in range(2001)
    )
    text("too-many-answers.toml", _dump(scalars) + f"answer = [{compact}]\n", "it has more than 2,000 answers")
    assert (folder / "too-many-answers.toml").stat().st_size < 256 * KIB
    text(
        "repeated-answer.toml",
        _changed(base, lambda d: d["answer"].append(dict(d["answer"][0]))),
        f"answer {len(base['answer']) + 1} repeats an earlier question",
    )

    # Ratings out of range, or not whole numbers.
    sid = next(iter(base["assessment"][0]["ratings"]))
    for name, value in (("zero", 0), ("six", 6), ("negative", -1), ("float", 3.5), ("bool", True), ("text", "4")):
        text(
            f"rating-{name}.toml",
            _changed(base, _set(("assessment", 0, "ratings", sid), value)),
            f"assessment 1 has a rating for '{sid}' that is not a whole number from 1 to 5",
        )

    # Things that are not files: never opened for long, never read without end.
    os.mkfifo(folder / "fifo.toml")
    expected["fifo.toml"] = "not a regular file"
    (folder / "folder.toml").mkdir()
    expected["folder.toml"] = "not a regular file"
    (folder / "zero.toml").symlink_to("/dev/zero")
    expected["zero.toml"] = "not a regular file"
    return expected
