"""Who may search: every signed-in user. What each finds is decided per result by the rules of the
things found (meetings.permissions.visible_clause, actions.permissions.visible_clause), in SQL."""
from coordination.roles import signed_in
from coordination.web.authz import rule


@rule("search.use")
def can_search(user, obj=None) -> bool:
    return signed_in(user)
