"""The one place that decides between a full page and an htmx fragment."""
from flask import render_template, request


def wants_fragment() -> bool:
    """A fragment for htmx requests that are not boosted navigations or history restores."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(page_template: str, fragment_template: str | None = None, *, status: int = 200, **context):
    """Render the page, or only its partial `fragment_template` (which the page includes) for htmx."""
    template = fragment_template if fragment_template and wants_fragment() else page_template
    return render_template(template, **context), status, {"Vary": "HX-Request"}
