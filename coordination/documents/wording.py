"""Forms of address in documents. Slovenian words for a person's role follow the person's gender
("Zapisala", "Predsedujoči"); where it is not known, a neutral role label takes the place of the
verb ("Zapisnik: Ana Novak", "Potrditev: …"), never a form like "potrdil(a)". English needs none
of this: the catalogue's contexts ("woman", "man", "gender unknown") only differ in Slovenian."""
from __future__ import annotations

from flask_babel import pgettext

from coordination.accounts.models import Gender


def _gender(user):
    return getattr(user, "gender", None)


def chair(user) -> str:
    """The label before the chair's name."""
    gender = _gender(user)
    if gender == Gender.FEMALE:
        return pgettext("woman", "Chair")
    if gender == Gender.MALE:
        return pgettext("man", "Chair")
    return pgettext("gender unknown", "Chair")


def record_keeper(user) -> str:
    """The label before the record-keeper's name in the meeting's particulars."""
    gender = _gender(user)
    if gender == Gender.FEMALE:
        return pgettext("woman", "Record-keeper")
    if gender == Gender.MALE:
        return pgettext("man", "Record-keeper")
    return pgettext("gender unknown", "Record-keeper")


def recorded_by(user) -> str:
    """The label of the record-keeper's signature."""
    gender = _gender(user)
    if gender == Gender.FEMALE:
        return pgettext("woman", "Minutes taken by")
    if gender == Gender.MALE:
        return pgettext("man", "Minutes taken by")
    return pgettext("gender unknown", "Minutes taken by")


def approved_by(user) -> str:
    """The label of the approver's signature."""
    gender = _gender(user)
    if gender == Gender.FEMALE:
        return pgettext("woman", "Approved by")
    if gender == Gender.MALE:
        return pgettext("man", "Approved by")
    return pgettext("gender unknown", "Approved by")


def approval_record(user, date: str) -> str:
    """The sentence recording the approval of the minutes."""
    name = user.name if user is not None else "—"
    gender = _gender(user)
    if gender == Gender.FEMALE:
        return pgettext("woman", "The minutes were approved by %(name)s on %(date)s.", name=name, date=date)
    if gender == Gender.MALE:
        return pgettext("man", "The minutes were approved by %(name)s on %(date)s.", name=name, date=date)
    return pgettext("gender unknown", "The minutes were approved by %(name)s on %(date)s.", name=name, date=date)
