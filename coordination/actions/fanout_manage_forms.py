"""The forms of a fan-out's management page: a new due date, more municipalities, cancelling.
Each carries the fan-out's `version` once its confirmation page is shown (fanout_manage.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import HiddenInput

from coordination import types
from coordination.actions.fanout_forms import FanOutForm
from coordination.actions.fanout_manage import ALL, NOT_DONE
from coordination.actions.models import SCOPE_LABELS, FanOutScope
from coordination.web.forms import DateField, Form, choices, max_length, required


def _version():
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


class DueDateForm(Form):
    due_date = DateField(_l("New due date"), validators=[InputRequired(message=_l("Enter the new due date."))])
    which = RadioField(_l("For which items"), default=NOT_DONE, validators=[required()],
                       choices=choices([(NOT_DONE, _l("Only the items not done (open, in progress, blocked)")),
                                        (ALL, _l("All items, done and cancelled ones too"))]))
    version = _version()

    def validate_due_date(self, field):
        if field.data is not None and field.data < types.today():
            raise ValidationError(_l("The due date cannot be in the past."))


class AddForm(FanOutForm):
    """The selection of the fan-out form (all, a region, an association's members, a chosen list);
    only the municipalities without an item yet are added."""

    title = description = due_date = priority = token = None  # the items copy the fan-out's
    scope = RadioField(_l("Which municipalities to add"), default=FanOutScope.CHOSEN.value, validators=[required()],
                       choices=choices((s.value, label) for s, label in SCOPE_LABELS.items()))
    version = _version()


class CancelForm(Form):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[
        InputRequired(message=_l("Write why the fan-out is cancelled: every municipality concerned is told.")),
        max_length(1000)])
    version = _version()

    def validate_reason(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Write why the fan-out is cancelled: every municipality concerned is told."))
