"""Minutes of a meeting: written per agenda item (saved as you type, optimistically locked), every
saved version kept and compared side by side, comments while circulated, and the approval workflow
draft -> circulated -> approved, after which a change is a revision with its reason."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload

from coordination.extensions import db
from coordination.groups.models import WorkingGroup
from coordination.meetings import approval, queries, services
from coordination.meetings import permissions as perm
from coordination.meetings.diff import side_by_side
from coordination.meetings.markdown import render as render_markdown
from coordination.meetings.minutes_forms import ApprovalForm, CommentForm, MinutesForm
from coordination.meetings.models import AgendaItem, Meeting, MinutesComment, MinutesState, MinutesVersion
from coordination.web.authz import guard, require, reveal
from coordination.web.formatting import format_clock
from coordination.web.htmx import render, wants_fragment
from coordination.web.navigation import safe_next
from coordination.web.pagination import Page, page_number

bp = Blueprint("minutes", __name__, url_prefix="/sestanki")

HISTORY_PAGE_SIZE = 50
EXCERPT_CHARS = 160


@bp.context_processor
def _template_tools():
    return {"markdown": render_markdown}


# --- loading --------------------------------------------------------------------------------

def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = queries.load(meeting_id)
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)  # one who may not see it is not told that it exists
    return meeting


def _item_or_404(meeting_id: int, item_id: int) -> AgendaItem:
    """The agenda item with what the rules ask about its meeting, in a fixed number of queries."""
    item = db.session.scalar(
        select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id).options(
            joinedload(AgendaItem.meeting).selectinload(Meeting.participants),
            joinedload(AgendaItem.meeting).selectinload(Meeting.organisers),
            joinedload(AgendaItem.meeting).joinedload(Meeting.group).selectinload(WorkingGroup.memberships)))
    if item is None:
        abort(404)
    reveal(perm.can_view_item, item)
    return item


def _version(item: AgendaItem, number: int) -> MinutesVersion | None:
    if number <= 0:
        return None
    return db.session.scalar(select(MinutesVersion).where(MinutesVersion.item_id == item.id,
                                                          MinutesVersion.version == number))


def _comments(item: AgendaItem) -> list[MinutesComment]:
    return list(db.session.scalars(select(MinutesComment).where(MinutesComment.item_id == item.id)
                                   .order_by(MinutesComment.id)))


def _back_to_meeting(meeting: Meeting):
    """Where a workflow button was pressed (a local path), or the meeting's page."""
    return redirect(safe_next(request.form.get("next"), "meetings.detail", meeting_id=meeting.id))


# --- the editor -----------------------------------------------------------------------------

CURRENT = object()  # the editor continues from the item's current version


def _editor(item: AgendaItem, form: MinutesForm, *, status: int = 200, conflict: dict | None = None,
            base_version=CURRENT, headers: dict | None = None):
    """The editor page; the editor alone for htmx (a refused save replaces the one on the page).
    `base_version` is the version the next save starts from; None when the request did not say (the
    save is then refused again until the page is reloaded, rather than overwrite someone's text)."""
    meeting = item.meeting
    current = _version(item, item.minutes_version)
    revising = meeting.minutes_state == MinutesState.APPROVED
    comment_form = CommentForm(formdata=None, prefix="comment") if perm.can_comment(current_user, meeting) else None
    body, status, vary = render(
        "meetings/minutes_edit.html", "meetings/_minutes_editor.html", status=status, meeting=meeting, item=item,
        form=form, current=current, conflict=conflict, revising=revising, autosave=not revising and conflict is None,
        base_version=item.minutes_version if base_version is CURRENT else base_version,
        comments=_comments(item), comment_form=comment_form)
    return body, status, {**vary, **(headers or {})}


def _replace_editor():
    """htmx headers: the answer replaces the whole editor, not just its status line."""
    return {"HX-Retarget": "#minutes-editor", "HX-Reswap": "outerHTML"} if wants_fragment() else {}


