"""The one entry point that builds every PDF of the app.

`render_pdf("minutes.html", **context)` renders a print template from templates/pdf/ (which never
extends base.html) and turns it into PDF/A-3b with WeasyPrint:
- fonts come from the system through CSS `font-family` (DejaVu Sans) and are embedded (subset), so
  č, š, ž survive copying and `pdftotext`;
- the footer "stran X od Y" is CSS @page counters, its words taken from the catalogue (`page_counter`);
- the URL fetcher loads only the app's own static files, read from disk by path, and the images the
  document brings along in memory (the crest of its letterhead); `file:` URLs, any other host and any
  other scheme are refused, so a document never reads the file system or the network, whatever its
  content links to;
- the language is the document's, chosen explicitly (`?lang=en`, Slovenian otherwise), never the
  interface's: a view wrapped in `in_document_language` builds its context and its PDF in it;
- the letterhead (`letterhead`, a DocumentHeading) is given by the caller or, for documents that do
  not name one, by the provider the documents feature registers (the ministry's);
- a drawing of many shapes (a map) goes in as an image (`embed_svg`), not inline: WeasyPrint parses
  and styles every element of an inline <svg> as HTML before drawing it as SVG anyway.
"""
from __future__ import annotations

import functools
import hashlib
import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from coordination.documents.engine import Document, collector_paused

PDF_VARIANT = "pdf/a-3b"
# documents resolve their relative links against this address; the host can never exist (RFC 6761),
# and only its /static/ paths are served, from coordination/static on disk
ORIGIN = "https://documents.invalid"
STATIC_PREFIX = "/static/"
# the in-memory images of one document (the letterhead's crest) are served under this path
RESOURCE_PREFIX = "/resources/"
LANGUAGES = ("sl", "en")
DEFAULT_LANGUAGE = "sl"


@dataclass(frozen=True)
class DocumentHeading:
    """What the letterhead of a document shows: the issuing organisation, lines under its name, and
    its crest (PNG or JPEG bytes, checked when uploaded)."""

    name: str
    lines: tuple[str, ...] = ()
    crest: bytes | None = None
    crest_type: str | None = None


_default_heading: Callable[[], DocumentHeading | None] | None = None


def set_default_heading(provider: Callable[[], DocumentHeading | None]) -> None:
    """The letterhead of documents whose caller names none (registered by the documents feature)."""
    global _default_heading
    _default_heading = provider


class RefusedURL(ValueError):
    """A document asked for something other than one of the app's static files."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, cut down to the app's static files."""

    def __init__(self, static_root: str | Path, resources: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(allowed_protocols={"https"}, allow_redirects=False, fail_on_errors=False)
        self.static_root = Path(static_root).resolve()
        self.resources = resources or {}

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc != urlsplit(ORIGIN).netloc:
            raise RefusedURL(f"documents may load only the app's static files, not {url[:200]}")
        if parts.path.startswith(RESOURCE_PREFIX) and parts.path[len(RESOURCE_PREFIX):] in self.resources:
            content, mime = self.resources[parts.path[len(RESOURCE_PREFIX):]]
            return URLFetcherResponse(url, content, {"Content-Type": mime})
        if not parts.path.startswith(STATIC_PREFIX):
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


def document_language() -> str:
    """The language a document is asked for: `?lang=en`, otherwise Slovenian (whatever the interface speaks)."""
    asked = request.args.get("lang", DEFAULT_LANGUAGE)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def in_document_language(view):
    """Run a PDF view (its context and its rendering) in the document's language."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with force_locale(document_language()):
            return view(*args, **kwargs)
    return wrapped


def _heading(context: dict) -> tuple[DocumentHeading | None, dict[str, tuple[bytes, str]]]:
    heading = context.pop("letterhead", None)
    if heading is None and _default_heading is not None:
        heading = _default_heading()
    if heading is not None and heading.crest:
        return heading, {"crest": (heading.crest, heading.crest_type or "application/octet-stream")}
    return heading, {}


def render_html(template_name: str, **context) -> str:
    return _render_html(template_name, *_heading(context), **context)


def _render_html(template_name: str, heading, resources, /, **context) -> str:
    name = template_name if template_name.startswith("pdf/") else f"pdf/{template_name}"
    crest_url = f"{ORIGIN}{RESOURCE_PREFIX}crest" if "crest" in resources else None

    def embed_svg(markup: str) -> str:
        """The address of `markup` (a whole <svg> element the template drew) as this document's image."""
        content = str(markup).strip().encode()
        key = "svg-" + hashlib.sha256(content).hexdigest()[:24]
        resources[key] = (content, "image/svg+xml")
        return f"{ORIGIN}{RESOURCE_PREFIX}{key}"

    return render_template(name, static_url=static_url, css_string=css_string, page_counter=page_counter(),
                           letterhead=heading, crest_url=crest_url, embed_svg=embed_svg, **context)


# the stylesheet every print template links before any style of its own
SHEET = "css/pdf.css"
_shared = threading.local()  # WeasyPrint's font map is not for several threads at once


def _fonts_and_sheet(static_folder: str) -> tuple[FontConfiguration, CSS]:
    """One font configuration (loading Fontconfig and a cold Pango font map cost ~10 ms a document
    and more in shaping) and pdf.css parsed once (~20 ms), per thread and kept while the file is
    unchanged. pdf.css loads nothing itself (no url(), @import or @font-face)."""
    path = Path(static_folder) / SHEET
    key = (str(path), path.stat().st_mtime_ns)
    if getattr(_shared, "key", None) != key:
        fonts = FontConfiguration()
        _shared.fonts, _shared.sheet = fonts, CSS(string=path.read_text(encoding="utf-8"),
                                                  base_url=static_url(SHEET), font_config=fonts)
        _shared.key = key
    return _shared.fonts, _shared.sheet


def render_pdf(template_name: str, **context) -> bytes:
    """Render a print template of templates/pdf/ into PDF/A-3b bytes."""
    with collector_paused():
        return _render_pdf(template_name, context)


def _render_pdf(template_name: str, context: dict) -> bytes:
    heading, resources = _heading(context)
    text = _render_html(template_name, heading, resources, **context)
    fonts, sheet = _fonts_and_sheet(current_app.static_folder)
    link = f'<link rel="stylesheet" href="{static_url(SHEET)}">'
    stylesheets = []
    before = text.split(link, 1)[0]
    if link in text and "<style" not in before and 'rel="stylesheet"' not in before:
        # the parsed sheet instead of the link: as a user sheet it still yields to every author style
        # (they all come after the link; pdf.css has no !important), so the document looks the same
        text, stylesheets = text.replace(link, "", 1), [sheet]
    html = Document(string=text, base_url=f"{ORIGIN}/", url_fetcher=StaticOnlyFetcher(current_app.static_folder, resources))
    return html.write_pdf(pdf_variant=PDF_VARIANT, stylesheets=stylesheets, font_config=fonts)
