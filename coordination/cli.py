"""Command-line tasks: `flask reference load`, `flask demo load`, `flask accounts create-admin`,
`flask reminders send`, `flask search reindex`."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from coordination import demo as demo_data
from coordination import mail
from coordination.accounts import services
from coordination.actions.reminders import send_digests
from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.organisations import reference as ref
from coordination.organisations.models import Organisation
from coordination.organisations.reference import MINISTRY
from coordination.roles import Role
from coordination.search.index import reindex
from coordination.web.transaction import unit_of_work


def register(app):
    reference = AppGroup("reference", help="Reference data shipped with the app.")
    demo = AppGroup("demo", help="Demo data for development.")
    accounts = AppGroup("accounts", help="User accounts.")

    @reference.command("load")
    def reference_load():
        """Load or refresh regions, municipalities, associations and the ministry (idempotent)."""
        with acting_as("system: flask reference load"), unit_of_work():
            created = ref.load()
        click.echo("Reference data loaded: " + ", ".join(f"{v} new {k}" for k, v in created.items()))

    @demo.command("load")
    def demo_load():
        """Create the demo accounts (development only, idempotent)."""
        if not current_app.config.get("CREATE_DEMO_ACCOUNTS"):
            raise click.ClickException("Demo data is only for development (APP_CONFIG=development).")
        with acting_as("system: flask demo load"), unit_of_work():
            created = demo_data.load()
            reindex()  # the flush hook indexes what the loader writes; this also covers data from before the index
        click.echo(f"Demo data loaded: {created} new accounts.")

    @accounts.command("create-admin")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.password_option()
    def create_admin(email, name, password):
        """Create the first administrator of a production installation."""
        if len(password) < 10:
            raise click.ClickException("The password must have at least 10 characters.")
        if services.email_taken(email):
            raise click.ClickException(f"An account with {email} already exists.")
        ministry = db.session.scalar(select(Organisation).where(Organisation.short_name == MINISTRY[0]))
        if ministry is None:
            raise click.ClickException("Run `flask reference load` first.")
        with acting_as("system: flask accounts create-admin"), unit_of_work():
            services.create_user(email=email, name=name, role=Role.ADMIN, organisation_id=ministry.id,
                                 password=password)
        click.echo(f"Administrator {email} created.")

    reminders = AppGroup("reminders", help="E-mail reminders (run from a scheduler, e.g. cron).")

    @reminders.command("send")
    @click.option("--days", type=click.IntRange(0, 366), default=None,
                  help="Items due within this many days (default: REMINDER_DAYS, 7); overdue ones always.")
    def reminders_send(days):
        """Send each user one digest of their overdue and soon-due action items (at most once a day)."""
        days = current_app.config["REMINDER_DAYS"] if days is None else days
        with acting_as("reminders"), unit_of_work():
            summary = send_digests(days)
        click.echo(f"sent {summary.sent} digests, skipped {summary.skipped} (already sent today)")
        if summary.failed:
            for error in summary.errors:
                click.echo(f"error: {error}", err=True)
            raise click.ClickException(f"{summary.failed} digests not sent; a later run will retry them")

    mailq = AppGroup("mail", help="The outgoing-mail queue (requests only queue; run `send` every minute).")

    @mailq.command("send")
    def mail_send():
        """Send the queued messages that are due, over one connection; failures are retried later."""
        summary = mail.send_queued()
        click.echo(f"sent {summary.sent}, not sent {summary.failed}" + (" (tried again later)" if summary.failed else ""))
        for error in summary.errors:
            click.echo(f"error: {error}", err=True)
        if summary.failed:
            raise click.ClickException(f"{summary.failed} messages not sent; a later run retries them")

    @mailq.command("status")
    def mail_status():
        """How many messages wait, wait for a retry, or failed for good."""
        state = mail.status()
        oldest = state.oldest.isoformat(timespec="seconds") if state.oldest else "-"
        click.echo(f"queued {state.queued} (retrying {state.retrying}, oldest {oldest}), "
                   f"failed {state.failed}, sent in the last 24 h {state.sent_today}")

    search = AppGroup("search", help="The full-text search index.")

    @search.command("reindex")
    def search_reindex():
        """Rebuild the search index from meetings, minutes, conclusions and action items (after bulk writes)."""
        with unit_of_work():
            count = reindex()
        click.echo(f"Search index rebuilt: {count} documents.")

    data = AppGroup("data", help="Backup and move: every record in one portable file.")

    @data.command("export")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def data_export(path):
        """Write every record of the workspace to PATH (a zip file; see coordination/datafile.py)."""
        from coordination import datafile

        try:
            summary = datafile.export(path)
        except datafile.DataFileError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"exported {summary.rows} rows of {summary.tables} tables at schema revision {summary.revision}")

    @data.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def data_import(path):
        """Load PATH into this empty, freshly migrated database (refused otherwise; all or nothing)."""
        from coordination import datafile
        from coordination.web.transaction import unit_of_work

        try:
            with unit_of_work():
                summary = datafile.load(path)
        except datafile.DataFileError as exc:
            raise click.ClickException(f"{exc}. Nothing was imported.") from None
        click.echo(f"imported {summary.rows} rows of {summary.tables} tables; every table's checksum matches the file")

    for group in (reference, demo, accounts, reminders, mailq, search, data):
        app.cli.add_command(group)
    from coordination.points import analysis_cli

    analysis_cli.register(app)
