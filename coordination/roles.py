"""Who a user is, below every feature: the global roles and the two questions every rule starts with.

Features import these from here (never from each other), so no feature needs accounts or
organisations just to ask whether someone is signed in or is staff."""
import enum

from flask_babel import lazy_gettext as _l

from coordination.web.authz import rule


class Role(enum.StrEnum):
    ADMIN = "admin"
    MINISTRY = "ministry"
    ASSOCIATION = "association"
    MUNICIPAL = "municipal"
    HOST = "host"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MINISTRY: _l("Ministry staff"),
    Role.ASSOCIATION: _l("Association staff"),
    Role.MUNICIPAL: _l("Municipal official"),
    Role.HOST: _l("Point host"),
}


@rule("signed_in")
def signed_in(user, obj=None) -> bool:
    return bool(user and user.is_authenticated)


def is_staff(user) -> bool:
    """Administrators and ministry staff see everything."""
    return signed_in(user) and user.role in (Role.ADMIN, Role.MINISTRY)
