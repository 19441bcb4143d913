"""Calendar months as the first day of the month: the unit of visit reports."""
from __future__ import annotations

import calendar
from datetime import date


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from the month of `first` to the month of `last`, both included."""
    start, end = month_start(first), month_start(last)
    out = []
    while start <= end:
        out.append(start)
        start = add_months(start, 1)
    return out


def parse_month(text: str) -> date | None:
    """'2024-03', '2024-3', '3/2024', '3.2024', '3. 2024' or a date in that month; None if unreadable."""
    text = (text or "").strip().replace(" ", "")
    if not text:
        return None
    try:
        if "-" in text:
            parts = text.split("-")
            year, month = int(parts[0]), int(parts[1])
        else:
            sep = "/" if "/" in text else "."
            parts = [p for p in text.split(sep) if p]
            if len(parts) == 3:  # a date: 1.3.2024
                parts = parts[1:]
            month, year = int(parts[0]), int(parts[1])
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except (ValueError, IndexError):
        return None


def count_months(first: date, last: date) -> int:
    """len(months_between(first, last)), without building the list."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)
