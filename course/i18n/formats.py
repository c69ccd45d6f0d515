"""Numbers, percentages, lengths of time, dates and plurals as each language writes them: the one place
they are formatted, from the `format.*` texts of the catalogs (course.i18n.catalogs)."""

from __future__ import annotations

from datetime import date, datetime, time

from course.i18n.catalogs import REFERENCE, tr

MINUS = "\u2212"  # a true minus sign, in every language


def number(value: float, lang: str, places: int = 1) -> str:
    """A decimal number with `places` decimals: 3,4 in Swedish, 3.4 in English; a true minus sign."""
    text = f"{value:.{places}f}".replace("-", MINUS)
    separator = tr("format.decimal", lang)
    return text if separator == "." else text.replace(".", separator)


def signed(value: float, lang: str) -> str:
    """`number` with a plus sign before a change that is not zero (+0,4, −1,2, 0,0)."""
    shown = number(value, lang)
    return shown if shown.startswith(MINUS) or shown.strip("0" + tr("format.decimal", lang)) == "" else "+" + shown


def percent(n: int | str, lang: str) -> str:
    """A whole percentage: "40 %" in Swedish, "40%" in English."""
    return tr("format.percent", lang, n=n)


def duration(minutes: int, lang: str) -> str:
    """A length as people say it: "45 min", "2 h", "1 h 30 min" ("1 tim 30 min" in Swedish)."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return tr("format.minutes", lang, minutes=rest)
    if not rest:
        return tr("format.hours", lang, hours=hours)
    return tr("format.hours_minutes", lang, hours=hours, minutes=rest)


def _strftime(value: date | time, key: str, lang: str) -> str:
    try:
        return value.strftime(tr(key, lang))
    except ValueError:  # a pattern this platform cannot use: the reference's
        return value.strftime(tr(key, REFERENCE))


def day(value: date, lang: str) -> str:
    """A date ("2026-12-03")."""
    return _strftime(value, "format.date", lang)


def long_day(value: date, lang: str) -> str:
    """A date written out in words ("3 September 2025", "3 september 2025")."""
    months = tr("format.months", lang).split()
    if len(months) != 12:  # a catalog that does not name twelve months: the reference's names
        months = tr("format.months", REFERENCE).split()
    return tr("format.long_date", lang, day=value.day, month=months[value.month - 1], year=value.year)


def moment(value: datetime, lang: str) -> str:
    """A date and a time of day ("2026-12-03 09:30")."""
    return _strftime(value, "format.date_time", lang)


def clock(value: time | datetime, lang: str, seconds: bool = False) -> str:
    """A time of day ("09:30", or "09:30:15" with `seconds`)."""
    return _strftime(value, "format.time_seconds" if seconds else "format.time", lang)


def plural(key: str, n: int, lang: str, **values: object) -> str:
    """`key.one` or `key.many` (with `n` filled in), as `lang` chooses for the number `n`."""
    ones = {word for word in tr("format.plural.one", lang).split()}
    return tr(f"{key}.{'one' if str(n) in ones else 'many'}", lang, n=n, **values)
