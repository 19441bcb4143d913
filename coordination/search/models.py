"""The search index: one row per searchable thing (meeting, minutes of an agenda item, conclusion,
action item). `folded` is the text lower-cased and stripped of diacritics, so `cestisce` finds
`cestišče`; the database's own full-text index sits on it (SQLite: the FTS5 table `search_fts`,
PostgreSQL: a GIN index over `to_tsvector('simple', folded)`), both made by the migration."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordination.extensions import db


class SearchDocument(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # meeting, minutes, conclusion, item
    ref_id: Mapped[int]
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    folded: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_search_document_ref"),)


def outside_models(name, type_, parent_names) -> bool:
    """False for the hand-made full-text objects (FTS5 tables and triggers, the GIN index), which
    the models cannot describe; Alembic's comparison skips them (`include_name`)."""
    return not (name or "").startswith("search_fts")
