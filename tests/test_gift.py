"""Converting a Moodle GIFT question bank into a Tillit quiz: every construct of the format, the
documentation's own examples end to end, and the converted file read by the course engine."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from course.content.gift import PLACEHOLDER, Conversion, convert, read_gift, slugify
from course.content.loader import check_course, load_course
from course.errors import UsageError
from course.store.storage import write_new_file

from .conftest import REPO

FIXTURES = Path(__file__).parent / "gift"
LESSON = "trust-culture"


# --- helpers ---------------------------------------------------------------------------------------


def gift(text: str) -> Conversion:
    return convert(text, LESSON, "test.gift")


def quiz(conv: Conversion) -> dict[str, Any]:
    data = tomllib.loads(conv.quiz_toml)
    assert (data["schema"], data["lesson"], data["pass_mark"]) == (1, LESSON, 0.8)
    return data


def questions(conv: Conversion) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = quiz(conv).get("question", [])
    return found


def only(conv: Conversion) -> dict[str, Any]:
    found = questions(conv)
    assert len(found) == 1, conv.quiz_toml
    return found[0]


def options(question: dict[str, Any]) -> list[tuple[str, str, bool, str]]:
    return [(o["id"], o["text"], o["correct"], o["explain"]) for o in question["option"]]


def notes_about(conv: Conversion, *words: str) -> list[str]:
    return [n for n in conv.notes if all(w in n for w in words)]


def install(course_root: Path, conv: Conversion) -> list[Path]:
    """Put the converted quiz in place of the lesson's quiz in every language (so languages agree)."""
    paths = []
    for lang in ("sv", "en"):
        path = course_root / "quizzes" / lang / f"{LESSON}.toml"
        path.write_text(conv.quiz_toml, encoding="utf-8")
        paths.append(path)
    return paths


def line_in(path: Path, needle: str, nth: int = 0) -> int:
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return hits[nth]


PLACEHOLDER_PROBLEM = "still has the placeholder explanation from the GIFT import"


# --- multiple choice --------------------------------------------------------------------------------


def test_multiple_choice_with_feedback_becomes_single_choice_with_explanations() -> None:
    conv = gift(
        "Japanese characters originally came from which country? {\n"
        "~India #Sorry.\n=China #Correct!\n~Korea #Try again.\n~Egypt #That's not it.\n}\n"
    )
    q = only(conv)
    assert (q["id"], q["kind"], q["text"]) == ("q1", "single", "Japanese characters originally came from which country?")
    assert options(q) == [
        ("india", "India", False, "Sorry."),
        ("china", "China", True, "Correct!"),
        ("korea", "Korea", False, "Try again."),
        ("egypt", "Egypt", False, "That's not it."),
    ]
    assert (conv.questions, conv.placeholders, conv.skipped, conv.notes) == (1, 0, [], [])


def test_options_without_feedback_get_the_placeholder_and_are_counted() -> None:
    conv = gift("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one#Right, it is a tomb.}")
    opts = options(only(conv))
    assert opts[0][3] == f"{PLACEHOLDER} Why is this option wrong?"
    assert opts[1][3].startswith(PLACEHOLDER)
    assert opts[2][3] == "Right, it is a tomb."
    assert conv.placeholders == 2
    assert PLACEHOLDER == "[GIFT-IMPORT: write an explanation]"


def test_weights_make_select_all_that_apply_and_negative_weights_are_noted() -> None:
    conv = gift(
        "// the documentation's multiple-answer example\n"
        "What two people are entombed in Grant's tomb? {\n"
        "    ~%-100%No one\n"
        "    ~%50%Grant\n"
        "    ~%50%Grant's wife\n"
        "    ~%-50%Grant's father }\n"
    )
    q = only(conv)
    assert q["kind"] == "multiple"
    assert [(o[0], o[2]) for o in options(q)] == [
        ("no-one", False),
        ("grant", True),
        ("grants-wife", True),
        ("grants-father", False),
    ]
    assert notes_about(conv, "line 3:", "'no-one'", "negative weight (-100%)")
    assert notes_about(conv, "line 6:", "'grants-father'", "negative weight (-50%)")
    assert notes_about(conv, "line 2:", "all or nothing")


