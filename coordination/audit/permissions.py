"""Audit log rules."""
from coordination.roles import Role
from coordination.web.authz import rule


@rule("audit.browse")
def can_browse_audit(user, obj=None) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.ADMIN)
