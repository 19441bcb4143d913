"""The e-mail settings form: a switch per kind of event, and the daily digest."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import ValidationError

from coordination.web.forms import Form

ACCEPTED = {"y", "on", "1", "true", "false", "0", ""}  # what a checkbox (or a script) may send


def _yes_or_no(form, field):
    """A tick box says yes or no; anything else is a broken or forged request, not "yes"."""
    if any(str(value).strip().lower() not in ACCEPTED for value in field.raw_data or ()):
        raise ValidationError(_l("Choose yes (ticked) or no (not ticked)."))


class EmailSettingsForm(Form):
    assignment = BooleanField(_l("Action items assigned to me or my organisation, and reminders of them"),
                              validators=[_yes_or_no])
    status = BooleanField(_l("Changes of state: action items I follow, hosting requests"), validators=[_yes_or_no])
    comments = BooleanField(_l("Comments and new entries on my action items and requests"), validators=[_yes_or_no])
    minutes = BooleanField(_l("Minutes of my meetings: circulated, commented, approved or revised"),
                           validators=[_yes_or_no])
    digest = BooleanField(_l("The daily digest of my items overdue or due soon"), validators=[_yes_or_no])

    KINDS = ("assignment", "status", "comments", "minutes", "digest")
