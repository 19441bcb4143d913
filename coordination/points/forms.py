"""Forms of Digi info točke: the hosting request, its lifecycle steps and comments, opening and
closing a point, a point's details, the programme's targets and rules, the visit upload.
The monthly visit grid is read by visits.py (a field per month and topic)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from coordination.points import geo, hours, topics
from coordination.web.forms import DateField, Form, QuickSelect, choices, email_address, max_length, required

NEW_HOST = "new"
HOST_KINDS = {"library": _l("Library"), "chamber": _l("Chamber or association"), "school": _l("School or adult education centre"),
              "community": _l("Community or intergenerational centre"), "municipality": _l("Municipal administration"),
              "other": _l("Other")}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HoursMixin:
    """Seven text fields, one per weekday ("8:00-12:00, 13:00-16:00"), parsed into `opening_hours`."""

    def hours_fields(self):
        return [getattr(self, f"hours_{day}") for day in hours.DAYS]

    def opening_hours(self) -> dict:
        return {day: hours.parse_day(getattr(self, f"hours_{day}").data or "") for day in hours.DAYS
                if (getattr(self, f"hours_{day}").data or "").strip()}

    def check_hours(self) -> bool:
        ok = True
        for day in hours.DAYS:
            field = getattr(self, f"hours_{day}")
            try:
                hours.parse_day(field.data or "")
            except hours.HoursProblem as problem:
                field.errors = [*field.errors, str(problem)]
                ok = False
        return ok

    def fill_hours(self, stored: dict) -> None:
        for day in hours.DAYS:
            getattr(self, f"hours_{day}").data = hours.day_text(stored.get(day))


def _hours_field(day):
    return StringField(hours.DAY_LABELS[day], validators=[Optional(), max_length(120)])


class CoordinatesMixin:
    def check_in_slovenia(self) -> bool:
        if self.lat.errors or self.lon.errors or self.lat.data is None or self.lon.data is None:
            return True
        if not geo.in_slovenia(self.lon.data, self.lat.data):
            self.lat.errors = [*self.lat.errors, _l("These coordinates lie outside Slovenia. Pick the place on the "
                                                    "map or copy them from a map service (WGS 84).")]
            return False
        return True


class FloatCommaField(FloatField):
    """Accepts the Slovenian decimal comma (46,2237) as well as a point: a text input, since a number
    input would refuse the comma."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


