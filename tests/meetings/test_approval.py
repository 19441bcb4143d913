"""Minutes approved knowingly: the checklist of open points, the confirmation, no approval before the
meeting has ended, resolved comments, the participants told (in-app, e-mail by their digest switch),
and every approved version of the minutes as a PDF that names its corrections."""
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions.models import EmailKind, EmailOptOut, Notification, NotificationKind
from coordination.audit.models import AuditEntry
from coordination.extensions import db
from coordination.groups.models import GroupRole
from coordination.meetings import approval, services
from coordination.meetings.models import Attendance, MinutesComment, MinutesState, Visibility
from coordination.types import LJUBLJANA, utcnow
from tests import factories as f
from tests.documents.test_documents import pdftotext
from tests.meetings.helpers import group_with_people, meeting

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def setting(session):
    """A circulated meeting of DS-IT (20. 3. 2024): the secretary and the member are named participants
    (the member's attendance not recorded), item 1 has minutes, item 2 none, and the member commented."""
    group, people = group_with_people()
    secretary, member = people[GroupRole.SECRETARY], people[GroupRole.MEMBER]
    m = meeting(group)
    services.add_participant(m, organisation=secretary.organisation, user=secretary, attendance=Attendance.PRESENT)
    services.add_participant(m, organisation=member.organisation, user=member)
    written = f.minutes(m, secretary, "Razprava o šifrantih.", title="Pregled zahtev občin")
    empty = f.agenda_item(m, "Razno")
    services.circulate(m, secretary)
    comment = services.add_comment(written, author=member, text="Dodajte rok izvedbe.")
    return {"meeting": m, "secretary": secretary, "member": member, "observer": people[GroupRole.OBSERVER],
            "written": written, "empty": empty, "comment": comment}


@pytest.fixture
def outbox(mail_outbox):
    return mail_outbox


def _mails(folder: Path) -> list:
    db.session.commit()  # into the test's outer transaction: the outbox backend writes a change's mail as it commits
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def _as(client, user):
    client.post("/odjava")
    assert f.login(client, user).status_code == 302
    return client


def _approve_url(m):
    return f"/sestanki/{m.id}/zapisnik/potrdi"


# --- the checklist ---------------------------------------------------------------------------------

def test_the_checklist_names_what_is_missing(client, session, setting):
    m, secretary = setting["meeting"], setting["secretary"]
    checklist = approval.checklist(m, secretary)
    assert checklist.ended
    assert [str(p) for p in checklist.unrecorded] == [setting["member"].name]
    assert checklist.unwritten == [setting["empty"]]
    assert checklist.open_comments == [setting["comment"]]
    assert checklist.missing == 3

    page = _as(client, secretary).get(_approve_url(m))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in ("Pred potrditvijo", "Odprte so še 3 točke", "Prisotnost 1 udeleženca ni vpisana",
                     setting["member"].name, "2. Razno", "Označi „brez zapisa“", "Dodajte rok izvedbe.",
                     "Potrjujem kljub odprtim točkam"):
        assert expected in html, expected

    # marking the empty item "brez zapisa" (through the agenda form), recording attendance and resolving
    # the comment close every point: the page says nothing is missing and asks for no tick
    edited = client.post(f"/sestanki/{m.id}/tocke/{setting['empty'].id}/uredi",
                         data={"item-title": "Razno", "item-visibility": "internal", "item-no_minutes": "y"})
    assert edited.status_code == 302 and setting["empty"].no_minutes
    services.set_attendance(m.participants[1], Attendance.EXCUSED)
    services.resolve_comment(setting["comment"], secretary)
    assert approval.checklist(m, secretary).missing == 0
    html = client.get(_approve_url(m)).get_data(as_text=True)
    assert "Nič ne manjka" in html and "Potrjujem kljub odprtim točkam" not in html
    assert "brez zapisa" in client.get(f"/sestanki/{m.id}").get_data(as_text=True)
    # nothing open: the approval needs no tick
    assert client.post(_approve_url(m)).status_code == 302
    assert m.minutes_state == MinutesState.APPROVED