def test_zero_and_fractional_weights() -> None:
    conv = gift("Pick {~%0%none ~%33.3%one ~%66.7%two}")
    assert [(o[0], o[2]) for o in options(only(conv))] == [("none", False), ("one", True), ("two", True)]


def test_a_single_right_answer_among_weights_stays_single_and_partial_credit_is_noted() -> None:
    conv = gift(
        "::Jesus' hometown::Jesus Christ was from {\n"
        "    ~Jerusalem#This was an important city, but the wrong answer.\n"
        "    ~%25%Bethlehem#He was born here, but not raised here.\n"
        "    ~%50%Galilee#You need to be more specific.\n"
        "    =Nazareth#Yes! That's right!}.\n"
    )
    q = only(conv)
    assert (q["id"], q["kind"], q["text"]) == ("jesus-hometown", "single", "Jesus Christ was from _____.")
    assert [o[0] for o in options(q) if o[2]] == ["nazareth"]
    assert notes_about(conv, "line 1:", "partial credit", "'bethlehem' (25%)", "'galilee' (50%)")


def test_several_equals_signs_become_select_all_with_a_note() -> None:
    conv = gift("Which are colours? {=red =blue ~cat}")
    q = only(conv)
    assert q["kind"] == "multiple"
    assert [(o[0], o[2]) for o in options(q)] == [("red", True), ("blue", True), ("cat", False)]
    assert notes_about(conv, "2 answers marked =", "choose all of them")


def test_a_choice_without_a_right_option_is_skipped_not_dropped() -> None:
    conv = gift("\nNothing is right here {~a ~b ~%-50%c}")
    assert conv.questions == 0
    [s] = conv.skipped
    assert (s.line, s.kind) == (2, "multiple choice")
    assert "no option is right" in s.reason


def test_a_choice_needs_two_options_with_text() -> None:
    conv = gift("::Lonely::Only one {~%100%alone}\n\n::Empty::Empty option {=yes ~ #feedback only}")
    assert [(s.line, s.name, s.reason) for s in conv.skipped] == [
        (1, "Lonely", "it needs at least two options"),
        (3, "Empty", "option 2 (line 3) has no text"),
    ]
    assert conv.notes == []  # nothing is said about questions that were not converted


def test_option_ids_are_short_unique_slugs_with_letters_as_fallback() -> None:
    conv = gift("Pick one {=Att tacka för öppenheten och lära ~? ~Grant ~Grant! ~Grant's ~*}")
    assert [o[0] for o in options(only(conv))] == ["att-tacka-for-oppenheten", "b", "grant", "grant-2", "grants", "f"]


# --- true/false ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mark", "answer"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_both_spellings(mark: str, answer: bool) -> None:
    conv = gift(f"The sun rises in the east.{{{mark}}}")
    q = only(conv)
    assert (q["kind"], q["answer"], q["text"]) == ("true_false", answer, "The sun rises in the east.")
    assert "option" not in q
    assert q["explain"] == f"{PLACEHOLDER} Why is the statement {'true' if answer else 'false'}?"
    assert conv.placeholders == 1


def test_true_false_with_feedback_for_a_right_answer_keeps_each_answers_feedback_with_its_answer() -> None:
    """Before: "Yes, every day." (for a right answer) was the one explanation everyone saw, and the feedback
    for a wrong answer was dropped."""
    conv = gift("::Sunrise:: The sun rises in the east. {TRUE #Look again tomorrow. #Yes, every day.}")
    q = only(conv)
    assert q["kind"] == "single"
    assert options(q) == [("true", "True", True, "Yes, every day."), ("false", "False", False, "Look again tomorrow.")]
    assert notes_about(conv, "'sunrise'", "became single choice", "each is the explanation of its option")
    assert conv.placeholders == 0


