"""Shared form pieces: a base form whose built-in WTForms messages speak the user's language,
and validators with our own messages."""
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import Select

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


class Form(FlaskForm):
    """Base for every form of the app."""

    class Meta:
        def get_translations(self, form):
            return _Translations()


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


_OPTION = {False: Markup('<option value="%s">%s</option>'), True: Markup('<option value="%s" selected>%s</option>')}


class QuickSelect(Select):
    """A select whose options are written directly. WTForms builds each option through html_params,
    which costs about 10 ms for the ~230 organisations a page may offer."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        return _OPTION[bool(choice.selected)] % (choice.value, choice.label)  # Markup's % escapes both
