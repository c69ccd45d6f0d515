"""Authoring as strict as the plan checker (issue 14): unknown keys in every course file are reported at
file:line with "did you mean", every problem of a file in one run, what is not a file where one should be,
TOML mistakes in plain words; and the GIFT import's feedback picked by the answer given."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest

from course.content.gift import PLACEHOLDER, convert
from course.content.loader import check_course, load_course
from course.content.sourcefile import Report, plain_toml_error, unknown_keys, value_fix
from course.errors import Problem
from course.trainer.plan import check_plan

from .test_content import LESSON, block_line, edit, edit_block, lesson_file, line_of, quiz_file

MANIFEST = Path("lessons") / "course.toml"


def problems_of(root: Path, file: Path) -> list[Problem]:
    return [p for p in check_course(root) if p.file == file]


def only_one(root: Path, file: Path, words: str) -> Problem:
    found = [p for p in problems_of(root, file) if words in p.problem]
    assert len(found) == 1, [p.render(root) for p in check_course(root)]
    return found[0]


# --- unknown keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "count", "problem", "fix"),
    [
        ("\nnotes =", "\nnote =", 1, "the lesson has an unknown key 'note'", "did you mean 'notes'? Rename it"),
        (
            "\nkey_points =",
            "\nkeypoints =",
            1,
            "the lesson has an unknown key 'keypoints'",
            "did you mean 'key_points'?",
        ),
        (
            "[[discussion]]",
            "[[discusion]]",
            -1,
            "the lesson has an unknown key 'discusion'",
            "did you mean 'discussion'?",
        ),
        ("\nsummary =", "\nfeedback = 1\nsummary =", 1, "unknown key 'feedback'", "may have id, title, summary"),
    ],
)
def test_a_slip_in_a_lessons_front_matter_is_reported_at_its_line(
    course_copy: Path, old: str, new: str, count: int, problem: str, fix: str
) -> None:
    """Before: `tillit check` said OK, and the notes, key points or discussion cards vanished from the slides."""
    path = lesson_file(course_copy, "en")
    edit(path, old, new, count)
    found = only_one(course_copy, path, problem)
    assert found.line == line_of(path, new.strip().split("\n")[0])
    assert fix in found.fix


def test_a_slip_inside_a_prompt_is_reported_at_its_line(course_copy: Path) -> None:
    path = lesson_file(course_copy, "sv")
    text = path.read_text(encoding="utf-8")
    first = text.index("[[prompt]]")
    at = text.index("\ntext =", first)
    path.write_text(text[:at] + "\ntxt =" + text[at + len("\ntext =") :], encoding="utf-8")
    found = [(p.line, p.problem, p.fix) for p in problems_of(course_copy, path)]
    pid = re.search(r'id = "([^"]+)"', text[first:]).group(1)  # type: ignore[union-attr]
    assert found == [
        (line_of(path, "txt ="), f"prompt '{pid}' has an unknown key 'txt'", "did you mean 'text'? Rename it"),
        (line_of(path, "txt =") - 2, f"prompt '{pid}' has no text", 'add text = "…"'),
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem", "fix"),
    [
        (
            "hint =",
            "hnit =",
            "question 'approval-for-every-decision' has an unknown key 'hnit'",
            "did you mean 'hint'?",
        ),
        ("hint =", 'feedback = "x"\nhint =', "has an unknown key 'feedback'", "may have id, kind, text, hint"),
        (
            "  correct = false",
            "  corect = false",
            "of question 'approval-for-every-decision' has an unknown key 'corect'",
            "did you mean 'correct'?",
        ),
        ("pass_mark = 0.8", "passmark = 0.8", "the quiz has an unknown key 'passmark'", "did you mean 'pass_mark'?"),
        ("  [[question.option]]", "  [[question.options]]", "has an unknown key 'options'", "did you mean 'option'?"),
    ],
)
def test_a_slip_in_a_quiz_is_reported_at_its_line(
    course_copy: Path, old: str, new: str, problem: str, fix: str
) -> None:
    path = quiz_file(course_copy, "en")
    edit(path, old, new)
    found = only_one(course_copy, path, problem)
    assert found.line == line_of(path, new.split("\n")[0])
    assert fix in found.fix


def test_a_misspelt_pass_mark_is_missing_not_out_of_range(course_copy: Path) -> None:
    path = quiz_file(course_copy, "en")
    edit(path, "pass_mark = 0.8", "passmark = 0.8")
    assert [(p.line, p.problem) for p in problems_of(course_copy, path)] == [
        (line_of(path, "passmark"), "the quiz has an unknown key 'passmark'"),
        (1, "'pass_mark' is missing"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem", "fix"),
    [
        (
            "lessons = [",
            'language = "sv"\nlessons = [',
            "course.toml has an unknown key 'language'",
            "did you mean 'languages'?",
        ),
        ('author = "', 'autor = "x"\nauthor = "', "[source] has an unknown key 'autor'", "did you mean 'author'?"),
        ('en = "Trust-based', 'sw = "x"\nen = "Trust-based', "[title] has an unknown key 'sw'", "may have sv, en"),
        ('en = "Trust-based', 'EN = "x"\nen = "Trust-based', "[title] has an unknown key 'EN'", "did you mean 'en'?"),
        ("[description]", "[descripton]", "course.toml has an unknown key 'descripton'", "did you mean 'description'?"),
    ],
)
def test_a_slip_in_course_toml_is_reported_at_its_line(
    course_copy: Path, old: str, new: str, problem: str, fix: str
) -> None:
    path = course_copy / MANIFEST
    edit(path, old, new)
    found = only_one(course_copy, path, problem)
    assert found.line == line_of(path, new.split("\n")[0])
    assert fix in found.fix


@pytest.mark.parametrize(
    ("name", "old", "new", "problem"),
    [
        ("about.toml", "[origin]", "[orign]", "about.toml has an unknown key 'orign'"),
        ("about.toml", "[term.note]", "[term.notes]", "term 1 has an unknown key 'notes'"),
        (
            "self-assessment.toml",
            "[statement.text]",
            "[statement.texts]",
            "statement 'ethics-and-care' has an unknown key 'texts'",
        ),
        ("self-assessment.toml", "[scale]\nsv", "[scale]\nSV = []\nsv", "[scale] has an unknown key 'SV'"),
    ],
)
def test_a_slip_in_the_about_page_or_the_self_assessment_is_reported(
    course_copy: Path, name: str, old: str, new: str, problem: str
) -> None:
    path = course_copy / "lessons" / name
    edit(path, old, new)
    found = [p for p in problems_of(course_copy, path) if problem in p.problem]
    assert [p.line for p in found] == [line_of(path, new.split("\n")[-2] if "\n" in new else new)]
    assert "did you mean" in found[0].fix


def test_course_files_and_plans_report_unknown_keys_the_one_way(course_copy: Path, tmp_path: Path) -> None:
    rep = Report()
    unknown_keys({"minuts": 1, "kind": "x"}, ("kind", "minutes"), "block 1", Path("p.toml"), rep, lambda key: 7)
    assert [(p.line, p.problem, p.fix) for p in rep.problems] == [
        (7, "block 1 has an unknown key 'minuts'", "did you mean 'minutes'? Rename it")
    ]
    plan = tmp_path / "plan.toml"
    plan.write_text('schema = 1\ntitle = "x"\n\n[[block]]\nkind = "break"\nminuts = 10\n', encoding="utf-8")
    found = check_plan(plan, load_course(course_copy), untrusted=False)
    assert (6, "block 1 has an unknown key 'minuts'", "did you mean 'minutes'? Rename it") in [
        (p.line, p.problem, p.fix) for p in found
    ]
    path = lesson_file(course_copy, "en")
    edit(path, "\nminutes =", "\nminuts =")
    assert only_one(course_copy, path, "unknown key").fix == "did you mean 'minutes'? Rename it"


def test_the_built_in_course_has_no_unknown_keys() -> None:
    from .conftest import REPO

    assert check_course(REPO) == []


# --- every problem of a file in one run ------------------------------------------------------------------


def test_every_problem_of_a_quiz_is_reported_in_one_run_and_none_twice(course_copy: Path) -> None:
    """Before: a missing explain hid the duplicate option and question ids, `answer` on a single-choice
    question, and a bad id hid the misspelt kind next to it; each showed only once the others were fixed."""
    path = quiz_file(course_copy, "en")
    edit_block(path, "question.option", "stricter-approval", 'explain = "', 'explanation = "', count=1)
    edit(path, 'id = "guard-own-cases"', 'id = "stricter-approval"')
    edit(path, 'id = "school-team-signs"', 'id = "approval-for-every-decision"')
    edit(path, 'kind = "single"\n', 'kind = "single"\nanswer = true\n')
    text = path.read_text(encoding="utf-8")
    last = text.rindex("[[question]]")
    tail = re.sub(
        r'kind = "[a-z_]+"', 'kind = "singel"', re.sub(r'id = "[^"]+"', 'id = "Bad Id"', text[last:], count=1), count=1
    )
    path.write_text(text[:last] + tail, encoding="utf-8")
    found = problems_of(course_copy, path)
    rendered = [f"{p.line}: {p.problem}" for p in found]
    expected = {
        "has an unknown key 'explanation'",
        "option 'stricter-approval' of question 'approval-for-every-decision' has no explain",
        "option id 'stricter-approval' is used twice in question 'approval-for-every-decision'",
        "question id 'approval-for-every-decision' is used twice",
        "question 'approval-for-every-decision' is a single-choice question but has answer",
        "has no valid id ('Bad Id')",
        "has kind 'singel'",
    }
    for words in expected:
        assert sum(words in line for line in rendered) == 1, (words, rendered)
    assert len(rendered) == len(set(rendered)) == len(expected), rendered
    kind = next(p for p in found if "singel" in p.problem)
    assert kind.line == line_of(path, 'kind = "singel"') and 'did you mean kind = "single"' in kind.fix
    twice = next(p for p in found if "question id" in p.problem)
    assert twice.line == block_line(path, "question", "approval-for-every-decision") or twice.line > 1
    assert f"on line {block_line(path, 'question', 'approval-for-every-decision')}" in twice.fix


def test_a_true_false_question_reports_its_answer_and_its_explain_together(course_copy: Path) -> None:
    path = quiz_file(course_copy, "sv")
    text = path.read_text(encoding="utf-8")
    start = text.rindex("[[question]]", 0, text.index('id = "complex-tasks-more-control"'))
    end = text.find("\n[[question]]", start + 1)
    part = re.sub(r"^answer = (true|false)$", 'answer = "false"', text[start:end], flags=re.MULTILINE)
    part = re.sub(r"^explain = .*$", "", part, flags=re.MULTILINE)
    path.write_text(text[:start] + part + text[end:], encoding="utf-8")
    found = {p.problem: p for p in problems_of(course_copy, path)}
    answer = found["question 'complex-tasks-more-control' has answer = 'false' in quotation marks"]
    assert answer.fix == "write true or false without quotes: answer = false"
    assert answer.line == line_of(path, 'answer = "false"')
    assert "question 'complex-tasks-more-control' has no explain" in found


# --- what is not a file where one should be --------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_or_a_folder_where_a_quiz_should_be_is_a_problem(course_copy: Path) -> None:
    pipe, folder = quiz_file(course_copy, "sv"), quiz_file(course_copy, "en", "hr-role")
    pipe.unlink()
    os.mkfifo(pipe)
    folder.unlink()
    folder.mkdir()
    found = {p.file: p for p in check_course(course_copy)}
    assert "named pipe" in found[pipe].problem and "not a file" in found[pipe].problem
    assert "a folder, not a file" in found[folder].problem
    assert len(check_course(course_copy)) == 2  # and not also "a quiz in one language only"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_course_toml_says_so_rather_than_no_manifest(course_copy: Path) -> None:
    """Before: "there is no course manifest", which sends an author looking for a file that is there."""
    path = course_copy / MANIFEST
    path.unlink()
    os.mkfifo(path)
    [found] = check_course(course_copy)
    assert (found.file, found.line) == (path, 1)
    assert "named pipe" in found.problem


def test_a_file_where_a_language_folder_of_quizzes_should_be_is_a_problem(course_copy: Path) -> None:
    """Before: quizzes/en as a file made every English quiz quietly missing."""
    folder = course_copy / "quizzes" / "en"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_text("not a folder\n", encoding="utf-8")
    found = [p for p in check_course(course_copy) if p.file == folder]
    assert len(found) == 1 and "not a folder" in found[0].problem


# --- TOML mistakes in plain words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "problem", "fix"),
    [
        (
            'lesson = "trust-culture"',
            'lesson = "trust-culture',
            "a quotation mark is not closed on line {line}",
            "same quotation mark",
        ),
        ("pass_mark = 0.8", "pass_mark = 0,8", "the number on line {line} has a decimal comma", "pass_mark = 0.8"),
        (
            "  correct = false",
            "  correct = False",
            "true and false are written in small letters (line {line})",
            "correct = false",
        ),
        ("  correct = false", "  correct = nej", "line {line} says yes or no", "correct = false"),
        (
            'lesson = "trust-culture"',
            "lesson = trust-culture",
            "the text on line {line} has no quotation marks",
            'lesson = "…"',
        ),
        ('lesson = "trust-culture"', "lesson = “trust-culture”", "typographic quotation marks (“)", 'lesson = "…"'),
        ('hint = "Think about', 'hint = "Think "about', "a quotation mark inside the text on line {line}", '\\"'),
    ],
)
def test_a_toml_mistake_is_one_plain_sentence_at_its_line(
    course_copy: Path, old: str, new: str, problem: str, fix: str
) -> None:
    """Before: `TOML syntax error: Illegal character '\\n'` and the like."""
    path = quiz_file(course_copy, "en")
    edit(path, old, new)
    [found] = problems_of(course_copy, path)
    line = line_of(path, new.strip())
    assert found.line == line
    assert problem.format(line=line) in found.problem
    assert fix in found.fix
    assert "TOML" not in found.problem and "Illegal" not in found.problem


@pytest.mark.parametrize(
    ("old", "new", "problem", "fix"),
    [
        (
            "pass_mark = 0.8",
            'pass_mark = "0.8"',
            "pass_mark is '0.8', not a number",
            "write the number without quotes: pass_mark = 0.8",
        ),
        (
            "pass_mark = 0.8",
            "pass_mark = 80",
            "pass_mark should be a share between 0 and 1",
            "pass_mark = 0.8 for 80 %",
        ),
        (
            "  correct = false",
            '  correct = "false"',
            "has correct = 'false' in quotation marks",
            "write true or false without quotes: correct = false",
        ),
        (
            "  correct = false",
            "  correct = 0",
            "has correct = 0, which is not true or false",
            "correct = true or correct = false",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_says_how_to_write_it(
    course_copy: Path, old: str, new: str, problem: str, fix: str
) -> None:
    path = quiz_file(course_copy, "en")
    edit(path, old, new)
    found = only_one(course_copy, path, problem)
    assert found.line == line_of(path, new.strip())
    assert fix in found.fix


def test_minutes_in_quotes_in_a_lesson_says_write_the_number_without_quotes(course_copy: Path) -> None:
    path = lesson_file(course_copy, "en")
    edit(path, "minutes = 10", 'minutes = "10"')
    found = only_one(course_copy, path, "'minutes' should be a whole number")
    assert found.fix == "write the number without quotes: minutes = 10"


def test_an_unclosed_quote_in_a_lessons_front_matter_names_the_files_line(course_copy: Path) -> None:
    path = lesson_file(course_copy, "sv")
    edit(path, 'id = "professional-judgement"', 'id = "professional-judgement')
    [found] = problems_of(course_copy, path)
    line = line_of(path, 'id = "professional-judgement')
    assert (found.line, found.problem) == (line, f"a quotation mark is not closed on line {line}")


def test_a_text_over_several_lines_never_closed_is_reported_where_it_starts() -> None:
    text = 'a = 1\nnotes = """Start here\nand go on\n\nto the end\n'
    assert plain_toml_error(_error(text), text, 1)[:2] == (3, 'the text that starts with """ on line 3 is never closed')


