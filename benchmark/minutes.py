"""Benchmark data and pages of approving the minutes: a circulated meeting of group 1 (whose secretary
the municipal user is) with 40 participants (half with their attendance not recorded), 8 agenda items
(2 without minutes) and 240 comments, for the approval checklist; and an approved meeting of group 1
with 60 revisions, for the history's approved versions and the PDF of one of them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.meetings.models import AgendaItem, Meeting, MinutesComment, MinutesVersion, Participant

CIRCULATED, APPROVED, LONG = 900_001, 900_002, 900_003  # ids of their own, above the generated meetings
PARTICIPANTS, COMMENTS, REVISIONS = 40, 240, 60
# a long meeting's minutes: LONG_ITEMS agenda items of LONG_PARAGRAPHS paragraphs, about 100 pages of PDF
LONG_ITEMS, LONG_PARAGRAPHS = 40, 25
PARAGRAPH = ("Predstavniki občin so predstavili stanje na svojem območju in opozorili na odprta vprašanja. "
             "Ministrstvo je pojasnilo časovnico, pogoje sofinanciranja in obveznosti poročanja. "
             "Dogovorjeno je bilo, da se pripravi predlog, ga pošlje v pregled in o njem odloči na naslednji seji. ")

PAGES = [
    ("minutes approval checklist", "uporabnik3@bench.si", f"/sestanki/{CIRCULATED}/zapisnik/potrdi", False),
    ("minutes history (61 approved versions)", "uporabnik3@bench.si",
     f"/sestanki/{APPROVED}/tocke/{APPROVED * 10 + 1}/zgodovina", False),
    ("minutes PDF of approved version 30", "uporabnik3@bench.si", f"/sestanki/{APPROVED}/zapisnik-razlicica-30.pdf",
     False),
    ("minutes PDF (100 pages)", "uporabnik3@bench.si", f"/sestanki/{LONG}/zapisnik.pdf", False),
]
LONG_PAGES = {"minutes PDF (100 pages)"}  # timed over fewer runs (budget: 15 s each)


def generate(now) -> dict:
    start = now - timedelta(days=10)
    meeting = {"group_id": 1, "starts_at": start, "ends_at": start + timedelta(hours=2), "place": "Ljubljana",
               "visibility": "internal", "register_body": "DS-1", "created_at": now, "created_by_id": 1}
    db.session.execute(insert(Meeting), [
        {**meeting, "id": CIRCULATED, "title": "Seja v pregledu", "minutes_state": "circulated"},
        {**meeting, "id": APPROVED, "title": "Seja s popravki", "minutes_state": "approved", "approved_by_id": 3,
         "approved_at": start + timedelta(days=2)},
        {**meeting, "id": LONG, "title": "Dolga seja", "minutes_state": "draft"}])
    users = db.session.execute(select(User.id, User.organisation_id).where(User.id >= 3).order_by(User.id)
                               .limit(PARTICIPANTS)).all()
    # explicit ids after the generated rows': on PostgreSQL the sequences are moved only at the end
    first_participant = db.session.scalar(select(func.coalesce(func.max(Participant.id), 0))) + 1
    db.session.execute(insert(Participant), [
        {"id": first_participant + k, "meeting_id": CIRCULATED, "user_id": uid, "organisation_id": org, "attendance": "present" if k % 2 else "invited"}
        for k, (uid, org) in enumerate(users)])
    items, versions = [], []
    for meeting_id in (CIRCULATED, APPROVED):
        for pos in range(1, 9):
            text = "" if meeting_id == CIRCULATED and pos > 6 else f"Zapis točke {pos}."
            items.append({"id": meeting_id * 10 + pos, "meeting_id": meeting_id, "position": pos, "title": f"Točka {pos}",
                          "visibility": "internal", "minutes": text, "minutes_version": 1 if text else 0})
            if text:
                versions.append({"item_id": meeting_id * 10 + pos, "version": 1, "text": text, "author_id": 3,
                                 "created_at": start})
    long_text = "\n\n".join(f"{n + 1}. {PARAGRAPH}" if n % 6 else f"## Razprava {n // 6 + 1}\n\n- {PARAGRAPH}"
                              for n in range(LONG_PARAGRAPHS))
    items += [{"id": LONG * 10 + pos, "meeting_id": LONG, "position": pos, "title": f"Točka {pos}",
               "visibility": "internal", "minutes": long_text, "minutes_version": 1} for pos in range(1, LONG_ITEMS + 1)]
    versions += [{"item_id": LONG * 10 + pos, "version": 1, "text": long_text, "author_id": 3, "created_at": start}
                 for pos in range(1, LONG_ITEMS + 1)]
    db.session.execute(insert(AgendaItem), items)
    next_version = db.session.scalar(select(func.coalesce(func.max(MinutesVersion.id), 0))) + 1
    for k, version in enumerate(versions):
        version["id"] = next_version + k
    db.session.execute(insert(MinutesVersion), versions)
    next_version += len(versions)
    db.session.execute(insert(MinutesVersion), [
        {"id": next_version + n, "item_id": APPROVED * 10 + 1 + n % 8, "version": 2 + n // 8, "text": f"Popravek {n}.", "author_id": 3,
         "created_at": start + timedelta(days=3, hours=n), "revision_reason": f"Razlog {n}."} for n in range(REVISIONS)])
    db.session.execute(insert(MinutesComment), [
        {"item_id": CIRCULATED * 10 + 1 + n % 6, "author_id": users[n % len(users)][0], "text": f"Pripomba {n}.",
         "created_at": start + timedelta(days=1)} for n in range(COMMENTS)])
    revised = db.session.execute(select(MinutesVersion.item_id, func.max(MinutesVersion.version))
                                 .where(MinutesVersion.item_id.between(APPROVED * 10, APPROVED * 10 + 9))
                                 .group_by(MinutesVersion.item_id)).all()
    for item_id, latest in revised:
        db.session.execute(AgendaItem.__table__.update().where(AgendaItem.id == item_id)
                           .values(minutes_version=latest))
    return {"minutes comments": COMMENTS, "minutes revisions": REVISIONS}
