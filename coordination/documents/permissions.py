"""Who may set an organisation's letterhead and see its crest."""
from coordination.roles import Role, signed_in
from coordination.web.authz import rule


@rule("documents.manage_letterhead")
def can_manage_letterhead(user, obj=None) -> bool:
    """Upload a crest and set the file-number pattern: administrators."""
    return signed_in(user) and user.role == Role.ADMIN


@rule("documents.view_crest")
def can_view_crest(user, obj=None) -> bool:
    """The crest is served to signed-in users only (the documents embed it themselves)."""
    return signed_in(user)
