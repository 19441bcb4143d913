"""How the audit log tells changes to a user's e-mail settings (registered with audit/wording.py)."""
from flask_babel import lazy_gettext as _l

from coordination.accounts.models import User
from coordination.audit import wording as w

w.register("EmailPreferences", w.Kind(
    name=_l("E-mail settings"), model=User, url=w.link("accounts.edit_user", user_id=0),
    created=_l("E-mail settings of “%(label)s”"), changed=_l("Change to the e-mail settings of “%(label)s”"),
    deleted=_l("E-mail settings of “%(label)s” removed"),
    fields={"assignment": _l("E-mail: assigned action items and reminders"),
            "status": _l("E-mail: changes of state"), "comments": _l("E-mail: comments"),
            "minutes": _l("E-mail: minutes"), "digest": _l("Daily e-mail digest")},
))
