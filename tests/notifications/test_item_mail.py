"""E-mail about an action item's own events (assigned, a change of state, a new entry), to those the
in-app notice is for who want that kind, in their language; a fan-out's grouped line once a day."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from coordination.accounts.models import Role
from coordination.actions import services as actions
from coordination.actions.models import EmailKind, EmailOptOut, FanOutScope, ItemStatus
from coordination.extensions import db
from tests import factories as f


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Mojca Ministrska")


def _mails(folder) -> list:
    db.session.commit()  # into the test's outer transaction: the outbox backend writes a change's mail as it commits
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def _clear(folder) -> None:
    db.session.commit()  # what was queued so far is written now, and cleared with the rest
    for path in folder.glob("*.eml"):
        path.unlink()


def _off(user, kind: EmailKind) -> None:
    db.session.add(EmailOptOut(user_id=user.id, kind=kind))
    db.session.flush()


def test_assignment_mail_goes_to_those_who_want_it_in_their_language(session, mail_outbox, staff):
    kamnik = f.municipality("Kamnik")
    wants, quiet, english = (f.user(Role.MUNICIPAL, kamnik) for _ in range(3))
    gone = f.user(Role.MUNICIPAL, kamnik)
    gone.active = False
    english.language = "en"
    _off(quiet, EmailKind.ASSIGNMENT)
    item = f.action_item(staff, "Poslati seznam zbirk", org=kamnik)
    mails = {m["To"]: m for m in _mails(mail_outbox)}
    assert sorted(mails) == sorted([wants.email, english.email])
    assert mails[wants.email]["Subject"] == "Kamnik: dodeljena vam je nova naloga „Poslati seznam zbirk“"
    body = mails[wants.email].get_content()
    assert f"/naloge/{item.id}" in body and "/racun/obvestila" in body and "Mojca Ministrska" in body
    assert mails[english.email]["Subject"] == "Kamnik: new action item “Poslati seznam zbirk” assigned to you"


def test_state_and_entries_mail_the_creator_unless_switched_off(session, mail_outbox, staff):
    official = f.user(Role.MUNICIPAL, f.municipality("Kamnik"))
    item = f.action_item(staff, "Poslati seznam zbirk", org=official.organisation)
    _clear(mail_outbox)
    actions.change_status(item, ItemStatus.DONE, author=official)
    [done] = _mails(mail_outbox)
    assert (done["To"], done["Subject"]) == (staff.email, "Kamnik: naloga „Poslati seznam zbirk“ je opravljena")
    _clear(mail_outbox)
    actions.add_note(item, "Seznam je v prilogi.", author=official)
    [note] = _mails(mail_outbox)
    assert note["Subject"] == "Kamnik: nov zapis pri nalogi „Poslati seznam zbirk“"
    assert "Seznam je v prilogi." in note.get_content()
    _clear(mail_outbox)
    _off(staff, EmailKind.STATUS)
    _off(staff, EmailKind.COMMENTS)
    actions.change_status(item, ItemStatus.IN_PROGRESS, author=official)
    actions.add_note(item, "Še en zapis.", author=official)
    assert _mails(mail_outbox) == []  # the in-app notices are still written (tests/notifications/test_wording.py)


def test_a_fanouts_grouped_line_is_mailed_once_a_day_not_per_municipality(session, mail_outbox, staff):
    towns = ["Kamnik", "Kranj", "Celje", "Koper"]
    people = {t: f.user(Role.MUNICIPAL, f.municipality(t)) for t in towns}
    fanout = f.fan_out(f.conclusion(f.meeting(), "Sklep"), staff, "Imenovati skrbnika", scope=FanOutScope.CHOSEN,
                       chosen=[f.municipality(t).id for t in towns])
    _clear(mail_outbox)
    for item in fanout.items:
        actions.change_status(item, ItemStatus.DONE, author=people[item.assignee_org.name])
    mails = _mails(mail_outbox)
    assert [m["To"] for m in mails] == [staff.email]
    assert mails[0]["Subject"].endswith("naloga „Imenovati skrbnika“ je opravljena")
