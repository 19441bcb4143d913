"""Meeting fixtures shared by the meeting tests (built by tests/factories.py)."""
from coordination.accounts.models import Role
from coordination.groups.models import GroupRole
from tests import factories as f

meeting = f.meeting  # an internal meeting on 20. 3. 2024 at 10.00, organised by the ministry


def group_with_people():
    """A working group with a secretary, a member and an observer, each a user of Kamnik."""
    group = f.group(name="Delovna skupina za IT zahteve", code="DS-IT")
    kamnik = f.municipality("Kamnik")
    people = {}
    for role in (GroupRole.SECRETARY, GroupRole.MEMBER, GroupRole.OBSERVER):
        people[role] = f.user(Role.MUNICIPAL, kamnik, name=f"{role.value.title()} Kamnik")
        f.member(group, people[role], role)
    return group, people
