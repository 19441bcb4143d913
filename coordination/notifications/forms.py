"""The e-mail settings form."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from coordination.web.forms import Form


class DigestForm(Form):
    digest_enabled = BooleanField(_l("Send me the daily e-mail digest"))
