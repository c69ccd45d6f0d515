"""Finding reflections: Swedish-forgiving search, every filter, days in local time, and "then and now"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from course.learner import journal_query
from course.learner.journal import Reflection
from course.learner.journal_query import JournalFilter, all_tags, by_date, fold, select, then_and_now, visible

from .journal_helpers import TZ

LESSON = "trust-culture"
SECOND = "seven-manager-behaviours"
BASE = datetime(2025, 5, 21, 12, 0, tzinfo=TZ)
STOCKHOLM = "CET-1CEST,M3.5.0,M10.5.0/3"  # POSIX rules: no time zone database needed


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The computer's own time zone set to Stockholm's, and put back afterwards."""
    monkeypatch.setenv("TZ", STOCKHOLM)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make(
    n: int,
    text: str,
    *,
    lesson: str = LESSON,
    prompt: str = "trust-and-control-week",
    days_ago: int = 0,
    tags: tuple[str, ...] = (),
    starred: bool = False,
    created: datetime | None = None,
) -> Reflection:
    when = created or BASE - timedelta(days=days_ago)
    return Reflection(f"20250521-120000-{n:06x}", lesson, prompt, text, when, when, tags, starred)


def ids(found: list[Reflection]) -> list[int]:
    return [int(r.id.rsplit("-", 1)[1], 16) for r in found]


JOURNAL = [
    make(1, "Vi pratade om återkoppling på mötet."),
    make(2, "ÅTERKOPPLING ska vara lärande, inte kontroll.", tags=("team",)),
    make(3, "Öppenhet och förtroende i gruppen.", lesson=SECOND, prompt="sharing-responsibility", starred=True),
    make(4, "Jag gav feedback till Olle.", tags=("återkoppling",), days_ago=3),
    make(5, "Café-samtal om tillit, résumé av veckan.", days_ago=10, starred=True),
    make(6, "Nothing Swedish here: trust and control.", lesson=SECOND, prompt="sharing-responsibility", days_ago=40),
]
PROMPTS = {
    (LESSON, "trust-and-control-week"): "När märker du tillit, och när märker du kontroll?",
    (SECOND, "sharing-responsibility"): "Vilka uppgifter bär du ensam i dag?",
}


def search(words: str) -> list[int]:
    return ids(select(JOURNAL, JournalFilter(words=words), PROMPTS))


# --- folding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Återkoppling", "aterkoppling"),
        ("ÅÄÖ åäö", "aao aao"),
        ("Öppenhet", "oppenhet"),
        ("café résumé", "cafe resume"),
        ("a\u030a", "a"),  # å written as a + combining ring
        ("Straße", "strasse"),
        ("ﬁka", "fika"),
        ("ＡＢＣ", "abc"),
        ("plain ascii", "plain ascii"),
        ("Ærø", "ærø"),  # letters of their own, not letters with a mark
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


# --- search ----------------------------------------------------------------------------------------


def test_search_without_swedish_letters_finds_them() -> None:
    assert search("aterkoppling") == [1, 2, 4]  # text, upper-case text, and a tag


def test_search_with_swedish_letters_finds_them_without() -> None:
    assert search("Återkoppling") == [1, 2, 4]
    assert search("ÖPPENHET") == [3]
    assert search("oppenhet") == [3]
    assert search("förtroende") == search("fortroende") == [3]


def test_o_and_oe_are_the_same_letter_for_search() -> None:
    assert search("mote") == [1]  # "mötet"
    assert search("Olle") == [4]
    assert search("ö") == search("o")


def test_accents_in_other_words() -> None:
    assert search("resume cafe") == [5]
    assert search("RÉSUMÉ") == [5]


def test_every_word_must_occur_anywhere() -> None:
    assert search("kontroll lärande") == [2]
    assert search("lärande kontroll") == [2]
    assert search("kontroll saknas") == []
    assert search("  återkoppling   mötet  ") == [1]


def test_words_of_the_prompt_and_the_tags_count() -> None:
    assert search("ensam") == [3, 6]  # only in the prompt
    assert search("team lärande") == [2]  # a tag and a word of the text
    assert ids(select(JOURNAL, JournalFilter(words="ensam"))) == [], "without prompt texts, only text and tags"


def test_an_empty_search_keeps_everything_in_order() -> None:
    assert search("") == [1, 2, 3, 4, 5, 6]
    assert search("   ") == [1, 2, 3, 4, 5, 6]
    assert JournalFilter(words="  ").is_empty
    assert not JournalFilter(starred=True).is_empty


def test_each_text_is_folded_once_however_many_keystrokes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = journal_query.fold

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(journal_query, "fold", counting)
    monkeypatch.setattr(journal_query, "_FOLDED", {})
    fresh = [make(100 + n, f"Unik text nummer {n} om återkoppling") for n in range(50)]
    for typed in ("å", "åt", "åte", "återk", "återkoppling"):
        assert len(select(fresh, JournalFilter(words=typed))) == 50
    folded_texts = [c for c in calls if c.startswith("Unik")]
    assert sorted(folded_texts) == sorted(r.text for r in fresh)