def test_true_false_falls_back_to_the_other_feedback_then_general_feedback() -> None:
    conv = gift(
        "Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}\n\n"
        "Follow-up is control.{F####Follow-up can be about learning.}\n\n"
        "Both.{T#wrong one#right one####general one}"
    )
    first, second, third = questions(conv)
    assert first["explain"] == "No one is buried in Grant's tomb."
    assert notes_about(conv, "line 1:", "after a wrong answer is the explanation now")
    assert (second["answer"], second["explain"]) == (False, "Follow-up can be about learning.")
    # feedback for the right answer stays with it, and the general feedback is kept (it was dropped before)
    assert options(third) == [("true", "True", True, "right one. general one"), ("false", "False", False, "wrong one")]
    assert notes_about(conv, "line 5:", "general feedback (####) follows that of 'true'")


def test_lower_case_true_is_a_typed_answer_in_moodle_and_is_skipped_with_a_hint() -> None:
    conv = gift("The sun rises in the east.{true}")
    [s] = conv.skipped
    assert s.kind == "short answer"
    assert "{TRUE}" in s.reason and "{true}" in s.reason


# --- names and ids --------------------------------------------------------------------------------------


def test_names_become_kebab_case_ascii_ids_and_stay_as_comments() -> None:
    conv = gift(
        "::Återkoppling i vardagen::Good feedback is timely.{T#x#Yes.}\n\n"
        "::Förtroende & ärlighet!::Honesty builds trust.{T#x#Yes.}\n\n"
        "::Grant's Tomb::Nobody is buried there.{T#x#Yes.}"
    )
    assert [q["id"] for q in questions(conv)] == ["aterkoppling-i-vardagen", "fortroende-arlighet", "grants-tomb"]
    assert '# GIFT line 1, named "Återkoppling i vardagen"' in conv.quiz_toml
    assert '# GIFT line 5, named "Grant\'s Tomb"' in conv.quiz_toml


def test_duplicate_names_get_numbers_and_unnamed_questions_get_their_place() -> None:
    conv = gift(
        "::Trust::One.{T#x#y}\n\n::Trust::Two.{T#x#y}\n\nThree.{T#x#y}\n\n::Trust::Four.{T#x#y}\n\n"
        "::?!::Five.{T#x#y}\n\n::Q3::Six.{T#x#y}"
    )
    assert [q["id"] for q in questions(conv)] == ["trust", "trust-2", "q3", "trust-3", "q5", "q3-2"]


def test_slugify() -> None:
    assert slugify("Åsa är öppen") == "asa-ar-oppen"
    assert slugify("Ærlig Øvelse Straße") == "aerlig-ovelse-strasse"
    assert slugify("  --  ") == ""
    assert slugify("one two three four five", max_words=4) == "one-two-three-four"
    long = slugify("word " * 40)
    assert len(long) <= 48 and long.startswith("word-word") and not long.endswith("-")


# --- comments, categories, escapes, formats ---------------------------------------------------------------


def test_comment_lines_are_skipped_but_slashes_inside_text_are_kept() -> None:
    conv = gift(
        "// a heading comment\n"
        "   // an indented comment\n"
        "See http://example.org//path for more. Is it true?{\n"
        "// a comment between the answers\n"
        "T#x#Yes, see https://example.org.}\n\n"
        "\\/\\/ is not a comment.{T#x#y}"
    )
    first, second = questions(conv)
    assert first["text"] == "See http://example.org//path for more. Is it true?"
    assert options(first)[0][3] == "Yes, see https://example.org."  # the feedback for the right answer, True
    assert "comment" not in conv.quiz_toml.split("schema = 1")[1].replace("not a comment", "")
    assert "is not a comment." in second["text"]
    assert '# GIFT line 3' in conv.quiz_toml  # the question's line is its first line that is not a comment


def test_a_block_of_comments_alone_is_nothing() -> None:
    conv = gift("// just a comment\n// and another\n\n\n")
    assert (conv.questions, conv.skipped, conv.notes) == (0, [], [])
    assert "No question could be converted" in conv.quiz_toml


def test_category_lines_are_ignored_with_a_note() -> None:
    conv = gift("$CATEGORY: tom/dick/harry\n\n::A::One.{T#x#y}\n\n$CATEGORY: $course$/Other\n::B::Two.{F#x#y}")
    assert [q["id"] for q in questions(conv)] == ["a", "b"]
    assert [n for n in conv.notes if "category" in n] == [
        "line 1: the category 'tom/dick/harry' is ignored: a Tillit quiz belongs to one lesson",
        "line 5: the category '$course$/Other' is ignored: a Tillit quiz belongs to one lesson",
    ]
    assert '# GIFT line 6, named "B"' in conv.quiz_toml


