"""The search index, below the features it indexes: folding, the index rows, keeping them in step
with every flush, rebuilding them, and `matching_refs()` for lists that filter text through the index.

It imports no feature. Each feature registers what it indexes (`register()`: the model, the fields
whose change means re-indexing, the SELECT a document is made of), next to its models; meetings
register meetings, minutes and conclusions, actions register action items.

Every flush is inspected, as the audit log does: the indexed rows created, changed in a watched
field, or deleted get their index rows upserted or deleted in a few bulk statements on the same
connection and in the same transaction, so the index never disagrees with a committed change. A row
of a followed model (`follow()`: a saved minutes version, whose text services.save_minutes writes
with a bulk UPDATE the ORM does not see) re-indexes the document it belongs to.

Bulk writes that bypass the ORM (the benchmark's generator, imports) call `reindex()` afterwards,
or run `flask search reindex`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import column, delete, event, func, insert, inspect, literal_column, select, table, text
from sqlalchemy.orm import Session

from coordination.extensions import db, insert_on_conflict
from coordination.search.models import SearchDocument

MAX_QUERY = 200      # characters of a query that are read at all
MAX_WORDS = 8        # words that count
MAX_WORD = 40        # characters of a word that count


# --- what is indexed: registered by the features --------------------------------------------------

@dataclass(frozen=True)
class Indexed:
    """One kind of document: rows of `model`, re-indexed when a `watched` field (a column, or the
    relationship that sets it) changes. `source` selects the id, the meeting id, then the columns
    `shape` turns into the title and the body (and, optionally, words found but not shown)."""

    kind: str
    model: type
    watched: tuple[str, ...]
    source: object  # a SELECT
    shape: Callable = lambda row: (row[2], row[3])


_KINDS: dict[str, Indexed] = {}
_BY_MODEL: dict[type, Indexed] = {}
_FOLLOWED: dict[type, tuple[str, Callable]] = {}


def register(kind: str, model: type, *, watched: tuple[str, ...], source, shape: Callable | None = None) -> None:
    indexed = Indexed(kind, model, watched, source, *([shape] if shape else []))
    _KINDS[kind] = _BY_MODEL[model] = indexed


def follow(model: type, kind: str, ref: Callable) -> None:
    """A new row of `model` re-indexes the document `ref(row)` of `kind`."""
    _FOLLOWED[model] = (kind, ref)


def kinds() -> tuple[str, ...]:
    return tuple(_KINDS)


# --- folding ---------------------------------------------------------------------------------------

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


def document(kind: str, ref_id: int, meeting_id: int | None, title: str | None, body: str | None,
             extra: str | None = None) -> dict:
    """An index row. `folded` holds only the folded words, one space apart, so both databases cut it
    into the same tokens (PostgreSQL's parser would otherwise keep `2024/3` or `a.b@c.si` whole).
    `extra` words are found but not shown (an item's assignee: the result shows it in its own place)."""
    title, body = (title or "")[:300], body or ""
    return {"kind": kind, "ref_id": ref_id, "meeting_id": meeting_id, "title": title, "body": body,
            "folded": " ".join(WORD.findall(fold(f"{title}\n{body}\n{extra or ''}")))}


# --- building index rows from the database --------------------------------------------------------

def documents(connection, kind: str, ids: Iterable[int] | None = None, chunk: int = 5000) -> Iterator[list[dict]]:
    """The index rows of `kind` (of the given ids, or of everything), in lists of at most `chunk`."""
    indexed = _KINDS[kind]
    query = indexed.source
    id_column = query.selected_columns[0]

    def rows_of(rows):
        return [document(kind, row[0], row[1], *indexed.shape(row)) for row in rows]

    if ids is not None:
        ids = sorted(set(ids))
        for start in range(0, len(ids), chunk):
            yield rows_of(connection.execute(query.where(id_column.in_(ids[start:start + chunk]))))
        return
    last = 0
    while True:  # keyset pages, so a national-size table is never held in memory at once
        rows = connection.execute(query.where(id_column > last).order_by(id_column).limit(chunk)).all()
        if not rows:
            return
        yield rows_of(rows)
        last = rows[-1][0]


def _upsert(connection, rows: list[dict]) -> None:
    statement = insert_on_conflict(SearchDocument, connection)
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
        indexed = _BY_MODEL.get(type(obj))
        if indexed:
            changed[indexed.kind].add(obj.id)
        elif type(obj) in _FOLLOWED:
            kind, ref = _FOLLOWED[type(obj)]
            changed[kind].add(ref(obj))
    for obj in session.dirty:
        indexed = _BY_MODEL.get(type(obj))
        if indexed and _touched(obj, indexed.watched):
            changed[indexed.kind].add(obj.id)
    for obj in session.deleted:
        indexed = _BY_MODEL.get(type(obj))
        if indexed:
            removed[indexed.kind].add(obj.id)
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
    for kind in _KINDS:
        for rows in documents(connection, kind):
            connection.execute(insert(SearchDocument), rows)
            total += len(rows)
    if sqlite:
        for _name, sql in triggers:
            connection.execute(text(sql))
        connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    return total


# --- matching: the database's full-text index -------------------------------------------------------

def words(query: str | None) -> list[str]:
    """The folded words of a query, without duplicates: `"Cestišče" AND (ceste*)` -> [cestisce, and, ceste]."""
    found: list[str] = []
    for word in WORD.findall(fold((query or "")[:MAX_QUERY])):
        word = word[:MAX_WORD]
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def fts_query(terms: list[str], dialect: str) -> str:
    """Every word as a quoted prefix term, all required. The words hold only letters and digits."""
    if dialect == "postgresql":
        return " & ".join(f"'{w}':*" for w in terms)
    return " AND ".join(f'"{w}"*' for w in terms)


def tsquery(query: str):
    return func.to_tsquery(literal_column("'simple'"), query)


def vector(folded):
    # the literal 'simple' makes the expression the one the GIN index `search_fts_gin` was made on
    return func.to_tsvector(literal_column("'simple'"), folded)


def matching_refs(kind: str, query: str):
    """A SELECT of the ids of `kind` whose text holds every word of `query` (None when it has no words):
    the text filter of other lists (the conclusions register, the action-item list) uses the index through it."""
    terms = words(query)
    if not terms:
        return None
    dialect = db.session.get_bind().dialect.name
    fts = fts_query(terms, dialect)
    refs = select(SearchDocument.ref_id).where(SearchDocument.kind == kind)
    if dialect == "postgresql":
        return refs.where(vector(SearchDocument.folded).op("@@")(tsquery(fts)))
    index = table("search_fts", column("rowid"))
    return refs.where(SearchDocument.id.in_(
        select(index.c.rowid).where(literal_column("search_fts").op("MATCH")(fts))))