def test_a_key_written_twice_is_found_though_tomllib_says_only_end_of_document() -> None:
    text = 'title = "a"\nsummary = "b"\ntitle = "c"\n'
    line, problem, _ = plain_toml_error(_error(text), text)
    assert (line, problem) == (3, "line 3 sets 'title' again, which is already set above it")


def test_a_toml_error_this_does_not_know_keeps_tomllibs_words() -> None:
    line, problem, fix = plain_toml_error("Something new (at line 4, column 2)", "a\nb\nc\nd\n")
    assert (line, problem) == (4, "line 4 is not valid TOML (Something new)") and fix


def test_value_fix_in_plain_words() -> None:
    assert (
        value_fix("correct", "TRUE", "true or false", "false") == "write true or false without quotes: correct = true"
    )
    assert value_fix("minutes", "10", "whole number", "10") == "write the number without quotes: minutes = 10"
    assert value_fix("minutes", 7.5, "whole number", "10") == "write a whole number, without decimals: minutes = 8"
    assert value_fix("pass_mark", "80%", "number", "0.8").endswith("pass_mark = 0.8")


def _error(text: str) -> str:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return str(err)
    raise AssertionError("valid TOML")


# --- GIFT: feedback by the answer given --------------------------------------------------------------------

# Shaped like the true/false question of Moodle's own GIFT test fixture (question/format/gift/tests/fixtures),
# with its stray `";` after the closing brace; the words are ours.
TRUE_FALSE = """// true/false, with general feedback
::Q1:: Seven is an even number.{
FALSE#Seven is odd: two does not go into it.#You gave the right answer.
####Even numbers are the ones two goes into.}";
"""


