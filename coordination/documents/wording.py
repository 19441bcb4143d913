"""Forms of address in documents. Slovenian words for a person's role follow the person's gender
("Zapisala", "Predsedujoči"); where it is not known, a neutral role label takes the place of the
verb ("Zapisnik: Ana Novak", "Potrditev: …"), never a form like "potrdil(a)". English needs none
of this: the catalogue's contexts ("woman", "man", "gender unknown") only differ in Slovenian."""
from __future__ import annotations

from flask_babel import pgettext

from coordination.accounts.models import Gender


def _by_gender(user, woman: str, man: str, unknown: str) -> str:
    """The form for the person's gender. Each caller spells out its three pgettext() calls, so that
    the catalogue extraction finds every context."""
    gender = getattr(user, "gender", None)
    return woman if gender == Gender.FEMALE else man if gender == Gender.MALE else unknown


def chair(user) -> str:
    """The label before the chair's name."""
    return _by_gender(user, pgettext("woman", "Chair"), pgettext("man", "Chair"), pgettext("gender unknown", "Chair"))


def record_keeper(user) -> str:
    """The label before the record-keeper's name in the meeting's particulars."""
    return _by_gender(user, pgettext("woman", "Record-keeper"), pgettext("man", "Record-keeper"),
                      pgettext("gender unknown", "Record-keeper"))


def recorded_by(user) -> str:
    """The label of the record-keeper's signature."""
    return _by_gender(user, pgettext("woman", "Minutes taken by"), pgettext("man", "Minutes taken by"),
                      pgettext("gender unknown", "Minutes taken by"))


def approved_by(user) -> str:
    """The label of the approver's signature."""
    return _by_gender(user, pgettext("woman", "Approved by"), pgettext("man", "Approved by"),
                      pgettext("gender unknown", "Approved by"))


def approval_record(user, date: str) -> str:
    """The sentence recording the approval of the minutes."""
    name = user.name if user is not None else "—"
    return _by_gender(user, pgettext("woman", "The minutes were approved by %(name)s on %(date)s.", name=name, date=date),
                      pgettext("man", "The minutes were approved by %(name)s on %(date)s.", name=name, date=date),
                      pgettext("gender unknown", "The minutes were approved by %(name)s on %(date)s.", name=name,
                               date=date))
