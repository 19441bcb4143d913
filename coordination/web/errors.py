"""Error pages in the app's look, as a full page or an htmx fragment, in the user's language."""
from flask import current_app, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from coordination.extensions import db
from coordination.web.htmx import render


def _titles():
    return {
        400: _("The request could not be processed"),
        401: _("Please sign in"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("Someone else changed this in the meantime"),
        413: _("The upload is too large"),
        422: _("Please correct the form"),
        429: _("Too many requests"),
        500: _("Something went wrong on our side"),
        503: _("The service is briefly unavailable"),
    }


def _explanations():
    return {
        403: _("If you think you should have access, ask your administrator."),
        404: _("The address may be mistyped, or the page was removed."),
        405: _("Use the buttons and forms on the pages."),
        413: _("Please choose a smaller file or shorten the text."),
        500: _("The error has been logged. Please try again in a moment."),
        503: _("The database cannot be reached just now. Nothing was changed; please try again in a minute."),
    }


def _page(code: int, description: str | None):
    title = _titles().get(code, _("Error"))
    text = description or _explanations().get(code, "")
    return render("errors/error.html", "errors/_error.html", status=code, code=code, title=title, text=text)


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, _("The form has expired or its security token is missing. "
                            "Reload the page and try again; nothing was changed."))

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(exc):
        """A record changed by a simultaneous request between our reading and our writing (optimistic
        locking): nothing of ours was kept."""
        db.session.rollback()
        return _page(409, _("Somebody changed this at the same moment, so nothing was saved. "
                            "Reload the page to see the change, then try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:  # e.g. a login redirect raised through abort()
            return exc.response
        # werkzeug's own English descriptions are replaced by ours; our aborts pass theirs
        default = type(exc).description
        description = exc.description if exc.description != default else None
        return _page(exc.code or 500, description)

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        """A lost or refused database connection is the database being away (a restart, a failover):
        503, and the pool's pre-ping replaces the dead connections on the next request. Any other
        database error is a bug and answers 500."""
        db.session.rollback()
        if exc.connection_invalidated or _unreachable(exc):
            current_app.logger.warning("database unavailable on %s: %s", request.path, exc.orig)
            return _page(503, None)
        current_app.logger.exception("database error on %s", request.path)
        return _page(500, None)

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        current_app.logger.exception("unhandled error on %s", request.path)
        return _page(500, None)


def _unreachable(exc: DBAPIError) -> bool:
    """The driver's own word that it has no connection (PostgreSQL: class 08 or the operator
    stopping the server; SQLite: the file cannot be opened)."""
    code = getattr(exc.orig, "sqlstate", None) or ""
    if code.startswith("08") or code in ("57P01", "57P02", "57P03"):
        return True
    message = str(exc.orig).lower()
    return any(words in message for words in ("unable to open database", "connection refused",
                                              "server closed the connection", "could not connect",
                                              "connection is closed", "terminating connection"))
