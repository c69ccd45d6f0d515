"""The built-in course loads in both languages, and `check_course` finds every kind of broken file with its line."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from course.content.loader import check_course, load_course
from course.content.model import Course, Lesson, valid_id
from course.errors import ContentError, Problem
from course.i18n import STRINGS

from .conftest import REPO

ARTICLE = REPO.parent / "shared" / "seed" / "article-sv.txt"
LESSON = "trust-culture"
SECOND = "seven-manager-behaviours"


# --- helpers ---------------------------------------------------------------------------------------


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in a UTF-8 file, failing loudly when `old` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}; the test needs updating"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of `path` that contains `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {path}")


def closing_line(path: Path) -> int:
    """The line of the front matter's closing +++."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines.index("+++", 1) + 1


def block(text: str, table: str, ident: str) -> tuple[int, int]:
    """Offsets of the `[[table]]` block whose id is `ident` (up to the next `[[table]]`)."""
    at = text.index(f'id = "{ident}"')
    start = text.rindex(f"[[{table}]]", 0, at)
    end = text.find(f"\n[[{table}]]", at)
    return start, len(text) if end < 0 else end


def edit_block(path: Path, table: str, ident: str, old: str, new: str, count: int = -1) -> None:
    """Replace `old` by `new` only inside one `[[table]]` block of a file."""
    text = path.read_text(encoding="utf-8")
    start, end = block(text, table, ident)
    part = text[start:end]
    assert old in part, f"{old!r} is not in the {table} {ident!r} of {path}"
    path.write_text(text[:start] + part.replace(old, new, count) + text[end:], encoding="utf-8")


def block_line(path: Path, table: str, ident: str) -> int:
    """The line of the `[[table]]` header of the block whose id is `ident`."""
    text = path.read_text(encoding="utf-8")
    return text[: block(text, table, ident)[0]].count("\n") + 1


def problems_in(root: Path, file: Path) -> list[Problem]:
    """The problems `check_course` reports for one file."""
    problems = check_course(root)
    found = [p for p in problems if p.file == file]
    assert found, f"no problem reported for {file}; got {[p.render(root) for p in problems]}"
    return found


def the_problem(root: Path, file: Path, words: str) -> Problem:
    """The one problem for `file` whose text contains `words`."""
    found = [p for p in problems_in(root, file) if words in p.problem]
    assert len(found) == 1, f"expected one problem with {words!r} for {file}, got {found}"
    assert found[0].fix.strip(), "every problem says what to do"
    return found[0]


def lesson_file(root: Path, lang: str, lesson_id: str = LESSON) -> Path:
    return root / "lessons" / lang / f"{lesson_id}.md"


def quiz_file(root: Path, lang: str, lesson_id: str = LESSON) -> Path:
    return root / "quizzes" / lang / f"{lesson_id}.toml"


# --- the built-in course ---------------------------------------------------------------------------


def test_builtin_course_has_every_lesson_in_both_languages(course: Course) -> None:
    assert course.id == "tillit"
    assert course.languages == ("sv", "en")
    assert course.lesson_ids[:2] == (LESSON, SECOND) and len(course.lesson_ids) == 10
    for lesson_id in course.lesson_ids:
        for lang in course.languages:
            lesson = course.lesson(lesson_id, lang)
            assert (lesson.id, lesson.lang) == (lesson_id, lang)
            assert lesson.path == REPO / "lessons" / lang / f"{lesson_id}.md"
            assert lesson.title.strip() and lesson.summary.strip() and lesson.body.strip()
            assert 1 <= lesson.minutes <= 600
            assert lesson.objectives and lesson.prompts
            assert not lesson.body.startswith("+++"), "the front matter is not part of the body"
    assert course.title("sv") == "Tillitsbaserad styrning och ledning"
    assert course.title("en") == "Trust-based governance and leadership"
    assert course.source["author"] == "Louise Bringselius"


def test_builtin_quizzes_parse_and_match_across_languages(course: Course) -> None:
    for lesson_id in course.lesson_ids:
        sv, en = course.quiz(lesson_id, "sv"), course.quiz(lesson_id, "en")
        assert sv is not None and en is not None
        assert (sv.lang, en.lang) == ("sv", "en")
        assert 0 < sv.pass_mark <= 1 and sv.pass_mark == en.pass_mark
        assert [q.id for q in sv.questions] == [q.id for q in en.questions]
        for q_sv, q_en in zip(sv.questions, en.questions, strict=True):
            assert q_sv.kind == q_en.kind
            assert q_sv.correct_ids == q_en.correct_ids
            assert q_sv.correct_ids, f"{q_sv.id} has a right answer"
            for option in q_sv.options:
                assert option.explain.strip(), f"{q_sv.id}/{option.id} explains itself"
    kinds = {q.kind for lesson_id in course.lesson_ids for q in course.quizzes[(lesson_id, "sv")].questions}
    assert kinds == {"single", "multiple", "true_false"}


