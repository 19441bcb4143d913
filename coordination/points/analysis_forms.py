"""Forms of the network analysis: the parameters (a plain GET form, so every proposal is a
bookmarkable address, pins included) and the adoption of a proposal (POST)."""
from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional, ValidationError

from coordination.points import analysis
from coordination.points.months import month_start, months_between, parse_month
from coordination.web.formatting import format_date_input
from coordination.web.forms import DateField, Form, choices, max_length

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
MAX_WINDOW_MONTHS = 36
MAX_PINS = 5000


@cache
def regions() -> tuple[tuple[str, str], ...]:
    """(NUTS 3 code, name) of the 12 statistical regions, in the order of the reference data."""
    with open(REGIONS_CSV, encoding="utf-8", newline="") as fh:
        return tuple((row["nuts3"], row["name"]) for row in csv.DictReader(fh))


class DecimalCommaField(FloatField):
    """A number typed the Slovenian way (12,5) or the English way (12.5)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(" ", "").replace(",", ".")]
        super().process_formdata(valuelist)


class NotNegative:
    """0 or more; a value that is not a number at all has its own message already."""

    def __init__(self, maximum: float | None = None, message=None):
        self.maximum, self.message = maximum, message

    def __call__(self, form, field):
        if field.data is None:
            return
        if field.data < 0 or (self.maximum is not None and field.data > self.maximum):
            raise ValidationError(self.message or _l("Enter a number that is not negative."))


def not_negative():
    return NotNegative()


def whole_number(field_label):
    return IntegerField(field_label, validators=[Optional(), not_negative()])


class MonthField(StringField):
    """A month as YYYY-MM (the browser's month picker), or 3/2024, 3. 2024. A month input may only
    hold a valid month, so one that could not be read is not echoed back (its error says why)."""

    def __init__(self, label, **kwargs):
        super().__init__(label, render_kw={"type": "month"}, **kwargs)
        self.month: date | None = None

    def pre_validate(self, form):
        self.month = parse_month(self.data) if self.data else None
        if self.data and self.month is None:
            raise ValidationError(_l("Enter a month as YYYY-MM, e.g. 2024-03."))

    def _value(self):
        month = parse_month(self.data) if self.data else None
        return month.isoformat()[:7] if month else ""


class DayField(DateField):
    """A date input that, like MonthField, echoes only a valid date."""

    def _value(self):
        return format_date_input(self.data)


class AnalysisForm(Form):
    """The analysis parameters. Empty fields take the defaults in `params()`."""

    class Meta:
        csrf = False  # a GET form: it changes nothing, and its address must be shareable

    on = DayField(_l("Decision date (points close on this day)"), validators=[Optional()])
    window_from = MonthField(_l("Window from"))
    window_to = MonthField(_l("Window to"))
    mode = RadioField(_l("Which points close"), default="count", choices=choices([
        ("count", _l("Exactly this many points")),
        ("threshold", _l("Every point under a monthly threshold that the rules allow"))]))
    close = IntegerField(_l("Points to close"), validators=[Optional(), not_negative()])
    threshold = DecimalCommaField(_l("Threshold (visits a month)"), validators=[Optional(), not_negative()])
    expected = DecimalCommaField(_l("Expected visits a month"), default=30, validators=[Optional(), not_negative()])
    region_min = IntegerField(_l("Open points each region keeps"), default=1, validators=[Optional(), not_negative()])
    coverage = BooleanField(_l("Every municipality's seat keeps a point within"))
    cover_km = DecimalCommaField(_l("Distance (km)"), default=25, validators=[Optional(), not_negative()])
    population = BooleanField(_l("Every municipality with more inhabitants than"))
    population_over = IntegerField(_l("Inhabitants"), default=10000, validators=[Optional(), not_negative()])
    retention = BooleanField(_l("Count part of a closed point's visits as kept when an open point is near"))
    retain_km = DecimalCommaField(_l("Radius (km)"), default=10, validators=[Optional(), not_negative()])
    retain_share = DecimalCommaField(_l("Share kept (%)"), default=50, validators=[
        Optional(), NotNegative(100, _l("Enter a share between 0 and 100."))])

    def region_fields(self):
        return [(code, name, self[f"min_{code}"]) for code, name in regions()]

    def overrides_open(self) -> bool:
        """Show the per-region minimums unfolded when one is set or wrong."""
        return any(f.data is not None or f.errors for _code, _name, f in self.region_fields())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.mode.data == "count" and self.close.data is None and not self.close.errors:
            self.close.errors.append(_l("Enter how many points to close."))
            ok = False
        if self.mode.data == "threshold" and self.threshold.data is None and not self.threshold.errors:
            self.threshold.errors.append(_l("Enter the monthly threshold."))
            ok = False
        if self.coverage.data and not self.cover_km.data and not self.cover_km.errors:
            self.cover_km.errors.append(_l("Enter a distance greater than 0."))
            ok = False
        first, last = self.window_from.month, self.window_to.month
        if first and last and first > last:
            self.window_to.errors.append(_l("The window ends before it starts."))
            ok = False
        elif first and last and len(months_between(first, last)) > MAX_WINDOW_MONTHS:
            self.window_to.errors.append(_l("The window may be at most %(num)d months long.", num=MAX_WINDOW_MONTHS))
            ok = False
        return ok

    def params(self, default_on: date, pinned_open=frozenset(), pinned_closed=frozenset()) -> analysis.Params:
        """The validated parameters, with the defaults for empty fields."""
        on = self.on.data or default_on
        first, last = analysis.default_window(on)
        if self.window_from.month and self.window_to.month:
            first, last = self.window_from.month, self.window_to.month
        elif self.window_from.month or self.window_to.month:  # one end given: the window keeps its length
            given = self.window_from.month or self.window_to.month
            first, last = (given, max(given, last)) if self.window_from.month else (min(first, given), given)
        count = self.mode.data != "threshold"
        return analysis.Params(
            on=on, window_from=month_start(first), window_to=month_start(last),
            close_count=self.close.data if count else None, threshold=None if count else self.threshold.data,
            region_min=1 if self.region_min.data is None else self.region_min.data,
            region_min_overrides={code: field.data for code, _name, field in self.region_fields()
                                  if field.data is not None},
            coverage_km=self.cover_km.data if self.coverage.data else None,
            population_over=(self.population_over.data or 0) if self.population.data else None,
            retention=bool(self.retention.data),
            retention_share=(50.0 if self.retain_share.data is None else self.retain_share.data) / 100,
            retention_km=10.0 if self.retain_km.data is None else self.retain_km.data,
            expected_monthly=30.0 if self.expected.data is None else self.expected.data,
            pinned_open=frozenset(pinned_open), pinned_closed=frozenset(pinned_closed))


for _code, _name in regions():  # one optional minimum per region, overriding the general one
    setattr(AnalysisForm, f"min_{_code}", whole_number(_name))


def pins(args: MultiDict, name: str) -> tuple[frozenset[int], bool]:
    """Point ids pinned in the address (?open=12&open=15); False when one is not a point id."""
    values = args.getlist(name)[:MAX_PINS]
    good = frozenset(int(v) for v in values if v.isdigit() and len(v) < 10)
    return good, len(good) == len(set(values))


def form_from(args: MultiDict) -> AnalysisForm:
    return AnalysisForm(formdata=args)


class AdoptForm(Form):
    query = HiddenField()        # the analysis parameters, as the page's query string
    fingerprint = HiddenField()  # the network and rules the proposal was computed from
    closed = HiddenField()       # the ids of the points the proposal closes, comma-separated
    note = TextAreaField(_l("Note for the record (optional)"), validators=[Optional(), max_length(2000)])

    def closed_ids(self) -> tuple[int, ...] | None:
        parts = [p for p in (self.closed.data or "").split(",") if p]
        if not all(p.isdigit() and len(p) < 10 for p in parts):
            return None
        return tuple(sorted(int(p) for p in parts))
