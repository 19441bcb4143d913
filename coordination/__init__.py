"""Koordinacija občin: the coordination workspace of Slovenian municipalities, their associations and the ministry."""
from __future__ import annotations

import importlib
import sqlite3

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

import config as app_config
from coordination.extensions import babel, csrf, db, htmx, login_manager, migrate
from coordination.web import authz, errors, formatting, operations, routing, security, transaction, translations

BLUEPRINTS = (
    "coordination.accounts.routes",
    "coordination.organisations.routes",
    "coordination.audit.routes",
    "coordination.groups.routes",
    "coordination.dashboard.routes",
    "coordination.meetings.routes.meeting",
    "coordination.meetings.routes.minutes",
    "coordination.meetings.routes.conclusions",
    "coordination.documents.routes",
    "coordination.calendar.routes",
    "coordination.calendar.views",
    "coordination.notifications.routes",
    "coordination.actions.routes.lists",
    "coordination.actions.routes.fanouts",
    "coordination.actions.routes.fanout_manage",
    "coordination.actions.routes.items",
    "coordination.search.routes",
    "coordination.site.routes",
    "coordination.stewards.routes",
    "coordination.stewards.coverage_routes",
    "coordination.stewards.export_routes",
    "coordination.points.routes.network",
    "coordination.points.routes.requests",
    "coordination.points.routes.visits",
    "coordination.points.routes.programme",
    "coordination.points.routes.exports",
    "coordination.points.routes.analysis",
)


def _select_locale():
    languages = ("sl", "en")
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return "sl"  # Slovenian first, whatever the browser asks for


SQLITE_BUSY_TIMEOUT_MS = 30_000  # how long a writer waits for the one before it


@event.listens_for(Engine, "connect")
def _sqlite_setup(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, give it the Slovenian collation PostgreSQL gets from ICU, and
    let SQLAlchemy rather than the driver open transactions, so SAVEPOINTs work as documented.
    For concurrent web use: WAL (readers never wait for a writer) and a busy timeout (a writer
    waits for the one before it instead of failing with "database is locked")."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        dbapi_connection.create_collation("sl", formatting.sl_collation)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """A state-changing request takes SQLite's write lock when its transaction starts (BEGIN
    IMMEDIATE), so two of them queue up behind the busy timeout; with a plain BEGIN both would read,
    then the second to write would fail at once (a read lock cannot wait to become a write lock)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if transaction.writing_request() else "BEGIN")


def settle_memory() -> None:
    """Call once a process has loaded the app, before it serves: what exists then (modules, the
    app, reference data) lives as long as the process, so the garbage collector is told to stop
    walking it (gc.freeze). Otherwise every full collection, which a page building thousands of
    objects sets off now and then, walks all of it again: 50–150 ms added to a random request."""
    import gc

    gc.collect()
    gc.freeze()


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(app_config.load(config_name))
    app.config.update(overrides)
    if app.config.get("PROXY_COUNT"):
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app_config.BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    translations.install(app)
    htmx.init_app(app)
    _init_login(app)

    # The features are imported here, when the app is made, not when this package is: every module
    # of the app imports `coordination.…`, which runs this file first. Models must be imported before
    # metadata is used; the audit hook must be registered.
    from coordination import models  # noqa: F401
    from coordination.audit import services as _audit  # noqa: F401

    routing.register(app)
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)

    authz.register(app)
    formatting.register(app)
    errors.register(app)
    security.register(app)
    transaction.register(app)
    operations.register(app)
    _register_template_context(app)

    from coordination import cli  # imports the features (see above)

    cli.register(app)
    return app


def _init_login(app):
    from coordination.accounts.services import load_user  # a feature: imported when the app is made

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        target = url_for("accounts.login", next=request.full_path.rstrip("?"))
        if getattr(request, "htmx", None):
            # an htmx call must not swap the login page into a fragment: send the browser there
            return "", 401, {"HX-Redirect": target}
        flash(_("Please sign in to continue. If you were signed in, your session has expired."), "info")
        return redirect(target)


def _register_template_context(app):
    @app.context_processor
    def inject():
        return {"lang": str(get_locale() or "sl"), "languages": app.config["LANGUAGES"]}
