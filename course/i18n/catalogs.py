"""The UI catalogs: one TOML file per language, found at start-up, each read once when it is first needed.

Tillit's own catalogs are the `<code>.toml` files next to this module (`sv.toml`, `en.toml`, …): a file
there is a language Tillit speaks. A course may bring a catalog for a language Tillit does not have in
its own `i18n/<code>.toml` (course.content.catalogs reads and checks it, as untrusted as the rest of the
course, and hands it over with `add`). `en.toml` is the reference: every catalog must have exactly its
keys, with the same `{placeholders}` in each text (`problems` says what differs; `tillit check` and the
tests report it). At run time a text a catalog lacks, or has with other placeholders, is shown from the
reference instead, so a learner's session never stops over a catalog.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from course.errors import Problem

REFERENCE = "en"  # the catalog every other is checked against; also the language of Tillit's own error sentences
FOLDER = Path(__file__).resolve().parent
NAMES = "language.names."  # optional keys: other languages' names in this one (language.names.<code>)
CODE = re.compile(r"[a-z]{2,3}")
MAX_LISTED = 12  # missing keys named in one problem, at most

_own: tuple[str, ...] | None = None  # the languages Tillit has a catalog of (file names, not yet read)
_read: dict[str, dict[str, str]] = {}  # catalogs read so far
_added: dict[str, tuple[dict[str, str], Path]] = {}  # catalogs a course brought, and their files


def own_languages() -> tuple[str, ...]:
    """The languages Tillit has a catalog of, sorted (one directory listing, cached)."""
    global _own
    if _own is None:
        try:
            names = [p.stem for p in FOLDER.iterdir() if p.suffix == ".toml" and CODE.fullmatch(p.stem)]
        except OSError:
            names = []
        _own = tuple(sorted(names))
    return _own


def languages() -> tuple[str, ...]:
    """Every language there is a catalog of: Tillit's own, then those a course brought."""
    return own_languages() + tuple(lang for lang in _added if lang not in own_languages())


def path_of(lang: str) -> Path:
    """The file `lang`'s catalog comes from (Tillit's own folder unless a course brought it)."""
    if lang in _added and lang not in own_languages():
        return _added[lang][1]
    return FOLDER / f"{lang}.toml"


