"""What the room sees: a slide laid out for a projector (centred, a large title, options with a hanging indent),
the large countdown, and the words of the timer bar; shared by the presenting screen and the notes view.

The layout follows the size of the terminal: at a projector-readable font (80×24 to 100×28 cells) it is
compact, so a question with its options and the answer fits; from about 150×40 the title and the countdown
are drawn in large letters (course.tui.bigtext) and the slide fills the screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Size
from textual.screen import Screen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Digits, Markdown, Static
from textual.widgets.option_list import Option

from course.content.terminal_text import visible
from course.i18n import formats, known, tr
from course.trainer.plan import label as plan_label
from course.trainer.present import Clock, Deck, Presenter, Slide, clock_text, why_lines
from course.tui import bigtext
from course.tui.base import inert, localize_bindings

TICK = 0.25  # how often the countdown is redrawn
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
COMPACT_BELOW = 30  # rows: a projector-readable font; the slide packs tight
LARGE_FROM = (150, 40)  # columns and rows: a small font on a big screen; big title and countdown
CLOCK_SCALE = 2  # the large countdown's pixels, in cells
WIDE_FOOTER = 100  # columns from which the footer has room for every key


# --- words ---------------------------------------------------------------------------------------------


def _minutes(seconds: float) -> int:
    return round(abs(seconds) / 60)


def session_line(p: Presenter, lang: str, start: datetime | None = None) -> str:
    """`Session 42 min of 1 h 30 min · 3 min behind plan`, or what is planned and how to start it. Lengths
    are said in hours and minutes, times of day as clock times, so neither reads as the m:ss countdown."""
    total = formats.duration(p.deck.total_minutes, lang)
    if p.session_started is None:
        if start is not None:
            end = start + timedelta(minutes=p.deck.total_minutes)
            span = f"{formats.clock(start, lang)}–{formats.clock(end, lang)}"
            return tr("present.session.idle", lang, total=span)
        return tr("present.session.idle", lang, total=total)
    drift = p.drift()
    if abs(drift) < 60:
        pace = tr("present.pace.on", lang)
    elif drift > 0:
        pace = tr("present.pace.behind", lang, n=_minutes(drift))
    else:
        pace = tr("present.pace.ahead", lang, n=_minutes(drift))
    elapsed = formats.duration(int(p.elapsed() // 60), lang)
    return tr("present.session", lang, elapsed=elapsed, total=total, pace=pace)


def timer_label(p: Presenter, lang: str) -> str:
    """Words beside the countdown, so its state reads without colour."""
    c = p.countdown
    if c.expired:
        return tr("present.timer.over", lang) if c.remaining() < 0 else tr("present.timer.zero", lang)
    if c.last_minute:
        return tr("present.timer.last", lang)
    return tr("present.timer.running", lang) if c.running else tr("present.timer.paused", lang)


def slide_name(slide: Slide, lang: str) -> str:
    if slide.count:
        return f"{slide.title} {slide.number}/{slide.count}"
    return slide.title


def answer_lines(slide: Slide, lang: str) -> list[str]:
    """A question's options with which are right, each with its explanation (symbol and word, no colour):
    the trainer's answer key."""
    q = slide.question
    if q is None:
        return []
    out: list[str] = []
    choices = q.choices(tr("quiz.true", lang), tr("quiz.false", lang))
    for letter, option in zip(LETTERS, choices, strict=False):
        mark = "✓ " + tr("present.right", lang) if option.correct else "✗ " + tr("present.wrong", lang)
        out.append(f"{letter}  {mark}: {option.text}")
        if not q.shared_explanation and option.explain:
            out.append(f"   {option.explain}")
    if q.shared_explanation and q.explain:
        out.append(q.explain)
    return out


def notes_text(p: Presenter, lang: str) -> str:
    """What the trainer reads beside the slide: the notes, the answer key, what comes next."""
    seg = p.segment
    parts = [f"{seg.title}  ·  {seg.minutes} min"]
    parts.append(seg.notes.strip() or tr("present.notes.none", lang))
    if p.slide.question is not None:
        key = tr("present.notes.key_shown" if p.answer else "present.notes.key_hidden", lang)
        parts.append(key + "\n" + "\n".join(answer_lines(p.slide, lang)))
    if p.finished:
        parts.append(tr("present.notes.at_end", lang))
    elif p.index + 1 < len(p.deck.slides):
        nxt = p.deck.slides[p.index + 1]
        parts.append(tr("present.notes.next", lang, title=slide_name(nxt, lang)))
    else:
        parts.append(tr("present.notes.last", lang))
    return "\n\n".join(parts)


