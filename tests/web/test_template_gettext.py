"""The templates' gettext (web/translations.py) keeps the request's translations with their locale:
a document rendered in another language in the middle of a request gets that language, and the page
after it gets the request's again."""
from flask import render_template_string, session
from flask_babel import force_locale


def render() -> str:
    return render_template_string("{{ _('Status') }}|{{ ngettext('%(num)d account', '%(num)d accounts', 2) }}")


def test_templates_follow_the_locale_also_when_it_changes_within_a_request(app):
    with app.test_request_context("/"):
        assert render() == "Stanje|2 računa"
        with force_locale("en"):
            assert render() == "Status|2 accounts"
        assert render() == "Stanje|2 računa"


def test_a_request_in_english_gets_english(app):
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert render() == "Status|2 accounts"
        with force_locale("sl"):
            assert render() == "Stanje|2 računa"