def test_every_escape_is_decoded() -> None:
    conv = gift(
        "::Esc\\:aped::Signs\\: \\~ \\= \\# \\{ \\} and a backslash \\\\.\\nA new line.{\n"
        "=a \\= b#why\\: \\{fine\\} \\~ \\#1\n"
        "~c\\~d#no\\nreally\n"
        "}"
    )
    q = only(conv)
    assert q["id"] == "esc-aped"
    assert '# GIFT line 1, named "Esc:aped"' in conv.quiz_toml
    assert q["text"] == "Signs: ~ = # { } and a backslash \\.\nA new line."
    assert options(q) == [("a-b", "a = b", True, "why: {fine} ~ #1"), ("c-d", "c~d", False, "no\nreally")]


def test_an_escaped_backslash_does_not_escape_what_follows() -> None:
    conv = gift("Path C:\\\\{=yes ~no}")
    q = only(conv)
    assert q["text"] == "Path C:\\"
    assert [o[0] for o in options(q)] == ["yes", "no"]


def test_the_documentation_control_character_example() -> None:
    conv = convert(read_gift(FIXTURES / "moodle-examples.gift"), LESSON)
    q = next(q for q in questions(conv) if q["id"] == "gift-control-characters")
    assert [(o[1], o[2]) for o in options(q)] == [
        ("~", False), ("=", False), ("#", False), ("{", False), ("}", False), ("\\", True)
    ]  # fmt: skip
    assert [o[0] for o in options(q)] == ["a", "b", "c", "d", "e", "f"]
    assert options(q)[5][3] == (
        "Correct! \\ (backslash) is not a control character. BUT, it is used to escape the control characters."
    )


def test_markdown_plain_and_moodle_text_is_kept() -> None:
    conv = gift(
        "[markdown]Who is **entombed** in Grant's tomb?{=*Grant*#**Yes.** ~[plain]no one}\n\n"
        "[plain]Is 1 < 2?{T#x#Yes.}\n\n"
        "[moodle]Is <b>this</b> kept?{T#x#Yes.}"
    )
    first, second, third = questions(conv)
    assert first["text"] == "Who is **entombed** in Grant's tomb?"
    assert options(first)[0][1:] == ("*Grant*", True, "**Yes.**")
    assert options(first)[1][1] == "no one"
    assert notes_about(conv, "line 1:", "[markdown]")
    assert second["text"] == "Is 1 < 2?"
    assert third["text"] == "Is <b>this</b> kept?"


def test_html_tags_are_removed_and_entities_decoded_with_a_note() -> None:
    conv = gift(
        "::Html::[html]<p>Is <b>trust</b> &amp; <i>control</i>&nbsp;the same?</p><script>alert(1)</script>"
        "<p>Think &lt;twice&gt;.</p>{\n"
        "=No#<em>They</em> differ &#8212; see the lesson.\n"
        "~Yes#<br>}\n\n"
        "Plain question {=[html]<b>bold</b> ~plain#[html]<i>why</i>}"
    )
    first, second = questions(conv)
    assert first["text"] == "Is trust & control the same?\n\nThink <twice>."  # &nbsp; is a space too
    assert options(first)[0][1:] == ("No", True, "They differ — see the lesson.")
    assert options(first)[1][3].startswith(PLACEHOLDER)  # feedback that is only a tag is no feedback
    assert notes_about(conv, "line 1:", "'html'", "[html]", "tags were removed")
    assert options(second)[0][1] == "bold" and options(second)[1][3] == "why"
    assert notes_about(conv, "line 5:", "'q2' has [html] options or feedback")


# --- missing words and general feedback -------------------------------------------------------------------


