"""The demo data a new developer sees after `make run`."""
import re
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from coordination import demo
from coordination.accounts.models import Role, User
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.meetings.models import Meeting, MinutesState
from coordination.organisations.models import Organisation, OrgKind
from coordination.types import LJUBLJANA

# a copy of ../shared/seeds/001_681bd9539a94e8bd.txt, the source the meeting of 20. 9. 2022 replays
SEED = (Path(__file__).parent / "data" / "seed_minister_meeting.txt").read_text(encoding="utf-8")


def _seed_conclusions() -> list[str]:
    return re.findall(r"^ *\d\. (.+)$", SEED.split("Zaključki sestanka so bili:")[1], flags=re.MULTILINE)


def _seed_sentences() -> list[str]:
    """Every sentence of the source's account of the meeting (before its conclusions)."""
    account = SEED.split("Zaključki sestanka so bili:")[0].split("\n", 1)[1]
    paragraphs = [p.strip() for p in account.split("\n\n") if p.strip()]
    return [s for p in paragraphs for s in re.split(r"(?<!dr\.)(?<=\.) (?=[A-ZČŠŽ])", p)]


def _local(moment: datetime) -> date:
    return moment.astimezone(LJUBLJANA).date()


def test_demo_accounts_and_the_minister_meeting(session):
    with acting_as("tests"):
        assert demo.load() == len(demo.ACCOUNTS)
        assert demo.load() == 0  # idempotent
    roles = set(session.scalars(select(User.role).where(User.email.like("%@demo.si"))))
    assert roles == set(Role)
    meeting = session.scalar(select(Meeting).where(Meeting.title == demo.MINISTER_MEETING))
    assert meeting.starts_at.date().isoformat() == "2022-09-20"
    assert meeting.minutes_state == MinutesState.APPROVED
    assert {o.short_name for o in meeting.organisers} == {"SDP", "ZMOS", "SOS"}
    assert [c.register_number for c in meeting.conclusions] == [f"SDP 2022/{n}" for n in range(1, 6)]
    assert [c.number for c in meeting.conclusions] == [1, 2, 3, 4, 5]
    established = [c.establishes_group.code for c in meeting.conclusions if c.establishes_group]
    assert established == ["DS-SP", "DS-IT"]
    assert "Digitalna Slovenija 2030" in meeting.conclusions[2].text
    assert [g.name for g in (meeting.conclusions[1].establishes_group, meeting.conclusions[3].establishes_group)] == [
        "Delovna skupina skrbnikov podatkov občin",
        "Delovna skupina za tehnične in vsebinske zahteve občin za IT infrastrukturo"]
    assert session.scalar(select(func.count()).select_from(Meeting).where(Meeting.title == demo.MINISTER_MEETING)) == 1


def test_demo_action_items_follow_the_five_conclusions(session):
    from coordination.actions.models import ActionItem, FanOut, ItemStatus

    with acting_as("tests"):
        demo.load()
        assert demo.load_action_items() is False  # idempotent
    meeting = session.scalar(select(Meeting).where(Meeting.title == demo.MINISTER_MEETING))
    assert all(c.action_items for c in meeting.conclusions), "every conclusion has its action items"
    fanout = session.scalar(select(FanOut).where(FanOut.title == demo.STEWARD_TASK))
    assert fanout.conclusion.number == 2
    statuses = dict(session.execute(select(ActionItem.status, func.count()).where(
        ActionItem.fanout_id == fanout.id).group_by(ActionItem.status)).all())
    assert sum(statuses.values()) == 212
    assert set(statuses) == set(ItemStatus), statuses
    assert statuses[ItemStatus.DONE] > statuses[ItemStatus.OPEN] > statuses[ItemStatus.BLOCKED]


def test_the_minister_meeting_replays_the_source(session):
    with acting_as("tests"):
        demo.load()
    meeting = session.scalar(select(Meeting).where(Meeting.title == demo.MINISTER_MEETING))
    assert meeting.title == SEED.splitlines()[0] == "Sestanek z ministrico za digitalizacijo"
    assert meeting.place == "Ljubljana"
    assert [c.text for c in meeting.conclusions] == _seed_conclusions()
    assert len(_seed_conclusions()) == 5 and _seed_conclusions()[0].startswith("Ustanovi se medresorska")
    minutes = meeting.agenda[0].minutes
    sentences = _seed_sentences()
    assert len(sentences) == 9 and sentences[0].endswith("dr. Emilijo Stojmenovo Duh in sodelavci.")
    for sentence in sentences:
        assert sentence in minutes, sentence
    assert "približno 12 mio EUR (EU in RS)" in minutes
    assert "dr. Emilijo Stojmenovo Duh" in minutes and "Minister " not in minutes
    assert {p.organisation.short_name for p in meeting.participants} == {"SDP", "ZMOS", "SOS"}
    assert session.scalar(select(Organisation.name).where(Organisation.short_name == "SDP")) == \
        "Služba Vlade Republike Slovenije za digitalno preobrazbo"


