"""E-mail preferences per kind of event: the settings page (defaults, validation, audit) and every
place that e-mails a user about an event honouring the preference of its kind."""
from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions import reminders
from coordination.actions.models import EmailKind, EmailOptOut, FanOutScope, Notification
from coordination.actions.preferences import opted_out
from coordination.audit.models import AuditEntry
from coordination.extensions import db
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import Attendance
from coordination.notifications import services as notifications
from coordination.points import services as points
from coordination.types import today
from tests import factories as f
from tests.meetings.helpers import group_with_people, meeting

KINDS = ("assignment", "status", "comments", "minutes", "digest")


@pytest.fixture
def client(client, no_csrf):
    return client


@pytest.fixture
def official(session):
    return f.user(Role.MUNICIPAL, f.municipality("Kamnik"), name="Klemen Kamniški")


def _mails(folder) -> list:
    db.session.commit()  # into the test's outer transaction: the outbox backend writes a change's mail as it commits
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def _to(folder) -> list[str]:
    return sorted(m["To"] for m in _mails(folder))


def _switch_off(user, *kinds: EmailKind) -> None:
    for kind in kinds:
        db.session.add(EmailOptOut(user_id=user.id, kind=kind))
    db.session.flush()


def _ticked(page: str, key: str) -> bool:
    [box] = re.findall(rf'<input[^>]*\bid="{key}"[^>]*>', page)
    return " checked " in box


def _last_audit() -> int:
    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


# --- the settings page -----------------------------------------------------------------------------

def test_every_kind_is_on_by_default_and_the_account_menu_leads_there(client, official):
    f.login(client, official)
    home = client.get("/obvestila").get_data(as_text=True)
    assert 'href="/racun/obvestila"' in home.split('class="account"', 1)[1].split("</div>", 1)[0]
    page = client.get("/racun/obvestila").get_data(as_text=True)
    for key in KINDS:
        assert _ticked(page, key)
    assert notifications.preferences(official) == dict.fromkeys(KINDS, True)


def test_switching_kinds_off_and_on_is_stored_and_audited(client, official):
    f.login(client, official)
    before = _last_audit()
    response = client.post("/racun/obvestila", data={"assignment": "y", "comments": "y", "digest": "y"})
    assert response.status_code == 302
    assert notifications.preferences(official) == {"assignment": True, "status": False, "comments": True,
                                                   "minutes": False, "digest": True}
    assert opted_out([official.id], EmailKind.MINUTES) == {official.id}
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.id > before)).all()
    assert (entry.entity_type, entry.entity_id) == ("EmailPreferences", str(official.id))
    assert entry.changes == {"status": [True, False], "minutes": [True, False]}
    page = client.get("/racun/obvestila").get_data(as_text=True)
    assert "Vaše e-poštne nastavitve so shranjene." in page
    assert not _ticked(page, "minutes") and _ticked(page, "assignment")  # as stored
    # on again, and the digest off: one more entry; the digest's change is also on the account
    response = client.post("/racun/obvestila", data=dict.fromkeys(("assignment", "status", "comments", "minutes"),
                                                                    "y"))
    assert response.status_code == 302
    db.session.refresh(official)
    assert official.digest_enabled is False and notifications.preferences(official)["minutes"] is True
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > entry.id)).all()
    assert {e.entity_type for e in entries} == {"EmailPreferences", "User"}
    mine = next(e for e in entries if e.entity_type == "EmailPreferences")
    assert mine.changes == {"status": [False, True], "minutes": [False, True], "digest": [True, False]}


def test_the_audit_log_words_the_change(client, official):
    admin = f.user(Role.ADMIN, f.by_short_name("MDP"))
    notifications.set_preferences(official, {"comments": False})
    f.login(client, admin)
    page = client.get("/revizijska-sled/").get_data(as_text=True)
    assert "Sprememba e-poštnih nastavitev za „Klemen Kamniški“" in page
    assert "E-pošta: komentarji" in page


def test_saving_without_a_change_says_so_and_writes_nothing(client, official):
    f.login(client, official)
    before = _last_audit()
    response = client.post("/racun/obvestila", data=dict.fromkeys(KINDS, "y"), follow_redirects=True)
    assert "V e-poštnih nastavitvah ni bilo sprememb." in response.get_data(as_text=True)
    assert _last_audit() == before


