from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, Regexp, ValidationError

from coordination.accounts.services import find_by_email
from coordination.groups.models import ROLE_LABELS, GroupRole
from coordination.web.forms import (
    DateField,
    Form,
    QuickSelect,
    cached_options,
    choices,
    email_address,
    max_length,
    required,
)


class GroupForm(Form):
    name = StringField(_l("Name"), validators=[required(), max_length(200)])
    code = StringField(_l("Code"), validators=[
        required(), max_length(20),
        Regexp(r"^[A-Za-z0-9ČŠŽčšž-]+$", message=_l("Letters, digits and hyphens only, e.g. DS-IT."))])
    mandate = TextAreaField(_l("Mandate"), validators=[Optional(), max_length(10000)])


class MemberForm(Form):
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[required()], widget=QuickSelect())
    email = EmailField(_l("Person's e-mail (optional)"), validators=[Optional(), email_address(), max_length(254)])
    role = SelectField(_l("Role"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items()),
                       default=GroupRole.MEMBER.value, validators=[required()])
    valid_from = DateField(_l("Member from"), validators=[Optional()])
    valid_until = DateField(_l("Member until"), validators=[Optional()])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        # every organisation: their options written once (QuickSelect), not per option per request
        self.organisation_id.choices = cached_options((o.id, o.name) for o in organisations)
        self.user = None

    def validate_email(self, field):
        if not field.data:
            return
        self.user = find_by_email(field.data)
        if self.user is None:
            raise ValidationError(_l("Nobody has an account with this e-mail."))
        if self.user.organisation_id != self.organisation_id.data:
            raise ValidationError(_l("This person belongs to %(org)s, not to the chosen organisation.",
                                     org=self.user.organisation.name))

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The end is before the start."))
