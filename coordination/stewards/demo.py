"""Demo data of the data-steward registry (development only), consistent with the demo's fan-out of
conclusion 2 ("name a data steward"): every municipality whose item is done has a confirmed
steward; about a third of those still working on it have a nomination waiting (Kamnik among them,
so the ministry can confirm it and see Kamnik's item close); a few confirmed appointments ended
without a successor and a few end within 30 days, so coverage shows gaps in every region. About
70 % of the municipalities have somebody. Names are plainly fictional, addresses @…primer.si."""
from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from sqlalchemy import select

from coordination.extensions import db
from coordination.stewards import services
from coordination.stewards.models import Appointment, Frequency, StewardRole

FIRST = ("Ana", "Boris", "Cvetka", "Damjan", "Eva", "Franc", "Gaja", "Igor", "Irena", "Jure", "Katja", "Luka", "Maja",
         "Nejc", "Petra", "Rok", "Sara", "Tine", "Urška", "Vid", "Zala", "Žan", "Tjaša", "Matej", "Nina", "Gregor")
LAST = ("Primer", "Vzorec", "Zgled", "Poskus", "Izmišljen", "Demo", "Preizkus", "Vaja")
FUNCTIONS = ("Svetovalec za informatiko", "Višja svetovalka za okolje in prostor", "Direktor občinske uprave",
             "Svetovalka za javna naročila", "Referent za gospodarske javne službe")
DATASETS = (
    ("Evidenca občinskih cest", "Kategorizirane občinske ceste z dolžinami in upravljavci.",
     "Zakon o cestah (ZCes-2)", Frequency.ANNUAL),
    ("Občinski prostorski načrt", "Namenska raba prostora in prostorski izvedbeni pogoji.",
     "Zakon o urejanju prostora (ZUreP-3)", Frequency.IRREG),
    ("Lokacije ekoloških otokov", "Zbiralnice ločeno zbranih odpadkov z vrstami posod.",
     "Uredba o odpadkih", Frequency.QUARTERLY),
    ("Proračun občine", "Sprejeti proračun in rebalansi po ekonomski in funkcionalni klasifikaciji.",
     "Zakon o javnih financah (ZJF)", Frequency.ANNUAL),
    ("Register javnih zelenih površin", "Parki, igrišča in zelenice v upravljanju občine.", "", Frequency.ANNUAL),
    ("Evidenca nepremičnega premoženja", "Nepremičnine v lasti občine z namenom uporabe.",
     "Zakon o stvarnem premoženju države in samoupravnih lokalnih skupnosti (ZSPDSLS-1)", Frequency.MONTHLY),
)
TRAININGS = (("Osnove upravljanja podatkov v občini", "Ministrstvo za digitalno preobrazbo"),
             ("Odprti podatki in portal OPSI", "Ministrstvo za digitalno preobrazbo"),
             ("Varstvo osebnih podatkov pri objavi", "Informacijski pooblaščenec"))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


def _person(rnd: random.Random, org) -> dict:
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    return {"person_name": f"{first} {last}", "function": rnd.choice(FUNCTIONS),
            "email": f"{_ascii(first)}.{_ascii(last)}@{_ascii(org.name)}.primer.si",
            "phone": f"0{rnd.randint(1, 7)} {rnd.randint(200, 899)} {rnd.randint(10, 99)} {rnd.randint(10, 99)}"}


def load(steward_task: str) -> bool:
    """Create the registry's demo entries once (after the demo's fan-out of conclusion 2, whose
    title is `steward_task`)."""
    from coordination.accounts.models import User
    from coordination.actions.models import FanOut, ItemStatus
    from coordination.types import today

    fanout = db.session.scalar(select(FanOut).where(FanOut.title == steward_task))
    if fanout is None or db.session.scalar(select(Appointment.id).limit(1)) is not None:
        return False
    ministry = db.session.scalar(select(User).where(User.email == "ministrstvo@demo.si"))
    services.mark_as_request(fanout)
    # a fixed demo spread, nothing to do with security
    rnd = random.Random(2024)  # noqa: S311  # nosec B311
    day = today()
    items = sorted(fanout.items, key=lambda i: i.assignee_org.name)
    done = [i.assignee_org for i in items if i.status == ItemStatus.DONE]
    working = [i.assignee_org for i in items if i.status == ItemStatus.IN_PROGRESS]
    # every region keeps a gap: where all of a region's municipalities are done, one steward's
    # appointment has lapsed (the item stays done: the municipality did name one back then)
    regions_with_gap = {i.assignee_org.region_id for i in items if i.status != ItemStatus.DONE}
    lapsed = {o.id for o in rnd.sample(done, 4)}
    for region_id in {o.region_id for o in done} - regions_with_gap:
        lapsed.add(next(o.id for o in done if o.region_id == region_id))
    ending = {o.id for o in rnd.sample([o for o in done if o.id not in lapsed], 5)}
    for org in done:
        start = day - timedelta(days=rnd.randint(200, 900))
        until = None
        if org.id in lapsed:
            until = day - timedelta(days=rnd.randint(5, 60))
        elif org.id in ending:
            until = day + timedelta(days=rnd.randint(3, 28))
        steward = _appoint(rnd, org, StewardRole.STEWARD, start, None if org.id in lapsed else until, ministry)
        if org.id in lapsed:  # ended without a successor
            services.end(steward, version=steward.version, on=until, reason="Zaposlitev prenehala.")
        for name, description, basis, frequency in rnd.sample(DATASETS, rnd.randint(1, 3)):
            services.add_dataset(steward, name=name, description=description, legal_basis=basis, frequency=frequency,
                                 portal_url=f"https://podatki.gov.si/dataset/{_ascii(org.name)}-{_ascii(name)}"
                                 if rnd.random() < 0.4 else "", public=rnd.random() < 0.85)
        for name, provider in rnd.sample(TRAININGS, rnd.randint(0, 2)):
            services.add_training(steward, name=name, held_on=start + timedelta(days=rnd.randint(20, 150)),
                                  provider=provider)
        if rnd.random() < 0.3 and org.id not in lapsed:
            _appoint(rnd, org, StewardRole.DEPUTY, start, until, ministry)
    kamnik = [o for o in working if o.name == "Kamnik"]
    nominated = kamnik + rnd.sample([o for o in working if o.name != "Kamnik"], max(0, len(working) * 2 // 3 - 1))
    for index, org in enumerate(nominated):
        appointment = services.nominate(org, role=StewardRole.STEWARD, valid_from=day + timedelta(days=7),
                                        act_reference=f"0141-{index + 1}/{day.year}", act_date=day - timedelta(days=3),
                                        act_signed_by="župan", public_fields=["person_name", "function", "email"],
                                        **_person(rnd, org))
        if index % 9 == 5:
            services.return_nomination(appointment, author=ministry, version=appointment.version,
                                       reason="Manjka številka akta o imenovanju; prosimo, dopolnite.")
    db.session.flush()
    return True


def _appoint(rnd, org, role, start, until, ministry) -> Appointment:
    appointment = services.nominate(org, role=role, valid_from=start, valid_until=until,
                                    act_reference=f"0141-{rnd.randint(1, 40)}/{start.year}",
                                    act_date=start - timedelta(days=rnd.randint(1, 20)), act_signed_by="župan",
                                    public_fields=["person_name", "function", "email", "trainings"], **_person(rnd, org))
    services.confirm(appointment, author=ministry, version=appointment.version)
    return appointment
