"""A course's own UI catalogs: `<course>/i18n/<code>.toml`, Tillit's texts in a language Tillit has no
catalog of, so that a course in a new language needs no change to Tillit (see docs/authoring.md,
"Adding a language").

They are read like every other file of the course (link-free, bounded, parsed in the sandbox when the
course is not the built-in one) and checked against the reference catalog (course.i18n.catalogs): what
is wrong is a problem for `tillit check`, never a reason to refuse the course. Their texts are made
inert here, as every course text is, before course.i18n may show them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from course.content.sourcefile import Report, key_line, parse_toml, read_text
from course.content.terminal_text import visible
from course.i18n import catalogs

FOLDER = "i18n"
_LISTED = re.compile(r"^\s*languages\s*=\s*\[([^\]]*)\]", re.MULTILINE)
_MANIFEST_BYTES = 256 * 1024


def folder_languages(root: Path) -> tuple[str, ...]:
    """The languages `<root>/i18n/` has a catalog file of, sorted (the folder is listed, nothing read)."""
    try:
        names = os.listdir(root / FOLDER)
    except OSError:
        return ()
    return tuple(sorted(n[:-5] for n in names if n.endswith(".toml") and catalogs.CODE.fullmatch(n[:-5])))


def listed_languages(root: Path) -> tuple[str, ...]:
    """The languages course.toml lists, in its order, found without parsing it (for `--lang` before the
    course is read, so nothing of an untrusted course reaches a TOML parser here); () when not found."""
    try:
        with open(root / "lessons" / "course.toml", "rb") as manifest:
            text = manifest.read(_MANIFEST_BYTES).decode("utf-8", "replace")
    except OSError:
        return ()
    found = _LISTED.search(text)
    if found is None:
        return ()
    return tuple(dict.fromkeys(re.findall(r"[\"']([a-z]{2,3})[\"']", found.group(1))))


def lang_choices(root: Path) -> tuple[str, ...]:
    """The languages `--lang` takes for the course at `root`: those it lists (in its order), then every
    other language there is a catalog of (Tillit's own and the course's)."""
    rest = sorted({*catalogs.own_languages(), *folder_languages(root)})
    return tuple(dict.fromkeys([*listed_languages(root), *rest]))


def read_catalogs(root: Path, langs: Sequence[str], rep: Report, check: bool = True) -> dict[str, dict[str, str]]:
    """While the course at `root` is read: its own catalogs ({lang: texts}, inert), and (with `check`) in
    `rep` every problem with the catalogs its languages `langs` use (Tillit's own included) or it brings."""
    own = catalogs.own_languages()
    mpath = root / "lessons" / "course.toml"
    found: dict[str, dict[str, str]] = {}
    for lang in folder_languages(root):
        path = root / FOLDER / f"{lang}.toml"
        if lang in own:
            rep.add(
                path,
                1,
                f"Tillit has its own catalog in '{lang}', so this file is not used",
                "remove it: a course may add a language, not change Tillit's texts",
            )
            continue
        if lang not in langs:
            rep.add(
                path,
                1,
                f"the course does not list '{lang}' in lessons/course.toml, so this catalog is not used",
                f'add "{lang}" to languages in lessons/course.toml, or remove this file',
            )
            continue
        text = read_text(path, rep)
        data = parse_toml(text, path, rep) if text is not None else None
        if text is None or data is None:
            continue
        flat = catalogs.flatten(data)
        if check:
            rep.problems.extend(catalogs.problems(path, text, flat))
        found[lang] = {key: visible(value) for key, value in flat.items() if isinstance(value, str)}
    if check:
        rep.problems.extend(catalogs.own_problems(langs))
    for lang in langs:
        if lang not in own and lang not in found and not (root / FOLDER / f"{lang}.toml").exists():
            manifest = read_text(mpath, Report()) or ""
            rep.add(
                mpath,
                key_line(manifest, "languages"),
                f"there is no catalog of Tillit's texts in '{lang}'",
                f"write {FOLDER}/{lang}.toml in the course folder, a translation of {catalogs.FOLDER / (catalogs.REFERENCE + '.toml')} "
                '(docs/authoring.md, "Adding a language")',
            )
    return found


class Catalogs:
    """What reading a course finds of its UI catalogs: their texts, and (when `check`) their problems."""

    def __init__(self, check: bool) -> None:
        self.check = check
        self.texts: dict[str, dict[str, str]] = {}
        self.report = Report()

    def read(self, root: Path, langs: Sequence[str]) -> None:
        """While the course at `root`, written in `langs`, is being read (see read_catalogs)."""
        self.texts = read_catalogs(root, langs, self.report, self.check)

    def use(self, root: Path) -> None:
        """Let course.i18n show the course's own catalogs (once the course has been read)."""
        for lang, texts in self.texts.items():
            catalogs.add(lang, texts, root / FOLDER / f"{lang}.toml")
