"""The clock every feature reads, and its override for records that carry their own time."""
from datetime import UTC, date, datetime, timedelta

import pytest

from coordination.types import LJUBLJANA, clock_at, today, utcnow


def test_the_clock_answers_the_moment_set_and_keeps_running():
    moment = datetime(2022, 9, 20, 10, 0, tzinfo=LJUBLJANA)
    with clock_at(moment):
        first, second = utcnow(), utcnow()
        assert first.tzinfo == UTC and moment <= first <= second < moment + timedelta(seconds=5)
        assert today() == date(2022, 9, 20)
    assert utcnow().year > 2022 and abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_clocks_nest_and_are_restored_after_an_error():
    with clock_at(datetime(2022, 9, 20, tzinfo=UTC)):
        with pytest.raises(RuntimeError), clock_at(datetime(2022, 10, 4, tzinfo=UTC)):
            assert utcnow().date() == date(2022, 10, 4)
            raise RuntimeError
        assert utcnow().date() == date(2022, 9, 20)
    assert utcnow().year > 2022


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"), clock_at(datetime(2022, 9, 20)):
        pass  # pragma: no cover


def test_a_record_made_inside_the_clock_is_dated_then(session):
    from tests import factories as f

    with clock_at(datetime(2022, 9, 21, 9, 0, tzinfo=LJUBLJANA)):
        group = f.group(name="Skupina iz leta 2022", code="DS-22")
    assert group.created_at.astimezone(LJUBLJANA).date() == date(2022, 9, 21)
