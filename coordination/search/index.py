"""Keeping the search index (SearchDocument) in step with what it indexes.

Every flush is inspected, as the audit log does: the meetings, agenda items (their minutes),
conclusions and action items created, changed in a searched field, or deleted get their index rows
upserted or deleted in a few bulk statements on the same connection and in the same transaction, so
the index never disagrees with a committed change. A saved minutes version (services.save_minutes
writes the text with a bulk UPDATE, which the ORM does not see) re-indexes its agenda item.

Bulk writes that bypass the ORM (the benchmark's generator, imports) call `reindex()` afterwards,
or run `flask search reindex`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import delete, event, insert, inspect, select, text
from sqlalchemy.orm import Session

from coordination.actions.models import ActionItem
from coordination.extensions import db
from coordination.meetings.models import AgendaItem, Conclusion, Meeting, MinutesVersion
from coordination.search.models import SearchDocument

MEETING, MINUTES, CONCLUSION, ITEM = "meeting", "minutes", "conclusion", "item"
KINDS = (MEETING, MINUTES, CONCLUSION, ITEM)

# the model behind each kind, and the fields whose change means re-indexing (columns and the
# relationships that set them)
_KIND_OF = {Meeting: MEETING, AgendaItem: MINUTES, Conclusion: CONCLUSION, ActionItem: ITEM}
_WATCHED = {
    Meeting: ("title", "place"),
    AgendaItem: ("title", "minutes", "meeting_id", "meeting"),
    Conclusion: ("text", "register_body", "register_year", "register_seq", "meeting_id", "meeting"),
    ActionItem: ("title", "description", "conclusion_id", "conclusion"),
}

# letters NFKD does not take apart
_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O",
                          "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i"})
# a word as both full-text indexes see it: letters and digits (no underscore)
WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold_slowly(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_LETTERS))
    decomposed = _MARKS.sub("", decomposed)
    if not decomposed.isascii():  # rarer combining marks outside the usual blocks
        decomposed = "".join(c for c in decomposed if not unicodedata.combining(c))
    return decomposed.lower()


# Latin-1 and Latin Extended-A/B folded once, so most texts fold with one str.translate
_LATIN = {code: _fold_slowly(chr(code)) for code in range(0xC0, 0x250)}


def fold(value: str) -> str:
    """Lower-case without diacritics: `Cestišče Đakovo` -> `cestisce dakovo`."""
    if value.isascii():
        return value.lower()
    quick = value.translate(_LATIN)
    return quick.lower() if quick.isascii() else _fold_slowly(quick)


def document(kind: str, ref_id: int, meeting_id: int | None, title: str | None, body: str | None) -> dict:
    """An index row. `folded` holds only the folded words, one space apart, so both databases cut it
    into the same tokens (PostgreSQL's parser would otherwise keep `2024/3` or `a.b@c.si` whole)."""
    title, body = (title or "")[:300], body or ""
    return {"kind": kind, "ref_id": ref_id, "meeting_id": meeting_id, "title": title, "body": body,
            "folded": " ".join(WORD.findall(fold(f"{title}\n{body}")))}


# --- building index rows from the database --------------------------------------------------------

def _source(kind: str):
    """(id column, select of the columns a document is made of) for a kind."""
    if kind == MEETING:
        return Meeting.id, select(Meeting.id, Meeting.id.label("meeting_id"), Meeting.title, Meeting.place)
    if kind == MINUTES:
        return AgendaItem.id, select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.title, AgendaItem.minutes)
    if kind == CONCLUSION:
        return Conclusion.id, select(Conclusion.id, Conclusion.meeting_id, Conclusion.register_body,
                                     Conclusion.register_year, Conclusion.register_seq, Conclusion.text)
    return ActionItem.id, (select(ActionItem.id, Conclusion.meeting_id, ActionItem.title, ActionItem.description)
                           .outerjoin(Conclusion, ActionItem.conclusion_id == Conclusion.id))


def _row_document(kind: str, row) -> dict:
    if kind == CONCLUSION:
        ref_id, meeting_id, body, year, seq, text_ = row
        return document(kind, ref_id, meeting_id, f"{body} {year}/{seq}", text_)
    ref_id, meeting_id, title, body = row
    return document(kind, ref_id, meeting_id, title, body)


def documents(connection, kind: str, ids: Iterable[int] | None = None, chunk: int = 5000) -> Iterator[list[dict]]:
    """The index rows of `kind` (of the given ids, or of everything), in lists of at most `chunk`."""
    id_column, query = _source(kind)
    if ids is not None:
        ids = sorted(set(ids))
        for start in range(0, len(ids), chunk):
            rows = connection.execute(query.where(id_column.in_(ids[start:start + chunk])))
            yield [_row_document(kind, row) for row in rows]
        return
    last = 0
    while True:  # keyset pages, so a national-size table is never held in memory at once
        rows = connection.execute(query.where(id_column > last).order_by(id_column).limit(chunk)).all()
        if not rows:
            return
        yield [_row_document(kind, row) for row in rows]
        last = rows[-1][0]


def _upsert(connection, rows: list[dict]) -> None:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(SearchDocument)
    statement = statement.on_conflict_do_update(
        index_elements=[SearchDocument.kind, SearchDocument.ref_id],
        set_={name: statement.excluded[name] for name in ("meeting_id", "title", "body", "folded")})
    connection.execute(statement, rows)


def apply(connection, changed: dict[str, set[int]], removed: dict[str, set[int]]) -> None:
    """Delete the rows of `removed` and upsert those of `changed` (per kind), in bulk statements."""
    for kind, ids in removed.items():
        ids = sorted(ids)
        for start in range(0, len(ids), 5000):
            connection.execute(delete(SearchDocument).where(SearchDocument.kind == kind,
                                                            SearchDocument.ref_id.in_(ids[start:start + 5000])))
    for kind, ids in changed.items():
        ids = ids - removed.get(kind, set())
        if ids:
            for rows in documents(connection, kind, ids):
                if rows:
                    _upsert(connection, rows)


def _touched(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "after_flush")
def _follow_changes(session, flush_context):
    changed: dict[str, set[int]] = defaultdict(set)
    removed: dict[str, set[int]] = defaultdict(set)
    for obj in session.new:
        kind = _KIND_OF.get(type(obj))
        if kind:
            changed[kind].add(obj.id)
        elif isinstance(obj, MinutesVersion):
            changed[MINUTES].add(obj.item_id)
    for obj in session.dirty:
        fields = _WATCHED.get(type(obj))
        if fields and _touched(obj, fields):
            changed[_KIND_OF[type(obj)]].add(obj.id)
    for obj in session.deleted:
        kind = _KIND_OF.get(type(obj))
        if kind:
            removed[kind].add(obj.id)
    if changed or removed:
        apply(session.connection(), changed, removed)


# --- rebuilding everything --------------------------------------------------------------------------

def reindex() -> int:
    """Rebuild the whole index from the indexed tables in a few bulk statements; returns the number of
    documents. The caller commits."""
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    triggers = []
    if sqlite:
        # the triggers keep the FTS5 table row by row; for a rebuild they are set aside (inside this
        # transaction) and the FTS table is rebuilt in one step at the end: 100,000 rows take seconds
        triggers = connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_document'")).all()
        for name, _sql in triggers:
            connection.execute(text(f'DROP TRIGGER "{name}"'))
    connection.execute(delete(SearchDocument))
    total = 0
    for kind in KINDS:
        for rows in documents(connection, kind):
            connection.execute(insert(SearchDocument), rows)
            total += len(rows)
    if sqlite:
        for _name, sql in triggers:
            connection.execute(text(sql))
        connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    return total
