"""Every page type in the browser: axe-core finds no WCAG 2.1 A/AA violation, the page breaks no rule of
the Content-Security-Policy and logs no error, and it does not scroll sideways on a 375 px phone.

One visit per page type. axe is evaluated through the DevTools protocol, which the CSP does not
govern, so the page keeps its real CSP (bypass_csp would hide the violations this test looks for).
Screenshots land in test-artifacts/screenshots/<name>.png (desktop, full page) and <name>-phone.png
(the first screen at 375 px).
"""
from __future__ import annotations

import pytest

from tests.e2e.pages import PAGE_TYPES, open_page_type
from tests.e2e.support import AXE, OVERFLOW, PHONE, SCREENSHOTS, BrowserProblems

AXE_SOURCE = AXE.read_text(encoding="utf-8") if AXE.is_file() else ""  # missing: conftest fails the run
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}  # details for violations only: faster
RUN_AXE = "options => axe.run(document, options).then(result => result.violations)"


def run_axe(page) -> list[dict]:
    page.evaluate(AXE_SOURCE + "\n;0")
    return page.evaluate(RUN_AXE, AXE_OPTIONS)


def _report(violations) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}\n      e.g. {targets}\n      "
                     + v["nodes"][0].get("failureSummary", "").replace("\n", "\n      "))
    return "\n  ".join(lines)


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda p: p.name)
def test_page_type_is_accessible_clean_and_fits_a_phone(new_context, ids, base_url, page_type):
    context = new_context(page_type.role)
    problems = BrowserProblems(base_url)
    context.on("page", problems.watch)
    page, response = open_page_type(context, page_type, ids)
    assert response.status == page_type.status, f"{page_type.name}: HTTP {response.status} at {page.url}"
    if page_type.role:
        assert "/prijava" not in page.url, f"{page_type.name}: sent to the sign-in page"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{page_type.name}.png", full_page=True)
    violations = run_axe(page)
    page.set_viewport_size(PHONE)
    widths = page.evaluate(OVERFLOW)
    page.screenshot(path=SCREENSHOTS / f"{page_type.name}-phone.png")  # the first screen, as a phone shows it

    failures = []
    if violations:
        failures.append(f"axe found WCAG 2.1 A/AA violations:\n  {_report(violations)}")
    if problems.problems:
        failures.append("the browser reported problems (CSP, console, requests):\n  " + "\n  ".join(problems.problems))
    if widths["scroll"] > widths["viewport"]:
        failures.append(f"the page scrolls sideways on a {PHONE['width']} px screen: the document is "
                        f"{widths['scroll']} px wide; sticking out: {widths['widest']}")
    assert not failures, f"{page_type.name} ({page.url}):\n" + "\n".join(failures)


def test_the_checks_catch_what_they_should(new_context, base_url):
    """The harness itself: an unlabelled field, an image without alt text that is wider than a phone, and
    an inline script and style under our CSP must all be reported."""
    context = new_context()
    body = ('<!DOCTYPE html><html lang="sl"><head><title>t</title></head><body><main>'
            '<img src="/static/favicon.svg" width="600" height="10"><input type="text"><p style="color: red">x</p>'
            '<script>document.title = "x"</script></main></body></html>')
    csp = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'"}
    context.route("**/__e2e__/bad", lambda route: route.fulfill(body=body, headers=csp, content_type="text/html"))
    page = context.new_page()
    problems = BrowserProblems(base_url).watch(page)
    page.goto("/__e2e__/bad")
    assert {"image-alt", "label"} <= {v["id"] for v in run_axe(page)}
    assert sum("Content Security Policy" in p for p in problems.problems) >= 2, problems.problems
    page.set_viewport_size(PHONE)
    widths = page.evaluate(OVERFLOW)
    assert widths["scroll"] > widths["viewport"]
