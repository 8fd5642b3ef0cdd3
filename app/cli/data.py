"""``flask backup``, ``flask restore`` and ``flask import``: data in and out on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli import Refused
from app.io import backup as backup_module
from app.io import import_formats, importer

__all__ = ["backup_command", "import_command", "restore_command"]


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write every table to DIRECTORY (GeoPackage, users and revisions as JSON)."""
    try:
        manifest = backup_module.backup(directory)
    except backup_module.BackupError as exc:
        raise Refused(str(exc)) from None
    click.echo(
        f"Backed up {_summary(manifest['counts'])} to {directory} "
        f"(schema {manifest['schema_revision']})."
    )


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore_command(directory: Path) -> None:
    """Load a backup from DIRECTORY into an empty database (ids kept)."""
    try:
        counts = backup_module.restore(directory)
    except backup_module.BackupError as exc:
        raise Refused(str(exc)) from None
    click.echo(f"Restored {_summary(counts)} from {directory}.")
    if counts.get("user"):
        click.echo(
            "Users were restored without passwords: set a new one for each before they sign in."
        )


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@with_appcontext
def import_command(file: Path, dry_run: bool) -> None:
    """Import sites, periods, status or sources from a CSV or GeoJSON FILE."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if file.stat().st_size > limit:
        raise Refused(
            f"{file}: {file.stat().st_size} bytes is over the limit of {limit} "
            "bytes (MAX_CONTENT_LENGTH); nothing was imported"
        )
    try:
        rows = import_formats.read(file.read_bytes(), file.name)
    except import_formats.ImportFileError as exc:
        raise Refused(f"{file.name}: {exc}; nothing was imported") from None
    plan = importer.check(rows, _progress("Checking"))
    for kind, counts in plan.counts().items():
        click.echo(
            f"{kind}: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged"
        )
    for error in plan.errors:
        click.echo(f"error: {error}", err=True)
    if not plan.ok:
        n = len(plan.errors)
        raise Refused(f"{file.name}: {n} error{'' if n == 1 else 's'}; nothing was imported")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    done = importer.apply(
        _progress("Importing")(plan.changes), comment=f"Imported from {file.name}"
    )
    click.echo(f"Imported {file.name}: {done['create']} created, {done['update']} updated.")


def _progress(label: str):
    """Wrap an iterable in a progress bar on stderr (shown for large files only)."""

    def wrap(items):
        items = list(items)
        with click.progressbar(
            items, label=label, file=sys.stderr, hidden=len(items) < 1000
        ) as bar:
            yield from bar

    return wrap


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing"
