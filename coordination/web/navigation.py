"""Safe redirects: the one check every `next` of a form or a query string goes through."""
import re
from urllib.parse import urlsplit

from flask import url_for

# whitespace and control characters: browsers drop tabs and line breaks from a URL ("/\t/evil" is
# "//evil", another site), and a line break would split the Location header
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None, default_endpoint: str = "dashboard.index", **values) -> str:
    """Only same-site paths: never an absolute URL, a scheme-relative //host, a backslash, or any
    whitespace or control character; otherwise `default_endpoint` (with `values`)."""
    if target and target.startswith("/") and not target.startswith("//") and not _UNSAFE.search(target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(default_endpoint, **values)
