"""Meeting pages: the list, a meeting's page, creating and editing, and its participants and agenda
changed in place (htmx swaps the section; every action is also a plain form POST and a redirect)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import coordination.meetings.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.meetings import permissions as perm
from coordination.meetings import queries, services
from coordination.meetings.forms import (
    NO_GROUP,
    VISIBILITY_HINT,
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    PersonForm,
    SeatForm,
)
from coordination.meetings.markdown import render as render_markdown
from coordination.meetings.models import (
    ATTENDANCE_GROUPS,
    ATTENDANCE_LABELS,
    KIND_LABELS,
    STATE_LABELS,
    VISIBILITY_LABELS,
    Attendance,
    Meeting,
    Visibility,
)
from coordination.organisations.services import all_organisations, organisation_choices
from coordination.web.authz import guard, require, reveal
from coordination.web.formatting import format_period, translated
from coordination.web.htmx import render, wants_fragment
from coordination.web.pagination import page_number
from coordination.web.routing import id_or_none, id_value
from coordination.web.sections import adds_to, parts, section

bp = Blueprint("meetings", __name__, url_prefix="/sestanki")
bp.add_app_template_filter(STATE_LABELS.__getitem__, "minutes_state")  # the state of minutes in words

PER_PAGE = 25
PARTICIPANTS, AGENDA = "meetings/_participants.html", "meetings/_agenda.html"


@bp.app_template_filter("meeting_time")
def meeting_time(meeting: Meeting) -> str:
    return format_period(meeting.starts_at, meeting.ends_at)


@adds_to("groups.detail")
def _group_page(user, group) -> dict:
    """The group page's meetings (the next upcoming and the latest past) and conclusions."""
    return {"group_meetings": queries.group_meetings(user, group), "conclusions": queries.group_conclusions(user, group)}


@section("organisations.detail", "meetings/_org_meetings.html", order=20)
def _organisation_meetings(user, org) -> dict:
    """An organisation's page: the meetings it organised or attended that the user may view."""
    return {"meetings": queries.organisation_meetings(user, org.id)}


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = queries.load(meeting_id)
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)  # one who may not see it is not told that it exists
    return meeting


def _editable(meeting_id: int) -> Meeting:
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_edit, meeting)
    return meeting


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- the list -------------------------------------------------------------------------------

def _filters() -> dict:
    args = request.args

    def number(name):
        return id_or_none(args.get(name, ""))

    year = number("year")
    return {
        "group": number("group"),
        "organisation": number("organisation"),
        "year": year if year and 2000 <= year <= 2100 else None,
        "text": args.get("q", "").strip()[:100],
        "when": "past" if args.get("when") == "past" else "upcoming",
    }


@bp.route("/")
@guard(perm.can_browse)
def index():
    filters = _filters()
    page, counts = queries.meeting_listing(
        current_user, upcoming=filters["when"] == "upcoming", page=page_number(), per_page=PER_PAGE,
        group_id=filters["group"], organisation_id=filters["organisation"], year=filters["year"],
        text=filters["text"])
    context = {"page": page, "counts": counts, "filters": filters, "visibility_labels": VISIBILITY_LABELS}
    if not wants_fragment():  # the filter form is not part of the fragment
        context.update(options=queries.meeting_filter_options(current_user), may_create=_may_create())
    return render("meetings/index.html", "meetings/_list.html", **context)


def _may_create() -> bool:
    return perm.can_create(current_user) or bool(_creatable_groups())


def _creatable_groups(keep: int | None = None) -> list[WorkingGroup]:
    """Groups the user may create meetings in (plus `keep`, the group an edited meeting is in)."""
    member_id = None if perm.can_create(current_user) else current_user.id  # staff may use every group
    return [g for g in queries.groups_with_memberships(member_id)
            if g.id == keep or perm.can_create_in(current_user, g)]


# --- creating and editing -------------------------------------------------------------------