def _options(quiz_toml: str) -> list[tuple[str, str, bool, str]]:
    [q] = tomllib.loads(quiz_toml)["question"]
    return [(o["id"], o["text"], o["correct"], o["explain"]) for o in q["option"]]


def test_true_false_feedback_goes_with_the_answer_it_was_written_for_and_the_general_feedback_is_kept() -> None:
    """Before: "You gave the right answer." was the explanation everyone saw, and the general feedback
    (####) was dropped."""
    conv = convert(TRUE_FALSE, LESSON, "fixture.gift")
    [q] = tomllib.loads(conv.quiz_toml)["question"]
    assert (q["kind"], q["text"]) == ("single", "Seven is an even number.")
    assert _options(conv.quiz_toml) == [
        ("true", "True", False, "Seven is odd: two does not go into it."),
        ("false", "False", True, "You gave the right answer. Even numbers are the ones two goes into."),
    ]
    assert conv.placeholders == 0
    assert any("became single choice" in n for n in conv.notes)


def test_text_after_the_closing_brace_of_a_true_false_question_is_reported_not_made_a_blank() -> None:
    """Before: the statement became `Seven is an even number._____";`, with no note."""
    conv = convert(TRUE_FALSE, LESSON, "fixture.gift")
    [q] = tomllib.loads(conv.quiz_toml)["question"]
    assert "_____" not in q["text"] and '";' not in q["text"]
    assert [n for n in conv.notes if "after the closing }" in n] == [
        "line 2: question 'q1': the text after the closing } is not used (a true/false statement has no blank): '\";'"
    ]


