"""The fan-out form: what the items say, and which municipalities get one."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, Regexp, ValidationError

from coordination.actions.models import PRIORITY_LABELS, SCOPE_LABELS, FanOutScope, Priority
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrgKind, Region
from coordination.web.formatting import sl_order
from coordination.web.forms import DateField, Form, choices, max_length, required
from coordination.web.routing import id_value


def municipalities_by_region() -> list[tuple[str, list[tuple[int, str]]]]:
    """[(region name, [(id, name), …]), …] in Slovenian order, in one query (for the checkboxes)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Region.name).outerjoin(Region, Region.id == Organisation.region_id)
        .where(Organisation.kind == OrgKind.MUNICIPALITY).order_by(sl_order(Region.name), sl_order(Organisation.name)))
    grouped: list[tuple[str, list[tuple[int, str]]]] = []
    for org_id, name, region in rows:
        if not grouped or grouped[-1][0] != (region or "—"):
            grouped.append((region or "—", []))
        grouped[-1][1].append((org_id, name))
    return grouped


def _optional_int(value):
    return id_value(value) if value not in (None, "", "None") else None


class FanOutForm(Form):
    title = StringField(_l("Title of each item"), validators=[required(), max_length(300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(10000)])
    # required: 212 items without a date are never overdue, so nobody is ever reminded of them
    due_date = DateField(_l("Due date"), validators=[InputRequired(
        message=_l("Enter the due date: every municipality gets an item with this date."))])
    priority = SelectField(_l("Priority"), choices=choices((p.value, label) for p, label in PRIORITY_LABELS.items()),
                           default=Priority.NORMAL.value, validators=[required()])
    scope = RadioField(_l("Who gets an item"), choices=choices((s.value, label) for s, label in SCOPE_LABELS.items()),
                       default=FanOutScope.ALL.value, validators=[required()])
    region = SelectField(_l("Statistical region"), coerce=_optional_int, validate_choice=False)
    association = SelectField(_l("Association"), coerce=_optional_int, validate_choice=False)
    chosen = SelectMultipleField(_l("Municipalities"), coerce=id_value, validate_choice=False)
    # one-time token of this form: sent twice (a double click, a resent request), it makes one fan-out
    token = HiddenField(default=lambda: secrets.token_urlsafe(24),
                        validators=[Regexp(r"^[A-Za-z0-9_-]{16,64}$", message=_l("Reload the page and try again."))])

    def __init__(self, *args, regions=(), associations=(), municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = choices([("", _l("Choose a region"))] + [(r.id, r.name) for r in regions])
        self.association.choices = choices([("", _l("Choose an association"))]
                                           + [(a.id, a.display_name) for a in associations])
        self.municipalities = municipalities  # [(region, [(id, name)])], drawn as grouped checkboxes
        self._region_ids = {r.id: r for r in regions}
        self._association_ids = {a.id: a for a in associations}
        self._municipality_ids = {i for _region, rows in municipalities for i, _name in rows}

    @property
    def chosen_scope(self) -> FanOutScope:
        return FanOutScope(self.scope.data) if self.scope.data in set(FanOutScope) else FanOutScope.ALL

    @property
    def chosen_region(self) -> Region | None:
        return self._region_ids.get(self.region.data)

    @property
    def chosen_association(self) -> Organisation | None:
        return self._association_ids.get(self.association.data)

    def validate_region(self, field):
        if field.data is not None and field.data not in self._region_ids:
            raise ValidationError(_l("Not a valid choice."))
        if self.scope.data == FanOutScope.REGION and field.data is None:
            raise ValidationError(_l("Choose the region whose municipalities get an item."))

    def validate_association(self, field):
        if field.data is not None and field.data not in self._association_ids:
            raise ValidationError(_l("Not a valid choice."))
        if self.scope.data == FanOutScope.ASSOCIATION and field.data is None:
            raise ValidationError(_l("Choose the association whose members get an item."))

    def validate_chosen(self, field):
        if any(i not in self._municipality_ids for i in field.data or ()):
            raise ValidationError(_l("Choose municipalities from the list."))
        if self.scope.data == FanOutScope.CHOSEN and not field.data:
            raise ValidationError(_l("Choose at least one municipality: nobody would get an item."))
