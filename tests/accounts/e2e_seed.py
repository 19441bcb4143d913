"""Browser-test data for the invitation and reset pages: an invited person with an open link, and one
whose link has expired. Returns the raw tokens (the database keeps only their hashes)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from coordination.accounts import invitations
from coordination.accounts.models import AccountToken, TokenPurpose
from coordination.accounts.services import create_user
from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.roles import Role
from coordination.types import utcnow


def seed() -> dict[str, str]:
    kamnik = db.session.scalar(select(Organisation).where(Organisation.name == "Kamnik"))

    def person(email, name):
        return create_user(email=email, name=name, role=Role.MUNICIPAL, organisation_id=kamnik.id,
                           password=secrets.token_urlsafe(32))

    invited = person("povabljena@e2e.si", "Petra Povabljena")
    late = person("zamudnik@e2e.si", "Zoran Zamudnik")
    tokens = {"invitation_token": invitations.issue(invited, TokenPurpose.INVITATION),
              "reset_token": invitations.issue(invited, TokenPurpose.RESET),
              "expired_token": invitations.issue(late, TokenPurpose.INVITATION)}
    for link in db.session.scalars(select(AccountToken).where(AccountToken.user_id == late.id)):
        link.expires_at = utcnow() - timedelta(days=1)
    db.session.flush()
    return tokens

