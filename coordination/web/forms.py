"""Shared form pieces: a base form whose built-in WTForms messages speak the user's language,
and validators with our own messages."""
import re

from flask import request
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from markupsafe import Markup, escape
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import DateField as _DateField
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import Select, TextInput, html_params

from coordination.web.formatting import format_date_input, parse_date_input

# WTForms ships no Slovenian catalogue, so the messages its fields can produce are in ours.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


class _Translations:
    """WTForms formats the messages itself, so these must not (flask_babel.ngettext would)."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


# single-line fields hold no control characters (tabs and line breaks included): they would end up
# in one-line places (titles, headers, file names) and in exports that cannot hold them
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class Form(FlaskForm):
    """Base for every form of the app."""

    class Meta:
        def get_translations(self, form):
            return _Translations()

        def wrap_formdata(self, form, formdata):
            """Forms come from HTML forms: a JSON body is no form data (Flask-WTF would try to read
            it as one and fail on anything but a flat object)."""
            if formdata is _Auto and request.is_json and not request.form:
                return ImmutableMultiDict() if request.method in SUBMIT_METHODS else None
            return super().wrap_formdata(form, formdata)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if (isinstance(field, StringField) and not isinstance(field, (TextAreaField, PasswordField))
                    and isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data)):
                field.errors = [*field.errors, _l("Remove the control characters (such as tabs or line breaks) "
                                                  "from this field.")]
                valid = False
        return valid


def required():
    return DataRequired(message=_l("This field is required."))


def max_length(n: int):
    return Length(max=n, message=lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", n))


def email_address():
    return Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)


def password_length():
    return Length(min=10, max=200, message=_l("The password must have between 10 and 200 characters."))


def choices(pairs):
    """(value, label) pairs as WTForms options."""
    return [SelectChoice(value, label) for value, label in pairs]


_SELECTED = {False: "", True: " selected"}


class QuickSelect(Select):
    """A select whose options are written directly. WTForms builds each option through html_params,
    which costs about 10 ms for the ~230 organisations a page may offer. (Not with Markup's %: its
    escaping helper costs more than the rest of the option.)"""

    def __call__(self, field, **kwargs):
        if not isinstance(field.choices, Options):
            return super().__call__(field, **kwargs)
        # as Select.__call__, with the options written once (the coerce of these fields is int)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        selected = (field.data or ()) if self.multiple else (field.data,)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"  # noqa: S704  # nosec B704
                      f"{field.choices.render(selected)}</select>")

    @classmethod
    def render_option(cls, choice, **kwargs):
        value, label = escape(choice.value), escape(choice.label)
        return Markup(f'<option value="{value}"{_SELECTED[bool(choice.selected)]}>{label}</option>')  # noqa: S704  # nosec B704


class Options(list):
    """Choices (a list of SelectChoice, so WTForms validates as ever) whose options are also written
    out once as HTML: a drop-down of every organisation (1,600 and more) then costs a string
    replacement a request instead of a few µs an option. Values are ids, labels names (no gettext),
    so the same HTML serves every language."""

    def __init__(self, pairs):
        super().__init__(SelectChoice(value, label) for value, label in pairs)
        self.html = Markup("".join(  # noqa: S704  # nosec B704
            f'<option value="{escape(c.value)}">{escape(c.label)}</option>' for c in self))

    def render(self, selected=()) -> Markup:
        """The options with `selected` marked (values compared as text, as the templates do)."""
        html = str(self.html)
        for value in selected:
            if value is not None:
                option = f'<option value="{escape(value)}">'
                html = html.replace(option, f'{option[:-1]} selected>', 1)
        return Markup(html)  # noqa: S704  # nosec B704


_OPTIONS: dict[tuple, Options] = {}


def cached_options(pairs) -> Options:
    """The Options of these (id, name) pairs, kept in process memory by the pairs themselves: the
    query that reads them still runs every request, so a new or renamed organisation shows at once
    in every process, and only the writing of the HTML is saved (no version to keep in step)."""
    key = tuple((value, label) for value, label in pairs)
    options = _OPTIONS.get(key)
    if options is None:
        if len(_OPTIONS) >= 8:  # a few lists at a time (all organisations; the ones a user may assign to)
            _OPTIONS.clear()
        options = _OPTIONS[key] = Options(key)
    return options


DATE_HINT = _l("For example 20. 9. 2022.")
DATE_ERROR = _l("Enter a valid date: day, month and year.")


class DateField(_DateField):
    """A date typed as officials write it, whatever the browser's language: a text input that reads
    "20. 9. 2022", "20.9.2022" or "2022-09-20" on the server and shows "20. 9. 2022" (a browser's
    own date input shows the format of its language, which is often not ours). What could not be
    read is shown again as typed, with the error next to it. The field macro adds DATE_HINT."""

    widget = TextInput()
    hint = DATE_HINT

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:  # two values for one date (as WTForms' own field) are no date
            self.data = parse_date_input(" ".join(valuelist))
        except ValueError:
            self.data = None
            raise ValueError(DATE_ERROR) from None

    def _value(self):
        if self.data is not None:
            return format_date_input(self.data)
        return " ".join(self.raw_data) if self.raw_data else ""
