"""One transaction per request, and per CLI command.

Services change objects and flush; they never commit. A state-changing request that answers with
success (below 400, redirects included) is committed here, once; any other answer rolls back, so a
service that fails half-way leaves nothing behind and needs no manual undo. CLI commands wrap their
work in `unit_of_work()`, the same rule outside a request.

A change that must be visible to other connections before the request ends goes through
`commit_early(reason)`, which names why; tests list its callers, so a new one is a visible decision."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_request_context, request

from coordination.extensions import db

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def register(app) -> None:
    @app.after_request
    def finish_transaction(response):
        if request.method in READS:
            return response
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def writing_request() -> bool:
    """Is a state-changing request being served (its transaction will write)?"""
    return has_request_context() and request.method not in READS


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did if it finishes, roll it back if it raises (CLI commands, scripts)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def commit_early(reason: str) -> None:
    """Commit now, before the request or command ends. `reason` says why, for the reader of the call:
    e.g. a claim that other processes must see before mail goes out, or a failed-login count that
    must survive the request's rollback."""
    if not reason.strip():
        raise ValueError("say why this commit cannot wait for the end of the request")
    db.session.commit()
