"""The action-item list: filters, sorting and pages (htmx live filter), status changes from a row
and for selected rows, export to CSV and XLSX, and the CSV bulk status upload with its preview."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge

from coordination import types
from coordination.actions import io, listing, queries, services
from coordination.actions import permissions as perm
from coordination.actions.forms import StatusForm
from coordination.actions.list_forms import BulkStatusForm, ImportForm
from coordination.actions.models import PRIORITY_LABELS, STATUS_LABELS, ImportBatch, ItemStatus
from coordination.extensions import db
from coordination.web.authz import guard, require
from coordination.web.formatting import format_date, format_number, translated
from coordination.web.htmx import render, wants_fragment
from coordination.web.navigation import safe_next
from coordination.web.pagination import page_number
from coordination.web.routing import id_or_none

bp = Blueprint("action_lists", __name__, url_prefix="/naloge")

PREVIEW_LIMIT = 500  # rows of each kind shown in the preview; all of them are kept and applied


def _context(filters) -> dict:
    return {"filters": filters, "args": filters.args(), "status_labels": translated(STATUS_LABELS),
            "priority_labels": translated(PRIORITY_LABELS), "allowed_next": services.allowed_next,
            "today": types.today()}


def _back(target: str | None) -> str:
    """Back to the list as it was filtered (only our own list addresses)."""
    url = safe_next(target, "action_lists.index")
    return url if url.startswith(url_for("action_lists.index")) else url_for("action_lists.index")


# --- the list ----------------------------------------------------------------------------------

@bp.route("/")
@guard(perm.can_browse)
def index():
    filters = listing.parse(request.args)
    page = listing.page(current_user, filters, page_number())
    context = _context(filters)
    if not wants_fragment():  # the filter form is not part of the fragment
        options = listing.filter_options(current_user, filters.meeting)
        options["meetings"] = [(m_id, f"{title} ({format_date(starts)})") for m_id, title, starts in options["meetings"]]
        context["options"] = options
    return render("actions/list.html", "actions/_rows.html", page=page, here=request.full_path.rstrip("?"),
                  **context)


@bp.route("/seznam/<int:item_id>/stanje", methods=["POST"])
@guard(perm.can_browse)
def set_status(item_id: int):
    """A row's status change: the row again for htmx, otherwise back to the filtered list."""
    item = queries.load(item_id)
    if item is None or not perm.can_view(current_user, item):
        abort(404)
    require(perm.can_update, item)
    back = _back(request.form.get("next"))
    # any status passes the form; the service refuses a transition the item cannot make, and the
    # row says which
    form = StatusForm(item=item, allowed=list(ItemStatus))
    error, old = None, item.status
    if form.version.outdated(item):  # the list showed an older state of the item
        return _changed_meanwhile(item_id, back)
    new = ItemStatus(form.status.data) if form.validate_on_submit() else None
    if new is None:
        error = _("Choose a new status.")
    else:
        try:
            services.change_status(item, new, author=current_user, note=form.note.data or "")
        except StaleDataError:  # a simultaneous change of the same item was first
            return _changed_meanwhile(item_id, back)
        except services.IllegalTransition:
            db.session.rollback()
            error = _("Item %(id)d cannot go from “%(old)s” to “%(new)s”; nothing was changed.", id=item_id,
                      old=STATUS_LABELS[old], new=STATUS_LABELS[new])
    message = error or _("Item %(id)d: %(old)s → %(new)s.", id=item_id, old=STATUS_LABELS[old],
                         new=STATUS_LABELS[new])
    if wants_fragment():
        db.session.expire_all()
        row = listing.one_row(current_user, item_id)
        return render("actions/_list_row.html", row=row, notice=message, notice_error=bool(error), here=back,
                      status=422 if error else 200, **_context(listing.parse(request.args)))
    flash(message, "error" if error else "success")
    return redirect(back, 303)


def _changed_meanwhile(item_id: int, back: str):
    """409 with the item as it is now: its row again for htmx, otherwise the message alone."""
    db.session.rollback()
    item = queries.load(item_id)
    message = _("Item %(id)d has just been changed by somebody else; it is now “%(status)s”. Nothing was saved.",
                id=item_id, status=STATUS_LABELS[item.status])
    if not wants_fragment():
        abort(409, description=message)
    row = listing.one_row(current_user, item_id)
    return render("actions/_list_row.html", row=row, notice=message, notice_error=True, here=back, status=409,
                  **_context(listing.parse(request.args)))


