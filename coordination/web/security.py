"""Response headers that every page carries, and the one check every request passes first."""
from flask import abort, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _holds_nul() -> bool:
    values = [request.path, *request.args.values(), *request.form.values()]
    return any("\x00" in value for value in values)


def register(app):
    @app.before_request
    def refuse_nul():
        """A NUL character means nothing in a form or an address and PostgreSQL cannot store it
        in text: the request is refused whole (400) before any of it is read."""
        if _holds_nul():
            abort(400)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        # what a page shows depends on who asks (and forms carry the session's CSRF token): no cache
        # keeps it; static files and the calendar feeds say otherwise themselves
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response
