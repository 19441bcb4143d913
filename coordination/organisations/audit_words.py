"""How the audit log tells changes to organisations (registered with audit/wording.py)."""
from flask_babel import lazy_gettext as _l

from coordination.audit import wording as w
from coordination.organisations.models import KIND_LABELS, Organisation

w.register("Organisation", w.Kind(
    name=_l("Organisation"), model=Organisation, url=w.link("organisations.detail", org_id=0),
    created=_l("New organisation “%(label)s”"), changed=_l("Change to organisation “%(label)s”"),
    deleted=_l("Deleted organisation “%(label)s”"),
    fields={"name": _l("Name"), "short_name": _l("Short name"), "kind": _l("Kind"), "iso_code": _l("ISO 3166-2 code"),
            "is_city": _l("City municipality"), "area_km2": _l("Area"), "address": _l("Address"),
            "website": _l("Website"), "associations": _l("Association memberships")},
    values={"kind": w.labels(KIND_LABELS), "area_km2": w.as_number},
    events=[(lambda c: set(c) == {"associations"}, _l("Association memberships of “%(label)s” changed"))],
))
