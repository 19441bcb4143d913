"""The audit log in words: one place that knows how to tell each kind of record's entries.

Audit sits below every feature, so it imports none of them: each feature registers its record
kinds here (`register`, from its `audit_words.py`) with the phrases that head an entry, the
interface names of its fields, how a stored value is shown, which fields hold another record's id,
and where the record's page is. `describe(entries)` turns a page of entries into `Line`s and
resolves every id it needs (the records' current names, whether they still exist) with one query
per kind on the page, whatever the number of entries.

The headline names the record as it was named when it changed; ids in the fields are shown by
the current names of the records they point to. Wording: the actor's gender is not recorded, so an entry is a noun phrase ("Sprememba naloge
„…“"), with the actor in a column of its own, never a verb with a "(-a)" ending.
"""
from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, cast, literal, null, select, union_all

from coordination.audit.models import RECORD_KINDS, SIGN_IN
from coordination.extensions import db
from coordination.web.formatting import format_date, format_datetime, format_number

Formatter = Callable[[object], str]
EMPTY = "—"


# --- value formatters a feature may use ----------------------------------------------------------

def plain(value) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def labels(mapping: dict) -> Formatter:
    """An enum's stored value shown by its interface label."""
    by_value = {(k.value if isinstance(k, enum.Enum) else k): v for k, v in mapping.items()}

    def fmt(value) -> str:
        if isinstance(value, list):
            return ", ".join(fmt(v) for v in value) or EMPTY
        return EMPTY if value is None else str(by_value.get(value, value))
    return fmt


def as_date(value) -> str:
    try:
        return format_date(date.fromisoformat(str(value)[:10])) if value else EMPTY
    except ValueError:
        return str(value)


def as_datetime(value) -> str:
    """An instant stored in UTC, shown in Ljubljana time."""
    try:
        return format_datetime(datetime.fromisoformat(value)) if value else EMPTY
    except (TypeError, ValueError):
        return str(value)


def excerpt(value) -> str:
    """Long text (minutes, descriptions) shortened: the record's page has the whole of it."""
    text = plain(value)
    return text if len(text) <= 160 else text[:159].rstrip() + "…"


def as_number(value) -> str:
    try:
        return EMPTY if value is None else format_number(float(value))
    except (TypeError, ValueError):
        return str(value)


# --- the registry ----------------------------------------------------------------------------

@dataclass
class Kind:
    name: object                                  # "Action item" (lazy)
    created: object                               # "New action item “%(label)s”"
    changed: object                               # "Change to action item “%(label)s”"
    deleted: object                               # "Action item “%(label)s” deleted"
    fields: dict = field(default_factory=dict)    # field -> interface name; others are not shown
    values: dict = field(default_factory=dict)    # field -> Formatter
    refs: dict = field(default_factory=dict)      # field -> the kind whose id it holds
    model: type | None = None                     # the mapped class, to look names and existence up
    title: str = "name"                           # the model's attribute that names a record
    url: Callable | None = None                   # row (id, title, parent) -> the record's address
    parent: str | None = None                     # the model's attribute the url needs (e.g. meeting_id)
    events: list = field(default_factory=list)    # (changes -> bool, phrase): an update with a name


_KINDS: dict[str, Kind] = {}


def register(entity_type: str, kind: Kind) -> Kind:
    """Called by a feature at import time for each record kind it audits."""
    _KINDS[entity_type] = kind
    RECORD_KINDS[entity_type] = kind.name
    return kind


def kind_of(entity_type: str) -> Kind | None:
    return _KINDS.get(entity_type)


def field_label(entity_type: str, key: str) -> str:
    kind = _KINDS.get(entity_type)
    return str(kind.fields[key]) if kind and key in kind.fields else key


# --- telling entries ---------------------------------------------------------------------------

