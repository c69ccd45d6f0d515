"""Anonymous sharing and merged group results: the share file, reading untrusted files, and every number."""

from __future__ import annotations

import csv
import io
import math
import os
import random
import stat
import time
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from course.content.model import Course
from course.content.quiz import Question
from course.content.terminal_text import visible
from course.learner.practice import Practice
from course.learner.share import (
    ID_FILE,
    KIND,
    MAX_SHARE_BYTES,
    ShareError,
    build_share,
    participant_id,
    render_share,
)
from course.learner.study import Study
from course.render.report import render_assessment_csv, render_csv, render_html
from course.store import reading, sandbox, storage
from course.trainer.results import QuestionStat, Results, merge
from course.trainer.shares import OLDER, SAME, Skipped, load_shares
from tests.hostile_shares import write_corpus
from tests.journal_helpers import Clock

LANG = "en"
MARKUP = "<script>alert('x')</script> [bold]&amp; \x1b[31m"


# --- helpers -----------------------------------------------------------------------------------------------


def questions(course: Course) -> list[tuple[str, Question]]:
    """Every quiz question of the course, in course order."""
    out: list[tuple[str, Question]] = []
    for lid in course.lesson_ids:
        quiz = course.quiz(lid, LANG)
        assert quiz is not None
        out += [(lid, q) for q in quiz.questions]
    return out


def option_ids(q: Question) -> list[str]:
    """The ids a learner can choose, in course order (written out here, not taken from Question.choices)."""
    return ["true", "false"] if q.kind == "true_false" else [o.id for o in q.options]


def right_ids(q: Question) -> set[str]:
    if q.kind == "true_false":
        return {"true" if q.answer else "false"}
    return {o.id for o in q.options if o.correct}


def wrong_answer(q: Question) -> list[str]:
    return [next(i for i in option_ids(q) if i not in right_ids(q))]


def right_answer(q: Question) -> list[str]:
    return [i for i in option_ids(q) if i in right_ids(q)]


def take_quiz(study: Study, lesson: str, answers: dict[str, list[str]]) -> None:
    quiz = study.course.quiz(lesson, study.lang)
    assert quiz is not None
    for n, q in enumerate(quiz.questions):
        if q.id in answers:
            study.answer(lesson, q.id, answers[q.id], n)
    study.finish_quiz(lesson)


