"""Demo data of the documents: the demo people's genders (the forms of address in the minutes), and
who chaired the meeting of 20. 9. 2022 and kept its minutes."""
from __future__ import annotations

from sqlalchemy import select

from coordination.accounts import services as accounts
from coordination.accounts.models import Gender, User
from coordination.extensions import db
from coordination.meetings import services as meetings
from coordination.meetings.models import Meeting

GENDERS = {
    "admin@demo.si": Gender.FEMALE, "ministrstvo@demo.si": Gender.MALE, "sos@demo.si": Gender.FEMALE,
    "kamnik@demo.si": Gender.MALE, "ljubljana@demo.si": Gender.FEMALE, "tocka@demo.si": Gender.MALE,
}


def load(minister_meeting_title: str) -> None:
    people = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(GENDERS)))}
    for email, gender in GENDERS.items():
        if email in people and people[email].gender is None:
            accounts.set_gender(people[email], gender)
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == minister_meeting_title))
    if meeting is not None and meeting.chair_id is None and "ministrstvo@demo.si" in people:
        # the minister's side chaired; the ministry's administrator kept the minutes
        meetings.set_chair_and_recorder(meeting, chair=people["ministrstvo@demo.si"],
                                        recorder=people.get("admin@demo.si"))
