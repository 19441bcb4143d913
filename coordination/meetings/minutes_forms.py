"""Forms of the minutes: the text of one agenda item, a comment while circulated, the approval."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from coordination.meetings.services import MAX_MINUTES_CHARS
from coordination.web.formatting import format_number
from coordination.web.forms import Form, max_length, required

MAX_REASON_CHARS = 1000
MAX_COMMENT_CHARS = 5000


def _unix_newlines(text):
    """A form sent by the browser ends lines with CRLF, an autosave (htmx) with LF: store LF, so the
    same text is the same text and versions compare line by line."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


class MinutesForm(Form):
    """The text of one item's minutes, the version it was started from, and (for approved minutes)
    the reason for the revision."""

    text = TextAreaField(_l("Minutes (Markdown)"), filters=[_unix_newlines])
    base_version = IntegerField(widget=HiddenInput(), validators=[
        InputRequired(message=_l("The version this text was started from is missing. Reload the page.")),
        NumberRange(min=0, message=_l("The version this text was started from is missing. Reload the page."))])
    reason = TextAreaField(_l("Reason for the revision"), validators=[max_length(MAX_REASON_CHARS)])

    def __init__(self, *args, needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason

    def validate_text(self, field):
        if field.raw_data is None or not field.raw_data:
            raise ValidationError(_l("The text of the minutes is missing."))
        field.data = field.data or ""
        if len(field.data) > MAX_MINUTES_CHARS:
            raise ValidationError(_(
                "The minutes of one agenda item may have at most %(max)s characters; this text has %(count)s. "
                "Shorten it or move part of it to another agenda item. Nothing has been saved.",
                max=format_number(MAX_MINUTES_CHARS), count=format_number(len(field.data))))

    def validate_reason(self, field):
        field.data = (field.data or "").strip()
        if self.needs_reason and not field.data:
            raise ValidationError(_("The minutes are approved: say why they must change. The reason is kept with "
                                     "the new revision."))


class CommentForm(Form):
    text = TextAreaField(_l("Your comment"), validators=[required(), max_length(MAX_COMMENT_CHARS)])


class ApprovalForm(Form):
    """Approve the minutes: with open points, a tick that confirms them, for the list that was shown
    (`checked` carries its fingerprint)."""

    confirm = BooleanField(_l("I confirm the approval despite the open points"))
    checked = HiddenField()

    def __init__(self, *args, missing: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = missing

    def validate_confirm(self, field):
        if self.missing and not field.data:
            raise ValidationError(_l("The checklist above has open points: tick the box to approve the minutes "
                                     "despite them, or deal with them first. Nothing has been approved."))
