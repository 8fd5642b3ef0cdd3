"""``flask backup``, ``flask restore`` and ``flask import``: data in and out on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli import Refused, writes
from app.db import revisions, snapshot
from app.io import backup as backup_module
from app.io import import_formats, importer

__all__ = ["backup_command", "import_command", "restore_command"]


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write every table to DIRECTORY from one snapshot, then verify what was written."""
    try:
        manifest = backup_module.backup(directory)
    except backup_module.BackupError as exc:
        raise Refused(str(exc)) from None
    click.echo(
        f"Backed up {_summary(manifest['counts'])} to {directory} "
        f"(schema {manifest['schema_revision']}); verified: every file read back, "
        "every reference resolves."
    )


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the backup and the database; change nothing.")
@with_appcontext
@writes
def restore_command(directory: Path, dry_run: bool) -> None:
    """Load a backup from DIRECTORY into an empty database (ids kept)."""
    try:
        counts = backup_module.restore(directory, dry_run=dry_run)
    except backup_module.BackupError as exc:
        raise Refused(str(exc)) from None
    if dry_run:
        manifest = backup_module.read_manifest(directory)
        taken, here = manifest["schema_revision"], snapshot.schema_revision()
        same = "the same as the database's" if taken == here else f"the same tables as {here}"
        click.echo(
            f"Dry run: {directory} (taken {manifest['created']}, schema {taken}, {same}) "
            "would restore:"
        )
        width = max(map(len, counts), default=0)
        for name, n in counts.items():
            click.echo(f"  {name:<{width}}  {n:>7}")
        click.echo("Every check passed; nothing was changed.")
        return
    click.echo(f"Restored {_summary(counts)} from {directory}.")
    if counts.get("user"):
        click.echo(
            "Users were restored without passwords: set a new one for each before they sign in."
        )


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@click.option(
    "--allow-far",
    is_flag=True,
    help=f"Sites more than {importer.FAR_KM} km from the Syria–Iraq border are intended.",
)
@with_appcontext
@writes
def import_command(files: tuple[Path, ...], dry_run: bool, allow_far: bool) -> None:
    """Import FILES (CSV, GeoJSON, GeoPackage or ZIP; every download of the atlas) as one
    import: crossings, actors, sources, sites, periods, status and events."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    for file in files:
        if file.stat().st_size > limit:
            raise Refused(
                f"{file}: {file.stat().st_size} bytes is over the limit of {limit} "
                "bytes (MAX_CONTENT_LENGTH); nothing was imported"
            )
    label = ", ".join(f.name for f in files)
    try:
        rows = import_formats.read_many([(f.name, f.read_bytes()) for f in files])
    except import_formats.ImportFileError as exc:
        prefix = "" if len(files) > 1 else f"{files[0].name}: "
        raise Refused(f"{prefix}{exc}; nothing was imported") from None
    plan = importer.check(
        rows,
        _progress("Checking"),
        geodata_dir=current_app.config["GEODATA_DIR"],
        allow_far=allow_far,
    )
    for kind, counts in plan.counts().items():
        click.echo(
            f"{kind}: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged"
        )
    for error in plan.errors:
        click.echo(f"error: {error}", err=True)
    if not plan.ok:
        n = len(plan.errors)
        raise Refused(f"{label}: {n} error{'' if n == 1 else 's'}; nothing was imported")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    comment = revisions.import_comment(label)
    done = importer.apply(_progress("Importing")(plan.changes), comment=comment)
    click.echo(f"Imported {label}: {done['create']} created, {done['update']} updated.")


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
