"""Minutes are Markdown; what reaches a page or a PDF is sanitised HTML.

markdown-it escapes raw HTML in the text (html=False), and nh3 then keeps only the tags below,
so neither a <script> nor an onclick in the text survives.
"""
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "h5",
                "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
# a Slovenian date opening a line ("20. 9. 2022 je …") is text, not a numbered list starting at 20
_LEADING_DATE = re.compile(r"^([ \t]{0,3})(\d{1,2})\.(?=[ \t]+\d{1,2}\.[ \t]+\d{4}\b)", re.MULTILINE)


def render(text: str) -> Markup:
    """Sanitised HTML of Markdown text. A pure function of the text, so usual-sized texts are
    remembered: pages show the same minutes again and again (at most ~20 MB held per process)."""
    text = text or ""
    return _render_cached(text) if len(text) <= 20_000 else _render(text)


@lru_cache(maxsize=1024)
def _render_cached(text: str) -> Markup:
    return _render(text)


def _render(text: str) -> Markup:
    html = _md.render(_LEADING_DATE.sub(r"\1\2\\.", text))
    # headings from the text sit below the page's own h1/h2
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer")
    # nh3 has just sanitised it
    return Markup(clean)  # noqa: S704  # nosec B704
