"""Slovenian-first formatting: dates, numbers, and the Slovenian alphabetical order.

The same sort key backs Python sorting and the SQLite collation `sl`; PostgreSQL gets an ICU
collation of the same name (see the first migration), so lists sort alike everywhere.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import collate

from coordination.types import LJUBLJANA

MONTHS_GENITIVE_SL = (
    "januarja", "februarja", "marca", "aprila", "maja", "junija",
    "julija", "avgusta", "septembra", "oktobra", "novembra", "decembra",
)
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

# č, š, ž are letters of their own, right after c, s, z; other accents only break ties.
_OWN_LETTERS = {"č": ("c", 1), "š": ("s", 1), "ž": ("z", 1)}


@lru_cache(maxsize=65536)
def sort_key(text: str | None) -> tuple[str, str, str]:
    """Key that orders strings by the Slovenian alphabet, case- and accent-insensitive first.

    Each letter gives two characters to the primary string, its base letter and its rank (č after
    c), and the number of its accents to the secondary: plain strings that compare in C. (SQLite
    calls the `sl` collation thousands of times to sort one list of organisations.)"""
    text = text or ""
    primary, secondary = [], []
    for ch in text.lower():
        if ch in _OWN_LETTERS:
            base, rank = _OWN_LETTERS[ch]
            primary.append(base + chr(rank))
            secondary.append("\x00")
        else:
            decomposed = unicodedata.normalize("NFD", ch)
            primary.append(decomposed[0] + "\x00")
            secondary.append(chr(len(decomposed) - 1))
    return ("".join(primary), "".join(secondary), text)


def sl_collation(a: str, b: str) -> int:
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


def sl_order(column):
    """ORDER BY expression using the `sl` collation registered on both databases."""
    return collate(column, "sl")


def sorted_sl(items, key=lambda x: x):
    return sorted(items, key=lambda item: sort_key(key(item)))


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else "sl"


def _local(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LJUBLJANA)
    return value


def format_date(value: date | datetime | None) -> str:
    """20. 9. 2022 (sl) or 20/09/2022 style for en; no leading zeros in Slovenian."""
    if value is None:
        return ""
    value = _local(value)
    if _lang() == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1][:3]} {value.year}"
    return f"{value.day}. {value.month}. {value.year}"


# what a date field accepts: 20. 9. 2022, 20.9.2022 (a closing dot allowed) or 2022-09-20
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{4})\s*\.?", re.ASCII)
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


def parse_date_input(text: str | None) -> date | None:
    """The date typed into a date field: None when empty; ValueError when it is no such date."""
    text = (text or "").strip()
    if not text:
        return None
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)  # ValueError for 31. 2. 2022


def format_date_input(value: date | None) -> str:
    """A date as a date field shows it, in any interface language: 20. 9. 2022."""
    return f"{value.day}. {value.month}. {value.year}" if value else ""


def format_date_long(value: date | datetime | None) -> str:
    """20. septembra 2022 in running Slovenian text, 20 September 2022 in English."""
    if value is None:
        return ""
    value = _local(value)
    if _lang() == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.day}. {MONTHS_GENITIVE_SL[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    value = _local(value)
    return f"{format_date(value)} {value.hour}:{value.minute:02d}" if _lang() != "en" else (
        f"{format_date(value)}, {value.hour:02d}:{value.minute:02d}")


MONTHS_SL = ("januar", "februar", "marec", "april", "maj", "junij", "julij", "avgust", "september", "oktober",
             "november", "december")


def month_name(month: int) -> str:
    """The month's name as a title says it: december (sl), December (en)."""
    return (MONTHS_EN if _lang() == "en" else MONTHS_SL)[month - 1]


def weekday_names() -> list[tuple[str, str]]:
    """(short, full) names of the days, Monday first."""
    return [(_("Mon"), _("Monday")), (_("Tue"), _("Tuesday")), (_("Wed"), _("Wednesday")),
            (_("Thu"), _("Thursday")), (_("Fri"), _("Friday")), (_("Sat"), _("Saturday")), (_("Sun"), _("Sunday"))]
def format_clock(value: datetime) -> str:
    """The time of day in Ljubljana: 10.00 in Slovenian, 10:00 in English."""
    local = value.astimezone(LJUBLJANA)
    return f"{local.hour:02d}:{local.minute:02d}" if _lang() == "en" else f"{local.hour}.{local.minute:02d}"


def format_period(start: datetime, end: datetime) -> str:
    """When something takes place, in Ljubljana time: `20. 9. 2022, 10.00–12.00` (sl) or
    `20 Sep 2022, 10:00–12:00` (en); over several days it names both dates."""
    if start.astimezone(LJUBLJANA).date() == end.astimezone(LJUBLJANA).date():
        return f"{format_date(start)}, {format_clock(start)}–{format_clock(end)}"
    return f"{format_date(start)}, {format_clock(start)} – {format_date(end)}, {format_clock(end)}"


# the thousands separator of the app's languages (CLDR's, as Babel writes it; a test compares the two)
GROUP_SYMBOL = {"sl": ".", "en": ","}


def format_number(value, decimals: int | None = None) -> str:
    """1.234,5 in Slovenian, 1,234.5 in English."""
    if value is None:
        return ""
    lang = _lang()
    if type(value) is int and value >= 0 and not decimals and lang in GROUP_SYMBOL:
        # whole numbers (visit counts: a point's page writes some 750) without Babel's pattern machinery
        return f"{value:,}".replace(",", GROUP_SYMBOL[lang])
    fmt = None if decimals is None else "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, format=fmt, locale=lang)


def translated(labels: dict) -> dict:
    """Lazy labels turned into text once per request, not once per row of a list."""
    return {key: str(label) for key, label in labels.items()}


def options(items, value_attr: str | None = None, label_attr: str | None = None) -> list[tuple]:
    """(value, text) pairs for a filter's <select>: from a {enum: label} dict, from objects' attributes,
    or from plain values."""
    if isinstance(items, dict):
        return [(getattr(key, "value", key), label) for key, label in items.items()]
    if value_attr:
        return [(getattr(i, value_attr), getattr(i, label_attr or value_attr)) for i in items]
    return [(i, i) for i in items]


def register(app):
    app.jinja_env.filters.update(
        date=format_date, date_long=format_date_long, date_input=format_date_input, datetime=format_datetime, number=format_number,
        options=options, month_name=month_name, clock=format_clock,
    )
    app.jinja_env.globals["weekday_names"] = weekday_names
