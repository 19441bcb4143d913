"""Every page type of the app, once. The accessibility, phone-width, screenshot and HTML-validity checks
all run over PAGE_TYPES, so a new feature adds its pages here and gets every check.

A row names the page, the account that opens it (None: signed out), the address (with {ids} filled
in from the ids fixture), optionally an action that turns the loaded page into the state to check
(e.g. submit a form with bad input), and the HTTP status the final document must have.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageType:
    name: str
    role: str | None
    url: str
    action: Callable | None = None  # action(page): ends on the document to check
    status: int = 200

    def address(self, ids: dict) -> str:
        return self.url.format(**ids)


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()


def _wrong_password(page) -> None:
    # an unknown address gets the same answer; real accounts stay clear of the login throttle
    page.fill("#email", "nepoznan@e2e.si")
    page.fill("#password", "not the password")
    _submit(page)


def _user_with_bad_email(page) -> None:
    page.fill("#name", "Nina Napačna")
    page.fill("#email", "to-ni-e-naslov")
    page.select_option("#role", "municipal")
    page.select_option("#organisation_id", label="Kamnik")
    page.fill("#password", "dovolj-dolgo-geslo")
    _submit(page)


def _member_with_bad_email(page) -> None:
    form = page.locator("form.grid-form")
    form.locator("[name=email]").fill("nihce@e2e.si")
    form.locator("button[type=submit]").click()


def _stale_minutes_save(page) -> None:
    # as a colleague's save would leave it: the page still names version 1 while the item is at version 2;
    # submitted as a plain form (not the htmx autosave) so the 409 conflict page is a document
    page.evaluate("""() => {
        document.getElementById('base_version').value = '1';
        document.getElementById('text').value = 'Moje besedilo, napisano hkrati s kolegom.';
        document.getElementById('minutes-form').submit();
    }""")


def _empty_comment(page) -> None:
    page.evaluate("() => document.getElementById('comment-form').submit()")


MINUTES = "/sestanki/{minutes_draft_meeting}/tocke/{minutes_draft_item}"
APPROVED_MINUTES = "/sestanki/{minutes_approved_meeting}/tocke/{minutes_approved_item}"
CIRCULATED_MINUTES = "/sestanki/{minutes_circulated_meeting}/tocke/{minutes_circulated_item}"
MINUTES_PAGES = [
    PageType("minutes-editor", "municipal", MINUTES + "/zapisnik"),
    PageType("minutes-editor-conflict", "ministry", MINUTES + "/zapisnik", _stale_minutes_save, 409),
    PageType("minutes-revision", "ministry", APPROVED_MINUTES + "/zapisnik"),
    PageType("minutes-revision-no-reason", "ministry", APPROVED_MINUTES + "/zapisnik", _submit, 422),
    PageType("minutes-history", "municipal", MINUTES + "/zgodovina"),
    PageType("minutes-history-revised", "ministry", APPROVED_MINUTES + "/zgodovina"),
    PageType("minutes-compare", "municipal", MINUTES + "/primerjava?od=1&do=2"),
    PageType("minutes-compare-bad-version", "municipal", MINUTES + "/primerjava?od=eno&do=2", status=422),
    PageType("minutes-comments", "municipal", CIRCULATED_MINUTES + "/pripombe"),
    PageType("minutes-comments-empty", "municipal", CIRCULATED_MINUTES + "/pripombe", _empty_comment, 422),
    PageType("minutes-meeting-circulated", "ministry", "/sestanki/{minutes_circulated_meeting}"),
    PageType("minutes-meeting-approved", "ministry", "/sestanki/{minutes_approved_meeting}"),
]


def _meeting_ending_before_start(page) -> None:
    page.fill("#title", "Seja z napačnim časom")
    page.fill("#starts_at", "2024-05-06T10:00")
    page.fill("#ends_at", "2024-05-06T09:00")
    _submit(page)


def _plain_submit(page, form_selector: str) -> None:
    """Submit a form the way a browser without JavaScript does (htmx would answer with a fragment)."""
    page.evaluate("selector => document.querySelector(selector).submit()", form_selector)


def _participant_without_account(page) -> None:
    page.fill("#person-email", "nihce@e2e.si")
    _plain_submit(page, "form[action$='/udelezenci/oseba']")


def _agenda_item_without_title(page) -> None:
    _plain_submit(page, "form[action$='/tocke']")


MEETING = "/sestanki/{meeting}"
MEETING_PAGES = [
    PageType("meetings", "municipal", "/sestanki/"),
    PageType("meetings-past", "ministry", "/sestanki/?when=past"),
    PageType("meetings-no-results", "municipal", "/sestanki/?q=ni-takega-sestanka"),
    PageType("meeting-detail-secretary", "municipal", MEETING),
    PageType("meeting-detail-ministry", "ministry", MEETING),
    PageType("meeting-detail-public", "host", "/sestanki/{public_meeting}"),
    PageType("meeting-forbidden", "host", MEETING, status=403),
    PageType("meeting-create", "ministry", "/sestanki/nov"),
    PageType("meeting-create-errors", "ministry", "/sestanki/nov", _meeting_ending_before_start, 422),
    PageType("meeting-create-in-group", "municipal", "/sestanki/nov?group={stewards_group}"),
    PageType("meeting-edit", "municipal", MEETING + "/uredi"),
    PageType("meeting-agenda-item-edit", "municipal", MEETING + "/tocke/{meeting_item}/uredi"),
    PageType("meeting-agenda-errors", "municipal", MEETING, _agenda_item_without_title, 422),
    PageType("meeting-participant-errors", "municipal", MEETING, _participant_without_account, 422),
    PageType("group-detail-secretary", "municipal", "/skupine/{stewards_group}"),
]


def _conclusion_without_text(page) -> None:
    page.locator("form[action$='/sklepi'] button[type=submit]").click()


CONCLUSION_PAGES = [
    PageType("conclusions-manage", "municipal", MEETING + "/sklepi"),
    PageType("conclusions-manage-errors", "municipal", MEETING + "/sklepi", _conclusion_without_text, 422),
    PageType("conclusions-view-only", "association", MEETING + "/sklepi"),
    PageType("conclusion-edit", "ministry", MEETING + "/sklepi/{conclusion}/uredi"),
    PageType("conclusions-register", "municipal", "/sklepi/"),
    PageType("conclusions-register-filtered", "ministry", "/sklepi/?kind=decision&year=2022&q=skupina"),
    PageType("conclusions-register-empty", "host", "/sklepi/?q=ni-takega-sklepa"),
    PageType("group-established-by-conclusion", "municipal", "/skupine/{founded_group}"),
    PageType("calendar", "municipal", "/koledar/"),
    PageType("calendar-staff", "ministry", "/koledar/"),
]


SEARCH_PAGES = [
    PageType("search-results", "municipal", "/iskanje?q=skrbnik"),
    PageType("search-one-kind-paged", "ministry", "/iskanje?q=predstavnika&kind=item"),
    PageType("search-no-results", "host", "/iskanje?q=ni-takega-zadetka"),
]


NOTIFICATION_PAGES = [
    PageType("notifications", "municipal", "/obvestila"),
    PageType("notifications-empty", "host", "/obvestila"),
    PageType("email-settings", "municipal", "/racun/obvestila"),
]


def _upload_csv(page, content: bytes) -> None:
    page.set_input_files("#file", files=[{"name": "stanja.csv", "mimeType": "text/csv", "buffer": content}])
    page.locator("main form[enctype] button[type=submit]").click()


def _upload_bad_rows(page) -> None:
    # the page's address carries the id of an item the official may change (?naloga=…), so the
    # preview shows a valid row next to the bad ones
    own = page.url.rsplit("=", 1)[-1]
    _upload_csv(page, (f"id;status;note\n{own};done;Seznam poslan.\n999999;done;\nabc;done;\n"
                       f"{own};nekaj;\n").encode())


def _upload_cp1250(page) -> None:
    _upload_csv(page, "id;status;note\n1;done;Šola\n".encode("cp1250"))


ACTION_LIST_PAGES = [
    PageType("action-list-municipal", "municipal", "/naloge/"),
    PageType("action-list-ministry", "ministry", "/naloge/"),
    PageType("action-list-filtered", "ministry", "/naloge/?status=open&status=blocked&sort=assignee&q=predstavnika&page=2"),
    PageType("action-list-mine-overdue", "municipal", "/naloge/?mine=1&overdue=1"),
    PageType("action-list-empty", "host", "/naloge/?q=ni-take-naloge"),
    PageType("action-import", "municipal", "/naloge/uvoz"),
    PageType("action-import-preview-errors", "municipal", "/naloge/uvoz?naloga={own_action}", _upload_bad_rows),
    PageType("action-import-not-utf8", "municipal", "/naloge/uvoz", _upload_cp1250, 422),
]


def _item_with_past_due_date(page) -> None:
    page.fill("#title", "Poslati poročilo o skrbnikih")
    page.select_option("#assignee_org_id", label="Kamnik")
    page.fill("#due_date", "2024-01-15")
    _plain_submit(page, "main form")


ACTION_ITEM_PAGES = [
    PageType("action-item-municipal", "municipal", "/naloge/{action}"),
    PageType("action-item-own-overdue", "municipal", "/naloge/{own_action}"),
    PageType("action-item-ministry", "ministry", "/naloge/{own_action}"),
    PageType("action-item-new", "ministry", "/naloge/nova"),
    PageType("action-item-new-empty", "ministry", "/naloge/nova", _submit, 422),
    PageType("action-item-new-past-due", "ministry", "/naloge/nova", _item_with_past_due_date, 422),
    PageType("action-item-from-conclusion", "municipal", "/sklepi/{conclusion}/naloge/nova"),
    PageType("action-item-edit", "ministry", "/naloge/{own_action}/uredi"),
]


def _fan_out_to_nobody(page) -> None:
    # "municipalities I choose" with none ticked, sent as a browser without JavaScript sends it
    page.check("input[name=scope][value=chosen]")
    _plain_submit(page, "form.fanout-form")


FANOUT_PAGES = [
    PageType("fanout-form", "ministry", "/sklepi/{fanout_conclusion}/razprsitev"),
    PageType("fanout-form-empty-choice", "ministry", "/sklepi/{fanout_conclusion}/razprsitev", _fan_out_to_nobody, 422),
    PageType("fanout-matrix-ministry", "ministry", "/razprsitve/{fanout}"),
    PageType("fanout-matrix-association", "association", "/razprsitve/{fanout}"),
    PageType("fanout-matrix-municipal", "municipal", "/razprsitve/{fanout}?status=overdue"),
    PageType("fanout-matrix-filtered", "ministry", "/razprsitve/{fanout}?status=blocked&region=SI042"),
    PageType("fanout-remind-confirm", "ministry", "/razprsitve/{fanout}/opomni"),
]


def _make_calendar_addresses(page) -> None:
    page.locator("form[action='/koledar/ponastavi'] button").click()


def _stale_status_change(page) -> None:
    # as if somebody changed the item after this page was loaded: the form names an older version
    page.evaluate("""() => {
        const form = document.querySelector("form[action$='/status']");
        form.querySelector("input[name=version]").value = '0';
        form.submit();
    }""")


SECURITY_PAGES = [
    PageType("calendar-addresses", "municipal", "/koledar/", _make_calendar_addresses),
    PageType("action-item-status-conflict", "ministry", "/naloge/{own_action}", _stale_status_change, 409),
]


PAGE_TYPES = [
    PageType("login", None, "/prijava"),
    PageType("login-empty-fields", None, "/prijava", _submit, 422),
    PageType("login-wrong-password", None, "/prijava", _wrong_password, 401),
    *(PageType(f"dashboard-{role}", role, "/") for role in ("admin", "ministry", "association", "municipal", "host")),
    PageType("organisations", "admin", "/organizacije/"),
    PageType("organisations-no-results", "admin", "/organizacije/?q=ni-takega-imena"),
    PageType("organisations-region", "municipal", "/organizacije/?region=SI033"),
    PageType("municipality-detail", "admin", "/organizacije/{ljubljana}"),
    PageType("municipality-detail-own", "municipal", "/organizacije/{kamnik}"),
    PageType("association-detail", "admin", "/organizacije/{zmos}"),
    PageType("organisation-create", "admin", "/organizacije/nova"),
    PageType("organisation-create-errors", "admin", "/organizacije/nova", _submit, 422),
    PageType("organisation-edit", "admin", "/organizacije/{host}/uredi"),
    PageType("municipality-edit", "admin", "/organizacije/{kamnik}/uredi"),
    PageType("memberships", "admin", "/organizacije/{kamnik}/clanstvo"),
    PageType("users", "admin", "/uporabniki"),
    PageType("user-create", "admin", "/uporabniki/nov"),
    PageType("user-create-errors", "admin", "/uporabniki/nov", _user_with_bad_email, 422),
    PageType("user-edit", "admin", "/uporabniki/{municipal_user}"),
    PageType("password-change", "municipal", "/geslo"),
    PageType("password-change-errors", "municipal", "/geslo", _submit, 422),
    PageType("audit-log", "admin", "/revizijska-sled/"),
    PageType("audit-log-bad-dates", "admin", "/revizijska-sled/?since=2024-02-30&until=nekoč", status=422),
    PageType("groups", "municipal", "/skupine/"),
    PageType("group-detail", "municipal", "/skupine/{group}"),
    PageType("group-detail-manager", "ministry", "/skupine/{group}"),
    PageType("group-member-errors", "ministry", "/skupine/{group}", _member_with_bad_email, 422),
    PageType("group-create", "ministry", "/skupine/nova"),
    PageType("group-create-errors", "ministry", "/skupine/nova", _submit, 422),
    PageType("group-edit", "ministry", "/skupine/{group}/uredi"),
    *MEETING_PAGES,
    *MINUTES_PAGES,
    *CONCLUSION_PAGES,
    *ACTION_LIST_PAGES,
    *ACTION_ITEM_PAGES,
    *NOTIFICATION_PAGES,
    *SEARCH_PAGES,
    *FANOUT_PAGES,
    *SECURITY_PAGES,
    PageType("not-found", "admin", "/ni-take-strani", status=404),
    PageType("forbidden", "municipal", "/uporabniki", status=403),
]
assert len({p.name for p in PAGE_TYPES}) == len(PAGE_TYPES), "page type names must be unique"


def _is_document(page):
    return lambda response: (response.request.resource_type == "document" and response.frame == page.main_frame
                             and not 300 <= response.status < 400)


# the server's HTML for pages reached through an action, kept from the first time a test opened them,
# so the HTML check need not click through the same forms again (any test may be run alone)
_ACTION_DOCUMENTS: dict[str, tuple[int, str]] = {}


def open_page_type(context, page_type: PageType, ids: dict):
    """Open the page type in a new page of `context`; return (page, final document response)."""
    page = context.new_page()
    response = page.goto(page_type.address(ids))
    if page_type.action is not None:
        with page.expect_response(_is_document(page)) as answer:
            page_type.action(page)
        response = answer.value
        page.wait_for_load_state()
        _ACTION_DOCUMENTS[page_type.name] = (response.status, response.text())
    return page, response


def raw_html(context, page_type: PageType, ids: dict) -> tuple[int, str]:
    """The HTML exactly as the server sent it (not the browser's re-serialised DOM), with its status."""
    if page_type.action is None:
        response = context.request.get(page_type.address(ids), max_redirects=0)
        return response.status, response.text()
    if page_type.name not in _ACTION_DOCUMENTS:
        open_page_type(context, page_type, ids)[0].close()
    return _ACTION_DOCUMENTS[page_type.name]
