"""The self-assessment over time as inline SVG: one small line chart per behaviour, readable in print."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from course.i18n import tr
from course.learner.journal_query import visible

COLUMNS = 2
CHART_W, CHART_H = 340, 150  # one chart, title included
GAP = 20
LEFT, RIGHT, TOP, BOTTOM = 26, 14, 34, 22  # the plot area's margins inside a chart
LOW, HIGH = 1, 5
MAX_LABEL = 38  # characters of a behaviour name that fit beside the first → latest value
MIN_LABEL_GAP = 92  # px between two date labels on the x axis (a centred one and an end-aligned one)


def _text(value: object) -> str:
    """A label as SVG text: on one line, control characters made visible, escaped."""
    return escape(" ".join(visible(str(value)).split()), quote=True)


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


def _chart(label: str, points: Sequence[tuple[date, int]], lang: str) -> list[str]:
    plot_w = CHART_W - LEFT - RIGHT
    plot_h = CHART_H - TOP - BOTTOM
    bottom = TOP + plot_h
    right = LEFT + plot_w

    def y_of(rating: int) -> float:
        return bottom - (min(max(rating, LOW), HIGH) - LOW) / (HIGH - LOW) * plot_h

    shown = _short(" ".join(label.split()))
    out = [f'<text class="ch-label" x="0" y="14">{_text(shown)}<title>{_text(label)}</title></text>']
    ordered = sorted(points, key=lambda p: p[0])
    if ordered:
        first, last = ordered[0][1], ordered[-1][1]
        change = f"{first} → {last}" if len(ordered) > 1 else str(last)
        out.append(f'<text class="ch-change" x="{CHART_W}" y="14" text-anchor="end">{_text(change)}</text>')
    for rating in range(LOW, HIGH + 1):
        y = y_of(rating)
        out.append(f'<line class="ch-grid" x1="{LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}"/>')
        out.append(f'<text class="ch-tick" x="{LEFT - 8}" y="{y + 3.5:.1f}" text-anchor="end">{rating}</text>')
    if not ordered:
        out.append(
            f'<text class="ch-empty" x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle">'
            f"{_text(tr('export.chart_empty', lang))}</text>"
        )
        return out
    d0, d1 = ordered[0][0], ordered[-1][0]
    span = (d1 - d0).days
    inner = plot_w - 16

    def x_of(day: date) -> float:
        return LEFT + 8 + (inner / 2 if span == 0 else (day - d0).days / span * inner)

    xy = [(x_of(d), y_of(r), r) for d, r in ordered]
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in xy)
        out.append(f'<polyline class="ch-line" points="{path}"/>')
    for x, y, rating in xy:
        out.append(f'<circle class="ch-point" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>')
        above = y - 7 if rating < HIGH else y + 14
        out.append(f'<text class="ch-value" x="{x:.1f}" y="{above:.1f}" text-anchor="middle">{rating}</text>')
    days = sorted({d for d, _ in ordered})
    for x, day in _date_labels([(x_of(d), d) for d in days]):
        anchor = "start" if x - LEFT < 40 else "end" if right - x < 40 else "middle"
        out.append(
            f'<text class="ch-date" x="{x:.1f}" y="{bottom + 15}" text-anchor="{anchor}">{day.isoformat()}</text>'
        )
    return out


STYLE = (  # scoped to the chart: inline in a page, an SVG <style> applies to the whole page
    ".assessment text{font-family:system-ui,sans-serif;font-size:10px;fill:#000}"
    ".assessment .ch-label{font-size:12px;font-weight:bold}.assessment .ch-change{font-size:11px}"
    ".assessment .ch-grid{stroke:#bbb;stroke-width:0.5;stroke-dasharray:2 2}"
    ".assessment .ch-line{fill:none;stroke:#000;stroke-width:1.5}"
    ".assessment .ch-point{fill:#fff;stroke:#000;stroke-width:1.5}"
    ".assessment .ch-value{font-weight:bold}.assessment .ch-empty{font-style:italic;fill:#444}"
)


def assessment_svg(series: Sequence[tuple[str, Sequence[tuple[date, int]]]], lang: str) -> str:
    """One `<svg>` with a small line chart per behaviour: (label, [(date, rating 1–5)]) each.

    Meant to be inlined in an HTML page (so it declares no namespace URL): no scripts, no fonts or
    images from elsewhere, every label escaped. Nothing depends on colour alone: each point is
    drawn and labelled with its value, the first and latest value stand next to the behaviour, and
    the dates are written under the axis.
    """
    rows = max(1, -(-len(series) // COLUMNS))
    width = COLUMNS * CHART_W + (COLUMNS - 1) * GAP
    height = rows * CHART_H + (rows - 1) * GAP
    title = _text(tr("export.assessment", lang))
    parts = [
        f'<svg class="assessment" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{title}">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style>",
    ]
    for n, (label, points) in enumerate(series):
        x = (n % COLUMNS) * (CHART_W + GAP)
        y = (n // COLUMNS) * (CHART_H + GAP)
        parts.append(f'<g transform="translate({x},{y})">')
        parts.extend(_chart(label, points, lang))
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