def test_open_points_need_the_tick_and_nothing_changes_without_it(client, session, setting):
    m, secretary = setting["meeting"], setting["secretary"]
    client = _as(client, secretary)
    refused = client.post(_approve_url(m), data={"checked": approval.checklist(m, secretary).fingerprint})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "označite polje" in html and 'aria-invalid="true"' in html
    session.refresh(m)
    assert m.minutes_state == MinutesState.CIRCULATED and m.approved_at is None

    fingerprint = approval.checklist(m, secretary).fingerprint
    approved = client.post(_approve_url(m), data={"confirm": "y", "checked": fingerprint})
    assert approved.status_code == 302
    session.refresh(m)
    assert m.minutes_state == MinutesState.APPROVED and m.approved_by_id == secretary.id
    # the audit log says what was approved despite being open
    entry = next(e for e in session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Meeting"))
                 if "approved_despite_open_points" in e.changes)
    assert entry.changes["approved_despite_open_points"][1] == {
        "attendance_not_recorded": 1, "items_without_minutes": 1, "unresolved_comments": 1}


def test_a_tick_confirms_only_the_list_that_was_shown(client, session, setting):
    m, secretary = setting["meeting"], setting["secretary"]
    client = _as(client, secretary)
    seen = approval.checklist(m, secretary).fingerprint
    services.add_comment(setting["written"], author=setting["member"], text="Še ena pripomba.")  # meanwhile
    stale = client.post(_approve_url(m), data={"confirm": "y", "checked": seen})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Odprte točke so se spremenile" in html and "Še ena pripomba." in html
    session.refresh(m)
    assert m.minutes_state == MinutesState.CIRCULATED


def test_no_approval_before_the_meeting_has_ended(client, session, setting):
    m, secretary = setting["meeting"], setting["secretary"]
    m.starts_at, m.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
    session.flush()
    client = _as(client, secretary)
    page = client.get(_approve_url(m)).get_data(as_text=True)
    assert "Sestanek se še ni končal" in page and "Potrjujem kljub" not in page
    refused = client.post(_approve_url(m), data={"confirm": "y", "checked": approval.checklist(m, secretary).fingerprint})
    assert refused.status_code == 409 and "Sestanek se še ni končal" in refused.get_data(as_text=True)
    with pytest.raises(services.NotEnded):
        services.approve(m, secretary, confirmed=services.ALL_OPEN_POINTS)
    session.refresh(m)
    assert m.minutes_state == MinutesState.CIRCULATED


def test_only_approvers_see_the_checklist(client, session, setting):
    m = setting["meeting"]
    assert _as(client, setting["member"]).get(_approve_url(m)).status_code == 403
    assert _as(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))).get(_approve_url(m)).status_code == 404  # to an outsider the meeting does not exist
    assert _as(client, setting["secretary"]).get("/sestanki/999999/zapisnik/potrdi").status_code == 404


def test_checklist_page_queries_do_not_grow_with_the_data(client, session, setting, count_queries):
    m, secretary, member = setting["meeting"], setting["secretary"], setting["member"]
    client = _as(client, secretary)
    small_missing = approval.checklist(m, secretary).missing
    url = _approve_url(m)

    def measure():
        client.get(url)  # warm up: the test's own session settles what the data changes left
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    small = measure()
    for number in range(6):
        item = f.agenda_item(m, f"Točka {number}")
        services.add_comment(item, author=member, text=f"Pripomba {number}")
        other = f.user(Role.MUNICIPAL, member.organisation, name=f"Udeleženec {number}")
        services.add_participant(m, organisation=other.organisation, user=other)
    assert approval.checklist(m, secretary).missing == small_missing + 18
    assert measure() == small


# --- resolving comments ------------------------------------------------------------------------

def _resolve_url(comment):
    return f"/sestanki/{comment.item.meeting_id}/tocke/{comment.item_id}/pripombe/{comment.id}/razresi"


