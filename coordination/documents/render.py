"""The one entry point that builds every PDF of the app.

`render_pdf("minutes.html", **context)` renders a print template from templates/pdf/ (which never
extends base.html) and turns it into PDF/A-3b with WeasyPrint:
- fonts come from the system through CSS `font-family` (DejaVu Sans) and are embedded (subset), so
  č, š, ž survive copying and `pdftotext`;
- the footer "stran X od Y" is CSS @page counters, its words taken from the catalogue (`page_counter`);
- the URL fetcher loads only the app's own static files, read from disk by path; `file:` URLs, any
  other host and any other scheme are refused, so a document never reads the file system or the
  network, whatever its content links to.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/a-3b"
# documents resolve their relative links against this address; the host can never exist (RFC 6761),
# and only its /static/ paths are served, from coordination/static on disk
ORIGIN = "https://documents.invalid"
STATIC_PREFIX = "/static/"


class RefusedURL(ValueError):
    """A document asked for something other than one of the app's static files."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, cut down to the app's static files."""

    def __init__(self, static_root: str | Path):
        super().__init__(allowed_protocols={"https"}, allow_redirects=False, fail_on_errors=False)
        self.static_root = Path(static_root).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc != urlsplit(ORIGIN).netloc \
                or not parts.path.startswith(STATIC_PREFIX):
            raise RefusedURL(f"documents may load only the app's static files, not {url[:200]}")
        path = (self.static_root / unquote(parts.path[len(STATIC_PREFIX):])).resolve()
        if not path.is_relative_to(self.static_root) or not path.is_file():
            raise RefusedURL(f"no such static file: {url[:200]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def static_url(filename: str) -> str:
    """The address of a static file inside a document (served by StaticOnlyFetcher)."""
    return f"{ORIGIN}{STATIC_PREFIX}{filename}"


def css_string(text: str) -> str:
    """A CSS string literal that is safe inside <style> too (no quote, newline or "</style>" escapes it)."""
    text = text.unescape() if isinstance(text, Markup) else str(text)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return f'"{escaped}"'


def page_counter() -> str:
    """CSS `content` for the footer: "stran " counter(page) " od " counter(pages), in the user's language."""
    text = _("page %(page)s of %(pages)s", page="\x00", pages="\x01")
    out = []
    for i, chunk in enumerate(text.split("\x00")):
        if i:
            out.append("counter(page)")
        for j, part in enumerate(chunk.split("\x01")):
            if j:
                out.append("counter(pages)")
            if part:
                out.append(css_string(part))
    return " ".join(out)


def render_html(template_name: str, **context) -> str:
    name = template_name if template_name.startswith("pdf/") else f"pdf/{template_name}"
    return render_template(name, static_url=static_url, css_string=css_string,
                           page_counter=page_counter(), **context)


def render_pdf(template_name: str, **context) -> bytes:
    """Render a print template of templates/pdf/ into PDF/A-3b bytes."""
    html = HTML(string=render_html(template_name, **context), base_url=f"{ORIGIN}/",
                url_fetcher=StaticOnlyFetcher(current_app.static_folder))
    return html.write_pdf(pdf_variant=PDF_VARIANT)
