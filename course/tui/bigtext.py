"""Large letters for a projector: a small pixel font drawn with half-block characters, for slide titles and
the countdown when the terminal is big enough (at a small font, 200 columns and more).

Each glyph is 5 pixels high under one row for an accent (Å, Ä, Ö, Ü, É); two pixel rows make one line of
text, so a line of big text is three terminal rows (scaled up for the countdown). A text with a character
the font lacks is not drawn big at all: the caller shows it as ordinary text.
"""

from __future__ import annotations

from collections.abc import Sequence

# One string per glyph: its six pixel rows, top (the accent row) first, separated by "/"; "#" is lit.
_GLYPHS: dict[str, str] = {
    "A": "...../.###./#...#/#####/#...#/#...#",
    "B": "...../####./#...#/####./#...#/####.",
    "C": "...../.####/#..../#..../#..../.####",
    "D": "...../####./#...#/#...#/#...#/####.",
    "E": "...../#####/#..../####./#..../#####",
    "F": "...../#####/#..../####./#..../#....",
    "G": "...../.####/#..../#..##/#...#/.###.",
    "H": "...../#...#/#...#/#####/#...#/#...#",
    "I": ".../###/.#./.#./.#./###",
    "J": "...../....#/....#/....#/#...#/.###.",
    "K": "...../#...#/#..#./###../#..#./#...#",
    "L": "...../#..../#..../#..../#..../#####",
    "M": "...../#...#/##.##/#.#.#/#...#/#...#",
    "N": "...../#...#/##..#/#.#.#/#..##/#...#",
    "O": "...../.###./#...#/#...#/#...#/.###.",
    "P": "...../####./#...#/####./#..../#....",
    "Q": "...../.###./#...#/#.#.#/#..#./.##.#",
    "R": "...../####./#...#/####./#..#./#...#",
    "S": "...../.####/#..../.###./....#/####.",
    "T": "...../#####/..#../..#../..#../..#..",
    "U": "...../#...#/#...#/#...#/#...#/.###.",
    "V": "...../#...#/#...#/#...#/.#.#./..#..",
    "W": "...../#...#/#...#/#.#.#/##.##/#...#",
    "X": "...../#...#/.#.#./..#../.#.#./#...#",
    "Y": "...../#...#/.#.#./..#../..#../..#..",
    "Z": "...../#####/...#./..#../.#.../#####",
    "Å": "..#../.###./#...#/#####/#...#/#...#",
    "Ä": ".#.#./.###./#...#/#####/#...#/#...#",
    "Ö": ".#.#./.###./#...#/#...#/#...#/.###.",
    "Ü": ".#.#./#...#/#...#/#...#/#...#/.###.",
    "É": "...#./#####/#..../####./#..../#####",
    "0": "...../.###./#..##/#.#.#/##..#/.###.",
    "1": "...../..#../.##../..#../..#../.###.",
    "2": "...../.###./#...#/..##./.#.../#####",
    "3": "...../####./....#/.###./....#/####.",
    "4": "...../#..#./#..#./#####/...#./...#.",
    "5": "...../#####/#..../####./....#/####.",
    "6": "...../.###./#..../####./#...#/.###.",
    "7": "...../#####/...#./..#../.#.../.#...",
    "8": "...../.###./#...#/.###./#...#/.###.",
    "9": "...../.###./#...#/.####/....#/.###.",
    " ": ".../.../.../.../.../...",
    ":": "./././#/./#",
    ".": "./././././#",
    ",": "../../../../.#/#.",
    "!": "./#/#/#/./#",
    "?": "...../.###./#...#/..##./...../..#..",
    "'": "./#/#/././.",
    "’": "./#/#/././.",
    "-": ".../.../.../###/.../...",
    "–": "..../..../..../####/..../....",
    "—": "...../...../...../#####/...../.....",
    "/": "...../....#/...#./..#../.#.../#....",
    "+": "...../...../..#../.###./..#../.....",
}
_ROWS = 6
_HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def _glyph(char: str) -> list[str] | None:
    pattern = _GLYPHS.get(char.upper())
    return pattern.split("/") if pattern is not None else None


def drawable(text: str) -> bool:
    """True when the font has every character of `text` (letters in either case)."""
    return all(_glyph(c) is not None for c in text)


def width(text: str, scale: int = 1) -> int:
    """How many columns `text` takes drawn big (one blank column between characters)."""
    glyphs = [_glyph(c) for c in text]
    if not glyphs or any(g is None for g in glyphs):
        return 0
    return scale * (sum(len(g[0]) for g in glyphs if g is not None) + len(glyphs) - 1)


def _pixels(text: str, scale: int, accents: bool) -> list[list[bool]]:
    glyphs = [g for g in (_glyph(c) for c in text) if g is not None]
    rows = range(0 if accents else 1, _ROWS)
    out: list[list[bool]] = []
    for r in rows:
        line: list[bool] = []
        for n, g in enumerate(glyphs):
            if n:
                line += [False] * scale
            for cell in g[r]:
                line += [cell == "#"] * scale
        out += [list(line) for _ in range(scale)]
    return out


def render(text: str, scale: int = 1, accents: bool = True) -> list[str]:
    """`text` in big letters, as terminal lines (two pixel rows each); [] when the font lacks a character.
    `accents=False` leaves out the accent row (digits need none)."""
    if not text or not drawable(text):
        return []
    pixels = _pixels(text, scale, accents)
    if len(pixels) % 2:
        pixels.append([False] * len(pixels[0]))
    return [
        "".join(_HALF[(top, bottom)] for top, bottom in zip(pixels[y], pixels[y + 1], strict=True))
        for y in range(0, len(pixels), 2)
    ]


def wrap(text: str, columns: int, scale: int = 1) -> list[str] | None:
    """`text` broken between words into lines that each fit `columns` when drawn big; None when a word is
    too wide on its own or the font lacks a character."""
    if not drawable(text):
        return None
    lines: list[str] = []
    for word in text.split():
        if width(word, scale) > columns:
            return None
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and width(joined, scale) <= columns:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


def block(lines: Sequence[str], scale: int = 1) -> list[str]:
    """Several lines of big text, one under the other with a blank row between them."""
    out: list[str] = []
    for n, line in enumerate(lines):
        if n:
            out.append("")
        out += render(line, scale)
    return out
