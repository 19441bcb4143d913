"""Authorisation plumbing. The rules themselves live in each feature's permissions.py.

A rule is a plain predicate `rule(user, obj=None) -> bool`, registered under a dotted name so
templates ask `can('organisations.edit_memberships', org)` and routes `require(rule, obj)`: the
button and the route share one rule.

Every view declares its entry rule with @guard(rule) or @public; a test checks that no view lacks one.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, make_response
from flask_login import current_user

from coordination.extensions import login_manager

Rule = Callable[..., bool]
RULES: dict[str, Rule] = {}


def rule(name: str):
    """Register a permission predicate under `name` (feature.action)."""

    def decorator(fn: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"permission rule {name} registered twice")
        RULES[name] = fn
        fn.rule_name = name
        return fn

    return decorator


def allowed(rule_or_name: Rule | str, obj=None, user=None) -> bool:
    fn = RULES[rule_or_name] if isinstance(rule_or_name, str) else rule_or_name
    # the user object itself, not the proxy: a rule reads several attributes, and through the
    # proxy each read looks the user up again (a thousand look-ups on a meeting page)
    return bool(fn(user if user is not None else current_user._get_current_object(), obj))


def require(rule_or_name: Rule | str, obj=None) -> None:
    """Stop the request unless the current user passes the rule: login first, then 403."""
    if allowed(rule_or_name, obj):
        return
    if not current_user.is_authenticated:
        abort(make_response(login_manager.unauthorized()))
    abort(403)


def reveal(rule_or_name: Rule | str, obj=None) -> None:
    """Stop the request unless the user may see `obj` at all: login first, then 404 rather than 403,
    which would tell somebody who may not see a record that it exists. Loaders call it with the
    record's view rule; `require` then answers 403 to those who see it but may not do the thing."""
    if allowed(rule_or_name, obj):
        return
    if not current_user.is_authenticated:
        from coordination.extensions import login_manager

        abort(make_response(login_manager.unauthorized()))
    abort(404)


def guard(entry_rule: Rule):
    """Declare and enforce the rule a view needs before it loads anything."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(entry_rule)
            return view(*args, **kwargs)

        wrapped.access_rule = entry_rule
        return wrapped

    return decorator


def public(view):
    """Mark a view that anybody, signed in or not, may open."""
    view.access_rule = "public"
    return view


def register(app):
    app.jinja_env.globals["can"] = allowed
