"""User accounts and the login-throttling ledger."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.roles import Role
from coordination.types import UTCDateTime, enum_column, utcnow


class Gender(enum.StrEnum):
    """Optional: documents address a person in the right grammatical form ("Zapisala", "Zapisal");
    unknown, they use a neutral role label instead."""

    FEMALE = "female"
    MALE = "male"


GENDER_LABELS = {
    Gender.FEMALE: _l("Female"),
    Gender.MALE: _l("Male"),
}


class User(UserMixin, db.Model):
    __tablename__ = "app_user"
    __audit__ = True
    __audit_secret__ = frozenset({"password_hash", "session_version", "calendar_token"})
    __audit_sign_in__ = "last_login_at"  # a change of this alone is logged as a sign-in

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(5))
    # bumped on password change or deactivation so every other session of the user ends
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # secret in the user's personal iCalendar feed URL; reset to revoke a leaked link
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the daily e-mail digest of overdue and soon-due action items (users can turn it off)
    digest_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # for the forms of address in documents; None when not given
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __str__(self):
        return self.name


class LoginAttempt(db.Model):
    """Failed-login counter per key ('email:…' or 'addr:…'), shared by every app process."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"  # a new account's first password
    RESET = "reset"            # a forgotten password


class AccountToken(db.Model):
    """A single-use, expiring link that lets a person choose their own password. Only the SHA-256 of
    the token is kept: whoever reads the database (or a backup) cannot use the links."""

    __tablename__ = "account_token"
    __audit__ = True
    __audit_secret__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __str__(self):
        return f"{self.purpose.value} link #{self.id or '-'} for user {self.user_id}"
