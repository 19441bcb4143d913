"""Invitation and password-reset links: a person chooses their own password; an administrator never
types or sees it.

A link carries `secrets.token_urlsafe(32)`; the database keeps only its SHA-256 (AccountToken), so a
copy of the database opens no account. A link works once and until it expires (INVITATION_VALID_DAYS,
RESET_VALID_HOURS); a newer link of the same kind, or a password chosen through any link, retires the
user's other open links. Using a link is one conditional UPDATE (… WHERE used_at IS NULL AND not
expired), so of two requests with the same link exactly one sets the password.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from coordination import mail
from coordination.accounts import services, throttle
from coordination.accounts.models import AccountToken, TokenPurpose, User
from coordination.audit.services import SECRET, acting_as, record, user_label
from coordination.extensions import db
from coordination.roles import Role
from coordination.types import utcnow

RESET_THROTTLE = "reset:"  # reset requests are counted apart from sign-in attempts


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(purpose: TokenPurpose) -> timedelta:
    cfg = current_app.config
    if purpose == TokenPurpose.INVITATION:
        return timedelta(days=cfg["INVITATION_VALID_DAYS"])
    return timedelta(hours=cfg["RESET_VALID_HOURS"])


def _retire_open_links(user: User, purpose: TokenPurpose | None = None) -> None:
    query = select(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
    if purpose:
        query = query.where(AccountToken.purpose == purpose)
    now = utcnow()
    for link in db.session.scalars(query):
        link.used_at = now


def issue(user: User, purpose: TokenPurpose) -> str:
    """A new link for the user; returns the token (shown once, in the e-mail, never stored)."""
    _retire_open_links(user, purpose)
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=digest(token),
                                expires_at=utcnow() + _lifetime(purpose)))
    db.session.flush()
    return token


@dataclass
class LinkCheck:
    link: AccountToken | None = None
    problem: str | None = None  # 'unknown', 'expired', 'used'

    @property
    def valid(self) -> bool:
        return self.problem is None


def check(token: str, purpose: TokenPurpose) -> LinkCheck:
    link = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == digest(token or ""),
                                                        AccountToken.purpose == purpose))
    if link is None:
        return LinkCheck(problem="unknown")
    if link.used_at is not None or not link.user.active:
        return LinkCheck(link, "used")
    if link.expires_at <= utcnow():
        return LinkCheck(link, "expired")
    return LinkCheck(link)


def choose_password(token: str, purpose: TokenPurpose, password: str) -> LinkCheck:
    """Set the password through a link, once. The user's other sessions end (session version) and
    their other open links stop working."""
    result = check(token, purpose)
    if not result.valid:
        return result
    link, now = result.link, utcnow()
    claimed = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == link.id, AccountToken.used_at.is_(None), AccountToken.expires_at > now)
        .values(used_at=now))
    if claimed.rowcount != 1:  # another request used it a moment ago
        return LinkCheck(link, "used")
    db.session.refresh(link)
    user = link.user
    with acting_as(user_label(user), user):
        record("update", "AccountToken", link.id, str(link), {"used_at": [None, now.isoformat()],
                                                              "token_hash": [SECRET, SECRET]})
        _retire_open_links(user)
        services.set_password(user, password)
    return result


# --- e-mails ---------------------------------------------------------------------------------

def absolute_url(endpoint: str, **values) -> str:
    """An address for e-mails, from APP_BASE_URL (the request's own host may be an internal one)."""
    parts = urlsplit(current_app.config["APP_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _language(user: User) -> str:
    return user.language if user.language in current_app.config["LANGUAGES"] else "sl"


def _message(user: User, purpose: TokenPurpose, token: str):
    endpoint = "accounts.accept_invitation" if purpose == TokenPurpose.INVITATION else "accounts.reset_password"
    language = _language(user)
    with force_locale(language):
        subject = (_("Your account in the municipal coordination workspace") if purpose == TokenPurpose.INVITATION
                   else _("Choose a new password"))
        text = render_template(f"mail/{purpose.value}.txt", user=user, url=absolute_url(endpoint, token=token),
                               hours=current_app.config["RESET_VALID_HOURS"],
                               days=current_app.config["INVITATION_VALID_DAYS"])
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return mail.build(user.email, subject, text, language=language)


def send_link(user: User, purpose: TokenPurpose) -> bool:
    """Issue a link and queue its e-mail (the request never waits for a mail server; `flask mail send`
    delivers it and retries a failure). True: the message is queued with the link."""
    token = issue(user, purpose)
    mail.enqueue([_message(user, purpose, token)])  # sent by `flask mail send`, which retries a failure
    return True


def invite(*, email: str, name: str, role: Role, organisation_id: int, language: str | None) -> tuple[User, bool]:
    """A new account with a random password nobody knows, and an invitation to choose one."""
    user = services.create_user(email=email, name=name, role=role, organisation_id=organisation_id,
                                password=secrets.token_urlsafe(32), language=language)
    return user, send_link(user, TokenPurpose.INVITATION)


def request_reset(email: str, address: str | None) -> throttle.Verdict:
    """A reset link for a known, active address; nothing for an unknown one, after the same work up
    to the mail server, so the answer is the same. Throttled per address and per e-mail typed."""
    verdict = throttle.admit(email, address, prefix=RESET_THROTTLE)
    if not verdict.allowed:
        return verdict
    user = services.find_by_email(email)
    if user is None or not user.active:
        digest(secrets.token_urlsafe(32))  # the same token work as for a known address
        return verdict
    with acting_as(f"anonymous (password reset requested for {user_label(user)})"):
        send_link(user, TokenPurpose.RESET)
    return verdict