def test_missing_word_puts_a_blank_where_the_answers_were() -> None:
    conv = gift(
        "Grant is {~buried =entombed ~living} in Grant's tomb.\n\n"
        "The American holiday of Thanksgiving is celebrated on the {\n    ~second\n    ~third\n    =fourth\n"
        "} Thursday of November.\n\n"
        "{=Asia ~Europe} is the largest continent.\n\n"
        "Answers at the end leave no blank {=a ~b}"
    )
    assert [q["text"] for q in questions(conv)] == [
        "Grant is _____ in Grant's tomb.",
        "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.",
        "_____ is the largest continent.",
        "Answers at the end leave no blank",
    ]


def test_general_feedback_fills_missing_explanations_with_a_note() -> None:
    conv = gift("::Fb::Good feedback is given {\n~once a year\n=often#Yes.\n####Timely feedback works.\n} in a team.")
    q = only(conv)
    assert q["text"] == "Good feedback is given _____ in a team."
    assert options(q) == [("once-a-year", "once a year", False, "Timely feedback works."), ("often", "often", True, "Yes.")]
    assert notes_about(conv, "line 1:", "general feedback (####) is used as the explanation of 'once-a-year'")
    assert conv.placeholders == 0


def test_general_feedback_follows_the_right_answer_when_every_option_has_its_own() -> None:
    """Before: the general feedback was dropped (with a note) when every option had feedback."""
    conv = gift("Q {=a#A. ~b#B. ####All explained.}")
    assert options(only(conv)) == [("a", "a", True, "A. All explained."), ("b", "b", False, "B.")]
    assert notes_about(conv, "every option has its own feedback", "follows that of 'a'")


# --- what Tillit has no room for ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "kind"),
    [
        ("Who's buried in Grant's tomb?{=no one =nobody}", "short answer"),
        ("Two plus two equals {=four =4}.", "short answer"),
        ("1 + 2 \\= {3}", "short answer"),
        ("When was Ulysses S. Grant born?{#1822:5}", "numerical"),
        ("What is a number from 1 to 5? {#1..5}", "numerical"),
        ("When was Grant born? {#\n=1822:0 #Right.\n=%50%1822:2 #Close.\n}", "numerical"),
        ("Match the capitals.{=Canada->Ottawa =Italy->Rome =Japan->Tokyo}", "matching"),
        ("Describe a day when you felt trusted.{}", "essay"),
        ("How are you? {\n####We hope you are well.\n}", "essay"),
        ("The next questions are about trust.", "description"),
    ],
)
def test_each_unsupported_kind_is_skipped_with_its_line(snippet: str, kind: str) -> None:
    text = f"// before\n::First::Fine.{{T#x#y}}\n\n// a comment\n::Item::{snippet}\n\n::Last::Fine too.{{F#x#y}}\n"
    conv = gift(text)
    assert [q["id"] for q in questions(conv)] == ["first", "last"]
    [s] = conv.skipped
    assert (s.line, s.kind, s.name) == (5, kind, "Item")
    assert s.render().startswith(f'line 5: {kind} "Item" — ')
    assert f'- line 5: {kind} "Item"' in conv.quiz_toml


def test_the_unsupported_fixture_lists_every_item() -> None:
    conv = convert(read_gift(FIXTURES / "unsupported.gift"), LESSON)
    assert [(s.line, s.kind, s.name) for s in conv.skipped] == [
        (3, "short answer", "A typed answer"),
        (5, "numerical", "A number"),
        (7, "matching", "Pairs"),
        (12, "essay", "Open question"),
        (14, "description", "Intro"),
    ]
    assert [q["id"] for q in questions(conv)] == ["still-a-choice"]
    assert "reflection [[prompt]]" in conv.skipped[3].reason


def test_an_unnamed_skipped_item_is_named_by_its_text() -> None:
    conv = gift("Who wrote the article on trust and leadership for Adda in the spring? {=Louise Bringselius}")
    [s] = conv.skipped
    assert s.name.startswith("Who wrote the article") and len(s.name) <= 60


# --- broken input ---------------------------------------------------------------------------------------


