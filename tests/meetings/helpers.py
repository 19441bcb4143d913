"""Meeting fixtures shared by the meeting tests."""
from datetime import UTC, datetime, timedelta

from coordination.accounts.models import Role
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import services
from coordination.meetings.models import Visibility
from tests import factories as f


def group_with_people():
    """A working group with a secretary, a member and an observer, each a user of Kamnik."""
    group = groups.create_group(name="Delovna skupina za IT zahteve", code="DS-IT", mandate="")
    kamnik = f.municipality("Kamnik")
    people = {}
    for role in (GroupRole.SECRETARY, GroupRole.MEMBER, GroupRole.OBSERVER):
        people[role] = f.user(Role.MUNICIPAL, kamnik, name=f"{role.value.title()} Kamnik")
        groups.add_member(group, organisation_id=kamnik.id, user_id=people[role].id, role=role, valid_from=None,
                          valid_until=None)
    return group, people


def meeting(group=None, *, title="3. seja delovne skupine", visibility=Visibility.INTERNAL, created_by=None,
            start=None, organisers=None):
    start = start or datetime(2024, 3, 20, 9, 0, tzinfo=UTC)
    return services.create_meeting(
        title=title, starts_at=start, ends_at=start + timedelta(hours=2), place="Ljubljana, Davčna 1",
        online_url=None, visibility=visibility, group=group,
        organisers=organisers if organisers is not None else [f.by_short_name("MDP")], created_by=created_by)
