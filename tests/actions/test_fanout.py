"""Fan-out over HTTP: the form and its reach, one item per municipality in one step, the status
matrix (grouped by region, counts, filters, a fixed number of queries) and reminding the ones not done."""
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination import types
from coordination.accounts.models import Role
from coordination.actions import reminders, services
from coordination.actions.models import ActionItem, FanOut, FanOutScope, ItemStatus, Notification, ReminderLog
from coordination.extensions import db
from coordination.meetings.models import Visibility
from coordination.organisations.models import Organisation, OrgKind, Region, association_membership
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Marko Ministrski")


@pytest.fixture
def conclusion(staff):
    return _conclusion(staff)


@pytest.fixture
def sos_members(session) -> list[Organisation]:
    """SOS with a few member municipalities (the reference data carries no memberships)."""
    from coordination.organisations import services as organisations

    sos = f.by_short_name("SOS")
    members = [f.municipality(n) for n in ("Kamnik", "Črnomelj", "Žalec", "Ljubljana")]
    for member in members:
        organisations.set_memberships(member, [sos])
    return members


def _conclusion(author, visibility=Visibility.PUBLIC):
    meeting = f.meeting(title="Sestanek z ministrico za digitalizacijo", visibility=visibility, place="Ljubljana",
                        start=datetime(2022, 9, 20, 8, tzinfo=UTC), created_by=author)
    return f.conclusion(meeting, "Občine imenujejo predstavnika za strategijo.\nDrugi odstavek.")


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(ActionItem).where(*where))


def _municipalities(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.kind == OrgKind.MUNICIPALITY, *where))


def _url(conclusion):
    return f"/sklepi/{conclusion.id}/razprsitev"


# --- the form ---------------------------------------------------------------------------------

def test_the_form_is_prefilled_and_counts_all_municipalities(client, staff, conclusion):
    f.login(client, staff)
    response = client.get(_url(conclusion))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Občine imenujejo predstavnika za strategijo."' in html  # the first line of the conclusion
    assert "Izbor zajame <strong>212 občin</strong>" in html
    # the chosen list: checkboxes grouped by region, in Slovenian order (Gorenjska before Goriška …)
    regions = re.findall(r"<summary>([^<(]+) \(", html)
    assert len(regions) == 12 and regions.index("Gorenjska") < regions.index("Goriška") < regions.index(
        "Jugovzhodna Slovenija") < regions.index("Zasavska")
    assert html.count('name="chosen"') == 212
    assert "data-hx-indicator=\"#fanout-submit\"" in html and "hx-post" not in html.replace("data-hx-", "")


def test_fan_out_to_all_212_over_http_under_a_second(client, staff, conclusion):
    f.login(client, staff)
    client.get(_url(conclusion))  # warm: templates compiled, reference data cached
    started = time.perf_counter()
    response = client.post(_url(conclusion), data={"title": "Imenovati predstavnika", "scope": "all",
                                                   "priority": "high", "due_date": "2099-10-01",
                                                   "confirm": "1"})
    elapsed = time.perf_counter() - started
    print(f"\nfan-out to 212 municipalities over HTTP: {elapsed * 1000:.0f} ms")
    assert response.status_code == 302
    fanout = db.session.scalar(select(FanOut).where(FanOut.conclusion_id == conclusion.id))
    assert response.headers["Location"].endswith(f"/razprsitve/{fanout.id}")
    assert _count(ActionItem.fanout_id == fanout.id) == 212
    assert _count(ActionItem.fanout_id == fanout.id, ActionItem.priority == "high") == 212
    assert elapsed < 1.0, elapsed
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ustvarjenih je 212 nalog." in page


