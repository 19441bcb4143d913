"""Exports as Slovenian Excel reads them, one writer for every feature.

CSV: UTF-8 with a BOM, `;` between fields, CRLF; dates as ISO dates, times as "YYYY-MM-DD HH:MM".
XLSX: a bold header row; dates stay dates, shown as "20. 9. 2022". `safe()` keeps a text cell from
being taken for a formula (a leading = + - @ tab or CR gets an apostrophe) and drops the control
characters a cell cannot hold."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNCELLABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe(value):
    if isinstance(value, str):
        value = UNCELLABLE.sub("", value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def csv_bytes(headers: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(cell) for cell in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def xlsx_bytes(headers: list[str], rows, title: str) -> bytes:
    # openpyxl is loaded by the one request that asks for a spreadsheet, not by every process at start
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    bold = Font(bold=True)
    head = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "D. M. YYYY H:MM"
            elif isinstance(value, date):
                cell.number_format = "D. M. YYYY"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
