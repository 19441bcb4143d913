"""Changes to organisations and association memberships."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coordination.audit.services import record
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind, Region
from coordination.web.formatting import sl_order, sort_key

EDITABLE = ("name", "short_name", "kind", "address", "website")


def associations() -> list[Organisation]:
    return list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.ASSOCIATION).order_by(sl_order(Organisation.name))
    ))


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(sl_order(Region.name))))


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(sl_order(Organisation.name))))


def organisation_choices():
    """(id, name) rows of every organisation for a drop-down: no ORM objects, so a page that only
    offers the choice stays cheap."""
    query = select(Organisation.id, Organisation.name)
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's `sl` collation calls Python once per comparison (some 8,000 calls for the
        # organisations): the same order from one sort key per name is a fifth of the time
        return sorted_by_name(db.session.connection().execute(query.order_by(Organisation.id)).all())
    # plain rows from the connection (services flush, so nothing is pending): the ORM's row handling
    # costs as much again
    return db.session.connection().execute(query.order_by(sl_order(Organisation.name))).all()


def named_in_order(query) -> list:
    """(id, name) rows of `query` (over Organisation) in Slovenian order by name, as organisation_choices
    reads them: sorted in Python on SQLite, by the ICU collation on PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sorted_by_name(db.session.connection().execute(query.order_by(Organisation.id)).all())
    return db.session.connection().execute(query.order_by(sl_order(Organisation.name))).all()


_SORTED: dict[tuple, list] = {}


def sorted_by_name(rows: list) -> list:
    """(id, name) rows in Slovenian order, kept by their values: they are read every request, so the
    order is never stale, and only the sort (a key for each of 1,600 names: a few ms) is saved."""
    key = tuple(map(tuple, rows))  # plain tuples compare in C, SQLAlchemy's rows do not
    ordered = _SORTED.get(key)
    if ordered is None:
        if len(_SORTED) >= 4:  # a few lists at a time: all organisations, municipalities, the points' hosts
            _SORTED.clear()
        ordered = _SORTED[key] = sorted(rows, key=lambda row: sort_key(row[1]))
    return list(ordered)


def filtered_query(*, text: str = "", region: str = "", kind: str = "", association: int | None = None):
    """Organisations matching the list filters, in Slovenian alphabetical order."""
    query = select(Organisation).options(selectinload(Organisation.associations))
    if text:
        like = f"%{text.strip()}%"
        query = query.where(Organisation.name.ilike(like) | Organisation.short_name.ilike(like)
                            | Organisation.iso_code.ilike(like))
    if region:
        query = query.join(Organisation.region).where(Region.code == region)
    if kind:
        query = query.where(Organisation.kind == OrgKind(kind))
    if association:
        query = query.where(Organisation.associations.any(Organisation.id == association))
    return query.order_by(sl_order(Organisation.name), Organisation.id)


def name_taken(name: str, except_id: int | None = None) -> bool:
    query = select(Organisation.id).where(Organisation.name == name.strip())
    if except_id:
        query = query.where(Organisation.id != except_id)
    return db.session.scalar(query) is not None


def create_organisation(**fields) -> Organisation:
    org = Organisation(**{k: fields[k] for k in EDITABLE})
    db.session.add(org)
    db.session.flush()
    return org


def update_organisation(org: Organisation, **fields) -> Organisation:
    allowed = ("address", "website") if org.is_municipality else EDITABLE
    for key in allowed:
        setattr(org, key, fields[key])
    db.session.flush()
    return org


def set_memberships(municipality: Organisation, chosen: list[Organisation]) -> None:
    """Replace a municipality's association memberships and record the change."""
    before = sorted(a.display_name for a in municipality.associations)
    municipality.associations = list(chosen)
    after = sorted(a.display_name for a in chosen)
    if before != after:
        record("update", "Organisation", municipality.id, municipality.name,
               {"associations": [before, after]})
    db.session.flush()