def _status(item: AgendaItem, *, version: int, status: int = 200, error: str | None = None):
    """The status line of an autosave (the page itself is never shown this way: a plain save redirects)."""
    saved = _version(item, version)
    return render("meetings/minutes_edit.html", "meetings/_minutes_status.html", status=status, item=item,
                  meeting=item.meeting, base_version=version, error=error, just_saved=error is None,
                  saved_at=format_clock(saved.created_at) if saved else None, current=saved, oob_preview=error is None)


@bp.route("/<int:meeting_id>/tocke/<int:item_id>/zapisnik", methods=["GET", "POST"])
@guard(perm.can_browse)
def edit(meeting_id: int, item_id: int):
    """GET: the editor. POST: save the text if nobody saved since `base_version` (htmx: as you type)."""
    item = _item_or_404(meeting_id, item_id)
    require(perm.can_change_minutes, item)
    meeting = item.meeting
    revising = meeting.minutes_state == MinutesState.APPROVED
    if request.method == "GET":
        return _editor(item, MinutesForm(formdata=None, data={"text": item.minutes,
                                                             "base_version": item.minutes_version}))

    form = MinutesForm(needs_reason=revising)
    if not form.validate_on_submit():
        if wants_fragment() and list(form.errors) == ["text"]:
            # an autosave of a text that is too long: say so, leave the text where it is
            return _status(item, version=item.minutes_version, status=422, error=" ".join(form.text.errors))
        return _editor(item, form, status=422, base_version=form.base_version.data, headers=_replace_editor())
    text, reason = form.text.data, form.reason.data if revising else None
    try:
        version = services.save_minutes(item, text=text, base_version=form.base_version.data, author=current_user,
                                        reason=reason)
    except services.StaleMinutes as stale:
        if stale.current_text != text:
            return _conflict(item, form, stale)
        version = stale.current_version  # this very text is saved already (an autosave overtook the button)
    except services.MeetingError:
        # approved since the page was loaded, and the form had no reason: nothing saved
        db.session.rollback()
        form = MinutesForm(formdata=None, data={"text": text, "base_version": form.base_version.data})
        form.reason.errors = [_("The minutes have been approved meanwhile: say why they must change. The reason "
                                "is kept with the new revision.")]
        return _editor(item, form, status=422, base_version=form.base_version.data, headers=_replace_editor())
    if wants_fragment():
        return _status(item, version=version)
    if reason:
        flash(_("Revision %(number)d saved with its reason.", number=version), "success")
    else:
        flash(_("Minutes saved (version %(number)d).", number=version), "success")
    return redirect(url_for("minutes.edit", meeting_id=meeting.id, item_id=item.id))


def _conflict(item: AgendaItem, form: MinutesForm, stale: services.StaleMinutes):
    """Refuse a stale save (409) and show both texts; the form continues from the current version."""
    posted = form.text.data
    fresh = MinutesForm(formdata=None, data={"text": posted, "base_version": stale.current_version,
                                             "reason": form.reason.data})
    conflict = {"current_text": stale.current_text, "current": _version(item, stale.current_version),
                "diff": side_by_side(stale.current_text, posted)}
    return _editor(item, fresh, status=409, conflict=conflict, base_version=stale.current_version,
                   headers=_replace_editor())


# --- versions -------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/tocke/<int:item_id>/zgodovina")
@guard(perm.can_browse)
def history(meeting_id: int, item_id: int):
    """Every saved version, newest first, a page at a time: two queries however many there are."""
    item = _item_or_404(meeting_id, item_id)
    require(perm.can_view_item, item)
    number = page_number()
    rows = db.session.execute(
        select(MinutesVersion, func.substr(MinutesVersion.text, 1, EXCERPT_CHARS + 1))
        .where(MinutesVersion.item_id == item.id).options(defer(MinutesVersion.text))
        .order_by(MinutesVersion.version.desc())
        .limit(HISTORY_PAGE_SIZE).offset((number - 1) * HISTORY_PAGE_SIZE)).all()
    # versions are numbered 1, 2, 3 … without gaps, so the newest number is their count
    page = Page(items=[(version, _excerpt(text)) for version, text in rows], page=number,
                per_page=HISTORY_PAGE_SIZE, total=item.minutes_version)
    meeting = queries.load(meeting_id)  # its agenda, for the approved versions of the whole minutes
    return render("meetings/minutes_history.html", page=page, meeting=meeting, item=item,
                  numbers=range(item.minutes_version, 0, -1), old_number=max(item.minutes_version - 1, 0),
                  new_number=item.minutes_version, approved_versions=approval.approved_versions(meeting, current_user))