# How people write the keys Textual names ("full_stop" is "."), for the help.
KEY_NAMES = {
    "right": "→", "left": "←", "up": "↑", "down": "↓", "space": "space", "enter": "enter", "escape": "esc",
    "pagedown": "page down", "pageup": "page up", "backspace": "backspace", "home": "home", "end": "end",
    "full_stop": ".", "equals_sign": "=", "plus": "+", "minus": "-", "question_mark": "?", "comma": ",",
}  # fmt: skip


def key_names(keys: str) -> str:
    """A binding's keys as a person writes them: "b,full_stop" is "b, ."."""
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def help_text(bindings: Sequence[Binding | tuple[str, ...]], lang: str, closing: str) -> str:
    """Every key with a description, once, as people write them, then a closing paragraph."""
    lines = []
    seen: set[str] = set()
    for binding in bindings:
        assert isinstance(binding, Binding)
        if not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        keys = key_names(binding.key)
        shown = binding.key_display or keys.split(", ")[0]
        also = f"   ({keys})" if "," in binding.key else ""
        longer = binding.description + ".long"  # the footer's short label, said in full
        words = tr(longer if known(longer, lang) else binding.description, lang)
        lines.append(f"  {shown:<10} {words}{also}")
    lines.append("")
    lines.append(tr(closing, lang))
    return "\n".join(lines)


def back_at(p: Presenter, segment: int, start: datetime | None, now: datetime) -> datetime | None:
    """When the session goes on after the break that is segment `segment`: the countdown's end while it is
    the break being timed, else the plan's time when the plan starts at a set time; None when unknown."""
    if p.session_started is not None and p.timer_segment == segment:
        return now + timedelta(seconds=max(p.countdown.remaining(), 0))
    if start is not None:
        planned = p.deck.planned_start(segment) + p.deck.segments[segment].minutes
        return start + timedelta(minutes=planned)
    return None


def jump_options(deck: Deck, current: int, lang: str, start: datetime | None) -> list[Option]:
    """Every slide under its agenda item (with planned minutes, and clock times when the plan starts at one)."""
    options: list[Option] = []
    offset = 0
    for seg in deck.segments:
        when = formats.clock(start + timedelta(minutes=offset), lang) + "  " if start is not None else ""
        length = tr("format.minutes", lang, minutes=seg.minutes)
        options.append(Option(inert(f"{when}{seg.title}  ({length})"), disabled=True))
        for i in range(seg.first_slide, seg.first_slide + seg.slide_count):
            here = "▶ " if i == current else "  "
            options.append(Option(inert(f"  {here}{i + 1}. {slide_name(deck.slides[i], lang)}"), id=str(i)))
        offset += seg.minutes
    return options


# --- drawing -------------------------------------------------------------------------------------------


class _Lines(Visual):
    """A Visual drawn as lines worked out for the width it is given (the subclasses say how)."""

    def lines(self, width: int) -> list[Content]:
        raise NotImplementedError

    def _content(self, width: int) -> Content:
        return inert("\n").join(self.lines(max(width, 1)))

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._content(width).render_strips(width, height, style, options)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(max(width, 1)))


class Hanging(_Lines):
    """`head` then `body`, wrapped so every further line starts under the body: "A  Teachers take …" with
    its second line under "Teachers", not under "A"."""

    def __init__(self, head: Content, body: Content) -> None:
        self.head = head
        self.body = body

    def __str__(self) -> str:
        return self.head.plain + self.body.plain

    def lines(self, width: int) -> list[Content]:
        indent = self.head.cell_length if self.head.cell_length < width // 2 else 0
        wrapped = self.body.wrap(max(width - indent, 1)) or [inert("")]
        pad = inert(" " * indent)
        return [self.head + wrapped[0], *(pad + line for line in wrapped[1:])]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return min(self.head.cell_length + self.body.cell_length, container_width)


class Banner(_Lines):
    """A title in large letters when they fit the width and the font has every character, else as it is."""

    def __init__(self, text: Content, big: bool) -> None:
        self.text = text
        self.big = big

    def __str__(self) -> str:
        return self.text.plain

    def big_lines(self, width: int) -> list[str] | None:
        if not self.big:
            return None
        words = bigtext.wrap(self.text.plain, width)
        return bigtext.block(words) if words and len(words) <= 3 else None

    def lines(self, width: int) -> list[Content]:
        drawn = self.big_lines(width)
        if drawn is None:
            return self.text.wrap(width)
        return [inert(line) for line in drawn]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        drawn = self.big_lines(container_width)
        return max(len(x) for x in drawn) if drawn else self.text.cell_length


class HangingLine(Static):
    """An option (or any line with a label in front) whose wrapped lines keep their hanging indent. Its
    content, as tests and copying read it, is the head and the body as one text."""

    def __init__(self, head: str, body: str, classes: str = "") -> None:
        self.head, self.body = inert(head), inert(body)
        super().__init__(self.head + self.body, classes=classes)

    def render(self) -> Visual:
        return Hanging(self.head, self.body)


