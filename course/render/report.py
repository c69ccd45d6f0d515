"""The group report: merged results (course.trainer.results) as one self-contained, print-friendly
HTML page, and their figures as CSV for a spreadsheet.

The page is templates/report.html.j2: no scripts, fonts or images from elsewhere, charts as inline SVG,
every text escaped (names and reflections come from participants). The CSV holds course texts and
numbers only: no participant's words are in it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from course.content.model import Course
from course.learner.progress import now
from course.trainer.results import (
    SCALE,
    AssessmentStat,
    OptionStat,
    QuestionStat,
    Results,
    label,
    number,
    percent,
    plural,
    relabel,
    signed,
)

BAR_W, BAR_H = 160, 12
DIST_W, DIST_H = 220, 90


@dataclass(frozen=True)
class OptionBar:
    """How often one option was picked, as a bar of the whole width `w` (`fill` of it filled)."""

    fill: float
    right: bool
    w: int = BAR_W
    h: int = BAR_H


@dataclass(frozen=True)
class RatingBar:
    """One rating's bar in a distribution: where it stands, and the count written above it."""

    rating: int
    count: int
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Distribution:
    """The latest ratings of a behaviour, 1 to 5, as bars in a `w` × `h` chart."""

    bars: tuple[RatingBar, ...]
    w: int = DIST_W
    h: int = DIST_H


def _bar(option: OptionStat, question: QuestionStat) -> OptionBar:
    total = question.answered
    return OptionBar(0.0 if not total else BAR_W * option.picked / total, option.correct)


def _distribution(stat: AssessmentStat) -> Distribution:
    top = max(stat.distribution, default=0) or 1
    slot = DIST_W / len(SCALE)
    plot = DIST_H - 30
    bars = []
    for i, (rating, count) in enumerate(zip(SCALE, stat.distribution, strict=True)):
        h = plot * count / top
        bars.append(RatingBar(rating, count, i * slot + slot * 0.2, 14 + plot - h, slot * 0.6, h))
    return Distribution(tuple(bars))


def render_html(results: Results, course: Course, lang: str) -> str:
    """One self-contained, print-friendly HTML page of the results, in `lang` (the course's texts relabelled)."""
    from course.render.pages import render

    results = relabel(results, course, lang)
    lang = results.lang
    return render(
        "report.html.j2",
        lang=lang,
        results=results,
        course_title=course.title(lang),
        when=now().strftime("%Y-%m-%d %H:%M"),
        t=lambda key, **values: label(key, lang, **values),
        plural=lambda key, n: plural(key, n, lang),
        percent=lambda share: percent(share, lang),
        number=lambda value: number(value, lang),
        signed=lambda value: signed(value, lang),
        bar=_bar,
        distribution_of=_distribution,
    )


# --- CSV -------------------------------------------------------------------------------------------------------


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def render_csv(results: Results) -> str:
    """The questions as CSV (weakest first), headers in the results' language, decimals with a point.

    Columns: lesson, lesson title, question id, question, answered, right first, share right first,
    right latest, share right latest, most common wrong option, then one column per option holding
    "option text: n" (first answers). Only course texts and numbers: no participant's words.
    """
    lang = results.lang
    widest = max((len(s.options) for s in results.questions), default=0)
    buf = io.StringIO()
    writer = csv.writer(buf)
    keys = (
        "lesson", "lesson_title", "question", "question_text", "answered", "right_first", "share_first",
        "right_latest", "share_latest", "common_wrong",
    )  # fmt: skip
    writer.writerow(
        [label(f"csv.{k}", lang) for k in keys] + [label("csv.option", lang, n=n) for n in range(1, widest + 1)]
    )
    for s in results.questions:
        options = [f"{o.text}: {o.picked}" for o in s.options]
        writer.writerow(
            [
                s.lesson,
                s.lesson_title,
                s.question,
                s.text,
                s.answered,
                s.right_first,
                _decimal(s.share_first),
                s.right_latest,
                _decimal(s.share_latest),
                s.common_wrong.text if s.common_wrong else "",
                *options,
                *[""] * (widest - len(options)),
            ]
        )
    return buf.getvalue()


def render_assessment_csv(results: Results) -> str:
    """The self-assessment as CSV, one row per behaviour in course order.

    Columns: statement id, behaviour, n, mean, spread, the counts of 1 to 5, people with a change,
    mean change (latest − first).
    """
    lang = results.lang
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [label(f"csv.{k}", lang) for k in ("statement", "behaviour", "n", "mean", "spread")]
        + [str(r) for r in SCALE]
        + [label("csv.changed", lang), label("csv.change", lang)]
    )
    for a in results.assessments:
        writer.writerow(
            [
                a.statement,
                a.behaviour,
                a.n,
                _decimal(a.mean),
                _decimal(a.spread),
                *a.distribution,
                a.changed,
                _decimal(a.change),
            ]
        )
    return buf.getvalue()
