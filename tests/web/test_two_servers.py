"""Several app servers over one PostgreSQL behave as one: a session started on one server goes on on
the other, the login throttle counts attempts made on both, and the reminder command run on both at
once sends each user one digest. On PostgreSQL when the suite runs on it, else on one SQLite file (two
processes on one machine, as SQLite allows)."""
from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade

from coordination import create_app
from coordination.actions import services as actions
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.organisations import reference
from coordination.organisations.models import Organisation
from coordination.roles import Role
from coordination.types import today
from coordination.web.transaction import unit_of_work
from tests.servers import BIN, ROOT, Browser, gunicorn, postgres_database, production_env

PASSWORD = "dva-streznika-2026"


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory):
    with postgres_database() as url:
        # PostgreSQL when the suite runs on it; else one SQLite file that both servers open
        url = url or f"sqlite:///{tmp_path_factory.mktemp('shared') / 'shared.db'}"
        app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade()
            with unit_of_work(), acting_as("tests"):
                reference.load()
                kamnik = db.session.query(Organisation).filter_by(name="Kamnik").one()
                from coordination.accounts.services import create_user

                users = [create_user(email=f"uradnik{i}@kamnik.si", name=f"Uradnik {i}", role=Role.MUNICIPAL,
                                     organisation_id=kamnik.id, password=PASSWORD) for i in range(3)]
                for user in users:
                    actions.create_item(title=f"Poročilo {user.name}", assignee_org=kamnik, assignee_user=user,
                                        author=None, due_date=today() - timedelta(days=2))
            db.session.remove()
            db.engine.dispose()
        outbox = tmp_path_factory.mktemp("outbox")
        yield production_env(url, MAIL_BACKEND="outbox", MAIL_OUTBOX=str(outbox)), outbox


def _sign_in(browser: Browser, server, email: str, password: str) -> int:
    token = browser.csrf(server.url + "/prijava")
    status, _ = browser.request(server.url + "/prijava", {"csrf_token": token, "email": email, "password": password})
    return status


def test_a_session_started_on_one_server_continues_on_the_other(shared_database):
    env, _ = shared_database
    with gunicorn(env) as one, gunicorn(env) as two:
        browser = Browser()
        assert _sign_in(browser, one, "uradnik0@kamnik.si", PASSWORD) == 302
        status, page = browser.request(two.url + "/")
        assert status == 200 and "Uradnik 0" in page
        # signing out on the second ends the session on the first too
        token = browser.csrf(two.url + "/")
        assert browser.request(two.url + "/odjava", {"csrf_token": token})[0] == 302
        assert browser.request(one.url + "/")[0] == 302


def test_the_login_throttle_counts_attempts_on_both_servers(shared_database):
    env, _ = shared_database
    with gunicorn(env) as one, gunicorn(env) as two:
        browser = Browser()
        statuses = [_sign_in(browser, server, "uradnik1@kamnik.si", "napačno-geslo")
                    for server in (one, two, one)]
        assert statuses == [401, 401, 401]
        # the fourth attempt, on the other server, is slowed down by the three before it
        assert _sign_in(browser, two, "uradnik1@kamnik.si", PASSWORD) == 429


def test_reminders_run_on_both_servers_at_once_send_one_digest_each(shared_database):
    env, outbox = shared_database
    runs = [subprocess.Popen([BIN / "flask", "reminders", "send"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), results
    sent = sorted(int(out.split()[1]) for out, _ in results)
    assert sum(sent) == 3  # three users with an overdue item: three digests between the two runs
    mails = sorted(Path(outbox).glob("*.eml"))
    recipients = sorted(m.read_text().split("To: ")[1].split("\n")[0] for m in mails)
    assert recipients == [f"uradnik{i}@kamnik.si" for i in range(3)]
