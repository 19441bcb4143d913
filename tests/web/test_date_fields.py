"""Date fields read and show "20. 9. 2022" whatever the browser's language; "20.9.2022" and
"2022-09-20" are read too; anything else is kept as typed, with the error next to the field."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from coordination.web.formatting import format_date_input, parse_date_input
from coordination.web.forms import DateField, Form


@pytest.mark.parametrize("text", ["20. 9. 2022", "20.9.2022", "20.09.2022", " 20. 9. 2022. ", "2022-09-20",
                                  "2022-9-20", "20 . 9 . 2022"])
def test_the_ways_officials_write_a_date_are_read(text):
    assert parse_date_input(text) == date(2022, 9, 20)


@pytest.mark.parametrize("text", ["31. 2. 2022", "20/9/2022", "9/20/2022", "20. 9. 22", "2022-13-01", "20. september 2022",
                                  "20. 9.", "danes", "2022-09-20T10:00", "20. 9. 2022 10:00", "٢٠. ٩. ٢٠٢٢"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_date_input(text)


def test_empty_is_no_date():
    assert parse_date_input("") is None and parse_date_input("   ") is None and parse_date_input(None) is None
    assert format_date_input(None) == ""


@given(st.dates(min_value=date(1000, 1, 1)))
def test_a_shown_date_reads_back_as_itself(day):
    assert parse_date_input(format_date_input(day)) == day
    assert parse_date_input(day.isoformat()) == day


class _DatedForm(Form):
    class Meta:
        csrf = False

    day = DateField("Dan")


def _form(app, value):
    with app.test_request_context(method="POST"):
        form = _DatedForm(formdata=MultiDict({"day": value}))
        valid = form.validate()
        html = str(form.day())
        form.day.errors = [str(error) for error in form.day.errors]  # in the request's language
    return form, valid, html


def test_the_field_is_a_text_input_that_shows_the_slovenian_style(app):
    form, valid, html = _form(app, "2022-09-20")
    assert valid and form.day.data == date(2022, 9, 20)
    assert 'type="text"' in html and 'value="20. 9. 2022"' in html and 'type="date"' not in html


def test_a_date_that_cannot_be_read_is_kept_with_its_error(app):
    form, valid, html = _form(app, "31. 2. 2022")
    assert not valid and form.day.data is None
    assert 'value="31. 2. 2022"' in html
    assert form.day.errors == ["Vnesite veljaven datum: dan, mesec in leto."]


def test_the_field_macro_tells_how_to_type_a_date(app):
    with app.test_request_context(method="POST"):
        form = _DatedForm(formdata=MultiDict({"day": "x"}))
        form.validate()
        html = app.jinja_env.from_string('{% from "macros/forms.html" import field %}{{ field(form.day) }}').render(
            form=form)
    assert '<p class="hint" id="day-hint">Na primer 20. 9. 2022.</p>' in html
    assert 'aria-describedby="day-hint day-error"' in html and 'aria-invalid="true"' in html