def test_unbalanced_braces_are_reported_at_their_line_and_reading_goes_on() -> None:
    conv = convert(read_gift(FIXTURES / "broken-braces.gift"), LESSON)
    assert [q["id"] for q in questions(conv)] == ["before", "after"]
    assert [(s.line, s.kind, s.name) for s in conv.skipped] == [
        (5, "unreadable", "Never closed"),
        (9, "unreadable", "Closed twice"),
        (11, "unreadable", "Nested"),
        (13, "unreadable", "Two blocks"),
    ]
    reasons = [s.reason for s in conv.skipped]
    assert "never closed" in reasons[0] and "without a {" in reasons[1] and "inside an answer block" in reasons[2]
    assert "second answer block" in reasons[3]
    assert all("\\{" in r for r in reasons)


def test_an_unclosed_brace_is_reported_where_it_opens() -> None:
    conv = gift("::Long::A question\nover lines\nwith answers {\n~a\n=b\n~c")
    [s] = conv.skipped
    assert (s.line, s.kind) == (3, "unreadable")


def test_an_unclosed_name_leaves_the_question_unnamed() -> None:
    conv = gift("::No end to the name. Is it read?{T#x#y}")
    assert only(conv)["id"] == "q1"


def test_windows_line_endings_and_a_byte_order_mark() -> None:
    unix = gift("// c\n::A::One {=a#x ~b#y}\n\n::B::Two.{T#x#y}\n")
    windows = gift("\ufeff// c\r\n::A::One {=a#x ~b#y}\r\n\r\n::B::Two.{T#x#y}\r\n")
    assert windows.quiz_toml == unix.quiz_toml


def test_text_that_looks_like_toml_or_control_characters_stays_text() -> None:
    conv = gift(
        '::T::Quotes " \'\'\' """ and\\n[[question.option]]\\nexplain = "x"\\n# not a comment\x07\x1b[31m.{\n'
        '=a\\n[[question]]#"why"\\nid \\= 1\n~b#\\\\\n}'
    )
    q = only(conv)
    assert q["text"] == 'Quotes " \'\'\' """ and\n[[question.option]]\nexplain = "x"\n# not a comment[31m.'
    # an option is one line; its explanation keeps its line breaks
    assert options(q) == [("a-question", "a [[question]]", True, '"why"\nid = 1'), ("b", "b", False, "\\")]
    assert all(line.startswith(("#", "[", "  ", "schema", "lesson", "pass_mark", "id", "kind", "text", "answer", "explain")) or not line for line in conv.quiz_toml.splitlines())


def test_private_use_characters_cannot_pose_as_escapes() -> None:
    conv = gift("Is \ue002 an equals sign?{T#x#\ue003y}")
    q = only(conv)
    assert "=" not in q["text"] and "\ufffd" in q["text"]
    assert options(q)[0][3] == "\ufffdy"  # the feedback for the right answer, True
    assert notes_about(conv, "line 1:", "U+FFFD")


def test_input_over_two_mebibytes_is_refused() -> None:
    with pytest.raises(UsageError, match=r"larger than 2 MiB"):
        convert("x" * (2 * 1024 * 1024 + 1), LESSON, "big.gift")
    with pytest.raises(UsageError, match=r"big\.gift is larger than 2 MiB"):
        convert("å" * (1024 * 1024 + 1), LESSON, "big.gift")  # under 2 Mi characters, over 2 MiB of UTF-8


def test_a_quiz_that_would_be_too_large_is_refused() -> None:
    many = "\n\n".join("Q{~a ~b =c}" for _ in range(5_000))
    assert len(many) < 2 * 1024 * 1024
    with pytest.raises(UsageError, match=r"would be larger than 2 MiB"):
        convert(many, LESSON, "many.gift")


def test_a_question_with_more_options_than_fit_is_refused_at_once() -> None:
    with pytest.raises(UsageError, match=r"would be larger than 2 MiB"):
        convert("Q{=a " + "~b\n" * 300_000 + "}", LESSON)  # line numbers of 300,000 options: no quadratic work


def test_an_invalid_lesson_id_is_refused() -> None:
    with pytest.raises(UsageError, match=r"'Trust Culture' is not a valid lesson id"):
        convert("Q{T}", "Trust Culture")


# --- reading and writing files -------------------------------------------------------------------------------


