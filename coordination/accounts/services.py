"""Account changes. Each one is audited by the flush hook (see audit/services.py)."""
from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from coordination.accounts import throttle
from coordination.accounts.models import User
from coordination.audit.services import acting_as, user_label
from coordination.extensions import db
from coordination.roles import Role
from coordination.types import utcnow
from coordination.web import transaction


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash to check the password against when the e-mail is unknown: of the same scheme and cost
    as the real ones, so a known and an unknown address take the same time."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


@dataclass
class LoginResult:
    user: User | None = None
    error: str | None = None  # 'credentials', 'inactive', 'throttled', 'locked'
    wait_seconds: int = 0


def authenticate(email: str, password: str, address: str | None) -> LoginResult:
    """The attempt is counted before the password is checked (throttle.admit), and the count is
    committed at once: a failed sign-in answers with an error, so the request's own transaction is
    rolled back. Unknown e-mail, wrong password and deactivated account all get the same answer
    after the same work, so none of them tells whether the account exists or the password is right."""
    verdict = throttle.admit(email, address)
    if not verdict.allowed:
        return LoginResult(error="locked" if verdict.locked else "throttled", wait_seconds=verdict.wait_seconds)
    transaction.commit_early("a sign-in attempt stays counted although a failed sign-in is rolled back")
    user = find_by_email(email)
    method = current_app.config["PASSWORD_HASH_METHOD"]
    valid = check_password_hash(user.password_hash if user else _dummy_hash(method), password or "")
    if not user or not valid or not user.active:
        return LoginResult(error="credentials")
    with acting_as(user_label(user), user):
        throttle.succeeded(email, address)
        user.last_login_at = utcnow()
        db.session.flush()
    return LoginResult(user=user)


def create_user(*, email: str, name: str, role: Role, organisation_id: int, password: str,
                language: str | None = None) -> User:
    user = User(email=normalise_email(email), name=name.strip(), role=role, organisation_id=organisation_id,
                password_hash=hash_password(password), language=language, active=True)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, *, email: str, name: str, role: Role, organisation_id: int) -> User:
    user.email, user.name = normalise_email(email), name.strip()
    if user.role != role or user.organisation_id != organisation_id:
        user.session_version += 1  # new powers or a new organisation: sign in again
    user.role, user.organisation_id = role, organisation_id
    db.session.flush()
    return user


def set_active(user: User, active: bool) -> User:
    if user.active != active:
        user.active = active
        user.session_version += 1
        db.session.flush()
    return user


def set_password(user: User, new_password: str) -> User:
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.flush()
    return user


def change_own_password(user: User, current: str, new_password: str) -> bool:
    """False if the current password is wrong; nothing changes then."""
    if not check_password_hash(user.password_hash, current or ""):
        return False
    set_password(user, new_password)
    return True


def sign_out(user: User) -> None:
    """End the user's sessions on the server: the session version moves on, so a copy of the
    session cookie taken before signing out no longer signs anybody in (nor do the user's
    sessions on other devices)."""
    user.session_version += 1
    db.session.flush()


def set_language(user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        db.session.flush()


def load_user(user_id: str) -> User | None:
    """flask-login loader: the id carries the session version, so old sessions stop working."""
    try:
        uid, version = (int(part) for part in user_id.split("."))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def email_taken(email: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == normalise_email(email))
    if except_id:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def set_gender(user: User, gender) -> User:
    """Record (or clear, with None) the gender documents use for the forms of address."""
    user.gender = gender
    db.session.flush()
    return user
