"""Demo data that replays the Digi info točke pilot as the ministry announced it (22. 4. 2024):
the programme "Digi info točke (pilotni projekt)" from 31. 10. 2023 to 30. 11. 2024, run by Obrtna
zbornica Slovenije with subcontractors; 62 points opened in September 2023 and 160 more in November
2023, 222 in all: one in every one of the 212 municipalities and 10 more in the largest city
municipalities, at plainly fictional demo hosts; 24,000 visits by the end of March 2024 (targets
24,000 by then and 70,000 by 30. 11. 2024), very unequal between points; and hosting requests in
every state. Closures follow in the next step of the programme, so the demo stops at 31. 3. 2024.

Everything is deterministic (seeded random numbers, nothing to do with security).
"""
from __future__ import annotations

import csv
import math
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind
from coordination.points import geo, topics
from coordination.points.models import (
    HostingRequest,
    PointStatus,
    Programme,
    ProgrammeTarget,
    RequestStatus,
    ServicePoint,
    VisitReport,
    VisitTopic,
)
from coordination.points.months import month_end

PROGRAMME = "Digi info točke (pilotni projekt)"
CONTRACTOR = "Obrtna zbornica Slovenije s podizvajalci"
STARTS, ENDS = date(2023, 10, 31), date(2024, 11, 30)
TARGETS = ((date(2024, 3, 31), 24000, "Do konca marca 2024"),
           (date(2024, 11, 30), 70000, "Do konca izvajanja projekta"))
FIRST_WAVE, SECOND_WAVE = 62, 160
# the network's visits per month up to the end of March 2024: 24,000 in all (the seed's figure)
MONTHLY = {date(2023, 9, 1): 300, date(2023, 10, 1): 900, date(2023, 11, 1): 2000, date(2023, 12, 1): 3300,
           date(2024, 1, 1): 5000, date(2024, 2, 1): 5800, date(2024, 3, 1): 6700}
LAST_MONTH = date(2024, 3, 1)
EXTRA_POINTS = (4, 2, 1, 1, 1, 1)  # 10 more in the six largest city municipalities, by population
HOST_KINDS = ("Knjižnica", "Ljudska univerza", "Medgeneracijski center", "Podjetniški center",
              "Kulturni dom", "Center za starejše")
STREETS = ("Glavni trg", "Cankarjeva ulica", "Trubarjeva cesta", "Prešernova ulica", "Kidričeva ulica",
           "Šolska ulica", "Partizanska cesta", "Ljubljanska cesta")
# how popular each topic is at the points (relative): the e-identity and eUprava lead
TOPIC_WEIGHTS = {"eid": 14, "certificates": 11, "gov_si": 4, "euprava": 13, "ijpp_tickets": 5, "odd_vouchers": 2,
                 "vehicle_permit": 4, "ezdravje": 12, "zzzs": 8, "zpiz": 6, "employment": 3, "edavki": 10,
                 "land_registry": 2, "vignettes": 3, "social_benefits": 5, "work_residence": 2, "study_grants": 2,
                 "agriculture": 2}


def _population() -> dict[str, int]:
    path = Path(__file__).resolve().parent.parent / "data" / "population.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["code"]: int(row["population"]) for row in csv.DictReader(fh)}


def _working_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() < 5]


def _hours(rnd: random.Random) -> dict:
    morning = rnd.choice((["08:00", "12:00"], ["09:00", "13:00"], ["08:00", "11:30"]))
    hours = {day: [list(morning)] for day in ("mon", "tue", "wed", "thu", "fri")}
    for day in rnd.sample(("mon", "tue", "wed", "thu"), rnd.choice((1, 1, 2))):
        hours[day].append(["14:00", "17:00"])
    if rnd.random() < 0.15:
        hours["sat"] = [["09:00", "12:00"]]
    return hours