def flatten(data: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """A parsed catalog as {key: value}: `"a.b" = …` and `a.b = …` (or `[a]` then `b = …`) are the same key."""
    out: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def parse(text: str) -> dict[str, object]:
    """A catalog's text as {key: value} (tomllib.TOMLDecodeError when it is not TOML)."""
    return flatten(tomllib.loads(text))


def _read_own(lang: str) -> dict[str, str]:
    try:
        data = parse((FOLDER / f"{lang}.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # `tillit check` says why; every text of the language comes from the reference meanwhile
    return {key: value for key, value in data.items() if isinstance(value, str)}


def catalog(lang: str) -> Mapping[str, str]:
    """`lang`'s texts ({} for a language there is no catalog of), read on first use."""
    found = _read.get(lang)
    if found is None:
        if lang in own_languages():
            found = _read_own(lang)
        elif lang in _added:
            found = _added[lang][0]
        else:
            return {}
        _read[lang] = found
    return found


_NAME_LINE = re.compile(r'^"language\.name"\s*=\s*"([^"\\]*)"\s*$', re.MULTILINE)


def own_name(lang: str) -> str | None:
    """A language's own name ("Svenska"), without reading its whole catalog when that is not needed yet:
    the F2 key names the next language at start-up, and parsing a catalog only for that would cost a
    few milliseconds. A name written any other way than `"language.name" = "…"` is read from the parse."""
    if lang in _read or lang not in own_languages():
        return catalog(lang).get("language.name")
    try:
        with open(FOLDER / f"{lang}.toml", encoding="utf-8") as file:
            found = _NAME_LINE.search(file.read(4096))
    except (OSError, UnicodeDecodeError):
        found = None
    return found.group(1) if found else catalog(lang).get("language.name")


def add(lang: str, texts: Mapping[str, str], path: Path) -> None:
    """A catalog a course brought (already read and made inert by course.content.catalogs). Only its texts
    that the reference has, with the same placeholders, are kept; a language Tillit has is not replaced."""
    if lang in own_languages():
        return
    reference = catalog(REFERENCE)
    kept = {
        key: text
        for key, text in texts.items()
        if (key in reference and fields(text) == fields(reference[key])) or (key.startswith(NAMES) and not fields(text))
    }
    _added[lang] = (kept, path)
    _read.pop(lang, None)


def fields(text: str) -> frozenset[str] | None:
    """The `{placeholders}` in a text, as written ({n}, {n:>3}, …); None when its braces do not pair up."""
    try:
        found = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None
    return frozenset(
        "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}" for name, spec, conv in found
    )


def _shown(items: Iterable[str]) -> str:
    return ", ".join(sorted(items)) or "none"


def _line(text: str, key: str) -> int:
    """The line where `key` is written in a catalog's text (quoted or bare, flat); 1 when not found."""
    pattern = re.compile(rf"^\s*(\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*=")
    for n, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return n
    return 1


def problems(
    path: Path, text: str, data: Mapping[str, object] | None = None, reference: Mapping[str, str] | None = None
) -> list[Problem]:
    """Everything wrong with the catalog in `text` (read from `path`; `data`: it parsed and flattened, when
    that was done elsewhere), compared with the reference: keys missing or unknown, values that are not
    text, placeholders that differ; [] when it is complete."""
    reference = catalog(REFERENCE) if reference is None else reference
    ref_file = FOLDER / f"{REFERENCE}.toml"
    if data is None:
        try:
            data = parse(text)
        except tomllib.TOMLDecodeError as err:
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(err))) else 1
            message = str(err).split(" (at line")[0]
            return [Problem(path, line, f"TOML syntax error: {message}", "fix the TOML syntax on this line")]
    found: list[Problem] = []
    missing = [key for key in reference if key not in data and not key.startswith(NAMES)]
    if missing:
        listed = ", ".join(missing[:MAX_LISTED]) + (
            f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
        )
        noun = "key is" if len(missing) == 1 else "keys are"
        found.append(
            Problem(
                path,
                1,
                f"{len(missing)} {noun} missing from the catalog: {listed}",
                f"add {'it' if len(missing) == 1 else 'them'}, translated; {ref_file} has every key",
            )
        )
    for key, value in data.items():
        line = _line(text, key)
        if key.startswith(NAMES):
            code = key[len(NAMES) :]
            if not CODE.fullmatch(code) or not isinstance(value, str) or not value.strip() or fields(value):
                found.append(
                    Problem(
                        path,
                        line,
                        f"'{key}' should be a language's name, for a language code",
                        f'write "{NAMES}fi" = "…"',
                    )
                )
            continue
        if key not in reference:
            import difflib

            close = difflib.get_close_matches(key, list(reference), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            found.append(
                Problem(path, line, f"'{key}' is not a key Tillit knows{hint}", "correct its name, or remove it")
            )
        elif not isinstance(value, str):
            found.append(Problem(path, line, f"'{key}' should be text", f'write "{key}" = "…"'))
        elif key == "format.months" and len(value.split()) != 12:
            found.append(
                Problem(
                    path,
                    line,
                    "'format.months' should name twelve months",
                    "write the twelve names, January first, with a space between",
                )
            )
        elif key == "format.plural.one" and not all(word.isdigit() for word in value.split()):
            found.append(
                Problem(
                    path,
                    line,
                    "'format.plural.one' should list numbers",
                    'write the numbers that take the .one form, e.g. "1" or "0 1"',
                )
            )
        elif (have := fields(value)) is None or have != fields(reference[key]):
            uses = "braces that do not pair up" if have is None else _shown(have)
            found.append(
                Problem(
                    path,
                    line,
                    f"'{key}' should have the placeholders {_shown(fields(reference[key]) or ())}, not {uses}",
                    f"keep every {{…}} exactly as in {ref_file.name}: translate only the words around them",
                )
            )
    return found


def own_problems(langs: Iterable[str] | None = None) -> list[Problem]:
    """Every problem in Tillit's own catalogs of `langs` (default: all of them; the reference included, where
    a text whose braces do not pair up is a problem too)."""
    found: list[Problem] = []
    for lang in own_languages() if langs is None else [x for x in langs if x in own_languages()]:
        path = FOLDER / f"{lang}.toml"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            found.append(Problem(path, 1, f"the catalog cannot be read ({err})", "reinstall Tillit"))
            continue
        found.extend(problems(path, text))
    return found


def forget() -> None:
    """Drop every catalog read or added so far (for tests: the next use reads the files again)."""
    global _own
    _own = None
    _read.clear()
    _added.clear()


def tr(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` with `values` filled in; from the reference when `lang`'s catalog lacks
    it or cannot be filled in (tests and `tillit check` report that catalog). A key the reference does not
    have is a mistake in Tillit: KeyError (unless the reference itself could not be read)."""
    text = catalog(lang).get(key)
    if text is None:
        reference = catalog(REFERENCE)
        text = reference[key] if reference else key
    if not values:
        return text
    for candidate in (text, catalog(REFERENCE).get(key, text)):
        try:
            return candidate.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            continue  # tests and `tillit check` report the text; the learner gets the reference's, or this one
    return text
