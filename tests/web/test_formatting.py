from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from coordination.organisations.models import Organisation
from coordination.web import formatting as f


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_slovenian_dates(ctx):
    with force_locale("sl"):
        assert f.format_date(date(2022, 9, 20)) == "20. 9. 2022"
        assert f.format_date_long(date(2022, 9, 20)) == "20. septembra 2022"
        assert f.format_date_long(date(2024, 3, 1)) == "1. marca 2024"


def test_datetimes_are_shown_in_ljubljana_time(ctx):
    with force_locale("sl"):
        # 22:30 UTC on 31 March is 00:30 on 1 April in summer time
        assert f.format_datetime(datetime(2024, 3, 31, 22, 30, tzinfo=UTC)) == "1. 4. 2024 0:30"


def test_english_dates(ctx):
    with force_locale("en"):
        assert f.format_date_long(date(2022, 9, 20)) == "20 September 2022"


def test_numbers(ctx):
    with force_locale("sl"):
        assert f.format_number(1234.5) == "1.234,5"
        assert f.format_number(70000) == "70.000"
        assert f.format_number(1234.5, 2) == "1.234,50"
    with force_locale("en"):
        assert f.format_number(1234.5) == "1,234.5"


@pytest.mark.parametrize("lang", sorted(f.GROUP_SYMBOL))
def test_whole_numbers_are_written_as_babel_writes_them(ctx, lang):
    """format_number's short way for whole numbers gives Babel's text in every language of the app."""
    from babel.numbers import format_decimal

    values = [*range(0, 20000, 7), 999_999, 1_000_000, 12_345_678, 10**12 + 1]
    with force_locale(lang):
        for value in values:
            assert f.format_number(value) == format_decimal(value, locale=lang), value
            assert f.format_number(value, 0) == format_decimal(value, format="#,##0", locale=lang), value
        assert f.format_number(-1234) == format_decimal(-1234, locale=lang)  # Babel's way


@pytest.mark.parametrize("n, word", [(1, "organizacija"), (2, "organizaciji"), (3, "organizacije"),
                                     (4, "organizacije"), (5, "organizacij"), (101, "organizacija"),
                                     (102, "organizaciji"), (111, "organizacij"), (0, "organizacij")])
def test_slovenian_plural_forms(ctx, n, word):
    with force_locale("sl"):
        assert ngettext("%(num)d organisation", "%(num)d organisations", n) == f"{n} {word}"


NAMES = ["Žalec", "Zreče", "Šentjur", "Sevnica", "Črnomelj", "Cerknica", "Ćirić", "Dol", "ajdovščina", "Bled"]
EXPECTED = ["ajdovščina", "Bled", "Cerknica", "Ćirić", "Črnomelj", "Dol", "Sevnica", "Šentjur", "Zreče", "Žalec"]


def test_python_sorting_follows_slovenian_alphabet():
    assert f.sorted_sl(NAMES) == EXPECTED


def test_database_sorting_follows_slovenian_alphabet(session):
    names = session.scalars(select(Organisation.name).where(Organisation.name.in_(
        ["Cerknica", "Črnomelj", "Dol pri Ljubljani", "Sevnica", "Šentjur", "Zreče", "Žalec", "Šalovci"]))
        .order_by(f.sl_order(Organisation.name))).all()
    assert names == ["Cerknica", "Črnomelj", "Dol pri Ljubljani", "Sevnica", "Šalovci", "Šentjur", "Zreče", "Žalec"]
    everything = session.scalars(select(Organisation.name).order_by(f.sl_order(Organisation.name))).all()
    assert everything == f.sorted_sl(everything)
