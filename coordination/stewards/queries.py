"""Reading the registry: each municipality's state, coverage figures, the registry list, an entry
page and its history. Every reader runs a fixed number of queries, whatever the number of
municipalities, appointments and datasets (tests count them at two sizes)."""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import lazyload, load_only, selectinload

from coordination.audit.models import AuditEntry
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind, Region, association_membership
from coordination.roles import Role, is_staff, signed_in
from coordination.stewards.models import Appointment, AppointmentStatus, Dataset, StewardRole, Training
from coordination.web.formatting import sort_key

CONFIRMED, NOMINATED, NONE = "confirmed", "nominated", "none"
STATES = (CONFIRMED, NOMINATED, NONE)
WARN_DAYS = 30  # appointments ending within this many days are flagged
PENDING = (AppointmentStatus.NOMINATED, AppointmentStatus.RETURNED)
SURS = "Vir: SURS"
DATA = Path(__file__).resolve().parent.parent / "data"  # the reference data shipped with the app
STATE_LABELS = {CONFIRMED: _l("Confirmed steward"), NOMINATED: _l("Nominated only"), NONE: _l("No steward")}


@lru_cache(maxsize=1)
def population() -> dict[str, int]:
    """Residents per municipality (ISO code), 1. 1. 2021, from coordination/data/population.csv."""
    with open(DATA / "population.csv", encoding="utf-8", newline="") as fh:
        return {row["code"]: int(row["population"]) for row in csv.DictReader(fh)}


@dataclass
class Municipality:
    id: int
    name: str
    iso_code: str
    region_code: str
    region_name: str
    lat: float | None
    lon: float | None
    population: int
    associations: list[str] = field(default_factory=list)
    state: str = NONE
    ending_on: date | None = None   # its confirmed steward's last day is near and nobody follows
    lapsed_on: date | None = None   # its confirmed steward ended on this day and nobody followed
    appointments: list[Appointment] = field(default_factory=list)  # current and pending (the list page)
    datasets: int = 0

    @property
    def flagged(self) -> bool:
        return self.ending_on is not None or self.lapsed_on is not None


def _state(rows, day: date) -> tuple[str, date | None, date | None]:
    """(state, ending_on, lapsed_on) from a municipality's steward appointments (role steward)."""
    confirmed_now = [r for r in rows if r.status == AppointmentStatus.CONFIRMED and r.valid_from <= day
                     and (r.valid_until is None or r.valid_until >= day)]
    later = [r.valid_from for r in rows if r.status == AppointmentStatus.CONFIRMED and r.valid_from > day]
    if confirmed_now:
        ends = [r.valid_until for r in confirmed_now]
        last = None if None in ends else max(ends)
        soon = last is not None and last <= day + timedelta(days=WARN_DAYS) and not any(f > last for f in later)
        return CONFIRMED, last if soon else None, None
    state = NOMINATED if any(r.status in PENDING for r in rows) else NONE
    ended = [r.valid_until for r in rows if r.confirmed_at is not None and r.valid_until is not None
             and r.valid_until < day]
    return state, None, (max(ended) if ended and not later else None)


def municipalities(day: date) -> list[Municipality]:
    """Every municipality with its state and flags, in Slovenian order: three queries."""
    people = population()
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.iso_code, Region.code, Region.name,
               Organisation.seat_lat, Organisation.seat_lon)
        .outerjoin(Region, Region.id == Organisation.region_id)
        .where(Organisation.kind == OrgKind.MUNICIPALITY)).all()
    result = {r[0]: Municipality(r[0], r[1], r[2] or "", r[3] or "", r[4] or "", r[5], r[6], people.get(r[2], 0))
              for r in rows}
    member_of = select(association_membership.c.member_id, Organisation.short_name).join(
        Organisation, Organisation.id == association_membership.c.association_id)
    for member_id, short in db.session.execute(member_of):
        if member_id in result:
            result[member_id].associations.append(short or "")
    stewards = defaultdict(list)
    for row in db.session.execute(
            select(Appointment.organisation_id, Appointment.status, Appointment.valid_from, Appointment.valid_until,
                   Appointment.confirmed_at).where(Appointment.role == StewardRole.STEWARD)):
        stewards[row.organisation_id].append(row)
    for org_id, m in result.items():
        m.state, m.ending_on, m.lapsed_on = _state(stewards.get(org_id, ()), day)
    return sorted(result.values(), key=lambda m: sort_key(m.name))


