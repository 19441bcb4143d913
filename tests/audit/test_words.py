"""The audit log in words: sentences, interface names of fields, values as the interface shows
them, Ljubljana time, links to records that still exist, sign-ins apart, a fixed query count."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from coordination.accounts.models import Role
from coordination.actions import services as actions
from coordination.actions.models import ItemStatus
from coordination.audit.models import AuditEntry
from coordination.audit.services import acting_as
from coordination.meetings import services as meetings
from coordination.organisations.models import Organisation, OrgKind
from tests import factories as f


@pytest.fixture
def admin(client, no_csrf):
    user = f.user(Role.ADMIN, name="Ana Revizorka")
    f.login(client, user)
    return user


def _log(client, query=""):
    return client.get("/revizijska-sled/" + query, headers={"HX-Request": "true"}).get_data(as_text=True)


def test_a_status_change_reads_as_a_sentence_with_labels_and_names(client, admin, session):
    official = f.user(Role.MUNICIPAL, name="Črt Občinski", organisation=f.municipality("Kamnik"))
    item = f.action_item(official, "Pripraviti register skrbnikov")
    with acting_as("Črt Občinski <crt@example.si>", official):
        actions.change_status(item, ItemStatus.IN_PROGRESS, author=official)
    session.commit()
    html = _log(client, "?entity=ActionItem")
    assert "Sprememba stanja naloge „Pripraviti register skrbnikov“" in html
    assert "Stanje:</span> <del>Odprta</del> → <ins>V teku</ins>" in html
    assert f'href="/naloge/{item.id}"' in html  # the entry links to its item
    assert "Črt Občinski" in html and "crt@example.si" not in html
    created = _log(client, "?entity=ActionItem&action=create")
    assert "Nova naloga „Pripraviti register skrbnikov“" in created
    assert "Dodeljena organizacija:</span> Kamnik" in created  # a name, not the organisation's id
    assert "assignee_org_id" not in created and "created_by_id" not in created  # no column names


def test_approving_minutes_is_its_own_event(client, admin, session):
    secretary = f.user(Role.MINISTRY, name="Marko Ministrski")
    meeting = f.meeting(title="Seja z ministrom")
    meeting.minutes_state = "circulated"
    session.flush()
    with acting_as("Marko Ministrski <marko@example.si>", secretary):
        meetings.approve(meeting, secretary)
    session.commit()
    html = _log(client, "?entity=Meeting&action=update")
    assert "Potrditev zapisnika sestanka „Seja z ministrom“" in html
    assert "Oseba, ki je potrdila:</span> <del>—</del> → <ins>Marko Ministrski</ins>" in html
    assert "(-a)" not in html and "/a " not in html  # no gendered verbs guessed


def test_times_are_in_ljubljana_and_deleted_records_are_not_linked(client, admin, session):
    with acting_as("tests"):
        org = Organisation(name="Zavod Minljivi", kind=OrgKind.OTHER)
        session.add(org)
        session.commit()
        org_id = org.id
        session.delete(org)
        session.commit()
    session.execute(update(AuditEntry).where(AuditEntry.entity_id == str(org_id), AuditEntry.entity_type == "Organisation")
                    .values(at=datetime(2024, 7, 1, 22, 30, tzinfo=UTC)))
    session.commit()
    html = _log(client, "?entity=Organisation&since=2024-07-02&until=2024-07-02")  # Ljubljana's days
    assert "2. 7. 2024 0:30" in html  # 22.30 UTC is half past midnight in summer
    assert "Izbris organizacije „Zavod Minljivi“" in html
    assert f'href="/organizacije/{org_id}"' not in html


def test_sign_ins_are_kept_apart(client, admin, session, app):
    user = f.user(name="Sabina Prijavna")
    f.login(app.test_client(), user)  # Sabina signs in on her own computer
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                    AuditEntry.entity_id == str(user.id)).order_by(AuditEntry.id.desc()))
    assert entry.action == "sign_in"
    assert "Sabina Prijavna" not in _log(client, "?entity=User&action=update")
    assert "Prijava" not in _log(client, "?entity=User").split("</thead>")[1]
    only = _log(client, "?signins=only")
    assert "Sabina Prijavna" in only and "Nov račun" not in only
    assert "Sabina Prijavna" in _log(client, "?signins=with&entity=User")


def _mixed_history(session, n):
    """n of each: organisations, accounts, action items with a status change, meetings."""
    author = f.user(Role.MINISTRY)
    for i in range(n):
        with acting_as("tests"):
            session.add(Organisation(name=f"Zavod {n}-{i}", kind=OrgKind.OTHER))
        item = f.action_item(author, f"Naloga {n}-{i}")
        actions.change_status(item, ItemStatus.IN_PROGRESS, author=author)
        f.meeting(title=f"Sestanek {n}-{i}")
    session.commit()


def test_the_page_has_a_fixed_query_count(client, admin, session, count_queries, app):
    app.config["AUDIT_PAGE_SIZE"] = 400
    _mixed_history(session, 2)
    with count_queries() as few:
        small = _log(client)
    _mixed_history(session, 30)
    with count_queries() as many:
        large = _log(client)
    assert small.count("<tr") < large.count("<tr")
    assert many.count == few.count