class Title(Static):
    """A slide's title: a banner, in large letters on a large screen."""

    def __init__(self, text: str, classes: str = "") -> None:
        self.text = inert(text)
        super().__init__(self.text, classes=classes)

    def render(self) -> Visual:
        return Banner(self.text, self.screen.has_class("-large"))


class Countdown(Digits):
    """The countdown: Textual's digits, or large letters on a large screen."""

    def _big(self) -> list[str]:
        if not self.screen.has_class("-large"):
            return []
        return bigtext.render(self.value.replace("-", "–"), CLOCK_SCALE, accents=False)

    def render(self) -> Any:
        drawn = self._big()
        if not drawn:
            return super().render()
        return inert("\n").join(inert(line) for line in drawn)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        drawn = self._big()
        return max(len(x) for x in drawn) if drawn else super().get_content_width(container, viewport)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        drawn = self._big()
        return len(drawn) if drawn else super().get_content_height(container, viewport, width)


ROOM_CSS = """
DeckView #present-bar { height: auto; min-height: 3; }
DeckView #present-where { height: auto; }
DeckView #room { width: 1fr; height: 1fr; align: center middle; padding: 0 2; }
DeckView #room-body { width: 100%; height: auto; max-height: 1fr; padding: 0 2;
  scrollbar-size-vertical: 0; }
DeckView #room-body > *, DeckView .room-options > *, DeckView .room-why > * { width: 100%; }
DeckView .slide-title { width: 100%; text-align: center; text-style: bold; color: $text; background: $accent 40%;
  padding: 1 2; margin: 0 0 1 0; }
DeckView .room-question { text-style: bold; margin-bottom: 1; }
DeckView .room-options { height: auto; }
DeckView .room-option { margin-bottom: 1; }
DeckView .room-option.right { color: $text-success; text-style: bold; }
DeckView .room-option.wrong { color: $text-muted; }
DeckView .room-explain { padding-left: 3; margin-bottom: 1; }
DeckView .room-why { text-style: italic; height: auto; }
DeckView .room-card { border: round $accent; padding: 1 3; text-style: bold; }
DeckView .room-kind { text-style: italic; text-align: center; margin-bottom: 1; }
DeckView .room-back { text-align: center; text-style: bold; margin-top: 1; }
DeckView .room-end { text-align: center; color: $text-muted; margin-top: 1; }
DeckView .room-subtitle { text-align: center; text-style: bold; }
DeckView.-compact #room { padding: 0 1; }
DeckView.-compact #room-body { padding: 0 1; }
DeckView.-compact .slide-title { padding: 0 2; margin: 0; }
DeckView.-compact .room-question { margin: 0 0 1 0; }
DeckView.-compact .room-option { margin-bottom: 0; }
DeckView.-compact .room-explain { margin-bottom: 0; }
DeckView.-compact .room-why { margin-top: 1; }
DeckView.-compact .room-card { padding: 0 2; }
DeckView.-large #room { padding: 1 6; }
DeckView.-large .slide-title { padding: 1 4; margin-bottom: 2; }
DeckView.-large #room-body { padding: 0 4; }
DeckView.-large .room-card { padding: 2 4; }
DeckView.-large .room-question { margin-bottom: 2; }
DeckView.-large #timer-label { padding: 2 2 0 0; }
"""


