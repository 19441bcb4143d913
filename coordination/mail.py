"""Outgoing e-mail: messages built with the standard library, sent in batches.

`send_batch()` delivers a list of messages over ONE SMTP connection (settings MAIL_* in config.py)
or, with MAIL_BACKEND = "outbox" (development and tests), writes each as an .eml file under
MAIL_OUTBOX (instance/outbox/ in development) so nothing leaves the machine. It never raises for a
delivery problem: the result says which messages went and why the others did not, so callers can
release what they had claimed and try again later.
"""
from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app


def build(to: str, subject: str, text: str, html: str | None = None, *, sender: str | None = None,
          language: str | None = None) -> EmailMessage:
    """A message with a plain-text body and, optionally, an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender or current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_domain(message["From"]))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    if language:  # after the body: set_content() replaces the Content-* headers
        message["Content-Language"] = language
    return message


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


def send_batch(messages: list[EmailMessage]) -> SendResult:
    if not messages:
        return SendResult()
    if current_app.config.get("MAIL_BACKEND", "smtp") == "outbox":
        return _to_outbox(messages)
    return _over_smtp(messages)


def send(message: EmailMessage) -> SendResult:
    return send_batch([message])


# --- development: .eml files -----------------------------------------------------------------

def outbox_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX"])


def _to_outbox(messages: list[EmailMessage]) -> SendResult:
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


def _over_smtp(messages: list[EmailMessage]) -> SendResult:
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
