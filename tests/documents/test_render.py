"""The PDF entry point: only the app's static files may be loaded, the footer speaks the user's language."""
import gc
import socket
from datetime import UTC

import pytest
from weasyprint import HTML

from coordination.documents import engine, render
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


DOCUMENT = """<html lang="sl"><head><meta charset="utf-8"></head><body>
<h1>Zapisnik</h1><p>Besedilo <em>s poudarkom</em> in <strong>krepko</strong>.</p>
<ol><li>prva točka</li><li>druga točka<ul><li>alineja</li><li>še ena<ul><li>globlje</li></ul></li></ul></li></ol>
<table class="facts"><tr><th scope="row">Datum</th><td>1. 1. 2024</td></tr></table>
<ul><li>zunanja alineja</li></ul><blockquote>navedek</blockquote><pre>koda</pre>
</body></html>"""


def test_the_narrowed_user_agent_sheet_lays_out_the_same_boxes(app):
    """render's user-agent sheet is WeasyPrint's without the styles of footnotes and notes and with
    ::marker kept for <li>: the same boxes (list markers included) as with WeasyPrint's own sheet."""
    assert engine.UA_SHEET is not None, "WeasyPrint's user-agent sheet is no longer the one render.py narrows"
    with app.test_request_context():
        fonts, sheet = render._fonts_and_sheet(app.static_folder)
        stock = HTML(string=DOCUMENT, base_url=f"{ORIGIN}/").render(stylesheets=[sheet], font_config=fonts)
        narrowed = engine.Document(string=DOCUMENT, base_url=f"{ORIGIN}/").render(stylesheets=[sheet], font_config=fonts)
    layout = _layout(narrowed)
    assert layout == _layout(stock)
    texts = [box[-1] for page in layout for box in page if box[-1]]
    assert "1. " in texts and "• " in texts and "◦ " in texts and "▪ " in texts  # the markers are there


def test_the_collector_waits_while_a_document_renders_and_no_longer(app, monkeypatch):
    seen = []
    write_pdf = HTML.write_pdf

    def watching(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", watching)
    assert gc.isenabled()
    with app.test_request_context():
        assert render.render_pdf("pdf/conclusions.html", **_minimal_context()).startswith(b"%PDF-")
        assert seen == [False] and gc.isenabled()
        monkeypatch.setattr(HTML, "write_pdf", lambda self, *a, **k: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            render.render_pdf("pdf/conclusions.html", **_minimal_context())
    assert gc.isenabled()
    gc.disable()
    try:
        with app.test_request_context():
            monkeypatch.setattr(HTML, "write_pdf", watching)
            render.render_pdf("pdf/conclusions.html", **_minimal_context())
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_a_drawing_goes_in_as_an_image_of_the_document_only(app, monkeypatch):
    """embed_svg gives a drawing an address among the document's own resources (named by its content),
    which the document's fetcher serves and no other fetcher does."""
    given = {}
    monkeypatch.setattr(render, "render_template", lambda name, **context: given.update(context) or "")
    resources = {}
    with app.test_request_context():
        render._render_html("pdf/conclusions.html", None, resources, **_minimal_context())
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    url = given["embed_svg"](f"  {svg}\n")
    assert url.startswith(f"{ORIGIN}/resources/svg-")
    assert resources[url.removeprefix(f"{ORIGIN}/resources/")] == (svg.encode(), "image/svg+xml")
    assert given["embed_svg"](svg) == url  # the same drawing, the same address
    assert StaticOnlyFetcher(app.static_folder, resources).fetch(url).read() == svg.encode()
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher(app.static_folder).fetch(url)
