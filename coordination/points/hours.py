"""Opening hours: several intervals a day, stored as {"mon": [["08:00", "12:00"], …], …}.

Typed per weekday as "8:00-12:00, 13:00-16:00" (an en dash, a hyphen or "do" between the times).
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = {"mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
              "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday")}
_TIME = r"(\d{1,2})[:.](\d{2})"
_INTERVAL = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|do)\s*{_TIME}\s*$")


class HoursProblem(ValueError):
    """The text of one day cannot be used; the message says why, for the field."""


def _minutes(hour: str, minute: str) -> int:
    h, m = int(hour), int(minute)
    if h > 24 or m > 59 or (h == 24 and m):
        raise HoursProblem(_l("%(time)s is not a time of day.", time=f"{hour}:{minute}"))
    return h * 60 + m


def _text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_day(text: str) -> list[list[str]]:
    """The intervals of one day, in order; raises HoursProblem for a bad, reversed or overlapping one."""
    intervals = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text or ""))):
        match = _INTERVAL.match(part)
        if not match:
            raise HoursProblem(_l("“%(text)s” is not an interval such as 8:00-12:00.", text=part[:40]))
        start, end = _minutes(*match.group(1, 2)), _minutes(*match.group(3, 4))
        if end <= start:
            raise HoursProblem(_l("%(start)s-%(end)s ends before it starts.", start=_text(start), end=_text(end)))
        intervals.append((start, end))
    intervals.sort()
    for (_s1, e1), (s2, _e2) in zip(intervals, intervals[1:], strict=False):
        if s2 < e1:
            raise HoursProblem(_l("The intervals overlap (%(first)s and %(second)s).",
                                  first=_text(s2), second=_text(e1)))
    return [[_text(s), _text(e)] for s, e in intervals]


def day_text(intervals) -> str:
    """8:00-12:00, 13:00-16:00 (for the form and the pages)."""
    return ", ".join(f"{_short(s)}–{_short(e)}" for s, e in intervals or [])


def _short(time: str) -> str:
    return time[1:] if time.startswith("0") else time


def weekly(hours: dict) -> tuple[int, float]:
    """(days open, hours a week)."""
    days = total = 0
    for day in DAYS:
        intervals = hours.get(day) or []
        if intervals:
            days += 1
        for start, end in intervals:
            total += _minutes(*end.split(":")) - _minutes(*start.split(":"))
    return days, total / 60


def rule_problems(hours: dict, min_days: int, min_hours: int) -> list[str]:
    """What the programme's rules (open at least `min_days` days and `min_hours` hours a week) miss."""
    days, total = weekly(hours)
    problems = []
    if days < min_days:
        problems.append(str(_l("The point is open %(days)d days a week; the programme asks for at least %(min)d.",
                               days=days, min=min_days)))
    if total < min_hours:
        problems.append(str(_l("The point is open %(hours)s hours a week; the programme asks for at least %(min)d.",
                               hours=f"{total:g}".replace(".", ","), min=min_hours)))
    return problems
