"""Session plans: reading and checking them line by line, the shipped examples, new plans and block names."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, time
from pathlib import Path

import pytest

from course.content.model import Course
from course.content.sourcefile import UNSAFE
from course.errors import ContentError, Problem, UsageError
from course.store.storage import write_new_file
from course.trainer.plan import (
    KINDS,
    Block,
    block_title,
    check_plan,
    check_plans,
    default_blocks,
    find_plan,
    format_minutes,
    is_builtin_plan,
    read_plan,
    shipped_plans,
)
from course.trainer.plan_template import template

from .conftest import REPO

PLANS = REPO / "lessons" / "plans"

# A clean plan; every case below changes one line of it, so the line numbers stay put.
BASE = [
    "schema = 1",  # 1
    'title = "Test session"',  # 2
    'lang = "en"',  # 3
    "start = 09:00",  # 4
    "",  # 5
    "[[block]]",  # 6
    'kind = "lesson"',  # 7
    'lesson = "trust-culture"',  # 8
    "minutes = 10",  # 9
    "",  # 10
    "[[block]]",  # 11
    'kind = "quiz"',  # 12
    'lesson = "trust-culture"',  # 13
    "minutes = 8",  # 14
    "",  # 15
    "[[block]]",  # 16
    'kind = "break"',  # 17
    "minutes = 15",  # 18
    "",  # 19
    "[[block]]",  # 20
    'kind = "exercise"',  # 21
    'title = "Pairs"',  # 22
    "minutes = 12",  # 23
    'notes = """Talk in pairs."""',  # 24
]


def plan_text(**lines: str) -> str:
    """BASE with some lines replaced: plan_text(l9="minutes = 0")."""
    out = list(BASE)
    for key, value in lines.items():
        out[int(key[1:]) - 1] = value
    return "\n".join(out) + "\n"


def write(tmp_path: Path, text: str | bytes, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, course: Course, text: str | bytes, untrusted: bool = False) -> list[Problem]:
    return check_plan(write(tmp_path, text), course, untrusted=untrusted)


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, [p.render() for p in found]
    return found[0]


# --- the shipped examples ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_introduction_is_exactly_90_minutes(course: Course, lang: str) -> None:
    plan = read_plan(PLANS / lang / "intro-90.toml", course)
    assert plan.total_minutes == 90
    assert plan.lang == lang
    assert plan.start == time(9, 0)
    assert plan.lesson_ids() == ("trust-culture", "seven-manager-behaviours")
    kinds = [b.kind for b in plan.blocks]
    assert {"lesson", "discussion", "quiz", "exercise"} <= set(kinds)
    assert all(b.notes.strip() for b in plan.blocks), "every block has notes for the trainer"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_half_day_has_two_breaks_and_the_hard_lessons(course: Course, lang: str) -> None:
    plan = read_plan(PLANS / lang / "half-day.toml", course)
    assert 200 <= plan.total_minutes <= 220
    assert [b.kind for b in plan.blocks].count("break") == 2
    assert plan.blocks[0].kind != "break" and plan.blocks[-1].kind != "break"
    assert 4 <= len(plan.lesson_ids()) <= 5
    assert {"courage-to-let-go", "rebuilding-trust"} <= set(plan.lesson_ids())
    exercises = [b for b in plan.blocks if b.kind == "exercise"]
    assert len(exercises) >= 3 and all(b.title and len(b.notes) > 80 for b in exercises)


def test_both_languages_have_the_same_plans_with_the_same_shape(course: Course) -> None:
    for name in ("intro-90", "half-day"):
        sv, en = (read_plan(PLANS / lang / f"{name}.toml", course) for lang in ("sv", "en"))
        assert [(b.kind, b.lesson, b.minutes) for b in sv.blocks] == [(b.kind, b.lesson, b.minutes) for b in en.blocks]
        assert sv.title != en.title
        assert [b.notes for b in sv.blocks] != [b.notes for b in en.blocks]


def test_the_built_in_course_ships_clean_plans(course: Course) -> None:
    assert [p.relative_to(PLANS).as_posix() for p in shipped_plans(course)] == [
        "en/half-day.toml", "en/intro-90.toml", "sv/half-day.toml", "sv/intro-90.toml",
    ]  # fmt: skip
    assert check_plans(course) == []


def test_the_block_lines_point_at_their_headers(course: Course) -> None:
    path = PLANS / "sv" / "intro-90.toml"
    lines = path.read_text(encoding="utf-8").split("\n")
    plan = read_plan(path, course)
    assert all(lines[b.line - 1] == "[[block]]" for b in plan.blocks)
    assert len({b.line for b in plan.blocks}) == len(plan.blocks)


def test_the_format_in_the_module_docstring_is_a_valid_plan(tmp_path: Path, course: Course) -> None:
    from course.trainer import plan as plan_module

    doc = plan_module.__doc__ or ""
    match = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert match is not None
    plan = read_plan(write(tmp_path, match.group(1)), course)
    assert plan.date == date(2026, 12, 3) and plan.start == time(9, 0) and plan.place


# --- problems, each at its line ------------------------------------------------------------------


def test_the_base_plan_is_clean(tmp_path: Path, course: Course) -> None:
    plan = read_plan(write(tmp_path, plan_text()), course)
    assert [b.kind for b in plan.blocks] == ["lesson", "quiz", "break", "exercise"]
    assert [b.line for b in plan.blocks] == [6, 11, 16, 20]
    assert plan.blocks[3] == Block("exercise", 12, None, "Pairs", "Talk in pairs.", 20)
    assert plan.title == "Test session" and plan.place == "" and plan.date is None


CASES = [
    # (changed lines, the line of the problem, words in the problem, words in the fix)
    ({"l2": "# no title"}, 1, "no title", 'title = "'),
    ({"l2": "title = 5"}, 2, "title", 'title = "'),
    ({"l2": 'title = "  "'}, 2, "title", 'title = "'),
    ({"l1": "schema = 0"}, 1, "schema is 0", "schema = 1"),
    ({"l1": 'schema = "1"'}, 1, "schema is '1'", "schema = 1"),
    ({"l1": "schema = 1.0"}, 1, "schema is 1.0", "schema = 1"),
    ({"l1": "# schema"}, 1, "'schema' is missing", "schema = 1"),
    ({"l3": 'lang = "fi"'}, 3, "lang is 'fi'", 'lang = "sv" or lang = "en"'),
    ({"l4": 'start = "09:00"'}, 4, "not a time of day", "without quotes"),
    ({"l4": "start = 2026-12-03"}, 4, "not a time of day", "start = 09:00"),
    ({"l5": 'date = "2026-12-03"'}, 5, "not a date", "date = 2026-12-03"),
    ({"l5": "date = 2026-12-03T10:00:00"}, 5, "not a date", "without quotes or a time"),
    ({"l5": "place = 3"}, 5, "place should be text", 'place = "'),
    ({"l5": 'plcae = "Room 2"'}, 5, "unknown key 'plcae'", "did you mean 'place'"),
    ({"l5": "speaker = 1"}, 5, "unknown key 'speaker'", "schema, title, date, place, lang, start, block"),
    ({"l17": 'kind = "lecture"'}, 17, "block 3 has kind 'lecture'", "lesson, discussion, quiz, exercise, break"),
    ({"l7": 'kind = "lessons"'}, 7, "block 1 has kind 'lessons'", 'did you mean kind = "lesson"'),
    ({"l7": "# no kind"}, 6, "block 1 has no kind", "kind ="),
    ({"l13": 'lesson = "trust-cultur"'}, 13, "lesson 'trust-cultur'", 'did you mean lesson = "trust-culture"'),
    ({"l13": 'lesson = "zzz"'}, 13, "not in the course", "trust-culture, seven-manager-behaviours, courage-to-let-go"),
    ({"l13": "lesson = 7"}, 13, "lesson that is not text", "lesson ="),
    ({"l13": "# lesson gone"}, 11, "block 2 (quiz) has no lesson", "lesson ="),
    ({"l8": "# lesson gone"}, 6, "block 1 (lesson) has no lesson", "lesson ="),
    ({"l19": 'lesson = "trust-culture"'}, 19, "block 3 is a break but names a lesson", "remove the lesson"),
    ({"l9": 'minutes = "10"'}, 9, "not a whole number", "minutes = 15"),
    ({"l9": "minutes = 1.5"}, 9, "not a whole number", "without quotes or decimals"),
    ({"l9": "minutes = true"}, 9, "not a whole number", "minutes = 15"),
    ({"l9": "minutes = 0"}, 9, "block 1 is 0 minutes long", "between 1 and 480"),
    ({"l14": "minutes = -5"}, 14, "block 2 is -5 minutes long", "between 1 and 480"),
    ({"l18": "minutes = 481"}, 18, "block 3 is 481 minutes long", "between 1 and 480"),
    ({"l23": "# minutes gone"}, 20, "block 4 has no minutes", "minutes ="),
    ({"l22": "# title gone"}, 20, "block 4 is an exercise without a title", 'title = "'),
    ({"l22": 'title = ""'}, 22, "block 4 is an exercise without a title", 'title = "'),
    ({"l22": "title = 1"}, 22, "block 4 has a title that is not text", 'title = "'),
    ({"l24": "notes = 1"}, 24, "block 4 has notes that are not text", "notes ="),
    ({"l24": "speaker = 'Ann'"}, 24, "block 4 has an unknown key 'speaker'", "kind, lesson, minutes, title, task, notes"),
    ({"l4": "start = 9:00"}, 4, "the time on line 4", "two digits, e.g. 09:00"),
]


@pytest.mark.parametrize(("lines", "line", "problem", "fix"), CASES, ids=[str(c[0]) for c in CASES])
def test_each_problem_is_reported_at_its_line(
    tmp_path: Path, course: Course, lines: dict[str, str], line: int, problem: str, fix: str
) -> None:
    found = only(problems(tmp_path, course, plan_text(**lines)))
    assert found.line == line, found.render()
    assert problem in found.problem, found.render()
    assert fix in found.fix, found.render()
    with pytest.raises(ContentError) as caught:
        read_plan(tmp_path / "plan.toml", course, untrusted=False)
    assert caught.value.problems == [found]


def test_a_misspelt_key_in_a_block_is_not_silently_ignored(tmp_path: Path, course: Course) -> None:
    found = problems(tmp_path, course, plan_text(l9="minuts = 10"))
    assert [(p.line, p.problem, p.fix) for p in found] == [
        (9, "block 1 has an unknown key 'minuts'", "did you mean 'minutes'? Rename it"),
        (6, "block 1 has no minutes", "add minutes = 15 (whole minutes)"),
    ]


def test_a_key_missing_from_one_block_is_not_found_in_the_next(tmp_path: Path, course: Course) -> None:
    # block 2 lacks minutes; the `minutes = 15` of block 3 must not be blamed for it.
    found = only(problems(tmp_path, course, plan_text(l14="")))
    assert (found.line, found.problem) == (11, "block 2 has no minutes")


def test_an_unknown_sub_table_is_reported_at_its_header(tmp_path: Path, course: Course) -> None:
    text = plan_text() + "\n[block.extra]\nx = 1\n"
    found = only(problems(tmp_path, course, text))
    assert (found.line, found.problem) == (26, "block 4 has an unknown key 'extra'")


def test_a_misspelt_array_of_tables_is_named(tmp_path: Path, course: Course) -> None:
    text = plan_text().replace("[[block]]", "[[blocks]]")
    found = problems(tmp_path, course, text)
    assert [(p.line, p.problem) for p in found] == [
        (6, "the plan has an unknown key 'blocks'"),
        (1, "the plan has no blocks"),
    ]
    assert found[0].fix.startswith("did you mean 'block'?")


def test_a_plan_without_blocks(tmp_path: Path, course: Course) -> None:
    found = only(problems(tmp_path, course, "\n".join(BASE[:4]) + "\n"))
    assert (found.line, found.problem) == (1, "the plan has no blocks")
    found = only(problems(tmp_path, course, "\n".join(BASE[:4]) + "\nblock = []\n"))
    assert (found.line, found.problem) == (5, "the plan has no blocks")
    found = only(problems(tmp_path, course, "\n".join(BASE[:4]) + "\nblock = 3\n"))
    assert (found.line, found.problem) == (5, "'block' should be a list of [[block]] tables")


def test_a_plan_from_a_newer_tillit_asks_for_an_upgrade_and_nothing_else(tmp_path: Path, course: Course) -> None:
    text = plan_text(l1="schema = 2", l9="minutes = 0", l24="future = true")
    found = only(problems(tmp_path, course, text))
    assert (found.line, found.problem, found.fix) == (
        1,
        "the plan is written for a newer Tillit (schema 2)",
        "upgrade Tillit to use this plan",
    )


def test_a_quiz_block_needs_a_quiz_in_the_plans_language(tmp_path: Path, course: Course) -> None:
    without = dataclasses.replace(
        course, quizzes={k: v for k, v in course.quizzes.items() if k != ("trust-culture", "en")}
    )
    found = only(problems(tmp_path, without, plan_text()))
    assert (found.line, found.problem) == (13, "block 2 is a quiz, but lesson 'trust-culture' has no quiz in en")
    assert problems(tmp_path, without, plan_text(l3='lang = "sv"')) == []
    # Without a lang the plan may be shown in any language, so every one needs the quiz.
    found = only(problems(tmp_path, without, plan_text(l3="")))
    assert found.problem.endswith("has no quiz in en")


def test_a_plan_over_twelve_hours(tmp_path: Path, course: Course) -> None:
    text = plan_text(l9="minutes = 400", l18="minutes = 300")  # 400 + 8 + 300 = 708, + 12 = 720: not over
    assert problems(tmp_path, course, text) == []
    text = plan_text(l9="minutes = 400", l18="minutes = 301")
    found = only(problems(tmp_path, course, text))
    assert (found.line, found.problem) == (20, "the plan passes 12 hours with this block (12 h 1 min in all)")


def test_every_problem_is_collected_not_just_the_first(tmp_path: Path, course: Course) -> None:
    text = plan_text(l2="title = 1", l3='lang = "xx"', l9="minutes = 0", l13='lesson = "nope"', l22="# t")
    assert sorted(p.line for p in problems(tmp_path, course, text)) == [2, 3, 9, 13, 20]


def test_short_and_long_start_times_and_windows_line_endings(tmp_path: Path, course: Course) -> None:
    assert read_plan(write(tmp_path, plan_text(l4="start = 13:45  # after lunch")), course).start == time(13, 45)
    assert read_plan(write(tmp_path, plan_text(l4="start = 09:00:30")), course).start == time(9, 0, 30)
    crlf = plan_text(l9="minutes = 0").replace("\n", "\r\n").encode()
    assert only(problems(tmp_path, course, crlf)).line == 9


def test_a_start_line_inside_a_block_is_left_alone(tmp_path: Path, course: Course) -> None:
    # Only the top-level start gets the short-time treatment; elsewhere it is an unknown key.
    found = problems(tmp_path, course, plan_text(l4="", l19="start = 10:00"))
    assert [p.line for p in found] == [19]
    assert "the time on line 19" in found[0].problem


# --- hostile plans -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
        b"x = " + b"{a = " * 5000 + b"1" + b"}" * 5000 + b"\n",
    ],
    ids=["deep-arrays", "deep-tables"],
)
def test_a_deeply_nested_plan_is_one_problem(tmp_path: Path, course: Course, content: bytes) -> None:
    found = only(problems(tmp_path, course, content, untrusted=True))
    assert (found.line, found.problem) == (1, UNSAFE)
    with pytest.raises(ContentError):
        read_plan(tmp_path / "plan.toml", course)


def test_a_huge_plan_is_one_problem_and_not_parsed(tmp_path: Path, course: Course) -> None:
    huge = plan_text().encode() + b"# " + b"x" * (3 * 1024 * 1024) + b"\n"
    found = only(problems(tmp_path, course, huge, untrusted=True))
    assert (found.line, found.problem) == (1, "the file is larger than 2 MiB")


def test_binary_and_missing_plans_are_one_problem(tmp_path: Path, course: Course) -> None:
    found = only(problems(tmp_path, course, b"schema = 1\n\xff\xfe\x00\n", untrusted=True))
    assert (found.line, found.problem) == (2, "the file is not UTF-8 text")
    found = only(check_plan(tmp_path / "nowhere.toml", course))
    assert "cannot be read" in found.problem


def test_a_plan_that_links_out_of_its_folder_is_refused(tmp_path: Path, course: Course) -> None:
    outside = write(tmp_path, plan_text(), "outside.toml")
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "linked.toml").symlink_to(outside)
    found = only(check_plan(folder / "linked.toml", course))
    assert "outside the course folder" in found.problem


def test_check_plans_reads_a_trainers_course_in_the_sandbox(tmp_path: Path, course: Course) -> None:
    mine = dataclasses.replace(course, root=tmp_path)
    assert shipped_plans(mine) == [] and check_plans(mine) == []
    folder = tmp_path / "lessons" / "plans" / "en" / "deeper"
    folder.mkdir(parents=True)
    write(folder, plan_text(l9="minutes = 0"), "bad.toml")
    write(folder, b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "bomb.toml")
    write(folder.parent, plan_text(), "fine.toml")
    write(folder.parent, "not a plan", "readme.txt")
    found = check_plans(mine)
    assert [(p.file.name, p.line, p.problem) for p in found] == [
        ("bad.toml", 9, "block 1 is 0 minutes long"),
        ("bomb.toml", 1, UNSAFE),
    ]


def test_only_the_built_in_courses_plans_count_as_built_in(tmp_path: Path) -> None:
    assert is_builtin_plan(PLANS / "sv" / "intro-90.toml")
    assert not is_builtin_plan(write(tmp_path, plan_text()))
    assert not is_builtin_plan(REPO / "lessons" / "course.toml")


# --- finding and writing plans -------------------------------------------------------------------


def test_find_plan_by_name_path_and_language(tmp_path: Path, course: Course) -> None:
    assert find_plan("intro-90", course, "sv") == PLANS / "sv" / "intro-90.toml"
    assert find_plan("half-day", course, "en") == PLANS / "en" / "half-day.toml"
    assert find_plan("half-day.toml", course, "en") == PLANS / "en" / "half-day.toml"
    assert find_plan("intro-90", course, "fi") == PLANS / "sv" / "intro-90.toml"  # the course's first language
    mine = write(tmp_path, plan_text(), "intro-90")
    assert find_plan(str(mine), course, "sv") == mine


def test_find_plan_falls_back_to_another_language(tmp_path: Path, course: Course) -> None:
    mine = dataclasses.replace(course, root=tmp_path)
    folder = tmp_path / "lessons" / "plans" / "sv"
    folder.mkdir(parents=True)
    only_sv = write(folder, plan_text(), "only-sv.toml")
    assert find_plan("only-sv", mine, "en") == only_sv


def test_find_plan_says_which_plans_exist(tmp_path: Path, course: Course) -> None:
    with pytest.raises(UsageError) as caught:
        find_plan("intro-60", course, "sv")
    assert str(caught.value) == (
        "There is no plan file or shipped plan called 'intro-60': "
        "the plans that come with the course are half-day, intro-90."
    )
    with pytest.raises(UsageError, match="half-day, intro-90"):
        find_plan("../plans/sv/intro-90", course, "sv")
    with pytest.raises(UsageError, match="comes with no plans"):
        find_plan("intro-90", dataclasses.replace(course, root=tmp_path), "sv")


def test_write_template_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    write_new_file(path, "first\n")
    assert path.read_text(encoding="utf-8") == "first\n"
    with pytest.raises(UsageError, match="already exists") as caught:
        write_new_file(path, "second\n")
    assert str(path) in str(caught.value)
    assert path.read_text(encoding="utf-8") == "first\n"
    write_new_file(path, "third\n", replace=True)
    assert path.read_text(encoding="utf-8") == "third\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.toml"], "no temporary file is left behind"


def test_write_template_names_a_missing_folder_or_a_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        write_new_file(tmp_path / "nope" / "plan.toml", "x\n")
    with pytest.raises(UsageError, match="is a folder"):
        write_new_file(tmp_path, "x\n", replace=True)


# --- new plans -----------------------------------------------------------------------------------


def test_default_blocks_for_one_lesson(course: Course) -> None:
    assert default_blocks(course, ["seven-manager-behaviours"], "en") == [
        Block("lesson", 12, "seven-manager-behaviours", "", "", 0),
        Block("discussion", 10, "seven-manager-behaviours", "", "", 0),
        Block("quiz", 8, "seven-manager-behaviours", "", "", 0),
    ]
    # A lesson shorter than 10 minutes gets its own minutes (issue 14: it used to be given 10).
    assert course.lesson("learning-focused-follow-up", "sv").minutes < 10
    assert default_blocks(course, ["learning-focused-follow-up"], "sv")[0].minutes == 8


def test_default_blocks_put_breaks_between_lessons(course: Course) -> None:
    blocks = default_blocks(course, course.lesson_ids, "sv")
    kinds = [b.kind for b in blocks]
    assert kinds.count("break") == 3
    assert kinds[0] != "break" and kinds[-1] != "break"
    stretches: list[int] = [0]
    for i, block in enumerate(blocks):
        if block.kind == "break":
            assert block.minutes == 15
            assert blocks[i + 1].kind == "lesson", "a break falls between lessons, not inside one"
            stretches.append(0)
        else:
            stretches[-1] += block.minutes
    assert all(75 <= s <= 90 for s in stretches[:-1]), stretches
    assert [b.lesson for b in blocks if b.kind == "lesson"] == list(course.lesson_ids)
    # Two lessons (about an hour) need no break at all.
    assert "break" not in [b.kind for b in default_blocks(course, course.lesson_ids[:2], "en")]


def test_default_blocks_for_long_lessons_without_quizzes(course: Course) -> None:
    long = {k: dataclasses.replace(v, minutes=60) for k, v in course.lessons.items()}
    plain = dataclasses.replace(course, lessons=long, quizzes={})
    blocks = default_blocks(plain, ["trust-culture", "hr-role", "team-dialogue"], "en")
    assert [(b.kind, b.minutes) for b in blocks] == [
        ("lesson", 60), ("discussion", 10), ("break", 15),
        ("lesson", 60), ("discussion", 10), ("break", 15),
        ("lesson", 60), ("discussion", 10),
    ]  # fmt: skip


def test_a_break_comes_after_about_75_to_90_minutes(course: Course) -> None:
    # About 20 minutes a lesson (10 + a 10-minute discussion, no quiz): four of them (80 min) before the break, not three.
    plain = dataclasses.replace(course, quizzes={})
    blocks = default_blocks(plain, course.lesson_ids[:7], "en")
    assert [b.kind for b in blocks].index("break") == 8
    assert [b.kind for b in blocks].count("break") == 1


def test_default_blocks_name_unknown_lessons(course: Course) -> None:
    with pytest.raises(UsageError, match=r"'trust', 'x'.*trust-culture"):
        default_blocks(course, ["trust", "trust-culture", "x"], "en")
    with pytest.raises(UsageError, match="at least one lesson"):
        default_blocks(course, [], "en")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("how_many", [1, 10])
def test_a_template_reads_back_without_problems(tmp_path: Path, course: Course, lang: str, how_many: int) -> None:
    ids = list(course.lesson_ids[:how_many])
    text = template(course, ids, lang)
    plan = read_plan(write(tmp_path, text), course)
    expected = default_blocks(course, ids, lang)
    assert [(b.kind, b.lesson, b.minutes) for b in plan.blocks] == [(b.kind, b.lesson, b.minutes) for b in expected]
    assert plan.lang == lang and plan.start is None and plan.date is None
    assert plan.title == (course.lesson(ids[0], lang).title if how_many == 1 else course.title(lang))
    lines = text.split("\n")
    for block in plan.blocks:
        if block.kind == "lesson":
            assert block.lesson is not None
            assert lines[block.line - 2] == f"# {course.lesson(block.lesson, lang).title}"
    total = format_minutes(plan.total_minutes, lang)
    assert lines[1].startswith("# Total tid: " if lang == "sv" else "# Total time: ")
    assert total in lines[1]
    for kind in KINDS:
        assert f'"{kind}"' in text, "the comments list every kind"


def test_a_template_in_swedish_speaks_swedish(course: Course) -> None:
    text = template(course, course.lesson_ids, "sv", start=time(9, 0))
    # each lesson its own minutes (issue 14): the two 8-minute lessons no longer count as 10
    assert "# Total tid: 5 tim 24 min (324 minuter), varav 45 min paus." in text
    assert "# Klockslag: 09:00–14:24." in text
    assert "# Paus" in text and "Diskussion: Vad kännetecknar en tillitskultur?" in text
    english = template(course, ["trust-culture"], "en")
    assert "# Total time: 28 min, no breaks." in english
    assert "Paus" not in english and "minutes" in english


def test_a_template_keeps_title_date_and_start(tmp_path: Path, course: Course) -> None:
    title = 'Workshop "Tillit" \\ part 1\nsecond line\x7f'
    text = template(course, ["hr-role", "team-dialogue"], "en", title, date(2026, 12, 3), time(13, 30))
    plan = read_plan(write(tmp_path, text), course)
    assert plan.title == 'Workshop "Tillit" \\ part 1 second line\u2421'  # DEL read back, shown as ␡
    assert (plan.date, plan.start) == (date(2026, 12, 3), time(13, 30))
    assert "start = 13:30\n" in text


def test_a_template_survives_odd_lesson_titles(tmp_path: Path, course: Course) -> None:
    lesson = course.lesson("hr-role", "en")
    odd = dict(course.lessons)
    odd[("hr-role", "en")] = dataclasses.replace(lesson, title='HR\x00\x1b[31m "role"\x7f\nnext')
    text = template(dataclasses.replace(course, lessons=odd), ["hr-role"], "en")
    assert '# HR[31m "role" next\n' in text
    # read back exactly, then made inert (a plan may be anyone's): NUL, ESC and DEL shown as ␀ ␛ ␡
    assert read_plan(write(tmp_path, text), course).title == 'HR\u2400\u241b[31m "role"\u2421 next'


def test_a_template_names_unknown_lessons(course: Course) -> None:
    with pytest.raises(UsageError, match="'nope'"):
        template(course, ["trust-culture", "nope"], "sv")


def test_a_toml_value_round_trips_and_holds_no_control() -> None:
    import tomllib

    from course.store.storage import toml_value

    values: list[str | bool | int] = ["", "plain", 'quote " and \\ back', "tab\tnew\nline", "\x00\x1f\x7f\x9b", "åäö – ”citat” \u202e", True, 90]
    for value in values:
        shown = toml_value(value)
        assert not any((ord(c) < 0x20 and c != "\t") or 0x7F <= ord(c) <= 0x9F for c in shown)  # one line, inert
        assert tomllib.loads(f"v = {shown}")["v"] == value


# --- what the agenda calls a block --------------------------------------------------------------------


def test_blocks_are_named_by_their_title_lesson_and_kind(course: Course) -> None:
    plan = read_plan(PLANS / "sv" / "intro-90.toml", course)
    titles = [block_title(b, course, "sv") for b in plan.blocks]
    assert titles[1] == "Vad kännetecknar en tillitskultur?"
    assert titles[2] == "Diskussion: Vad kännetecknar en tillitskultur?"
    assert titles[6] == "Quiz: Sju beteenden hos chefer som bygger tillit"
    assert titles[0] == "Incheckning: betrodd eller kontrollerad?"
    assert block_title(plan.blocks[2], course, "en") == "Discussion: What characterises a trust culture?"
    blocks = (
        Block("lesson", 30, "hr-role", "", "", 1),
        Block("break", 15, None, "", "", 2),
        Block("exercise", 20, None, "", "", 3),
        Block("exercise", 20, "hr-role", "", "", 4),
        Block("break", 10, None, "Fika", "", 5),
    )
    assert [block_title(b, course, "sv") for b in blocks] == [
        "HR:s roll i att bygga tillit",
        "Paus",
        "Övning",
        "Övning: HR:s roll i att bygga tillit",
        "Fika",
    ]
    assert [block_title(b, course, "en") for b in blocks][:3] == ["HR's role in building trust", "Break", "Exercise"]
    assert block_title(Block("quiz", 8, "hr-role", "", "", 1), course, "fi") == "Quiz: HR:s roll i att bygga tillit"


def test_format_minutes() -> None:
    assert [format_minutes(m, "en") for m in (5, 60, 90, 210)] == ["5 min", "1 h", "1 h 30 min", "3 h 30 min"]
    assert [format_minutes(m, "sv") for m in (45, 120, 95)] == ["45 min", "2 tim", "1 tim 35 min"]


def test_a_task_is_for_exercises_and_breaks_and_reaches_the_block(course: Course, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'schema = 1\ntitle = "T"\n\n[[block]]\nkind = "exercise"\ntitle = "Pairs"\ntask = "Talk in pairs."\nminutes = 5\n'
        '\n[[block]]\nkind = "lesson"\nlesson = "trust-culture"\ntask = "No."\nminutes = 5\n',
        encoding="utf-8",
    )
    problems = check_plan(plan, course)
    assert [(p.line, p.problem) for p in problems] == [(13, "block 2 is a lesson with a task")]
    plan.write_text(plan.read_text(encoding="utf-8").replace('task = "No."\n', ""), encoding="utf-8")
    assert read_plan(plan, course).blocks[0].task == "Talk in pairs."
