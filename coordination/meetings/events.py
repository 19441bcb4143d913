"""What happens to minutes, told to whoever listens.

The minutes are circulated, commented, approved and revised here in meetings; the people are told by
the notifications feature, which sits above meetings and so cannot be imported from here. It registers
a listener (notifications/minutes.py, imported with its blueprint) and the services call `emit()`
inside the same transaction as the change they report."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CIRCULATED, COMMENTED, APPROVED, REVISED = "circulated", "commented", "approved", "revised"


@dataclass(frozen=True)
class MinutesEvent:
    kind: str                 # one of the names above
    meeting: object           # the Meeting
    actor: object | None      # the User who took the step (not told of their own step)
    item: object | None = None      # the AgendaItem commented or revised
    reason: str | None = None       # a revision's reason
    version: int | None = None      # a revision's approved version of the whole minutes (2, 3, …)


_LISTENERS: list[Callable[[MinutesEvent], None]] = []


def listen(listener: Callable[[MinutesEvent], None]) -> Callable[[MinutesEvent], None]:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def emit(event: MinutesEvent) -> None:
    for listener in _LISTENERS:
        listener(event)
