"""Managing a fan-out from its matrix: a new due date (all items or those not done), more
municipalities, cancelling with a reason. Each step shows a confirmation first, validates on the
server, is one audited step that tells the people of the items concerned, and is safe to send twice."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination import types
from coordination.accounts.models import Role
from coordination.actions import fanout_manage as manage
from coordination.actions.models import (
    ActionItem,
    EmailKind,
    EmailOptOut,
    FanOut,
    FanOutScope,
    ItemStatus,
    ItemUpdate,
    Notification,
    NotificationKind,
)
from coordination.actions.services import change_status
from coordination.audit.models import AuditEntry
from coordination.audit.wording import describe
from coordination.extensions import db
from coordination.meetings.models import Visibility
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")

DUE = date(2099, 10, 1)
NEW = "2099-12-15"


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Marko Ministrski")


@pytest.fixture
def world(staff, mail_outbox):
    """A fan-out to Kamnik, Ljubljana and Kranj; Kamnik has done its item. Kamnik's and Ljubljana's
    officials have accounts (Ljubljana's with e-mail off); Kranj has nobody."""
    meeting = f.meeting(title="Sestanek ZMOS in SOS", visibility=Visibility.PUBLIC,
                        start=datetime(2022, 9, 20, 8, tzinfo=UTC), created_by=staff)
    conclusion = f.conclusion(meeting, "Občine imenujejo predstavnika.")
    kamnik, ljubljana, kranj = (f.municipality(n) for n in ("Kamnik", "Ljubljana", "Kranj"))
    officials = {"kamnik": f.user(Role.MUNICIPAL, kamnik, name="Ana Kamniška"),
                 "ljubljana": f.user(Role.MUNICIPAL, ljubljana, name="Bor Ljubljanski")}
    db.session.add(EmailOptOut(user_id=officials["ljubljana"].id, kind=EmailKind.ASSIGNMENT))
    fanout = f.fan_out(conclusion, staff, title="Imenovati predstavnika", scope=FanOutScope.CHOSEN,
                       chosen=[kamnik.id, ljubljana.id, kranj.id], due_date=DUE)
    items = {i.assignee_org.name: i for i in fanout.items}
    change_status(items["Kamnik"], ItemStatus.DONE, author=officials["kamnik"])
    db.session.commit()  # the outbox backend writes the mail of the setup (the assignments) now: not counted below
    for message in mail_outbox.glob("*.eml"):
        message.unlink()
    return {"fanout": fanout, "items": items, "officials": officials, "conclusion": conclusion,
            "orgs": {"kamnik": kamnik, "ljubljana": ljubljana, "kranj": kranj}}


def _url(fanout, step=""):
    return f"/razprsitve/{fanout.id}/upravljanje" + (f"/{step}" if step else "")


def _version(html: str) -> str:
    return re.search(r'name="[a-z]+-version" value="(\d+)"', html).group(1)


def _entries(fanout, key):
    return [e for e in db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "FanOut",
                                                                   AuditEntry.entity_id == str(fanout.id)))
            if key in (e.changes or {})]


def _messages(user):
    return db.session.scalars(select(Notification.detail).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.MESSAGE)).all()


