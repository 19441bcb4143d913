"""Who analyses the network and who reads its decisions.

- The analysis and the adoption of a decision: staff (the ministry decides on its programme).
- The decisions, their figures and their reports: staff and association staff (they follow the
  programme read-only, as its figures).
- One decision's page also to the host and the municipality of a point it closes (their notice
  links there); they see the decision and their own points' rows, not the others' visits.
"""
from __future__ import annotations

from coordination.points.decision_models import NetworkDecision
from coordination.roles import Role, is_staff, signed_in
from coordination.web.authz import rule


@rule("points.analyse")
def can_analyse(user, obj=None) -> bool:
    return is_staff(user)


@rule("points.adopt_decision")
def can_adopt(user, obj=None) -> bool:
    return is_staff(user)


@rule("points.browse_decisions")
def can_browse_decisions(user, obj=None) -> bool:
    return is_staff(user) or (signed_in(user) and user.role == Role.ASSOCIATION)


def concerns(user, row: dict) -> bool:
    """A point's row of a decision belongs to its host and its municipality."""
    return signed_in(user) and user.organisation_id in (row["host_id"], row["municipality_id"])


@rule("points.view_decision")
def can_view_decision(user, decision: NetworkDecision | None) -> bool:
    if decision is None or not signed_in(user):
        return False
    if can_browse_decisions(user):
        return True
    return any(concerns(user, row) for row in decision.points if not row["open"])


@rule("points.decision_report")
def can_download_report(user, decision: NetworkDecision | None) -> bool:
    return decision is not None and can_browse_decisions(user)
