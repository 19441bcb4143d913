"""Calendar: a meeting as .ics, the personal and group feeds (the secret token is the key), and the
page where a signed-in user finds and resets the feed addresses."""
from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from coordination.calendar import ics, services
from coordination.extensions import db
from coordination.groups import permissions as groups_perm
from coordination.groups import services as groups
from coordination.meetings import permissions as perm
from coordination.meetings.models import Meeting
from coordination.roles import is_staff
from coordination.types import LJUBLJANA
from coordination.web.authz import guard, public, require, reveal
from coordination.web.htmx import render

bp = Blueprint("calendar", __name__)


def _meeting_url(meeting: Meeting) -> str:
    return url_for("meetings.detail", meeting_id=meeting.id, _external=True)


def _ics(body: bytes, filename: str | None = None, *, private: bool = True) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.mimetype_params["charset"] = "utf-8"
    if filename:
        response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store" if private else "private, max-age=300"
    return response


@bp.route("/sestanki/<int:meeting_id>.ics")
@guard(perm.can_browse)
def meeting_ics(meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id, options=[selectinload(Meeting.participants),
                                                           selectinload(Meeting.organisers)])
    if meeting is None:
        abort(404)
    reveal(perm.can_view, meeting)
    day = meeting.starts_at.astimezone(LJUBLJANA).date().isoformat()
    return _ics(ics.calendar([meeting], _meeting_url), f"sestanek-{day}-{meeting.id}.ics")


@bp.route("/koledar/<token>.ics")
@public
def user_feed(token: str):
    """The personal feed: the meetings its owner may view. The token is the only key."""
    user = services.user_by_token(token)
    if user is None:
        abort(404)
    body = ics.calendar(services.user_meetings(user), _meeting_url, name=_("Meetings: %(name)s", name=user.name))
    return _ics(body, private=False)


@bp.route("/koledar/skupina/<token>.ics")
@public
def group_feed(token: str):
    """A working group's feed for one reader: its meetings that are not confidential and that the
    reader may see, while the reader belongs to the group (checked now, as pages do)."""
    found = services.group_feed_reader(token)
    if found is None:
        abort(404)
    group, reader = found
    body = ics.calendar(services.group_meetings(group, reader), _meeting_url, name=f"{group.name} ({group.code})")
    return _ics(body, private=False)


@bp.route("/koledar/")
@guard(perm.can_browse)
def index():
    """The user's feed address and those of their working groups (looking changes nothing: the
    addresses are made with the button)."""
    mine = services.my_groups(current_user)
    others = [g for g in services.all_groups() if g not in mine] if is_staff(current_user) else []
    return render("calendar/index.html", own=current_user.calendar_token, my_groups=mine, other_groups=others,
                  group_feed_token=services.group_feed_token)


@bp.route("/koledar/ponastavi", methods=["POST"])
@guard(perm.can_browse)
def reset_user():
    """Make (or remake) the user's addresses: the personal feed's, and with it the user's part of
    every group feed address; groups of theirs without an address get one."""
    had = bool(current_user.calendar_token)
    services.reset_token(current_user)
    for group in services.my_groups(current_user):
        services.ensure_token(group)
    flash(_("Your calendar has a new address; the old one no longer works. Subscribe again with the new "
            "address.") if had else _("Your calendar addresses have been made."), "success")
    return redirect(url_for("calendar.index"))


@bp.route("/koledar/skupina/<int:group_id>/ponastavi", methods=["POST"])
@guard(perm.can_browse)
def reset_group(group_id: int):
    """A new feed address for the group (also the first one): its chair or secretary, or staff."""
    group = groups.load(group_id)
    if group is None:
        abort(404)
    require(groups_perm.can_manage, group)
    had = bool(group.calendar_token)
    services.reset_token(group)
    flash(_("The calendar of %(name)s has a new address; the old one no longer works.", name=group.name)
          if had else _("The calendar of %(name)s now has an address.", name=group.name), "success")
    return redirect(url_for("calendar.index"))
