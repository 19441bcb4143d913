"""The organisations of a drop-down come in Slovenian alphabetical order on either database (on
SQLite sorted in Python by the key the `sl` collation uses, in SQL on PostgreSQL)."""
from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.organisations.services import organisation_choices
from coordination.web.formatting import sl_order
from coordination.web.forms import Form, QuickSelect, cached_options, choices
from tests import factories as f

NAMES = ["Žalec", "Zreče", "Šentjur", "Sevnica", "Črna na Koroškem", "Cerknica", "čebelarji",
         "Ajdovščina", "ankaran"]


def test_organisation_choices_in_slovenian_order(session):
    for name in NAMES:
        f.organisation(name=f"Zz {name}")
    chosen = [name.removeprefix("Zz ") for _, name in organisation_choices() if name.startswith("Zz ")]
    assert chosen == ["Ajdovščina", "ankaran", "Cerknica", "čebelarji", "Črna na Koroškem",
                      "Sevnica", "Šentjur", "Zreče", "Žalec"]
    in_sql = db.session.execute(select(Organisation.id, Organisation.name).order_by(sl_order(Organisation.name))).all()
    assert [tuple(row) for row in organisation_choices()] == [tuple(row) for row in in_sql]


def test_a_new_or_renamed_organisation_shows_at_once(session):
    """The sorted list and its written options are kept in process memory by the rows read each
    time, so a change made anywhere (another process too) shows in the next drop-down."""
    first = f.organisation(name="Zz Bohinj")
    f.organisation(name="Zz Cerkno")
    before = cached_options(organisation_choices())
    assert "Zz Bohinj" in before.html
    first.name = "Zz Dravograd"
    db.session.flush()
    f.organisation(name="Zz Ankaran")
    rows = organisation_choices()
    assert [name for _, name in rows if name.startswith("Zz ")] == ["Zz Ankaran", "Zz Cerkno", "Zz Dravograd"]
    after = cached_options(rows)
    assert "Zz Bohinj" not in after.html and "Zz Dravograd" in after.html and "Zz Ankaran" in after.html


class _Form(Form):
    one = SelectField(coerce=int, widget=QuickSelect())
    many = SelectMultipleField(coerce=int, widget=QuickSelect(multiple=True))


def test_written_options_are_the_html_of_the_widget(app, session):
    pairs = [(3, "Ajdovščina"), (1, "Brežice & <okolica>"), (12, "Celje")]
    with app.test_request_context():
        plain, written = _Form(data={"one": 1, "many": [3, 12]}), _Form(data={"one": 1, "many": [3, 12]})
        for form, make in ((plain, choices), (written, cached_options)):
            form.one.choices, form.many.choices = make(pairs), make(pairs)
        assert str(written.one()) == str(plain.one())
        assert str(written.many()) == str(plain.many())
        assert '<option value="1" selected>Brežice &amp; &lt;okolica&gt;</option>' in str(written.one())
        assert str(written.one(class_="wide")) == str(plain.one(class_="wide"))
