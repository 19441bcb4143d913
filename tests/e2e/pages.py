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


def _bad_pattern(page) -> None:
    page.fill("#file_number_pattern", "{code}-{year}")
    _submit(page)


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
    # the approval checklist with an open point (an unresolved comment), and approving without the tick
    PageType("minutes-approval-checklist", "ministry", "/sestanki/{minutes_circulated_meeting}/zapisnik/potrdi"),
    PageType("minutes-approval-unconfirmed", "ministry", "/sestanki/{minutes_circulated_meeting}/zapisnik/potrdi",
             _submit, 422),
    # the history of approved minutes: every approved version with its PDF
    PageType("minutes-history-approved-versions", "municipal", APPROVED_MINUTES + "/zgodovina"),
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
    PageType("meeting-not-visible", "host", MEETING, status=404),  # a meeting the reader may not see does not exist for them
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
    PageType("search-municipality-name", "ministry", "/iskanje?q=Kamnik"),  # its page, its items, fan-outs as one
]


NOTIFICATION_PAGES = [
    PageType("notifications", "municipal", "/obvestila"),
    PageType("notifications-empty", "host", "/obvestila"),
    PageType("notifications-grouped", "ministry", "/obvestila"),
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
    page.fill("#due_date", "15. 1. 2024")
    _plain_submit(page, "main form")


def _item_with_unreadable_due_date(page) -> None:
    # a date field is a text input (any browser language): what it cannot read stays, with the error
    page.fill("#title", "Poslati poročilo o skrbnikih")
    page.fill("#due_date", "31. 2. 2099")
    _plain_submit(page, "main form")


def _save_progress_unchanged(page) -> None:
    # the status left where it starts and no note: nothing to save, said next to the status field
    _plain_submit(page, "form.status-form")


ACTION_ITEM_PAGES = [
    PageType("action-item-municipal", "municipal", "/naloge/{action}"),
    PageType("action-item-own-overdue", "municipal", "/naloge/{own_action}"),
    PageType("action-item-ministry", "ministry", "/naloge/{own_action}"),
    PageType("action-item-new", "ministry", "/naloge/nova"),
    PageType("action-item-new-empty", "ministry", "/naloge/nova", _submit, 422),
    PageType("action-item-new-past-due", "ministry", "/naloge/nova", _item_with_past_due_date, 422),
    PageType("action-item-new-bad-date", "ministry", "/naloge/nova", _item_with_unreadable_due_date, 422),
    PageType("action-item-from-conclusion", "municipal", "/sklepi/{conclusion}/naloge/nova"),
    PageType("action-item-edit", "ministry", "/naloge/{own_action}/uredi"),
    PageType("action-item-status-nothing-to-save", "ministry", "/naloge/{own_action}", _save_progress_unchanged, 422),
]


def _fan_out_to_nobody(page) -> None:
    # "municipalities I choose" with none ticked, sent as a browser without JavaScript sends it
    page.check("input[name=scope][value=chosen]")
    _plain_submit(page, "form.fanout-form")


def _fan_out_check_step(page) -> None:
    # a valid form with a due date: the "check your answers" step, nothing made yet
    page.fill("#due_date", "1. 10. 2099")
    _plain_submit(page, "form.fanout-form")


def _fan_out_without_due_date(page) -> None:
    page.fill("#due_date", "")
    _plain_submit(page, "form.fanout-form")


def _manage_without_due_date(page) -> None:
    # the management page's due-date form sent without a date (as a browser without JavaScript sends it)
    _plain_submit(page, "form[action$='/upravljanje/rok']")


def _manage_due_date_confirm(page) -> None:
    # a new due date for the items not done: the confirmation ("To bo spremenilo rok … nalogam"), nothing changed
    page.fill("#due-due_date", "2099-12-15")
    _plain_submit(page, "form[action$='/upravljanje/rok']")


def _manage_add_confirm(page) -> None:
    # a region: the confirmation lists its municipalities without an item yet, with the count
    page.check("input[name='add-scope'][value=region]")
    page.select_option("#add-region", index=1)
    _plain_submit(page, "form[action$='/upravljanje/obcine']")


def _manage_cancel_confirm(page) -> None:
    page.fill("#cancel-reason", "Sklep je nadomestil novejši sklep.")
    _plain_submit(page, "form[action$='/upravljanje/preklic']")


FANOUT_PAGES = [
    PageType("fanout-form", "ministry", "/sklepi/{fanout_conclusion}/razprsitev"),
    PageType("fanout-form-empty-choice", "ministry", "/sklepi/{fanout_conclusion}/razprsitev", _fan_out_to_nobody, 422),
    PageType("fanout-matrix-ministry", "ministry", "/razprsitve/{fanout}"),
    PageType("fanout-check-step", "ministry", "/sklepi/{fanout_conclusion}/razprsitev", _fan_out_check_step),
    PageType("fanout-form-no-due-date", "ministry", "/sklepi/{fanout_conclusion}/razprsitev", _fan_out_without_due_date, 422),
    PageType("fanout-matrix-association", "association", "/razprsitve/{fanout}"),
    PageType("fanout-matrix-municipal", "municipal", "/razprsitve/{fanout}?status=overdue"),
    PageType("fanout-matrix-filtered", "ministry", "/razprsitve/{fanout}?status=blocked&region=SI042"),
    PageType("fanout-remind-confirm", "ministry", "/razprsitve/{fanout}/opomni"),
    PageType("fanout-manage", "ministry", "/razprsitve/{fanout}/upravljanje"),
    PageType("fanout-manage-no-due-date", "ministry", "/razprsitve/{fanout}/upravljanje", _manage_without_due_date, 422),
    PageType("fanout-manage-due-confirm", "ministry", "/razprsitve/{fanout}/upravljanje", _manage_due_date_confirm),
    PageType("fanout-manage-add-confirm", "ministry", "/razprsitve/{manage_fanout_pages}/upravljanje", _manage_add_confirm),
    PageType("fanout-manage-cancel-confirm", "ministry", "/razprsitve/{fanout}/upravljanje", _manage_cancel_confirm),
]


def _steward_with_bad_email(page) -> None:
    page.fill("#person_name", "Nina Napačna")
    page.fill("#email", "to-ni-e-naslov")
    page.fill("#phone", "pokličite me")
    _plain_submit(page, "form.steward-form")


def _stale_confirmation(page) -> None:
    # as if the municipality changed the entry after the page was opened
    page.evaluate("""() => {
        const form = document.querySelector("form[action$='/potrdi']");
        form.querySelector("[name=version]").value = "999";
        form.submit();
    }""")


def _return_without_reason(page) -> None:
    _plain_submit(page, "form[action$='/vrni']")


STEWARD_PAGES = [
    PageType("stewards-registry-public", None, "/skrbniki/"),
    PageType("stewards-registry-filtered", "ministry", "/skrbniki/?state=none&region=SI041"),
    PageType("stewards-registry-empty", "association", "/skrbniki/?q=ni-take-obcine"),
    PageType("stewards-coverage", "ministry", "/skrbniki/pokritost"),
    PageType("stewards-coverage-public", None, "/skrbniki/pokritost"),
    PageType("stewards-municipality-own", "municipal", "/skrbniki/obcine/{kamnik}"),
    PageType("stewards-municipality-public", None, "/skrbniki/obcine/{ljubljana}"),
    PageType("stewards-appointment-own", "municipal", "/skrbniki/imenovanja/{steward}"),
    PageType("stewards-appointment-public", None, "/skrbniki/imenovanja/{steward}"),
    PageType("stewards-appointment-review", "ministry", "/skrbniki/imenovanja/{steward_nominated}"),
    PageType("stewards-confirm-stale", "ministry", "/skrbniki/imenovanja/{steward_nominated}", _stale_confirmation, 409),
    PageType("stewards-return-no-reason", "ministry", "/skrbniki/imenovanja/{steward_nominated}",
             _return_without_reason, 422),
    PageType("stewards-nominate", "municipal", "/skrbniki/obcine/{kamnik}/nov"),
    PageType("stewards-nominate-errors", "municipal", "/skrbniki/obcine/{kamnik}/nov", _steward_with_bad_email, 422),
    PageType("stewards-edit", "municipal", "/skrbniki/imenovanja/{steward}/uredi"),
    PageType("stewards-end", "municipal", "/skrbniki/imenovanja/{steward}/koncaj"),
    PageType("stewards-request", "ministry", "/skrbniki/pokritost/poziv"),
    PageType("stewards-group", "ministry", "/skrbniki/skupina"),
    PageType("stewards-group-page", "ministry", "/skupine/{stewards_group}"),
]


def _point_with_bad_coordinates(page) -> None:
    page.fill("#lat", "48,2")
    _plain_submit(page, "form.point-form")


def _visits_above_total(page) -> None:
    page.fill("input[name='total-2023-09']", "10")
    page.fill("input[name='2023-09-eid']", "25")
    _plain_submit(page, "main form[method=post]")


def _request_with_overlapping_hours(page) -> None:
    page.fill("#hours_mon", "8:00-12:00, 11:00-13:00")
    page.fill("#hours_tue", "14:00-9:00")
    page.fill("#address", "")
    _plain_submit(page, "form.request-form")


def _upload_bad_visits(page) -> None:
    _upload_csv(page, b"code;month;total;eid\nDIT-001;2024-01;30;10\nDIT-999;2024-01;5;\nDIT-001;2023-08;5;\n"
                      b"DIT-001;2024-02;-3;\nDIT-001;2024-03;10;20\nDIT-001;2024-01;1;\n")


POINT_PAGES = [
    PageType("points-list", "municipal", "/tocke/"),
    PageType("points-list-filtered", "ministry", "/tocke/?status=open&topic=eid&sort=municipality&region=SI021"),
    PageType("points-list-empty", "host", "/tocke/?q=ni-take-tocke"),
    PageType("points-map", "ministry", "/tocke/zemljevid"),
    PageType("points-map-closed", "association", "/tocke/zemljevid?status=closed"),
    PageType("point-detail-ministry", "ministry", "/tocke/{point}"),
    PageType("point-detail-host", "host", "/tocke/{point}"),
    PageType("point-detail-association", "association", "/tocke/{closed_point}"),
    PageType("point-edit", "ministry", "/tocke/{point}/uredi"),
    PageType("point-edit-errors", "ministry", "/tocke/{point}/uredi", _point_with_bad_coordinates, 422),
    PageType("point-close", "ministry", "/tocke/{point}/zapri"),
    PageType("point-visits-grid", "host", "/tocke/{point}/obisk?leto=2023"),
    PageType("point-visits-grid-errors", "host", "/tocke/{point}/obisk?leto=2023", _visits_above_total, 422),
    PageType("visits-upload", "host", "/tocke/obisk/uvoz"),
    PageType("visits-upload-preview-errors", "host", "/tocke/obisk/uvoz", _upload_bad_visits),
    PageType("visits-upload-not-utf8", "host", "/tocke/obisk/uvoz", _upload_cp1250, 422),
    PageType("requests-list", "municipal", "/tocke/vloge/"),
    PageType("requests-list-ministry", "ministry", "/tocke/vloge/?status=submitted"),
    PageType("request-form", "municipal", "/tocke/vloge/nova"),
    PageType("request-form-errors", "municipal", "/tocke/vloge/nova", _request_with_overlapping_hours, 422),
    PageType("request-draft", "municipal", "/tocke/vloge/{draft_request}"),
    PageType("request-edit", "municipal", "/tocke/vloge/{draft_request}/uredi"),
    PageType("request-submitted-ministry", "ministry", "/tocke/vloge/{submitted_request}"),
    PageType("request-approved-applicant", "municipal", "/tocke/vloge/{approved_request}"),
    PageType("request-rejected", "ministry", "/tocke/vloge/{rejected_request}"),
    PageType("programme", "ministry", "/tocke/program/"),
    PageType("programme-association", "association", "/tocke/program/"),
    PageType("programme-edit", "ministry", "/tocke/program/uredi"),
    PageType("points-public", None, "/digi-info-tocke"),
]


def _keep_a_point_by_hand(page) -> None:
    # pins the first proposed closure open from the table, as htmx does it; ends on the page of that address
    page.locator(".points-decision .adjust a").first.click()
    page.wait_for_function("() => document.querySelector('.analysis-result .cost') !== null")
    page.goto(page.url)


# the analysis programme (the points pages have a programme of their own in the same database)
PROPOSAL = "/tocke/analiza?programme={analysis_programme}&on=2024-04-01&mode=count&close=2"
ANALYSIS_PAGES = [
    PageType("network-analysis", "ministry", "/tocke/analiza?programme={analysis_programme}"),
    PageType("network-analysis-proposal", "ministry", PROPOSAL),
    PageType("network-analysis-every-rule", "ministry", PROPOSAL + "&coverage=y&cover_km=80&population=y"
             "&population_over=30000&retention=y&retain_km=12&retain_share=40&min_SI034=2"),
    PageType("network-analysis-pinned", "ministry", PROPOSAL + "&closed={analysis_point}"),
    PageType("network-analysis-pinned-by-htmx", "ministry", PROPOSAL, _keep_a_point_by_hand),
    PageType("network-analysis-bad-input", "ministry", "/tocke/analiza?programme={analysis_programme}&mode=count&close=-1&retain_share=150",
             status=422),
    PageType("network-analysis-too-many", "ministry", PROPOSAL.replace("close=2", "close=40"), status=422),
    PageType("network-analysis-threshold", "ministry", "/tocke/analiza?programme={analysis_programme}&on=2024-04-01&mode=threshold&threshold=15"),
    PageType("network-decisions", "association", "/tocke/odlocitve/"),
    PageType("network-decision", "ministry", "/tocke/odlocitve/{decision}"),
    PageType("network-decision-own-points", "municipal", "/tocke/odlocitve/{decision}"),
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


def _invite_existing_address(page) -> None:
    page.fill("#name", "Črt Podvojeni")
    page.fill("#email", "kamnik@e2e.si")
    page.select_option("#role", "municipal")
    page.select_option("#organisation_id", label="Kamnik")
    _submit(page)


def _ask_for_reset(page) -> None:
    import uuid

    # a new unknown address each time, so repeated checks stay clear of the reset throttle
    page.fill("#email", f"nihce-{uuid.uuid4().hex[:8]}@e2e.si")
    _submit(page)


def _deactivate_unconfirmed(page) -> None:
    page.locator("form[action$='/aktiven'] button[type=submit]").click()


ACCOUNT_LINK_PAGES = [
    PageType("invitation-existing-address", "admin", "/uporabniki/nov", _invite_existing_address, 422),
    PageType("user-deactivate-unconfirmed", "admin", "/uporabniki/{municipal_user}", _deactivate_unconfirmed, 422),
    PageType("forgot-password", None, "/geslo/pozabljeno"),
    PageType("forgot-password-errors", None, "/geslo/pozabljeno", _submit, 422),
    PageType("forgot-password-sent", None, "/geslo/pozabljeno", _ask_for_reset),
    PageType("invitation-set-password", None, "/povabilo/{invitation_token}"),
    PageType("invitation-set-password-errors", None, "/povabilo/{invitation_token}", _submit, 422),
    PageType("reset-set-password", None, "/geslo/ponastavi/{reset_token}"),
    PageType("link-expired", None, "/povabilo/{expired_token}", status=410),
    PageType("link-invalid", None, "/geslo/ponastavi/ni-veljavna", status=400),
]


SECURITY_PAGES = [
    PageType("calendar-addresses", "municipal", "/koledar/", _make_calendar_addresses),
    PageType("action-item-status-conflict", "ministry", "/naloge/{own_action}", _stale_status_change, 409),
]


PAGE_TYPES = [
    PageType("login", None, "/prijava"),
    PageType("accessibility-statement", None, "/dostopnost"),
    PageType("calendar-month", "municipal", "/koledar/mesec"),
    PageType("calendar-agenda", "ministry", "/koledar/seznam?od=2024-01-01"),
    PageType("privacy-notice", "municipal", "/zasebnost"),
    PageType("data-sources", None, "/viri"),
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
    PageType("letterhead", "admin", "/organizacije/{mdp}/glava-dokumentov"),
    PageType("letterhead-errors", "admin", "/organizacije/{mdp}/glava-dokumentov", _bad_pattern, 422),
    PageType("memberships", "admin", "/organizacije/{kamnik}/clanstvo"),
    PageType("users", "admin", "/uporabniki"),
    PageType("user-create", "admin", "/uporabniki/nov"),
    PageType("user-create-errors", "admin", "/uporabniki/nov", _user_with_bad_email, 422),
    PageType("user-edit", "admin", "/uporabniki/{municipal_user}"),
    PageType("password-change", "municipal", "/geslo"),
    PageType("password-change-errors", "municipal", "/geslo", _submit, 422),
    PageType("audit-log", "admin", "/revizijska-sled/"),
    PageType("audit-log-bad-dates", "admin", "/revizijska-sled/?since=2024-02-30&until=nekoč", status=422),
    PageType("audit-log-sign-ins", "admin", "/revizijska-sled/?signins=only"),
    PageType("audit-log-action-items", "admin", "/revizijska-sled/?entity=ActionItem&signins=with"),
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
    *ACCOUNT_LINK_PAGES,
    *STEWARD_PAGES,
    *POINT_PAGES,
    *ANALYSIS_PAGES,
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