@pytest.mark.parametrize("scope", ["region", "association", "chosen"])
def test_each_scope_reaches_what_it_says(client, staff, conclusion, sos_members, scope):
    gorenjska = db.session.scalar(select(Region).where(Region.name == "Gorenjska"))
    sos = f.by_short_name("SOS")
    chosen = [f.municipality(n).id for n in ("Kamnik", "Črnomelj", "Žalec")]
    data = {"title": "Naloga", "scope": scope, "priority": "normal", "region": gorenjska.id, "association": sos.id,
            "chosen": chosen, "due_date": "2099-10-01"}
    expected = {
        "region": _municipalities(Organisation.region_id == gorenjska.id),
        "association": db.session.scalar(select(func.count()).select_from(association_membership).where(
            association_membership.c.association_id == sos.id)),
        "chosen": 3,
    }[scope]
    assert expected > 0
    f.login(client, staff)
    # the count first (htmx asks with GET while the form is filled in): a fragment with the number
    preview = client.get(_url(conclusion), query_string=data, headers={"HX-Request": "true"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<html" not in text and f"<strong>{expected} " in text
    # without JavaScript: the "count" button shows the form again with the number, creating nothing
    counted = client.post(_url(conclusion), data={**data, "preview": "1"})
    assert counted.status_code == 200 and f"<strong>{expected} " in counted.get_data(as_text=True)
    assert _count(ActionItem.conclusion_id == conclusion.id) == 0
    check = client.post(_url(conclusion), data=data)  # the check step, still nothing made
    assert check.status_code == 200 and f"Zajame {expected} " in check.get_data(as_text=True)
    assert _count(ActionItem.conclusion_id == conclusion.id) == 0
    assert client.post(_url(conclusion), data={**data, "confirm": "1"}).status_code == 302
    fanout = db.session.scalar(select(FanOut).where(FanOut.conclusion_id == conclusion.id))
    assert fanout.scope == scope and _count(ActionItem.fanout_id == fanout.id) == expected


@pytest.mark.parametrize("data, field, message", [
    ({"scope": "chosen"}, "chosen", "Izberite vsaj eno občino"),
    ({"scope": "region"}, "region", "Izberite regijo, katere občine dobijo nalogo."),
    ({"scope": "association"}, "association", "Izberite združenje, katerega članice dobijo nalogo."),
    ({"scope": "chosen", "chosen": ["999999"]}, "chosen", "Izberite občine s seznama."),
    ({"scope": "chosen", "chosen": ["ena"]}, "chosen", "Neveljavn"),
    ({"scope": "everyone"}, "scope", "Neveljavna izbira"),
    ({"scope": "all", "title": ""}, "title", "obvezno"),
    ({"scope": "all", "due_date": ""}, "due_date", "Vpišite rok"),
    ({"scope": "all", "due_date": "", "confirm": "1"}, "due_date", "Vpišite rok"),
])
def test_bad_input_changes_nothing(client, staff, conclusion, data, field, message):
    f.login(client, staff)
    response = client.post(_url(conclusion), data={"title": "Naloga", "priority": "normal",
                                                   "due_date": "2099-10-01", **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    # the message stands next to its field
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*{re.escape(message)}', html), html[html.find("error"):][:500]
    assert _count(ActionItem.conclusion_id == conclusion.id) == 0
    assert db.session.scalar(select(func.count()).select_from(FanOut)) == 0


def test_an_association_without_members_reaches_nobody(client, staff, conclusion):
    empty = f.organisation("Združenje brez članic", kind=OrgKind.ASSOCIATION, short_name="ZBČ")
    f.login(client, staff)
    response = client.post(_url(conclusion), data={"title": "Naloga", "priority": "normal", "scope": "association",
                                                   "association": empty.id})
    assert response.status_code == 422
    assert "Izbor ne zajame nobene občine" in response.get_data(as_text=True)
    assert _count(ActionItem.conclusion_id == conclusion.id) == 0


def test_a_past_due_date_is_allowed_with_a_warning(client, staff, conclusion):
    f.login(client, staff)
    yesterday = (types.today() - timedelta(days=1)).isoformat()
    response = client.post(_url(conclusion), data={"title": "Pozno", "priority": "normal", "scope": "chosen",
                                                   "chosen": [f.municipality("Kamnik").id], "due_date": yesterday,
                                                   "confirm": "1"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Ustvarjena je 1 naloga." in html and "rok je že minil" in html
    assert "zamuja" in html


def test_htmx_submit_goes_to_the_matrix_by_a_full_load(client, staff, conclusion):
    f.login(client, staff)
    response = client.post(_url(conclusion), data={"title": "Naloga", "priority": "normal", "scope": "all",
                                                   "due_date": "2099-10-01", "confirm": "1"},
                           headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith("/razprsitve/")


def test_only_those_who_run_the_meeting_fan_out(client, staff, conclusion):
    for role in (Role.MUNICIPAL, Role.ASSOCIATION, Role.HOST):
        f.login(client, f.user(role))
        assert client.get(_url(conclusion)).status_code == 403
        assert client.post(_url(conclusion), data={"title": "x", "scope": "all", "priority": "normal"}).status_code == 403
        client.post("/odjava")
    assert _count(ActionItem.conclusion_id == conclusion.id) == 0
    f.login(client, staff)
    assert client.get("/sklepi/999999/razprsitev").status_code == 404


# --- the status matrix ------------------------------------------------------------------------

def _fan_out(conclusion, staff, **kwargs):
    return f.fan_out(conclusion, staff, "Imenovati predstavnika", due_date=types.today() + timedelta(days=5), **kwargs)


def _spread(fanout, staff):
    """Every fifth done, every fifth in progress, every fifth blocked; Kamnik overdue."""
    items = db.session.scalars(select(ActionItem).where(ActionItem.fanout_id == fanout.id).order_by(ActionItem.id)).all()
    spread = [ItemStatus.DONE, ItemStatus.IN_PROGRESS, ItemStatus.OPEN, ItemStatus.BLOCKED, ItemStatus.OPEN]
    for n, item in enumerate(items):
        if spread[n % 5] != ItemStatus.OPEN:
            item.status = spread[n % 5]
    kamnik = next(i for i in items if i.assignee_org.name == "Kamnik")
    kamnik.status, kamnik.due_date = ItemStatus.OPEN, types.today() - timedelta(days=2)
    db.session.commit()
    return items


def test_the_matrix_groups_by_region_with_status_words_and_counts(client, staff, conclusion):
    fanout = _fan_out(conclusion, staff)
    items = _spread(fanout, staff)
    f.login(client, staff)
    response = client.get(f"/razprsitve/{fanout.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    done = sum(1 for i in items if i.status == ItemStatus.DONE)
    assert f"{round(100 * done / 212)} %" in html and f"opravljeno {done} od 212; preklicane se ne štejejo" in html
    # regions in Slovenian order, each heading with its municipalities
    headings = re.findall(r'<h2 id="region-SI\d+">([^<]+) <', html)
    assert len(headings) == 12 and headings.index("Gorenjska") < headings.index("Goriška")
    # every cell says its status in words; the overdue one says so too
    assert html.count('class="cell status-') == 212
    kamnik = re.search(r'<li class="cell status-open is-overdue">.*?</li>', html, re.S).group(0)
    assert "Kamnik" in kamnik and "Odprta" in kamnik and "zamuja" in kamnik
    # the per-region table and the chart
    assert "<table class=\"region-counts\">" in html and 'class="status-chart"' in html
    assert "Naloge po stanju" in html
    assert f"/razprsitve/{fanout.id}/porocilo.pdf" in html


def test_matrix_filters_by_status_and_region_with_stable_urls(client, staff, conclusion):
    fanout = _fan_out(conclusion, staff)
    items = _spread(fanout, staff)
    f.login(client, staff)
    blocked = sum(1 for i in items if i.status == ItemStatus.BLOCKED)
    html = client.get(f"/razprsitve/{fanout.id}?status=blocked").get_data(as_text=True)
    assert html.count('class="cell status-') == blocked == html.count('class="cell status-blocked')
    overdue = client.get(f"/razprsitve/{fanout.id}?status=overdue").get_data(as_text=True)
    assert overdue.count('class="cell status-') == 1 and "Kamnik" in overdue
    gorenjska = db.session.scalar(select(Region).where(Region.name == "Gorenjska"))
    in_region = _municipalities(Organisation.region_id == gorenjska.id)
    fragment = client.get(f"/razprsitve/{fanout.id}?region={gorenjska.code}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.count('class="cell status-') == in_region
    assert "HX-Request" in fragment.headers["Vary"]
    # an unknown filter value shows everything rather than failing
    assert client.get(f"/razprsitve/{fanout.id}?status=nonsense&region=XX").status_code == 200


def test_association_staff_see_their_members_marked_and_only_their_rows_of_an_internal_conclusion(client, staff,
                                                                                                   sos_members):
    internal = _conclusion(staff, Visibility.INTERNAL)
    fanout = _fan_out(internal, staff)
    sos = f.by_short_name("SOS")
    members = db.session.scalar(select(func.count()).select_from(association_membership).where(
        association_membership.c.association_id == sos.id))
    f.login(client, f.user(Role.ASSOCIATION, sos))
    html = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    # an internal conclusion: the association sees its members' items, marked, and nothing else
    assert html.count('class="cell status-') == members == html.count("is-member")
    client.post("/odjava")
    public_fanout = _fan_out(_conclusion(staff), staff)
    f.login(client, f.user(Role.ASSOCIATION, sos))
    html = client.get(f"/razprsitve/{public_fanout.id}").get_data(as_text=True)
    assert html.count('class="cell status-') == 212 and html.count("is-member") == members
    only = client.get(f"/razprsitve/{public_fanout.id}?members=1").get_data(as_text=True)
    assert only.count('class="cell status-') == members


def test_who_sees_the_matrix(client, staff):
    confidential = _conclusion(staff, Visibility.CONFIDENTIAL)
    fanout = _fan_out(confidential, staff, scope=FanOutScope.CHOSEN, chosen=[f.municipality("Kamnik").id])
    for role in (Role.ASSOCIATION, Role.HOST):
        f.login(client, f.user(role))
        assert client.get(f"/razprsitve/{fanout.id}").status_code == 404  # not visible: unknown to them
        client.post("/odjava")
    f.login(client, staff)
    assert client.get(f"/razprsitve/{fanout.id}").status_code == 200
    assert client.get("/razprsitve/999999").status_code == 404


def test_the_matrix_has_a_fixed_number_of_queries(client, staff, sos_members, count_queries):
    few_conclusion, many_conclusion = _conclusion(staff), _conclusion(staff)
    chosen = db.session.scalars(select(Organisation.id).where(Organisation.kind == OrgKind.MUNICIPALITY)
                                .order_by(Organisation.id).limit(10)).all()
    few = _fan_out(few_conclusion, staff, scope=FanOutScope.CHOSEN, chosen=chosen)
    many = _fan_out(many_conclusion, staff)
    _spread(many, staff)
    # the many have accounts and last reminders too: the matrix reads them in its one query
    for name in ("Kamnik", "Kranj", "Ljubljana", "Žalec"):
        f.user(Role.MUNICIPAL, f.municipality(name))
    assert reminders.remind_fanout(many, staff, [i.id for i in many.items]) >= 1
    association = f.user(Role.ASSOCIATION)
    counts = {}
    for who in (staff, association):
        f.login(client, who)
        for fanout in (few, many):
            client.get(f"/razprsitve/{fanout.id}")  # warm
            with count_queries() as counter:
                started = time.perf_counter()
                response = client.get(f"/razprsitve/{fanout.id}")
                elapsed = time.perf_counter() - started
            assert response.status_code == 200
            counts[(who.role, fanout.id)] = (counter.count, elapsed, counter.statements)
        client.post("/odjava")
        (n_few, t_few, _s), (n_many, t_many, statements) = counts[(who.role, few.id)], counts[(who.role, many.id)]
        print(f"\nmatrix as {who.role}: 10 items {n_few} queries {t_few * 1000:.0f} ms; "
              f"212 items {n_many} queries {t_many * 1000:.0f} ms")
        assert n_few == n_many, "\n\n".join(s[:200] for s in statements)
        assert t_many < 0.5


# --- reminders --------------------------------------------------------------------------------

def test_remind_the_ones_not_done_after_confirming(client, staff, conclusion):
    kamnik, ljubljana, kranj = (f.municipality(n) for n in ("Kamnik", "Ljubljana", "Kranj"))
    official = f.user(Role.MUNICIPAL, kamnik)
    f.user(Role.MUNICIPAL, ljubljana)
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[kamnik.id, ljubljana.id, kranj.id])
    done = next(i for i in fanout.items if i.assignee_org_id == kranj.id)
    services.change_status(done, ItemStatus.DONE, author=staff)
    f.login(client, staff)
    matrix = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    assert f"/razprsitve/{fanout.id}/opomni" in matrix and "Opomni 2 občini, ki nista končali" in matrix
    confirm = client.get(f"/razprsitve/{fanout.id}/opomni").get_data(as_text=True)
    assert "Opomnimo 2 občini?" in confirm and "Kamnik" in confirm and "Kranj" not in confirm
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 0  # nothing sent yet
    before = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == official.id, Notification.kind == "reminder"))
    response = client.post(f"/razprsitve/{fanout.id}/opomni", follow_redirects=True)
    assert response.status_code == 200 and "Opomnjeni sta 2 občini." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == official.id, Notification.kind == "reminder")) == before + 1
    # once a day: a second press reminds nobody again
    again = client.post(f"/razprsitve/{fanout.id}/opomni", follow_redirects=True).get_data(as_text=True)
    assert "Opomnjenih je 0 občin." not in again and 'class="flash flash-warning"' in again
    assert "Nihče ni bil opomnjen" in again


def test_associations_remind_only_their_members(client, staff, conclusion, sos_members):
    sos = f.by_short_name("SOS")
    member = db.session.scalar(select(Organisation).where(Organisation.id.in_(
        select(association_membership.c.member_id).where(association_membership.c.association_id == sos.id))))
    outsider = db.session.scalar(select(Organisation).where(
        Organisation.kind == OrgKind.MUNICIPALITY, Organisation.id.not_in(
            select(association_membership.c.member_id).where(association_membership.c.association_id == sos.id))))
    f.user(Role.MUNICIPAL, member)
    f.user(Role.MUNICIPAL, outsider)
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[member.id, outsider.id])
    f.login(client, f.user(Role.ASSOCIATION, sos))
    confirm = client.get(f"/razprsitve/{fanout.id}/opomni").get_data(as_text=True)
    assert "Opomnimo 1 občino?" in confirm and member.name in confirm and outsider.name not in confirm
    response = client.post(f"/razprsitve/{fanout.id}/opomni", follow_redirects=True)
    assert "Opomnjena je 1 občina." in response.get_data(as_text=True)
    outsider_item = next(i for i in fanout.items if i.assignee_org_id == outsider.id)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.item_id == outsider_item.id, Notification.kind == "reminder")) == 0


def test_remind_rights(client, staff, conclusion):
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[f.municipality("Kamnik").id])
    for role in (Role.MUNICIPAL, Role.HOST):
        f.login(client, f.user(role))
        assert client.get(f"/razprsitve/{fanout.id}/opomni").status_code == 403
        assert client.post(f"/razprsitve/{fanout.id}/opomni").status_code == 403
        client.post("/odjava")