def _plan(rnd: random.Random) -> list[dict]:
    """The 222 points: municipality, host name, place, opening date, weight of its visits."""
    population = _population()
    municipalities = list(db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.MUNICIPALITY)))
    cities = sorted((m for m in municipalities if m.is_city), key=lambda m: -population[m.iso_code])
    extra = {m.id: n for m, n in zip(cities, EXTRA_POINTS, strict=False)}
    points = []
    for m in municipalities:
        count = 1 + extra.get(m.id, 0)
        for k in range(count):
            points.append({"municipality": m, "nth": k, "population": population[m.iso_code] / count})
    # the first wave: the largest places (by the people each point serves), then the rest in November
    points.sort(key=lambda p: (-p["population"], p["municipality"].name, p["nth"]))
    september = _working_days(date(2023, 9, 4), date(2023, 9, 29))
    november = _working_days(date(2023, 11, 2), date(2023, 11, 30))
    for index, p in enumerate(points):
        wave = september if index < FIRST_WAVE else november
        p["opened_on"] = wave[(index * 7) % len(wave)]
        # people served, flattened, times a lasting popularity of the place: a few points far above
        # what their size suggests, some far below (as the ministry found)
        p["weight"] = p["population"] ** 0.8 * math.exp(rnd.gauss(0, 0.85))
    points.sort(key=lambda p: (p["opened_on"], p["municipality"].name, p["nth"]))
    return points


def _host(name: str, municipality: Organisation) -> Organisation:
    host = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if host is None:
        host = Organisation(kind=OrgKind.HOST, name=name, region_id=municipality.region_id,
                            address=f"{municipality.name} (demo)")
        db.session.add(host)
    return host


def _place(rnd: random.Random, m: Organisation, nth: int) -> tuple[float, float]:
    spread = 0.004 if nth == 0 else 0.02
    for _attempt in range(10):
        lat, lon = m.seat_lat + rnd.uniform(-spread, spread), m.seat_lon + rnd.uniform(-spread, spread)
        if geo.in_slovenia(lon, lat, tolerance_km=0):
            return round(lat, 6), round(lon, 6)
    return m.seat_lat, m.seat_lon


def load(demo_host: str) -> bool:
    """The programme, its 222 points with visits to the end of March 2024, and the demo requests.
    `demo_host` is the demo host account's institution (it hosts Kamnik's point)."""
    if db.session.scalar(select(Programme.id).where(Programme.name == PROGRAMME)) is not None:
        return False
    rnd = random.Random(2023)  # noqa: S311  # nosec B311
    programme = Programme(name=PROGRAMME, starts_on=STARTS, ends_on=ENDS, contractor=CONTRACTOR,
                          min_days_per_week=5, min_hours_per_week=18,
                          targets=[ProgrammeTarget(due_on=d, visits=v, label=label) for d, v, label in TARGETS])
    db.session.add(programme)
    plan = _plan(rnd)
    created = []
    for number, p in enumerate(plan, start=1):
        m = p["municipality"]
        if m.name == "Kamnik" and p["nth"] == 0:
            host_name = demo_host
        else:
            kind = HOST_KINDS[(number * 5) % len(HOST_KINDS)]
            host_name = f"{kind} {m.name}{'' if p['nth'] == 0 else ' ' + str(p['nth'] + 1)} (demo)"
        host = _host(host_name, m)
        lat, lon = _place(rnd, m, p["nth"])
        hours = _hours(rnd)
        offered = list(topics.codes()) if rnd.random() < 0.7 else sorted(
            rnd.sample(topics.codes(), rnd.randint(10, 16)), key=topics.codes().index)
        weekly = sum(1 for day in hours.values() for _i in day)
        code = f"DIT-{number:03d}"
        point = ServicePoint(code=code, name=f"Digi info točka {m.name}" + ("" if p["nth"] == 0 else f" {p['nth'] + 1}"),
                             programme=programme, host=host, municipality=m,
                             address=f"{rnd.choice(STREETS)} {rnd.randint(1, 40)}, {m.name}", lat=lat, lon=lon,
                             opening_hours=hours, topics=offered, contact_name="Svetovalec Digi info točke (demo)",
                             contact_email=f"{code.lower()}@tocke.demo.si", contact_phone="01 000 00 00",
                             status=PointStatus.OPEN, opened_on=p["opened_on"],
                             cost_per_month=Decimal(300 + 15 * weekly * 4))
        db.session.add(point)
        created.append((point, p["weight"]))
    db.session.flush()
    _visits(rnd, created)
    _requests(created)
    db.session.flush()
    return True


