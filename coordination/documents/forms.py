"""The letterhead form: the crest image and the file-number pattern of an organisation's documents."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField

from coordination.web.forms import Form, max_length, required


class LetterheadForm(Form):
    crest = FileField(_l("Crest (PNG or JPEG, at most 512 KB)"))
    remove_crest = BooleanField(_l("Remove the crest"))
    file_number_pattern = StringField(_l("Pattern of file numbers"), validators=[required(), max_length(60)])
