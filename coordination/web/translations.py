"""The templates' gettext, without Flask-Babel's lookups on every call.

Flask-Babel's template callables find the domain, the request's context (three times), the locale
and its name for each `_()`: a list page calls them some 400 times. Here the translations are kept
with the locale object they belong to, in the same per-request context Flask-Babel uses, so a
`force_locale` block (a document in its own language) sets a new locale and gets its own."""
from __future__ import annotations

from flask import g
from flask_babel import get_translations


def _translations():
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:
        return get_translations()  # outside a request, or the locale not chosen yet (it is chosen now)
    kept = getattr(ctx, "template_translations", None)
    if kept is None or kept[0] is not locale:
        kept = ctx.template_translations = (locale, get_translations())
    return kept[1]


def install(app) -> None:
    """Replace Flask-Babel's template callables (same translations, same results)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