# --- reminders that tell the truth (issue 13, item 5) ------------------------------------------

def _reminded_orgs(fanout) -> set[str]:
    """The municipalities whose users got a reminder notification of this fan-out."""
    return set(db.session.scalars(select(Organisation.name).join(ActionItem, ActionItem.assignee_org_id == Organisation.id)
                                  .join(Notification, Notification.item_id == ActionItem.id)
                                  .where(ActionItem.fanout_id == fanout.id, Notification.kind == "reminder")))


def test_remind_reaches_exactly_the_municipalities_the_filters_show(client, staff, conclusion):
    kamnik, ljubljana, kranj, jesenice = (f.municipality(n) for n in ("Kamnik", "Ljubljana", "Kranj", "Jesenice"))
    for org in (kamnik, ljubljana, kranj, jesenice):
        f.user(Role.MUNICIPAL, org)
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[o.id for o in (kamnik, ljubljana, kranj,
                                                                                          jesenice)])
    gorenjska = db.session.get(Region, kranj.region_id)
    assert jesenice.region_id == gorenjska.id != kamnik.region_id
    f.login(client, staff)
    # the matrix with a region filter offers to remind the two it shows, and the link carries the filter
    matrix = client.get(f"/razprsitve/{fanout.id}?region={gorenjska.code}").get_data(as_text=True)
    assert f"/razprsitve/{fanout.id}/opomni?region={gorenjska.code}" in matrix
    assert "Opomni 2 prikazani občini, ki nista končali" in matrix
    confirm = client.get(f"/razprsitve/{fanout.id}/opomni?region={gorenjska.code}").get_data(as_text=True)
    assert "Opomnimo 2 občini?" in confirm and "Kranj" in confirm and "Jesenice" in confirm
    assert "Kamnik" not in confirm and "Ljubljana" not in confirm
    assert "Opomnik bosta prejeli 2 občini" in confirm
    assert "Filtri: Gorenjska." in confirm
    assert f'<input type="hidden" name="region" value="{gorenjska.code}">' in confirm
    response = client.post(f"/razprsitve/{fanout.id}/opomni", data={"region": gorenjska.code})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"?region={gorenjska.code}")
    assert _reminded_orgs(fanout) == {"Kranj", "Jesenice"}
    # a name search narrows it further: only Kamnik, found without its capital letter
    response = client.post(f"/razprsitve/{fanout.id}/opomni", data={"q": "kamn"}, follow_redirects=True)
    assert "Opomnjena je 1 občina." in response.get_data(as_text=True)
    assert _reminded_orgs(fanout) == {"Kranj", "Jesenice", "Kamnik"}


