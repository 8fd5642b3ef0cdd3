"""``flask geodata``: build the boundary layers, import more, check the sites."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli import Refused
from app.config import PROJECT_ROOT
from app.core import geo

__all__ = ["geodata_cli"]

BUILD_SCRIPT = PROJECT_ROOT / "geodata" / "build.py"

geodata_cli = AppGroup("geodata", help="Build, import and check the boundary layers.")


@geodata_cli.command("build")
@click.option(
    "--source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="world-atlas countries-10m.json (default: from node_modules).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the built files (default: GEODATA_DIR setting).",
)
def build_command(source: Path | None, out: Path | None) -> None:
    """Derive the boundary layers from Natural Earth 1:10m."""
    build = _build_module()
    source = source or build.DEFAULT_SOURCE
    if not source.is_file():
        raise Refused(f"{source}: no such file; run `npm ci` to install world-atlas")
    built = build.main(source, out or Path(current_app.config["GEODATA_DIR"]))
    geo.clear_cache()
    for path in built.files:
        click.echo(f"wrote {path} ({path.stat().st_size / 1024:.1f} KB)")
    click.echo(f"Syria–Iraq border: {built.border_km} km")


@geodata_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--layer",
    "name",
    required=True,
    help="Name to store the layer under; `admin1` is joined to the sites.",
)
@click.option("--source-layer", help="Layer to read from a multi-layer FILE.")
def import_command(file: Path, name: str, source_layer: str | None) -> None:
    """Import FILE (GeoPackage, Shapefile or its .zip, GeoJSON, FlatGeobuf…)."""
    try:
        result = geo.import_layer(file, name, current_app.config["GEODATA_DIR"], layer=source_layer)
    except geo.GeoDataError as exc:
        raise Refused(str(exc)) from None
    geo.clear_cache()
    bounds = ", ".join(f"{v:.4f}" for v in result.bounds)
    kinds = ", ".join(result.geometry_types)
    click.echo(
        f"Imported {result.features} features ({kinds}) as {result.name!r} into {result.path}"
    )
    click.echo(f"Bounds (lon/lat): {bounds}")


@geodata_cli.command("check")
def check_command() -> None:
    """List every site whose recorded country differs from the boundary layers."""
    sites = _sites()
    boundaries = geo.load_boundaries(current_app.config["GEODATA_DIR"])
    found = geo.locate(((s.slug, s.lon, s.lat, s.country) for s in sites), boundaries)
    differ = [(s, found[s.slug]) for s in sites if found[s.slug].mismatch]
    for line in _mismatch_lines(differ):
        click.echo(line)
    unexplained = sum(1 for site, _ in differ if not site.location_note)
    click.echo(
        f"{len(differ)} of {len(sites)} sites differ from the boundary layers; "
        f"{unexplained} without a stated reason (the site's location note)."
    )


def _sites() -> list:
    """Every site in the database."""
    from app.db.models import Site, db

    return list(db.session.scalars(db.select(Site)))


def _mismatch_lines(differ: Iterable[tuple[object, geo.Location]]) -> list[str]:
    """One readable line per site whose recorded country differs."""
    return [
        f"{site.slug}: recorded {site.country}, "
        f"found {loc.country or 'no country'} ({loc.border_km} km from the border)"
        + (f"; stated reason: {site.location_note}" if site.location_note else "")
        for site, loc in differ
    ]


def _build_module() -> ModuleType:
    """Import geodata/build.py by path (geodata is a data folder, not a package)."""
    spec = importlib.util.spec_from_file_location("geodata_build", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is created.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