@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Line:
    entry: object
    at: datetime
    actor: str
    text: str
    url: str | None
    changes: list[Change]
    action: str


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Names:
    """Current names (and link rows) of the records a page of entries mentions, in ONE query (a
    union of one select per kind on the page), so the page's query count never depends on its mix."""

    def __init__(self, wanted: dict[str, set[int]]):
        self.rows: dict[str, dict[int, tuple]] = defaultdict(dict)
        selects = []
        for entity_type, ids in sorted(wanted.items()):
            kind = _KINDS.get(entity_type)
            if not ids or kind is None or kind.model is None:
                continue
            model = kind.model
            parent = cast(getattr(model, kind.parent), Integer) if kind.parent else null()
            selects.append(select(literal(entity_type, String), model.id, cast(getattr(model, kind.title), String),
                                  parent.label("parent")).where(model.id.in_(sorted(ids))))
        if selects:
            for entity_type, *row in db.session.execute(union_all(*selects)):
                self.rows[entity_type][row[0]] = tuple(row)

    def row(self, entity_type: str, value) -> tuple | None:
        return self.rows.get(entity_type, {}).get(_id(value))

    def name(self, entity_type: str, value) -> str:
        if value is None:
            return EMPTY
        row = self.row(entity_type, value)
        return excerpt(row[1]) if row else _("deleted record (%(id)s)", id=value)


def _wanted(entries) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        kind = _KINDS.get(e.entity_type)
        if kind is None:
            continue
        if _id(e.entity_id) is not None:
            wanted[e.entity_type].add(_id(e.entity_id))
        for key, target in kind.refs.items():
            for value in (e.changes or {}).get(key) or ():
                if _id(value) is not None:
                    wanted[target].add(_id(value))
    return wanted


def _value(kind: Kind, key: str, value, names: _Names) -> str:
    if key in kind.refs:
        return names.name(kind.refs[key], value)
    return kind.values.get(key, plain)(value)


def _phrase(kind: Kind | None, entry, label: str) -> str:
    if entry.action == SIGN_IN:
        return _("Sign-in")
    if kind is None:
        verb = {"create": _l("created"), "update": _l("changed"), "delete": _l("deleted")}.get(entry.action, entry.action)
        return f"{RECORD_KINDS.get(entry.entity_type, entry.entity_type)} „{label}“: {verb}"
    if entry.action == "update":
        for matches, phrase in kind.events:
            if matches(entry.changes or {}):
                return str(phrase) % {"label": label}
    phrase = {"create": kind.created, "update": kind.changed, "delete": kind.deleted}.get(entry.action, kind.changed)
    return str(phrase) % {"label": label}


def actor_name(entry) -> str:
    if entry.actor is not None:
        return entry.actor.name
    return entry.actor_label.split(" <", 1)[0]  # "Name <e-mail>" of an account that is gone


def _line(entry, names: _Names) -> Line:
    kind = _KINDS.get(entry.entity_type)
    row = names.row(entry.entity_type, entry.entity_id)
    label = entry.entity_label  # the record's name when it changed: history is told as it was
    url = None
    if row is not None and kind and kind.url and entry.action != "delete":
        url = kind.url(row)
    changes = []
    for key, pair in (entry.changes or {}).items():
        if kind is not None and key not in kind.fields:
            continue  # technical columns (ids, versions, secrets) say nothing to a reader
        before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if kind is None:
            shown = (plain(before), plain(after))
        else:
            shown = (_value(kind, key, before, names), _value(kind, key, after, names))
        changes.append(Change(field_label(entry.entity_type, key), *shown))
    return Line(entry, entry.at, actor_name(entry), _phrase(kind, entry, label), url, changes, entry.action)


def describe(entries: Iterable) -> list[Line]:
    """A page of audit entries told in words, in a fixed number of queries."""
    entries = list(entries)
    names = _Names(_wanted(entries))
    return [_line(e, names) for e in entries]


def link(endpoint: str, **fixed) -> Callable:
    """A url builder for `Kind.url`: `link("actions.detail", item_id=0)` puts the looked-up row's
    column 0 (the id) into item_id; 1 is the title, 2 the kind's `parent`."""
    def build(row) -> str:
        return url_for(endpoint, **{arg: row[index] for arg, index in fixed.items()})
    return build
