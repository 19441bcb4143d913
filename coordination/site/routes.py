"""Public pages that a Slovenian public-sector site must publish, and health probes.

The legal texts are long, structured prose reviewed as a whole by whoever runs the installation, so
each language has its own text template (templates/site/text/<page>.<lang>.html) instead of dozens of
sentence-sized catalogue entries; the page around them goes through Babel as usual."""
from datetime import date

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from coordination.extensions import db
from coordination.web.authz import public
from coordination.web.htmx import render

bp = Blueprint("site", __name__)


def _statement_dates() -> dict[str, date]:
    return {key: date.fromisoformat(current_app.config[f"ACCESSIBILITY_{key.upper()}"])
            for key in ("prepared", "reviewed")}


@bp.route("/dostopnost")
@public
def accessibility():
    return render("site/page.html", text="accessibility", title=_("Accessibility statement"),
                  dates=_statement_dates())


@bp.route("/zasebnost")
@public
def privacy():
    return render("site/page.html", text="privacy", title=_("Privacy notice"), dates=_statement_dates())


@bp.route("/viri")
@public
def sources():
    return render("site/page.html", text="sources", title=_("Data sources and licences"), dates=_statement_dates())


@bp.route("/healthz")
@public
def healthz():
    """The process is up and answering; says nothing about the database (that is /readyz)."""
    return jsonify(status="ok")


def _migration_state() -> tuple[str | None, str | None]:
    """(revision the database is at, newest revision the code knows)."""
    current = MigrationContext.configure(db.session.connection()).get_current_revision()
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    return current, script.get_current_head()


@bp.route("/readyz")
@public
def readyz():
    """Ready for traffic: the database answers and its schema is the one this code expects."""
    try:
        db.session.execute(text("SELECT 1"))
        current, head = _migration_state()
    except SQLAlchemyError:
        current_app.logger.exception("readiness probe: database unreachable")
        return jsonify(status="unavailable", reason="database unreachable"), 503
    if current != head:
        return jsonify(status="unavailable", reason="migrations not current", database=current, code=head), 503
    return jsonify(status="ok", revision=head)