@dataclass
class Tally:
    key: str
    label: str
    total: int = 0
    confirmed: int = 0
    nominated: int = 0
    none: int = 0
    population: int = 0
    covered: int = 0     # residents of municipalities with a confirmed steward

    def add(self, m: Municipality) -> None:
        self.total += 1
        setattr(self, m.state, getattr(self, m.state) + 1)
        self.population += m.population
        if m.state == CONFIRMED:
            self.covered += m.population

    def share(self, state: str) -> float:
        return 100 * getattr(self, state) / self.total if self.total else 0.0

    @property
    def population_share(self) -> float:
        return 100 * self.covered / self.population if self.population else 0.0


@dataclass
class Coverage:
    day: date
    municipalities: list[Municipality]
    national: Tally
    regions: list[Tally]
    associations: list[Tally]

    @property
    def uncovered(self) -> list[Municipality]:
        return [m for m in self.municipalities if m.state != CONFIRMED]

    @property
    def flagged(self) -> list[Municipality]:
        return [m for m in self.municipalities if m.flagged]


def coverage(day: date, region_code: str = "") -> Coverage:
    """National (or one region's) coverage: figures per region and association, and every municipality."""
    everything = municipalities(day)
    chosen = [m for m in everything if not region_code or m.region_code == region_code]
    national = Tally("", "")
    regions: dict[str, Tally] = {}
    associations: dict[str, Tally] = {}
    for m in chosen:
        national.add(m)
        regions.setdefault(m.region_code, Tally(m.region_code, m.region_name)).add(m)
        for short in m.associations:
            associations.setdefault(short, Tally(short, short)).add(m)
    return Coverage(day, chosen, national, sorted(regions.values(), key=lambda t: sort_key(t.label)),
                    sorted(associations.values(), key=lambda t: t.label))


# --- who sees internal fields ----------------------------------------------------------------

def internal_ids(user) -> set[int] | None:
    """The municipalities whose internal fields the user sees; None means all (staff)."""
    if is_staff(user):
        return None
    if not signed_in(user):
        return set()
    ids = {user.organisation_id}
    if user.role == Role.ASSOCIATION:
        ids |= set(db.session.scalars(select(association_membership.c.member_id).where(
            association_membership.c.association_id == user.organisation_id)))
    return ids


def sees_internal(ids: set[int] | None, org_id: int) -> bool:
    return ids is None or org_id in ids


# --- the registry list -----------------------------------------------------------------------

def registry(day: date, *, region: str = "", association: str = "", state: str = "", text: str = "") -> list[Municipality]:
    """The municipalities matching the filters with their current and pending appointments (every
    role) and the number of datasets those look after: five queries."""
    rows = [m for m in municipalities(day)
            if (not region or m.region_code == region) and (not association or association in m.associations)
            and (not state or m.state == state or (state == "flagged" and m.flagged))
            and (not text or text.lower() in m.name.lower() or text.lower() in m.iso_code.lower())]
    by_id = {m.id: m for m in rows}
    if not by_id:
        return rows
    current = list(db.session.scalars(
        # only what the list shows (its people and their public fields): not the act, dates and times
        select(Appointment).options(lazyload(Appointment.organisation), load_only(
            Appointment.organisation_id, Appointment.role, Appointment.status, Appointment.person_name,
            Appointment.email, Appointment.public_fields))
        .where(Appointment.status != AppointmentStatus.ENDED,
               or_(Appointment.valid_until.is_(None), Appointment.valid_until >= day))
        .order_by(Appointment.role, Appointment.valid_from, Appointment.id)))
    for a in current:
        if a.organisation_id in by_id:
            by_id[a.organisation_id].appointments.append(a)
    counts = db.session.execute(
        select(Appointment.organisation_id, func.count(Dataset.id)).join(Dataset, Dataset.appointment_id == Appointment.id)
        .where(Appointment.status != AppointmentStatus.ENDED,
               or_(Appointment.valid_until.is_(None), Appointment.valid_until >= day))
        .group_by(Appointment.organisation_id))
    for org_id, n in counts:
        if org_id in by_id:
            by_id[org_id].datasets = n
    return rows


# --- one municipality ------------------------------------------------------------------------

def entry(org_id: int) -> list[Appointment]:
    """All of a municipality's appointments, newest first, with trainings, datasets and the act's
    name (not its bytes): four queries."""
    from sqlalchemy.orm import defer

    from coordination.stewards.models import ActFile

    return list(db.session.scalars(
        select(Appointment).where(Appointment.organisation_id == org_id)
        .options(lazyload(Appointment.organisation), selectinload(Appointment.trainings),
                 selectinload(Appointment.datasets), selectinload(Appointment.act_file).options(defer(ActFile.content)))
        .order_by(Appointment.status == AppointmentStatus.ENDED, Appointment.role, Appointment.valid_from.desc(),
                  Appointment.id.desc())))


