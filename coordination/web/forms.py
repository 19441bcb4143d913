"""Shared form pieces: validators with messages in the user's language."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Email, Length


def required():
    return DataRequired(message=_l("This field is required."))


def max_length(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def email_address():
    return Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)


def password_length():
    return Length(min=10, max=200, message=_l("The password must have between 10 and 200 characters."))