def test_remind_names_the_municipalities_without_an_account(client, staff, conclusion):
    kamnik, kranj, zalec = (f.municipality(n) for n in ("Kamnik", "Kranj", "Žalec"))
    f.user(Role.MUNICIPAL, kamnik)
    f.user(Role.MUNICIPAL, zalec, active=False)  # a deactivated account reaches nobody either
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[kamnik.id, kranj.id, zalec.id])
    f.login(client, staff)
    confirm = client.get(f"/razprsitve/{fanout.id}/opomni").get_data(as_text=True)
    assert "Opomnimo 3 občine?" in confirm and "Opomnik bo prejela 1 občina" in confirm
    assert "2 občini nimata računa" in confirm
    no_account = re.search(r'<p class="no-account">(.*?)</p>', confirm, re.S).group(1)
    assert "Kranj" in no_account and "Žalec" in no_account and "Kamnik" not in no_account
    assert "Pošlji opomnik 1 občini" in confirm


def test_a_run_that_reminds_nobody_is_a_warning(client, staff, conclusion):
    kamnik, kranj = f.municipality("Kamnik"), f.municipality("Kranj")
    f.user(Role.MUNICIPAL, kamnik)
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[kamnik.id, kranj.id])
    f.login(client, staff)
    # an empty selection (nothing shown is waiting): refused with a warning, nothing sent
    empty = client.post(f"/razprsitve/{fanout.id}/opomni", data={"status": "done"})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and 'class="flash flash-warning"' in html and "Nihče ni bil opomnjen" in html
    assert "flash-success" not in html and db.session.scalar(select(func.count()).select_from(ReminderLog)) == 0
    # only Kranj shown, and nobody there has an account: the page says so and offers no button
    confirm = client.get(f"/razprsitve/{fanout.id}/opomni?q=Kranj").get_data(as_text=True)
    assert "Opomnika zdaj ne bi prejel nihče." in confirm and "Pošlji opomnik" not in confirm
    posted = client.post(f"/razprsitve/{fanout.id}/opomni", data={"q": "Kranj"}, follow_redirects=True)
    html = posted.get_data(as_text=True)
    assert 'class="flash flash-warning"' in html and "flash-success" not in html
    # Kamnik reminded, then again the same day: a warning the second time
    first = client.post(f"/razprsitve/{fanout.id}/opomni", data={"q": "Kamnik"}, follow_redirects=True)
    assert "Opomnjena je 1 občina." in first.get_data(as_text=True)
    again = client.post(f"/razprsitve/{fanout.id}/opomni", data={"q": "Kamnik"}, follow_redirects=True)
    html = again.get_data(as_text=True)
    assert 'class="flash flash-warning"' in html and "flash-success" not in html
    assert "danes že opomnjene" in html


