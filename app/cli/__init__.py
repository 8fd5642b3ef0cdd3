"""Flask commands: seed, geodata (and more registered by other modules)."""

from __future__ import annotations

import functools

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from app.db import write_lock
from app.io import seed as seed_module


class Refused(click.ClickException):
    """A refused command or input: prints ``Error: ...`` to stderr and exits with status 2."""

    exit_code = 2


def writes(command):
    """Run a command's transactions under the record's write lock, as the editor's saves are.

    A bulk write checks the record (overlaps, unique keys) and then writes; without the lock
    an editor saving at the same moment could slip between the two. A command that waits
    longer than WRITE_LOCK_TIMEOUT is refused and has changed nothing. A ``--dry-run`` only
    reads, so it never holds editors up.
    """

    @functools.wraps(command)
    def run(*args, **kwargs):
        if not kwargs.get("dry_run"):
            write_lock.claim()
        try:
            return command(*args, **kwargs)
        except DBAPIError as exc:
            if write_lock.is_lock_timeout(exc):
                raise Refused(
                    "another write held the database longer than WRITE_LOCK_TIMEOUT; "
                    "nothing was changed, run the command again"
                ) from None
            raise
        finally:
            write_lock.release()

    return run


@click.command("seed")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False),
    help="Seed file to load (default: SEED_FILE setting).",
)
@with_appcontext
@writes
def seed_command(path: str | None) -> None:
    """Load the reviewed seed data; a second run changes nothing."""
    path = path or current_app.config["SEED_FILE"]
    try:
        report = seed_module.load(path)
    except seed_module.SeedError as exc:
        raise Refused(str(exc)) from None
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    created = ", ".join(f"{n} {k}" for k, n in sorted(report.created.items())) or "nothing"
    click.echo(f"Seeded {created} from {path}.")
    if report.skipped:
        kept = sum(report.skipped.values())
        click.echo(f"Kept {kept} entries already loaded (or edited) as they are.")
    if report.refused:
        refused = sum(report.refused.values())
        click.echo(
            f"Refused {refused} entries that clash with the record (warnings above); "
            "a later run loads them once nothing clashes."
        )


def init_app(app: Flask) -> None:
    """Register every command on the app's CLI."""
    from app.cli.data import backup_command, import_command, restore_command
    from app.cli.demo import demo_data_command
    from app.cli.geodata import geodata_cli
    from app.cli.render import render_cli
    from app.cli.users import users_cli

    app.cli.add_command(seed_command)
    app.cli.add_command(geodata_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(import_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(render_cli)
