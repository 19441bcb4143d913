"""Account rules."""
from coordination.roles import Role, signed_in
from coordination.web.authz import rule


@rule("accounts.manage")
def can_manage_accounts(user, obj=None) -> bool:
    return signed_in(user) and user.role == Role.ADMIN


@rule("accounts.change_own_password")
def can_change_own_password(user, obj=None) -> bool:
    return signed_in(user)


@rule("accounts.deactivate")
def can_deactivate(user, target) -> bool:
    """Admins deactivate others, never themselves (someone must stay able to manage accounts)."""
    return can_manage_accounts(user) and target is not None and target.id != user.id
