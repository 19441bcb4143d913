"""Output kept in process memory *by the data it is drawn from*: a page's large fragment (the map of
1,000 points with its table) or an export is written once and given again while its rows are the
same. The rows are still read from the database on every request and are themselves the key, so a
new, changed or deleted row shows at once in every process: there is no version to keep in step and
nothing to clear (forms.cached_options does the same for drop-downs).

The caller passes as `data` everything the output depends on besides the language (rows, labels,
which columns the reader may see); a fragment's template must draw on nothing else (no user, no
request, no CSRF token, no nonce). The template itself is part of the key, so a template reloaded
in development is written again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

BUDGET = 16_000_000  # characters (bytes of an export) kept per process, oldest dropped first: at scale 1
# the map is 1 million, the public page 0.6, each GeoJSON 0.7; some 20–30 MB of memory a worker at most

_lock = threading.Lock()
_kept: OrderedDict[tuple, str | bytes] = OrderedDict()
_size = 0


def kept(key: tuple, build: Callable[[], str | bytes]) -> str | bytes:
    """What `build()` returns for `key` (which must hold everything it depends on)."""
    global _size
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    value = build()
    with _lock:
        if key not in _kept:
            _kept[key] = value
            _size += len(value)
            while _size > BUDGET and len(_kept) > 1:
                _old, dropped = _kept.popitem(last=False)
                _size -= len(dropped)
    return value


def fragment(template_name: str, data: Hashable, context: Callable[[], dict]) -> Markup:
    """The template rendered with `context()` (called only when it is not kept), kept by `data`, the
    template, the language and the application's root URL (links in it)."""
    template = current_app.jinja_env.get_template(template_name)
    key = ("fragment", template, str(get_locale()), request.script_root, data)
    return Markup(kept(key, lambda: render_template(template, **context())))  # noqa: S704  # nosec B704  (autoescaped output)


def forget() -> None:
    global _size
    with _lock:
        _kept.clear()
        _size = 0
