"""Action items in and out of spreadsheets: the CSV and XLSX export of a filtered list, and the
reading and complete validation of a CSV bulk status upload (nothing is applied here).

CSV goes out as Slovenian Excel reads it: UTF-8 with a BOM, `;` between fields. A cell that
begins with = + - @ (or a tab or carriage return) gets a leading apostrophe, so a spreadsheet
never runs it as a formula.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from coordination.actions.models import PRIORITY_LABELS, STATUS_LABELS, TRANSITIONS, ActionItem, ItemStatus
from coordination.actions.permissions import update_clause
from coordination.actions.queries import item_query
from coordination.extensions import db
from coordination.types import LJUBLJANA
from coordination.web import spreadsheet
from coordination.web.formatting import translated
from coordination.web.spreadsheet import safe

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
MAX_NOTE = 2000


# --- export ------------------------------------------------------------------------------------

def headers() -> list[str]:
    return [_("ID"), _("Title"), _("Status"), _("Priority"), _("Assignee organisation"), _("Assignee person"),
            _("Statistical region"), _("Due date"), _("Source conclusion"), _("Meeting"), _("Updated")]


# characters a spreadsheet cell cannot hold (XLSX is XML, which refuses them; in CSV they only confuse)


def _labels() -> tuple[dict, dict]:
    """Status and priority labels translated once per export, not once per row."""
    return translated(STATUS_LABELS), translated(PRIORITY_LABELS)


def _wall_clock(value):
    """A UTC time as Ljubljana's clock shows it, without a zone (what a spreadsheet cell holds)."""
    return value.astimezone(LJUBLJANA).replace(tzinfo=None) if value is not None else None


def _cells(row, labels) -> list:
    """One export row (from listing.export_rows) as typed cells: dates stay dates."""
    (item_id, title, status, priority, org, person, region, due, body, year, seq, meeting, updated, source) = row
    register = f"{body} {year}/{seq}" if body and source else ""
    meeting = meeting if source else ""
    return [item_id, safe(title), labels[0][status], labels[1][priority], safe(org),
            safe(person or ""), safe(region or ""), due, safe(register), safe(meeting or ""), _wall_clock(updated)]


def to_csv(rows) -> bytes:
    labels = _labels()
    return spreadsheet.csv_bytes(headers(), (_cells(row, labels) for row in rows))


def to_xlsx(rows, title: str) -> bytes:
    labels = _labels()
    return spreadsheet.xlsx_bytes(headers(), (_cells(row, labels) for row in rows), title)


def template_csv() -> bytes:
    """An example upload: the header and two rows."""
    return "\ufeffid;status;note\r\n123;in_progress;Začeli smo.\r\n124;Zaključeno;\r\n".encode()


# --- import ------------------------------------------------------------------------------------