def history(appointment_ids: list[int], limit: int = 100) -> list[AuditEntry]:
    """The audit entries of these appointments, newest first (one query; actors joined)."""
    if not appointment_ids:
        return []
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "Appointment",
                                 AuditEntry.entity_id.in_([str(i) for i in appointment_ids]))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def _confirmed_steward_on(day: date):
    """Stewards (not deputies) confirmed and in force on `day`."""
    return and_(Appointment.role == StewardRole.STEWARD, Appointment.status == AppointmentStatus.CONFIRMED,
                Appointment.valid_from <= day, or_(Appointment.valid_until.is_(None), Appointment.valid_until >= day))


def confirmed_stewards(day: date) -> list[Appointment]:
    """Stewards confirmed and in force on `day` (for the working group)."""
    return list(db.session.scalars(select(Appointment).where(_confirmed_steward_on(day))
                                   .order_by(Appointment.organisation_id)))


def confirmed_steward_contacts(day: date) -> list[tuple[str, int]]:
    """(e-mail, organisation id) of the stewards confirmed_stewards() gives: plain rows, for the group
    page, which needs no more (building the appointments and their organisations cost it ~5 ms)."""
    return db.session.execute(select(Appointment.email, Appointment.organisation_id).where(
        _confirmed_steward_on(day))).all()


def own_flags(org_id: int, day: date) -> tuple[date | None, date | None, str]:
    """(ending_on, lapsed_on, state) of one municipality: one query (dashboard, organisation page)."""
    rows = db.session.execute(
        select(Appointment.status, Appointment.valid_from, Appointment.valid_until, Appointment.confirmed_at)
        .where(Appointment.organisation_id == org_id, Appointment.role == StewardRole.STEWARD)).all()
    state, ending, lapsed = _state(rows, day)
    return ending, lapsed, state


def flagged_municipalities(day: date) -> list[Municipality]:
    """Municipalities whose steward ends within 30 days or ended without a successor (the digest)."""
    return [m for m in municipalities(day) if m.flagged]


# --- exports ---------------------------------------------------------------------------------

def export_appointments(day: date, region: str = "") -> list[Appointment]:
    """Current and pending appointments with their municipality and region, for CSV, XLSX and PDF:
    one query (their trainings and datasets: export_lists)."""
    query = (select(Appointment).join(Organisation, Organisation.id == Appointment.organisation_id)
             .where(Appointment.status != AppointmentStatus.ENDED,
                    or_(Appointment.valid_until.is_(None), Appointment.valid_until >= day)))
    if region:
        query = query.join(Region, Region.id == Organisation.region_id).where(Region.code == region)
    rows = list(db.session.scalars(query).unique())
    return sorted(rows, key=lambda a: (sort_key(a.organisation.name), a.role != StewardRole.STEWARD, a.role, a.valid_from))


def export_lists(appointment_ids: list[int], *, all_datasets: bool) -> tuple[dict, dict]:
    """The trainings ({appointment id: [(name, held on)]}, by date) and dataset names ({appointment
    id: [name]}, public ones only unless `all_datasets`) of these appointments for the CSV and XLSX:
    two queries of plain rows (as ORM objects, the 3,400 datasets of a national export cost ~40 ms)."""
    trainings, datasets = defaultdict(list), defaultdict(list)
    if not appointment_ids:
        return trainings, datasets
    for owner, name, held_on in db.session.execute(
            select(Training.appointment_id, Training.name, Training.held_on)
            .where(Training.appointment_id.in_(appointment_ids))
            .order_by(Training.appointment_id, Training.held_on, Training.id)):
        trainings[owner].append((name, held_on))
    query = select(Dataset.appointment_id, Dataset.name).where(Dataset.appointment_id.in_(appointment_ids))
    if not all_datasets:
        query = query.where(Dataset.public.is_(True))
    # by appointment first: SQLite then reads the appointment index, not every dataset in id order
    for owner, name in db.session.execute(query.order_by(Dataset.appointment_id, Dataset.id)):
        datasets[owner].append(name)
    return trainings, datasets


def public_datasets(day: date) -> list[Dataset]:
    """Public datasets of stewards confirmed and in force, with appointment and municipality (one query)."""
    from sqlalchemy.orm import contains_eager

    return list(db.session.scalars(
        select(Dataset).join(Appointment, Appointment.id == Dataset.appointment_id)
        .join(Organisation, Organisation.id == Appointment.organisation_id)
        .options(contains_eager(Dataset.appointment).contains_eager(Appointment.organisation))
        .where(Dataset.public.is_(True), Appointment.status == AppointmentStatus.CONFIRMED,
               Appointment.valid_from <= day, or_(Appointment.valid_until.is_(None), Appointment.valid_until >= day))
        .order_by(Organisation.id, Dataset.id)))