def test_builtin_course_is_clean() -> None:
    assert check_course(REPO) == []


def test_lesson_and_quiz_fall_back_to_the_first_language(course: Course) -> None:
    assert course.pick_lang("de") == "sv"
    assert course.pick_lang("en") == "en"
    assert course.lesson(LESSON, "de").lang == "sv"
    quiz = course.quiz(LESSON, "de")
    assert quiz is not None and quiz.lang == "sv"
    assert course.title("de") == course.title("sv")
    # A lesson missing in English is shown in Swedish rather than not at all.
    only_sv = {key: value for key, value in course.lessons.items() if key != (SECOND, "en")}
    quizzes = {key: value for key, value in course.quizzes.items() if key != (SECOND, "en")}
    partial = dataclasses.replace(course, lessons=only_sv, quizzes=quizzes)
    assert partial.lesson(SECOND, "en").lang == "sv"
    assert partial.lesson(LESSON, "en").lang == "en"
    fallback_quiz = partial.quiz(SECOND, "en")
    assert fallback_quiz is not None and fallback_quiz.lang == "sv"


def test_unknown_lesson_raises_key_error_and_has_no_quiz(course: Course) -> None:
    with pytest.raises(KeyError):
        course.lesson("no-such-lesson", "sv")
    assert course.quiz("no-such-lesson", "sv") is None


def test_neighbours_follow_course_order(course: Course) -> None:
    assert course.neighbours(LESSON) == (None, SECOND)
    assert course.neighbours(SECOND) == (LESSON, course.lesson_ids[2])
    assert course.neighbours(course.lesson_ids[-1]) == (course.lesson_ids[-2], None)


def test_headings_are_the_body_headings_in_order(course: Course) -> None:
    for lesson in course.lessons.values():
        expected = [
            (len(m.group(1)), m.group(2).strip()) for m in re.finditer(r"^(#{1,6}) (.+)$", lesson.body, re.MULTILINE)
        ]
        assert [(h.level, h.text) for h in lesson.headings] == expected
        assert expected, f"{lesson.path} has headings for the table of contents"
    first = course.lesson(LESSON, "sv").headings[0]
    assert (first.level, first.text) == (2, "Tillit börjar i människosynen")


def test_headings_ignore_code_blocks(course: Course) -> None:
    lesson: Lesson = dataclasses.replace(
        course.lesson(LESSON, "en"), body="# One\n\ntext\n\n```\n# not a heading\n```\n\n### Three [x]\n"
    )
    assert [(h.level, h.text) for h in lesson.headings] == [(1, "One"), (3, "Three [x]")]


def test_prompt_lookup(course: Course) -> None:
    lesson = course.lesson(LESSON, "en")
    first = lesson.prompts[0]
    assert lesson.prompt(first.id) == first
    assert lesson.prompt("no-such-prompt") is None


def test_every_source_quote_is_exact_and_the_same_in_both_languages(course: Course) -> None:
    if not ARTICLE.is_file():
        pytest.skip(f"the source article {ARTICLE} is not available in this checkout")
    article = ARTICLE.read_text(encoding="utf-8")
    for lesson_id in course.lesson_ids:
        sv, en = course.lesson(lesson_id, "sv"), course.lesson(lesson_id, "en")
        assert sv.sources, f"{lesson_id} quotes its source"
        assert sv.sources == en.sources, f"{lesson_id}: the en sources differ from the sv sources"
        for quote in sv.sources:
            assert quote in article, f"{lesson_id}: not an exact quote from the article: {quote!r}"


@pytest.mark.parametrize("ident", ["a", "trust-culture", "lesson-2", "x1-y2-z3"])
def test_valid_ids(ident: str) -> None:
    assert valid_id(ident)


@pytest.mark.parametrize(
    "ident",
    ["", "Bad_Id", "Lesson-1", "../x", "a/b", "a--b", "-a", "a-", "a b", "ä", "abc\n", "x\x00y", "a" * 65, 3, None],
)
def test_invalid_ids(ident: object) -> None:
    assert not valid_id(ident)


