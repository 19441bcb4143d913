"""Managing a fan-out in a real browser: from the matrix to the management page; a due date in the
past is refused at its field; a new due date, after the confirmation that says how many items it
changes; a municipality added; the fan-out cancelled with a reason, after which the matrix says so and
the management page offers nothing more. (Who is told of each step: tests/actions/test_fanout_manage.py.)

The flow changes the shared browser-test database: it uses a fan-out of its own
(tests/e2e/fanout_manage_seed.py)."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from coordination import types
from tests.e2e.support import BrowserProblems


def _watched(new_context, base_url, role):
    problems = BrowserProblems(base_url)
    page = new_context(role).new_page()
    problems.watch(page)
    return page, problems


def test_change_the_due_date_add_a_municipality_and_cancel(new_context, base_url, ids):
    matrix_url = f"/razprsitve/{ids['manage_fanout']}"
    staff, problems = _watched(new_context, base_url, "ministry")
    staff.goto(matrix_url)
    staff.locator(".matrix-actions").get_by_role("link", name="Upravljanje").click()
    expect(staff.locator("h1")).to_have_text("Upravljanje razposlane naloge")

    # a date in the past: refused next to the field, nothing changed
    due = staff.locator("form[action$='/upravljanje/rok']")
    yesterday = types.today() - timedelta(days=1)
    due.locator("#due-due_date").fill(f"{yesterday.day}. {yesterday.month}. {yesterday.year}")  # as officials type dates
    due.get_by_role("button", name="Naprej na potrditev").click()
    expect(staff.locator("#due-due_date-error")).to_have_text("Rok ne more biti v preteklosti.")

    # a new date for every item: the confirmation counts them, then the matrix shows the new date
    due = staff.locator("form[action$='/upravljanje/rok']")
    due.locator("#due-due_date").fill("15. 12. 2099")
    due.get_by_label("Vse naloge, tudi opravljene in preklicane").check()
    due.get_by_role("button", name="Naprej na potrditev").click()
    expect(staff.locator("h1")).to_have_text("To bo spremenilo rok 3 nalogam")
    staff.get_by_role("button", name="Spremeni rok 3 nalogam").click()
    expect(staff.locator(".flashes")).to_contain_text("Rok je spremenjen 3 nalogam.")
    expect(staff.locator(".lead")).to_contain_text("15. 12. 2099")

    # add Celje: the confirmation names it, the matrix then has four municipalities
    staff.goto(matrix_url + "/upravljanje")
    add = staff.locator("form[action$='/upravljanje/obcine']")
    add.locator("summary", has_text="Savinjska").click()
    add.get_by_label("Celje", exact=True).check()
    add.get_by_role("button", name="Naprej na potrditev").click()
    expect(staff.locator("h1")).to_have_text("To bo dodalo 1 občino")
    expect(staff.locator("main")).to_contain_text("Celje")
    staff.get_by_role("button", name="Dodaj 1 občino").click()
    expect(staff.locator(".flashes")).to_contain_text("Dodana je 1 občina.")

    # cancel without a reason: refused; with one: the confirmation, then the matrix says it is cancelled
    staff.goto(matrix_url + "/upravljanje")
    cancel = staff.locator("form[action$='/upravljanje/preklic']")
    cancel.get_by_role("button", name="Naprej na potrditev").click()
    expect(staff.locator("#cancel-reason-error")).to_contain_text("Napišite, zakaj")
    staff.locator("#cancel-reason").fill("Poročanje je prevzel nov sklep.")
    staff.locator("form[action$='/upravljanje/preklic']").get_by_role("button", name="Naprej na potrditev").click()
    expect(staff.locator("h1")).to_have_text("To bo preklicalo razposlano nalogo in 4 neopravljene naloge")
    staff.get_by_role("button", name="Prekliči razposlano nalogo").click()
    expect(staff.locator(".flashes")).to_contain_text("preklicane so 4 neopravljene naloge")
    expect(staff.locator(".matrix-actions")).to_contain_text("Poročanje je prevzel nov sklep.")
    expect(staff.locator(".matrix-actions").get_by_role("link", name="Upravljanje")).to_have_count(0)
    staff.goto(matrix_url + "/upravljanje")
    expect(staff.locator("main")).to_contain_text("Ta razposlana naloga je preklicana")
    expect(staff.locator("main form")).to_have_count(0)
    problems.assert_none()