def test_read_gift_removes_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bank.gift"
    path.write_bytes("\ufeffÅsa?{T}".encode())
    assert read_gift(path) == "Åsa?{T}"


def test_read_gift_refuses_what_is_not_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "latin1.gift"
    path.write_bytes("Line one\nÅsa?{T}".encode("latin-1"))
    with pytest.raises(UsageError, match=r"latin1\.gift is not UTF-8 text \(line 2\)"):
        read_gift(path)


def test_read_gift_refuses_a_missing_file_a_folder_and_a_large_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"missing\.gift cannot be read \(No such file or directory\)"):
        read_gift(tmp_path / "missing.gift")
    with pytest.raises(UsageError, match=r"is not a file"):
        read_gift(tmp_path)
    fifo = tmp_path / "pipe.gift"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match=r"pipe\.gift is not a file"):
        read_gift(fifo)  # refused at once, without waiting for a writer
    big = tmp_path / "big.gift"
    big.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    with pytest.raises(UsageError, match=r"big\.gift is larger than 2 MiB"):
        read_gift(big)


def test_write_quiz_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "trust-culture.toml"
    write_new_file(path, "first\n")
    assert path.read_text(encoding="utf-8") == "first\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(UsageError, match=r"trust-culture\.toml already exists"):
        write_new_file(path, "second\n")
    assert path.read_text(encoding="utf-8") == "first\n"
    write_new_file(path, "second\n", replace=True)
    assert path.read_text(encoding="utf-8") == "second\n"
    assert sorted(os.listdir(tmp_path)) == ["trust-culture.toml"]  # no temporary file left behind


def test_write_quiz_refuses_a_dangling_link(tmp_path: Path) -> None:
    link = tmp_path / "quiz.toml"
    link.symlink_to(tmp_path / "nowhere.toml")
    with pytest.raises(UsageError, match=r"already exists"):
        write_new_file(link, "x\n")
    assert not (tmp_path / "nowhere.toml").exists()


# --- the course engine reads what was written ---------------------------------------------------------------


def test_a_fully_explained_bank_converts_into_a_clean_course(course_copy: Path) -> None:
    conv = convert(read_gift(FIXTURES / "trust.gift"), LESSON, "trust.gift")
    assert (conv.questions, conv.placeholders, conv.skipped) == (5, 0, [])
    install(course_copy, conv)
    assert check_course(course_copy) == []
    loaded = load_course(course_copy).quiz(LESSON, "sv")
    assert loaded is not None
    assert [(q.id, q.kind) for q in loaded.questions] == [
        ("misstag-i-teamet", "single"),
        ("detaljstyrning", "single"),  # a true/false question with feedback for each answer
        ("fortroende-arlighet", "multiple"),
        ("aterkoppling", "single"),
        ("tillit-ar-naivt", "true_false"),
    ]
    multiple = loaded.questions[2]
    assert multiple.correct_ids == {"following-up-on-what", "saying-what-you-do"}
    assert loaded.questions[1].correct_ids == {"false"}
    assert loaded.questions[3].text == "Good feedback is given _____ in a trust culture."
    assert notes_about(conv, "line 4:", "category")


def test_placeholders_are_reported_by_check_course_with_file_and_line(course_copy: Path) -> None:
    conv = gift("::Mistakes::What builds trust? {=Learning together#Yes. ~Blame}\n\n::Control::Control is trust.{F}")
    assert conv.placeholders == 2
    sv, en = install(course_copy, conv)
    rendered = sorted(p.render(course_copy) for p in check_course(course_copy))
    blame_line = line_in(sv, "explain = ", nth=1)
    control_line = line_in(sv, "explain = ", nth=2)
    assert PLACEHOLDER in sv.read_text(encoding="utf-8").splitlines()[blame_line - 1]
    assert rendered == sorted(
        f"quizzes/{lang}/{LESSON}.toml:{line}: {problem}"
        for lang in ("sv", "en")
        for line, problem in (
            (blame_line, f"option 'blame' of question 'mistakes' {PLACEHOLDER_PROBLEM} — write why this option is right or wrong"),
            (control_line, f"question 'control' {PLACEHOLDER_PROBLEM} — write why the statement is true or false"),
        )
    )
    # once the trainer writes them, the course is clean
    for path in (sv, en):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"{PLACEHOLDER} Why is this option wrong?", "Blame hides mistakes.").replace(
            f"{PLACEHOLDER} Why is the statement false?", "Control is not trust."), encoding="utf-8")  # fmt: skip
    assert check_course(course_copy) == []