def test_every_ui_string_exists_in_both_languages_with_the_same_placeholders() -> None:
    for key, entry in STRINGS.items():
        assert set(entry) == {"sv", "en"}, key
        assert set(re.findall(r"{(\w+)}", entry["sv"])) == set(re.findall(r"{(\w+)}", entry["en"])), key


# --- broken copies of the course -------------------------------------------------------------------


def test_copy_of_the_course_is_clean(course_copy: Path) -> None:
    assert check_course(course_copy) == []
    assert load_course(course_copy).lesson_ids[:2] == (LESSON, SECOND)


def test_missing_manifest(course_copy: Path) -> None:
    manifest = course_copy / "lessons" / "course.toml"
    manifest.unlink()
    problems = check_course(course_copy)
    assert len(problems) == 1
    (problem,) = problems
    assert (problem.file, problem.line) == (manifest, 1)
    assert "no course manifest" in problem.problem
    assert "lessons/course.toml" in problem.fix


def test_manifest_toml_syntax_error(course_copy: Path) -> None:
    manifest = course_copy / "lessons" / "course.toml"
    edit(manifest, 'languages = ["sv", "en"]', 'languages = ["sv" "en"]')
    problem = the_problem(course_copy, manifest, "a list is missing a comma")
    assert problem.line == line_of(manifest, 'languages = ["sv" "en"]')
    assert "comma" in problem.fix


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("minutes = 10", "minutes = = 10"),
        ('id = "professional-judgement"', 'id = "professional-judgement'),
        ("[[discussion]]", "[[discussion]"),
    ],
)
def test_front_matter_syntax_error_reports_the_real_line(course_copy: Path, old: str, new: str) -> None:
    path = lesson_file(course_copy, "sv")
    edit(path, old, new)
    problem = the_problem(course_copy, path, f"line {line_of(path, new)}")  # plain words that name the line
    assert problem.line == line_of(path, new)
    assert problem.line > 1
    assert "TOML" not in problem.problem


def test_missing_closing_front_matter_line(course_copy: Path) -> None:
    path = lesson_file(course_copy, "en")
    lines = path.read_text(encoding="utf-8").split("\n")
    del lines[lines.index("+++", 1)]
    path.write_text("\n".join(lines), encoding="utf-8")
    problem = the_problem(course_copy, path, "no closing +++")
    assert problem.line == 1
    assert "+++" in problem.fix


def test_missing_opening_front_matter_line(course_copy: Path) -> None:
    path = lesson_file(course_copy, "en")
    path.write_text("# Just Markdown\n\nNo front matter.\n", encoding="utf-8")
    problem = the_problem(course_copy, path, "does not start with a +++ line")
    assert problem.line == 1


def test_id_not_equal_to_file_name(course_copy: Path) -> None:
    path = lesson_file(course_copy, "sv")
    edit(path, f'id = "{LESSON}"', 'id = "trust-kultur"')
    problem = the_problem(course_copy, path, "'trust-kultur'")
    assert problem.line == line_of(path, 'id = "trust-kultur"') == 2
    assert f"{LESSON}.md" in problem.problem
    assert f'id = "{LESSON}"' in problem.fix


@pytest.mark.parametrize(
    ("key", "old", "new"),
    [
        ("title", "\ntitle =", "\ntitel ="),
        ("summary", "\nsummary =", "\nsammanfattning ="),
        ("minutes", "\nminutes =", "\nminuter ="),
        ("objectives", "\nobjectives =", "\nmal ="),
    ],
)
def test_missing_required_key(course_copy: Path, key: str, old: str, new: str) -> None:
    path = lesson_file(course_copy, "sv")
    edit(path, old, new)
    problem = the_problem(course_copy, path, f"'{key}' is missing")
    assert 1 <= problem.line < closing_line(path)
    assert problem.fix.startswith("add ") and key in problem.fix


def test_missing_reflection_prompt(course_copy: Path) -> None:
    path = lesson_file(course_copy, "en")
    edit(path, "[[prompt]]", "[[prompts]]", count=-1)
    problem = the_problem(course_copy, path, "no reflection prompt")
    assert 1 <= problem.line < closing_line(path)
    assert "[[prompt]]" in problem.fix


def test_wrong_type_of_minutes(course_copy: Path) -> None:
    path = lesson_file(course_copy, "en")
    edit(path, "minutes = 10", 'minutes = "ten"')
    problem = the_problem(course_copy, path, "'minutes' should be a whole number")
    assert problem.line == line_of(path, 'minutes = "ten"')


