"""Forms of the action-item list: the bulk change of selected rows and the CSV upload for a bulk
status update (a row's status change uses forms.StatusForm, as the item's page does)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from coordination.actions.models import STATUS_LABELS, ItemStatus
from coordination.web.forms import Form, choices, required


def status_choices():
    return choices((s.value, STATUS_LABELS[s]) for s in ItemStatus)


class BulkStatusForm(Form):
    status = SelectField(_l("New status"), choices=status_choices(), validators=[required()])


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to upload."))])