def _meeting_form(groups, allow_no_group, organisations, **kwargs) -> MeetingForm:
    return MeetingForm(groups=groups, allow_no_group=allow_no_group, organisations=organisations, **kwargs)


@bp.route("/nov", methods=["GET", "POST"])
@guard(perm.can_browse)
def create():
    groups = _creatable_groups()
    if not groups:
        require(perm.can_create_in, None)
    free = perm.can_create(current_user)
    preselected = request.args.get("group", type=id_value)
    if preselected and not any(g.id == preselected for g in groups):
        require(perm.can_create_in, db.session.get(WorkingGroup, preselected) or abort(404))
    organisations = all_organisations()
    form = _meeting_form(groups, free, organisations)
    if request.method == "GET":
        form.group_id.data = preselected or (NO_GROUP if free else groups[0].id)
        form.organiser_ids.data = [current_user.organisation_id]
    if form.validate_on_submit():
        group = next((g for g in groups if g.id == form.group_id.data), None)
        require(perm.can_create_in, group)
        try:
            meeting = services.create_meeting(**form.fields_dict(organisations), group=group,
                                              created_by=current_user._get_current_object())
        except services.MeetingError:
            form.ends_at.errors.append(_("The end must be after the start."))
        else:
            flash(_("Meeting %(title)s created.", title=meeting.title), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render("meetings/form.html", form=form, meeting=None, visibility_hint=VISIBILITY_HINT, status=_status())


@bp.route("/<int:meeting_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_browse)
def edit(meeting_id: int):
    meeting = _editable(meeting_id)
    groups = _creatable_groups(keep=meeting.group_id)
    organisations = all_organisations()
    form = _meeting_form(groups, perm.can_create(current_user) or meeting.group_id is None, organisations,
                         obj=meeting)
    if request.method == "GET":
        form.group_id.data = meeting.group_id or NO_GROUP
        form.organiser_ids.data = [o.id for o in meeting.organisers]
        form.visibility.data = meeting.visibility.value
    if form.validate_on_submit():
        group = next((g for g in groups if g.id == form.group_id.data), None)
        try:
            services.update_meeting_in_group(meeting, group=group, **form.fields_dict(organisations))
        except services.MeetingError:
            form.ends_at.errors.append(_("The end must be after the start."))
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render("meetings/form.html", form=form, meeting=meeting, visibility_hint=VISIBILITY_HINT,
                  status=_status())


# --- the meeting's page ---------------------------------------------------------------------

def _by_attendance(meeting: Meeting) -> dict:
    groups = {attendance: [] for attendance in ATTENDANCE_GROUPS}
    for participant in meeting.participants:
        groups[participant.attendance].append(participant)
    return groups


def _detail(meeting: Meeting, fragment: str | None = None, status: int = 200, **extra):
    """The meeting's page, or one of its sections (participants, agenda) for htmx."""
    user = current_user
    items = [i for i in meeting.agenda if perm.can_view_item(user, i)]
    conclusions = [c for c in meeting.conclusions if perm.can_view_conclusion(user, c)]
    editable = perm.can_edit(user, meeting)
    context = {
        "meeting": meeting, "editable": editable, "items": items, "hidden_items": len(meeting.agenda) - len(items),
        "conclusions": conclusions, "hidden_conclusions": len(meeting.conclusions) - len(conclusions),
        "by_attendance": _by_attendance(meeting), "attendance_groups": translated(ATTENDANCE_GROUPS),
        "attendance_labels": translated(ATTENDANCE_LABELS), "visibility_labels": translated(VISIBILITY_LABELS),
        "kind_labels": translated(KIND_LABELS),
        "minutes_html": render_markdown,
        "editing": None, "item_form": None,
    }
    if fragment is None:  # what other features show with each conclusion (the fragments do not show it)
        context.update(parts("meetings.conclusions", conclusions=conclusions))
    if editable:  # empty forms (formdata=None: never what the request that just succeeded sent)
        if fragment in (None, PARTICIPANTS):
            context["person_form"] = PersonForm(formdata=None)
            context["seat_form"] = SeatForm(formdata=None, organisations=organisation_choices())
        context["new_item_form"] = AgendaItemForm(formdata=None, prefix="new-item", visibility=meeting.visibility.value)
    context.update(extra)
    return render("meetings/detail.html", fragment, status=status, **context)


@bp.route("/<int:meeting_id>")
@guard(perm.can_browse)
def detail(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_view, meeting)
    return _detail(meeting)


@bp.route("/<int:meeting_id>/dnevni-red")
@guard(perm.can_browse)
def agenda(meeting_id: int):
    """The agenda section alone for htmx (e.g. to cancel an edit in place); the meeting's page otherwise."""
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_view, meeting)
    return _detail(meeting, AGENDA)


def _changed(meeting_id: int, fragment: str, message: str, anchor: str):
    """After a change: the section again, with the news, for htmx; otherwise back to the page."""
    if wants_fragment():
        db.session.expire_all()
        return _detail(_meeting_or_404(meeting_id), fragment, notice=message)
    flash(message, "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting_id, _anchor=anchor))


# --- participants ---------------------------------------------------------------------------

def _one_of(rows, row_id: int):
    """The one of a meeting's participants or agenda items with this id; 404 when it is not this meeting's."""
    found = next((row for row in rows if row.id == row_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/<int:meeting_id>/udelezenci/oseba", methods=["POST"])
@guard(perm.can_browse)
def add_person(meeting_id: int):
    meeting = _editable(meeting_id)
    form = PersonForm()
    if form.validate_on_submit():
        user = form.user
        try:
            services.add_participant(meeting, organisation=user.organisation, user=user,
                                     attendance=Attendance(form.attendance.data))
        except services.MeetingError:
            form.email.errors.append(_("%(name)s is already a participant of this meeting.", name=user.name))
        else:
            return _changed(meeting_id, PARTICIPANTS, _("%(name)s added.", name=user.name), "participants")
    return _detail(meeting, PARTICIPANTS, status=422, person_form=form)


@bp.route("/<int:meeting_id>/udelezenci/organizacija", methods=["POST"])
@guard(perm.can_browse)
def add_seat(meeting_id: int):
    meeting = _editable(meeting_id)
    organisations = all_organisations()
    form = SeatForm(organisations=organisations)
    if form.validate_on_submit():
        organisation = next(o for o in organisations if o.id == form.organisation_id.data)
        try:
            services.add_participant(meeting, organisation=organisation, attendance=Attendance(form.attendance.data))
        except services.MeetingError:
            form.organisation_id.errors.append(_("%(name)s already has a seat at this meeting.",
                                                 name=organisation.name))
        else:
            return _changed(meeting_id, PARTICIPANTS, _("%(name)s added.", name=organisation.name), "participants")
    return _detail(meeting, PARTICIPANTS, status=422, seat_form=form)


@bp.route("/<int:meeting_id>/udelezenci/<int:participant_id>/prisotnost", methods=["POST"])
@guard(perm.can_browse)
def set_attendance(meeting_id: int, participant_id: int):
    meeting = _editable(meeting_id)
    participant = _one_of(meeting.participants, participant_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        services.set_attendance(participant, Attendance(form.attendance.data))
        return _changed(meeting_id, PARTICIPANTS, _("Attendance of %(name)s: %(attendance)s.", name=str(participant),
                                                     attendance=ATTENDANCE_LABELS[participant.attendance]),
                        f"participant-{participant_id}")
    return _detail(meeting, PARTICIPANTS, status=422,
                   participants_error=_("Choose the attendance from the list; nothing was changed."))


@bp.route("/<int:meeting_id>/udelezenci/<int:participant_id>/odstrani", methods=["POST"])
@guard(perm.can_browse)
def remove_participant(meeting_id: int, participant_id: int):
    meeting = _editable(meeting_id)
    participant = _one_of(meeting.participants, participant_id)
    name = str(participant)
    services.remove_participant(participant)
    return _changed(meeting_id, PARTICIPANTS, _("%(name)s removed.", name=name), "participants")


# --- the agenda -----------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/tocke", methods=["POST"])
@guard(perm.can_browse)
def add_item(meeting_id: int):
    meeting = _editable(meeting_id)
    form = AgendaItemForm(prefix="new-item")
    if form.validate_on_submit():
        item = services.add_agenda_item(meeting, title=form.title.data, visibility=Visibility(form.visibility.data),
                                        no_minutes=form.no_minutes.data)
        return _changed(meeting_id, AGENDA, _("Agenda item %(title)s added.", title=item.title), f"item-{item.id}")
    return _detail(meeting, AGENDA, status=422, new_item_form=form)


@bp.route("/<int:meeting_id>/tocke/<int:item_id>/uredi", methods=["GET", "POST"])
@guard(perm.can_browse)
def edit_item(meeting_id: int, item_id: int):
    """The item's title and visibility, edited in place: the agenda with this item as a form."""
    meeting = _editable(meeting_id)
    item = _one_of(meeting.agenda, item_id)
    form = AgendaItemForm(prefix="item", obj=item)
    form.title.render_kw = {"autofocus": True}  # the form replaces the link that opened it: keep the focus there
    if request.method == "GET":
        form.visibility.data = item.visibility.value
    if form.validate_on_submit():
        services.update_agenda_item(item, title=form.title.data, visibility=Visibility(form.visibility.data),
                                    no_minutes=form.no_minutes.data)
        return _changed(meeting_id, AGENDA, _("Agenda item %(title)s saved.", title=form.title.data.strip()),
                        f"item-{item_id}")
    return _detail(meeting, AGENDA, status=_status(), editing=item.id, item_form=form)


@bp.route("/<int:meeting_id>/tocke/<int:item_id>/odstrani", methods=["POST"])
@guard(perm.can_browse)
def remove_item(meeting_id: int, item_id: int):
    meeting = _editable(meeting_id)
    item = _one_of(meeting.agenda, item_id)
    title = item.title
    services.remove_agenda_item(item)
    return _changed(meeting_id, AGENDA, _("Agenda item %(title)s removed.", title=title), "agenda")


@bp.route("/<int:meeting_id>/tocke/<int:item_id>/premakni", methods=["POST"])
@guard(perm.can_browse)
def move_item(meeting_id: int, item_id: int):
    """One place up or down: the buttons beside each item."""
    meeting = _editable(meeting_id)
    item = _one_of(meeting.agenda, item_id)
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        return _detail(meeting, AGENDA, status=422, agenda_error=_("Choose up or down; nothing was changed."))
    title = item.title
    services.move_agenda_item(item, offset)
    message = _("%(title)s moved up.", title=title) if offset < 0 else _("%(title)s moved down.", title=title)
    return _changed(meeting_id, AGENDA, message, f"item-{item_id}")


@bp.route("/<int:meeting_id>/dnevni-red/vrstni-red", methods=["POST"])
@guard(perm.can_browse)
def reorder_agenda(meeting_id: int):
    """The whole agenda in a new order: `order` lists every item id once (repeated fields or one
    comma-separated value), e.g. from drag and drop."""
    meeting = _editable(meeting_id)
    raw = [part.strip() for value in request.form.getlist("order") for part in value.split(",") if part.strip()]
    try:
        if not all(part.isdigit() and len(part) < 10 for part in raw):
            raise services.MeetingError("not a list of ids")
        services.reorder_agenda(meeting, [int(part) for part in raw])
    except services.MeetingError:
        return _detail(meeting, AGENDA, status=422, agenda_error=_(
            "The new order must name every item of this meeting's agenda exactly once; nothing was changed."))
    return _changed(meeting_id, AGENDA, _("The agenda has been reordered."), "agenda")