@pytest.mark.parametrize("bad", ["Bad_Id", "../x", "a/b", ""])
def test_bad_lesson_id_in_manifest(course_copy: Path, bad: str) -> None:
    manifest = course_copy / "lessons" / "course.toml"
    edit(manifest, f'  "{LESSON}",', f'  "{bad}",\n  "{LESSON}",')
    problem = the_problem(course_copy, manifest, f"lesson id {bad!r} is not a valid id")
    assert problem.line == line_of(manifest, f'"{bad}"')
    assert "lower-case letters" in problem.fix


@pytest.mark.parametrize("bad", ["Bad_Id", "../x"])
def test_bad_prompt_id(course_copy: Path, bad: str) -> None:
    path = lesson_file(course_copy, "sv")
    first = course_id_of_prompt(path, 1)
    edit(path, f'id = "{first}"', f'id = "{bad}"')
    problem = the_problem(course_copy, path, "has no valid id")
    assert problem.line == line_of(path, f'id = "{bad}"') - 1  # the [[prompt]] line just above
    assert "lower-case letters" in problem.fix


def course_id_of_prompt(path: Path, n: int) -> str:
    """The id of the nth (1-based) [[prompt]] of a lesson file."""
    ids: list[str] = re.findall(r'\[\[prompt\]\]\nid = "([^"]+)"', path.read_text(encoding="utf-8"))
    return ids[n - 1]


def test_prompt_ids_differ_between_languages(course_copy: Path) -> None:
    path = lesson_file(course_copy, "en")
    second = course_id_of_prompt(path, 2)
    edit(path, f'id = "{second}"', 'id = "own-judgement"')
    problem = the_problem(course_copy, path, "prompt ids differ from the sv lesson's")
    assert problem.line == line_of(path, 'id = "own-judgement"')
    assert "same prompt ids" in problem.fix
    assert [p.file for p in check_course(course_copy)] == [path]


def test_quiz_single_with_two_correct_options(course_copy: Path) -> None:
    path = quiz_file(course_copy, "sv")
    edit_block(path, "question", "approval-for-every-decision", "correct = false", "correct = true", count=1)
    problem = the_problem(course_copy, path, "single choice but has 2 correct options")
    assert problem.line == block_line(path, "question", "approval-for-every-decision")
    assert "exactly one" in problem.fix


def test_quiz_multiple_with_no_correct_option(course_copy: Path) -> None:
    path = quiz_file(course_copy, "en")
    edit_block(path, "question", "school-team-signs", "correct = true", "correct = false")
    problem = the_problem(course_copy, path, "has no correct option")
    assert "'school-team-signs'" in problem.problem
    assert problem.line == block_line(path, "question", "school-team-signs")
    assert "at least one" in problem.fix


def test_quiz_true_false_without_answer(course_copy: Path) -> None:
    path = quiz_file(course_copy, "sv")
    text = path.read_text(encoding="utf-8")
    start, end = block(text, "question", "complex-tasks-more-control")
    part = re.sub(r"^answer = (true|false)\n", "", text[start:end], flags=re.MULTILINE)
    path.write_text(text[:start] + part + text[end:], encoding="utf-8")
    problem = the_problem(course_copy, path, "has no answer = true or false")
    assert problem.line == block_line(path, "question", "complex-tasks-more-control")
    assert "answer = true" in problem.fix


def test_quiz_option_without_explain(course_copy: Path) -> None:
    path = quiz_file(course_copy, "sv")
    text = path.read_text(encoding="utf-8")
    start, end = block(text, "question.option", "guard-own-cases")
    part = re.sub(r"^\s*explain = .*\n", "", text[start:end], flags=re.MULTILINE)
    path.write_text(text[:start] + part + text[end:], encoding="utf-8")
    problem = the_problem(course_copy, path, "option 'guard-own-cases'")
    assert "has no explain" in problem.problem
    assert problem.line == block_line(path, "question.option", "guard-own-cases")
    assert "explain" in problem.fix


def test_quiz_question_ids_differ_between_languages(course_copy: Path) -> None:
    path = quiz_file(course_copy, "en")
    edit(path, 'id = "school-team-signs"', 'id = "school-signs"')
    problem = the_problem(course_copy, path, "questions differ from the sv quiz")
    assert problem.line == line_of(path, 'id = "school-signs"')
    assert "same question ids" in problem.fix
    assert [p.file for p in check_course(course_copy)] == [path]


