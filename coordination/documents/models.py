"""What the documents keep: each organisation's letterhead (crest image, file-number pattern), the
file-number counter per organisation and year, and the number each issued document received."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.types import UTCDateTime, enum_column, utcnow

DEFAULT_PATTERN = "{code}-{year}/{seq:03d}"


class Letterhead(db.Model):
    """An organisation's letterhead: an optional crest (PNG or JPEG, checked by content, kept in the
    database so every app process serves it) and the pattern of its documents' file numbers."""

    __audit__ = True
    __audit_secret__ = frozenset({"crest"})  # the log keeps the type and size, not the bytes

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    file_number_pattern: Mapped[str] = mapped_column(String(60), default=DEFAULT_PATTERN)
    crest: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    crest_type: Mapped[str | None] = mapped_column(String(20))
    crest_size: Mapped[int | None]
    crest_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()

    def __str__(self):
        return str(self.organisation) if self.organisation else str(self.organisation_id)


class DocumentKind(enum.StrEnum):
    MINUTES = "minutes"
    CONCLUSIONS = "conclusions"


class DocumentCounter(db.Model):
    """The last file-number sequence used per organisation and year; never goes back."""

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class IssuedDocument(db.Model):
    """A meeting document's file number, given when the document is first issued and kept for good."""

    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("meeting_id", "kind", name="uq_issued_document"),
        UniqueConstraint("organisation_id", "year", "seq", name="uq_issued_document_seq"),
    )

    def __str__(self):
        return self.number