def test_the_2022_records_are_dated_in_2022(session):
    from coordination.actions.models import ActionItem, FanOut, ItemUpdate
    from coordination.meetings.models import Conclusion, MinutesVersion

    with acting_as("tests"):
        demo.load()
    meeting = session.scalar(select(Meeting).where(Meeting.title == demo.MINISTER_MEETING))
    autumn_2022 = (date(2022, 9, 13), date(2022, 12, 31))

    def in_2022(moment):
        return autumn_2022[0] <= _local(moment) <= autumn_2022[1]

    assert in_2022(meeting.created_at) and _local(meeting.approved_at) == date(2022, 10, 4)
    versions = session.scalars(select(MinutesVersion).where(MinutesVersion.item_id == meeting.agenda[0].id)).all()
    assert versions and all(_local(v.created_at) == date(2022, 9, 21) for v in versions)
    assert all(_local(c.created_at) == date(2022, 9, 21) for c in meeting.conclusions)
    assert all(in_2022(c.establishes_group.created_at) for c in meeting.conclusions if c.establishes_group)
    steward_task = session.scalar(select(FanOut.id).where(FanOut.title == demo.STEWARD_TASK))
    follow_up = session.scalars(select(ActionItem).join(Conclusion).where(
        Conclusion.meeting_id == meeting.id, ActionItem.fanout_id.is_(None))).all()
    assert len(follow_up) == len(demo.FOLLOW_UP)
    assert all(_local(i.created_at) == date(2022, 10, 4) for i in follow_up)
    changes = session.scalars(select(ItemUpdate).where(ItemUpdate.item_id.in_([i.id for i in follow_up]))).all()
    assert changes and all(in_2022(u.created_at) for u in changes)
    assert all(in_2022(i.closed_at) for i in follow_up if i.closed_at)
    # the audit entries written while the meeting was loaded carry the same time
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "Conclusion", AuditEntry.entity_id.in_([str(c.id) for c in meeting.conclusions])))
    assert {_local(e.at) for e in entries} == {date(2022, 9, 21)}
    approval = session.scalars(select(AuditEntry.at).where(
        AuditEntry.entity_type == "Meeting", AuditEntry.entity_id == str(meeting.id))).all()
    assert approval and all(in_2022(at) for at in approval)
    # today's work stays today's: the fan-out of conclusion 2 and the DS-IT meeting to come
    fanned = session.scalar(select(FanOut).where(FanOut.id == steward_task))
    assert _local(fanned.created_at).year > 2022 and fanned.items[0].due_date > date(2022, 12, 31)


def test_association_memberships_are_realistic(session, client, no_csrf):
    with acting_as("tests"):
        demo.load()

    def members(short):
        return session.scalar(select(Organisation).where(Organisation.short_name == short)).members

    sos, zos, zmos = members("SOS"), members("ZOS"), members("ZMOS")
    assert (len(sos), len(zos)) == (170, 100)
    assert len(zmos) == 12 and all(m.is_city for m in zmos)
    municipalities = session.scalars(select(Organisation).where(Organisation.kind == OrgKind.MUNICIPALITY)).all()
    assert all(m.associations for m in municipalities), "every municipality belongs to an association"
    assert 0 < len({m.id for m in sos} & {m.id for m in zos}) < 100
    # the same choice on every load: a second load changes nothing
    with acting_as("tests"):
        demo.load()
    assert len(members("SOS")) == 170
    # the association's account sees its members' work in the status matrix
    from coordination.actions.models import FanOut

    fanout = session.scalar(select(FanOut).where(FanOut.title == demo.STEWARD_TASK))
    client.post("/prijava", data={"email": "sos@demo.si", "password": demo.DEMO_PASSWORD})
    page = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    assert page.count(" is-member") == 170  # all 212 shown, its members marked
    members_only = client.get(f"/razprsitve/{fanout.id}?members=1").get_data(as_text=True)
    assert members_only.count(" is-member") == 170 and members_only.count('<li class="cell ') == 170
    assert {m.name for m in sos} == set(re.findall(r'is-member">\s*<a href="[^"]+">([^<]+)</a>', members_only))