class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, header, size): nothing of it is used."""


COLUMN_NAMES = {
    "id": "id", "št.": "id", "številka": "id", "stevilka": "id",
    "status": "status", "stanje": "status",
    "note": "note", "opomba": "note", "komentar": "note",
}
REQUIRED = ("id", "status")


def _status_words() -> dict[str, ItemStatus]:
    """Each status by its value and by its label in Slovenian and English, case-insensitively."""
    words = {}
    for status in ItemStatus:
        words[status.value] = status
        words[status.value.replace("_", " ")] = status
        for lang in ("sl", "en"):
            with force_locale(lang):
                words[str(STATUS_LABELS[status]).lower()] = status
    return words


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)     # {line, item_id, status, note}
    errors: list[dict] = field(default_factory=list)   # {line, message}


def decode(data: bytes) -> str:
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileProblem(_(
            "The file is not in UTF-8 encoding (first unreadable character on line %(line)d). In Excel choose "
            "“Save as” → “CSV UTF-8 (comma delimited)”, then upload it again.", line=line)) from None


def read(data: bytes) -> Parsed:
    """Read and check the form of every row (not yet against the database)."""
    text = decode(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileProblem(_("The file is empty.")) from None
    names = [COLUMN_NAMES.get(h.strip().lower().lstrip("\ufeff")) for h in header]
    unknown = [h.strip() for h, n in zip(header, names, strict=True) if n is None and h.strip()]
    missing = [c for c in REQUIRED if c not in names]
    if missing or unknown or len(set(n for n in names if n)) != len([n for n in names if n]):
        raise FileProblem(_(
            "The first row must name the columns id, status and (optionally) note, separated by ; or , "
            "(found: %(found)s).", found=", ".join(h.strip() for h in header) or "—"))
    index = {n: i for i, n in enumerate(names) if n}
    words = _status_words()
    parsed, seen = Parsed(), {}
    count = 0
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileProblem(_("The file has more than %(max)s rows; split it into smaller files.",
                                    max=f"{MAX_ROWS:,}".replace(",", ".")))
            parsed_row = _row(fields, index, len(header), words, line)
            if isinstance(parsed_row, str):
                parsed.errors.append({"line": line, "message": parsed_row})
                continue
            if parsed_row["item_id"] in seen:
                parsed.errors.append({"line": line, "message": _(
                    "Item %(id)d is already on line %(line)d; each item may appear once.",
                    id=parsed_row["item_id"], line=seen[parsed_row["item_id"]])})
                continue
            seen[parsed_row["item_id"]] = line
            parsed.rows.append(parsed_row)
    except csv.Error as exc:
        raise FileProblem(_("The file is not a valid CSV file (line %(line)d: %(problem)s).",
                            line=reader.line_num, problem=str(exc))) from None
    if count == 0:
        raise FileProblem(_("The file has a header but no rows."))
    return parsed


def _row(fields: list[str], index: dict, width: int, words: dict, line: int) -> dict | str:
    if len(fields) > width:
        return _("The row has more fields than the header (%(found)d instead of %(expected)d).",
                 found=len(fields), expected=width)
    fields = fields + [""] * (width - len(fields))
    raw_id = fields[index["id"]].strip()
    if not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > 9:
        return _("“%(value)s” is not an item number.", value=raw_id[:40]) if raw_id else _("The item number is missing.")
    raw_status = fields[index["status"]].strip()
    status = words.get(raw_status.lower())
    if status is None:
        return (_("Unknown status “%(value)s”; use one of: %(allowed)s.", value=raw_status[:40],
                  allowed=", ".join(str(label) for label in STATUS_LABELS.values()))
                if raw_status else _("The status is missing."))
    note = fields[index["note"]].strip() if "note" in index else ""
    if len(note) > MAX_NOTE:
        return ngettext("The note is longer than %(num)d character.", "The note is longer than %(num)d characters.",
                        MAX_NOTE)
    return {"line": line, "item_id": int(raw_id), "status": status.value, "note": note}


def check(user, parsed: Parsed) -> Parsed:
    """Check the rows against the database: the item exists and the user sees it (otherwise it is
    "unknown", so nothing leaks), the user may update it, and the transition is allowed. One query
    per 1,000 rows."""
    found = current_states(user, [row["item_id"] for row in parsed.rows])
    result = Parsed(errors=list(parsed.errors))
    for row in parsed.rows:
        message = problem(row, found.get(row["item_id"]))
        if message:
            result.errors.append({"line": row["line"], "message": message})
        else:
            result.rows.append(row)
    result.errors.sort(key=lambda e: e["line"])
    return result


def problem(row: dict, current: tuple | None) -> str | None:
    """Why a row cannot be applied to the item as it is now (None: it can)."""
    if current is None:
        return _("Unknown item %(id)d.", id=row["item_id"])
    status, may_update = current
    if not may_update:
        return _("You may not change item %(id)d.", id=row["item_id"])
    new = ItemStatus(row["status"])
    if new == status:
        return _("Item %(id)d is already “%(status)s”.", id=row["item_id"], status=STATUS_LABELS[status])
    if new not in TRANSITIONS[status]:
        return _("Item %(id)d cannot go from “%(old)s” to “%(new)s”.", id=row["item_id"],
                 old=STATUS_LABELS[status], new=STATUS_LABELS[new])
    return None


def current_states(user, ids: list[int]) -> dict[int, tuple]:
    """{id: (status, may update)} of the visible items among ids, for the re-check at apply time."""
    states = {}
    for start in range(0, len(ids), 1000):
        query = item_query(user).where(ActionItem.id.in_(ids[start:start + 1000])).with_only_columns(
            ActionItem.id, ActionItem.status, update_clause(user))
        states.update({item_id: (status, bool(may)) for item_id, status, may in db.session.execute(query)})
    return states