class RequestForm(HoursMixin, CoordinatesMixin, Form):
    version = HiddenField()
    municipality_id = SelectField(_l("Municipality"), coerce=int, validators=[required()], widget=QuickSelect())
    host_id = SelectField(_l("Host institution"), validators=[required()], widget=QuickSelect())
    proposed_host_name = StringField(_l("Name of the new host institution"), validators=[max_length(200)])
    proposed_host_kind = SelectField(_l("Kind of institution"), validators=[Optional()],
                                     choices=choices([("", "—"), *HOST_KINDS.items()]))
    proposed_host_address = StringField(_l("Address of the new host institution"),
                                        validators=[Optional(), max_length(300)])
    address = StringField(_l("Address of the point"), validators=[required(), max_length(300)])
    lat = FloatCommaField(_l("Latitude (° N)"), validators=[required(), NumberRange(min=45.4, max=46.9, message=_l(
        "The point must lie in Slovenia (latitude 45,4–46,9, longitude 13,3–16,7)."))])
    lon = FloatCommaField(_l("Longitude (° E)"), validators=[required(), NumberRange(min=13.3, max=16.7, message=_l(
        "The point must lie in Slovenia (latitude 45,4–46,9, longitude 13,3–16,7)."))])
    hours_mon = _hours_field("mon")
    hours_tue = _hours_field("tue")
    hours_wed = _hours_field("wed")
    hours_thu = _hours_field("thu")
    hours_fri = _hours_field("fri")
    hours_sat = _hours_field("sat")
    hours_sun = _hours_field("sun")
    topics = MultiCheckboxField(_l("Service topics offered"), choices=[])
    staff = TextAreaField(_l("Staff who advise visitors"), validators=[Optional(), max_length(2000)])
    contact_name = StringField(_l("Contact person"), validators=[required(), max_length(120)])
    contact_email = StringField(_l("Business e-mail"), validators=[required(), email_address(), max_length(254)])
    contact_phone = StringField(_l("Business telephone"), validators=[Optional(), max_length(40)])
    expected_visits = IntegerField(_l("Expected visits per month"), validators=[
        required(), NumberRange(min=1, max=100000, message=_l("Enter a whole number between 1 and 100.000."))])
    justification = TextAreaField(_l("Why here"), validators=[required(), max_length(5000)])

    def __init__(self, *args, municipalities=(), hosts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = choices(municipalities)
        self.host_id.choices = choices([(NEW_HOST, _l("A new institution (enter it below)")),
                                        *((str(i), n) for i, n in hosts)])
        self.topics.choices = [(t.code, t.name) for t in topics.topics()]

    def validate_topics(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one topic."))

    def validate_proposed_host_name(self, field):
        if self.host_id.data == NEW_HOST and not (field.data or "").strip():
            raise ValidationError(_l("Enter the name of the new host institution, or choose an existing one."))

    def complete(self) -> bool:
        """Every check: the fields, the hours, the coordinates in Slovenia."""
        valid = self.validate()
        hours_ok = self.check_hours()
        inside = self.check_in_slovenia()
        return valid and hours_ok and inside

    def fields_dict(self) -> dict:
        new = self.host_id.data == NEW_HOST
        return {
            "municipality_id": self.municipality_id.data,
            "host_id": None if new else int(self.host_id.data),
            "proposed_host_name": (self.proposed_host_name.data or "").strip() if new else "",
            "proposed_host_kind": (self.proposed_host_kind.data or "") if new else "",
            "proposed_host_address": (self.proposed_host_address.data or "").strip() if new else "",
            "address": self.address.data.strip(), "lat": round(self.lat.data, 6), "lon": round(self.lon.data, 6),
            "opening_hours": self.opening_hours(), "topics": [c for c in topics.codes() if c in self.topics.data],
            "staff": (self.staff.data or "").strip(), "contact_name": self.contact_name.data.strip(),
            "contact_email": self.contact_email.data.strip(), "contact_phone": (self.contact_phone.data or "").strip(),
            "expected_visits": self.expected_visits.data, "justification": self.justification.data.strip(),
        }


class StepForm(Form):
    version = HiddenField()
    to = HiddenField()
    reason = TextAreaField(_l("Reasoning"), validators=[Optional(), max_length(5000)])


class CommentForm(Form):
    text = TextAreaField(_l("Comment"), validators=[required(), max_length(5000)])


class OpenForm(Form):
    version = HiddenField()
    code = StringField(_l("Point code"), validators=[required(), max_length(20)])
    name = StringField(_l("Name of the point"), validators=[required(), max_length(200)])
    opened_on = DateField(_l("Opening date"), validators=[required()])

    def validate_code(self, field):
        import re

        if not re.fullmatch(r"[A-Za-z]{2,6}-\d{1,5}", (field.data or "").strip()):
            raise ValidationError(_l("A code such as DIT-223: letters, a hyphen and a number."))


class CloseForm(Form):
    closed_on = DateField(_l("Closing date"), validators=[required()])
    reason = TextAreaField(_l("Reason"), validators=[required(), max_length(5000)])


class PointForm(HoursMixin, CoordinatesMixin, Form):
    name = StringField(_l("Name of the point"), validators=[required(), max_length(200)])
    address = StringField(_l("Address of the point"), validators=[required(), max_length(300)])
    lat = RequestForm.lat
    lon = RequestForm.lon
    hours_mon = _hours_field("mon")
    hours_tue = _hours_field("tue")
    hours_wed = _hours_field("wed")
    hours_thu = _hours_field("thu")
    hours_fri = _hours_field("fri")
    hours_sat = _hours_field("sat")
    hours_sun = _hours_field("sun")
    topics = MultiCheckboxField(_l("Service topics offered"), choices=[])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), max_length(120)])
    contact_email = StringField(_l("Business e-mail"), validators=[Optional(), email_address(), max_length(254)])
    contact_phone = StringField(_l("Business telephone"), validators=[Optional(), max_length(40)])
    cost_per_month = DecimalField(_l("Cost per month (EUR)"), places=2, validators=[
        Optional(), NumberRange(min=0, max=1000000, message=_l("Enter an amount between 0 and 1.000.000."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics.choices = [(t.code, t.name) for t in topics.topics()]

    def complete(self) -> bool:
        valid = self.validate()
        hours_ok = self.check_hours()
        inside = self.check_in_slovenia()
        return valid and hours_ok and inside

    def fields_dict(self) -> dict:
        return {"name": self.name.data.strip(), "address": self.address.data.strip(),
                "lat": round(self.lat.data, 6), "lon": round(self.lon.data, 6), "opening_hours": self.opening_hours(),
                "topics": [c for c in topics.codes() if c in (self.topics.data or [])],
                "contact_name": (self.contact_name.data or "").strip(),
                "contact_email": (self.contact_email.data or "").strip(),
                "contact_phone": (self.contact_phone.data or "").strip(), "cost_per_month": self.cost_per_month.data}


class TargetForm(Form):
    class Meta:
        csrf = False  # a sub-form: the outer form carries the token

    due_on = DateField(_l("Date"), validators=[Optional()])
    visits = IntegerField(_l("Visits by then"), validators=[
        Optional(), NumberRange(min=0, max=100000000, message=_l("Enter a whole number of visits."))])
    label = StringField(_l("Label"), validators=[Optional(), max_length(200)])


class ProgrammeForm(Form):
    min_days_per_week = IntegerField(_l("Open at least … days a week"), validators=[
        required(), NumberRange(min=1, max=7, message=_l("Enter a number from 1 to 7."))])
    min_hours_per_week = IntegerField(_l("Open at least … hours a week"), validators=[
        required(), NumberRange(min=1, max=168, message=_l("Enter a number from 1 to 168."))])
    publish_visits = BooleanField(_l("Publish the visit figures on the public page"))
    targets = FieldList(FormField(TargetForm), min_entries=4, max_entries=12)

    def check_targets(self) -> bool:
        ok = True
        seen = set()
        for entry in self.targets:
            due, visits = entry.form.due_on.data, entry.form.visits.data
            if (due is None) != (visits is None):
                entry.form.visits.errors = [*entry.form.visits.errors, _l("A target needs both a date and visits.")]
                ok = False
            elif due is not None and due in seen:
                entry.form.due_on.errors = [*entry.form.due_on.errors, _l("Only one target per date.")]
                ok = False
            seen.add(due)
        return ok

    def target_rows(self) -> list:
        return [(e.form.due_on.data, e.form.visits.data, (e.form.label.data or "").strip())
                for e in self.targets if e.form.due_on.data is not None]


class UploadForm(Form):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(message=_l("Choose a file to upload."))])