def test_the_matrix_shows_when_each_municipality_was_last_reminded(client, staff, conclusion):
    kamnik, kranj = f.municipality("Kamnik"), f.municipality("Kranj")
    f.user(Role.MUNICIPAL, kamnik)
    f.user(Role.MUNICIPAL, kranj)
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[kamnik.id, kranj.id])
    f.login(client, staff)
    assert "cell-reminded" not in client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    client.post(f"/razprsitve/{fanout.id}/opomni", data={"q": "Kamnik"})
    html = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    today = types.today()
    cell = re.search(r'<li class="cell status-open[^"]*">\s*<a[^>]*>Kamnik</a>.*?</li>', html, re.S).group(0)
    assert f"opomnjena {today.day}. {today.month}. {today.year}" in cell
    other = re.search(r'<li class="cell status-open[^"]*">\s*<a[^>]*>Kranj</a>.*?</li>', html, re.S).group(0)
    assert "opomnjena" not in other


def test_an_association_without_members_is_told_so(client, staff, conclusion):
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[f.municipality("Kamnik").id])
    sos = f.by_short_name("SOS")
    assert not db.session.scalar(select(func.count()).select_from(association_membership).where(
        association_membership.c.association_id == sos.id))
    f.login(client, f.user(Role.ASSOCIATION, sos))
    matrix = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    assert "Vaše združenje v delovnem prostoru nima članic" in matrix and "/opomni" not in matrix
    confirm = client.get(f"/razprsitve/{fanout.id}/opomni").get_data(as_text=True)
    assert "Vaše združenje v delovnem prostoru nima članic" in confirm
    assert "opravile ali preklicale" not in confirm


