"""The network analysis (which points close) and the network decisions: the proposal as a
bookmarkable GET page whose pins re-solve it in place (htmx) or by plain links, its adoption as one
audited decision, the decisions' list, page and PDF report."""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from coordination.documents.render import in_document_language, render_pdf
from coordination.extensions import db
from coordination.points import analysis, analysis_view, decisions
from coordination.points import decision_permissions as perm
from coordination.points.analysis_forms import MAX_PINS, AdoptForm, AnalysisForm, pins, regions
from coordination.points.decision_models import NetworkDecision
from coordination.points.models import Programme
from coordination.points.services import current_programme
from coordination.roles import signed_in
from coordination.types import today, utcnow
from coordination.web.authz import guard, require
from coordination.web.formatting import format_date
from coordination.web.htmx import render

bp = Blueprint("point_analysis", __name__, url_prefix="/tocke")
bp.add_app_template_filter(analysis_view.month_label, "month_label")


def _programme(args) -> Programme | None:
    """?programme=ID, or the current programme."""
    wanted = args.get("programme", "")
    if wanted:
        programme = db.session.get(Programme, int(wanted)) if wanted.isdigit() and len(wanted) < 10 else None
        if programme is None:
            abort(404)
        return programme
    return current_programme()


def _analysis(args: MultiDict, *, adopt_form: AdoptForm | None = None, status: int = 200, notice: str | None = None):
    """The analysis page (or, for htmx, its workspace) for these query arguments."""
    programme = _programme(args)
    form = AnalysisForm(formdata=args)
    pinned_open, open_ok = pins(args, "open")
    pinned_closed, closed_ok = pins(args, "closed")
    context = {"programme": programme, "form": form, "proposal": None, "notice": notice,
               "pin_error": None if open_ok and closed_ok else _("Some pinned points were not point numbers and "
                                                                 "were left out."),
               "region_names": dict(regions())}
    asked = "mode" in args
    if programme is not None:
        default_on = analysis.default_date(programme, today())
        if asked and form.validate():
            params = form.params(default_on, pinned_open, pinned_closed)
            proposal = decisions.propose(programme, params)
            context.update(_proposal_context(proposal, args, adopt_form))
            if context["blocked_field"] is not None:
                form[context["blocked_field"]].errors.append(context["blocked_text"])
            if status == 200 and not proposal.solution.has_plan and proposal.solution.status in ("infeasible",
                                                                                                  "rejected"):
                status = 422
        elif asked:
            status = 422
        else:
            context["default_on"] = default_on
            context["default_window"] = analysis.default_window(default_on)
    return render("points/analysis/index.html", "points/analysis/_workspace.html", status=status, **context)


def _proposal_context(proposal: decisions.Proposal, args: MultiDict, adopt_form: AdoptForm | None) -> dict:
    s = proposal.solution
    p = proposal.params
    links = analysis_view.Pins.from_args(url_for("point_analysis.index"), args, p.pinned_open, p.pinned_closed)
    fatal = analysis_view.findings_text(list(s.findings), fatal=True)
    blocked_field, blocked_text = None, None
    kinds = {f.kind for f in s.findings if f.fatal}
    if kinds & {"too_many_closures", "solver_infeasible", "pins_exceed_count"}:
        blocked_field, blocked_text = "close", " ".join(fatal)
    elif "no_visits" in kinds or (s.status == "rejected" and not proposal.rows):
        blocked_field, blocked_text = "window_from", " ".join(fatal) or _("There are no points to decide on.")
    if adopt_form is None:
        adopt_form = AdoptForm(formdata=None)
    adopt_form.query.data = links.query()
    adopt_form.fingerprint.data = proposal.fingerprint
    adopt_form.closed.data = ",".join(str(i) for i in s.closed_ids)
    rows = analysis_view.table_rows(proposal.rows, p.expected_monthly, links)
    region_names = dict(regions())
    return {
        "proposal": proposal, "solution": s, "params": p, "rows": rows, "regions": proposal.regions,
        "national": analysis.sum_regions(proposal.regions) if proposal.regions else None,
        "map": analysis_view.map_context(rows) if rows else None, "pins": links,
        "fatal": fatal, "facts": analysis_view.findings_text(list(s.findings), fatal=False),
        "blocked_field": blocked_field, "blocked_text": blocked_text,
        "status_text": analysis_view.status_text(s.status), "cost_text": proposal.cost_text(analysis_view.lang()),
        "parameter_lines": analysis_view.parameter_lines(p.as_json(), region_names),
        "adopt_form": adopt_form,
        "adopted": decisions.find_adopted(proposal.data.programme, proposal.fingerprint),
        "too_many_pins": len(p.pinned_open) + len(p.pinned_closed) >= MAX_PINS,
    }


