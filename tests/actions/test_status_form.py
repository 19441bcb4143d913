"""The item page's one progress form: the status starts where it is, a note alone never changes it,
a status change is a deliberate choice, and an empty form is refused next to the field."""
import pytest
from sqlalchemy import select

from coordination.accounts.models import Role
from coordination.actions import services
from coordination.actions.models import ActionItem, ItemStatus, ItemUpdate
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Marko Ministrski")


@pytest.fixture
def item(staff):
    return f.action_item(staff, "Imenovati skrbnika podatkov", org=f.municipality("Kamnik"))


def _log(session, item):
    return session.scalars(select(ItemUpdate).where(ItemUpdate.item_id == item.id).order_by(ItemUpdate.id)).all()


def test_the_page_has_one_form_starting_at_the_current_status(client, session, staff, item):
    services.change_status(item, ItemStatus.IN_PROGRESS, author=staff)
    assert f.login(client, staff).status_code == 302
    page = html(client.get(f"/naloge/{item.id}"))
    assert page.count('name="note"') == 1 and 'name="text"' not in page  # one note box, not two
    assert '<option selected value="in_progress">V teku (brez spremembe)</option>' in page
    assert '<option value="">— izberite —</option>' in page


def test_a_note_alone_never_changes_the_status(client, session, staff, item):
    assert f.login(client, staff).status_code == 302
    response = client.post(f"/naloge/{item.id}/status", data={"status": "open", "note": "Poslali smo dopis."})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(ActionItem, item.id).status == ItemStatus.OPEN
    [entry] = _log(session, item)
    assert (entry.text, entry.old_status, entry.new_status) == ("Poslali smo dopis.", None, None)
    page = html(client.get(f"/naloge/{item.id}"))
    assert "Zapis dodan; stanje ostaja »Odprta«." in page


def test_a_chosen_status_changes_it_with_its_note(client, session, staff, item):
    assert f.login(client, staff).status_code == 302
    response = client.post(f"/naloge/{item.id}/status", data={"status": "blocked", "note": "Čakamo podatke."})
    assert response.status_code == 303
    [entry] = _log(session, item)
    assert (entry.text, entry.old_status, entry.new_status) == ("Čakamo podatke.", ItemStatus.OPEN, ItemStatus.BLOCKED)


@pytest.mark.parametrize("data, message", [
    ({"status": "", "note": "Zapis"}, "Izberite stanje s seznama."),
    ({"note": "Zapis"}, "Izberite stanje s seznama."),
    ({"status": "open", "note": "  "}, "Izberite novo stanje ali napišite zapis"),
])
def test_an_empty_choice_or_nothing_to_save_is_refused_at_the_field(client, session, staff, item, data, message):
    assert f.login(client, staff).status_code == 302
    response = client.post(f"/naloge/{item.id}/status", data=data)
    assert response.status_code == 422
    body = html(response)
    assert 'id="status-error"' in body and message in body
    session.expire_all()
    assert session.get(ActionItem, item.id).status == ItemStatus.OPEN and _log(session, item) == []


def test_a_stale_page_keeps_the_typed_note_and_answers_409(client, session, staff, item):
    assert f.login(client, staff).status_code == 302
    version = item.version
    services.change_status(item, ItemStatus.DONE, author=staff)
    session.flush()
    response = client.post(f"/naloge/{item.id}/status",
                           data={"status": "open", "note": "Ne izgubi me.", "version": str(version)})
    assert response.status_code == 409
    assert "Ne izgubi me." in html(response)
    session.expire_all()
    assert session.get(ActionItem, item.id).status == ItemStatus.DONE


def test_one_who_only_follows_the_item_gets_the_note_form_alone(client, session, staff, item):
    sos = f.by_short_name("SOS")
    item.assignee_org.associations.append(sos)
    follower = f.user(Role.ASSOCIATION, sos, name="Sonja Združena")
    session.flush()
    assert f.login(client, follower).status_code == 302
    page = html(client.get(f"/naloge/{item.id}"))
    assert page.count('name="text"') == 1 and 'name="status"' not in page and 'name="note"' not in page