def test_text_after_a_finished_question_is_reported_but_a_missing_word_still_gets_its_blank() -> None:
    conv = convert(
        "What is two and two? {=four#Yes. ~five#No.}.\n\nThe capital of France is {=Paris#Yes. ~Rome#No.}.\n\n"
        "Grant is {~buried#No. =entombed#Yes.} in Grant's tomb.",
        LESSON,
    )
    texts = [q["text"] for q in tomllib.loads(conv.quiz_toml)["question"]]
    assert texts == ["What is two and two?", "The capital of France is _____.", "Grant is _____ in Grant's tomb."]
    assert [n for n in conv.notes if "after the closing }" in n] == [
        "line 1: question 'q1': the text after the closing } is not used (it is not a word the answers fill in): '.'"
    ]


def test_true_and_false_options_are_in_the_quizs_language() -> None:
    conv = convert(TRUE_FALSE, LESSON, "fixture.gift", lang="sv")
    assert [o[1] for o in _options(conv.quiz_toml)] == ["Sant", "Falskt"]


def test_feedback_for_a_wrong_answer_alone_stays_true_false_with_the_general_feedback_too() -> None:
    conv = convert("Grant is buried there.{FALSE#No one is.####A tomb is not a grave.}", LESSON)
    [q] = tomllib.loads(conv.quiz_toml)["question"]
    assert (q["kind"], q["answer"], q["explain"]) == ("true_false", False, "No one is. A tomb is not a grave.")


def test_a_converted_true_false_question_with_feedback_checks_clean_in_a_course(course_copy: Path) -> None:
    conv = convert(TRUE_FALSE, LESSON, "fixture.gift")
    for lang in ("sv", "en"):
        quiz_file(course_copy, lang).write_text(conv.quiz_toml, encoding="utf-8")
    assert check_course(course_copy) == []
    quiz = load_course(course_copy).quiz(LESSON, "en")
    assert quiz is not None and quiz.questions[0].correct_ids == {"false"}
    assert quiz.questions[0].options[0].explain == "Seven is odd: two does not go into it."
    assert PLACEHOLDER not in conv.quiz_toml.split("schema = 1")[1]
