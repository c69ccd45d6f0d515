"""Every text Tillit shows, in each language it has a catalog of (`sv.toml`, `en.toml`, … in this folder).

`tr(key, lang, **values)` is the one way to a text; `course.i18n.formats` writes numbers, times and dates
as each language does; `course.i18n.catalogs` finds, reads and checks the catalogs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from course.i18n.catalogs import NAMES, REFERENCE, catalog, languages, own_languages, own_name, tr

__all__ = [
    "REFERENCE",
    "STRINGS",
    "Section",
    "describe",
    "describe_failure",
    "has",
    "known",
    "language_name",
    "languages",
    "next_language",
    "tr",
]


class _Strings(Mapping[str, Mapping[str, str]]):
    """Tillit's own catalogs as one table, {key: {lang: text}} (read when first looked into)."""

    def __getitem__(self, key: str) -> Mapping[str, str]:
        if not has(key):
            raise KeyError(key)
        return {lang: text for lang in own_languages() if (text := catalog(lang).get(key)) is not None}

    def __iter__(self) -> Iterator[str]:
        return (key for key in catalog(REFERENCE) if not key.startswith(NAMES))

    def __len__(self) -> int:
        return sum(1 for _key in self)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and has(key)


STRINGS: Mapping[str, Mapping[str, str]] = _Strings()


class Section(Mapping[str, Mapping[str, str]]):
    """One part of the catalogs as {lang: {name: text}}: the keys under `prefix` with the prefix taken off,
    and `aliases` ({name: key}) shown under a name of their own. Any language may be looked up; each text
    its catalog lacks is the reference's (course.i18n.tr)."""

    def __init__(self, prefix: str, aliases: Mapping[str, str] | None = None) -> None:
        self.prefix = prefix
        self.aliases = dict(aliases or {})

    def __getitem__(self, lang: str) -> Mapping[str, str]:
        names = {key[len(self.prefix) :]: key for key in catalog(REFERENCE) if key.startswith(self.prefix)}
        return {name: tr(key, lang) for name, key in {**names, **self.aliases}.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())


def has(key: str) -> bool:
    """True when `key` is one of Tillit's texts (the reference catalog has it)."""
    return key in catalog(REFERENCE) and not key.startswith(NAMES)


def known(key: str, lang: str) -> bool:
    """True when `key` is one of Tillit's texts; looked up in `lang`'s catalog first, so that a text
    that is not a key at all ("Quit") never has the reference read just to say no."""
    return "." in key and " " not in key and (key in catalog(lang) or has(key))


def language_name(lang: str, in_lang: str | None = None) -> str:
    """A language's name: its own ("Svenska"), or as `in_lang` calls it ("Swedish") when that catalog says;
    the code itself for a language there is no catalog of."""
    own = own_name(lang) or lang
    return own if in_lang is None else catalog(in_lang).get(NAMES + lang) or own


def next_language(lang: str, langs: Sequence[str]) -> str:
    """The language after `lang` in `langs`, round to the first again (F2's cycle)."""
    if not langs:
        return lang
    return langs[(langs.index(lang) + 1) % len(langs)] if lang in langs else langs[0]


def describe_failure(action: str, path: object, reason: str, advice: str, lang: str) -> str:
    """'Could not save FILE: REASON; WHAT TO DO.' in `lang` (action: save, read or folder)."""
    return tr(f"error.{action}", lang, path=path, reason=reason, advice=tr(f"advice.{advice or 'generic'}", lang))


def describe(err: Exception, lang: str) -> str:
    """An error as one sentence in `lang` when its parts are known, else its own (English) sentence."""
    sentence = getattr(err, "sentence", None)
    if callable(sentence):
        return str(sentence(lang))
    action = getattr(err, "action", "")
    if action and has(f"error.{action}"):
        return describe_failure(
            action, getattr(err, "path", ""), getattr(err, "reason", ""), getattr(err, "advice", ""), lang
        )
    return str(err)
