"""How the audit log tells changes to accounts (registered with audit/wording.py)."""
from flask_babel import lazy_gettext as _l

from coordination.accounts.models import User
from coordination.audit import wording as w
from coordination.roles import ROLE_LABELS

w.register("User", w.Kind(
    name=_l("Account"), model=User, url=w.link("accounts.edit_user", user_id=0),
    created=_l("New account “%(label)s”"), changed=_l("Change to account “%(label)s”"),
    deleted=_l("Deleted account “%(label)s”"),
    fields={"name": _l("Name"), "email": _l("E-mail"), "role": _l("Role"), "organisation_id": _l("Organisation"),
            "active": _l("Active"), "language": _l("Language"), "last_login_at": _l("Last sign-in"),
            "digest_enabled": _l("Daily e-mail digest"), "password_hash": _l("Password")},
    values={"role": w.labels(ROLE_LABELS), "last_login_at": w.as_datetime},
    refs={"organisation_id": "Organisation"},
    events=[(lambda c: set(c) == {"password_hash", "session_version"} or set(c) == {"password_hash"},
             _l("New password for account “%(label)s”")),
            (lambda c: "active" in c and c["active"][1] is False, _l("Account “%(label)s” deactivated"))],
))