def test_comments_are_resolved_by_their_author_or_the_runners(client, session, setting):
    comment, written = setting["comment"], setting["written"]
    other = services.add_comment(written, author=setting["secretary"], text="Secretary's own note.")
    # the observer neither wrote it nor runs the meeting
    assert _as(client, setting["observer"]).post(_resolve_url(comment)).status_code == 403
    # the member resolves their own comment, not the secretary's
    client = _as(client, setting["member"])
    assert client.post(_resolve_url(other)).status_code == 403
    done = client.post(_resolve_url(comment))
    assert done.status_code == 302 and done.headers["Location"].endswith(f"#comment-{comment.id}")
    assert comment.resolved_at is not None and comment.resolved_by_id == setting["member"].id
    assert client.post(_resolve_url(comment)).status_code == 409  # once
    # the secretary runs the meeting: resolves anybody's, and is sent back where the button was
    back = _as(client, setting["secretary"]).post(_resolve_url(other), data={"next": f"/sestanki/{written.meeting_id}"})
    assert back.status_code == 302 and back.headers["Location"] == f"/sestanki/{written.meeting_id}"
    # audited, with who resolved it
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "MinutesComment",
                                                       AuditEntry.entity_id == str(comment.id))).all()
    assert any("resolved_at" in e.changes for e in entries)
    # shown folded and marked, with the one who resolved it
    html = client.get(f"/sestanki/{written.meeting_id}/tocke/{written.id}/pripombe").get_data(as_text=True)
    assert html.count("comment-resolved") == 2 and "<details>" in html and "Razrešeno" in html
    assert f"Označeno kot razrešeno: {setting['member'].name}" in html
    assert "Označi kot razrešeno" not in html
    assert approval.checklist(written.meeting, setting["secretary"]).open_comments == []
    assert _as(client, setting["secretary"]).post(
        f"/sestanki/{written.meeting_id}/tocke/{written.id}/pripombe/999999/razresi").status_code == 404


# --- notifications -------------------------------------------------------------------------------

def _notices(session, user) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


def test_participants_are_told_in_app_and_by_their_minutes_email_setting(client, session, outbox):
    group, people = group_with_people()
    secretary, member, observer = (people[r] for r in (GroupRole.SECRETARY, GroupRole.MEMBER, GroupRole.OBSERVER))
    session.add(EmailOptOut(user_id=member.id, kind=EmailKind.MINUTES))  # in-app only (minutes e-mail off)
    m = meeting(group)
    for person in (secretary, member):
        services.add_participant(m, organisation=person.organisation, user=person, attendance=Attendance.PRESENT)
    item = f.minutes(m, secretary, "Zapis.", title="Uvod")

    services.circulate(m, secretary)
    # the member (a participant) is told, the secretary (who circulated) is not, nor the observer (not named)
    notices = _notices(session, member)
    assert [n.kind for n in notices] == [NotificationKind.MESSAGE]
    assert "poslan v pregled" in notices[0].detail and notices[0].link == f"/sestanki/{m.id}"
    assert _notices(session, secretary) == [] and _notices(session, observer) == []
    assert _mails(outbox) == []  # the member's minutes e-mail is off, nobody else was told

    services.add_comment(item, author=member, text="Pripomba.")
    told = _notices(session, secretary)
    assert len(told) == 1 and member.name in told[0].detail and "„Uvod“" in told[0].detail
    assert told[0].link == f"/sestanki/{m.id}/tocke/{item.id}/pripombe"
    mails = _mails(outbox)
    assert [mail["To"] for mail in mails] == [secretary.email]
    assert "http://127.0.0.1:5000" + told[0].link in mails[0].get_content()

    services.approve(m, secretary, confirmed=services.ALL_OPEN_POINTS)
    assert "je potrjen" in _notices(session, member)[-1].detail

    services.save_minutes(item, text="Popravljen zapis.", base_version=item.minutes_version, author=secretary,
                          reason="Napačen datum.")
    revised = _notices(session, member)[-1].detail
    assert "popravljen" in revised and "različica 2" in revised and "Napačen datum." in revised
    assert session.scalar(select(func.count(Notification.id))) == 4


