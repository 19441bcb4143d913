"""What a feature adds to a page of a feature below it.

The group page shows the group's meetings, conclusions and action items; a meeting's conclusions
show how many action items each has; an organisation's page lists its people. The page belongs to a
feature that the others build on (meetings depend on groups, not the other way round), so it does not
import them: they register a function that returns their part of the page's template context, and
the page asks for the parts by the page's name. The functions are registered when their module is
imported (every blueprint module is, by create_app)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_PARTS: dict[str, list[Callable[..., dict]]] = defaultdict(list)


def adds_to(page: str):
    """Register `part(**arguments) -> dict` as a part of `page`'s template context."""

    def decorator(part: Callable[..., dict]) -> Callable[..., dict]:
        _PARTS[page].append(part)
        return part

    return decorator


def parts(page: str, **arguments) -> dict:
    """The template context the other features add to `page`."""
    context: dict = {}
    for part in _PARTS[page]:
        context.update(part(**arguments))
    return context


_SECTIONS: dict[str, list[tuple[int, str, Callable[..., dict | None]]]] = defaultdict(list)


def section(page: str, template: str, order: int = 50):
    """Register `part(**arguments) -> dict | None` as a section of `page` drawn by `template` (which
    reads its context as `part`); None leaves the section out (nothing to show, or not for this user).
    Unlike `adds_to`, the page's template need not know the section: it draws `sections` by `order`."""

    def decorator(part: Callable[..., dict | None]) -> Callable[..., dict | None]:
        _SECTIONS[page].append((order, template, part))
        _SECTIONS[page].sort(key=lambda entry: entry[0])
        return part

    return decorator


def sections(page: str, **arguments) -> list[tuple[str, dict]]:
    """(template, context) of each section the other features add to `page`, by their order."""
    drawn = ((template, part(**arguments)) for _order, template, part in _SECTIONS[page])
    return [(template, context) for template, context in drawn if context is not None]
