"""Browser-test data of the fan-out management flow (tests/e2e/test_fanout_manage_flow.py): a small
fan-out of its own to Kranj, Škofja Loka and Tržič (none of them has an account or items other checks
count), so cancelling it changes nothing other checks look at; and another like it that the page
checks (pages.py) only look at, whichever runs first."""
from __future__ import annotations

from datetime import timedelta

from coordination import types
from coordination.actions.models import FanOutScope
from coordination.meetings import queries as meeting_queries
from tests import factories as f


def seed(users: dict, ids: dict) -> dict[str, int]:
    public = meeting_queries.load(ids["public_meeting"])
    chosen = [f.municipality(name).id for name in ("Kranj", "Škofja Loka", "Tržič")]
    made = [f.fan_out(public.conclusions[1], users["ministry"], title, scope=FanOutScope.CHOSEN, chosen=chosen,
                      due_date=types.today() + timedelta(days=20))
            for title in ("Poročati o stanju e-storitev", "Sporočiti kontakt za e-storitve")]
    return {"manage_fanout": made[0].id, "manage_fanout_pages": made[1].id}
