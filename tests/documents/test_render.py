"""The PDF entry point: only the app's static files may be loaded, the footer speaks the user's language."""
import socket
from datetime import UTC

import pytest
from weasyprint import HTML

from coordination.documents import render
from coordination.documents.render import ORIGIN, RefusedURL, StaticOnlyFetcher, css_string, page_counter
from coordination.meetings.models import MinutesState


@pytest.fixture
def fetcher(app):
    return StaticOnlyFetcher(app.static_folder)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:///work/main/coordination/static/css/pdf.css",
    "http://example.com/",
    "https://example.com/static/css/pdf.css",
    "http://documents.invalid/static/css/pdf.css",
    "https://documents.invalid.example.com/static/css/pdf.css",
    "https://user@documents.invalid/static/css/pdf.css",
    f"{ORIGIN}/templates/base.html",
    f"{ORIGIN}/static/../../config.py",
    f"{ORIGIN}/static/%2e%2e/%2e%2e/config.py",
    f"{ORIGIN}/static/css/nothing-here.css",
    "ftp://example.com/x",
    "data:text/css,body{color:red}",
])
def test_the_fetcher_refuses_everything_but_static_files(fetcher, url):
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_the_fetcher_serves_static_files_from_disk(fetcher, app):
    response = fetcher.fetch(f"{ORIGIN}/static/css/pdf.css")
    assert response.content_type == "text/css"
    assert response.read() == (render.Path(app.static_folder) / "css" / "pdf.css").read_bytes()


def test_a_document_never_reaches_the_file_system_or_the_network(app, monkeypatch):
    """Render HTML that asks for local files and external addresses: each is refused, none is opened,
    and the PDF is still made."""
    asked, refused = [], []

    class Watching(StaticOnlyFetcher):
        def fetch(self, url, headers=None):
            asked.append(url)
            try:
                return super().fetch(url, headers)
            except RefusedURL:
                refused.append(url)
                raise

    def no_network(*args, **kwargs):
        raise AssertionError("a document tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = f"""<html><head><link rel="stylesheet" href="http://example.com/evil.css">
      <link rel="stylesheet" href="{ORIGIN}/static/css/pdf.css"></head>
      <body><img src="file:///etc/passwd" alt=""><img src="https://example.com/pixel.png" alt="">
      <img src="/etc/hostname" alt=""><p>Zaključki</p></body></html>"""
    pdf = HTML(string=html, base_url=f"{ORIGIN}/", url_fetcher=Watching(app.static_folder)).write_pdf(
        pdf_variant=render.PDF_VARIANT)
    assert pdf.startswith(b"%PDF-")
    assert f"{ORIGIN}/static/css/pdf.css" in asked and f"{ORIGIN}/static/css/pdf.css" not in refused
    assert {"http://example.com/evil.css", "file:///etc/passwd", "https://example.com/pixel.png",
            f"{ORIGIN}/etc/hostname"} <= set(refused)


def test_page_counter_follows_the_translation(app):
    with app.test_request_context():
        assert page_counter() == '"stran " counter(page) " od " counter(pages)'
    with app.test_request_context(headers={"Cookie": ""}):
        from flask import session

        session["lang"] = "en"
        from flask_babel import refresh

        refresh()
        assert page_counter() == '"page " counter(page) " of " counter(pages)'


def test_css_strings_cannot_break_out_of_the_style_element():
    assert css_string('a"b\\c\n</style><script>') == '"a\\"b\\\\c \\3c /style>\\3c script>"'


def test_render_pdf_uses_print_templates(app):
    with app.test_request_context():
        html = render.render_html("pdf/conclusions.html", **_minimal_context())
        assert 'href="https://documents.invalid/static/css/pdf.css"' in html
        assert "base.html" not in html and "site-header" not in html


def _minimal_context():
    from datetime import datetime
    from types import SimpleNamespace

    meeting = SimpleNamespace(title="Sestanek", organisers=[], group=None, place=None, online_url=None,
                              register_body="MDP", approved_at=None, approved_by=None, minutes_state=MinutesState.DRAFT,
                              starts_at=datetime(2024, 1, 1, tzinfo=UTC))
    return {"meeting": meeting, "when": "1. 1. 2024", "participants": [], "items": [], "conclusions": [],
            "kind_labels": {}, "draft": True, "generated": "", "with_minutes": False}


def _layout(document):
    """Every box of every page: its kind, place, size and text."""
    def walk(box):
        yield (type(box).__name__, round(box.position_x, 3), round(box.position_y, 3), round(box.width or 0, 3),
               round(box.height or 0, 3), getattr(box, "text", None))
        for child in getattr(box, "children", ()):
            yield from walk(child)
    return [list(walk(page._page_box)) for page in document.pages]


def test_the_parsed_stylesheet_lays_out_as_the_linked_one(app, monkeypatch):
    """render_pdf gives pdf.css parsed once (as a user sheet) instead of the template's link: the
    layout is the same box for box, and the file is no longer fetched for each document."""
    asked = []
    fetch = StaticOnlyFetcher.fetch
    monkeypatch.setattr(StaticOnlyFetcher, "fetch", lambda self, url, headers=None: asked.append(url) or fetch(self, url, headers))
    with app.test_request_context():
        text = render.render_html("pdf/conclusions.html", **_minimal_context())
        link = f'<link rel="stylesheet" href="{ORIGIN}/static/css/pdf.css">'
        assert link in text
        fetcher = StaticOnlyFetcher(app.static_folder)
        linked = HTML(string=text, base_url=f"{ORIGIN}/", url_fetcher=fetcher).render()
        assert f"{ORIGIN}/static/css/pdf.css" in asked
        fonts, sheet = render._fonts_and_sheet(app.static_folder)
        assert render._fonts_and_sheet(app.static_folder)[1] is sheet  # kept
        parsed = HTML(string=text.replace(link, ""), base_url=f"{ORIGIN}/", url_fetcher=fetcher).render(
            stylesheets=[sheet], font_config=fonts)
        assert _layout(parsed) == _layout(linked)
        asked.clear()
        assert render.render_pdf("pdf/conclusions.html", **_minimal_context()).startswith(b"%PDF-")
        assert f"{ORIGIN}/static/css/pdf.css" not in asked
