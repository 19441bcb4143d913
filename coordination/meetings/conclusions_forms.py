"""The conclusion form: text, kind, agenda item, visibility, and the working group it establishes."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional, Regexp

from coordination.meetings.models import KIND_LABELS, VISIBILITY_LABELS, ConclusionKind
from coordination.web.forms import Form, choices, max_length, required
from coordination.web.routing import id_or_none

NEW_GROUP = "new"


class ConclusionForm(Form):
    text = TextAreaField(_l("Text of the conclusion"), validators=[required(), max_length(10000)])
    kind = SelectField(_l("Kind"), choices=choices((k.value, label) for k, label in KIND_LABELS.items()),
                       default=ConclusionKind.DECISION.value, validators=[required()])
    agenda_item = SelectField(_l("Agenda item"), validators=[Optional()])
    visibility = SelectField(_l("Visibility"), choices=choices((v.value, label) for v, label in VISIBILITY_LABELS.items()),
                             validators=[required()])
    establishes = SelectField(_l("Establishes a working group"), validators=[Optional()])
    group_name = StringField(_l("Name of the new working group"), validators=[Optional(), max_length(200)])
    group_code = StringField(_l("Code of the new working group"), validators=[
        Optional(), max_length(20),
        Regexp(r"^[A-Za-z0-9ČŠŽčšž-]+$", message=_l("Letters, digits and hyphens only, e.g. DS-IT."))])

    def __init__(self, *args, items=(), groups=(), may_create_group=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda_item.choices = choices(
            [("", _l("— not tied to an agenda item —"))] + [(str(i.id), f"{i.position}. {i.title}") for i in items])
        options = [("", _l("— none —"))]
        if may_create_group:
            options.append((NEW_GROUP, _l("A new working group (name and code below)")))
        self.establishes.choices = choices(options + [(str(g.id), f"{g.name} ({g.code})") for g in groups])
        self.new_group = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.establishes.data == NEW_GROUP:  # the group's name and code are required only then
            for field, message in ((self.group_name, _l("Give the new working group a name.")),
                                   (self.group_code, _l("Give the new working group a code, e.g. DS-IT."))):
                if not (field.data or "").strip():
                    field.errors = [*field.errors, message]
                    valid = False
        return valid

    # (a blank choice passes the Optional() validator, which then clears the choice's error: blank means none)
    def chosen_item_id(self) -> int | None:
        return id_or_none(self.agenda_item.data or "")

    def chosen_group_id(self) -> int | None:
        value = (self.establishes.data or "").strip()
        return id_or_none(value) if value != NEW_GROUP else None

    def wants_new_group(self) -> bool:
        return (self.establishes.data or "").strip() == NEW_GROUP
