from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import URL, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from coordination.organisations.models import KIND_LABELS, OrgKind
from coordination.web.forms import Form, choices, max_length, required

# municipalities come only from the reference data
CREATABLE_KINDS = [k for k in OrgKind if k != OrgKind.MUNICIPALITY]


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[required(), max_length(200)])
    short_name = StringField(_l("Short name"), validators=[Optional(), max_length(40)])
    kind = SelectField(_l("Kind"), choices=choices((k.value, KIND_LABELS[k]) for k in CREATABLE_KINDS),
                       validators=[required()])
    address = StringField(_l("Address"), validators=[Optional(), max_length(300)])
    website = URLField(_l("Website"), validators=[Optional(), max_length(300),
                                                   URL(message=_l("Enter a full web address (https://…)."))])

    def fields_dict(self) -> dict:
        return {
            "name": self.name.data.strip(), "short_name": (self.short_name.data or "").strip() or None,
            "kind": OrgKind(self.kind.data), "address": (self.address.data or "").strip() or None,
            "website": (self.website.data or "").strip() or None,
        }


class MunicipalityForm(Form):
    """What an administrator may change on a municipality; the rest is reference data."""
    address = StringField(_l("Address"), validators=[Optional(), max_length(300)])
    website = URLField(_l("Website"), validators=[Optional(), max_length(300),
                                                   URL(message=_l("Enter a full web address (https://…)."))])

    def fields_dict(self) -> dict:
        return {"address": (self.address.data or "").strip() or None,
                "website": (self.website.data or "").strip() or None}


class MembershipForm(Form):
    associations = SelectMultipleField(_l("Member of"), coerce=int, option_widget=CheckboxInput(),
                                       widget=ListWidget(prefix_label=False))
