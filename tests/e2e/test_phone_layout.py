"""Every page type on a 375 px phone: the document does not scroll sideways, the header takes at most
120 px (the menu button folds the navigation), and a table that stays wider than the screen scrolls
inside a named region a keyboard can reach. Then the phone layout's parts one by one: the menu button,
the folded filter panel, the stacked list, and the same page without JavaScript.

The page types open at phone width from the start (as a phone opens them), in sequence, one browser
context per account.
"""
from __future__ import annotations

from tests.e2e.pages import PAGE_TYPES, open_page_type
from tests.e2e.support import DESKTOP, HEADER_MOST, OVERFLOW, PHONE, PHONE_LAYOUT
from tests.e2e.test_accessibility import run_axe


def test_every_page_type_fits_a_phone(new_context, ids):
    contexts = {}
    failures = []
    for page_type in PAGE_TYPES:
        if page_type.role not in contexts:
            contexts[page_type.role] = new_context(page_type.role, viewport=PHONE)
        page, response = open_page_type(contexts[page_type.role], page_type, ids)
        widths = page.evaluate(OVERFLOW)
        layout = page.evaluate(PHONE_LAYOUT)
        problems = []
        if response.status != page_type.status:
            problems.append(f"HTTP {response.status}, expected {page_type.status}")
        if widths["scroll"] > widths["viewport"]:
            problems.append(f"the document is {widths['scroll']} px wide; sticking out: {widths['widest']}")
        if layout["header"] > HEADER_MOST:
            problems.append(f"the header is {layout['header']} px high")
        if layout["unlabelled"]:
            problems.append(f"scrolls sideways outside a named, focusable region: {layout['unlabelled']}")
        if problems:
            failures.append(f"{page_type.name} ({page.url}): " + "; ".join(problems))
        page.close()
    assert not failures, f"{len(failures)} page types do not fit a {PHONE['width']} px phone:\n  " + "\n  ".join(failures)


def test_the_menu_button_opens_and_closes_the_navigation(new_context):
    page = new_context("ministry", viewport=PHONE).new_page()
    page.goto("/")
    button = page.get_by_role("button", name="Meni", exact=True)
    nav = page.locator("#main-nav")
    assert button.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible() and not page.locator(".site-search").is_visible()

    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert nav.is_visible() and page.locator(".site-search").is_visible()
    assert run_axe(page) == [], "the open menu on a phone has WCAG violations"
    nav.get_by_role("link", name="Naloge").click()
    page.wait_for_url("**/naloge/")

    page.get_by_role("button", name="Meni", exact=True).click()
    page.keyboard.press("Escape")  # closes the menu and leaves the focus on its button
    assert not page.locator("#main-nav").is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('menu-toggle')")


def test_filters_fold_on_a_phone_and_lists_stack(new_context):
    phone = new_context("ministry", viewport=PHONE).new_page()
    phone.goto("/naloge/")
    panel = phone.locator("details.filter-panel")
    assert panel.get_attribute("open") is None, "the filters start folded on a phone"
    assert not phone.locator("#q").is_visible()
    phone.locator("details.filter-panel > summary").click()
    assert phone.locator("#q").is_visible()
    # a card per item: the cells stack (one above the other) and say which column they are
    cells = phone.locator("table.action-items tbody tr").first.locator("td[data-label]")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert len(boxes) >= 4 and all(a["y"] < b["y"] for a, b in zip(boxes, boxes[1:], strict=False))
    label = cells.first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Stanje"', label

    # a filter in use keeps its panel open, so the phone shows what the list is narrowed to
    phone.goto("/naloge/?q=predstavnika")
    assert phone.locator("details.filter-panel").get_attribute("open") is not None

    desktop = new_context("ministry", viewport=DESKTOP).new_page()
    desktop.goto("/naloge/")
    assert desktop.locator("#q").is_visible(), "the filters are open on a desktop"
    assert not desktop.locator("details.filter-panel > summary").is_visible()
    assert not desktop.get_by_role("button", name="Meni", exact=True).is_visible()
    assert desktop.locator("table.action-items thead").is_visible(), "a desktop keeps the table"


def test_without_javascript_the_phone_still_reaches_everything(new_context):
    page = new_context("ministry", viewport=PHONE, java_script_enabled=False).new_page()
    page.goto("/naloge/")
    assert page.locator("#main-nav").is_visible()
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator("#q").is_visible(), "the filter panel is open without JavaScript"