def _excerpt(text: str) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS].rstrip() + "…"


def _version_number(raw: str | None, default: int) -> int | None:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        return None


@bp.route("/<int:meeting_id>/tocke/<int:item_id>/primerjava")
@guard(perm.can_browse)
def compare(meeting_id: int, item_id: int):
    """Two versions side by side (?od=3&do=5); version 0 is the empty text before the first save."""
    item = _item_or_404(meeting_id, item_id)
    require(perm.can_view_item, item)
    latest = item.minutes_version
    old = _version_number(request.args.get("od"), max(latest - 1, 0))
    new = _version_number(request.args.get("do"), latest)
    context = {"meeting": item.meeting, "item": item, "numbers": range(latest, 0, -1), "old_number": old,
               "new_number": new}
    if old is None or new is None or old < 0 or new < 0:
        return render("meetings/minutes_compare.html", status=422, diff=None, **context,
                      error=_("Choose two versions by their numbers, e.g. 2 and 5."))
    if old > latest or new > latest:
        abort(404, description=_("This agenda item has no version %(number)d; its newest version is %(latest)d.",
                                 number=max(old, new), latest=latest))
    versions = {v.version: v for v in db.session.scalars(select(MinutesVersion).where(
        MinutesVersion.item_id == item.id, MinutesVersion.version.in_({old, new})))}
    old_version, new_version = versions.get(old), versions.get(new)
    diff = side_by_side(old_version.text if old_version else "", new_version.text if new_version else "")
    return render("meetings/minutes_compare.html", diff=diff, old=old_version, new=new_version, error=None, **context)


# --- comments -------------------------------------------------------------------------------

def _review(item: AgendaItem, form: CommentForm | None = None, *, status: int = 200):
    """The item's minutes with their comments; the comments alone for htmx."""
    meeting = item.meeting
    if form is None and perm.can_comment(current_user, meeting):
        form = CommentForm(formdata=None, prefix="comment")
    return render("meetings/minutes_review.html", "meetings/_minutes_comments.html", status=status, meeting=meeting,
                  item=item, comments=_comments(item), comment_form=form)


@bp.route("/<int:meeting_id>/tocke/<int:item_id>/pripombe", methods=["GET", "POST"])
@guard(perm.can_browse)
def comments(meeting_id: int, item_id: int):
    """GET: the item's minutes and comments. POST: a comment, while the minutes are circulated."""
    item = _item_or_404(meeting_id, item_id)
    require(perm.can_view_item, item)
    if request.method == "GET":
        return _review(item)
    meeting = item.meeting
    _refuse_out_of_turn(meeting, "comment", _("Comments are taken only while the minutes are circulated for review; "
                                              "these minutes are %(state)s."))
    require(perm.can_comment, meeting)
    form = CommentForm(prefix="comment")
    if not form.validate_on_submit():
        return _review(item, form, status=422)
    services.add_comment(item, author=current_user, text=form.text.data)
    if wants_fragment():
        return _review(item)
    flash(_("Comment added."), "success")
    return redirect(url_for("minutes.comments", meeting_id=meeting.id, item_id=item.id) + "#comments")


@bp.route("/<int:meeting_id>/tocke/<int:item_id>/pripombe/<int:comment_id>/razresi", methods=["POST"])
@guard(perm.can_browse)
def resolve_comment(meeting_id: int, item_id: int, comment_id: int):
    """Mark a comment resolved: its author, or whoever runs the meeting."""
    item = _item_or_404(meeting_id, item_id)
    require(perm.can_view_item, item)
    comment = next((c for c in _comments(item) if c.id == comment_id), None)
    if comment is None:
        abort(404)
    if comment.resolved_at is not None:
        abort(409, description=_("This comment has already been marked resolved."))
    require(perm.can_resolve_comment, comment)
    services.resolve_comment(comment, current_user)
    if wants_fragment():
        return _review(item)
    flash(_("The comment is marked resolved."), "success")
    return _back_to_meeting(item.meeting) if request.form.get("next") else redirect(
        url_for("minutes.comments", meeting_id=meeting_id, item_id=item_id) + f"#comment-{comment.id}")