def share_to(folder: Path, name: str, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    storage.write_new_file(path, render_share(data), replace=True)
    return path


# --- the participant's side ------------------------------------------------------------------------------


def test_participant_id_is_made_once_kept_private_and_checksummed(course: Course, tmp_path: Path) -> None:
    study = Study(course, tmp_path / "data", LANG)
    assert not (tmp_path / "data" / ID_FILE).exists()
    pid = participant_id(study)
    assert len(pid) == 16 and int(pid, 16) >= 0
    path = tmp_path / "data" / ID_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert storage.checksum_ok(path.read_bytes()) is True
    assert reading.read_toml(path) == {"schema": 1, "id": pid}
    assert participant_id(study) == pid
    assert participant_id(Study(course, tmp_path / "data", LANG)) == pid
    assert participant_id(Study(course, tmp_path / "other", LANG)) != pid


def test_a_read_only_study_shares_with_its_saved_id_and_makes_none(course: Course, tmp_path: Path) -> None:
    from course.store.instance import ReadOnlyError

    with pytest.raises(ReadOnlyError):
        participant_id(Study(course, tmp_path / "data", LANG, read_only=True))
    assert not (tmp_path / "data" / ID_FILE).exists()
    pid = participant_id(Study(course, tmp_path / "data", LANG))
    assert build_share(Study(course, tmp_path / "data", LANG, read_only=True))["participant"] == pid


def test_an_unreadable_id_file_is_moved_aside_and_replaced(course: Course, tmp_path: Path) -> None:
    study = Study(course, tmp_path / "data", LANG)
    (tmp_path / "data" / ID_FILE).write_text('schema = 1\nid = "../../x"\n', encoding="utf-8")
    pid = participant_id(study)
    assert len(pid) == 16
    assert any(n.kind == "moved" for n in study.notices)
    assert list((tmp_path / "data" / "quarantine").glob("share-id.toml.unreadable-*"))


def test_the_share_holds_exactly_what_was_answered_rated_and_chosen(
    course: Course, tmp_path: Path, clock: Clock
) -> None:
    study = Study(course, tmp_path / "data", LANG)
    practice = Practice(study)
    lid = course.lesson_ids[0]
    quiz = course.quiz(lid, LANG)
    assert quiz is not None
    q_single = next(q for q in quiz.questions if q.kind == "single")
    q_multi = next(q for q in quiz.questions if q.kind == "multiple")
    q_tf = next(q for q in quiz.questions if q.kind == "true_false")
    # First attempt: single wrong, true/false right; multiple not answered at all.
    take_quiz(study, lid, {q_single.id: wrong_answer(q_single), q_tf.id: right_answer(q_tf)})
    # Second attempt: single right, multiple wrong; true/false not answered this time.
    take_quiz(study, lid, {q_single.id: right_answer(q_single), q_multi.id: wrong_answer(q_multi)})
    statements = [s.id for s in course.assessment.statements] if course.assessment else []
    practice.add_assessment({statements[0]: 2, statements[1]: 4}, {statements[0]: "NOTE-SECRET"})
    clock.jump(timedelta(days=30))
    practice.add_assessment({statements[0]: 4}, {statements[0]: "ANOTHER-NOTE-SECRET"})
    prompt = course.lesson(lid, LANG).prompts[0].id
    shared = study.save_reflection(lid, prompt, "OLD-TEXT-SECRET", None)
    clock.jump(timedelta(minutes=30))
    shared = study.save_reflection(lid, prompt, f"What I saw.\n{MARKUP}", shared)
    study.set_tags(shared, ["TAG-SECRET"])
    study.set_star(shared, True)
    assert study.journal.get(lid, shared.id) is not None
    private = study.save_reflection(lid, prompt, "PRIVATE-REFLECTION", None)

    data = build_share(study, name="  Anna\n  <b>Svensson</b>  ", reflection_ids=[shared.id, shared.id])
    text = render_share(data)
    for secret in ("NOTE-SECRET", "OLD-TEXT-SECRET", "TAG-SECRET", "PRIVATE-REFLECTION", private.id, shared.id):
        assert secret.lower() not in text.lower()
    assert set(data) == {
        "schema", "kind", "course", "app_version", "participant", "name", "created", "lang",
        "answer", "assessment", "reflection",
    }  # fmt: skip
    assert (data["schema"], data["kind"], data["course"], data["lang"]) == (1, KIND, course.id, LANG)
    assert data["participant"] == participant_id(study)
    assert data["name"] == "Anna <b>Svensson</b>"
    assert data["created"].tzinfo is not None and data["created"].utcoffset() == timedelta(0)
    answers = {a["question"]: a for a in data["answer"]}
    assert set(answers) == {q_single.id, q_multi.id, q_tf.id}
    assert answers[q_single.id] == {
        "lesson": lid, "question": q_single.id,
        "first": wrong_answer(q_single), "first_correct": False,
        "latest": right_answer(q_single), "latest_correct": True,
    }  # fmt: skip
    assert answers[q_multi.id]["first"] == answers[q_multi.id]["latest"] == wrong_answer(q_multi)
    assert answers[q_tf.id]["first"] == answers[q_tf.id]["latest"] == ["true" if q_tf.answer else "false"]
    assert answers[q_tf.id]["first_correct"] is answers[q_tf.id]["latest_correct"] is True
    assert [a["question"] for a in data["answer"]] == [q.id for q in quiz.questions if q.id in answers]
    assert data["assessment"] == [
        {"date": date(2025, 5, 21), "ratings": {statements[0]: 2, statements[1]: 4}},
        {"date": date(2025, 6, 20), "ratings": {statements[0]: 4}},
    ]
    assert data["reflection"] == [
        {"lesson": lid, "prompt": prompt, "text": f"What I saw.\n{MARKUP}", "date": date(2025, 6, 20)}
    ]
    # What is shown is exactly what is written, and the trainer's side reads it back the same.
    path = share_to(tmp_path / "shares", "anna", data)
    assert path.read_text(encoding="utf-8") == text
    assert tomllib.loads(text) == data
    shares, skipped = load_shares([path])
    assert skipped == []
    [share] = shares
    assert share.name == "Anna <b>Svensson</b>" and share.reflections[0].text == f"What I saw.\n{MARKUP}"


def test_no_name_means_no_name_key_and_unknown_reflections_are_refused(course: Course, tmp_path: Path) -> None:
    study = Study(course, tmp_path / "data", LANG)
    assert "name" not in build_share(study, name="   \n ")
    assert build_share(study, name="x" * 200)["name"] == "x" * 80
    with pytest.raises(ShareError, match="no reflection"):
        build_share(study, reflection_ids=["20250101-000000-abcdef"])


def test_a_participant_with_nothing_answered_gets_a_valid_file(course: Course, tmp_path: Path) -> None:
    study = Study(course, tmp_path / "data", LANG)
    data = build_share(study)
    assert data["answer"] == data["assessment"] == data["reflection"] == []
    path = share_to(tmp_path / "shares", "empty", data)
    shares, skipped = load_shares([path])
    assert skipped == [] and len(shares) == 1
    assert (shares[0].answers, shares[0].assessments, shares[0].reflections) == ((), (), ())
    results = merge(shares, course, LANG)
    assert results.participants == 1
    assert all(s.answered == 0 and s.share_first is None for s in results.questions)
    assert all(a.n == 0 and a.mean is None for a in results.assessments)
    assert "Nobody" in render_html(results, course, LANG)


def test_a_share_too_large_for_the_trainer_is_refused_before_writing(course: Course, tmp_path: Path) -> None:
    study = Study(course, tmp_path / "data", LANG)
    data = build_share(study)
    lid = course.lesson_ids[0]
    data["reflection"] = [{"lesson": lid, "prompt": "p", "text": "x" * 19_000, "date": date(2025, 1, 1)}] * 15
    with pytest.raises(ShareError, match="KiB"):
        render_share(data)
    data["reflection"] = [{"lesson": "../x", "prompt": "p", "text": "x", "date": date(2025, 1, 1)}]
    with pytest.raises(ShareError, match="invalid lesson id"):
        render_share(data)


# --- a few real participants, end to end ----------------------------------------------------------------------


def test_real_participants_share_load_and_merge(course: Course, tmp_path: Path, clock: Clock) -> None:
    lid = course.lesson_ids[0]
    quiz = course.quiz(lid, LANG)
    assert quiz is not None and course.assessment is not None
    q1, q2 = quiz.questions[0], quiz.questions[2]
    sid = course.assessment.statements[0].id
    prompt = course.lesson(lid, LANG).prompts[0].id
    shares_dir = tmp_path / "shares"

    # Ada: wrong then right on q1, right on q2; rates 2 then 5; shares a reflection with her name.
    ada = Study(course, tmp_path / "ada", LANG)
    take_quiz(ada, lid, {q1.id: wrong_answer(q1), q2.id: right_answer(q2)})
    take_quiz(ada, lid, {q1.id: right_answer(q1), q2.id: right_answer(q2)})
    Practice(ada).add_assessment({sid: 2}, {})
    clock.jump(timedelta(days=10))
    Practice(ada).add_assessment({sid: 5}, {})
    r = ada.save_reflection(lid, prompt, "Ada's thought <i>", None)
    share_to(shares_dir, "ada", build_share(ada, "Ada", [r.id]))
    # Bo: right first time on q1 only; rates 4 once; no name.
    bo = Study(course, tmp_path / "bo", "sv")
    take_quiz(bo, lid, {q1.id: right_answer(q1)})
    Practice(bo).add_assessment({sid: 4}, {})
    share_to(shares_dir, "bo", build_share(bo))
    # Cy: wrong on both; no assessment.
    cy = Study(course, tmp_path / "cy", LANG)
    take_quiz(cy, lid, {q1.id: wrong_answer(q1), q2.id: wrong_answer(q2)})
    share_to(shares_dir, "cy", build_share(cy, "Cy"))

    shares, skipped = load_shares([shares_dir])
    assert skipped == [] and len(shares) == 3
    results = merge(shares, course, LANG)
    assert results.participants == 3 and results.names == ("Ada", "Cy") and results.anonymous == 1
    stat1 = next(s for s in results.questions if s.question == q1.id)
    stat2 = next(s for s in results.questions if s.question == q2.id)
    assert (stat1.answered, stat1.right_first, stat1.right_latest) == (3, 1, 2)
    assert (stat2.answered, stat2.right_first, stat2.right_latest) == (2, 1, 1)
    assert stat1.common_wrong is not None and stat1.common_wrong.id == wrong_answer(q1)[0]
    assert stat1.common_wrong.picked == 2
    # Weakest first: q1 (1 of 3) before q2 (1 of 2); questions nobody answered come last.
    order = [s.question for s in results.questions]
    assert order.index(q1.id) < order.index(q2.id)
    assert all(s.answered == 0 for s in results.questions[order.index(q2.id) + 1 :])
    behaviour = next(a for a in results.assessments if a.statement == sid)
    assert (behaviour.n, behaviour.mean, behaviour.distribution) == (2, 4.5, (0, 0, 0, 1, 1))
    assert behaviour.spread == pytest.approx(0.5)
    assert (behaviour.changed, behaviour.change) == (1, 3.0)
    [group] = results.reflections
    assert group.lesson == lid and [g.text for g in group.reflections] == ["Ada's thought <i>"]
    assert group.reflections[0].prompt_text == course.lesson(lid, LANG).prompts[0].text
    lines = stat1.lines("sv")
    assert "Besvarad av 3" in lines[1] and "33 %" in lines[1] and "67 %" in lines[1]
    assert behaviour.lines("en")[1:] == ["2 people · mean 4.5 · spread 0.5", "1: 0 · 2: 0 · 3: 0 · 4: 1 · 5: 1",
                                         "From first to latest: +3.0 on average (1 person with two or more ratings)"]  # fmt: skip
    assert behaviour.lines("sv")[1] == "2 personer · medel 4,5 · spridning 0,5"


# --- a generated group of participants -------------------------------------------------------------------------


def generate_group(course: Course, n: int, seed: int) -> list[dict[str, Any]]:
    """`n` share dicts with random answers, self-assessments, names and reflections (seeded)."""
    rng = random.Random(seed)
    qs = questions(course)
    statements = [s.id for s in course.assessment.statements] if course.assessment else []
    out = []
    for i in range(n):
        answers = []
        for lid, q in rng.sample(qs, rng.randint(0, len(qs))):
            ids = option_ids(q)
            first = rng.sample(ids, rng.randint(1, len(ids))) if q.kind == "multiple" else [rng.choice(ids)]
            latest = right_answer(q) if rng.random() < 0.6 else [rng.choice(ids)]
            first = [x for x in ids if x in first]  # in option order, as build_share writes them
            answers.append(
                {
                    "lesson": lid,
                    "question": q.id,
                    "first": first,
                    "first_correct": set(first) == right_ids(q),
                    "latest": latest,
                    "latest_correct": set(latest) == right_ids(q),
                }
            )
        assessments = []
        day = date(2025, 1, 1) + timedelta(days=rng.randint(0, 30))
        for _ in range(rng.randint(0, 4)):
            day += timedelta(days=rng.choice((0, 0, 3, 10)))  # some on the same day: file order decides
            chosen = rng.sample(statements, rng.randint(1, len(statements)))
            assessments.append({"date": day, "ratings": {s: rng.randint(1, 5) for s in chosen}})
        reflections = []
        for _ in range(rng.choice((0, 0, 1, 2))):
            lid = rng.choice(course.lesson_ids)
            prompt = rng.choice(course.lesson(lid, LANG).prompts).id
            reflections.append({"lesson": lid, "prompt": prompt, "text": f"Reflection {i} {MARKUP}", "date": day})
        data: dict[str, Any] = {
            "schema": 1, "kind": KIND, "course": course.id, "app_version": "0.1.0",
            "participant": f"{rng.getrandbits(64):016x}",
        }  # fmt: skip
        if rng.random() < 0.5:
            data["name"] = f"Person {i} <em>{rng.randint(0, 99)}</em>"
        data["created"] = datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=i)
        data["lang"] = rng.choice(("sv", "en"))
        data.update(answer=answers, assessment=assessments, reflection=reflections)
        out.append(data)
    return out


