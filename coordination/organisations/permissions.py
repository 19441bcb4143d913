"""Who may see and change organisations, and the rule every feature uses for 'acting for' one."""
from coordination.roles import Role, is_staff, signed_in
from coordination.web.authz import rule


@rule("organisations.browse")
def can_browse(user, obj=None) -> bool:
    return signed_in(user)


@rule("organisations.view_private")
def can_view_private(user, org) -> bool:
    """Non-public records of an organisation: staff, the organisation itself, and an association
    for its own members. A municipal official never sees another municipality's."""
    if not signed_in(user) or org is None:
        return False
    if is_staff(user) or user.organisation_id == org.id:
        return True
    if user.role == Role.ASSOCIATION:
        return any(a.id == user.organisation_id for a in org.associations)
    return False


@rule("organisations.act_for")
def can_act_for(user, org) -> bool:
    """Change records that belong to an organisation: staff, or a member of that organisation."""
    if not signed_in(user) or org is None:
        return False
    return is_staff(user) or user.organisation_id == org.id


@rule("organisations.manage")
def can_manage(user, obj=None) -> bool:
    """Create and edit organisations and association memberships."""
    return signed_in(user) and user.role == Role.ADMIN
