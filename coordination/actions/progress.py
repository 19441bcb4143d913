"""The one definition of progress: done of all items that are not cancelled ("opravljeno 124 od
206; preklicane se ne štejejo"). The matrix headline, its chart and region table, the status-report
PDF, the dashboard and the conclusions' fan-out links all take their figures from here, so they
cannot disagree."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func

from coordination.actions.models import ActionItem, ItemStatus
from coordination.web.formatting import format_number


@dataclass(frozen=True)
class Progress:
    done: int
    counted: int  # items that are not cancelled

    @classmethod
    def of(cls, counts, total: int) -> Progress:
        """From a count per status (a Counter or dict keyed by ItemStatus) and the number of items."""
        return cls(counts.get(ItemStatus.DONE, 0), total - counts.get(ItemStatus.CANCELLED, 0))

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.counted) if self.counted else 0

    def share(self, count: int) -> int:
        """Per cent of the counted items (what a status bar shows, so the done bar equals `percent`)."""
        return round(100 * count / self.counted) if self.counted else 0

    @property
    def sentence(self) -> str:
        """The figure in words, the same on every page and in every document."""
        return _("done %(done)s of %(counted)s; cancelled items do not count", done=format_number(self.done),
                 counted=format_number(self.counted))


def counted_column():
    """SQL: the number of items that count (not cancelled), for grouped queries."""
    return func.coalesce(func.sum(case((ActionItem.status == ItemStatus.CANCELLED, 0), else_=1)), 0)


def done_column():
    """SQL: the number of done items, for grouped queries."""
    return func.coalesce(func.sum(case((ActionItem.status == ItemStatus.DONE, 1), else_=0)), 0)
