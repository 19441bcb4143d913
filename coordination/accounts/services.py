"""Account changes. Each one is audited by the flush hook (see audit/services.py)."""
from __future__ import annotations

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

# A real hash to compare against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not-a-password", method="pbkdf2:sha256:1000")


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
    verdict = throttle.check(email, address)
    if not verdict.allowed:
        return LoginResult(error="locked" if verdict.locked else "throttled", wait_seconds=verdict.wait_seconds)
    user = find_by_email(email)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not user or not valid:
        throttle.record_failure(email, address)
        return LoginResult(error="credentials")
    if not user.active:
        return LoginResult(error="inactive")
    with acting_as(user_label(user), user):
        throttle.clear(email)
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