# --- workflow -------------------------------------------------------------------------------

def state_label(state: MinutesState) -> str:
    return {MinutesState.DRAFT: _("a draft"), MinutesState.CIRCULATED: _("circulated for review"),
            MinutesState.APPROVED: _("approved")}[state]


def _refuse_out_of_turn(meeting: Meeting, step: str, refusal: str) -> None:
    """A step the minutes' state does not allow is refused with 409 and why, to whoever sees the
    meeting, before the rule is asked who may take it (services.expect_state knows the states)."""
    try:
        services.expect_state(meeting, step)
    except services.WrongState as wrong:
        abort(409, description=refusal % {"state": state_label(wrong.state)})


def _step(meeting_id: int, step: str, rule, take, *, refusal: str, done: str):
    meeting = _meeting_or_404(meeting_id)
    require(perm.can_view, meeting)
    _refuse_out_of_turn(meeting, step, refusal)
    require(rule, meeting)
    take(meeting)
    flash(done, "success")
    return _back_to_meeting(meeting)


@bp.route("/<int:meeting_id>/zapisnik/v-pregled", methods=["POST"])
@guard(perm.can_browse)
def circulate(meeting_id: int):
    """Draft -> circulated: the participants are invited to comment."""
    return _step(meeting_id, "circulate", perm.can_circulate, lambda meeting: services.circulate(meeting, current_user),
                 refusal=_("Only a draft can be circulated; these minutes are %(state)s."),
                 done=_("The minutes are circulated for review: the participants can now comment on each "
                        "agenda item."))


@bp.route("/<int:meeting_id>/zapisnik/potrdi", methods=["GET", "POST"])
@guard(perm.can_browse)
def approve(meeting_id: int):
    """GET: the approval checklist (what is still missing) and the form. POST: circulated -> approved
    by the chair or secretary, only after the meeting has ended (409 before), and with open points only
    when the approver ticks that they confirm the list shown (422 without); the minutes are locked."""
    meeting = queries.load_for_approval(meeting_id)
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)  # one who may not see it is not told that it exists
    _refuse_out_of_turn(meeting, "approve", _("Only circulated minutes can be approved; these minutes are "
                                              "%(state)s."))
    require(perm.can_approve, meeting)
    checklist = approval.checklist(meeting, current_user)
    if request.method == "GET":
        form = ApprovalForm(formdata=None, missing=checklist.missing, data={"checked": checklist.fingerprint})
        return _approval_page(meeting, checklist, form)
    if not checklist.ended:
        return _approval_page(meeting, checklist, ApprovalForm(missing=checklist.missing), status=409)
    form = ApprovalForm(missing=checklist.missing)
    if not form.validate_on_submit():
        return _approval_page(meeting, checklist, form, status=422)
    try:
        services.approve(meeting, current_user, confirmed=form.checked.data if form.confirm.data else None)
    except services.OpenPoints as changed:  # the list is not the one the approver confirmed
        db.session.rollback()
        meeting = _meeting_or_404(meeting_id)
        fresh = ApprovalForm(formdata=None, missing=changed.checklist.missing,
                             data={"checked": changed.checklist.fingerprint})
        fresh.confirm.errors = [_("The open points have changed since you opened this page: check the list again. "
                                  "Nothing has been approved.")]
        return _approval_page(meeting, approval.checklist(meeting, current_user), fresh, status=409)
    flash(_("The minutes are approved. From now on a change needs a reason and is kept as a revision."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


def _approval_page(meeting: Meeting, checklist: approval.Checklist, form: ApprovalForm, *, status: int = 200):
    form.checked.data = checklist.fingerprint  # the list shown is the list a tick confirms
    return render("meetings/minutes_approve.html", status=status, meeting=meeting, checklist=checklist, form=form)
