"""Who sees notifications: every signed-in user, each only their own (the queries ask for the user's)."""
from coordination.roles import signed_in
from coordination.web.authz import rule


@rule("notifications.browse")
def can_browse(user, obj=None) -> bool:
    """Own in-app notifications and e-mail settings."""
    return signed_in(user)
