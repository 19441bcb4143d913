"""Demo association memberships (development only; the reference data stay factual).

The memberships here are ILLUSTRATIVE, not the associations' real member lists (none is published
in a form we can ship). They follow the real picture in size: most municipalities are members of
SOS (Skupnost občin Slovenije), a good part of ZOS (Združenje občin Slovenije), some of both, every
municipality of at least one, and ZMOS keeps the 12 city municipalities from the reference data.
A seeded generator makes the same choice on every load.
"""
from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coordination.extensions import db
from coordination.organisations import services
from coordination.organisations.models import Organisation, OrgKind
from coordination.web.formatting import sl_order

SOS_MEMBERS = 170
ZOS_MEMBERS = 100


def load_memberships() -> bool:
    """Give SOS and ZOS their illustrative members, once (when neither has any yet)."""
    sos, zos = (db.session.scalar(select(Organisation).where(Organisation.short_name == short))
                for short in ("SOS", "ZOS"))
    if sos is None or zos is None or sos.members or zos.members:
        return False
    municipalities = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.MUNICIPALITY)
        .options(selectinload(Organisation.associations)).order_by(sl_order(Organisation.name))))
    # a fixed pseudo-random choice for the demo, nothing to do with security
    rnd = random.Random(2022)  # noqa: S311  # nosec B311
    rnd.shuffle(municipalities)
    in_sos = municipalities[:SOS_MEMBERS]
    outside_sos = municipalities[SOS_MEMBERS:]
    both = min(len(in_sos), max(0, ZOS_MEMBERS - len(outside_sos)))
    in_zos = outside_sos + rnd.sample(in_sos, both)
    chosen = {m.id: [] for m in municipalities}
    for association, members in ((sos, in_sos), (zos, in_zos)):
        for municipality in members:
            chosen[municipality.id].append(association)
    for municipality in municipalities:
        kept = [a for a in municipality.associations if a.id not in (sos.id, zos.id)]
        services.set_memberships(municipality, kept + chosen[municipality.id])
    return True
