"""Offset pagination with a fixed cost: one count query and one page query."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import func, select

from coordination.extensions import db


class PageNumbers:
    """Where a page stands among the pages of `total` rows (`page`, `per_page` and `total` come from
    the class that mixes this in)."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class Page(PageNumbers):
    items: list
    page: int
    per_page: int
    total: int


def page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 1_000_000))
    except ValueError:
        return 1


def paginate(query, per_page: int, page: int | None = None) -> Page:
    page = page or page_number()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)