@bp.route("/analiza")
@guard(perm.can_analyse)
def index():
    return _analysis(request.args)


@bp.route("/analiza/sprejmi", methods=["POST"])
@guard(perm.can_adopt)
def adopt():
    form = AdoptForm()
    args = MultiDict(parse_qsl(form.query.data or "", keep_blank_values=True))
    closed_ids = form.closed_ids()
    if not form.validate_on_submit() or closed_ids is None or not form.fingerprint.data:
        return _analysis(args, adopt_form=form, status=422,
                         notice=_("The decision was not adopted: the form was incomplete. Check the proposal and "
                                  "adopt it again."))
    programme = _programme(args)
    analysis_form = AnalysisForm(formdata=args)
    if programme is None or "mode" not in args or not analysis_form.validate():
        return _analysis(args, adopt_form=form, status=422)
    params = analysis_form.params(analysis.default_date(programme, today()), pins(args, "open")[0],
                                  pins(args, "closed")[0])
    try:
        decision = decisions.adopt(programme, params, fingerprint=form.fingerprint.data, closed_ids=closed_ids,
                                   author=current_user, note=form.note.data or "")
    except decisions.AlreadyAdopted as exc:
        db.session.rollback()
        return render("points/analysis/conflict.html", status=409, decision=exc.decision, stale=False,
                      again=url_for("point_analysis.index") + "?" + (form.query.data or ""))
    except decisions.StaleProposal:
        db.session.rollback()
        return render("points/analysis/conflict.html", status=409, decision=None, stale=True,
                      again=url_for("point_analysis.index") + "?" + (form.query.data or ""))
    except decisions.NoPlan:
        db.session.rollback()
        return _analysis(args, adopt_form=form, status=422)
    flash(_("Decision adopted: %(closed)d of %(points)d points close on %(date)s; their hosts have been notified.",
            closed=decision.closed_count, points=decision.points_before, date=format_date(decision.decided_on)),
          "success")
    return redirect(url_for("point_analysis.decision", decision_id=decision.id), 303)


# --- decisions ---------------------------------------------------------------------------------------

@bp.route("/odlocitve/")
@guard(perm.can_browse_decisions)
def decisions_index():
    rows = db.session.execute(
        select(NetworkDecision.id, NetworkDecision.decided_on, NetworkDecision.window_from, NetworkDecision.window_to,
               NetworkDecision.points_before, NetworkDecision.closed_count, NetworkDecision.lost_monthly,
               NetworkDecision.lost_window, NetworkDecision.adopted_by_label, NetworkDecision.adopted_at,
               Programme.name)
        .join(Programme).order_by(NetworkDecision.decided_on.desc(), NetworkDecision.id.desc())).all()
    return render("points/analysis/decisions.html", decisions=rows)


def _decision_or_404(decision_id: int) -> NetworkDecision:
    decision = db.session.get(NetworkDecision, decision_id)
    if decision is None or not perm.can_view_decision(current_user, decision):
        abort(404)
    return decision


def decision_context(decision: NetworkDecision, full: bool) -> dict:
    """What the decision page and its PDF show; `full` = every point's figures (else only one's own)."""
    region_names = dict(regions())
    rows = decision.points if full else [r for r in decision.points if perm.concerns(current_user, r)]
    expected = decision.parameters.get("expected_monthly", 30.0)
    status = decision.figures.get("status", "optimal")
    return {
        "decision": decision, "full": full, "rows": analysis_view.table_rows(rows, expected),
        "map": analysis_view.map_context(decision.points), "regions": decision.regions if full else [],
        "national": analysis.sum_regions(decision.regions) if full and decision.regions else None,
        "parameter_lines": analysis_view.parameter_lines(decision.parameters, region_names),
        "solution_status": status, "status_text": analysis_view.status_text(status), "figures": decision.figures,
        "generated": utcnow(),
    }


@bp.route("/odlocitve/<int:decision_id>")
@guard(signed_in)  # then the decision's own rule: its hosts and municipalities may read it too
def decision(decision_id: int):
    decision = _decision_or_404(decision_id)
    return render("points/analysis/decision.html", **decision_context(
        decision, perm.can_browse_decisions(current_user)))


@bp.route("/odlocitve/<int:decision_id>.pdf")
@guard(perm.can_browse_decisions)
@in_document_language
def decision_pdf(decision_id: int):
    decision = _decision_or_404(decision_id)
    require(perm.can_download_report, decision)
    pdf = render_pdf("pdf/network_decision.html", **decision_context(decision, True))
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"odlocitev-o-mrezi-{decision.decided_on.isoformat()}-{decision.id}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response
