"""The "check your answers" step of a fan-out: whom it reaches (by region), who hears of it and how,
and which municipalities have nobody to tell. Reads only; the confirmation makes the items."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from coordination.accounts.models import User
from coordination.actions.models import EmailKind
from coordination.actions.preferences import wants_mail
from coordination.extensions import db


@dataclass
class FanOutCheck:
    regions: list[tuple[str, list[str]]]  # [(region, [municipality, …]), …] in Slovenian order
    reach: int                            # municipalities that get an item
    people: int                           # active accounts told at once, in the app
    mailed: int                           # of those, how many also get an e-mail now (assignment mail on)
    digest: int                           # of those, how many get the daily e-mail digest
    without_account: list[str]            # municipalities nobody can be told of: they see it on a next login

    @property
    def with_account(self) -> int:
        return self.reach - len(self.without_account)


def fanout_check(targets: list[tuple[int, str]], municipalities: list[tuple[str, list[tuple[int, str]]]]
                 ) -> FanOutCheck:
    """`targets`: (id, name) the fan-out reaches; `municipalities`: the form's [(region, [(id, name)])]
    (already loaded for the checkboxes). One grouped query counts the accounts of every target."""
    ids = {org_id for org_id, _name in targets}
    counts = {org_id: (people, mailed, digest) for org_id, people, mailed, digest in db.session.execute(
        select(User.organisation_id, func.count(User.id),
               func.coalesce(func.sum(case((wants_mail(EmailKind.ASSIGNMENT), 1), else_=0)), 0),
               func.coalesce(func.sum(case((User.digest_enabled, 1), else_=0)), 0))
        .where(User.organisation_id.in_(ids), User.active).group_by(User.organisation_id))} if ids else {}
    regions, without = [], []
    for region, rows in municipalities:  # the form's order: regions and names in Slovenian collation
        names = [name for org_id, name in rows if org_id in ids]
        if names:
            regions.append((region, names))
        without.extend(name for org_id, name in rows if org_id in ids and org_id not in counts)
    return FanOutCheck(regions=regions, reach=len(ids), people=sum(p for p, _m, _d in counts.values()),
                       mailed=sum(int(m) for _p, m, _d in counts.values()),
                       digest=sum(int(d) for _p, _m, d in counts.values()), without_account=without)
