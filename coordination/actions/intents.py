"""E-mail recorded as an intent (mail.enqueue_intent): an event that tells many people (a fan-out to
every municipality, a step of its management, a matrix reminder) builds no message in the request.
It stores one intent (a builder's name and its data) and, with one INSERT … SELECT, a queue row per
recipient (user, item, address) without a message. Who gets one is decided then, by the e-mail
settings as of the event, in the same transaction as the in-app notices (what was true when it
happened, and nothing to look up again later); the wording is done by `flask mail send` when it
claims the rows, in the recipient's language of that moment.

Here the claimed rows are built: all the rows of an intent at once, their users and items loaded
in one query each, and each language entered (force_locale) once, not once per person. A builder
is registered by the feature that records its intents: builder(data, rows) -> {row id: Message},
`rows` being (row id, User, ActionItem or None) of one language, inside force_locale of it. A row
it leaves out, or a builder that raises, counts as a failed attempt of those rows (tried again)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coordination import mail
from coordination.accounts.models import User
from coordination.actions.models import ActionItem
from coordination.extensions import db

BUILDERS: dict[str, Callable] = {}


def builder(kind: str) -> Callable:
    def register(build_messages: Callable) -> Callable:
        BUILDERS[kind] = build_messages
        return build_messages
    return register


def language_of(user: User) -> str:
    return user.language if user.language in current_app.config["LANGUAGES"] else "sl"


@mail.on_build
def build(rows: list) -> tuple[dict, dict[int, str]]:
    """The messages of claimed queue rows (id, intent_id, user_id, item_id): ({row id: Message},
    {row id: why not}); three queries (intents, users, items) whatever the number of rows."""
    intents = {i.id: i for i in db.session.scalars(select(mail.MailIntent).where(
        mail.MailIntent.id.in_({row.intent_id for row in rows})))}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r.user_id for r in rows})))}
    items = {i.id: i for i in db.session.scalars(select(ActionItem).options(selectinload(ActionItem.assignee_org))
                                                 .where(ActionItem.id.in_({r.item_id for r in rows})))}
    by_intent: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    failed: dict[int, str] = {}
    for row in rows:
        user, item = users.get(row.user_id), items.get(row.item_id)
        if row.intent_id not in intents or user is None or (row.item_id is not None and item is None):
            failed[row.id] = "cannot build: its intent, account or item is gone"
            continue
        by_intent[row.intent_id][language_of(user)].append((row.id, user, item))
    built: dict[int, object] = {}
    for intent_id, languages in by_intent.items():
        intent = intents[intent_id]
        make = BUILDERS.get(intent.kind)
        for language, mine in languages.items():
            try:
                if make is None:
                    raise LookupError(f"no builder for {intent.kind!r}")
                with force_locale(language):
                    messages = make(intent.data, mine)
            except Exception as exc:  # noqa: BLE001 - one broken intent fails its own rows; the rest still go
                current_app.logger.exception("mail: cannot build intent %s", intent_id)
                failed.update({row_id: f"cannot build: {exc}" for row_id, _u, _i in mine})
                continue
            built.update({row_id: messages[row_id] for row_id, _u, _i in mine if row_id in messages})
            failed.update({row_id: "cannot build: no message" for row_id, _u, _i in mine if row_id not in messages})
    return built, failed