def test_an_association_with_members_is_not_told_it_has_none(client, staff, conclusion, sos_members):
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[sos_members[0].id])
    services.change_status(fanout.items[0], ItemStatus.DONE, author=staff)
    f.login(client, f.user(Role.ASSOCIATION, f.by_short_name("SOS")))
    assert "nima članic" not in client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    confirm = client.get(f"/razprsitve/{fanout.id}/opomni").get_data(as_text=True)
    assert "nima članic" not in confirm and "Vse vaše članice pri tej nalogi so jo opravile ali preklicale." in confirm


# --- figures that agree (issue 13, item 6) ------------------------------------------------------

def test_progress_is_the_same_in_the_matrix_the_report_and_the_dashboard(client, staff, conclusion):
    from tests.documents.test_documents import pdftotext

    chosen = db.session.scalars(select(Organisation.id).where(Organisation.kind == OrgKind.MUNICIPALITY)
                                .order_by(Organisation.id).limit(10)).all()
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=chosen)
    items = sorted(fanout.items, key=lambda i: i.id)
    for item in items[:3]:
        services.change_status(item, ItemStatus.DONE, author=staff)
    for item in items[3:5]:
        services.change_status(item, ItemStatus.CANCELLED, author=staff)
    db.session.commit()
    # done 3 of the 8 not cancelled: 38 %, never 30 % (3 of 10)
    sentence = "opravljeno 3 od 8; preklicane se ne štejejo"
    f.login(client, staff)
    matrix = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    figure = re.search(r'<p class="progress-figure">(.*?)</p>', matrix, re.S).group(1)
    assert "<strong>38 %</strong>" in figure and sentence in figure
    assert re.search(r"<tfoot>.*?38 %</td></tr></tfoot>", matrix, re.S)
    assert re.search(r"Opravljena</text>\s*<rect[^>]*/>\s*<text[^>]*>3 \(38 %\)</text>", matrix)
    assert re.search(r"Preklicana</text>\s*<rect[^>]*/>\s*<text[^>]*>2 \(se ne šteje\)</text>", matrix)
    report = " ".join(pdftotext(client.get(f"/razprsitve/{fanout.id}/porocilo.pdf").data).split())
    assert f"38 % · {sentence}" in report and "3 (38 %)" in report
    dashboard = client.get("/").get_data(as_text=True)
    assert f"38 % · {sentence}" in dashboard