class DeckView(Screen[None]):
    """What the presenting screen and the notes view share: the timer bar, the room's size, a slide's widgets."""

    CSS = ROOM_CSS
    SCOPED_CSS = False  # the rules name DeckView themselves: they follow the screen's size classes
    WIDE_ONLY: tuple[str, ...] = ()  # actions the footer shows only from WIDE_FOOTER columns

    def __init__(self, deck: Deck, lang: str, clock: Clock) -> None:
        super().__init__()
        self.deck = deck
        self.lang = lang
        self.presenter = Presenter(deck, clock)
        self.start: datetime | None = None

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def compose_bar(self) -> ComposeResult:
        from textual.containers import Horizontal, Vertical

        with Horizontal(id="present-bar"):
            with Vertical(id="present-where"):
                yield Static(id="present-segment")
                yield Static(id="present-session")
            yield Static(id="timer-label")
            yield Countdown("0:00", id="timer")

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self.fit_room(self.size.width, self.size.height)
        self.refresh_bindings()
        self.set_interval(TICK, self.tick)

    def on_resize(self) -> None:
        if self.fit_room(self.size.width, self.size.height):
            self.refresh_bindings()
            self.refresh(layout=True)
            for widget in self.query(Title):
                widget.refresh(layout=True)
            self.query_one("#timer", Countdown).refresh(layout=True)

    def fit_room(self, width: int, height: int) -> bool:
        """The layout for a terminal this big; True when it changed. Below WIDE_FOOTER columns the footer
        leaves out the keys in WIDE_ONLY (f1's help lists them), so f1 and esc always show."""
        compact, large = height < COMPACT_BELOW, width >= LARGE_FROM[0] and height >= LARGE_FROM[1]
        changed = compact != self.has_class("-compact") or large != self.has_class("-large")
        self.set_class(compact, "-compact")
        self.set_class(large, "-large")
        wide = width >= WIDE_FOOTER
        for bindings in self._bindings.key_to_bindings.values():
            for n, binding in enumerate(bindings):
                if binding.action in self.WIDE_ONLY and binding.show != wide:
                    bindings[n] = replace(binding, show=wide)
                    changed = True
        return changed

    def tick(self) -> None:
        self.show_timer()

    def show_timer(self) -> None:
        p = self.presenter
        c = p.countdown
        timer = self.query_one("#timer", Countdown)
        timer.update(clock_text(c.remaining()))
        timer.set_class(c.last_minute, "last-minute")
        timer.set_class(c.expired, "overtime")
        timer.set_class(not c.running, "paused")
        self.query_one("#timer-label", Static).update(inert(timer_label(p, self.lang)))
        self.query_one("#present-session", Static).update(inert(session_line(p, self.lang, self.start)))

    def show_place(self) -> None:
        p = self.presenter
        seg = p.segment
        where = f"{seg.title}  ·  {p.index + 1}/{len(self.deck.slides)}"
        self.query_one("#present-segment", Static).update(inert(where))
        self.show_timer()

    # --- the room's slide ------------------------------------------------------------------------------

    def title_widget(self) -> Title:
        p = self.presenter
        if p.finished:
            return Title(self.t("present.end.title"), classes="slide-title")
        name = slide_name(p.slide, self.lang)
        if p.slide.question is not None and p.slide.question.several:
            name = f"{name} · {self.t('quiz.kind.multiple')}"
        return Title(name, classes="slide-title")

    def slide_widgets(self) -> list[Any]:
        """The body of the slide as far as it is revealed (the title is title_widget)."""
        p = self.presenter
        slide, steps = p.slide, p.visible_steps
        if p.finished:
            return [
                Static(inert(self.deck.title), classes="room-subtitle"),
                Static(inert(self.t("present.end.keys")), classes="room-end"),
            ]
        if slide.kind == "discussion":
            return [Static(inert(steps[0] if steps else ""), classes="room-card")]
        if slide.question is not None:
            return self.question_widgets(slide)
        if slide.kind == "activity":
            return self.activity_widgets(slide, steps)
        if steps:
            return [Markdown(visible("\n\n".join(steps)), classes="slide-body")]
        return []

    def question_widgets(self, slide: Slide) -> list[Any]:
        from textual.containers import Vertical

        p = self.presenter
        q = slide.question
        assert q is not None
        true, false = self.t("quiz.true"), self.t("quiz.false")
        options: list[Any] = []
        for letter, option in zip(LETTERS, q.choices(true, false), strict=False):
            if not p.answer:
                options.append(HangingLine(f"{letter}  ", option.text, classes="room-option"))
                continue
            mark = f"✓ {self.t('present.right')}" if option.correct else f"✗ {self.t('present.wrong')}"
            kind = "right" if option.correct else "wrong"
            options.append(HangingLine(f"{letter}  ", f"{mark}: {option.text}", classes=f"room-option {kind}"))
            if p.explained and option.explain and not q.shared_explanation:
                options.append(Static(inert(option.explain), classes="room-explain"))
        widgets: list[Any] = [Static(inert(q.text), classes="room-question"), Vertical(*options, classes="room-options")]
        if p.explained and q.shared_explanation and q.explain:
            widgets.append(Static(inert(q.explain), classes="room-why"))
        elif p.answer and not p.explained:
            why = [HangingLine(self.t("present.why") + " ", line) for line in why_lines(q, true, false)]
            widgets.append(Vertical(*why, classes="room-why"))
        return widgets

    def activity_widgets(self, slide: Slide, steps: tuple[str, ...]) -> list[Any]:
        seg = self.deck.segments[slide.segment]
        kind = seg.kind if seg.kind in ("break", "exercise") else "exercise"
        widgets: list[Any] = []
        named = plan_label(kind, self.lang)
        if named.casefold() != slide.title.casefold():
            widgets.append(Static(inert(named), classes="room-kind"))
        if steps:
            widgets.append(Static(inert(steps[0]), classes="room-card"))
        if kind == "break":
            back = back_at(self.presenter, slide.segment, self.start, datetime.now())
            if back is not None:
                when = self.t("present.back_at", time=formats.clock(back, self.lang))
                widgets.append(Static(inert(when), classes="room-back"))
        return widgets