def test_an_edited_text_is_searched_as_it_is_now() -> None:
    before = make(200, "Första versionen")
    after = Reflection(before.id, before.lesson, before.prompt, "Andra versionen", before.created, before.updated)
    assert select([before], JournalFilter(words="forsta")) == [before]
    assert select([after], JournalFilter(words="forsta")) == []  # same id and time, new text
    assert select([after], JournalFilter(words="andra")) == [after]


# --- filters ---------------------------------------------------------------------------------------


def test_lesson_filter() -> None:
    assert ids(select(JOURNAL, JournalFilter(lesson=SECOND))) == [3, 6]
    assert ids(select(JOURNAL, JournalFilter(lesson="no-such-lesson"))) == []


def test_tag_filter_is_forgiving_too() -> None:
    assert ids(select(JOURNAL, JournalFilter(tag="team"))) == [2]
    assert ids(select(JOURNAL, JournalFilter(tag="Aterkoppling"))) == [4]
    assert ids(select(JOURNAL, JournalFilter(tag="återkoppling"))) == [4]
    assert ids(select(JOURNAL, JournalFilter(tag="tea"))) == [], "a tag matches whole, not in part"


def test_starred_filter() -> None:
    assert ids(select(JOURNAL, JournalFilter(starred=True))) == [3, 5]


def test_date_filters_are_inclusive() -> None:
    today = BASE.astimezone().date()
    assert ids(select(JOURNAL, JournalFilter(since=today))) == [1, 2, 3]
    assert ids(select(JOURNAL, JournalFilter(since=today - timedelta(days=3)))) == [1, 2, 3, 4]
    assert ids(select(JOURNAL, JournalFilter(until=today - timedelta(days=10)))) == [5, 6]
    span = JournalFilter(since=today - timedelta(days=10), until=today - timedelta(days=3))
    assert ids(select(JOURNAL, span)) == [4, 5]


def test_filters_combine() -> None:
    f = JournalFilter(lesson=LESSON, starred=True, words="tillit")
    assert ids(select(JOURNAL, f, PROMPTS)) == [5]
    f = JournalFilter(lesson=LESSON, tag="team", words="kontroll", since=BASE.astimezone().date())
    assert ids(select(JOURNAL, f, PROMPTS)) == [2]


def test_dates_are_the_learners_local_dates(local_zone: None) -> None:
    late = make(300, "Skrivet strax efter midnatt i Stockholm", created=datetime(2025, 5, 20, 22, 30, tzinfo=UTC))
    early = make(301, "Skrivet på morgonen", created=datetime(2025, 5, 21, 6, 0, tzinfo=UTC))
    before = make(302, "Kvällen innan", created=datetime(2025, 5, 20, 21, 30, tzinfo=UTC))
    may21 = date(2025, 5, 21)
    assert ids(select([late, early, before], JournalFilter(since=may21, until=may21))) == [300, 301]
    assert [(d, ids(rs)) for d, rs in by_date([before, late, early])] == [
        (may21, [300, 301]),
        (date(2025, 5, 20), [302]),
    ]


# --- grouping, then and now, tags ------------------------------------------------------------------


def test_by_date_newest_day_first_keeping_the_order_within_a_day() -> None:
    groups = by_date(JOURNAL)
    today = BASE.astimezone().date()
    assert [d for d, _ in groups] == [today - timedelta(days=n) for n in (0, 3, 10, 40)]
    assert ids(groups[0][1]) == [1, 2, 3]
    assert ids(by_date(list(reversed(JOURNAL)))[0][1]) == [3, 2, 1]
    assert by_date([]) == []


def test_then_and_now_is_every_answer_to_one_prompt_oldest_first() -> None:
    answers = then_and_now(JOURNAL, LESSON, "trust-and-control-week")
    assert ids(answers) == [5, 4, 1, 2]  # 1 and 2 were written at the same time: by id
    assert ids(then_and_now(JOURNAL, SECOND, "sharing-responsibility")) == [6, 3]
    assert then_and_now(JOURNAL, LESSON, "no-such-prompt") == []


def test_all_tags() -> None:
    assert all_tags(JOURNAL) == ["team", "återkoppling"]
    assert all_tags([]) == []


def test_visible_shows_control_characters_instead_of_running_them() -> None:
    assert visible("a\x1b[31mb\x07c\x7fd\x9be") == "a␛[31mb␇c␡d\ufffde"
    assert visible("keeps\nnewlines\tand tabs [bold] <b> &") == "keeps\nnewlines\tand tabs [bold] <b> &"