def test_every_colour_has_a_legend_in_words(client, staff, conclusion):
    fanout = _fan_out(conclusion, staff, scope=FanOutScope.CHOSEN, chosen=[f.municipality("Kamnik").id])
    f.login(client, staff)
    html = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    legend = re.search(r'<ul class="legend">(.*?)</ul>', html, re.S).group(1)
    for status in ItemStatus:
        assert f'legend-swatch status-{status.value}"' in legend
    for words in ("Odprta", "V teku", "Blokirana", "Opravljena", "Preklicana", "zamuja"):
        assert words in legend, words


def test_find_a_municipality_by_name(client, staff, conclusion):
    fanout = _fan_out(conclusion, staff)
    f.login(client, staff)
    html = client.get(f"/razprsitve/{fanout.id}?q=crnomelj").get_data(as_text=True)
    assert html.count('class="cell status-') == 1 and "Črnomelj" in html
    assert 'name="q" value="crnomelj"' in html and "Prikazana je 1 občina od 212." in html
    fragment = client.get(f"/razprsitve/{fanout.id}?q=ško", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment
    names = re.findall(r'<a href="/naloge/\d+">([^<]+)</a>', fragment)
    assert names and all("ško" in n.lower() for n in names) and "Škofja Loka" in names
    nothing = client.get(f"/razprsitve/{fanout.id}?q=Atlantida").get_data(as_text=True)
    assert nothing.count('class="cell status-') == 0 and "Tem filtrom ne ustreza nobena občina." in nothing
