"""A single action item over HTTP: creating it (on its own and from a conclusion), its page, status
changes along the allowed transitions, the progress log, visibility, and where items show up
(the meeting's conclusions, the group page, the dashboard) with fixed query counts."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordination import types
from coordination.accounts.models import Role
from coordination.actions import services
from coordination.actions.forms import ItemForm, NoteForm, StatusForm
from coordination.actions.models import ActionItem, ItemStatus, ItemUpdate, Priority
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import ConclusionKind, Visibility
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")

HX = {"HX-Request": "true"}


def html(response) -> str:
    return response.get_data(as_text=True)


def count(session, model=ActionItem) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Marko Ministrski")


@pytest.fixture
def kamnik(session):
    return f.municipality("Kamnik")


@pytest.fixture
def official(kamnik):
    return f.user(Role.MUNICIPAL, kamnik, name="Črt Občinski")


def signed_in(client, user):
    assert f.login(client, user).status_code == 302
    return client


def _group_conclusion(staff, visibility=Visibility.INTERNAL, text="Občine imenujejo skrbnike podatkov."):
    """A working group (Kamnik's official its secretary is made by the caller) with an internal
    meeting and one conclusion."""
    group = f.group(name="Delovna skupina skrbnikov", code="DS-SK")
    m = f.meeting(group, visibility=visibility, created_by=staff)
    return group, m, f.conclusion(m, text)


def _item(staff, org, title="Imenovati skrbnika podatkov", **fields):
    return f.action_item(staff, title, org=org, **fields)


# --- forms ------------------------------------------------------------------------------------

def test_item_form_checks_the_person_against_the_organisation(app, session, kamnik):
    other = f.user(Role.MUNICIPAL, f.municipality("Koper"), name="Koprčan")
    with app.test_request_context(method="POST", data={
            "title": "Naloga", "assignee_org_id": str(kamnik.id), "assignee_user_id": str(other.id),
            "priority": "normal"}):
        form = ItemForm(organisations=[(kamnik.id, "Kamnik")], people=[])
        assert not form.validate()
        assert "Koper" in str(form.assignee_user_id.errors[0])
    with app.test_request_context(method="POST", data={"title": "", "assignee_org_id": "", "priority": "x"}):
        form = ItemForm(organisations=[("", "-"), (kamnik.id, "Kamnik")], people=[])
        assert not form.validate()
        assert set(form.errors) == {"title", "assignee_org_id", "priority"}


def test_status_form_offers_only_the_allowed_transitions(app, session, staff, kamnik):
    item = _item(staff, kamnik)
    services.change_status(item, ItemStatus.DONE, author=staff)
    allowed = services.allowed_next(item.status)
    with app.test_request_context(method="POST", data={"status": "blocked"}):
        form = StatusForm(item=item, allowed=allowed)
        # the empty "choose", the current status (unchanged), then the allowed next ones
        assert [c.value for c in form.status.choices] == ["", "done", "in_progress"]
        assert not form.validate()
        assert "Opravljena" in str(form.status.errors[0]) or "Done" in str(form.status.errors[0])
    with app.test_request_context(method="POST", data={"status": "in_progress", "note": "Ponovno odprto"}):
        assert StatusForm(item=item, allowed=allowed).validate()
    with app.test_request_context(method="POST", data={"text": "   "}):
        assert not NoteForm().validate()


# --- creating ---------------------------------------------------------------------------------

def test_staff_create_an_item_of_its_own(client, session, staff, kamnik, official):
    signed_in(client, staff)
    page = client.get("/naloge/nova")
    assert page.status_code == 200 and 'name="assignee_org_id"' in html(page)
    response = client.post("/naloge/nova", data={
        "title": "Poslati seznam skrbnikov", "description": "Z datumi imenovanja.", "assignee_org_id": kamnik.id,
        "assignee_user_id": official.id, "due_date": (types.today() + timedelta(days=5)).isoformat(),
        "priority": "high"})
    assert response.status_code == 302
    item = session.scalar(select(ActionItem).where(ActionItem.title == "Poslati seznam skrbnikov"))
    assert (item.assignee_org_id, item.assignee_user_id, item.priority, item.status, item.conclusion_id) == (
        kamnik.id, official.id, Priority.HIGH, ItemStatus.OPEN, None)
    assert response.headers["Location"].endswith(f"/naloge/{item.id}")


def test_the_person_list_follows_the_organisation(client, session, staff, kamnik, official):
    signed_in(client, staff)
    fragment = client.get(f"/naloge/nova?assignee_org_id={kamnik.id}", headers=HX)
    assert fragment.status_code == 200
    body = html(fragment)
    assert "<html" not in body and "Črt Občinski" in body and 'name="assignee_user_id"' in body
    koper = client.get(f"/naloge/nova?assignee_org_id={f.municipality('Koper').id}", headers=HX)
    assert "Črt Občinski" not in html(koper)


def test_a_person_of_another_organisation_is_refused(client, session, staff, kamnik):
    stranger = f.user(Role.MUNICIPAL, f.municipality("Koper"), name="Koprčan Tuji")
    signed_in(client, staff)
    before = count(session)
    response = client.post("/naloge/nova", data={"title": "Naloga", "assignee_org_id": kamnik.id,
                                                 "assignee_user_id": stranger.id, "priority": "normal"})
    assert response.status_code == 422
    body = html(response)
    assert 'id="assignee_user_id-error"' in body and "Koper" in body
    assert count(session) == before


def test_a_past_due_date_is_warned_about_then_allowed(client, session, staff, kamnik):
    signed_in(client, staff)
    before = count(session)
    data = {"title": "Zamujena že ob rojstvu", "assignee_org_id": kamnik.id, "priority": "normal",
            "due_date": (types.today() - timedelta(days=2)).isoformat()}
    warned = client.post("/naloge/nova", data=data)
    assert warned.status_code == 422
    body = html(warned)
    assert 'id="due_date-error"' in body and 'name="confirm_past_due"' in body
    assert count(session) == before
    confirmed = client.post("/naloge/nova", data={**data, "confirm_past_due": "y"})
    assert confirmed.status_code == 302
    assert count(session) == before + 1
    # an empty title is refused with the message next to the field
    empty = client.post("/naloge/nova", data={**data, "title": "", "confirm_past_due": "y"})
    assert empty.status_code == 422 and 'id="title-error"' in html(empty)
    assert count(session) == before + 1


def test_create_from_a_conclusion(client, session, staff, kamnik, official):
    group, m, conclusion = _group_conclusion(staff)
    groups.add_member(group, organisation_id=kamnik.id, user_id=official.id, role=GroupRole.SECRETARY,
                      valid_from=None, valid_until=None)
    signed_in(client, official)  # the group's secretary runs its meetings
    form = client.get(f"/sklepi/{conclusion.id}/naloge/nova")
    assert form.status_code == 200 and 'value="Občine imenujejo skrbnike podatkov."' in html(form)
    response = client.post(f"/sklepi/{conclusion.id}/naloge/nova", data={
        "title": "Imenovati skrbnika", "assignee_org_id": kamnik.id, "priority": "normal"})
    assert response.status_code == 302
    item = session.scalar(select(ActionItem).where(ActionItem.conclusion_id == conclusion.id))
    page = html(client.get(f"/naloge/{item.id}"))
    assert conclusion.register_number in page and f"/sestanki/{m.id}" in page
    # the meeting lists the item under its conclusion, with the link to make another
    meeting_page = html(client.get(f"/sestanki/{m.id}"))
    assert "1 naloga" in meeting_page and f"/sklepi/{conclusion.id}/naloge/nova" in meeting_page
    assert "1 naloga" in html(client.get(f"/sestanki/{m.id}/sklepi"))


def test_only_runners_create_from_a_conclusion(client, session, staff, official):
    _group, _m, conclusion = _group_conclusion(staff, visibility=Visibility.PUBLIC)
    signed_in(client, official)  # sees the public conclusion, but does not run the meeting
    assert client.get(f"/sklepi/{conclusion.id}/naloge/nova").status_code == 403
    assert "naloge/nova" not in html(client.get(f"/sestanki/{conclusion.meeting_id}"))
    assert client.get("/sklepi/999999/naloge/nova").status_code == 404


# --- the item page: status changes and the progress log ------------------------------------------

def test_status_changes_over_http_follow_the_transitions(client, session, staff, kamnik, official):
    item = _item(staff, kamnik, due_date=types.today() - timedelta(days=3))
    signed_in(client, official)  # the assignee organisation's official updates it
    page = html(client.get(f"/naloge/{item.id}"))
    assert "zamuja 3 dni" in page and "Odprta" in page
    assert 'value="in_progress"' in page and '<option selected value="open">' in page  # starts where it is
    response = client.post(f"/naloge/{item.id}/status", data={"status": "in_progress", "note": "Začeli smo."})
    assert response.status_code == 303 and response.headers["HX-Trigger"] == "notifications-changed"
    page = html(client.get(f"/naloge/{item.id}"))
    assert "Odprta → V teku" in page and "Začeli smo." in page and "Črt Občinski" in page
    done = client.post(f"/naloge/{item.id}/status", data={"status": "done"})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(ActionItem, item.id).status == ItemStatus.DONE
    assert "zamuja" not in html(client.get(f"/naloge/{item.id}"))  # a done item is not overdue


@pytest.mark.parametrize("posted", ["blocked", "cancelled", "nonsense", ""])
def test_an_illegal_status_change_gets_422_and_changes_nothing(client, session, staff, kamnik, posted):
    item = _item(staff, kamnik)
    services.change_status(item, ItemStatus.DONE, author=staff)  # done: only back to in progress
    signed_in(client, staff)
    log_before = count(session, ItemUpdate)
    response = client.post(f"/naloge/{item.id}/status", data={"status": posted, "note": "Poskus"})
    assert response.status_code == 422
    assert 'id="status-error"' in html(response)
    if posted == "blocked":
        assert "»Opravljena« ne more preiti v stanje »Blokirana«" in html(response)
    session.expire_all()
    assert session.get(ActionItem, item.id).status == ItemStatus.DONE
    assert count(session, ItemUpdate) == log_before


def test_htmx_swaps_the_progress_part_in_place(client, session, staff, kamnik):
    item = _item(staff, kamnik)
    signed_in(client, staff)
    response = client.post(f"/naloge/{item.id}/status", data={"status": "blocked", "note": "Čakamo podatke."},
                           headers=HX)
    body = html(response)
    assert response.status_code == 200 and "<html" not in body
    assert response.headers["HX-Trigger"] == "notifications-changed" and "HX-Request" in response.headers["Vary"]
    assert "Odprta → Blokirana" in body and "Stanje spremenjeno" in body and 'id="item-status-title"' in body
    note = client.post(f"/naloge/{item.id}/zapis", data={"text": "Podatki so prispeli."}, headers=HX)
    assert note.status_code == 200 and "Podatki so prispeli." in html(note)
    assert note.headers["HX-Trigger"] == "notifications-changed"
    empty = client.post(f"/naloge/{item.id}/zapis", data={"text": " "}, headers=HX)
    assert empty.status_code == 422 and 'id="text-error"' in html(empty) and "<html" not in html(empty)
    assert count(session, ItemUpdate) == 2


def test_a_plain_note_and_its_author(client, session, staff, kamnik, official):
    item = _item(staff, kamnik)
    signed_in(client, official)
    response = client.post(f"/naloge/{item.id}/zapis", data={"text": "Poslali smo dopis."})
    assert response.status_code == 303
    entry = session.scalar(select(ItemUpdate).where(ItemUpdate.item_id == item.id))
    assert (entry.author_id, entry.text, entry.new_status) == (official.id, "Poslali smo dopis.", None)


def test_edit_and_delete(client, session, staff, kamnik, official):
    item = _item(staff, kamnik)
    signed_in(client, staff)
    form = client.get(f"/naloge/{item.id}/uredi")
    assert form.status_code == 200 and 'value="Imenovati skrbnika podatkov"' in html(form)
    response = client.post(f"/naloge/{item.id}/uredi", data={
        "title": "Imenovati namestnika", "assignee_org_id": kamnik.id, "assignee_user_id": official.id,
        "priority": "low"})
    assert response.status_code == 302
    session.expire_all()
    assert (item.title, item.assignee_user_id, item.priority) == ("Imenovati namestnika", official.id, Priority.LOW)
    unconfirmed = client.post(f"/naloge/{item.id}/izbrisi", data={})
    assert unconfirmed.status_code == 422 and 'id="confirm-error"' in html(unconfirmed)
    assert session.get(ActionItem, item.id) is not None
    assert client.post(f"/naloge/{item.id}/izbrisi", data={"confirm": "y"}).status_code == 302
    session.expire_all()
    assert session.get(ActionItem, item.id) is None


def test_an_item_already_overdue_keeps_its_date_on_edit(client, session, staff, kamnik):
    """Only a newly chosen past date asks for confirmation, not the date the item already had."""
    past = types.today() - timedelta(days=10)
    item = _item(staff, kamnik, due_date=past)
    signed_in(client, staff)
    response = client.post(f"/naloge/{item.id}/uredi", data={
        "title": "Nov naslov", "assignee_org_id": kamnik.id, "priority": "normal", "due_date": past.isoformat()})
    assert response.status_code == 302
    earlier = client.post(f"/naloge/{item.id}/uredi", data={
        "title": "Nov naslov", "assignee_org_id": kamnik.id, "priority": "normal",
        "due_date": (past - timedelta(days=1)).isoformat()})
    assert earlier.status_code == 422


# --- who sees and changes an item ---------------------------------------------------------------

def test_visibility_follows_the_source_conclusion(client, session, staff, kamnik, official):
    group, m, conclusion = _group_conclusion(staff)  # internal to the group; Kamnik's official not in it
    koper = f.municipality("Koper")
    kamnik_item = _item(staff, kamnik, conclusion=conclusion)
    koper_item = _item(staff, koper, conclusion=conclusion)
    signed_in(client, official)
    own = client.get(f"/naloge/{kamnik_item.id}")
    assert own.status_code == 200  # their own item, though the conclusion is internal to a group
    assert "Sklep, ki vam ni viden" in html(own) and conclusion.register_number not in html(own)
    assert client.get(f"/naloge/{koper_item.id}").status_code == 404  # not visible: unknown to them
    assert client.post(f"/naloge/{koper_item.id}/status", data={"status": "done"}).status_code == 404
    assert client.post(f"/naloge/{koper_item.id}/zapis", data={"text": "x"}).status_code == 404
    assert client.get(f"/naloge/{kamnik_item.id}/uredi").status_code == 403  # updates, does not edit
    assert client.get("/naloge/999999").status_code == 404
    session.expire_all()
    assert session.get(ActionItem, koper_item.id).status == ItemStatus.OPEN


# --- where items show up: dashboard, group page, query counts --------------------------------------

def test_dashboard_lists_overdue_first_then_by_due_date(client, session, staff, kamnik, official):
    today = types.today()
    _item(staff, kamnik, title="Brez roka")
    _item(staff, kamnik, title="Čez teden", due_date=today + timedelta(days=7))
    _item(staff, kamnik, title="Zamuja močno", due_date=today - timedelta(days=9), assignee_user=official)
    _item(staff, kamnik, title="Jutri", due_date=today + timedelta(days=1), assignee_user=official)
    _item(staff, kamnik, title="Zamuja malo", due_date=today - timedelta(days=1))
    finished = _item(staff, kamnik, title="Končana", due_date=today - timedelta(days=20))
    services.change_status(finished, ItemStatus.DONE, author=staff)
    _item(staff, f.municipality("Koper"), title="Tuja")
    signed_in(client, official)
    page = html(client.get("/"))
    mine, org = page.split('id="org-items-title"')
    assert mine.index("Zamuja močno") < mine.index("Jutri") and "Čez teden" not in mine
    order = ["Zamuja močno", "Zamuja malo", "Jutri", "Čez teden", "Brez roka"]
    assert [org.index(t) for t in order] == sorted(org.index(t) for t in order)
    assert "Končana" not in page and "Tuja" not in page
    assert "Naloge moje organizacije</h2>" not in page  # the heading carries the count
    assert "Naloge moje organizacije (5)" in page and "2 zamujata." in org
    assert "Moje naloge (2)" in page


def test_dashboard_says_when_there_is_nothing(client, session, host_user=None):
    user = f.user(Role.HOST)
    signed_in(client, user)
    page = html(client.get("/"))
    assert "Nimate odprtih nalog" in page and "nima odprtih nalog" in page


def test_group_page_lists_the_open_items_of_its_conclusions(client, session, staff, kamnik):
    group, m, conclusion = _group_conclusion(staff)
    late = _item(staff, kamnik, title="Zamujena", conclusion=conclusion, due_date=types.today() - timedelta(days=2))
    _item(staff, kamnik, title="Kasnejša", conclusion=conclusion, due_date=types.today() + timedelta(days=30))
    closed = _item(staff, kamnik, title="Preklicana naloga", conclusion=conclusion)
    services.change_status(closed, ItemStatus.CANCELLED, author=staff)
    signed_in(client, staff)
    page = html(client.get(f"/skupine/{group.id}"))
    assert "Odprte naloge (2)" in page and page.index("Zamujena") < page.index("Kasnejša")
    assert "Preklicana naloga" not in page and f"/naloge/?group={group.id}" in page
    assert f"/naloge/{late.id}" in page
    # an official outside the group sees none of them (the conclusion is internal)
    client.post("/odjava")
    signed_in(client, f.user(Role.MUNICIPAL, f.municipality("Koper")))
    assert "Zamujena" not in html(client.get(f"/skupine/{group.id}"))


def test_pages_have_a_fixed_query_count(client, session, staff, kamnik, official, count_queries):
    group, m, conclusion = _group_conclusion(staff)
    groups.add_member(group, organisation_id=kamnik.id, user_id=official.id, role=GroupRole.SECRETARY,
                      valid_from=None, valid_until=None)
    item = _item(staff, kamnik, conclusion=conclusion, assignee_user=official, due_date=types.today())
    services.change_status(item, ItemStatus.IN_PROGRESS, author=official, note="Prvi zapis")
    signed_in(client, official)

    def measure():
        with count_queries() as counter:
            assert client.get(f"/naloge/{item.id}").status_code == 200
            assert client.get("/").status_code == 200
            assert client.get(f"/skupine/{group.id}").status_code == 200
            assert client.get(f"/sestanki/{m.id}").status_code == 200
        return counter

    measure()  # warm-up (first request of the session)
    few = measure()
    people = [f.user(Role.MUNICIPAL, kamnik) for _ in range(5)]
    for n in range(30):
        services.add_note(item, f"Zapis {n}", author=people[n % 5])
        other = meetings.add_conclusion(m, text=f"Sklep {n}", kind=ConclusionKind.DECISION,
                                        visibility=Visibility.INTERNAL)
        _item(staff, kamnik, title=f"Naloga {n}", conclusion=other, assignee_user=people[n % 5],
              due_date=types.today() + timedelta(days=n - 10))
        _item(official, f.municipality("Koper"), title=f"Moja {n}", conclusion=other)
    many = measure()
    assert "Zapis 29" in html(client.get(f"/naloge/{item.id}"))
    assert many.count == few.count, "\n\n".join(s[:160] for s in many.statements)


@pytest.mark.parametrize("n, words", [(2, "2 nalogi"), (3, "3 naloge"), (5, "5 nalog")])
def test_conclusion_item_counts_use_slovenian_plurals(client, session, staff, kamnik, n, words):
    _group, m, conclusion = _group_conclusion(staff)
    for i in range(n):
        _item(staff, kamnik, title=f"N{i}", conclusion=conclusion)
    signed_in(client, staff)
    assert words in html(client.get(f"/sestanki/{m.id}"))
    assert words in html(client.get(f"/sestanki/{m.id}/sklepi"))
