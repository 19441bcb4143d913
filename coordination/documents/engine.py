"""WeasyPrint as the documents use it, set up once per process: its user-agent sheet without the
rules no document of the app uses (`Document`), and Python's cyclic garbage collector paused while a
document renders (`collector_paused`). Neither changes a document: only what it costs to make one."""
from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager

from weasyprint import CSS, HTML
from weasyprint.html import UA, UA_COUNTER_STYLE, UA_FORM_STYLESHEET

# WeasyPrint's user-agent sheet styles six pseudo-elements of EVERY element (::marker and the five of
# footnotes and notes), and the cascade computes those six styles for each element: six of every seven
# computed styles of a document, a third of the time of a 212-row report. The documents have no
# footnotes or notes (no `float: footnote` in pdf.css or a template, and the minutes' sanitiser keeps
# no style attribute) and only <li> is a list item, so the same sheet with ::marker narrowed to <li>
# and the notes' rules left out lays out the same boxes (tests/documents/test_render.py compares them).
_NOTE_RULE = re.compile(r"^::(?:footnote-call|footnote-marker|note-call|note-marker|note-callback) \{[^}]*\}\n", re.M)


def _narrowed_ua() -> CSS | None:
    """WeasyPrint's sheet so narrowed, or None if its text is no longer the one this was written for."""
    text, notes = _NOTE_RULE.subn("", UA)
    text, markers = re.subn(r"^::marker \{", "li::marker {", text, flags=re.M)
    if notes != 5 or markers != 1 or re.search(r"^::", text, re.M):
        return None
    return CSS(string=text, counter_style=UA_COUNTER_STYLE)


UA_SHEET = _narrowed_ua()


class Document(HTML):
    """WeasyPrint's HTML document with the narrowed user-agent sheet."""

    def _ua_stylesheets(self, forms=False):
        if UA_SHEET is None:
            return super()._ua_stylesheets(forms)
        return [UA_SHEET, UA_FORM_STYLESHEET] if forms else [UA_SHEET]


_collector = threading.Lock()
_rendering = 0  # documents being rendered in this process (threads), while the cyclic collector waits
_collector_was_enabled = True


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while WeasyPrint works. A document's boxes live until
    it is written, so the collections its allocations trigger find nothing to free, and the full ones
    walk the whole heap: a quarter of the time of a 212-row report (what the render leaves behind is
    collected as usual afterwards, in one pass). The template is rendered inside too: its objects
    also live until the end."""
    global _rendering, _collector_was_enabled
    with _collector:
        if _rendering == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _rendering += 1
    try:
        yield
    finally:
        with _collector:
            _rendering -= 1
            if _rendering == 0 and _collector_was_enabled:
                gc.enable()
