"""In-app notifications (/obvestila) and the e-mail settings page (a switch per kind of event)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

import coordination.notifications.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.actions.models import Notification
from coordination.notifications import item_mail as _item_mail  # noqa: F401  (e-mails the items' notices)
from coordination.notifications import minutes as _minutes  # noqa: F401  (listens to the minutes)
from coordination.notifications import services
from coordination.notifications.forms import EmailSettingsForm
from coordination.notifications.permissions import can_browse
from coordination.web.authz import guard
from coordination.web.htmx import render, wants_fragment
from coordination.web.pagination import paginate

bp = Blueprint("notifications", __name__)

PER_PAGE = 30
CHANGED = {"HX-Trigger": "notifications-changed"}  # the header badge listens for this


@bp.app_template_global()
def unread_notifications() -> int:
    """The header badge: one COUNT on an index, only for signed-in users."""
    if not current_user.is_authenticated:
        return 0
    return services.unread_count(current_user)


def _list(page: int | None = None, status: int = 200, headers: dict | None = None):
    query = services.notifications_query(current_user).options(joinedload(Notification.item))
    page = paginate(query, per_page=PER_PAGE, page=page)
    body, code, extra = render("notifications/index.html", "notifications/_list.html", status=status, page=page,
                               text=services.notification_text)
    return body, code, {**extra, **(headers or {})}


def _own_or_404(notification_id: int) -> Notification:
    notification = services.own_notification(current_user, notification_id)
    if notification is None:  # somebody else's is as unknown as one that does not exist
        abort(404)
    return notification


def _form_page() -> int:
    try:
        return max(1, min(int(request.form.get("page", 1)), 1_000_000))
    except ValueError:
        return 1


@bp.route("/obvestila")
@guard(can_browse)
def index():
    return _list()


@bp.route("/obvestila/stevec")
@guard(can_browse)
def badge():
    # polled from every page: keep "this is the current page" when it is the list itself
    on_list = urlsplit(request.headers.get("HX-Current-URL", "")).path == url_for(".index")
    return render("notifications/_badge.html", unread=unread_notifications(), on_list=on_list)


@bp.route("/obvestila/<int:notification_id>", methods=["GET", "POST"])
@guard(can_browse)
def open_item(notification_id: int):
    """Follow a notification to its item. Opened from the list (a POST), it counts as read from
    then on; a GET (a copied link) only leads there and changes nothing."""
    notification = _own_or_404(notification_id)
    target = url_for("actions.detail", item_id=notification.item_id) if notification.item_id else url_for(".index")
    if notification.count > 1 and notification.item is not None and notification.item.fanout_id:
        target = url_for("fanouts.view", fanout_id=notification.item.fanout_id)  # many municipalities: the matrix
    if notification.link and notification.link.startswith("/") and not notification.link.startswith("//"):
        target = notification.link  # another feature's notice names its own page
    if request.method == "GET":  # a link only leads there; the list's button (a POST) marks it read
        return redirect(target)
    services.mark_read(notification)
    return redirect(target, 303)


@bp.route("/obvestila/<int:notification_id>/prebrano", methods=["POST"])
@guard(can_browse)
def mark_read(notification_id: int):
    services.mark_read(_own_or_404(notification_id))
    if wants_fragment():
        return _list(page=_form_page(), headers=CHANGED)
    flash(_("Notification marked as read."), "success")
    return redirect(url_for(".index", page=_form_page()))


@bp.route("/obvestila/prebrano", methods=["POST"])
@guard(can_browse)
def mark_all_read():
    changed = services.mark_all_read(current_user)
    if wants_fragment():
        return _list(page=1, headers=CHANGED)
    flash(_("All notifications marked as read.") if changed else _("There were no unread notifications."),
          "success")
    return redirect(url_for(".index"))


@bp.route("/racun/obvestila", methods=["GET", "POST"])
@guard(can_browse)
def settings():
    """E-mail settings: a switch per kind of event and the daily digest (the link at the end of every
    e-mail leads here). Bad input is shown again as sent, with the error at its box (422)."""
    form = EmailSettingsForm()
    if request.method == "GET":
        for key, on in services.preferences(current_user).items():
            form[key].data = on
    elif form.validate_on_submit():
        changed = services.set_preferences(current_user, {key: form[key].data for key in form.KINDS})
        flash(_("Your e-mail settings are saved.") if changed else _("Nothing changed in your e-mail settings."),
              "success")
        return redirect(url_for(".settings"))
    return render("notifications/settings.html", form=form, days=current_app.config["REMINDER_DAYS"],
                  status=422 if request.method == "POST" else 200)
