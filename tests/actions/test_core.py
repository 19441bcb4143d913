"""The action-item core: transitions, the progress log, fan-out in one step, visibility in Python
and in SQL agreeing."""
import time

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.actions import queries, services
from coordination.actions.models import ActionItem, FanOutScope, ItemStatus, ItemUpdate, Notification
from coordination.actions.permissions import can_view
from coordination.audit.models import AuditEntry
from coordination.extensions import db
from coordination.meetings.models import Visibility
from tests import factories


@pytest.fixture
def staff(session):
    return factories.user(Role.MINISTRY)


def test_status_follows_the_allowed_transitions_and_is_logged(session, staff):
    official = factories.user(Role.MUNICIPAL)
    item = services.create_item(title="Imenovati skrbnika", assignee_org=official.organisation, author=staff)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == official.id)) == 1
    services.change_status(item, ItemStatus.IN_PROGRESS, author=official, note="Začeli smo")
    services.change_status(item, ItemStatus.DONE, author=official)
    assert item.closed_at is not None
    with pytest.raises(services.IllegalTransition):
        services.change_status(item, ItemStatus.BLOCKED, author=official)
    log = db.session.scalars(select(ItemUpdate).where(ItemUpdate.item_id == item.id).order_by(ItemUpdate.id)).all()
    assert [(e.old_status, e.new_status, e.text) for e in log] == [
        (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, "Začeli smo"), (ItemStatus.IN_PROGRESS, ItemStatus.DONE, "")]
    assert item.status == ItemStatus.DONE
    # the creator heard of both changes
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == staff.id, Notification.item_id == item.id)) == 2


def test_fan_out_to_an_empty_selection_changes_nothing(session, staff):
    conclusion = _conclusion(staff)
    before = db.session.scalar(select(func.count()).select_from(ActionItem))
    with pytest.raises(services.EmptySelection):
        services.fan_out(conclusion, title="Nič", author=staff, scope=FanOutScope.CHOSEN, chosen=[])
    assert db.session.scalar(select(func.count()).select_from(ActionItem)) == before


def _conclusion(author, visibility=Visibility.PUBLIC):
    from datetime import UTC, datetime

    from coordination.meetings import services as meetings

    meeting = meetings.create_meeting(title="Sestanek", starts_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
                                      ends_at=datetime(2026, 3, 1, 11, tzinfo=UTC), place="Ljubljana",
                                      online_url=None, visibility=visibility, group=None, organisers=[],
                                      created_by=author)
    return meetings.add_conclusion(meeting, text="Občine imenujejo skrbnike.", kind="decision",
                                   visibility=visibility)


def test_fan_out_212_under_a_second(session, staff):
    conclusion = _conclusion(staff)
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    started = time.perf_counter()
    fanout = services.fan_out(conclusion, title="Imenovati skrbnika podatkov", author=staff, scope=FanOutScope.ALL)
    elapsed = time.perf_counter() - started
    count = db.session.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.fanout_id == fanout.id))
    assert count == 212
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) - audit_before >= 213
    assert elapsed < 1.0, elapsed


def test_visibility_in_python_and_sql_agree(session, staff):
    kamnik = factories.municipality("Kamnik")
    official = factories.user(Role.MUNICIPAL, organisation=kamnik)
    other = factories.user(Role.MUNICIPAL, organisation=factories.municipality("Koper"))
    sos = factories.user(Role.ASSOCIATION)
    confidential = _conclusion(staff, Visibility.CONFIDENTIAL)
    public = _conclusion(staff, Visibility.PUBLIC)
    internal = _conclusion(staff, Visibility.INTERNAL)
    items = [services.create_item(title=f"N{i}", assignee_org=org, author=staff, conclusion=c)
             for i, (c, org) in enumerate([(confidential, kamnik), (public, kamnik), (internal, kamnik),
                                           (internal, other.organisation), (None, kamnik),
                                           (confidential, other.organisation)])]
    from coordination.actions.permissions import visible_clause
    from coordination.meetings.models import Conclusion, Meeting

    ids = [i.id for i in items]
    joined = (select(ActionItem).outerjoin(Conclusion, ActionItem.conclusion_id == Conclusion.id)
              .outerjoin(Meeting, Conclusion.meeting_id == Meeting.id).where(ActionItem.id.in_(ids)))
    for viewer in (staff, official, other, sos):
        in_python = {i for i in items if can_view(viewer, i)}
        in_sql = set(db.session.scalars(queries.item_query(viewer).where(ActionItem.id.in_(ids))))
        assert in_sql == in_python, viewer.role
        row_by_row = set(db.session.scalars(joined.where(visible_clause(viewer, joined=True))))
        assert row_by_row == in_python, viewer.role
    assert items[0] in {i for i in items if can_view(official, i)}  # their own, though confidential
    assert not can_view(other, items[2])
