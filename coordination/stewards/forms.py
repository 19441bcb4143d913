"""Forms of the registry. Every one validates on the server; the routes answer 422 with the message
next to the field and change nothing."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from coordination.stewards.models import FREQUENCY_LABELS, OPTIONAL_PUBLIC, ROLE_LABELS, StewardRole
from coordination.types import today
from coordination.web.forms import DateField, Form, choices, email_address, max_length, required

PHONE = re.compile(r"^\+?[0-9][0-9 ()/.-]{4,22}$")


def phone_number(form, field):
    """A business phone: digits with the usual separators, 6 to 15 digits, optionally +country."""
    value = (field.data or "").strip()
    if value and (not PHONE.match(value) or not 6 <= sum(ch.isdigit() for ch in value) <= 15):
        raise ValidationError(_l("Enter a phone number such as 01 234 56 78 or +386 41 123 456."))


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AppointmentForm(Form):
    version = HiddenField()
    role = SelectField(_l("Role"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items()),
                       default=StewardRole.STEWARD.value, validators=[required()])
    person_name = StringField(_l("Name and surname"), validators=[required(), max_length(200)])
    function = StringField(_l("Function (job title)"), validators=[Optional(), max_length(200)])
    email = StringField(_l("Business e-mail"), validators=[required(), max_length(254), email_address()])
    phone = StringField(_l("Business phone"), validators=[Optional(), max_length(40), phone_number])
    act_reference = StringField(_l("Reference number of the appointing act"), validators=[Optional(), max_length(100)])
    act_date = DateField(_l("Date of the act"), validators=[Optional()])
    act_signed_by = StringField(_l("Signed by"), validators=[Optional(), max_length(200)])
    valid_from = DateField(_l("Valid from"), validators=[required()], default=today)
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    public_fields = MultiCheckbox(_l("Shown to the public"), validate_choice=True,
                                  choices=choices(OPTIONAL_PUBLIC.items()))
    act_file = FileField(_l("The appointing act (PDF, at most 2 MB)"))

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The appointment cannot end before it starts."))

    def validate_act_date(self, field):
        if field.data and field.data > today():
            raise ValidationError(_l("The act cannot be dated in the future."))

    def fields(self) -> dict:
        return {"role": StewardRole(self.role.data), "person_name": self.person_name.data,
                "function": self.function.data or "", "email": self.email.data.strip(), "phone": self.phone.data or "",
                "act_reference": self.act_reference.data or "", "act_date": self.act_date.data,
                "act_signed_by": self.act_signed_by.data or "", "valid_from": self.valid_from.data,
                "valid_until": self.valid_until.data, "public_fields": self.public_fields.data or []}

    def version_number(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None


class VersionForm(Form):
    """Confirm: the version the reviewer saw."""

    version = IntegerField(validators=[required()])


class ReturnForm(VersionForm):
    reason = TextAreaField(_l("Reason for returning"), validators=[required(), max_length(2000)])


class EndForm(VersionForm):
    ends_on = DateField(_l("Last day of the appointment"), validators=[required()], default=today)
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), max_length(2000)])


class TrainingForm(Form):
    # ids of their own: the appointment page holds this form and the dataset form
    name = StringField(_l("Training"), validators=[required(), max_length(200)], id="training-name")
    held_on = DateField(_l("Date"), validators=[required()], id="training-held_on")
    provider = StringField(_l("Provider"), validators=[Optional(), max_length(200)], id="training-provider")


class DatasetForm(Form):
    name = StringField(_l("Dataset"), validators=[required(), max_length(200)], id="dataset-name")
    description = TextAreaField(_l("Description"), validators=[required(), max_length(4000)], id="dataset-description")
    legal_basis = StringField(_l("Legal basis"), validators=[Optional(), max_length(300)])
    frequency = SelectField(_l("Update frequency"), validators=[Optional()],
                            choices=choices([("", _l("Not stated"))] + [(f.value, label) for f, label in FREQUENCY_LABELS.items()]))
    portal_url = StringField(_l("Entry on the national open-data portal"), validators=[
        Optional(), max_length(500), URL(require_tld=True, message=_l("Enter a full address starting with https://."))])
    public = BooleanField(_l("Public (listed in the open-data export)"), default=True)

    def validate_portal_url(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a full address starting with https://."))


class RequestForm(Form):
    """Ask the municipalities without a confirmed steward to nominate one (a fan-out)."""

    conclusion = SelectField(_l("Conclusion the request follows from"), coerce=int, validate_choice=True)
    title = StringField(_l("Title of each item"), validators=[required(), max_length(300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(4000)])
    due_date = DateField(_l("Due date"), validators=[Optional()])

    def validate_due_date(self, field):
        if field.data and field.data < today():
            raise ValidationError(_l("The due date cannot be in the past."))
