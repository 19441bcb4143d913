"""The approval workflow of the minutes: draft -> circulated (comments) -> approved (locked), revisions."""
import pytest
from flask import render_template
from sqlalchemy import select

from coordination.accounts.models import Role
from coordination.meetings import approval, services
from coordination.meetings.models import MinutesComment, MinutesState, MinutesVersion, Visibility
from tests import factories as f
from tests.meetings.helpers import group_with_people, meeting

pytestmark = pytest.mark.usefixtures("no_csrf")

HTMX = {"HX-Request": "true"}


@pytest.fixture
def setting(session):
    group, people = group_with_people()
    m = meeting(group)
    item = services.add_agenda_item(m, title="Poročilo o napredku", visibility=Visibility.INTERNAL)
    services.save_minutes(item, text="Zapis točke.", base_version=0, author=people["secretary"])
    return m, item, people


def _as(client, user):
    client.post("/odjava")
    assert f.login(client, user).status_code == 302
    return client


def _item_url(item, what):
    return f"/sestanki/{item.meeting_id}/tocke/{item.id}/{what}"


def _comments(session, item):
    return list(session.scalars(select(MinutesComment).where(MinutesComment.item_id == item.id)))


def test_the_whole_workflow(client, session, setting):
    m, item, people = setting
    secretary, member = people["secretary"], people["member"]
    client = _as(client, secretary)

    # a draft takes no comments: a clear refusal, nothing stored
    refused = _as(client, member).post(_item_url(item, "pripombe"), data={"comment-text": "Prezgodaj."})
    assert refused.status_code == 409 and "poslan v pregled" in refused.get_data(as_text=True)
    assert _comments(session, item) == []

    # the secretary circulates and is sent back where the button was pressed
    response = _as(client, secretary).post(f"/sestanki/{m.id}/zapisnik/v-pregled", data={"next": "/sestanki/"})
    assert response.status_code == 302 and response.headers["Location"] == "/sestanki/"
    assert m.minutes_state == MinutesState.CIRCULATED
    assert client.post(f"/sestanki/{m.id}/zapisnik/v-pregled").status_code == 409  # not twice

    # a member comments; the comment is listed under the item with its author and time
    client = _as(client, member)
    page = client.get(_item_url(item, "pripombe")).get_data(as_text=True)
    assert 'id="comment-form"' in page and "Zapis točke." in page
    added = client.post(_item_url(item, "pripombe"), data={"comment-text": "Dodajte rok izvedbe."})
    assert added.status_code == 302 and added.headers["Location"].endswith("/pripombe#comments")
    listed = client.get(_item_url(item, "pripombe")).get_data(as_text=True)
    assert "Dodajte rok izvedbe." in listed and member.name in listed and "Pripombe (1)" in listed
    # with htmx the comments section comes back alone, with the new comment in it
    fragment = client.post(_item_url(item, "pripombe"), data={"comment-text": "Še ena."}, headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and "Pripombe (2)" in html
    empty = client.post(_item_url(item, "pripombe"), data={"comment-text": "  "})
    assert empty.status_code == 422 and "obvezno" in empty.get_data(as_text=True)
    assert len(_comments(session, item)) == 2

    # the comments also show on the minutes editor of the secretary
    editor = _as(client, secretary).get(_item_url(item, "zapisnik")).get_data(as_text=True)
    assert "Dodajte rok izvedbe." in editor

    # a plain member may not approve; the secretary does, and the approval names them and the time
    assert _as(client, member).post(f"/sestanki/{m.id}/zapisnik/potrdi").status_code == 403
    assert m.minutes_state == MinutesState.CIRCULATED
    # the two comments are open: approval asks to confirm them (tests/meetings/test_approval.py)
    assert _as(client, secretary).post(f"/sestanki/{m.id}/zapisnik/potrdi").status_code == 422
    open_points = approval.checklist(m, secretary).fingerprint
    response = client.post(f"/sestanki/{m.id}/zapisnik/potrdi", data={"confirm": "y", "checked": open_points})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sestanki/{m.id}")
    session.refresh(m)
    assert m.minutes_state == MinutesState.APPROVED and m.approved_by_id == secretary.id and m.approved_at
    state = client.get(_item_url(item, "pripombe")).get_data(as_text=True)
    assert "potrditev: " + secretary.name in state  # a neutral form, never "potrdil(a)"
    assert "pripomb ni več mogoče dodajati" in state
    assert client.post(_item_url(item, "pripombe"), data={"comment-text": "Prepozno."}).status_code == 409


def _approved(setting):
    m, item, people = setting
    services.circulate(m)
    services.approve(m, people["secretary"], confirmed=services.ALL_OPEN_POINTS)
    return m, item, people


def test_approved_minutes_change_only_as_a_revision_with_a_reason(client, session, setting):
    m, item, people = _approved(setting)
    secretary = people["secretary"]
    client = _as(client, secretary)
    editor = client.get(_item_url(item, "zapisnik")).get_data(as_text=True)
    assert 'name="reason"' in editor and 'data-hx-trigger="input changed' not in editor  # a revision is saved on purpose

    # the normal save without a reason is refused and nothing changes
    for reason in ("", "   "):
        refused = client.post(_item_url(item, "zapisnik"),
                              data={"text": "Popravljen zapis.", "base_version": "1", "reason": reason})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "navedite, zakaj" in html
        assert "Popravljen zapis." in html  # the text typed is kept in the form
    assert [v.text for v in session.scalars(select(MinutesVersion))] == ["Zapis točke."]

    saved = client.post(_item_url(item, "zapisnik"), data={"text": "Popravljen zapis.", "base_version": "1",
                                                           "reason": "Napačen datum seje."})
    assert saved.status_code == 302
    revision = session.scalar(select(MinutesVersion).where(MinutesVersion.version == 2))
    assert revision.text == "Popravljen zapis." and revision.revision_reason == "Napačen datum seje."
    assert session.get(type(m), m.id).minutes_state == MinutesState.APPROVED  # still approved

    history = client.get(_item_url(item, "zgodovina")).get_data(as_text=True)
    assert "Popravek po potrditvi" in history and "Napačen datum seje." in history
    compare = client.get(_item_url(item, "primerjava") + "?od=1&do=2").get_data(as_text=True)
    assert "Napačen datum seje." in compare


def test_approved_minutes_are_locked_for_everyone_else(client, session, setting):
    m, item, people = _approved(setting)
    client = _as(client, people["member"])
    # members wrote the draft, but only the chair or secretary may revise
    assert client.get(_item_url(item, "zapisnik")).status_code == 403
    assert client.post(_item_url(item, "zapisnik"), data={"text": "x", "base_version": "1",
                                                          "reason": "ker"}).status_code == 403
    # nor may staff change the agenda of approved minutes any more (meetings.edit refuses)
    client = _as(client, f.user(Role.MINISTRY))
    assert client.post(f"/sestanki/{m.id}/tocke/{item.id}/uredi",
                       data={"title": "Drugače", "visibility": "internal"}).status_code == 403
    assert session.scalars(select(MinutesVersion)).all()[-1].version == 1


def test_an_autosave_after_approval_asks_for_the_reason(client, session, setting):
    m, item, people = setting
    client = _as(client, people["secretary"])
    # the page was loaded while circulated; meanwhile somebody approved
    services.circulate(m)
    services.approve(m, people["secretary"], confirmed=services.ALL_OPEN_POINTS)
    response = client.post(_item_url(item, "zapisnik"), data={"text": "Med potrjevanjem.", "base_version": "1"},
                           headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and response.headers["HX-Retarget"] == "#minutes-editor"
    assert 'name="reason"' in html and "Med potrjevanjem." in html
    assert len(session.scalars(select(MinutesVersion)).all()) == 1


def test_wrong_states_and_roles_for_the_workflow(client, session, setting):
    m, item, people = setting
    client = _as(client, people["member"])
    assert client.post(f"/sestanki/{m.id}/zapisnik/potrdi").status_code == 409  # a draft is not approved
    assert client.post(f"/sestanki/{m.id}/zapisnik/v-pregled").status_code == 403  # members do not circulate
    outsider = f.user(organisation=f.municipality("Ljubljana"))
    assert _as(client, outsider).post(f"/sestanki/{m.id}/zapisnik/v-pregled").status_code == 404  # unknown
    # an unsafe `next` is ignored
    client = _as(client, people["secretary"])
    response = client.post(f"/sestanki/{m.id}/zapisnik/v-pregled", data={"next": "//zlo.example/"})
    assert response.headers["Location"].endswith(f"/sestanki/{m.id}")
    assert client.post("/sestanki/999999/zapisnik/potrdi").status_code == 404


def _render(client, template, **context):
    """An include of the meeting page, rendered for the client's user."""
    with client.application.test_request_context("/sestanki/1"):
        from flask_login import login_user

        login_user(context.pop("user"))
        return render_template(template, **context)


def test_state_box_and_item_actions_follow_the_rules(client, session, setting):
    m, item, people = setting
    secretary, member, observer = people["secretary"], people["member"], people["observer"]
    box = _render(client, "meetings/_minutes_state_box.html", meeting=m, user=secretary)
    assert "Osnutek" in box and "Pošlji v pregled" in box and "Potrdi zapisnik" not in box
    assert "Pošlji v pregled" not in _render(client, "meetings/_minutes_state_box.html", meeting=m, user=member)
    actions = _render(client, "meetings/_minutes_item_actions.html", meeting=m, item=item, user=member)
    assert "Piši zapisnik" in actions and "Zgodovina" in actions and "1 različica" in actions
    assert "Dodaj pripombo" not in actions  # no comments on a draft
    assert "Piši zapisnik" not in _render(client, "meetings/_minutes_item_actions.html", meeting=m, item=item,
                                          user=observer)

    services.circulate(m)
    services.add_comment(item, author=member, text="Pripomba člana.")
    box = _render(client, "meetings/_minutes_state_box.html", meeting=m, user=secretary)
    assert "Poslano v pregled" in box and "Potrdi zapisnik" in box
    assert "Potrdi zapisnik" not in _render(client, "meetings/_minutes_state_box.html", meeting=m, user=member)
    actions = _render(client, "meetings/_minutes_item_actions.html", meeting=m, item=item, user=observer)
    assert "1 pripomba" in actions and "Pripomba člana." in actions and member.name in actions
    assert "#comment-form" not in actions  # observers read, do not comment
    assert "#comment-form" in _render(client, "meetings/_minutes_item_actions.html", meeting=m, item=item,
                                      user=member)

    services.approve(m, secretary, confirmed=services.ALL_OPEN_POINTS)
    box = _render(client, "meetings/_minutes_state_box.html", meeting=m, user=secretary)
    assert "Potrjen" in box and f"potrditev: {secretary.name}" in box
    assert "Popravek potrjenega zapisnika" in box and item.title in box
    assert "Popravek potrjenega zapisnika" not in _render(client, "meetings/_minutes_state_box.html", meeting=m,
                                                          user=member)
    actions = _render(client, "meetings/_minutes_item_actions.html", meeting=m, item=item, user=secretary)
    assert "Popravi zapisnik" in actions and "Piši zapisnik" not in actions


def test_the_meeting_page_carries_the_state_box_and_item_actions(client, setting):
    m, item, people = setting
    page = _as(client, people["secretary"]).get(f"/sestanki/{m.id}").get_data(as_text=True)
    assert 'id="minutes-state"' in page and "Pošlji v pregled" in page
    assert f"/sestanki/{m.id}/tocke/{item.id}/zapisnik" in page
