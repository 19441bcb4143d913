"""Outgoing e-mail: messages built with the standard library, queued, sent in batches.

A request never talks to a mail server: `enqueue()` adds the messages to the `mail_queue` table in
the request's own transaction, so a change that is rolled back sends nothing and a committed change
never loses its mail. `flask mail send` (every minute, from a scheduler) drains the queue with
`send_queued()`: it claims the due rows (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the claim
UPDATE is serialised by the database's write lock), commits the claim, sends them over one
connection, and records each result; a message that did not go is tried again later with an
exponentially growing pause, up to MAIL_MAX_ATTEMPTS. Two drains at once never send a message
twice; a drain killed after sending but before recording leaves its claim to expire
(CLAIM_MINUTES), after which those messages go again (at least once, never lost). With MAIL_BACKEND
= "outbox" nothing leaves the machine, so the messages of a transaction are written out as it
commits (development and browser tests see their mail at once).

`send_batch()` delivers a list of messages over ONE SMTP connection (settings MAIL_* in config.py)
or, with MAIL_BACKEND = "outbox" (development and tests), writes each as an .eml file under
MAIL_OUTBOX (instance/outbox/ in development) so nothing leaves the machine. It never raises for a
delivery problem: the result says which messages went and why the others did not, so callers can
release what they had claimed and try again later.
"""
from __future__ import annotations

import base64
import email
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.charset import QP, Charset
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import (
    JSON,
    ForeignKey,
    LargeBinary,
    Select,
    String,
    Text,
    delete,
    event,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from coordination.extensions import db
from coordination.types import UTCDateTime, utcnow
from coordination.web.transaction import commit_early

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable bodies, as before (base64 is the UTF-8 default)


def build(to: str, subject: str, text: str, html: str | None = None, *, sender: str | None = None,
          language: str | None = None) -> Message:
    """A message with a plain-text body and, optionally, an HTML alternative.

    Built with the email package's classic (compat32) classes: EmailMessage with the default policy
    parses every header it is given, which made a fan-out's 2,000 e-mails take 12 s to build; these
    take a few ms. Headers are encoded here (RFC 2047), bodies are UTF-8 quoted-printable."""
    plain = MIMEText(text, "plain", _UTF8_QP)
    if html:
        message = MIMEMultipart("alternative")
        message.attach(plain)
        message.attach(MIMEText(html, "html", _UTF8_QP))
    else:
        message = plain
    name, address = parseaddr(sender or current_app.config["MAIL_SENDER"])
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = formataddr(parseaddr(to), charset="utf-8")
    message["Subject"] = Header(subject, "utf-8")  # as_bytes() encodes it itself, much faster
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_domain(address))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    if language:
        message["Content-Language"] = language
    return message


def encoded_words(text: str) -> str:
    """A header value in ASCII: non-ASCII text as RFC 2047 base64 words of at most 42 bytes each (so
    every word fits a 78-character line), split between characters, never inside one."""
    if text.isascii():
        return text
    words, chunk = [], b""
    for char in text:
        encoded = char.encode("utf-8")
        if len(chunk) + len(encoded) > 42:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return " ".join(f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words)


def as_bytes(message: Message) -> bytes:
    """The message as sent. A single-part message of build() (its body already quoted-printable) is
    written directly, about 20 times faster than the email package's generator, which re-encodes
    every header; anything else goes through the generator."""
    headers = [(name, encoded_words(str(value)) if isinstance(value, Header) else str(value))
               for name, value in message.items()]
    if message.is_multipart() or not all(value.isascii() for _name, value in headers):
        return bytes(message)
    lines = [_folded(name, value) for name, value in headers]
    return ("\n".join(lines) + "\n\n" + message.get_payload()).encode("ascii")  # "\n" as the generator writes


def _folded(name: str, value: str) -> str:
    """A header line folded at the spaces of its value (RFC 5322 2.2.3) into lines of at most 78
    characters where its words allow; never right after the name."""
    words = value.split(" ")
    out, current = [], f"{name}: {words[0]}"
    for word in words[1:]:
        if len(current) + 1 + len(word) > 78:
            out.append(current)
            current = " " + word
        else:
            current = f"{current} {word}"
    out.append(current)
    return "\n".join(out)


def _domain(address) -> str:
    text = str(address)
    return text.rsplit("@", 1)[-1].strip(" >") if "@" in text else "localhost"


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)           # indexes of the messages delivered
    failed: dict[int, str] = field(default_factory=dict)    # index -> why it was not
    error: str | None = None                                # a problem with the whole batch (e.g. no server)

    @property
    def ok(self) -> bool:
        return not self.failed


