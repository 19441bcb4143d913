"""The pages a public-sector site must publish, in both languages and linked from every page, and the
health probes a reverse proxy asks."""
import pytest
from sqlalchemy import text

from coordination.extensions import db
from coordination.roles import Role
from tests import factories as f

PAGES = {"/dostopnost": ("Izjava o dostopnosti", "Accessibility statement",
                         "Inšpektorat Republike Slovenije za informacijsko družbo"),
         "/zasebnost": ("Obvestilo o varstvu osebnih podatkov", "Privacy notice", "Informacijskem pooblaščencu"),
         "/viri": ("Viri podatkov in licence", "Data sources and licences", "CC BY 4.0")}


@pytest.mark.parametrize("path", PAGES)
def test_published_pages_in_slovenian_and_english(client, no_csrf, path):
    title_sl, title_en, must_say = PAGES[path]
    page = client.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f"<h1>{title_sl}</h1>" in body and "<html lang=\"sl\">" in body
    if path != "/viri":
        assert must_say in body
    client.post("/jezik", data={"lang": "en", "next": path})
    english = client.get(path).get_data(as_text=True)
    assert f"<h1>{title_en}</h1>" in english and "<html lang=\"en\">" in english


def test_statement_names_its_dates_operator_and_exceptions(client, app):
    body = client.get("/dostopnost").get_data(as_text=True)
    assert "7. decembra 2026" in body  # prepared and reviewed, from config
    assert app.config["OPERATOR_EMAIL"] in body
    assert "delno skladno" in body and "PDF/UA" in body and "WCAG 2.1" in body


def test_every_page_links_them_in_its_footer(client, session, no_csrf):
    for path in ("/prijava", "/dostopnost"):
        body = client.get(path).get_data(as_text=True)
        for target in PAGES:
            assert f'href="{target}"' in body
    user = f.user(role=Role.MINISTRY)
    f.login(client, user)
    body = client.get("/").get_data(as_text=True)
    assert all(f'href="{target}"' in body for target in PAGES)


def test_health_probes(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ok"


def test_not_ready_when_the_schema_is_behind_the_code(client, session):
    session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["reason"] == "migrations not current"
    db.session.rollback()


@pytest.mark.parametrize("lang", ["sl", "en"])
def test_the_product_has_one_name(client, no_csrf, app, lang):
    """"Koordinacija občin" in the title, the header, the footer and the site texts, in both languages."""
    name = app.config["PRODUCT_NAME"]
    assert name == "Koordinacija občin"
    client.post("/jezik", data={"lang": lang, "next": "/"})
    for path in ("/prijava", "/dostopnost", "/zasebnost"):
        body = client.get(path).get_data(as_text=True)
        assert f" · {name}</title>" in body and f'class="brand" href="/">{name}</a>' in body
        assert f"<strong>{name}</strong>" in body  # the footer
        if path != "/prijava":
            assert f"»{name}«" in body or f"“{name}”" in body  # the statement and the notice name it
        for other in ("Coordination workspace", "Delovni prostor za usklajevanje"):
            assert other not in body


def test_the_e_mail_sender_and_the_pdfs_use_the_name(app):
    import os
    from pathlib import Path

    import config

    assert config.Config.MAIL_SENDER == os.environ.get("MAIL_SENDER", "Koordinacija občin <no-reply@localhost>")
    templates = Path(app.root_path).parent / "templates" / "pdf"
    named = [p.name for p in templates.glob("*.html") if 'name="generator"' in p.read_text(encoding="utf-8")]
    assert named and all('content="{{ config.PRODUCT_NAME }}"' in (templates / n).read_text(encoding="utf-8")
                         for n in named)
