"""Forms of the action-item list: a row's status change, the bulk change of selected rows, and
the CSV upload for a bulk status update."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from coordination.actions.forms import VersionField
from coordination.actions.models import STATUS_LABELS, ItemStatus
from coordination.web.forms import Form, choices, max_length, required


def status_choices():
    return choices((s.value, STATUS_LABELS[s]) for s in ItemStatus)


class StatusForm(Form):
    status = SelectField(_l("New status"), choices=status_choices(), validators=[required()])
    note = StringField(_l("Note"), validators=[Optional(), max_length(2000)])
    version = VersionField()  # the row's item as the list showed it


class BulkStatusForm(Form):
    status = SelectField(_l("New status"), choices=status_choices(), validators=[required()])


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to upload."))])
