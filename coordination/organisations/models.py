"""Organisations: municipalities, associations, the ministry, hosts and others; statistical regions."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, null, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.search import index as search_index
from coordination.types import enum_column


class OrgKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    ASSOCIATION = "association"
    MINISTRY = "ministry"
    GOVERNMENT_OFFICE = "government_office"
    HOST = "host"
    OTHER = "other"


KIND_LABELS = {
    OrgKind.MUNICIPALITY: _l("Municipality"),
    OrgKind.ASSOCIATION: _l("Association"),
    OrgKind.MINISTRY: _l("Ministry"),
    OrgKind.GOVERNMENT_OFFICE: _l("Government office"),
    OrgKind.HOST: _l("Host institution"),
    OrgKind.OTHER: _l("Other"),
}


association_membership = Table(
    "association_membership",
    db.metadata,
    Column("association_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Region(db.Model):
    """One of the 12 statistical regions (NUTS 3)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    def __str__(self):
        return self.name


class Organisation(db.Model):
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))
    iso_code: Mapped[str | None] = mapped_column(String(8), unique=True)
    rpe_id: Mapped[int | None] = mapped_column(unique=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    is_city: Mapped[bool] = mapped_column(default=False)
    seat_lat: Mapped[float | None]
    seat_lon: Mapped[float | None]
    area_km2: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(300))

    region: Mapped[Region | None] = relationship(lazy="joined")
    associations: Mapped[list[Organisation]] = relationship(
        secondary=association_membership,
        primaryjoin=lambda: Organisation.id == association_membership.c.member_id,
        secondaryjoin=lambda: Organisation.id == association_membership.c.association_id,
        back_populates="members",
        order_by=lambda: Organisation.short_name,  # the same order on every database and after a restore
    )
    members: Mapped[list[Organisation]] = relationship(
        secondary=association_membership,
        primaryjoin=lambda: Organisation.id == association_membership.c.association_id,
        secondaryjoin=lambda: Organisation.id == association_membership.c.member_id,
        back_populates="associations",
    )

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrgKind.MUNICIPALITY

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __str__(self):
        return self.name


# --- what the search index holds of organisations (search/index.py) ---------------------------------
# every signed-in user sees every organisation's page (organisations.browse): only public fields here

search_index.register(
    "organisation", Organisation, watched=("name", "short_name", "region_id", "region"),
    source=select(Organisation.id, null().label("meeting_id"), Organisation.name, Organisation.short_name,
                  Region.name.label("region_name")).outerjoin(Region, Organisation.region_id == Region.id),
    shape=lambda row: (row.name, "", f"{row.short_name or ''} {row.region_name or ''}"))
