"""The registry out of the app: CSV and XLSX (public fields, all fields for staff), the registry PDF
(national or per region) and the datasets as DCAT-AP in Turtle and JSON-LD."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from coordination.documents.render import in_document_language, render_pdf
from coordination.organisations import services as organisations
from coordination.organisations.reference import ATTRIBUTION
from coordination.stewards import dcat, export, queries
from coordination.stewards import permissions as perm
from coordination.stewards.drawing import coverage_map
from coordination.stewards.routes import labels
from coordination.types import today, utcnow
from coordination.web.authz import guard, public
from coordination.web.formatting import format_datetime

bp = Blueprint("steward_exports", __name__, url_prefix="/skrbniki")


def _download(body: bytes, mimetype: str, filename: str):
    return body, 200, {"Content-Type": mimetype, "Content-Disposition": f'attachment; filename="{filename}"',
                       "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def _region() -> str:
    code = request.args.get("regija", "")[:8]
    if code and code not in {r.code for r in organisations.regions()}:
        abort(404)
    return code


@bp.route("/register.csv")
@guard(perm.can_export)
def export_csv():
    rows = queries.export_appointments(today())
    return _download(export.to_csv(rows, all_fields=perm.can_review(current_user)), "text/csv; charset=utf-8",
                     f"register-skrbnikov-{today().isoformat()}.csv")


@bp.route("/register.xlsx")
@guard(perm.can_export)
def export_xlsx():
    rows = queries.export_appointments(today())
    return _download(export.to_xlsx(rows, all_fields=perm.can_review(current_user), title=_("Data stewards")),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"register-skrbnikov-{today().isoformat()}.xlsx")


@bp.route("/register.pdf")
@guard(perm.can_export)
@in_document_language
def export_pdf():
    region = _region()
    day = today()
    result = queries.coverage(day, region)
    appointments = [a for a in queries.export_appointments(day, region)]
    region_name = result.regions[0].label if region and result.regions else ""
    pdf = render_pdf("stewards_registry.html", coverage=result, map=coverage_map(result.municipalities, region),
                     appointments=appointments, region_name=region_name, all_fields=perm.can_review(current_user),
                     attribution=ATTRIBUTION, surs=queries.SURS, generated=format_datetime(utcnow()), today=day,
                     **labels())
    name = f"register-skrbnikov{'-' + region.lower() if region else ''}-{day.isoformat()}.pdf"
    return _download(pdf, "application/pdf", name)


def _graph():
    base = current_app.config.get("APP_BASE_URL") or request.url_root
    return dcat.graph(queries.public_datasets(today()), base=base,
                      catalog_title="Podatkovni nizi občinskih skrbnikov podatkov",
                      catalog_description="Podatkovni nizi, za katere skrbijo potrjeni skrbniki podatkov slovenskih občin.",
                      publisher_name="Ministrstvo za digitalno preobrazbo")


@bp.route("/dcat.ttl")
@public
def dcat_turtle():
    return dcat.turtle(_graph()), 200, {"Content-Type": "text/turtle; charset=utf-8", "X-Content-Type-Options": "nosniff"}


@bp.route("/dcat.jsonld")
@public
def dcat_jsonld():
    return dcat.json_ld(_graph()), 200, {"Content-Type": "application/ld+json; charset=utf-8",
                                         "X-Content-Type-Options": "nosniff"}