def test_the_moodle_documentation_examples_end_to_end(course_copy: Path) -> None:
    conv = convert(read_gift(FIXTURES / "moodle-examples.gift"), LESSON, "moodle-examples.gift")
    found = questions(conv)
    assert [(q["id"], q["kind"]) for q in found] == [
        ("q1", "single"), ("q2", "single"), ("q3", "single"), ("q4", "single"),
        ("q5", "true_false"), ("q6", "true_false"), ("thanksgiving-date", "single"), ("q8", "single"),
        ("q9", "true_false"), ("q10", "single"), ("jesus-hometown", "single"), ("q12", "multiple"),
        ("q13", "single"), ("gift-control-characters", "single"),
    ]  # fmt: skip
    assert [(s.line, s.kind) for s in conv.skipped] == [
        (24, "short answer"), (26, "short answer"), (36, "matching"), (45, "numerical"), (47, "numerical"),
        (52, "numerical"), (56, "short answer"), (70, "short answer"), (112, "essay"), (118, "description"),
    ]  # fmt: skip
    assert found[1]["text"] == "Grant is _____ in Grant's tomb."
    assert [o[1] for o in options(found[12])] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    assert found[8]["explain"] == "No one is buried in Grant's tomb."
    # nothing is silently dropped: every block that is not a comment is a question or a skipped item
    blocks = [b for b in read_gift(FIXTURES / "moodle-examples.gift").split("\n\n") if b.strip()]
    real = [b for b in blocks if any(line.strip() and not line.strip().startswith("//") for line in b.splitlines())]
    assert conv.questions + len(conv.skipped) == len(real)

    install(course_copy, conv)
    problems = check_course(course_copy)
    assert problems and all(PLACEHOLDER_PROBLEM in p.problem for p in problems)
    assert len(problems) == 2 * conv.placeholders
    for p in problems:
        assert PLACEHOLDER in p.file.read_text(encoding="utf-8").splitlines()[p.line - 1]


def test_the_quick_reference_examples_end_to_end(course_copy: Path) -> None:
    conv = convert(read_gift(FIXTURES / "quick-reference.gift"), LESSON, "quick-reference.gift")
    assert [(q["id"], q["kind"]) for q in questions(conv)] == [
        ("q1", "true_false"),
        ("q2", "single"),
        ("sunrise", "single"),  # feedback for each answer
        ("q4", "single"),
    ]
    assert questions(conv)[3]["text"] == "The largest desert on Earth is:"
    assert [(s.name, s.kind) for s in conv.skipped] == [
        ("Q3", "short answer"), ("Q4", "matching"), ("Q5", "numerical"), ("Q6", "numerical"),
        ("Continents", "short answer"), ("How are you?", "essay"), ("1 + 2 =", "short answer"),
    ]  # fmt: skip
    install(course_copy, conv)
    assert {p.problem.split(" still ")[1] for p in check_course(course_copy)} == {
        "has the placeholder explanation from the GIFT import"
    }


def test_the_header_says_where_the_quiz_came_from_and_what_to_review() -> None:
    conv = convert("Q?{T}\n\nShort?{=a}", LESSON, "bank\nwith newline.gift")
    head = conv.quiz_toml.split("schema = 1")[0]
    assert head.startswith("# Converted by Tillit from the Moodle GIFT question bank bank with newline.gift.\n")
    assert "1 question(s) converted, 1 skipped, 1 explanation(s) still to write." in head
    assert PLACEHOLDER in head and "tillit check" in head
    assert all(line.startswith("#") or not line for line in head.splitlines())


def test_the_converter_does_not_load_the_ui() -> None:
    code = (
        "import sys, course.content.gift\n"
        "ui = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') or m.startswith('course.tui')]\n"
        "assert not ui, ui\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