def test_the_matrix_links_to_the_page_with_three_forms(client, staff, world):
    f.login(client, staff)
    matrix = client.get(f"/razprsitve/{world['fanout'].id}").get_data(as_text=True)
    assert f'href="{_url(world["fanout"])}">Upravljanje</a>' in matrix
    response = client.get(_url(world["fanout"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert all(h in html for h in ("Spremeni rok", "Dodaj občine", "Prekliči razposlano nalogo"))
    assert "3 naloge: 2 neopravljeni, 1 opravljena, 0 preklicanih." in html
    # the add form shows who has the item already (not to be chosen again)
    kamnik = world["orgs"]["kamnik"].id
    assert f'id="add-chosen-{kamnik}" checked disabled> <label for="add-chosen-{kamnik}">Kamnik (nalogo že ima)' in html


def test_without_a_date_or_with_a_past_one_nothing_changes(client, staff, world):
    f.login(client, staff)
    fanout = world["fanout"]
    response = client.post(_url(fanout, "rok"), data={"due-which": "not_done"})
    assert response.status_code == 422
    assert re.search(r'id="due-due_date-error"[^>]*>Vpišite nov rok.', response.get_data(as_text=True))
    yesterday = (types.today() - timedelta(days=1)).isoformat()
    response = client.post(_url(fanout, "rok"), data={"due-due_date": yesterday, "due-which": "all",
                                                      "confirm": "1", "due-version": "1"})
    assert response.status_code == 422 and "Rok ne more biti v preteklosti." in response.get_data(as_text=True)
    assert {i.due_date for i in db.session.scalars(select(ActionItem).where(ActionItem.fanout_id == fanout.id))} == {DUE}


def test_a_new_due_date_for_the_items_not_done_after_a_confirmation(client, staff, world, mail_outbox):
    f.login(client, staff)
    fanout, items = world["fanout"], world["items"]
    response = client.post(_url(fanout, "rok"), data={"due-due_date": NEW, "due-which": "not_done"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "To bo spremenilo rok 2 nalogama" in html
    assert "Kranj, Ljubljana" in html and "1 oseba takoj dobi obvestilo" in html  # Ljubljana's official
    assert re.search(r"<dt>Za</dt><dd>Samo neopravljene naloge", html)
    assert items["Ljubljana"].due_date == DUE  # nothing changed yet
    data = {"due-due_date": NEW, "due-which": "not_done", "due-version": _version(html), "confirm": "1"}
    response = client.post(_url(fanout, "rok"), data=data)
    assert response.status_code == 302 and response.location == f"/razprsitve/{fanout.id}"
    db.session.expire_all()
    assert items["Ljubljana"].due_date == items["Kranj"].due_date == date(2099, 12, 15)
    assert items["Kamnik"].due_date == DUE and fanout.due_date == date(2099, 12, 15)  # done stays as it was
    [entry] = _entries(fanout, "items")
    assert entry.changes["items"] == [None, 2] and entry.changes["due_date"] == ["2099-10-01", "2099-12-15"]
    with client.application.test_request_context():
        [line] = describe([entry])
    assert line.text == "Spremenjen rok razposlane naloge „Imenovati predstavnika“"
    assert [(c.field, c.after) for c in line.changes] == [
        ("Rok", "15. 12. 2099"), ("Spremenjene naloge", "2"), ("Za katere naloge", "neopravljene naloge")]
    assert _messages(world["officials"]["ljubljana"]) == [
        "Ljubljana: rok naloge „Imenovati predstavnika“ je zdaj 15. 12. 2099."]
    assert not _messages(world["officials"]["kamnik"])  # its done item did not change
    assert not list(mail_outbox.glob("*.eml")) if mail_outbox.exists() else True  # Ljubljana's e-mail is off
    # the same confirmation again (a double click): nothing changes twice
    again = client.post(_url(fanout, "rok"), data=data, follow_redirects=True)
    assert again.status_code == 200 and "Rok je že spremenjen" in again.get_data(as_text=True)
    assert len(_entries(fanout, "items")) == 1 and len(_messages(world["officials"]["ljubljana"])) == 1


def test_a_due_date_for_all_items_e_mails_those_with_e_mail_on(client, staff, world, mail_outbox):
    f.login(client, staff)
    fanout = world["fanout"]
    html = client.post(_url(fanout, "rok"), data={"due-due_date": NEW, "due-which": "all"}).get_data(as_text=True)
    assert "To bo spremenilo rok 3 nalogam" in html
    response = client.post(_url(fanout, "rok"), data={"due-due_date": NEW, "due-which": "all",
                                                      "due-version": _version(html), "confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert world["items"]["Kamnik"].due_date == date(2099, 12, 15)
    mails = [p.read_text(encoding="utf-8") for p in mail_outbox.glob("*.eml")]
    assert len(mails) == 1 and world["officials"]["kamnik"].email in mails[0]


def test_a_confirmation_from_an_out_of_date_page_is_refused(client, staff, world):
    f.login(client, staff)
    fanout = world["fanout"]
    response = client.post(_url(fanout, "rok"), data={"due-due_date": NEW, "due-which": "all",
                                                      "due-version": "99", "confirm": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Nekdo je medtem spremenil" in html
    assert _version(html) == str(fanout.version)  # the page shown again can be confirmed
    db.session.expire_all()
    assert world["items"]["Ljubljana"].due_date == DUE and not _entries(fanout, "items")


def test_adding_municipalities_adds_only_those_without_an_item_once(client, staff, world):
    f.login(client, staff)
    fanout = world["fanout"]
    celje = f.municipality("Celje")
    chosen = [str(world["orgs"]["kamnik"].id), str(celje.id)]
    response = client.post(_url(fanout, "obcine"), data={"add-scope": "chosen", "add-chosen": chosen})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "To bo dodalo 1 občino" in html and "Celje" in html
    data = {"add-scope": "chosen", "add-chosen": chosen, "add-version": _version(html), "confirm": "1"}
    assert client.post(_url(fanout, "obcine"), data=data).status_code == 302
    again = client.post(_url(fanout, "obcine"), data=data, follow_redirects=True)  # a double submit
    assert "Te občine so že dodane" in again.get_data(as_text=True)
    items = db.session.scalars(select(ActionItem).where(ActionItem.fanout_id == fanout.id)).all()
    added = [i for i in items if i.assignee_org_id == celje.id]
    assert len(items) == 4 and len(added) == 1
    assert added[0].due_date == DUE and added[0].title == "Imenovati predstavnika" and added[0].status == ItemStatus.OPEN
    [entry] = _entries(fanout, "added")
    assert entry.changes["municipalities"] == [None, ["Celje"]]
    db.session.expire_all()
    assert fanout.scope == FanOutScope.CHOSEN and fanout.scope_label == "4"


def test_adding_nothing_is_an_error_at_the_field(client, staff, world):
    f.login(client, staff)
    fanout = world["fanout"]
    response = client.post(_url(fanout, "obcine"), data={"add-scope": "chosen"})
    assert response.status_code == 422
    assert re.search(r'id="add-chosen-error"[^>]*>Izberite vsaj eno občino', response.get_data(as_text=True))
    response = client.post(_url(fanout, "obcine"), data={"add-scope": "chosen",
                                                         "add-chosen": [str(world["orgs"]["kranj"].id)]})
    assert response.status_code == 422 and "ni česa dodati" in response.get_data(as_text=True)


def test_cancelling_needs_a_reason_then_cancels_the_open_items_once(client, staff, world, mail_outbox):
    f.login(client, staff)
    fanout, items = world["fanout"], world["items"]
    for reason in ("", "   "):
        response = client.post(_url(fanout, "preklic"), data={"cancel-reason": reason, "confirm": "1",
                                                               "cancel-version": "1"})
        assert response.status_code == 422
        assert re.search(r'id="cancel-reason-error"[^>]*>Napišite, zakaj', response.get_data(as_text=True))
    html = client.post(_url(fanout, "preklic"), data={"cancel-reason": "Podvojeno z drugim sklepom."}
                       ).get_data(as_text=True)
    assert "To bo preklicalo razposlano nalogo in 2 neopravljeni nalogi" in html
    data = {"cancel-reason": "Podvojeno z drugim sklepom.", "cancel-version": _version(html), "confirm": "1"}
    assert client.post(_url(fanout, "preklic"), data=data).status_code == 302
    again = client.post(_url(fanout, "preklic"), data=data, follow_redirects=True)  # cancel twice
    assert "Ta razposlana naloga je že preklicana." in again.get_data(as_text=True)
    db.session.expire_all()
    assert items["Kamnik"].status == ItemStatus.DONE  # done stays done
    assert items["Ljubljana"].status == items["Kranj"].status == ItemStatus.CANCELLED
    log = db.session.scalars(select(ItemUpdate.text).where(ItemUpdate.item_id == items["Kranj"].id,
                                                           ItemUpdate.new_status == ItemStatus.CANCELLED)).all()
    assert log == ["Podvojeno z drugim sklepom."]
    assert fanout.cancelled and fanout.cancel_reason == "Podvojeno z drugim sklepom."
    assert len(_entries(fanout, "cancelled")) == 1
    assert _messages(world["officials"]["ljubljana"]) == [
        "Ljubljana: naloga „Imenovati predstavnika“ je preklicana. Razlog: Podvojeno z drugim sklepom."]
    # the matrix says so; the management page only shows it; further steps are refused
    matrix = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    assert "Preklicana " in matrix and "Razlog: Podvojeno z drugim sklepom." in matrix and ">Upravljanje<" not in matrix
    page = client.get(_url(fanout)).get_data(as_text=True)
    assert "Ta razposlana naloga je preklicana" in page and "Spremeni rok" not in page
    refused = client.post(_url(fanout, "rok"), data={"due-due_date": NEW, "due-which": "all",
                                                     "due-version": str(fanout.version), "confirm": "1"})
    assert refused.status_code == 409
    added = client.post(_url(fanout, "obcine"), data={"add-scope": "all"})
    assert added.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.fanout_id == fanout.id)) == 3


@pytest.mark.parametrize("role", [Role.MUNICIPAL, Role.ASSOCIATION, Role.HOST])
def test_who_may_not_create_the_fan_out_may_not_manage_it(client, world, role):
    outsider = f.user(role)
    f.login(client, outsider)
    fanout = world["fanout"]
    assert client.get(_url(fanout)).status_code == 403  # the conclusion is public: seen, not managed
    response = client.post(_url(fanout, "preklic"), data={"cancel-reason": "x", "cancel-version": "1",
                                                           "confirm": "1"})
    assert response.status_code == 403
    assert not db.session.get(FanOut, fanout.id).cancelled
    assert ">Upravljanje<" not in client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)


def test_the_service_refuses_a_stale_version_and_a_cancelled_fan_out(staff, world):
    fanout = world["fanout"]
    with pytest.raises(manage.StaleFanOut):
        manage.cancel(fanout, reason="x", author=staff, version=fanout.version + 1)
    manage.cancel(fanout, reason="Ni več potrebno.", author=staff, version=fanout.version)
    with pytest.raises(manage.FanOutCancelled):
        manage.change_due_date(fanout, due_date=DUE, which=manage.ALL, author=staff, version=fanout.version)
    with pytest.raises(manage.NothingToDo):
        manage.cancel(fanout, reason="x", author=staff, version=fanout.version)


# --- simultaneous confirmations (committed transactions: SQLite file of its own, or PostgreSQL) -------

ROUNDS = 5


@pytest.fixture(scope="module")
def racing(app):
    """An app whose requests commit, a ministry user and a public conclusion to fan out."""
    from sqlalchemy import delete

    from coordination.accounts.models import User
    from coordination.audit.services import acting_as
    from coordination.meetings import services as meetings
    from coordination.meetings.models import ConclusionKind, Meeting, RegisterCounter
    from coordination.search.models import SearchDocument
    from coordination.web.transaction import unit_of_work
    from tests.committed import committing_app, drop_orphan_documents

    with committing_app(app, "fanout-manage") as (concurrent, shared):
        concurrent.config["WTF_CSRF_ENABLED"] = False
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            with unit_of_work(), acting_as("tests"):
                staff = f.user(Role.MINISTRY, email="upravljanje-ministrstvo@example.si")
                meeting = meetings.create_meeting(
                    title="Upravljanje hkrati", starts_at=datetime(2032, 6, 1, 8, tzinfo=UTC),
                    ends_at=datetime(2032, 6, 1, 10, tzinfo=UTC), place="Ljubljana", online_url=None,
                    visibility=Visibility.PUBLIC, group=None, organisers=[f.by_short_name("MDP")], created_by=staff)
                conclusion = meetings.add_conclusion(meeting, text="Občine poročajo.", kind=ConclusionKind.DECISION,
                                                     visibility=Visibility.PUBLIC)
            ids = {"staff": staff.email, "staff_id": staff.id, "meeting": meeting.id, "conclusion": conclusion.id,
                   "orgs": [f.municipality(n).id for n in ("Kamnik", "Ljubljana")],
                   "celje": f.municipality("Celje").id, "register": conclusion.register_body}
            db.session.remove()
        try:
            yield concurrent, ids
        finally:
            concurrent.config["WTF_CSRF_ENABLED"] = True
            if shared:  # leave the shared test database as it was
                with concurrent.app_context():
                    items = select(ActionItem.id).where(ActionItem.created_by_id == ids["staff_id"])
                    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == "item",
                                                                    SearchDocument.ref_id.in_(items)))
                    db.session.execute(delete(ActionItem).where(ActionItem.created_by_id == ids["staff_id"]))
                    db.session.execute(delete(Meeting).where(Meeting.id == ids["meeting"]))
                    drop_orphan_documents()
                    db.session.execute(delete(RegisterCounter).where(RegisterCounter.body == ids["register"],
                                                                     RegisterCounter.year == 2032))
                    db.session.execute(delete(User).where(User.id == ids["staff_id"]))
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()


def _race_fanout(app, ids, title) -> tuple[int, list]:
    from coordination.accounts.models import User
    from coordination.audit.services import acting_as
    from coordination.meetings.models import Conclusion
    from coordination.web.transaction import unit_of_work

    with app.app_context():
        with unit_of_work(), acting_as("tests"):
            fanout = f.fan_out(db.session.get(Conclusion, ids["conclusion"]), db.session.get(User, ids["staff_id"]),
                               title=title, scope=FanOutScope.CHOSEN, chosen=ids["orgs"], due_date=DUE)
        fanout_id = fanout.id
        db.session.remove()
    return fanout_id


def _clients(app, ids):
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        assert f.login(client, ids["staff"]).status_code == 302
    return clients


def _read(app, query):
    with app.app_context():
        result = query()
        db.session.remove()
    return result


def test_two_simultaneous_cancellations_cancel_once(racing):
    from functools import partial

    from tests.security.helpers import at_once

    app, ids = racing
    clients = _clients(app, ids)
    for round_ in range(ROUNDS):
        fanout_id = _race_fanout(app, ids, f"Preklic hkrati {round_}")
        data = {"cancel-reason": f"Razlog {round_}", "cancel-version": "1", "confirm": "1"}
        responses = at_once([partial(c.post, f"/razprsitve/{fanout_id}/upravljanje/preklic", data=data)
                             for c in clients])
        assert [r.status_code for r in responses] == [302, 302], round_
        updates = _read(app, lambda fanout_id=fanout_id: db.session.scalar(select(func.count()).select_from(ItemUpdate).join(ActionItem)
                                                       .where(ActionItem.fanout_id == fanout_id,
                                                              ItemUpdate.new_status == ItemStatus.CANCELLED)))
        entries = _read(app, lambda fanout_id=fanout_id: len([e for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "FanOut", AuditEntry.entity_id == str(fanout_id))) if "cancelled" in e.changes]))
        assert (updates, entries) == (2, 1), round_


def test_two_simultaneous_additions_add_once_and_two_due_dates_one_wins(racing):
    from functools import partial

    from tests.security.helpers import at_once

    app, ids = racing
    clients = _clients(app, ids)
    for round_ in range(ROUNDS):
        fanout_id = _race_fanout(app, ids, f"Dodajanje hkrati {round_}")
        url = f"/razprsitve/{fanout_id}/upravljanje"
        data = {"add-scope": "chosen", "add-chosen": [str(ids["celje"])], "add-version": "1", "confirm": "1"}
        responses = at_once([partial(c.post, url + "/obcine", data=data) for c in clients])
        assert [r.status_code for r in responses] == [302, 302], round_
        count = _read(app, lambda fanout_id=fanout_id: db.session.scalar(select(func.count()).select_from(ActionItem).where(
            ActionItem.fanout_id == fanout_id, ActionItem.assignee_org_id == ids["celje"])))
        assert count == 1, round_
        # two different new dates from the same page (version 2): one is made, the other is refused
        dates = ["2099-11-01", "2099-11-02"]
        responses = at_once([partial(c.post, url + "/rok", data={"due-due_date": d, "due-which": "all",
                                                                 "due-version": "2", "confirm": "1"})
                             for c, d in zip(clients, dates, strict=True)])
        assert sorted(r.status_code for r in responses) == [302, 409], round_
        winner = dates[[r.status_code for r in responses].index(302)]
        due = _read(app, lambda fanout_id=fanout_id: set(db.session.scalars(select(ActionItem.due_date).where(
            ActionItem.fanout_id == fanout_id))))
        assert due == {date.fromisoformat(winner)}, round_
