"""How the audit log tells changes to working groups (registered with audit/wording.py)."""
from flask_babel import lazy_gettext as _l

from coordination.audit import wording as w
from coordination.groups.models import ROLE_LABELS, GroupMembership, WorkingGroup

w.register("WorkingGroup", w.Kind(
    name=_l("Working group"), model=WorkingGroup, url=w.link("groups.detail", group_id=0),
    created=_l("New working group “%(label)s”"), changed=_l("Change to working group “%(label)s”"),
    deleted=_l("Deleted working group “%(label)s”"),
    fields={"name": _l("Name"), "code": _l("Code"), "mandate": _l("Mandate")},
))
w.register("GroupMembership", w.Kind(
    name=_l("Working-group membership"), model=GroupMembership, title="id",
    parent="group_id", url=w.link("groups.detail", group_id=2),
    created=_l("New membership in a working group: %(label)s"),
    changed=_l("Change to a working-group membership: %(label)s"),
    deleted=_l("Membership in a working group ended: %(label)s"),
    fields={"group_id": _l("Working group"), "user_id": _l("Person"), "organisation_id": _l("Organisation"),
            "role": _l("Role"), "valid_from": _l("Valid from"), "valid_until": _l("Valid until")},
    values={"role": w.labels(ROLE_LABELS), "valid_from": w.as_date, "valid_until": w.as_date},
    refs={"group_id": "WorkingGroup", "user_id": "User", "organisation_id": "Organisation"},
))