def send_batch(messages: list[Message]) -> SendResult:
    if not messages:
        return SendResult()
    if current_app.config.get("MAIL_BACKEND", "smtp") == "outbox":
        return _to_outbox(messages)
    return _over_smtp(messages)


# --- development: .eml files -----------------------------------------------------------------

def outbox_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX"])


def _to_outbox(messages: list[Message]) -> SendResult:
    result = SendResult()
    folder = outbox_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _all_failed(messages, f"outbox {folder}: {exc}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for index, message in enumerate(messages):
        # a timestamp to sort by, and a random part so two processes never pick the same name;
        # "x" refuses to overwrite an existing file all the same
        path = folder / f"{stamp}-{uuid.uuid4().hex[:16]}.eml"
        try:
            with open(path, "xb") as handle:
                handle.write(bytes(message))
        except OSError as exc:
            result.failed[index] = str(exc)
        else:
            result.sent.append(index)
    return result


# --- production: SMTP ------------------------------------------------------------------------

def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_SSL"):
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    return connection


def _all_failed(messages, reason: str, start: int = 0, result: SendResult | None = None) -> SendResult:
    result = result or SendResult()
    result.error = reason
    for index in range(start, len(messages)):
        result.failed[index] = reason
    return result


def _over_smtp(messages: list[Message]) -> SendResult:
    config = current_app.config
    if config.get("MAIL_USE_SSL") and config.get("MAIL_USE_TLS"):
        return _all_failed(messages, "MAIL_USE_SSL and MAIL_USE_TLS are both set; choose one")
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    try:
        connection = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.error("mail: cannot connect to %s: %s", where, exc)
        return _all_failed(messages, f"cannot connect to {where}: {exc}")
    result = SendResult()
    try:
        for index, message in enumerate(messages):
            try:
                refused = connection.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                result.failed[index] = str(exc)  # this message only; the connection stays usable
                continue
            except (OSError, smtplib.SMTPException) as exc:  # the connection is gone: the rest wait
                current_app.logger.error("mail: connection to %s lost: %s", where, exc)
                return _all_failed(messages, f"connection to {where} lost: {exc}", index, result)
            if refused:
                result.failed[index] = f"refused: {', '.join(refused)}"
            else:
                result.sent.append(index)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return result


# --- the queue -------------------------------------------------------------------------------

BATCH = 200             # messages per claim and per SMTP connection
CLAIM_MINUTES = 15      # a claim older than this belongs to a drain that died: its rows go again
KEEP_SENT_DAYS = 30     # sent rows are kept this long (what went out, and when), then deleted
AT_COMMIT = "mail_at_commit"  # session.info key: this transaction's rows, for the outbox backend
AT_COMMIT_INTENTS = "mail_intents_at_commit"  # and its intents


class MailIntent(db.Model):
    """What one event (a fan-out, a step of its management, a reminder) tells its recipients by
    e-mail, stored once: the name of its builder and what that needs besides each recipient's user
    and item. Its messages are the mail_queue rows that point here, built when a drain claims them
    (enqueue_intent; the builders are registered by actions/intents.py)."""

    __tablename__ = "mail_intent"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QueuedMail(db.Model):
    """One outgoing message, stored whole (its bytes) until it has been delivered. A message of an
    intent has no bytes until the drain that claims it builds them (from the intent, its user and its
    item); they are stored with its first attempt, so a retry sends the same message."""

    __tablename__ = "mail_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    message: Mapped[bytes | None] = mapped_column(LargeBinary)
    intent_id: Mapped[int | None] = mapped_column(ForeignKey("mail_intent.id", ondelete="CASCADE"), index=True)
    # whom and what an intent's message is about (gone with them: a deleted account or item is told nothing)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _decoded(value) -> str:
    return str(make_header(decode_header(str(value or ""))))


def enqueue(messages: list[Message]) -> int:
    """Queue the messages in the current transaction (flush, never commit); returns how many."""
    now = utcnow()
    rows = [{"recipient": str(m["To"] or "")[:320], "subject": _decoded(m["Subject"])[:300], "message": as_bytes(m),
             "created_at": now, "next_attempt_at": now, "attempts": 0} for m in messages]
    if not rows:
        return 0
    ids = db.session.scalars(insert(QueuedMail).returning(QueuedMail.id), rows).all()  # one statement
    if current_app.config.get("MAIL_BACKEND", "smtp") == "outbox":
        db.session.info.setdefault(AT_COMMIT, []).extend(ids)
    return len(rows)


def enqueue_intent(kind: str, data: dict, recipients: Select) -> MailIntent:
    """Queue one message per row of `recipients` (columns user_id, item_id, email: who, about what,
    to which address), to be built later from the intent (kind, data) by `flask mail send`. Two
    statements, whatever the number of recipients (the rows are copied by INSERT … SELECT); in the
    current transaction, like enqueue()."""
    now = utcnow()
    intent = MailIntent(kind=kind, data=data, created_at=now)
    db.session.add(intent)
    db.session.flush()
    chosen = recipients.subquery()
    db.session.execute(insert(QueuedMail).from_select(
        ["recipient", "subject", "intent_id", "user_id", "item_id", "created_at", "next_attempt_at", "attempts"],
        select(func.substr(chosen.c.email, 1, 320), literal(""), literal(intent.id), chosen.c.user_id,
               chosen.c.item_id, literal(now, UTCDateTime), literal(now, UTCDateTime), literal(0))))
    if current_app.config.get("MAIL_BACKEND", "smtp") == "outbox":
        db.session.info.setdefault(AT_COMMIT_INTENTS, []).append(intent.id)
    return intent


# How the messages of intents are built: actions/intents.py registers itself here (the features that
# record intents sit above this module): build(rows) -> ({row id: Message}, {row id: why not}).
BUILD: list = []


def on_build(build):
    if build not in BUILD:
        BUILD.append(build)
    return build


def _built(rows: list) -> tuple[list, dict[int, str]]:
    """The rows with their message: those of an intent built now (their bytes and subject are stored
    by _deliver), the others as they were queued; and the rows that could not be built, with why."""
    todo = [row for row in rows if row.message is None]
    if not todo:
        return [(row, None) for row in rows], {}
    if not BUILD:
        return [(row, None) for row in rows if row.message is not None], {
            row.id: "no builder for mail intents is registered" for row in todo}
    messages, failed = BUILD[0](todo)
    return [(row, messages.get(row.id)) for row in rows if row.message is not None or row.id in messages], failed


@event.listens_for(Session, "before_commit")
def _outbox_at_commit(session) -> None:
    """Outbox backend: write this transaction's messages as it commits (a local file, never a server);
    an intent's are built now (development and browser tests see them at once)."""
    ids, intents = session.info.pop(AT_COMMIT, None), session.info.pop(AT_COMMIT_INTENTS, None)
    if ids or intents:
        which = or_(QueuedMail.id.in_(ids or []), QueuedMail.intent_id.in_(intents or []))
        _deliver(session.execute(select(*CLAIMED).where(which, QueuedMail.sent_at.is_(None))
                                 .order_by(QueuedMail.id)).all(), utcnow())


@event.listens_for(Session, "after_rollback")
def _forget_at_rollback(session) -> None:
    session.info.pop(AT_COMMIT, None)
    session.info.pop(AT_COMMIT_INTENTS, None)


def _due(now: datetime):
    return (QueuedMail.sent_at.is_(None),
            QueuedMail.attempts < int(current_app.config["MAIL_MAX_ATTEMPTS"]),
            QueuedMail.next_attempt_at <= now,
            or_(QueuedMail.claimed_until.is_(None), QueuedMail.claimed_until < now))


def backoff(attempts: int) -> timedelta:
    """The pause after the n-th failed attempt: MAIL_RETRY_SECONDS, doubled each time, at most 6 hours."""
    first = int(current_app.config["MAIL_RETRY_SECONDS"])
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass
class DrainSummary:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


# the columns a drain needs, read as plain rows: nothing is loaded into the session that a later
# statement would refresh, so each write starts its own transaction (SQLite: it waits for the other
# drain's write lock instead of failing on a stale read snapshot)
CLAIMED = (QueuedMail.id, QueuedMail.recipient, QueuedMail.message, QueuedMail.attempts, QueuedMail.intent_id,
           QueuedMail.user_id, QueuedMail.item_id)


def _claim(token: str, now: datetime) -> list:
    ids = (select(QueuedMail.id).where(*_due(now)).order_by(QueuedMail.id).limit(BATCH)
           .with_for_update(skip_locked=True))  # PostgreSQL: rows another drain holds are skipped
    db.session.execute(update(QueuedMail).where(QueuedMail.id.in_(ids.scalar_subquery()), *_due(now))
                       .values(claimed_by=token, claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
                       .execution_options(synchronize_session=False))
    rows = db.session.execute(select(*CLAIMED).where(QueuedMail.claimed_by == token).order_by(QueuedMail.id)).all()
    commit_early("other drains must see the claim before any message goes out; no lock is held while "
                 "the mail server answers")
    return rows


def _deliver(rows: list, now: datetime, built: tuple | None = None) -> SendResult:
    """Build what is still to be built (unless `built`, _built(rows), is given), send the rows over
    one connection and record each result (not committed here). A message built now is stored with
    its first attempt, so a retry sends the same bytes; one that cannot be built counts as a failed
    attempt (tried again later, never lost). The result's indexes are those of `rows`."""
    ready, unbuildable = built or _built(rows)
    index_of = {row.id: index for index, row in enumerate(rows)}
    sent = send_batch([built or email.message_from_bytes(row.message, policy=policy.default) for row, built in ready])
    result = SendResult(sent=[index_of[ready[i][0].id] for i in sent.sent], error=sent.error,
                        failed={index_of[ready[i][0].id]: why for i, why in sent.failed.items()})
    result.failed.update({index_of[row_id]: why for row_id, why in unbuildable.items()})
    outcomes = []
    for index, row in enumerate(rows):
        failed = result.failed.get(index)
        outcomes.append({"id": row.id, "attempts": row.attempts + 1, "claimed_by": None, "claimed_until": None,
                         "sent_at": None if failed else now, "last_error": failed[:2000] if failed else None,
                         "next_attempt_at": now + backoff(row.attempts + 1) if failed else now})
    db.session.execute(update(QueuedMail), outcomes)  # by primary key, as one executemany
    built = [{"id": row.id, "message": as_bytes(message), "subject": _decoded(message["Subject"])[:300]}
             for row, message in ready if message is not None]
    if built:
        db.session.execute(update(QueuedMail), built)
    return result


def send_queued() -> DrainSummary:
    """Drain the queue: claim a batch, send it over one connection, record, until nothing is due or
    the server fails a whole batch (the rest waits for the next run)."""
    summary = DrainSummary()
    commit_early("end the reading transaction, so the claim's starts with its write: on SQLite a second "
                 "drain then waits for our commit instead of failing with 'database is locked'")
    db.session.execute(delete(QueuedMail).where(
        QueuedMail.sent_at < utcnow() - timedelta(days=KEEP_SENT_DAYS)))
    db.session.execute(delete(MailIntent).where(  # an intent whose messages are all gone (a day's margin)
        MailIntent.created_at < utcnow() - timedelta(days=1),
        ~exists().where(QueuedMail.intent_id == MailIntent.id)))
    while True:
        now = utcnow()
        rows = _claim(uuid.uuid4().hex, now)
        if not rows:
            break
        built = _built(rows)
        commit_early("end the build's reading transaction (nothing to commit), so the record's write starts "
                     "its own: on SQLite it then waits for another drain's write instead of failing")
        result = _deliver(rows, now, built)
        commit_early("what went out is recorded at once, so no other drain sends it again")
        summary.sent += len(result.sent)
        summary.failed += len(result.failed)
        if result.error:
            summary.errors.append(result.error)
            break  # the server is away: the next run tries again
        summary.errors.extend(f"{rows[i].recipient}: {why}" for i, why in result.failed.items())
        if len(rows) < BATCH:
            break
    return summary


@dataclass
class QueueStatus:
    queued: int        # not sent yet and still being tried
    retrying: int      # of those, the ones that failed at least once
    failed: int        # given up after MAIL_MAX_ATTEMPTS
    sent_today: int    # sent in the last 24 hours
    oldest: datetime | None  # when the oldest message still queued was made


def status() -> QueueStatus:
    limit = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    unsent = QueuedMail.sent_at.is_(None)
    count = func.count(QueuedMail.id)
    queued, retrying, oldest = db.session.execute(
        select(count, func.count(QueuedMail.id).filter(QueuedMail.attempts > 0), func.min(QueuedMail.created_at))
        .where(unsent, QueuedMail.attempts < limit)).one()
    failed = db.session.scalar(select(count).where(unsent, QueuedMail.attempts >= limit))
    sent = db.session.scalar(select(count).where(QueuedMail.sent_at >= utcnow() - timedelta(days=1)))
    return QueueStatus(queued, retrying, failed, sent, oldest)