def _allocate(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` in whole numbers that add up exactly (largest remainder)."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[:total - sum(counts)]:
        counts[i] += 1
    return counts


def _visits(rnd: random.Random, created: list) -> None:
    """Each month's network total split over the points open in it (by weight, by the share of the
    month they were open, with some monthly noise); each figure split over the point's topics."""
    reports, topic_rows = [], []
    for month, network_total in MONTHLY.items():
        days = month_end(month).day
        weights = []
        for point, weight in created:
            if point.opened_on > month_end(month):
                weights.append(0.0)
                continue
            share = (month_end(month) - max(point.opened_on, month)).days / days if point.opened_on >= month else 1
            weights.append(weight * share * math.exp(rnd.gauss(0, 0.15)))
        for (point, _w), visits in zip(created, _allocate(network_total, weights), strict=True):
            if point.opened_on <= month_end(month):
                reports.append({"point_id": point.id, "month": month, "total": visits,
                                "reported_at": datetime(month.year, month.month, 1, tzinfo=UTC) + timedelta(days=34)})
    db.session.execute(insert(VisitReport), reports)
    ids = {(pid, m): rid for rid, pid, m in db.session.execute(
        select(VisitReport.id, VisitReport.point_id, VisitReport.month).where(
            VisitReport.point_id.in_([p.id for p, _w in created])))}
    offered = {p.id: p.topics for p, _w in created}
    for row in reports:
        codes = offered[row["point_id"]]
        classified = math.floor(row["total"] * rnd.uniform(0.85, 1.0))
        counts = _allocate(classified, [TOPIC_WEIGHTS[c] * rnd.uniform(0.6, 1.4) for c in codes])
        topic_rows.extend({"report_id": ids[(row["point_id"], row["month"])], "topic": c, "visits": n}
                          for c, n in zip(codes, counts, strict=True) if n)
    for start in range(0, len(topic_rows), 5000):
        db.session.execute(insert(VisitTopic), topic_rows[start:start + 5000])


# --- hosting requests in every state -----------------------------------------------------------

def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _request(applicant: User, municipality: Organisation, programme: Programme, *, host=None, new_host="",
             address: str, justification: str, expected: int, nth: int = 1) -> HostingRequest:
    from coordination.points import services

    hours = {day: [["08:00", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    hours["wed"].append(["14:00", "17:00"])
    return services.create_request(
        applicant, programme, municipality_id=municipality.id, host_id=host.id if host else None,
        proposed_host_name=new_host, proposed_host_kind="community" if new_host else "",
        proposed_host_address=f"{address}" if new_host else "", address=address,
        lat=round(municipality.seat_lat + 0.003 * nth, 6), lon=round(municipality.seat_lon - 0.004 * nth, 6),
        opening_hours=hours, topics=list(topics.codes())[:12],
        staff="Dva svetovalca z opravljenim usposabljanjem za digitalne javne storitve.",
        contact_name=applicant.name, contact_email=applicant.email, contact_phone="01 000 00 00",
        expected_visits=expected, justification=justification)


def _dated(request: HostingRequest, when: datetime) -> None:
    """Put the request's steps on the dates of the story (services stamp them with the present)."""
    request.created_at = when - timedelta(days=2)
    if request.submitted_at:
        request.submitted_at = when
    if request.decided_at:
        request.decided_at = when + timedelta(days=12)
    for n, entry in enumerate(request.comments):
        entry.created_at = when + timedelta(days=3 * n)


def _requests(created: list) -> None:
    from coordination.points import services

    ministry = _user("ministrstvo@demo.si")
    kamnik, ljubljana, host_user = _user("kamnik@demo.si"), _user("ljubljana@demo.si"), _user("tocka@demo.si")
    if None in (ministry, kamnik, ljubljana, host_user):
        return
    programme = created[0][0].programme
    kamnik_org, ljubljana_org = kamnik.organisation, ljubljana.organisation
    story = datetime(2024, 2, 5, 9, 0, tzinfo=UTC)

    # opened: the request behind Kamnik's point, hosted by the demo library (the host account's)
    kamnik_point = next(p for p, _w in created if p.municipality_id == kamnik_org.id)
    opened = _request(host_user, kamnik_org, programme, host=kamnik_point.host, address=kamnik_point.address,
                      expected=180, justification="Knjižnica je v središču mesta in ima prostor za svetovanje.")
    services.step(opened, RequestStatus.SUBMITTED, author=host_user)
    services.step(opened, RequestStatus.APPROVED, author=ministry)
    opened.status = RequestStatus.OPENED
    opened.point = kamnik_point
    services.history_entry(opened, host_user, f"Točka {kamnik_point.code} odprta.", RequestStatus.APPROVED,
                      RequestStatus.OPENED)
    _dated(opened, datetime(2023, 10, 2, 9, 0, tzinfo=UTC))

    draft = _request(kamnik, kamnik_org, programme, new_host="Medgeneracijski center Kamnik (demo)",
                     address="Šutna 12, Kamnik", expected=90, nth=2,
                     justification="Starejši v starem mestnem jedru potrebujejo pomoč bližje domu.")
    draft.created_at = story

    submitted = _request(ljubljana, ljubljana_org, programme, new_host="Četrtni center Moste (demo)",
                         address="Zaloška cesta 54, Ljubljana", expected=400,
                         justification="Četrtna skupnost Moste nima točke, obiski na obstoječih so visoki.")
    services.step(submitted, RequestStatus.SUBMITTED, author=ljubljana)
    _dated(submitted, story + timedelta(days=10))

    review = _request(host_user, kamnik_org, programme, host=kamnik_point.host, address="Tunjice 20, Kamnik",
                      expected=60, nth=3, justification="Podružnica knjižnice bi pokrila vasi severno od Kamnika.")
    services.step(review, RequestStatus.SUBMITTED, author=host_user)
    services.step(review, RequestStatus.UNDER_REVIEW, author=ministry)
    services.comment(review, "Koliko obiskovalcev pričakujete v poletnih mesecih, ko je podružnica zaprta?",
                     author=ministry)
    services.comment(review, "Poleti bi svetovali v matični knjižnici; podružnica bi bila odprta od septembra do "
                             "junija.", author=host_user)
    _dated(review, story + timedelta(days=4))

    approved = _request(ljubljana, ljubljana_org, programme, new_host="Knjižnica Šiška, enota Vižmarje (demo)",
                        address="Vižmarska pot 1, Ljubljana", expected=300, nth=2,
                        justification="Severni del Ljubljane je od najbližje točke oddaljen več kot 4 km.")
    services.step(approved, RequestStatus.SUBMITTED, author=ljubljana)
    services.step(approved, RequestStatus.APPROVED, author=ministry,
                  reason="Lokacija pokriva del mesta brez točke; obratovalni čas ustreza pogojem programa.")
    _dated(approved, story - timedelta(days=20))

    rejected = _request(kamnik, kamnik_org, programme, new_host="Turistično društvo Kamniška Bistrica (demo)",
                        address="Kamniška Bistrica 1, Kamnik", expected=15, nth=4,
                        justification="Točka za obiskovalce doline in okoliške prebivalce.")
    services.step(rejected, RequestStatus.SUBMITTED, author=kamnik)
    services.step(rejected, RequestStatus.REJECTED, author=ministry, reason=(
        "Pričakovano število obiskov (15 na mesec) je precej pod ravnjo, ki jo program predvideva, lokacija pa "
        "je od obstoječe točke v Kamniku oddaljena manj kot 12 km. Prebivalcem je na voljo točka DIT v središču "
        "Kamnika."))
    _dated(rejected, datetime(2023, 11, 6, 9, 0, tzinfo=UTC))

    withdrawn = _request(ljubljana, ljubljana_org, programme, new_host="Športni park Stožice (demo)",
                         address="Vojkova cesta 100, Ljubljana", expected=50, nth=3,
                         justification="Točka ob dogodkih v športnem parku.")
    services.step(withdrawn, RequestStatus.SUBMITTED, author=ljubljana)
    services.step(withdrawn, RequestStatus.WITHDRAWN, author=ljubljana,
                  reason="Prostor v parku ni več na voljo; predlagamo Moste.")
    _dated(withdrawn, story - timedelta(days=30))
    db.session.flush()
