"""Monthly visits from a spreadsheet: reading a CSV or XLSX upload and validating every row before
anything is written (the upload is applied only when its owner confirms the valid rows), and the
template file to fill in.

One row per point and month: `code;month;total` and, optionally, a column per service topic (its
code, e.g. `eid`), whose figures may not add up to more than the total. Column names may also be
Slovenian (točka, mesec, skupaj).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from coordination.extensions import db
from coordination.points import topics
from coordination.points.models import PointStatus, ServicePoint
from coordination.points.months import month_end, month_start, parse_month
from coordination.points.permissions import report_clause
from coordination.types import today
from coordination.web.formatting import format_date

MAX_ROWS = 20000
MAX_BYTES = 2 * 1024 * 1024
MAX_VISITS = 1_000_000
NAMES = {"code": "code", "koda": "code", "točka": "code", "tocka": "code", "point": "code",
         "month": "month", "mesec": "month",
         "total": "total", "skupaj": "total", "obiski": "total", "visits": "total"}


class FileProblem(ValueError):
    """The file as a whole cannot be used (encoding, columns, size): nothing of it is read."""


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)    # {line, code, month, total, topics}
    errors: list[dict] = field(default_factory=list)  # {line, message}


# --- reading -----------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileProblem(_(
            "The file is not in UTF-8 encoding (first unreadable character on line %(line)d). In Excel choose "
            "“Save as” → “CSV UTF-8 (comma delimited)”, or upload the XLSX file itself.", line=line)) from None


def _csv_rows(data: bytes):
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if ";" in first or "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for fields in reader:
            yield reader.line_num, fields
    except csv.Error as exc:
        raise FileProblem(_("The file is not a valid CSV file (line %(line)d: %(problem)s).",
                            line=reader.line_num, problem=str(exc))) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes):
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise FileProblem(_("The file is not a readable XLSX workbook.")) from None
    sheet = book.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_cell(v) for v in values]
    book.close()


def read(data: bytes, filename: str) -> Parsed:
    """Check the form of every row (not yet against the network)."""
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    is_xlsx = filename.lower().endswith(".xlsx") or data[:2] == b"PK"
    lines = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    header = None
    for line, fields in lines:
        if any(f.strip() for f in fields):
            header = (line, fields)
            break
    if header is None:
        raise FileProblem(_("The file is empty."))
    columns = _columns(header[1])
    parsed, seen, count = Parsed(), {}, 0
    for line, fields in lines:
        if not any((f or "").strip() for f in fields):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileProblem(_("The file has more than %(max)s rows; split it into smaller files.",
                                max=f"{MAX_ROWS:,}".replace(",", ".")))
        row = _row(fields, columns, line)
        if isinstance(row, str):
            parsed.errors.append({"line": line, "message": row})
            continue
        key = (row["code"], row["month"])
        if key in seen:
            parsed.errors.append({"line": line, "message": _(
                "%(code)s, %(month)s is already on line %(line)d; each point and month may appear once.",
                code=row["code"], month=row["month"][:7], line=seen[key])})
            continue
        seen[key] = line
        parsed.rows.append(row)
    if count == 0:
        raise FileProblem(_("The file has a header but no rows."))
    return parsed


def _columns(header: list[str]) -> dict[str, int]:
    codes = set(topics.codes())
    columns, unknown = {}, []
    for index, name in enumerate(header):
        key = (name or "").strip().lower().lstrip("\ufeff")
        if not key:
            continue
        canonical = NAMES.get(key) or (key if key in codes else None)
        if canonical is None or canonical in columns:
            unknown.append(name.strip())
        else:
            columns[canonical] = index
    missing = [c for c in ("code", "month", "total") if c not in columns]
    if missing or unknown:
        raise FileProblem(_(
            "The first row must name the columns code, month and total, and optionally one column per topic "
            "code (%(topics)s). Missing: %(missing)s. Not understood: %(unknown)s.",
            topics=", ".join(sorted(codes)), missing=", ".join(missing) or "—", unknown=", ".join(unknown) or "—"))
    return columns


def count_value(raw: str, what: str) -> int | str:
    raw = raw.strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):  # 1.234: Slovenian thousands
        raw = raw.replace(".", "")
    if not raw.lstrip("-").isdigit():
        return _("%(what)s: “%(value)s” is not a whole number.", what=what, value=raw[:20])
    value = int(raw)
    if value < 0:
        return _("%(what)s: the number of visits cannot be negative.", what=what)
    if value > MAX_VISITS:
        return _("%(what)s: %(value)d visits in a month is not plausible.", what=what, value=value)
    return value


def _row(fields: list[str], columns: dict[str, int], line: int) -> dict | str:
    def get(name):
        index = columns[name]
        return (fields[index] if index < len(fields) else "") or ""

    code = get("code").strip().upper()
    if not code:
        return _("The point code is missing.")
    raw_month = get("month")
    month = parse_month(raw_month)
    if month is None:
        return _("“%(value)s” is not a month; write it as 2024-03.", value=raw_month.strip()[:20]) \
            if raw_month.strip() else _("The month is missing.")
    total = count_value(get("total"), _("total"))
    if isinstance(total, str):
        return total
    by_topic = {}
    for code_ in topics.codes():
        if code_ in columns and get(code_).strip():
            value = count_value(get(code_), code_)
            if isinstance(value, str):
                return value
            by_topic[code_] = value
    if sum(by_topic.values()) > total:
        return _("The topics add up to %(sum)d visits, more than the total of %(total)d.",
                 sum=sum(by_topic.values()), total=total)
    return {"line": line, "code": code, "month": month.isoformat(), "total": total, "topics": by_topic}


# --- checking against the network --------------------------------------------------------------

def reportable_points(user, codes) -> dict[str, tuple]:
    """{code: (id, opened_on, closed_on, may report)} of the given codes, in one query."""
    rows = db.session.execute(select(ServicePoint.code, ServicePoint.id, ServicePoint.opened_on,
                                     ServicePoint.closed_on, report_clause(user))
                              .where(ServicePoint.code.in_(list(codes))))
    return {code: (pid, opened, closed, bool(may)) for code, pid, opened, closed, may in rows}


def problem(row: dict, point: tuple | None, this_month: date) -> str | None:
    """Why a row cannot be applied to its point as it is now (None: it can)."""
    if point is None:
        return _("Unknown point %(code)s.", code=row["code"])
    _pid, opened, closed, may = point
    if not may:
        return _("You may not report visits for %(code)s (only its host and the ministry may).", code=row["code"])
    month = date.fromisoformat(row["month"])
    if month < month_start(opened):
        return _("%(code)s opened on %(date)s; %(month)s is before that.", code=row["code"],
                 date=format_date(opened), month=row["month"][:7])
    if closed is not None and month > month_end(closed):
        return _("%(code)s closed on %(date)s; %(month)s is after that.", code=row["code"],
                 date=format_date(closed), month=row["month"][:7])
    if month > this_month:
        return _("%(month)s has not ended yet.", month=row["month"][:7]) if month == this_month else _(
            "%(month)s is in the future.", month=row["month"][:7])
    return None


def check(user, parsed: Parsed) -> Parsed:
    points = reportable_points(user, {r["code"] for r in parsed.rows})
    this_month = month_start(today())
    result = Parsed(errors=list(parsed.errors))
    for row in parsed.rows:
        message = problem(row, points.get(row["code"]), this_month)
        if message:
            result.errors.append({"line": row["line"], "message": message})
        else:
            result.rows.append({**row, "point_id": points[row["code"]][0]})
    result.errors.sort(key=lambda e: e["line"])
    return result


def recheck(user, rows: list[dict]) -> dict[int, str | None]:
    """{line: problem} for the rows of a confirmed upload, as the points are now."""
    points = reportable_points(user, {r["code"] for r in rows})
    this_month = month_start(today())
    return {r["line"]: problem(r, points.get(r["code"]), this_month) for r in rows}


# --- the template ------------------------------------------------------------------------------

def template_rows(user) -> list[list]:
    """The header and a row per open point the user reports for, for last month."""
    from coordination.points.months import add_months

    last = add_months(month_start(today()), -1)
    codes = db.session.scalars(select(ServicePoint.code).where(report_clause(user),
                                                               ServicePoint.status == PointStatus.OPEN)
                               .order_by(ServicePoint.code).limit(MAX_ROWS))
    return [["code", "month", "total", *topics.codes()],
            *([code, last.isoformat()[:7], "", *([""] * len(topics.codes()))] for code in codes)]
