"""The self-assessment over time as inline SVG: one small line chart per behaviour, readable in print.

This module works out where everything goes (`assessment_chart`); the SVG itself is the macro
`assessment_chart` in templates/charts.svg.j2, where every label is escaped like any other text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from course.i18n import tr

COLUMNS = 2
CHART_W, CHART_H = 340, 150  # one chart, title included
GAP = 20
LEFT, RIGHT, TOP, BOTTOM = 26, 14, 34, 22  # the plot area's margins inside a chart
LOW, HIGH = 1, 5
MAX_LABEL = 38  # characters of a behaviour name that fit beside the first → latest value
MIN_LABEL_GAP = 92  # px between two date labels on the x axis (a centred one and an end-aligned one)
PLOT_W = CHART_W - LEFT - RIGHT
PLOT_H = CHART_H - TOP - BOTTOM


def _y_of(rating: int) -> float:
    """Where a rating is drawn: a higher rating higher up."""
    return TOP + PLOT_H - (min(max(rating, LOW), HIGH) - LOW) / (HIGH - LOW) * PLOT_H


@dataclass(frozen=True)
class Point:
    """One rating, drawn as a circle with its value written above it (below, at the top of the scale)."""

    x: float
    y: float
    rating: int
    label_y: float


@dataclass(frozen=True)
class DateLabel:
    """A date written under the x axis."""

    x: float
    anchor: str  # text-anchor: start, middle or end
    day: date


@dataclass(frozen=True)
class Chart:
    """One behaviour's chart, at (x, y) in the whole."""

    x: int
    y: int
    label: str  # the behaviour, shortened to fit
    title: str  # the behaviour in full (the label's tooltip)
    change: str  # "first → latest", or the one value; "" when there are no ratings
    points: tuple[Point, ...]
    line: str  # the polyline's points; "" with fewer than two ratings
    dates: tuple[DateLabel, ...]


@dataclass(frozen=True)
class AssessmentChart:
    """Everything the SVG shows, with the geometry every chart in it shares."""

    width: int
    height: int
    title: str
    empty: str  # what a chart without ratings says
    charts: tuple[Chart, ...]

    chart_w: ClassVar[int] = CHART_W
    left: ClassVar[int] = LEFT
    right: ClassVar[int] = LEFT + PLOT_W
    tick_x: ClassVar[int] = LEFT - 8
    date_y: ClassVar[int] = TOP + PLOT_H + 15
    middle: ClassVar[tuple[float, float]] = (LEFT + PLOT_W / 2, TOP + PLOT_H / 2)
    grid: ClassVar[tuple[tuple[int, float], ...]] = tuple((r, _y_of(r)) for r in range(LOW, HIGH + 1))  # lines across


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _date_labels(xs: Sequence[tuple[float, date]]) -> list[tuple[float, date]]:
    """The first and the last date, and those between that leave room for their neighbours."""
    if len(xs) <= 1:
        return list(xs)
    chosen = [xs[0]]
    for x, day in xs[1:-1]:
        if x - chosen[-1][0] >= MIN_LABEL_GAP and xs[-1][0] - x >= MIN_LABEL_GAP:
            chosen.append((x, day))
    return [*chosen, xs[-1]]


def _chart(n: int, label: str, points: Sequence[tuple[date, int]]) -> Chart:
    x0, y0 = (n % COLUMNS) * (CHART_W + GAP), (n // COLUMNS) * (CHART_H + GAP)
    shown = _short(" ".join(label.split()))
    ordered = sorted(points, key=lambda p: p[0])
    if not ordered:
        return Chart(x0, y0, shown, label, "", (), "", ())
    first, last = ordered[0][1], ordered[-1][1]
    change = f"{first} → {last}" if len(ordered) > 1 else str(last)
    d0, d1 = ordered[0][0], ordered[-1][0]
    span = (d1 - d0).days
    inner = PLOT_W - 16
    right = LEFT + PLOT_W

    def x_of(day: date) -> float:
        return LEFT + 8 + (inner / 2 if span == 0 else (day - d0).days / span * inner)

    drawn = []
    for day, rating in ordered:
        x, y = x_of(day), _y_of(rating)
        drawn.append(Point(x, y, rating, y - 7 if rating < HIGH else y + 14))
    line = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in drawn) if len(drawn) > 1 else ""
    dates = tuple(
        DateLabel(x, "start" if x - LEFT < 40 else "end" if right - x < 40 else "middle", day)
        for x, day in _date_labels([(x_of(d), d) for d in sorted({d for d, _ in ordered})])
    )
    return Chart(x0, y0, shown, label, change, tuple(drawn), line, dates)


def assessment_chart(series: Sequence[tuple[str, Sequence[tuple[date, int]]]], lang: str) -> AssessmentChart:
    """The charts for (label, [(date, rating 1–5)]) each, two to a row, titled in `lang`."""
    rows = max(1, -(-len(series) // COLUMNS))
    return AssessmentChart(
        width=COLUMNS * CHART_W + (COLUMNS - 1) * GAP,
        height=rows * CHART_H + (rows - 1) * GAP,
        title=tr("export.assessment", lang),
        empty=tr("export.chart_empty", lang),
        charts=tuple(_chart(n, label, points) for n, (label, points) in enumerate(series)),
    )


def assessment_svg(series: Sequence[tuple[str, Sequence[tuple[date, int]]]], lang: str) -> str:
    """One `<svg>` with a small line chart per behaviour: (label, [(date, rating 1–5)]) each.

    Meant to be inlined in an HTML page (so it declares no namespace URL): no scripts, no fonts or
    images from elsewhere, every label escaped. Nothing depends on colour alone: each point is
    drawn and labelled with its value, the first and latest value stand next to the behaviour, and
    the dates are written under the axis.
    """
    from course.render.pages import render

    return render("assessment.svg.j2", chart=assessment_chart(series, lang))