@bp.route("/seznam/stanje", methods=["POST"])
@guard(perm.can_browse)
def bulk_status():
    """The selected rows to one status: items the user may not update are refused whatever ids
    are posted; illegal transitions are refused and counted."""
    back = _back(request.form.get("next"))
    form = BulkStatusForm()
    ids = sorted({i for i in map(id_or_none, request.form.getlist("ids")) if i is not None})
    if not form.validate_on_submit():
        flash(_("Choose the new status for the selected items."), "error")
        return redirect(back, 303)
    if not ids:
        flash(_("Select at least one item in the list."), "error")
        return redirect(back, 303)
    items = listing.updatable_items(current_user, ids)
    forbidden = len(ids) - len(items)
    changed, refused = (services.change_statuses(items, ItemStatus(form.status.data), author=current_user)
                        if items else (0, []))
    parts = [ngettext("%(num)d item changed to “%(status)s”.", "%(num)d items changed to “%(status)s”.", changed,
                      status=STATUS_LABELS[ItemStatus(form.status.data)])]
    if refused:
        parts.append(ngettext("%(num)d refused (the status cannot change that way).",
                              "%(num)d refused (the status cannot change that way).", len(refused)))
    if forbidden:
        parts.append(ngettext("%(num)d refused (you may not change it).",
                              "%(num)d refused (you may not change them).", forbidden))
    flash(" ".join(parts), "success" if changed and not (refused or forbidden) else "warning" if changed else "error")
    return redirect(back, 303)


# --- export ------------------------------------------------------------------------------------

def _filename(ext: str) -> str:
    return f"naloge-{types.today().isoformat()}.{ext}"


@bp.route("/izvoz.csv")
@guard(perm.can_browse)
def export_csv():
    rows = listing.export_rows(current_user, listing.parse(request.args))
    return Response(io.to_csv(rows), mimetype="text/csv",  # Flask adds "; charset=utf-8"
                    headers={"Content-Disposition": f'attachment; filename="{_filename("csv")}"'})


@bp.route("/izvoz.xlsx")
@guard(perm.can_browse)
def export_xlsx():
    rows = listing.export_rows(current_user, listing.parse(request.args))
    return Response(io.to_xlsx(rows, _("Action items")),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{_filename("xlsx")}"'})


# --- import ------------------------------------------------------------------------------------

def _import_page(form, status=200):
    return render("actions/import.html", form=form, max_rows=io.MAX_ROWS, status_labels=translated(STATUS_LABELS),
                  status=status)


@bp.route("/uvoz", methods=["GET", "POST"])
@guard(perm.can_browse)
def upload():
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if request.method == "POST" else 200)
    data = form.file.data.read(io.MAX_BYTES + 1)
    filename = form.file.data.filename or ""
    try:
        if len(data) > io.MAX_BYTES:
            raise io.FileProblem(_("The file is larger than 2 MB; split it into smaller files."))
        parsed = io.check(current_user, io.read(data))
    except io.FileProblem as problem:
        form.file.errors.append(str(problem))
        return _import_page(form, 422)
    batch = services.create_import_batch(current_user, filename=filename, valid_rows=parsed.rows,
                                         errors=parsed.errors)
    return redirect(url_for("action_lists.preview", batch_id=batch.id), 303)


def _batch_or_404(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if not perm.owns_import(current_user, batch):  # somebody else's upload does not exist for you
        abort(404)
    return batch


@bp.route("/uvoz/<int:batch_id>")
@guard(perm.can_browse)
def preview(batch_id: int):
    batch = _batch_or_404(batch_id)
    shown = batch.valid_rows[:PREVIEW_LIMIT]
    titles = listing.titles(current_user, [row["item_id"] for row in shown])
    return render("actions/import_preview.html", batch=batch, shown=shown, titles=titles, limit=PREVIEW_LIMIT,
                  status_labels=translated(STATUS_LABELS))


@bp.route("/uvoz/<int:batch_id>/potrdi", methods=["POST"])
@guard(perm.can_browse)
def confirm(batch_id: int):
    batch = _batch_or_404(batch_id)
    if batch.applied_at is not None:
        flash(_("This upload was already applied; nothing was changed again."), "error")
        return redirect(url_for("action_lists.preview", batch_id=batch.id), 303)

    def recheck(rows):
        states = io.current_states(current_user, [row["item_id"] for row in rows])
        return {row["item_id"]: io.problem(row, states.get(row["item_id"])) for row in rows}

    result = services.apply_import(batch, author=current_user, check=recheck)
    if result is None:
        flash(_("This upload was already applied; nothing was changed again."), "error")
        return redirect(url_for("action_lists.preview", batch_id=batch_id), 303)
    changed, refused = result
    message = ngettext("%(num)d item updated.", "%(num)d items updated.", changed)
    if refused:
        message += " " + ngettext(
            "%(num)d row was no longer valid and was skipped (the item changed in the meantime).",
            "%(num)d rows were no longer valid and were skipped (the items changed in the meantime).", len(refused))
    flash(message, "success" if not refused else "warning")
    return redirect(url_for("action_lists.index"), 303)


@bp.route("/uvoz/predloga.csv")
@guard(perm.can_browse)
def import_template():
    return Response(io.template_csv(), mimetype="text/csv",  # Flask adds "; charset=utf-8"
                    headers={"Content-Disposition": 'attachment; filename="naloge-uvoz-predloga.csv"'})


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    """An upload over the request limit: say what the limit is and what to do."""
    return render("errors/error.html", "errors/_error.html", status=413, code=413,
                  title=_("The upload is too large"),
                  text=_("The file is larger than 2 MB, the most an upload may be. Split it into smaller files "
                         "(at most %(max)s rows each) and upload them one at a time; nothing was changed.",
                         max=format_number(io.MAX_ROWS)))
