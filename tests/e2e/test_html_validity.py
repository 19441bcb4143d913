"""The Nu HTML Checker (vnu) finds no errors in the HTML the server sends for any page type.

The HTML is the server's own bytes (context.request for plain addresses, the document response for
pages reached through a form), never page.content(), which would be the browser's repaired DOM.
vnu runs once over all pages, because starting the JVM is the slow part.
"""
from __future__ import annotations

import json
import re
import subprocess

from tests.e2e.pages import PAGE_TYPES, raw_html
from tests.e2e.support import VNU

# our templates use data-hx-* (valid HTML); should a bare hx-* attribute ever be reported, that one
# message is htmx's business, not a page error
HTMX_ATTRIBUTE = re.compile(r"Attribute “(data-)?hx-[a-z-]+” not allowed")
CANARY = "zz-known-bad"


def test_every_page_type_is_valid_html(new_context, ids, tmp_path):
    wrong_status = []
    contexts = {}
    for page_type in PAGE_TYPES:
        if page_type.role not in contexts:
            contexts[page_type.role] = new_context(page_type.role)
        status, html = raw_html(contexts[page_type.role], page_type, ids)
        if status != page_type.status:
            wrong_status.append(f"{page_type.name}: HTTP {status}, expected {page_type.status}")
        (tmp_path / f"{page_type.name}.html").write_text(html, encoding="utf-8")
    assert not wrong_status, "pages did not answer as expected:\n  " + "\n  ".join(wrong_status)
    # a known-bad page proves that vnu really checked the files
    (tmp_path / f"{CANARY}.html").write_text("<!DOCTYPE html><html><title>x</title><p><div></div></p>")

    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
         *sorted(str(p) for p in tmp_path.glob("*.html"))],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"vnu did not run (exit {result.returncode}):\n{result.stderr[-2000:]}"
    errors = {}
    for m in json.loads(result.stderr)["messages"]:
        if m.get("type") in ("error", "non-document-error") and not HTMX_ATTRIBUTE.search(m.get("message", "")):
            name = m.get("url", "?").rsplit("/", 1)[-1].removesuffix(".html")
            errors.setdefault(name, []).append(f"{name}.html:{m.get('lastLine', '?')}: {m.get('message')}"
                                               f"\n      {m.get('extract', '').strip()}")
    assert errors.pop(CANARY, None), "vnu reported nothing for a page with errors: is it checking at all?"
    report = [line for lines in errors.values() for line in lines]
    assert not errors, f"vnu found {len(report)} HTML errors:\n  " + "\n  ".join(report)
