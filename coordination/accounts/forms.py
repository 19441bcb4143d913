from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, ValidationError

from coordination.accounts import services
from coordination.roles import ROLE_LABELS
from coordination.web.forms import Form, QuickSelect, choices, email_address, max_length, password_length, required


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(200)])


class PasswordChangeForm(Form):
    current = PasswordField(_l("Current password"), validators=[required(), max_length(200)])
    new = PasswordField(_l("New password"), validators=[required(), password_length()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), EqualTo("new", message=_l("The passwords do not match."))],
    )


class UserForm(Form):
    name = StringField(_l("Full name"), validators=[required(), max_length(120)])
    email = EmailField(_l("E-mail"), validators=[required(), email_address(), max_length(254)])
    role = SelectField(_l("Role"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items()),
                       validators=[required()])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[required()], widget=QuickSelect())

    def __init__(self, *args, user_id=None, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = user_id
        self.organisation_id.choices = choices((o.id, o.name) for o in organisations)

    def validate_email(self, field):
        if services.email_taken(field.data, except_id=self.user_id):
            raise ValidationError(_l("An account with this e-mail already exists."))


class InviteForm(UserForm):
    """A new account: the person gets an e-mail and chooses their own password."""
    language = SelectField(_l("Language of the invitation"),
                           choices=choices([("sl", _l("Slovenian")), ("en", _l("English"))]), default="sl")


class ChoosePasswordForm(Form):
    """A password chosen through an invitation or reset link."""
    password = PasswordField(_l("New password"), validators=[required(), password_length()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=[required(), email_address(), max_length(254)])


class ActiveForm(Form):
    active = BooleanField(_l("Active"))
    # deactivating asks for this box; activating again does not
    confirm = BooleanField(_l("Yes, deactivate this account: the person is signed out and cannot sign in."))

    def validate_confirm(self, field):
        if not self.active.data and not field.data:
            raise ValidationError(_l("Tick the box to confirm the deactivation."))
