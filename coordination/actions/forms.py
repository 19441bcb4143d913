"""Forms of a single action item: create or edit it, change its status, write in its progress log."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from coordination.accounts.models import User
from coordination.actions.models import PRIORITY_LABELS, STATUS_LABELS, ItemStatus, Priority
from coordination.extensions import db
from coordination.web.forms import DateField, Form, QuickSelect, cached_options, choices, max_length, required
from coordination.web.routing import id_value


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return id_value(value)
    except (TypeError, ValueError):
        raise ValueError(_l("Choose a person from the list.")) from None


class ItemForm(Form):
    title = StringField(_l("Title"), validators=[required(), max_length(300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(10000)])
    assignee_org_id = SelectField(_l("Assignee organisation"), coerce=_int_or_none, validators=[required()],
                                  widget=QuickSelect())
    # any user id may come back (the list follows the organisation chosen before); the validator
    # checks that the person belongs to the organisation chosen now
    assignee_user_id = SelectField(_l("Assignee person (optional)"), coerce=_int_or_none, validate_choice=False,
                                   validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    priority = SelectField(_l("Priority"), default=Priority.NORMAL.value, validators=[required()],
                           choices=choices((p.value, label) for p, label in PRIORITY_LABELS.items()))
    confirm_past_due = BooleanField(_l("Yes, save it with this date in the past"))

    def __init__(self, *args, organisations=(), people=(), assignable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee_org_id.choices = cached_options(organisations)  # written once per process
        self.assignee_user_id.choices = choices([("", _l("Nobody in particular")), *people])
        self.assignable = assignable  # ids of the organisations the user may assign to; None: any
        self.assignee_user = None
        self.past_due_warning = False

    def validate_assignee_user_id(self, field):
        if field.data is None:
            return
        person = db.session.get(User, field.data)
        # a person of an organisation the user may not assign to is as unknown as nobody
        if person is None or not person.active or (
                self.assignable is not None and person.organisation_id not in self.assignable):
            raise ValidationError(_l("Choose a person from the list."))
        if person.organisation_id != self.assignee_org_id.data:
            raise ValidationError(_l("%(name)s belongs to %(org)s, not to the chosen organisation.",
                                     name=person.name, org=person.organisation.name))
        self.assignee_user = person

    def check_past_due(self, today, stored=None) -> bool:
        """A due date in the past (and not the one the item already has) needs the user's confirmation;
        without it the field gets the warning and the box to tick. True when the date may be saved."""
        due = self.due_date.data
        if due is None or due >= today or due == stored or self.confirm_past_due.data:
            return True
        self.past_due_warning = True
        self.due_date.errors = [*self.due_date.errors, _l(
            "This date is in the past, so the item will be overdue at once. Tick the box below the date "
            "to save it anyway.")]
        return False


class VersionField(HiddenField):
    """The version of the item the page was made from (ActionItem.version): a change sent from a
    page that is out of date is refused with 409 rather than applied to a state nobody saw."""

    def outdated(self, item) -> bool:
        sent = (self.data or "").strip()
        return bool(sent) and sent != str(item.version)


class StatusForm(Form):
    """The item's one progress form: a status and a note. The drop-down starts at the item's current
    status, so a note alone never changes the status; another status is always a deliberate choice."""
    status = SelectField(_l("Status"), validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), max_length(5000)])
    version = VersionField()

    def __init__(self, *args, item=None, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.allowed = list(allowed)
        offered = [(s.value, STATUS_LABELS[s]) for s in self.allowed]
        if item is not None and item.status not in self.allowed:
            offered.insert(0, (item.status.value, _l("%(status)s (unchanged)", status=STATUS_LABELS[item.status])))
        self.status.choices = choices([("", _l("— choose —")), *offered])
        if item is not None and not self.version.data:
            self.version.data = str(item.version)

    @classmethod
    def fresh(cls, item, allowed) -> "StatusForm":
        """The form as a page first shows it: at the item's current status, the note empty."""
        return cls(formdata=None, item=item, allowed=allowed, data={"status": item.status.value})

    @property
    def changes_status(self) -> bool:
        return self.item is not None and self.status.data != self.item.status.value

    def validate_status(self, field):
        try:
            new = ItemStatus(field.data)
        except ValueError:
            raise ValidationError(_l("Choose a status from the list.")) from None
        if new == self.item.status:
            if not (self.note.data or "").strip():
                raise ValidationError(_l("Choose a new status or write a note: as it is, nothing would change."))
            return
        if new not in self.allowed:
            raise ValidationError(_l("An item that is “%(old)s” cannot become “%(new)s”. Choose one of the "
                                     "statuses offered.", old=STATUS_LABELS[self.item.status],
                                     new=STATUS_LABELS[new]))


class NoteForm(Form):
    text = TextAreaField(_l("Progress note"), validators=[required(), max_length(5000)])


class DeleteForm(Form):
    confirm = BooleanField(_l("Yes, delete this item and its progress log"))

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError(_l("Tick the box to confirm the deletion."))
