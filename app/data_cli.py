"""``flask backup``, ``flask restore`` and ``flask import``: data in and out on the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from . import backup as backup_module

__all__ = ["backup_command", "restore_command"]


class _Refused(click.ClickException):
    """A refused input: prints ``Error: ...`` to stderr and exits with status 2."""

    exit_code = 2


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write every table to DIRECTORY (GeoPackage, users and revisions as JSON)."""
    try:
        manifest = backup_module.backup(directory)
    except backup_module.BackupError as exc:
        raise _Refused(str(exc)) from None
    click.echo(f"Backed up {_summary(manifest['counts'])} to {directory} "
               f"(schema {manifest['schema_revision']}).")


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore_command(directory: Path) -> None:
    """Load a backup from DIRECTORY into an empty database (ids kept)."""
    try:
        counts = backup_module.restore(directory)
    except backup_module.BackupError as exc:
        raise _Refused(str(exc)) from None
    click.echo(f"Restored {_summary(counts)} from {directory}.")
    if counts.get("user"):
        click.echo("Users were restored without passwords: set a new one for each "
                   "before they sign in.")


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing"
