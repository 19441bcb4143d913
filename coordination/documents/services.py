"""Every change the documents make: an organisation's letterhead, and the file number a meeting
document receives when it is first issued."""
from __future__ import annotations

import time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from coordination.documents import letterhead as checks
from coordination.documents.models import DEFAULT_PATTERN, DocumentCounter, DocumentKind, IssuedDocument, Letterhead
from coordination.documents.render import DocumentHeading
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.organisations.models import Organisation, OrgKind
from coordination.types import LJUBLJANA, utcnow


class DocumentError(ValueError):
    """A change refused; `reason` is one of the checks' answers (letterhead.py)."""

    def __init__(self, reason: str, field: str):
        super().__init__(reason)
        self.reason, self.field = reason, field


# --- letterheads ---------------------------------------------------------------------------------

def letterhead_of(org: Organisation) -> Letterhead | None:
    return db.session.get(Letterhead, org.id)


def save_letterhead(org: Organisation, *, pattern: str, crest: bytes | None = None,
                    remove_crest: bool = False) -> Letterhead:
    """Set the file-number pattern, and replace (or remove) the crest; nothing changes on bad input."""
    pattern = pattern.strip()
    if checks.pattern_problem(pattern):
        raise DocumentError(checks.pattern_problem(pattern), "file_number_pattern")
    if crest is not None and checks.crest_problem(crest):
        raise DocumentError(checks.crest_problem(crest), "crest")
    head = letterhead_of(org)
    if head is None:
        head = Letterhead(organisation=org)
        db.session.add(head)
    head.file_number_pattern = pattern
    if crest is not None:
        head.crest, head.crest_type, head.crest_size = crest, checks.crest_type(crest), len(crest)
        head.crest_updated_at = utcnow()
    elif remove_crest:
        head.crest = head.crest_type = head.crest_size = head.crest_updated_at = None
    db.session.flush()
    return head


def heading(org: Organisation | None, lines: tuple[str, ...] = ()) -> DocumentHeading | None:
    """The letterhead a document of `org` carries (its crest when one was uploaded)."""
    if org is None:
        return None
    head = letterhead_of(org)
    crest = head.crest if head is not None and head.crest_type else None
    return DocumentHeading(name=org.name, lines=lines, crest=crest, crest_type=head.crest_type if crest else None)


def ministry_heading() -> DocumentHeading | None:
    """The letterhead of documents that name no organisation: the ministry's."""
    ministry = db.session.scalar(select(Organisation).where(Organisation.kind == OrgKind.MINISTRY)
                                 .order_by(Organisation.id).limit(1))
    return heading(ministry)


# --- file numbers --------------------------------------------------------------------------------

def issuing_organisation(meeting: Meeting) -> Organisation | None:
    """Whose document it is: the ministry among the organisers, else the first organiser, else the
    organisation of whoever created the meeting."""
    organisers = list(meeting.organisers)
    chosen = next((o for o in organisers if o.kind == OrgKind.MINISTRY), None) or (organisers[0] if organisers else None)
    if chosen is None and meeting.created_by is not None:
        chosen = meeting.created_by.organisation
    return chosen


def issued(meeting: Meeting, kind: DocumentKind) -> IssuedDocument | None:
    return db.session.scalar(select(IssuedDocument).where(IssuedDocument.meeting_id == meeting.id,
                                                         IssuedDocument.kind == kind))


def _next_seq(org_id: int, year: int) -> int:
    """The next number of an organisation's counter for a year. As with the conclusions' register
    (meetings.services._next_register_seq), the UPDATE locks the counter row until commit, so
    concurrent requests queue here and never share a number."""
    if db.session.scalar(select(DocumentCounter.last).where(DocumentCounter.organisation_id == org_id,
                                                            DocumentCounter.year == year)) is None:
        db.session.add(DocumentCounter(organisation_id=org_id, year=year, last=0))
        db.session.flush()
    return db.session.execute(
        update(DocumentCounter).where(DocumentCounter.organisation_id == org_id, DocumentCounter.year == year)
        .values(last=DocumentCounter.last + 1).returning(DocumentCounter.last)
        .execution_options(synchronize_session=False)).scalar_one()


def code_of(org: Organisation) -> str:
    return org.short_name or org.iso_code or str(org.id)


def issue(meeting: Meeting, kind: DocumentKind) -> IssuedDocument | None:
    """The document's file number: the one it was given when first issued, or a new one from the
    organiser's pattern and its counter for the meeting's year. None when no organisation issues it."""
    existing = issued(meeting, kind)
    if existing is not None:
        return existing
    org = issuing_organisation(meeting)
    if org is None:
        return None
    head = letterhead_of(org)
    pattern = head.file_number_pattern if head is not None else DEFAULT_PATTERN
    year = meeting.starts_at.astimezone(LJUBLJANA).year
    seq = _next_seq(org.id, year)
    document = IssuedDocument(meeting_id=meeting.id, kind=kind, organisation_id=org.id, year=year, seq=seq,
                              number=checks.file_number(pattern, code=code_of(org), year=year, seq=seq))
    db.session.add(document)
    db.session.flush()
    return document


def issue_once(meeting: Meeting, kind: DocumentKind, attempts: int = 6) -> IssuedDocument | None:
    """issue() for a request that may race another issuing the same document: the loser's
    transaction (its counter step included) is rolled back and it tries again from a fresh one,
    where it finds the winner's number (as meetings.services.record_conclusion does; SQLite answers a
    simultaneous writer with "database is locked", PostgreSQL with the unique constraint). The
    request has done nothing else, so the rollback takes nothing else with it."""
    meeting_id = meeting.id
    for attempt in range(attempts):
        try:
            return issue(db.session.get(Meeting, meeting_id), kind)
        except (IntegrityError, OperationalError):
            db.session.rollback()
            time.sleep(0.05 * (attempt + 1))
    return issue(db.session.get(Meeting, meeting_id), kind)


def example_number(org: Organisation, pattern: str | None) -> str | None:
    """What the next number of this year would look like under `pattern` (None if it is unusable)."""
    from coordination.types import today

    if not pattern or checks.pattern_problem(pattern.strip()):
        return None
    return checks.file_number(pattern.strip(), code=code_of(org), year=today().year, seq=7)
