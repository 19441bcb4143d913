"""How the audit log tells changes to action items and fan-outs (registered with audit/wording.py)."""
from flask_babel import lazy_gettext as _l

from coordination.actions.models import PRIORITY_LABELS, SCOPE_LABELS, STATUS_LABELS, ActionItem, FanOut, ItemUpdate
from coordination.audit import wording as w

w.register("ActionItem", w.Kind(
    name=_l("Action item"), model=ActionItem, title="title", url=w.link("actions.detail", item_id=0),
    created=_l("New action item “%(label)s”"), changed=_l("Change to action item “%(label)s”"),
    deleted=_l("Deleted action item “%(label)s”"),
    fields={"title": _l("Title"), "description": _l("Description"), "conclusion_id": _l("Conclusion"),
            "fanout_id": _l("Fan-out to municipalities"), "assignee_org_id": _l("Assigned organisation"),
            "assignee_user_id": _l("Responsible person"), "due_date": _l("Due date"), "priority": _l("Priority"),
            "status": _l("Status")},
    values={"status": w.labels(STATUS_LABELS), "priority": w.labels(PRIORITY_LABELS), "due_date": w.as_date,
            "description": w.excerpt},
    refs={"conclusion_id": "Conclusion", "fanout_id": "FanOut", "assignee_org_id": "Organisation",
          "assignee_user_id": "User"},
    events=[(lambda c: "status" in c, _l("Status of action item “%(label)s” changed")),
            (lambda c: set(c) == {"due_date"}, _l("Due date of action item “%(label)s” changed"))],
))
w.register("ItemUpdate", w.Kind(
    name=_l("Action item progress note"), model=ItemUpdate, title="text", parent="item_id",
    url=w.link("actions.detail", item_id=2),
    created=_l("New progress note: “%(label)s”"), changed=_l("Change to a progress note: “%(label)s”"),
    deleted=_l("Deleted progress note: “%(label)s”"),
    fields={"item_id": _l("Action item"), "text": _l("Note"), "old_status": _l("Status before"),
            "new_status": _l("Status after")},
    values={"old_status": w.labels(STATUS_LABELS), "new_status": w.labels(STATUS_LABELS), "text": w.excerpt},
    refs={"item_id": "ActionItem"},
))
w.register("FanOut", w.Kind(
    name=_l("Fan-out to municipalities"), model=FanOut, title="title", url=w.link("fanouts.view", fanout_id=0),
    created=_l("New fan-out to municipalities “%(label)s”"),
    changed=_l("Change to the fan-out to municipalities “%(label)s”"),
    deleted=_l("Deleted fan-out to municipalities “%(label)s”"),
    fields={"conclusion_id": _l("Conclusion"), "title": _l("Title"), "scope": _l("Municipalities"),
            "scope_label": _l("Chosen"), "due_date": _l("Due date"), "reminded": _l("Reminded"),
            "reminded_by": _l("Sender"), "municipalities": _l("Municipalities"),
            # the management steps (fanout_manage.py): one entry each, with how many items they changed
            "items": _l("Items changed"), "which": _l("For which items"), "added": _l("Municipalities added"),
            "cancelled": _l("Items cancelled"), "cancel_reason": _l("Reason for cancelling")},
    values={"scope": w.labels(SCOPE_LABELS), "due_date": w.as_date,
            "which": w.labels({"all": _l("all items"), "not_done": _l("the items not done")})},
    refs={"conclusion_id": "Conclusion"},
    events=[(lambda c: "reminded" in c, _l("Reminder for the fan-out “%(label)s” sent")),
            (lambda c: "cancelled" in c, _l("The fan-out “%(label)s” was cancelled")),
            (lambda c: "added" in c, _l("Municipalities were added to the fan-out “%(label)s”")),
            (lambda c: "items" in c and "due_date" in c, _l("The due date of the fan-out “%(label)s” was changed"))],
))