def expected_questions(course: Course, group: Sequence[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every question's figures, computed directly from the share dicts."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for position, (lid, q) in enumerate(questions(course)):
        mine = [a for d in group for a in d["answer"] if (a["lesson"], a["question"]) == (lid, q.id)]
        picks = {i: sum(i in a["first"] for a in mine) for i in option_ids(q)}
        wrong = [i for i in option_ids(q) if i not in right_ids(q) and picks[i] > 0]
        common = min(wrong, key=lambda i: (-picks[i], option_ids(q).index(i))) if wrong else None
        right_first = sum(set(a["first"]) == right_ids(q) for a in mine)
        out[(lid, q.id)] = {
            "position": position, "answered": len(mine), "right_first": right_first,
            "right_latest": sum(set(a["latest"]) == right_ids(q) for a in mine),
            "share": right_first / len(mine) if mine else None, "picks": picks, "common_wrong": common,
        }  # fmt: skip
    return out


def expected_order(expected: dict[tuple[str, str], dict[str, Any]]) -> list[tuple[str, str]]:
    answered = [k for k, e in expected.items() if e["answered"]]
    answered.sort(key=lambda k: (expected[k]["share"], -expected[k]["answered"], expected[k]["position"]))
    return answered + [k for k, e in expected.items() if not e["answered"]]


def expected_assessments(course: Course, group: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    assert course.assessment is not None
    for s in course.assessment.statements:
        latest: list[int] = []
        diffs: list[int] = []
        for d in group:
            series = [a["ratings"][s.id] for a in d["assessment"] if s.id in a["ratings"]]
            if series:
                latest.append(series[-1])
            if len(series) > 1:
                diffs.append(series[-1] - series[0])
        mean = sum(latest) / len(latest) if latest else None
        spread = math.sqrt(sum((x - mean) ** 2 for x in latest) / len(latest)) if mean is not None else None
        out[s.id] = {
            "n": len(latest), "mean": mean, "spread": spread,
            "distribution": tuple(latest.count(r) for r in range(1, 6)),
            "changed": len(diffs), "change": sum(diffs) / len(diffs) if diffs else None,
        }  # fmt: skip
    return out


def check_results(course: Course, group: Sequence[dict[str, Any]], results: Results) -> None:
    """Every number of `results` against the independent computation from the share dicts."""
    expected = expected_questions(course, group)
    assert [(s.lesson, s.question) for s in results.questions] == expected_order(expected)
    for s in results.questions:
        e = expected[(s.lesson, s.question)]
        assert (s.answered, s.right_first, s.right_latest) == (e["answered"], e["right_first"], e["right_latest"])
        assert s.share_first == e["share"]
        assert s.share_latest == (e["right_latest"] / e["answered"] if e["answered"] else None)
        assert {o.id: o.picked for o in s.options} == e["picks"]
        assert [o.id for o in s.options] == list(e["picks"])
        assert (s.common_wrong.id if s.common_wrong else None) == e["common_wrong"]
        if s.common_wrong is not None:
            assert s.common_wrong.picked == e["picks"][e["common_wrong"]] and not s.common_wrong.correct
    expected_a = expected_assessments(course, group)
    assert [a.statement for a in results.assessments] == list(expected_a)
    for a in results.assessments:
        e = expected_a[a.statement]
        assert (a.n, a.distribution, a.changed) == (e["n"], e["distribution"], e["changed"])
        for key in ("mean", "spread", "change"):
            got, want = getattr(a, key), e[key]
            assert (got is None) == (want is None) and (want is None or got == pytest.approx(want, abs=1e-12)), key
    assert results.participants == len(group)
    names = sorted({d["name"] for d in group if "name" in d}, key=str.casefold)
    assert list(results.names) == names and results.anonymous == len(group) - len(names)
    # A participant's words are kept as written, made inert (escape sequences shown as ␛, never run).
    shared = Counter((r["lesson"], r["prompt"], visible(r["text"])) for d in group for r in d["reflection"])
    got = Counter((r.lesson, r.prompt, r.text) for g in results.reflections for r in g.reflections)
    assert got == shared
    lessons = [g.lesson for g in results.reflections]
    assert lessons == [lid for lid in course.lesson_ids if lid in lessons]
    for g in results.reflections:  # by prompt, then text: never in file order (which could match the names)
        prompts = [p.id for p in course.lesson(g.lesson, LANG).prompts]
        keys = [(prompts.index(r.prompt), r.text.casefold()) for r in g.reflections]
        assert keys == sorted(keys)


@pytest.fixture(scope="module")
def group30(course: Course, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Path]:
    group = generate_group(course, 30, seed=2025)
    folder = tmp_path_factory.mktemp("group30")
    for n, data in enumerate(group):
        share_to(folder, f"p{n:02}", data)
    return group, folder


@pytest.fixture(scope="module")
def merged30(course: Course, group30: tuple[list[dict[str, Any]], Path]) -> Results:
    shares, skipped = load_shares([group30[1]])
    assert skipped == [] and len(shares) == 30
    return merge(shares, course, LANG)


def test_a_generated_group_of_30_merges_to_the_right_numbers(
    course: Course, group30: tuple[list[dict[str, Any]], Path], merged30: Results
) -> None:
    group, _ = group30
    assert sum(len(d["answer"]) for d in group) > 300  # the data really exercises the merge
    assert any(len(d["assessment"]) > 1 for d in group) and any("name" in d for d in group)
    check_results(course, group, merged30)
    assert merged30.unknown == {}


def test_the_check_can_fail(course: Course, group30: tuple[list[dict[str, Any]], Path], merged30: Results) -> None:
    group, _ = group30
    tampered = [
        replace(merged30, questions=(replace(merged30.questions[0], right_first=merged30.questions[0].right_first + 1),
                                     *merged30.questions[1:])),
        replace(merged30, questions=merged30.questions[::-1]),
        replace(merged30, assessments=(replace(merged30.assessments[0], mean=(merged30.assessments[0].mean or 0) + 0.01),
                                       *merged30.assessments[1:])),
    ]  # fmt: skip
    for wrong in tampered:
        with pytest.raises(AssertionError):
            check_results(course, group, wrong)
    fewer = list(group[:-1])
    with pytest.raises(AssertionError):
        check_results(course, fewer, merged30)


def test_first_answers_count_not_latest_and_the_file_flags_are_not_trusted(course: Course, tmp_path: Path) -> None:
    lid, q = next((lid, q) for lid, q in questions(course) if q.kind == "single")
    data = generate_group(course, 1, seed=1)[0]
    # A file that claims a wrong first answer was right: judged again against the course.
    data["answer"] = [{"lesson": lid, "question": q.id, "first": wrong_answer(q), "first_correct": True,
                       "latest": right_answer(q), "latest_correct": False}]  # fmt: skip
    shares, _ = load_shares([share_to(tmp_path, "liar", data)])
    stat_ = next(s for s in merge(shares, course, LANG).questions if s.question == q.id)
    assert (stat_.answered, stat_.right_first, stat_.right_latest) == (1, 0, 1)


def test_unknown_ids_and_other_courses_are_counted_not_crashed_on(course: Course, tmp_path: Path) -> None:
    group = generate_group(course, 3, seed=3)
    lid, q = questions(course)[0]
    group[0]["answer"] = [
        {"lesson": "no-such-lesson", "question": "q", "first": [], "first_correct": False, "latest": [],
         "latest_correct": False},
        {"lesson": lid, "question": "no-such-question", "first": [], "first_correct": False, "latest": [],
         "latest_correct": False},
        {"lesson": lid, "question": q.id, "first": ["no-such-option"], "first_correct": False, "latest": [],
         "latest_correct": False},
    ]  # fmt: skip
    group[0]["assessment"] = [{"date": date(2025, 1, 1), "ratings": {"no-such-statement": 3}}]
    group[0]["reflection"] = [{"lesson": "gone-lesson", "prompt": "p", "text": "t", "date": date(2025, 1, 1)}]
    group[1]["course"] = "another-course"
    for n, d in enumerate(group):
        share_to(tmp_path, f"s{n}", d)
    shares, skipped = load_shares([tmp_path])
    assert skipped == []
    results = merge(shares, course, LANG)
    assert results.participants == 2
    assert results.unknown == {"course": 1, "question": 2, "option": 1, "statement": 1, "lesson": 1}
    notes = results.notes(LANG)
    assert len(notes) == 5 and "another-course" in notes[0]
    assert all(s.answered == sum(1 for a in group[2]["answer"] if a["question"] == s.question and a["lesson"] == s.lesson)
               for s in results.questions)  # fmt: skip
    assert "another-course" in render_html(results, course, "sv")


# --- the HTML report -----------------------------------------------------------------------------------------


class ReportReader(HTMLParser):
    """Collects the figures of a results page: per question, per behaviour, the reflections and names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.questions: dict[tuple[str, str], dict[str, Any]] = {}
        self.order: list[tuple[str, str]] = []
        self.behaviours: dict[str, dict[str, Any]] = {}
        self.reflections: list[tuple[str, str, str]] = []
        self.names: list[str] = []
        self.tags: Counter[str] = Counter()
        self._question: dict[str, Any] | None = None
        self._behaviour: dict[str, Any] | None = None
        self._lesson = ""
        self._prompt = ""
        self._capture: tuple[str, ...] | None = None
        self._text: list[str] = []
        self._in_names = False
        self._option = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "article" and "question" in classes:
            key = (a["data-lesson"], a["data-question"])
            self.order.append(key)
            self._question = self.questions[key] = {"options": {}}
        elif tag == "article" and "behaviour" in classes:
            self._behaviour = self.behaviours[a["data-statement"]] = {"distribution": {}}
        elif tag == "section" and "lesson-reflections" in classes:
            self._lesson = a["data-lesson"]
        elif tag == "article" and "reflection" in classes:
            self._prompt = a["data-prompt"]
        elif tag == "ul" and "names" in classes:
            self._in_names = True
        elif tag == "li" and self._in_names:
            self._capture = ("name",)
        elif tag == "tr" and "option" in classes and self._question is not None:
            self._option = a["data-option"]
        elif tag == "td" and self._question is not None:
            for cls in ("answered", "right-first", "right-latest", "picked"):
                if cls in classes:
                    self._capture = ("q", cls)
            if "common-wrong" in classes:
                self._question["common_wrong"] = a["data-option"] or None
        elif tag == "td" and self._behaviour is not None:
            for cls in ("n", "changed"):
                if cls in classes:
                    self._capture = ("b", cls)
            for cls in ("mean", "spread", "change"):
                if cls in classes:
                    self._behaviour[cls] = float(a["data-value"]) if a["data-value"] else None
            if "count" in classes:
                self._capture = ("b", "count", a["data-rating"])
        elif tag == "div" and "text" in classes:
            self._capture = ("reflection",)
        if self._capture is not None:
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._question = self._behaviour = None
        if tag == "ul":
            self._in_names = False
        if self._capture is None or tag not in ("td", "li", "div"):
            return
        text, what, self._capture = "".join(self._text), self._capture, None
        if what == ("name",):
            self.names.append(text)
        elif what == ("reflection",):
            self.reflections.append((self._lesson, self._prompt, text))
        elif what[0] == "q" and self._question is not None:
            number = int(text.split()[0])
            if what[1] == "picked":
                self._question["options"][self._option] = number
            else:
                self._question[what[1]] = number
        elif what[0] == "b" and self._behaviour is not None:
            if what[1] == "count":
                self._behaviour["distribution"][int(what[2])] = int(text)
            else:
                self._behaviour[what[1]] = int(text)


def test_the_html_report_shows_the_same_numbers_as_the_input(
    course: Course, group30: tuple[list[dict[str, Any]], Path], merged30: Results
) -> None:
    group, _ = group30
    page = render_html(merged30, course, LANG)
    reader = ReportReader()
    reader.feed(page)
    reader.close()
    expected = expected_questions(course, group)
    assert reader.order == expected_order(expected)
    for key, e in expected.items():
        got = reader.questions[key]
        if not e["answered"]:
            assert "answered" not in got
            continue
        assert (got["answered"], got["right-first"], got["right-latest"]) == (
            e["answered"], e["right_first"], e["right_latest"],
        )  # fmt: skip
        assert got["options"] == e["picks"]
        assert got["common_wrong"] == e["common_wrong"]
    for sid, e in expected_assessments(course, group).items():
        b = reader.behaviours[sid]
        if not e["n"]:
            continue
        assert (b["n"], b["changed"]) == (e["n"], e["changed"])
        assert tuple(b["distribution"][r] for r in range(1, 6)) == e["distribution"]
        assert b["mean"] == pytest.approx(e["mean"], abs=1e-6) and b["spread"] == pytest.approx(e["spread"], abs=1e-6)
        assert (b["change"] is None) == (e["change"] is None)
        if e["change"] is not None:
            assert b["change"] == pytest.approx(e["change"], abs=1e-6)
    # Participants' words come out literally (markup as text), escaped in the page, never as markup.
    from course.learner.journal_query import visible

    shared = Counter((r["lesson"], r["prompt"], visible(r["text"])) for d in group for r in d["reflection"])
    assert Counter(reader.reflections) == shared
    assert reader.names == sorted((d["name"] for d in group if "name" in d), key=str.casefold)
    assert any("<em>" in n for n in reader.names)
    assert reader.tags["script"] == 0 and reader.tags["em"] == 0 and reader.tags["b"] == 0
    assert "<script" not in page and "&lt;script&gt;" in page and "\x1b" not in page
    # Self-contained: no scripts, links, images or fonts from elsewhere.
    for needle in ("src=", "href=", "<link", "@import", "url(", "http://", "https://"):
        assert needle not in page


def test_the_html_report_speaks_swedish_and_relabels_course_texts(course: Course, merged30: Results) -> None:
    page = render_html(merged30, course, "sv")
    assert '<html lang="sv">' in page and "Gruppens resultat" in page and "Rätt första gången" in page
    sv_question = course.quiz(merged30.questions[0].lesson, "sv")
    assert sv_question is not None
    q = sv_question.question(merged30.questions[0].question)
    assert q is not None
    from html import escape

    assert escape(q.text, quote=True) in page
    assert merged30.lang == LANG  # relabelling made a copy


# --- CSV --------------------------------------------------------------------------------------------------------


def test_the_question_csv_has_every_number(
    course: Course, group30: tuple[list[dict[str, Any]], Path], merged30: Results
) -> None:
    group, _ = group30
    rows = list(csv.reader(io.StringIO(render_csv(merged30))))
    header, body = rows[0], rows[1:]
    assert header[:10] == [
        "lesson", "lesson title", "question id", "question", "answered", "right first", "share right first",
        "right latest", "share right latest", "most common wrong option",
    ]  # fmt: skip
    expected = expected_questions(course, group)
    assert [(r[0], r[2]) for r in body] == expected_order(expected)
    texts = {(lid, q.id): q for lid, q in questions(course)}
    for row in body:
        key = (row[0], row[2])
        e, q = expected[key], texts[key]
        assert row[3] == q.text and len(row) == len(header)
        assert (int(row[4]), int(row[5]), int(row[7])) == (e["answered"], e["right_first"], e["right_latest"])
        assert row[6] == ("" if e["share"] is None else f"{e['share']:.3f}")
        labels = {o.id: o.text for o in q.choices("True", "False")}
        assert row[9] == (labels[e["common_wrong"]] if e["common_wrong"] else "")
        cells = [c for c in row[10:] if c]
        assert cells == [f"{labels[i]}: {n}" for i, n in e["picks"].items()]


def test_the_assessment_csv_has_every_number(
    course: Course, group30: tuple[list[dict[str, Any]], Path], merged30: Results
) -> None:
    group, _ = group30
    rows = list(csv.reader(io.StringIO(render_assessment_csv(merged30))))
    assert rows[0] == ["statement id", "behaviour", "n", "mean", "spread", "1", "2", "3", "4", "5",
                       "people with a change", "mean change"]  # fmt: skip
    expected = expected_assessments(course, group)
    assert [r[0] for r in rows[1:]] == list(expected)
    for row in rows[1:]:
        e = expected[row[0]]
        assert int(row[2]) == e["n"] and tuple(int(x) for x in row[5:10]) == e["distribution"]
        assert int(row[10]) == e["changed"]
        for cell, key in ((row[3], "mean"), (row[4], "spread"), (row[11], "change")):
            assert cell == ("" if e[key] is None else f"{e[key]:.3f}")


# --- duplicates ---------------------------------------------------------------------------------------------------


def test_the_latest_file_of_a_participant_wins(course: Course, tmp_path: Path) -> None:
    base = generate_group(course, 2, seed=9)
    lid, q = questions(course)[0]
    versions = []
    for minutes, answer in ((0, wrong_answer(q)), (60, right_answer(q)), (30, wrong_answer(q))):
        d = dict(base[0], created=datetime(2025, 4, 1, tzinfo=UTC) + timedelta(minutes=minutes))
        d["answer"] = [{"lesson": lid, "question": q.id, "first": answer, "first_correct": False,
                        "latest": answer, "latest_correct": False}]  # fmt: skip
        versions.append(d)
    paths = [share_to(tmp_path / "in", f"v{n}", d) for n, d in enumerate(versions)]
    other = share_to(tmp_path / "in", "other", base[1])
    shares, skipped = load_shares([tmp_path / "in", paths[1]])  # the same file twice counts once
    assert sorted(s.path.name for s in shares) == ["other.toml", "v1.toml"]
    assert sorted(skipped, key=lambda s: s.path.name) == [Skipped(paths[0], OLDER), Skipped(paths[2], OLDER)]
    results = merge(shares, course, LANG)
    stat_ = next(s for s in results.questions if s.question == q.id)
    own = 1 if any(a["question"] == q.id for a in base[1]["answer"]) else 0
    assert stat_.answered == 1 + own and stat_.right_first >= 1
    assert results.participants == 2 and other in [s.path for s in shares]
    # Two copies made at the same moment: the first is kept, the copy is named as one.
    copy_path = tmp_path / "in" / "v1-copy.toml"
    copy_path.write_bytes(paths[1].read_bytes())
    _, skipped = load_shares([paths[1], copy_path])
    assert skipped == [Skipped(copy_path, SAME)]


# --- hostile files ------------------------------------------------------------------------------------------------


def test_a_hostile_corpus_is_skipped_file_by_file_and_the_good_files_still_merge(
    course: Course, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = generate_group(course, 3, seed=11)
    base = next(d for d in generate_group(course, 20, seed=12) if d["answer"] and d["assessment"] and d["reflection"])
    group[0]["name"] = MARKUP.replace("\x1b", "")
    folder = tmp_path / "incoming"
    folder.mkdir()
    expected = write_corpus(folder, base)
    assert len(expected) >= 50
    for n, d in enumerate(group):
        share_to(folder, f"good-{n}", d)
    made: list[sandbox.TomlSandbox] = []

    class Counting(sandbox.TomlSandbox):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(sandbox, "TomlSandbox", Counting)
    started = time.perf_counter()
    shares, skipped = load_shares([folder, tmp_path / "missing.toml"])
    elapsed = time.perf_counter() - started
    assert len(made) == 1 and made[0].proc is None  # one sandbox for the batch, closed afterwards
    assert elapsed < 30
    got = {s.path.name: s.reason for s in skipped}
    assert got.pop("missing.toml") == "the file does not exist"
    assert got == expected
    assert all(r == r.strip() and "\n" not in r and not r.endswith(".") for r in got.values())
    assert sorted(s.path.name for s in shares) == ["good-0.toml", "good-1.toml", "good-2.toml"]
    results = merge(shares, course, LANG)
    check_results(course, group, results)
    assert MARKUP.replace("\x1b", "") in results.names  # kept literally
    page = render_html(results, course, LANG)
    assert "<script" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_reading_never_goes_past_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "grows.toml"
    real_fstat = os.fstat

    def lying_fstat(fd: int) -> os.stat_result:  # the file grows between the size check and the read
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    path.write_bytes(b"#" * (MAX_SHARE_BYTES + 5000))
    monkeypatch.setattr(os, "fstat", lying_fstat)
    reads: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counting_read)
    shares, skipped = load_shares([path])
    assert shares == [] and skipped == [Skipped(path, "larger than 256 KiB")]
    assert sum(reads) == MAX_SHARE_BYTES + 1


def test_a_file_over_the_cap_is_not_read_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as f:
        f.truncate(64 * 1024 * 1024)  # 64 MiB (sparse): its size alone refuses it
    reads: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        reads.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", counting_read)
    assert load_shares([path]) == ([], [Skipped(path, "larger than 256 KiB")])
    assert reads == []


def test_a_folder_of_200_files_merges(course: Course, tmp_path: Path) -> None:
    group = generate_group(course, 200, seed=200)
    for n, d in enumerate(group):
        share_to(tmp_path, f"p{n:03}", d)
    shares, skipped = load_shares([tmp_path])
    assert skipped == [] and len(shares) == 200
    check_results(course, group, merge(shares, course, LANG))


def test_the_rendered_results_show_each_item_as_lines(merged30: Results) -> None:
    items = merged30.items()
    assert len(items) == len(merged30.questions) + len(merged30.assessments)
    for item in items:
        for lang in ("sv", "en"):
            lines = item.lines(lang)
            assert lines and all(isinstance(x, str) and "\n" not in x for x in lines)
    first = items[0]
    assert isinstance(first, QuestionStat) and first.answered
    assert any(line.lstrip().startswith(("✓", "✗")) for line in first.lines("en"))
