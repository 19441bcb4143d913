"""Every record of the workspace in one portable file, and back: backups and the move from SQLite to
PostgreSQL (or back) without losing anything.

The file is a zip archive:
  manifest.json        format name and version, the schema revision (Alembic head), when and from which
                       database it was written, and per table the row count and a SHA-256 of its rows
  tables/<name>.jsonl  one JSON object per row, in primary-key order

Values are written in one canonical form whatever the database (UTC ISO datetimes, ISO dates, base64
bytes, enum values, JSON with sorted keys), so the same data give the same checksums on SQLite and on
PostgreSQL: a round trip is proved by comparing them. Uploaded files kept in the database travel with
their rows. The full-text index objects outside the models (SQLite FTS5 shadow tables, the
PostgreSQL GIN index) are not exported: the database rebuilds them from `search_document` rows.

Import loads into an empty database whose schema is at the file's revision (run `flask db upgrade`
first, and nothing else), in one transaction that is committed only if every table's checksum
matches the manifest."""
from __future__ import annotations

import base64
import enum
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Date, DateTime, Float, Integer, LargeBinary, Numeric, Table, func, select
from sqlalchemy.types import TypeDecorator

from coordination.extensions import db
from coordination.types import utcnow

FORMAT = "coordination-data"
FORMAT_VERSION = 1
BATCH = 2000


class DataFileError(RuntimeError):
    """The file cannot be loaded here; nothing was changed."""


@dataclass
class Summary:
    tables: int
    rows: int
    revision: str


# --- canonical values ----------------------------------------------------------------------------

def _encode(column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        # the same instant reads back in the connection's zone on PostgreSQL: write it in UTC
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)  # exact, unlike a JSON number
    return value


def _decode(column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, TypeDecorator):  # e.g. UTCDateTime: decode by what it stores
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return Decimal(value)
    return value


def _line(row: dict) -> bytes:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- reading the database ------------------------------------------------------------------------

def _tables() -> list[Table]:
    """Every table of the models, parents before children (the order inserts need)."""
    return list(db.metadata.sorted_tables)


def _rows(connection, table: Table):
    """The table's rows in primary-key order, as canonical dicts, streamed."""
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execute(select(table).order_by(*order).execution_options(yield_per=BATCH))
    columns = list(table.columns)
    for raw in result:
        yield {c.name: _encode(c, raw._mapping[c]) for c in columns}


def table_checksums(connection=None) -> dict[str, dict]:
    """{table: {"rows": n, "sha256": hex}} over the canonical rows: equal data, equal figures."""
    connection = connection or db.session.connection()
    sums = {}
    for table in _tables():
        digest, count = hashlib.sha256(), 0
        for row in _rows(connection, table):
            digest.update(_line(row) + b"\n")
            count += 1
        sums[table.name] = {"rows": count, "sha256": digest.hexdigest()}
    return sums


def schema_revision(connection=None) -> tuple[str | None, str]:
    """(revision the database is at, newest revision of the code)."""
    connection = connection or db.session.connection()
    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()
    return current, head


# --- export --------------------------------------------------------------------------------------

def export(path_or_file) -> Summary:
    """Write every record to one zip file (a path or a binary file object)."""
    connection = db.session.connection()
    current, head = schema_revision(connection)
    if current != head:
        raise DataFileError(f"the database is at revision {current}, the code at {head}: run `flask db upgrade` first")
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": current,
                "written_at": utcnow().isoformat(), "database": connection.dialect.name, "tables": {}}
    total = 0
    with zipfile.ZipFile(path_or_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in _tables():
            digest, count = hashlib.sha256(), 0
            with archive.open(f"tables/{table.name}.jsonl", "w") as out:
                for row in _rows(connection, table):
                    line = _line(row) + b"\n"
                    out.write(line)
                    digest.update(line)
                    count += 1
            manifest["tables"][table.name] = {"rows": count, "sha256": digest.hexdigest()}
            total += count
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return Summary(tables=len(manifest["tables"]), rows=total, revision=current)


# --- import --------------------------------------------------------------------------------------

def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise DataFileError("this is not a data file of the workspace (no readable manifest.json)") from exc
    if manifest.get("format") != FORMAT:
        raise DataFileError("this is not a data file of the workspace")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DataFileError(f"file format version {manifest.get('format_version')} is not {FORMAT_VERSION}, "
                            "the version this code reads")
    return manifest


def _check_target(connection, manifest: dict) -> None:
    current, head = schema_revision(connection)
    if manifest["schema_revision"] != current:
        raise DataFileError(f"the file was written at schema revision {manifest['schema_revision']}, the database "
                            f"is at {current}: both must be at the same revision (the code's is {head})")
    unknown = set(manifest["tables"]) - {t.name for t in _tables()}
    if unknown:
        raise DataFileError(f"the file has tables this code does not know: {', '.join(sorted(unknown))}")
    filled = [t.name for t in _tables()
              if connection.execute(select(func.count()).select_from(t)).scalar_one()]
    if filled:
        raise DataFileError("the database is not empty (rows in " + ", ".join(filled[:5])
                            + (" …" if len(filled) > 5 else "") + "); import only into a freshly migrated database")


def _insert(connection, table: Table, lines) -> int:
    columns = {c.name: c for c in table.columns}
    batch, count = [], 0
    for line in lines:
        row = json.loads(line)
        batch.append({name: _decode(columns[name], value) for name, value in row.items()})
        if len(batch) >= BATCH:
            connection.execute(table.insert(), batch)
            count, batch = count + len(batch), []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _reset_sequences(connection) -> None:
    """PostgreSQL: the next generated id follows the largest imported one."""
    if connection.dialect.name != "postgresql":
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto"):
            largest = select(func.coalesce(func.max(pk[0]), 0)).scalar_subquery()
            connection.execute(select(func.setval(func.pg_get_serial_sequence(table.name, pk[0].name),
                                                  largest + 1, False)))


def load(path_or_file) -> Summary:
    """Load a data file into this empty database; every table's checksum must match afterwards."""
    connection = db.session.connection()
    with zipfile.ZipFile(path_or_file) as archive:
        manifest = _read_manifest(archive)
        _check_target(connection, manifest)
        total = 0
        for table in _tables():
            if table.name not in manifest["tables"]:
                continue
            with archive.open(f"tables/{table.name}.jsonl") as lines:
                total += _insert(connection, table, io.TextIOWrapper(lines, encoding="utf-8"))
    _reset_sequences(connection)
    loaded = table_checksums(connection)
    wrong = [name for name, figures in manifest["tables"].items() if loaded.get(name) != figures]
    if wrong:
        raise DataFileError("after loading, these tables differ from the file: " + ", ".join(wrong))
    return Summary(tables=len(manifest["tables"]), rows=total, revision=manifest["schema_revision"])
