"""Forms of the meeting pages: the meeting itself, its participants and its agenda items.

Times are entered in Ljubljana local time (the field attaches Europe/Ljubljana) and stored in UTC.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from coordination.accounts.services import find_by_email
from coordination.meetings.models import (
    ATTENDANCE_LABELS,
    VISIBILITY_LABELS,
    Attendance,
    Visibility,
)
from coordination.types import LJUBLJANA
from coordination.web.forms import Form, QuickSelect, cached_options, choices, email_address, max_length, required

VISIBILITY_HINT = _l("Public: every signed-in user. Internal: the working group's members (or, without a "
                     "group, the participants and organisers) and the ministry. Confidential: only the "
                     "people named as participants.")

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
NO_GROUP = 0


def _visibility_choices():
    return choices((v.value, label) for v, label in VISIBILITY_LABELS.items())


def _attendance_choices():
    return choices((a.value, label) for a, label in ATTENDANCE_LABELS.items())


def _filled():
    return InputRequired(message=_l("This field is required."))


class MeetingForm(Form):
    title = StringField(_l("Title"), validators=[required(), max_length(300)])
    group_id = SelectField(_l("Working group"), coerce=int)
    organiser_ids = SelectMultipleField(_l("Organisers"), coerce=int, widget=QuickSelect(multiple=True),
                                        validators=[DataRequired(message=_l("Choose at least one organiser."))])
    starts_at = DateTimeLocalField(_l("Start"), tz=LJUBLJANA, format=DATETIME_FORMATS, validators=[_filled()])
    ends_at = DateTimeLocalField(_l("End"), tz=LJUBLJANA, format=DATETIME_FORMATS, validators=[_filled()])
    place = StringField(_l("Place"), validators=[Optional(), max_length(300)])
    online_url = URLField(_l("Online link"), validators=[Optional(), max_length(500)])
    visibility = SelectField(_l("Visibility"), choices=_visibility_choices(), default=Visibility.INTERNAL.value)

    def __init__(self, *args, groups=(), allow_no_group=True, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        options = [(NO_GROUP, _l("No working group"))] if allow_no_group else []
        self.group_id.choices = choices(options + [(g.id, f"{g.name} ({g.code})") for g in groups])
        self.organiser_ids.choices = choices((o.id, o.name) for o in organisations)

    @staticmethod
    def _sensible_year(field):
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a date between the years 2000 and 2100."))

    def validate_starts_at(self, field):
        self._sensible_year(field)

    def validate_ends_at(self, field):
        self._sensible_year(field)
        start = self.starts_at.data
        if field.data is not None and start is not None and field.data <= start:
            raise ValidationError(_l("The end must be after the start."))

    def validate_online_url(self, field):
        parts = urlsplit(field.data.strip())
        if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in field.data.strip()):
            raise ValidationError(_l("Enter a secure web address that starts with https://."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.place.data or "").strip() and not (self.online_url.data or "").strip():
            self.place.errors = [*self.place.errors, _l("Enter a place, an online link, or both.")]
            valid = False
        return valid

    def fields_dict(self, organisations) -> dict:
        chosen = set(self.organiser_ids.data)
        return {
            "title": self.title.data.strip(),
            "starts_at": self.starts_at.data,
            "ends_at": self.ends_at.data,
            "place": (self.place.data or "").strip() or None,
            "online_url": (self.online_url.data or "").strip() or None,
            "visibility": Visibility(self.visibility.data),
            "organisers": [o for o in organisations if o.id in chosen],
        }


class PersonForm(Form):
    """A person as participant: found by the e-mail of their account; their organisation comes with it."""

    email = EmailField(_l("Person's e-mail"), validators=[required(), email_address(), max_length(254)])
    attendance = SelectField(_l("Attendance"), choices=_attendance_choices(), default=Attendance.INVITED.value)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "person")
        super().__init__(*args, **kwargs)
        self.user = None

    def validate_email(self, field):
        self.user = find_by_email(field.data)
        if self.user is None:
            raise ValidationError(_l("Nobody has an account with this e-mail."))


class SeatForm(Form):
    """An organisation as participant, without a named person."""

    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[required()], widget=QuickSelect())
    attendance = SelectField(_l("Attendance"), choices=_attendance_choices(), default=Attendance.INVITED.value)

    def __init__(self, *args, organisations=(), **kwargs):
        kwargs.setdefault("prefix", "seat")
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = cached_options((o.id, o.name) for o in organisations)


class AttendanceForm(Form):
    attendance = SelectField(_l("Attendance"), choices=_attendance_choices())


class AgendaItemForm(Form):
    title = StringField(_l("Agenda item"), validators=[required(), max_length(300)])
    visibility = SelectField(_l("Visibility"), choices=_visibility_choices(), default=Visibility.INTERNAL.value)
    no_minutes = BooleanField(_l("No minutes needed for this item"))