def test_a_participant_who_may_not_see_the_item_is_not_told_of_it(session):
    group, people = group_with_people()
    secretary = people[GroupRole.SECRETARY]
    outsider = f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))
    m = meeting(group)
    services.add_participant(m, organisation=outsider.organisation, user=outsider, attendance=Attendance.PRESENT)
    secret = f.minutes(m, secretary, "Zaupno.", title="Kadrovska zadeva", visibility=Visibility.CONFIDENTIAL)
    services.circulate(m, secretary)
    assert len(_notices(session, outsider)) == 1  # the meeting: a named participant sees it
    services.add_comment(secret, author=outsider, text="x")  # (named, so they see it)
    assert _notices(session, secretary) == []  # the secretary is not named: the confidential item is not theirs


# --- approved versions and the revised PDF --------------------------------------------------------

def test_every_approved_version_stays_and_the_pdf_names_the_correction(client, session, setting):
    m, secretary, written = setting["meeting"], setting["secretary"], setting["written"]
    services.approve(m, secretary, confirmed=services.ALL_OPEN_POINTS)
    services.save_minutes(written, text="Razprava o šifrantih in žigih.", base_version=written.minutes_version,
                          author=secretary, reason="Manjkali so žigi.")
    versions = approval.approved_versions(m)
    assert [(v.number, v.reason) for v in versions] == [(1, None), (2, "Manjkali so žigi.")]
    assert approval.texts_at(m, versions[0]) == {written.id: "Razprava o šifrantih."}
    assert approval.texts_at(m, versions[1]) == {written.id: "Razprava o šifrantih in žigih."}

    client = _as(client, setting["member"])
    latest = pdftotext(client.get(f"/sestanki/{m.id}/zapisnik.pdf").data)
    assert "Razprava o šifrantih in žigih." in latest
    day = f"{versions[1].at.astimezone(LJUBLJANA).day}. {versions[1].at.astimezone(LJUBLJANA).month}. {versions[1].at.astimezone(LJUBLJANA).year}"  # as the PDF writes it
    assert f"Popravek – različica 2, {day}, razlog: Manjkali so žigi." in " ".join(latest.split())
    # the correction stands next to the original approval, after it
    assert latest.index(f"Potrditev zapisnika: {secretary.name}") < latest.index("Popravek – različica 2")

    first = client.get(f"/sestanki/{m.id}/zapisnik-razlicica-1.pdf")
    assert first.status_code == 200 and "zapisnik-razlicica-1-" in first.headers["Content-Disposition"]
    text = pdftotext(first.data)
    assert "Razprava o šifrantih." in text and "žigih" not in text and "Popravek" not in text
    assert "potrjena različica 1 od 2" in text
    second = pdftotext(client.get(f"/sestanki/{m.id}/zapisnik-razlicica-2.pdf").data)
    assert "žigih" in second and "Popravek – različica 2" in second
    assert client.get(f"/sestanki/{m.id}/zapisnik-razlicica-3.pdf").status_code == 404

    # the history page lists both versions with their PDFs
    history = client.get(f"/sestanki/{m.id}/tocke/{written.id}/zgodovina").get_data(as_text=True)
    assert "Potrjene različice zapisnika" in history
    assert f"/sestanki/{m.id}/zapisnik-razlicica-1.pdf" in history and "Manjkali so žigi." in history
    assert f"/sestanki/{m.id}/zapisnik-razlicica-2.pdf" in history
    # whoever may not see the meeting gets none of it
    stranger = f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))
    assert _as(client, stranger).get(f"/sestanki/{m.id}/zapisnik-razlicica-1.pdf").status_code == 404


def test_a_draft_has_no_approved_versions(client, session):
    group, people = group_with_people()
    m = meeting(group)
    assert approval.approved_versions(m) == []
    assert session.scalar(select(func.count(MinutesComment.id))) == 0