def test_a_value_that_is_neither_yes_nor_no_is_refused_next_to_its_box(client, official):
    f.login(client, official)
    before = _last_audit()
    response = client.post("/racun/obvestila", data={"assignment": "y", "status": "morda"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="status-error"' in page and "Izberite da (označeno) ali ne (neoznačeno)." in page
    assert '<input aria-describedby="status-error" aria-invalid="true" checked id="status"' in page  # as sent
    assert _ticked(page, "assignment") and not _ticked(page, "minutes")  # as sent
    assert 'class="error-summary"' in page
    assert notifications.preferences(official) == dict.fromkeys(KINDS, True) and _last_audit() == before


def test_one_users_settings_are_not_anothers(client, official):
    other = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))
    f.login(client, official)
    client.post("/racun/obvestila", data={})
    assert notifications.preferences(official) == dict.fromkeys(KINDS, False)
    assert notifications.preferences(other) == dict.fromkeys(KINDS, True)


# --- every e-mail follows the preference of its kind -------------------------------------------------

def test_minutes_mail_follows_the_minutes_setting_not_the_digest(session, mail_outbox):
    group, people = group_with_people()
    secretary, member, observer = (people[r] for r in (GroupRole.SECRETARY, GroupRole.MEMBER, GroupRole.OBSERVER))
    member.digest_enabled = False      # no digest, but minutes e-mail on: still told by e-mail
    _switch_off(observer, EmailKind.MINUTES)
    m = meeting(group)
    for person in (secretary, member, observer):
        meetings.add_participant(m, organisation=person.organisation, user=person, attendance=Attendance.PRESENT)
    f.minutes(m, secretary, "Zapis.", title="Uvod")
    meetings.circulate(m, secretary)
    assert _to(mail_outbox) == [member.email]
    told = db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == observer.id))
    assert told == 1  # in-app stays on


def test_fanout_reminders_follow_the_assignment_setting(session, mail_outbox):
    staff = f.user(Role.MINISTRY)
    kamnik = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))
    kamnik_quiet = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))
    kranj = f.user(Role.MUNICIPAL, f.municipality("Kranj"))
    _switch_off(kamnik_quiet, EmailKind.ASSIGNMENT)
    _switch_off(kranj, EmailKind.STATUS, EmailKind.COMMENTS, EmailKind.MINUTES)  # other kinds: still reminded
    fanout = f.fan_out(f.conclusion(f.meeting(), "Sklep"), staff, "Imenovati skrbnika", scope=FanOutScope.CHOSEN,
                       chosen=[kamnik.organisation_id, kranj.organisation_id])
    assert _to(mail_outbox) == sorted([kamnik.email, kranj.email])  # the assignment
    for message in mail_outbox.glob("*.eml"):
        message.unlink()
    assert reminders.remind_fanout(fanout, staff, [i.id for i in fanout.items]) == 2
    assert _to(mail_outbox) == sorted([kamnik.email, kranj.email])  # the reminder
    notices = db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == kamnik_quiet.id))
    assert notices == 2  # assigned and reminded, in the app


@pytest.mark.parametrize(("kind", "what"), [("status", "step"), ("comments", "comment")])
def test_hosting_request_mail_follows_its_kind(session, mail_outbox, kind, what):
    ministry = [f.user(Role.MINISTRY) for _ in range(3)]
    _switch_off(ministry[0], EmailKind(kind))
    other = EmailKind.COMMENTS if kind == "status" else EmailKind.STATUS
    _switch_off(ministry[1], other)  # the other kind off: this one still comes
    kamnik = f.municipality("Kamnik")
    request = SimpleNamespace(id=1, applicant_org_id=kamnik.id, host_name="Knjižnica", municipality=kamnik,
                              address="Glavni trg 1")
    sent_to = points.notify(request, None, lambda: f"Vloga: {what}", kind=kind)
    assert sent_to >= 3  # every ministry user is told in the app
    to = _to(mail_outbox)
    assert ministry[0].email not in to and ministry[1].email in to and ministry[2].email in to


def test_the_digest_follows_the_digest_switch(client, session, official):
    staff = f.user(Role.MINISTRY)
    f.action_item(staff, "Rok se bliža", org=official.organisation, due_date=today() + timedelta(days=1))
    assert [d.user.id for d in reminders.collect_digests(7, today())] == [official.id]
    f.login(client, official)
    client.post("/racun/obvestila", data={"assignment": "y", "status": "y", "comments": "y", "minutes": "y"})
    assert reminders.collect_digests(7, today()) == []
