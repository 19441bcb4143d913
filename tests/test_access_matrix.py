"""Every URL rule of the app × every role, with the answer each must get.

A route that is not listed here fails the suite: adding a page means deciding who may open it.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from coordination.accounts.models import Role
from coordination.actions.models import FanOutScope, Notification
from coordination.extensions import db
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import Visibility
from tests import factories as f
from tests.documents.test_letterhead import letterhead_objects
from tests.points import fixtures as points_fixtures
from tests.points.analysis_data import access_matrix_objects as analysis_objects
from tests.stewards import helpers as steward_helpers

ROLES = ("anonymous", "admin", "ministry", "association", "municipal", "municipal_other", "host")

# shorthands for the usual shapes
SIGNED_IN = {"anonymous": 302, **{r: 200 for r in ROLES[1:]}}
ADMIN_ONLY = {"anonymous": 302, "admin": 200, **{r: 403 for r in ROLES[2:]}}
STAFF = {"anonymous": 302, "admin": 200, "ministry": 200, **{r: 403 for r in ROLES[3:]}}


def only_admin(admin_status: int) -> dict:
    return {"anonymous": 302, "admin": admin_status, **{r: 403 for r in ROLES[2:]}}


def minutes_viewers(status: int) -> dict:
    """{meeting}'s minutes: admin, ministry and the municipal secretary get `status`; the others may not
    see the meeting, so to them it does not exist (404, not 403)."""
    return {"anonymous": 302, "admin": status, "ministry": status, "association": 404, "municipal": status,
            "municipal_other": 404, "host": 404}


MINUTES_VIEWERS = minutes_viewers(200)


def own_municipality(status: int) -> dict:
    """A record of Kamnik that everybody may read (the steward registry is public): Kamnik's official and
    staff get `status`; the others see it, so they are refused (403), not told it does not exist."""
    return {"anonymous": 302, "admin": status, "ministry": status, "association": 403, "municipal": status,
            "municipal_other": 403, "host": 403}


OWN_MUNICIPALITY = own_municipality(200)


def group_meeting(status: int) -> dict:
    """{meeting}, internal to DS-MAT: admin, ministry and the group's secretary (municipal) get `status`; to
    the others it does not exist (404)."""
    return {"anonymous": 302, "admin": status, "ministry": status, "association": 404, "municipal": status,
            "municipal_other": 404, "host": 404}


GROUP_MEETING = group_meeting(200)


def action_editors(status: int) -> dict:
    """{action}: admin, ministry and Kamnik's official (assignee and the source meeting's secretary) get
    `status`; to the others it does not exist (404)."""
    return {"anonymous": 302, "admin": status, "ministry": status, "association": 404, "municipal": status,
            "municipal_other": 404, "host": 404}


# endpoint -> list of (method, path template, form data, {role: status})
# path templates are filled from the `objects` fixture: {own} = the municipal user's municipality, …
# the municipal official's own notification: followed (302 to the item) by him, unknown (404) to the others
OWN_NOTIFICATION = {"anonymous": 302, **{r: 404 for r in ROLES[1:]}, "municipal": 302}

MATRIX: dict[str, list[tuple]] = {
    "static": [("GET", "/static/css/app.css", None, {r: 200 for r in ROLES})],
    "accounts.login": [("GET", "/prijava", None, {"anonymous": 200, **{r: 302 for r in ROLES[1:]}})],
    "accounts.logout": [("POST", "/odjava", {}, {"anonymous": 302, **{r: 302 for r in ROLES[1:]}}),
                        ("GET", "/odjava", None, {r: 405 for r in ROLES})],
    "accounts.change_password": [("GET", "/geslo", None, SIGNED_IN)],
    "accounts.set_language": [("POST", "/jezik", {"lang": "en"}, {r: 302 for r in ROLES}),
                              ("POST", "/jezik", {"lang": "xx"}, {r: 400 for r in ROLES})],
    "accounts.users": [("GET", "/uporabniki", None, ADMIN_ONLY)],
    "accounts.create_user": [("GET", "/uporabniki/nov", None, ADMIN_ONLY),
                             ("POST", "/uporabniki/nov", {}, only_admin(422))],
    "accounts.edit_user": [("GET", "/uporabniki/{municipal_user}", None, ADMIN_ONLY),
                           ("GET", "/uporabniki/999999", None, only_admin(404))],
    "accounts.send_reset_link": [("POST", "/uporabniki/{municipal_user}/ponastavitev", {}, only_admin(302)),
                                 ("POST", "/uporabniki/999999/ponastavitev", {}, only_admin(404))],
    "accounts.set_user_active": [("POST", "/uporabniki/{host_user}/aktiven", {"active": "y"}, only_admin(302)),
                                 ("POST", "/uporabniki/{host_user}/aktiven", {}, only_admin(422)),
                                 ("POST", "/uporabniki/{admin_user}/aktiven", {}, only_admin(403))],
    "accounts.forgot_password": [("GET", "/geslo/pozabljeno", None, {r: 200 for r in ROLES}),
                                 ("POST", "/geslo/pozabljeno", {"email": "ni-naslov"}, {r: 422 for r in ROLES})],
    "accounts.accept_invitation": [("GET", "/povabilo/ni-veljavno", None, {r: 400 for r in ROLES})],
    "accounts.reset_password": [("GET", "/geslo/ponastavi/ni-veljavno", None, {r: 400 for r in ROLES})],
    "dashboard.index": [("GET", "/", None, SIGNED_IN)],
    "organisations.index": [("GET", "/organizacije/", None, SIGNED_IN),
                            ("GET", "/organizacije/?region=SI041&kind=municipality&q=a", None, SIGNED_IN)],
    "organisations.detail": [("GET", "/organizacije/{own}", None, SIGNED_IN),
                             ("GET", "/organizacije/{sos}", None, SIGNED_IN),
                             ("GET", "/organizacije/999999", None, {"anonymous": 302,
                                                                    **{r: 404 for r in ROLES[1:]}})],
    "organisations.create": [("GET", "/organizacije/nova", None, ADMIN_ONLY),
                             ("POST", "/organizacije/nova", {"name": ""}, only_admin(422))],
    "organisations.edit": [("GET", "/organizacije/{own}/uredi", None, ADMIN_ONLY),
                           ("GET", "/organizacije/{sos}/uredi", None, ADMIN_ONLY)],
    "organisations.memberships": [("GET", "/organizacije/{own}/clanstvo", None, ADMIN_ONLY),
                                  ("GET", "/organizacije/{sos}/clanstvo", None, only_admin(404))],
    "groups.index": [("GET", "/skupine/", None, SIGNED_IN)],
    "groups.detail": [("GET", "/skupine/{group}", None, SIGNED_IN),
                      ("GET", "/skupine/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "groups.create": [("GET", "/skupine/nova", None, STAFF),
                      ("POST", "/skupine/nova", {"name": ""}, {**STAFF, "admin": 422, "ministry": 422})],
    # the municipal official is the group's secretary, so may run it; the official of another
    # municipality may not
    "groups.edit": [("GET", "/skupine/{group}/uredi", None, {**STAFF, "municipal": 200})],
    "groups.add_member": [("POST", "/skupine/{group}/clani", {}, {"anonymous": 302, "admin": 422, "ministry": 422,
                                                                   "association": 403, "municipal": 422,
                                                                   "municipal_other": 403, "host": 403})],
    "groups.remove_member": [("POST", "/skupine/{group}/clani/{membership}/odstrani", {},
                              {"anonymous": 302, "admin": 302, "ministry": 302, "association": 403,
                               "municipal": 302, "municipal_other": 403, "host": 403})],
    "audit.index": [("GET", "/revizijska-sled/", None, ADMIN_ONLY),
                    ("GET", "/revizijska-sled/?since=bad", None, only_admin(422))],
    # meetings: {meeting} is internal to DS-MAT, whose secretary is the municipal official, so admin,
    # ministry and that secretary view and edit it; {public_meeting} (the ministry's) everybody views.
    # The changing rows refuse bad input or change nothing, so later rows still find {meeting} as it was.
    "meetings.index": [("GET", "/sestanki/", None, SIGNED_IN),
                       ("GET", "/sestanki/?when=past&group={group}&organisation={own}&year=2024&q=seja", None,
                        SIGNED_IN)],
    "meetings.create": [("GET", "/sestanki/nov", None, {**STAFF, "association": 200, "municipal": 200}),
                        ("GET", "/sestanki/nov?group={group}", None, {**STAFF, "association": 200, "municipal": 200}),
                        ("POST", "/sestanki/nov", {}, {"anonymous": 302, "admin": 422, "ministry": 422,
                                                        "association": 422, "municipal": 422,
                                                        "municipal_other": 403, "host": 403})],
    "meetings.detail": [("GET", "/sestanki/{meeting}", None, GROUP_MEETING),
                        ("GET", "/sestanki/{public_meeting}", None, SIGNED_IN),
                        ("GET", "/sestanki/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "meetings.agenda": [("GET", "/sestanki/{meeting}/dnevni-red", None, GROUP_MEETING),
                        ("GET", "/sestanki/{public_meeting}/dnevni-red", None, SIGNED_IN)],
    "meetings.edit": [("GET", "/sestanki/{meeting}/uredi", None, GROUP_MEETING),
                      ("GET", "/sestanki/{public_meeting}/uredi", None, STAFF),
                      ("POST", "/sestanki/{meeting}/uredi", {}, group_meeting(422))],
    "meetings.add_person": [("POST", "/sestanki/{meeting}/udelezenci/oseba", {}, group_meeting(422))],
    "meetings.add_seat": [("POST", "/sestanki/{meeting}/udelezenci/organizacija", {}, group_meeting(422))],
    "meetings.set_attendance": [("POST", "/sestanki/{meeting}/udelezenci/999999/prisotnost", {"attendance": "present"},
                                 group_meeting(404))],
    "meetings.remove_participant": [("POST", "/sestanki/{meeting}/udelezenci/999999/odstrani", {},
                                     group_meeting(404))],
    "meetings.add_item": [("POST", "/sestanki/{meeting}/tocke", {}, group_meeting(422))],
    "meetings.edit_item": [("GET", "/sestanki/{meeting}/tocke/{item}/uredi", None, GROUP_MEETING),
                           ("POST", "/sestanki/{meeting}/tocke/{item}/uredi", {"item-title": ""},
                            group_meeting(422))],
    "meetings.remove_item": [("POST", "/sestanki/{meeting}/tocke/999999/odstrani", {}, group_meeting(404))],
    "meetings.move_item": [("POST", "/sestanki/{meeting}/tocke/{item}/premakni", {"direction": "up"},
                            group_meeting(302))],  # the only item: stays first
    "meetings.reorder_agenda": [("POST", "/sestanki/{meeting}/dnevni-red/vrstni-red", {"order": "999999"},
                                 group_meeting(422)),  # a foreign id
                                ("POST", "/sestanki/{meeting}/dnevni-red/vrstni-red", {}, group_meeting(422))],
    # minutes of {meeting} (a draft; {item} has versions 1 and 2): its viewers are admin, ministry and the
    # municipal secretary, who are also the ones who write and circulate it. Rows run in this order
    # within one transaction per role, so the row that circulates the minutes comes last.
    "minutes.edit": [("GET", "/sestanki/{meeting}/tocke/{item}/zapisnik", None, MINUTES_VIEWERS),
                     ("POST", "/sestanki/{meeting}/tocke/{item}/zapisnik", {}, minutes_viewers(422))],
    "minutes.history": [("GET", "/sestanki/{meeting}/tocke/{item}/zgodovina", None, MINUTES_VIEWERS)],
    "minutes.compare": [("GET", "/sestanki/{meeting}/tocke/{item}/primerjava?od=1&do=2", None, MINUTES_VIEWERS),
                        ("GET", "/sestanki/{meeting}/tocke/{item}/primerjava?od=1&do=9", None, minutes_viewers(404))],
    "minutes.comments": [("GET", "/sestanki/{meeting}/tocke/{item}/pripombe", None, MINUTES_VIEWERS),
                         ("POST", "/sestanki/{meeting}/tocke/{item}/pripombe", {"comment-text": "x"},
                          minutes_viewers(409))],  # a draft takes no comments
    "minutes.approve": [("POST", "/sestanki/{meeting}/zapisnik/potrdi", {}, minutes_viewers(409)),  # not circulated
                        ("GET", "/sestanki/{meeting}/zapisnik/potrdi", None, minutes_viewers(409))],
    "minutes.resolve_comment": [("POST", "/sestanki/{meeting}/tocke/{item}/pripombe/999999/razresi", {},
                                 minutes_viewers(404))],
    "minutes.circulate": [("POST", "/sestanki/{meeting}/zapisnik/v-pregled", {}, minutes_viewers(302))],
    # conclusions of {meeting} ({conclusion} is its only one): its viewers see them, admin, ministry and the
    # municipal secretary change them; the changing rows refuse bad input or leave things as they were
    "conclusions.manage": [("GET", "/sestanki/{meeting}/sklepi", None, GROUP_MEETING),
                           ("GET", "/sestanki/{public_meeting}/sklepi", None, SIGNED_IN),
                           ("GET", "/sestanki/999999/sklepi", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "conclusions.add": [("POST", "/sestanki/{meeting}/sklepi", {}, group_meeting(422)),
                        ("POST", "/sestanki/{public_meeting}/sklepi", {}, {**STAFF, "admin": 422, "ministry": 422,
                                                                          "municipal": 403})],
    "conclusions.edit": [("GET", "/sestanki/{meeting}/sklepi/{conclusion}/uredi", None, GROUP_MEETING),
                         ("POST", "/sestanki/{meeting}/sklepi/{conclusion}/uredi", {}, group_meeting(422))],
    "conclusions.delete": [("POST", "/sestanki/{meeting}/sklepi/999999/izbrisi", {}, group_meeting(404))],
    "conclusions.move": [("POST", "/sestanki/{meeting}/sklepi/{conclusion}/premakni", {"direction": "up"},
                          group_meeting(302))],  # the only conclusion: stays first
    "conclusions.reorder": [("POST", "/sestanki/{meeting}/sklepi/vrstni-red", {"order": "999999"},
                             group_meeting(422))],  # a foreign id
    "conclusions.register": [("GET", "/sklepi/", None, SIGNED_IN),
                             ("GET", "/sklepi/?body=DS-MAT&year=2024&kind=decision&q=Sklep", None, SIGNED_IN)],
    # search: every signed-in user; what each finds is filtered by the rules of the things found
    "calendar_views.month": [("GET", "/koledar/mesec", None, SIGNED_IN),
                             ("GET", "/koledar/mesec?m=2024-03", None, SIGNED_IN),
                             ("GET", "/koledar/mesec?m=2024-13", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "calendar_views.agenda": [("GET", "/koledar/seznam", None, SIGNED_IN),
                              ("GET", "/koledar/seznam?od=2024-03-01", None, SIGNED_IN)],
    # what a public-sector site publishes, and the probes: open to everybody
    "site.accessibility": [("GET", "/dostopnost", None, {r: 200 for r in ROLES})],
    "site.privacy": [("GET", "/zasebnost", None, {r: 200 for r in ROLES})],
    "site.sources": [("GET", "/viri", None, {r: 200 for r in ROLES})],
    "site.healthz": [("GET", "/healthz", None, {r: 200 for r in ROLES})],
    "site.readyz": [("GET", "/readyz", None, {r: 200 for r in ROLES})],
    "search.index": [("GET", "/iskanje", None, SIGNED_IN),
                     ("GET", "/iskanje?q=sklep&kind=conclusion&page=2", None, SIGNED_IN),
                     ("GET", "/iskanje?q=%22(NEAR*%20-&kind=x", None, SIGNED_IN)],
    # documents and calendar: whoever may view the meeting; the feeds are public, the token is the key
    "documents.minutes_pdf": [("GET", "/sestanki/{meeting}/zapisnik.pdf", None, GROUP_MEETING),
                              ("GET", "/sestanki/999999/zapisnik.pdf", None,
                               {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    # every approved version of {approved_meeting}'s minutes (public; one version): the minutes PDF's rule
    "documents.minutes_version_pdf": [("GET", "/sestanki/{approved_meeting}/zapisnik-razlicica-1.pdf", None, SIGNED_IN),
                                      ("GET", "/sestanki/{approved_meeting}/zapisnik-razlicica-2.pdf", None,
                                       {"anonymous": 302, **{r: 404 for r in ROLES[1:]}}),
                                      ("GET", "/sestanki/{meeting}/zapisnik-razlicica-1.pdf", None, group_meeting(404))],
    "documents.conclusions_pdf": [("GET", "/sestanki/{meeting}/sklepi.pdf", None, GROUP_MEETING),
                                  ("GET", "/sestanki/{public_meeting}/sklepi.pdf", None, SIGNED_IN)],
    # letterheads: administrators set them; the crest is for signed-in users (404 where none was uploaded)
    "documents.letterhead": [("GET", "/organizacije/{own}/glava-dokumentov", None, ADMIN_ONLY),
                             ("POST", "/organizacije/{own}/glava-dokumentov", {"file_number_pattern": "{year}"},
                              only_admin(422)),
                             ("GET", "/organizacije/999999/glava-dokumentov", None, only_admin(404))],
    "documents.crest": [("GET", "/organizacije/{mdp}/grb", None, SIGNED_IN),
                        ("GET", "/organizacije/{sos}/grb", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "calendar.meeting_ics": [("GET", "/sestanki/{meeting}.ics", None, GROUP_MEETING),
                             ("GET", "/sestanki/{public_meeting}.ics", None, SIGNED_IN)],
    "calendar.index": [("GET", "/koledar/", None, SIGNED_IN)],
    "calendar.reset_user": [("POST", "/koledar/ponastavi", {}, {r: 302 for r in ROLES})],
    "calendar.reset_group": [("POST", "/koledar/skupina/{group}/ponastavi", {},  # the group is open: 403
                              {**group_meeting(302), "association": 403, "municipal_other": 403, "host": 403})],
    "calendar.user_feed": [("GET", "/koledar/ni-takega-zetona-0123456789abcdefghijk.ics", None,
                            {r: 404 for r in ROLES})],
    # in-app notifications and e-mail settings: every signed-in user, each only their own; {notification}
    # is the municipal official's (his municipality was assigned {action}), so to the others it is unknown
    "notifications.index": [("GET", "/obvestila", None, SIGNED_IN), ("GET", "/obvestila?page=2", None, SIGNED_IN)],
    "notifications.badge": [("GET", "/obvestila/stevec", None, SIGNED_IN)],
    "notifications.open_item": [("GET", "/obvestila/{notification}", None, OWN_NOTIFICATION),
                                ("POST", "/obvestila/{notification}", {}, {**OWN_NOTIFICATION, "municipal": 303}),
                                ("GET", "/obvestila/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "notifications.mark_read": [("POST", "/obvestila/{notification}/prebrano", {}, OWN_NOTIFICATION)],
    "notifications.mark_all_read": [("POST", "/obvestila/prebrano", {}, {r: 302 for r in ROLES})],
    "notifications.settings": [("GET", "/racun/obvestila", None, SIGNED_IN),
                               ("POST", "/racun/obvestila", {"digest": "y", "minutes": "y"}, {r: 302 for r in ROLES})],
    "calendar.group_feed": [("GET", "/koledar/skupina/ni-takega-zetona-0123456789abcdefghijk.ics", None,
                             {r: 404 for r in ROLES})],
    # a single action item. {action} is Kamnik's item from the internal {conclusion} of DS-MAT (created by the
    # ministry): staff, Kamnik's official (its assignee, and the secretary running the source meeting) see,
    # edit and update it; Ljubljana's official (a seat without a person: not an insider) and SOS (Kamnik is no
    # member) do not see it. {other_action} is Ljubljana's: its official sees and updates it but may not edit it.
    # The changing rows send bad input (422) or are refused, so later rows find the items as they were.
    "actions.detail": [("GET", "/naloge/{action}", None, action_editors(200)),
                       ("GET", "/naloge/{other_action}", None, {**action_editors(200), "municipal_other": 200}),
                       ("GET", "/naloge/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "actions.create": [("GET", "/naloge/nova", None, {**STAFF, "association": 200}),
                       ("POST", "/naloge/nova", {"title": ""}, {**STAFF, "admin": 422, "ministry": 422,
                                                                "association": 422})],
    "actions.create_from": [("GET", "/sklepi/{conclusion}/naloge/nova", None, action_editors(200)),
                            ("POST", "/sklepi/{conclusion}/naloge/nova", {"title": ""}, action_editors(422)),
                            ("GET", "/sklepi/999999/naloge/nova", None,
                             {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "actions.edit": [("GET", "/naloge/{action}/uredi", None, action_editors(200)),
                     ("GET", "/naloge/{other_action}/uredi", None, {**action_editors(200), "municipal_other": 403}),
                     ("POST", "/naloge/{action}/uredi", {"title": ""}, action_editors(422))],
    "actions.change_status": [("POST", "/naloge/{action}/status", {"status": "bogus"}, action_editors(422)),
                              ("POST", "/naloge/{other_action}/status", {"status": "bogus"},
                               {**action_editors(422), "municipal_other": 422})],
    "actions.add_note": [("POST", "/naloge/{action}/zapis", {"text": ""}, action_editors(422)),
                         ("POST", "/naloge/{other_action}/zapis", {"text": ""},
                          {**action_editors(422), "municipal_other": 422})],
    "actions.delete": [("POST", "/naloge/{action}/izbrisi", {}, action_editors(422))],  # not confirmed
    # the action-item list, its export and the CSV status upload: every signed-in user, each over the
    # items they may see; a row's status change needs actions.update on {action} (Kamnik's item of the
    # internal conclusion): staff and Kamnik's official; the others do not see it (404). A bad status
    # value changes nothing, so the rows after still find it open.
    "action_lists.index": [("GET", "/naloge/", None, SIGNED_IN),
                           ("GET", "/naloge/?status=open&status=x&org={own}&region=1&due_from=2024-02-30&sort=assignee"
                                   "&mine=1&overdue=1&q=Nal&page=9", None, SIGNED_IN)],
    "action_lists.set_status": [("POST", "/naloge/seznam/{action}/stanje", {"status": "bogus"},
                                 {"anonymous": 302, "admin": 303, "ministry": 303, "association": 404,
                                  "municipal": 303, "municipal_other": 404, "host": 404})],
    "action_lists.bulk_status": [("POST", "/naloge/seznam/stanje", {"status": "bogus", "ids": "{action}"},
                                  {"anonymous": 302, **{r: 303 for r in ROLES[1:]}})],
    "action_lists.export_csv": [("GET", "/naloge/izvoz.csv?overdue=1", None, SIGNED_IN)],
    "action_lists.export_xlsx": [("GET", "/naloge/izvoz.xlsx?sort=assignee", None, SIGNED_IN)],
    "action_lists.upload": [("GET", "/naloge/uvoz", None, SIGNED_IN),
                            ("POST", "/naloge/uvoz", {}, {"anonymous": 302, **{r: 422 for r in ROLES[1:]}})],
    "action_lists.preview": [("GET", "/naloge/uvoz/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "action_lists.confirm": [("POST", "/naloge/uvoz/999999/potrdi", {},
                              {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "action_lists.import_template": [("GET", "/naloge/uvoz/predloga.csv", None, SIGNED_IN)],
    # fan-out of the internal {conclusion} (whoever runs its meeting: staff and the municipal secretary) and
    # the matrix of {fanout} (its viewers and, since the conclusion is not confidential, association staff);
    # reminders: staff, the runners and association staff (their members only; none here: an empty selection, 422)
    "fanouts.fan_out": [("GET", "/sklepi/{conclusion}/razprsitev", None, GROUP_MEETING),
                        ("GET", "/sklepi/{conclusion}/razprsitev?scope=chosen", None, GROUP_MEETING),
                        ("POST", "/sklepi/{conclusion}/razprsitev", {"scope": "chosen"}, group_meeting(422)),
                        ("GET", "/sklepi/999999/razprsitev", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "fanouts.view": [("GET", "/razprsitve/{fanout}", None, {**GROUP_MEETING, "association": 200}),
                     ("GET", "/razprsitve/{fanout}?status=overdue&region=SI041&members=1", None,
                      {**GROUP_MEETING, "association": 200}),
                     ("GET", "/razprsitve/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "fanouts.remind": [("GET", "/razprsitve/{fanout}/opomni", None, {**GROUP_MEETING, "association": 200}),
                       ("POST", "/razprsitve/{fanout}/opomni", {}, {**group_meeting(302), "association": 422})],
    # managing {fanout} (new due date, more municipalities, cancelling): whoever may fan out its conclusion
    # (staff and the municipal secretary); association staff see the matrix but may not manage it (403).
    # The POST rows send bad input (422), so the fan-out stays as it was
    "fanout_manage.index": [("GET", "/razprsitve/{fanout}/upravljanje", None, {**GROUP_MEETING, "association": 403}),
                            ("GET", "/razprsitve/999999/upravljanje", None,
                             {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "fanout_manage.due_date": [("POST", "/razprsitve/{fanout}/upravljanje/rok", {},
                                {**group_meeting(422), "association": 403})],
    "fanout_manage.add": [("POST", "/razprsitve/{fanout}/upravljanje/obcine", {"add-scope": "chosen"},
                           {**group_meeting(422), "association": 403})],
    "fanout_manage.cancel": [("POST", "/razprsitve/{fanout}/upravljanje/preklic", {"cancel-reason": " "},
                              {**group_meeting(422), "association": 403})],
    # status reports: a group's for every signed-in user (the group page is open; each sees only the items
    # they may see), a meeting's for its viewers, a fan-out's for its matrix viewers, a municipality's for
    # those who see its private records (SOS: Kamnik is no member here)
    "documents.group_actions_pdf": [("GET", "/skupine/{group}/naloge.pdf", None, SIGNED_IN),
                                    ("GET", "/skupine/999999/naloge.pdf", None,
                                     {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "documents.meeting_actions_pdf": [("GET", "/sestanki/{meeting}/naloge.pdf", None, GROUP_MEETING),
                                      ("GET", "/sestanki/{public_meeting}/naloge.pdf", None, SIGNED_IN)],
    "documents.fanout_report_pdf": [("GET", "/razprsitve/{fanout}/porocilo.pdf", None,
                                     {**GROUP_MEETING, "association": 200})],
    "documents.organisation_actions_pdf": [("GET", "/organizacije/{own}/naloge.pdf", None,  # Kamnik is known: 403
                                            {**GROUP_MEETING, "association": 403, "municipal_other": 403, "host": 403}),
                                           ("GET", "/organizacije/999999/naloge.pdf", None,
                                            {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    # data-steward registry: list, coverage, entries and DCAT open to everyone; {steward} is Kamnik's
    # nominated steward (the municipal user's own municipality; SOS is not Kamnik's association here)
    "stewards.index": [("GET", "/skrbniki/?state=none&region=SI041", None, {r: 200 for r in ROLES})],
    "stewards.municipality": [("GET", "/skrbniki/obcine/{own}", None, {r: 200 for r in ROLES}),
                              ("GET", "/skrbniki/obcine/{sos}", None, {r: 404 for r in ROLES})],
    "stewards.appointment": [("GET", "/skrbniki/imenovanja/{steward}", None, {r: 200 for r in ROLES}),
                             ("GET", "/skrbniki/imenovanja/999999", None, {r: 404 for r in ROLES})],
    "stewards.nominate": [("GET", "/skrbniki/obcine/{own}/nov", None, OWN_MUNICIPALITY),
                          ("POST", "/skrbniki/obcine/{own}/nov", {"email": "x"}, own_municipality(422))],
    "stewards.edit": [("GET", "/skrbniki/imenovanja/{steward}/uredi", None, OWN_MUNICIPALITY),
                      ("POST", "/skrbniki/imenovanja/{steward}/uredi", {"email": "x"}, own_municipality(422))],
    "stewards.end": [("GET", "/skrbniki/imenovanja/{steward}/koncaj", None, OWN_MUNICIPALITY)],
    "stewards.confirm": [("POST", "/skrbniki/imenovanja/{steward}/potrdi", {"version": "999"}, {**STAFF, "admin": 409, "ministry": 409})],
    "stewards.return_nomination": [("POST", "/skrbniki/imenovanja/{steward}/vrni", {"version": "1"},
                                    {**STAFF, "admin": 422, "ministry": 422})],
    "stewards.act": [("GET", "/skrbniki/imenovanja/{steward}/akt.pdf", None,
                      {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "stewards.add_training": [("POST", "/skrbniki/imenovanja/{steward}/usposabljanja", {}, own_municipality(422))],
    "stewards.remove_training": [("POST", "/skrbniki/usposabljanja/999999/odstrani", {},
                                  {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "stewards.add_dataset": [("POST", "/skrbniki/imenovanja/{steward}/podatkovni-nizi", {}, own_municipality(422))],
    "stewards.remove_dataset": [("POST", "/skrbniki/podatkovni-nizi/999999/odstrani", {},
                                 {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "steward_coverage.coverage": [("GET", "/skrbniki/pokritost", None, {r: 200 for r in ROLES})],
    "steward_coverage.request_nominations": [("GET", "/skrbniki/pokritost/poziv", None, STAFF),
                                             ("POST", "/skrbniki/pokritost/poziv", {}, {**STAFF, "admin": 422, "ministry": 422})],
    # no DS-SP group in these objects: 404 for everyone signed in
    "steward_coverage.add_to_group": [("GET", "/skrbniki/skupina", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "steward_exports.export_csv": [("GET", "/skrbniki/register.csv", None, SIGNED_IN)],
    "steward_exports.export_xlsx": [("GET", "/skrbniki/register.xlsx", None, SIGNED_IN)],
    "steward_exports.export_pdf": [("GET", "/skrbniki/register.pdf?regija=SI041", None, SIGNED_IN),
                                   ("GET", "/skrbniki/register.pdf?regija=XX", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "steward_exports.dcat_turtle": [("GET", "/skrbniki/dcat.ttl", None, {r: 200 for r in ROLES})],
    "steward_exports.dcat_jsonld": [("GET", "/skrbniki/dcat.jsonld", None, {r: 200 for r in ROLES})],

    # Digi info točke: {point} is the host user's point in Kamnik; requests: {draft_request} (Kamnik's
    # official's draft), {submitted_request} (the host's, for Kamnik), {rejected_request} (Kamnik's, with its
    # decision letter); {upload} the host's checked visit upload (tests/points/fixtures.py)
    "points.index": [("GET", "/tocke/", None, SIGNED_IN),
                     ("GET", "/tocke/?q=DIT&region=SI021&status=open&topic=eid&opened=2023-09&sort=name", None,
                      SIGNED_IN)],
    "points.map_page": [("GET", "/tocke/zemljevid", None, SIGNED_IN),
                        ("GET", "/tocke/zemljevid?status=closed", None, SIGNED_IN)],
    "points.detail": [("GET", "/tocke/{point}", None, SIGNED_IN),
                      ("GET", "/tocke/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "points.edit": [("GET", "/tocke/{point}/uredi", None, STAFF),
                    ("POST", "/tocke/{point}/uredi", {}, {**STAFF, "admin": 422, "ministry": 422})],
    "points.close": [("GET", "/tocke/{point}/zapri", None, STAFF),
                     ("POST", "/tocke/{point}/zapri", {}, {**STAFF, "admin": 422, "ministry": 422})],
    "points.public_page": [("GET", "/digi-info-tocke", None, {r: 200 for r in ROLES})],
    "points.public_geojson": [("GET", "/digi-info-tocke.geojson", None, {r: 200 for r in ROLES})],
    "point_requests.index": [("GET", "/tocke/vloge/", None, {**SIGNED_IN, "association": 403}),
                             ("GET", "/tocke/vloge/?status=submitted", None, {**SIGNED_IN, "association": 403})],
    "point_requests.create": [("GET", "/tocke/vloge/nova", None, {**SIGNED_IN, "association": 403}),
                              ("POST", "/tocke/vloge/nova", {}, {"anonymous": 302, "association": 403,
                                                                 **{r: 422 for r in ROLES[1:] if r != "association"}})],
    "point_requests.detail": [
        ("GET", "/tocke/vloge/{draft_request}", None, {"anonymous": 302, "admin": 200, "ministry": 200,
                                                       "association": 403, "municipal": 200, "municipal_other": 404,
                                                       "host": 404}),
        ("GET", "/tocke/vloge/{submitted_request}", None, {"anonymous": 302, "admin": 200, "ministry": 200,
                                                           "association": 403, "municipal": 200,
                                                           "municipal_other": 404, "host": 200})],
    "point_requests.edit": [("GET", "/tocke/vloge/{draft_request}/uredi", None, {
        "anonymous": 302, "admin": 403, "ministry": 403, "association": 403, "municipal": 200, "municipal_other": 404,
        "host": 404})],
    # rejecting without a reason: refused (422) for staff; the applicant may not decide (409: not a step
    # the request can take from their side); Kamnik's official only sees it (403)
    "point_requests.step": [("POST", "/tocke/vloge/{submitted_request}/korak", {"to": "rejected"}, {
        "anonymous": 302, "admin": 422, "ministry": 422, "association": 403, "municipal": 403, "municipal_other": 404,
        "host": 409})],
    "point_requests.comment": [("POST", "/tocke/vloge/{submitted_request}/komentar", {"text": ""}, {
        "anonymous": 302, "admin": 422, "ministry": 422, "association": 403, "municipal": 403, "municipal_other": 404,
        "host": 422})],
    "point_requests.open_point": [("POST", "/tocke/vloge/{submitted_request}/odpri", {}, {
        "anonymous": 302, "admin": 403, "ministry": 403, "association": 403, "municipal": 403, "municipal_other": 404,
        "host": 403})],
    "point_requests.decision_pdf": [("GET", "/tocke/vloge/{rejected_request}/odlocba.pdf", None, {
        "anonymous": 302, "admin": 200, "ministry": 200, "association": 403, "municipal": 200, "municipal_other": 404,
        "host": 404})],
    "point_visits.grid": [("GET", "/tocke/{point}/obisk", None, {**STAFF, "host": 200}),
                          ("GET", "/tocke/999999/obisk", None, {**STAFF, "admin": 404, "ministry": 404,
                                                                "municipal": 404, "municipal_other": 404,
                                                                "host": 404})],
    "point_visits.upload": [("GET", "/tocke/obisk/uvoz", None, {**SIGNED_IN, "association": 403}),
                            ("POST", "/tocke/obisk/uvoz", {}, {"anonymous": 302, "association": 403,
                                                              **{r: 422 for r in ROLES[1:] if r != "association"}})],
    "point_visits.preview": [("GET", "/tocke/obisk/uvoz/{upload}", None, {
        "anonymous": 302, "association": 403, **{r: 404 for r in ("admin", "ministry", "municipal", "municipal_other")},
        "host": 200})],
    "point_visits.confirm": [("POST", "/tocke/obisk/uvoz/{upload}/potrdi", {}, {
        "anonymous": 302, "association": 403, **{r: 404 for r in ("admin", "ministry", "municipal", "municipal_other")},
        "host": 303})],
    "point_visits.template": [("GET", "/tocke/obisk/predloga.csv", None, {**SIGNED_IN, "association": 403}),
                              ("GET", "/tocke/obisk/predloga.xlsx", None, {**SIGNED_IN, "association": 403})],
    "programme.index": [("GET", "/tocke/program/", None, {**STAFF, "association": 200})],
    "programme.edit": [("GET", "/tocke/program/uredi", None, STAFF),
                       ("POST", "/tocke/program/uredi", {}, {**STAFF, "admin": 422, "ministry": 422})],
    "point_exports.points_csv": [("GET", "/tocke/izvoz/tocke.csv", None, SIGNED_IN)],
    "point_exports.points_xlsx": [("GET", "/tocke/izvoz/tocke.xlsx", None, SIGNED_IN)],
    "point_exports.points_geojson": [("GET", "/tocke/izvoz/tocke.geojson?status=open", None, SIGNED_IN)],
    "point_exports.visits_csv": [("GET", "/tocke/izvoz/obisk.csv", None, SIGNED_IN)],
    "point_exports.visits_xlsx": [("GET", "/tocke/izvoz/obisk.xlsx", None, SIGNED_IN)],
    "point_exports.report_pdf": [("GET", "/tocke/izvoz/porocilo.pdf", None, {**STAFF, "association": 200})],
    # the network analysis and its decisions (points/routes/analysis.py): analysing and adopting is the
    # ministry's; decisions are read by staff and associations, and {decision} also by Kamnik's official,
    # whose municipality's point it closes (others: 404); its PDF report by staff and associations
    "point_analysis.index": [
        ("GET", "/tocke/analiza", None, STAFF),
        ("GET", "/tocke/analiza?programme={analysis_programme}&on=2024-04-01&mode=count&close=2", None, STAFF),
        ("GET", "/tocke/analiza?programme={analysis_programme}&mode=count&close=-1", None,
         {**STAFF, "admin": 422, "ministry": 422}),
        ("GET", "/tocke/analiza?programme=999999", None, {**STAFF, "admin": 404, "ministry": 404})],
    "point_analysis.adopt": [("POST", "/tocke/analiza/sprejmi", {}, {**STAFF, "admin": 422, "ministry": 422})],
    "point_analysis.decisions_index": [("GET", "/tocke/odlocitve/", None, {**STAFF, "association": 200})],
    "point_analysis.decision": [
        ("GET", "/tocke/odlocitve/{decision}", None,
         {"anonymous": 302, "admin": 200, "ministry": 200, "association": 200, "municipal": 200,
          "municipal_other": 404, "host": 404}),
        ("GET", "/tocke/odlocitve/999999", None, {"anonymous": 302, **{r: 404 for r in ROLES[1:]}})],
    "point_analysis.decision_pdf": [
        ("GET", "/tocke/odlocitve/{decision}.pdf", None, {**STAFF, "association": 200}),
        ("GET", "/tocke/odlocitve/999999.pdf", None, {**STAFF, "admin": 404, "ministry": 404, "association": 404})],
}


@pytest.fixture
def objects(session):
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    users = {
        "admin": f.user(Role.ADMIN),
        "ministry": f.user(Role.MINISTRY),
        "association": f.user(Role.ASSOCIATION),
        "municipal": f.user(Role.MUNICIPAL, kamnik),
        "municipal_other": f.user(Role.MUNICIPAL, ljubljana),
        "host": f.user(Role.HOST),
    }
    group = f.group(name="Delovna skupina za matriko", code="DS-MAT")
    f.member(group, users["municipal"], GroupRole.SECRETARY)
    seat = f.member(group, ljubljana)
    # an internal meeting of that group (so the municipal official is its secretary), with one agenda
    # item (two saved versions of its minutes) and one conclusion; and a public meeting of the ministry
    # without a group
    internal = f.meeting(group, title="Seja DS-MAT", start=datetime(2024, 5, 6, 8, tzinfo=UTC), place="Ljubljana",
                         created_by=users["ministry"])
    item = f.minutes(internal, users["municipal"], "Zapis 1", "Zapis 2", title="Uvod")
    conclusion = f.conclusion(internal, agenda_item=item)
    public = f.meeting(title="Javni posvet", start=datetime(2024, 6, 6, 8, tzinfo=UTC), place="Ljubljana",
                       visibility=Visibility.PUBLIC, created_by=users["ministry"])
    # action items: {action} from the internal conclusion for Kamnik (the municipal user's), created by
    # the ministry; {fanout} of that conclusion to Kamnik and Ljubljana; {other_action} Ljubljana's item in it
    action = f.action_item(users["ministry"], org=kamnik, conclusion=conclusion)
    fanout = f.fan_out(conclusion, users["ministry"], scope=FanOutScope.CHOSEN, chosen=[kamnik.id, ljubljana.id])
    other_action = next(i for i in fanout.items if i.assignee_org_id == ljubljana.id)
    notification = db.session.scalar(select(Notification.id).where(
        Notification.user_id == users["municipal"].id).order_by(Notification.id))
    ids = {"notification": notification, "action": action.id, "fanout": fanout.id, "other_action": other_action.id,
           "meeting": internal.id, "item": item.id, "conclusion": conclusion.id, "public_meeting": public.id,
           "group": group.id, "membership": seat.id, "own": kamnik.id, "sos": f.by_short_name("SOS").id, "municipal_user": users["municipal"].id,
           "host_user": users["host"].id, "admin_user": users["admin"].id,
           "steward": steward_helpers.nominate(kamnik).id}
    ids["approved_meeting"] = approved_minutes_meeting(users["ministry"])
    ids.update(points_fixtures.objects(users, kamnik, ljubljana))
    ids.update(analysis_objects(users["ministry"], kamnik))
    ids["mdp"] = letterhead_objects()
    return users, ids


def approved_minutes_meeting(author) -> int:
    """A public meeting of the ministry whose minutes are approved (one approved version)."""
    meeting = f.meeting(title="Potrjen posvet", start=datetime(2024, 4, 4, 8, tzinfo=UTC), visibility=Visibility.PUBLIC,
                        created_by=author)
    f.minutes(meeting, author, "Zapis posveta.", title="Posvet")
    meetings.circulate(meeting)
    meetings.approve(meeting, author, confirmed=meetings.ALL_OPEN_POINTS)
    return meeting.id


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(MATRIX)
    assert not missing, f"routes without a row in the access matrix: {sorted(missing)}"
    stale = set(MATRIX) - endpoints
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"


def test_every_view_declares_its_rule(app):
    undeclared = [endpoint for endpoint, view in app.view_functions.items()
                  if endpoint != "static" and not hasattr(view, "access_rule")]
    assert not undeclared, f"views without @guard(rule) or @public: {undeclared}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, objects, no_csrf, role):
    users, ids = objects
    if role != "anonymous":
        assert f.login(client, users[role]).status_code == 302
    failures = []
    for endpoint, rows in MATRIX.items():
        for method, template, data, expected in rows:
            path = template.format(**ids)
            response = client.open(path, method=method, data=data)
            if response.status_code != expected[role]:
                failures.append(f"{method} {path} ({endpoint}): got {response.status_code}, "
                                f"expected {expected[role]}")
            if endpoint == "accounts.logout" and role != "anonymous":
                f.login(client, users[role])  # sign back in for the remaining rows
            if endpoint == "accounts.set_language":
                client.post("/jezik", data={"lang": "sl"})
    assert not failures, "\n".join(failures)
