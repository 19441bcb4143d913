"""Small tools of the security tests: the hidden fields a page's form sends, and threads that start
their requests at the same moment."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from html import unescape

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def form_fields(html: str, action: str) -> dict[str, str]:
    """The hidden inputs of the first form posting to `action`, as the browser would send them."""
    for form in _FORM.findall(html):
        head = dict(_ATTR.findall(form[:form.index(">")]))
        if unescape(head.get("action", "")) != action:
            continue
        fields = {}
        for tag in _INPUT.findall(form):
            attrs = dict(_ATTR.findall(tag))
            if attrs.get("type") == "hidden" and "name" in attrs:
                fields[attrs["name"]] = unescape(attrs.get("value", ""))
        return fields
    raise AssertionError(f"no form posting to {action}")


def at_once(calls: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Run the calls in threads released together by a barrier; their results in order. An exception
    in a thread is raised here."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[n] = calls[n]()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the caller's thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    if errors:
        raise errors[0]
    return results