def test_quiz_answers_differ_between_languages(course_copy: Path) -> None:
    path = quiz_file(course_copy, "en")
    text = path.read_text(encoding="utf-8")
    start, end = block(text, "question", "complex-tasks-more-control")
    part = text[start:end]
    flipped = (
        part.replace("answer = false", "answer = true")
        if "answer = false" in part
        else part.replace("answer = true", "answer = false")
    )
    path.write_text(text[:start] + flipped + text[end:], encoding="utf-8")
    problem = the_problem(course_copy, path, "questions differ from the sv quiz")
    assert problem.line == block_line(path, "question", "complex-tasks-more-control") + 1


def test_quiz_with_the_wrong_lesson(course_copy: Path) -> None:
    path = quiz_file(course_copy, "sv")
    edit(path, f'lesson = "{LESSON}"', f'lesson = "{SECOND}"')
    problem = the_problem(course_copy, path, f"lesson is '{SECOND}' but the file is named {LESSON}.toml")
    assert problem.line == line_of(path, f'lesson = "{SECOND}"')
    assert f'lesson = "{LESSON}"' in problem.fix


def test_quiz_in_one_language_only(course_copy: Path) -> None:
    quiz_file(course_copy, "en", SECOND).unlink()
    problem = the_problem(course_copy, quiz_file(course_copy, "en", SECOND), "has a quiz in one language but not in en")
    assert problem.line == 1
    assert "every language" in problem.fix


def test_lesson_listed_without_a_file(course_copy: Path) -> None:
    lesson_file(course_copy, "en", SECOND).unlink()
    manifest = course_copy / "lessons" / "course.toml"
    problem = the_problem(course_copy, manifest, f"lesson '{SECOND}' has no en file")
    assert problem.line == line_of(manifest, f'"{SECOND}"')
    assert f"lessons/en/{SECOND}.md" in problem.fix


def test_lesson_file_not_in_the_manifest(course_copy: Path) -> None:
    extra = lesson_file(course_copy, "sv", "extra-lesson")
    extra.write_bytes(lesson_file(course_copy, "sv").read_bytes())
    problem = the_problem(course_copy, extra, "'extra-lesson' is not in the course's lesson list")
    assert problem.line == 1
    assert "lessons/course.toml" in problem.fix
    assert len(check_course(course_copy)) == 1


def test_file_that_is_not_utf8(course_copy: Path) -> None:
    path = lesson_file(course_copy, "en")
    lines = path.read_bytes().split(b"\n")
    target = closing_line(path) + 3
    lines[target - 1] = "A café in Malmö, saved by an old editor.".encode("latin-1")
    path.write_bytes(b"\n".join(lines))
    problem = the_problem(course_copy, path, "not UTF-8")
    assert problem.line == target
    assert "UTF-8" in problem.fix


def test_load_course_raises_content_error_listing_every_problem(course_copy: Path) -> None:
    edit(quiz_file(course_copy, "sv"), f'lesson = "{LESSON}"', f'lesson = "{SECOND}"')
    edit(lesson_file(course_copy, "en", SECOND), "minutes =", "minuter =")
    with pytest.raises(ContentError) as caught:
        load_course(course_copy)
    err = caught.value
    assert {p.file for p in err.problems} == {quiz_file(course_copy, "sv"), lesson_file(course_copy, "en", SECOND)}
    assert err.problems == check_course(course_copy)
    assert "(and 2 more; run `tillit check` to list them)" in str(err)  # minuter: unknown, and minutes missing
    rendered = err.problems[0].render(course_copy)
    assert re.match(r"^(lessons|quizzes)/\w+/[\w-]+\.(md|toml):\d+: .+ — .+$", rendered), rendered


def test_a_key_missing_from_one_question_is_reported_at_that_question(course_copy: Path) -> None:
    """Before: a missing kind on question 1 was reported at question 2's `kind` line, as kind None."""
    path = course_copy / "quizzes" / "en" / f"{LESSON}.toml"
    text = path.read_text(encoding="utf-8")
    first_kind = text.index("\nkind =")
    text = text[:first_kind] + text[text.index("\n", first_kind + 1) :]
    path.write_text(text, encoding="utf-8")
    header = text.splitlines().index("[[question]]") + 1
    problems = check_course(course_copy)
    assert [(p.line, p.problem.split(" has ")[1]) for p in problems if p.file == path] == [(header, "no kind")]
