"""``flask demo-data``: fill the database with synthetic sites for benchmarks."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, func, insert, select, text

from app.cli import Refused, writes
from app.core import demo_data, geo, search
from app.core.clock import today
from app.db.models import (
    Actor,
    ControlPeriod,
    Site,
    Source,
    StatusPeriod,
    control_period_source,
    event_site,
    status_period_source,
)
from app.extensions import db
from app.io import seed

__all__ = ["demo_data_command"]

_DEMO = Site.slug.like(f"{demo_data.SLUG_PREFIX}%")


@click.command("demo-data")
@click.option(
    "--sites",
    "n_sites",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    help="Number of synthetic sites.",
)
@click.option(
    "--periods",
    "n_periods",
    type=click.IntRange(1, 200),
    default=6,
    show_default=True,
    help="Control periods per site.",
)
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=1,
    show_default=True,
    help="Random seed: the same seed gives the same data.",
)
@click.option(
    "--force", is_flag=True, help="Also run on a database that holds real sites (they are kept)."
)
@with_appcontext
@writes
def demo_data_command(n_sites: int, n_periods: int, seed_value: int, force: bool) -> None:
    """Replace the demo sites (slug demo-…) with N new ones of K periods each."""
    real = db.session.scalar(select(func.count()).select_from(Site).where(~_DEMO))
    if real and not force:
        raise Refused(
            f"the database holds {real} real sites; demo data is for benchmark "
            "databases. Use --force to add demo sites next to them (real data is kept)."
        )
    _ensure_reference_data()
    actors = list(db.session.scalars(select(Actor.id).order_by(Actor.id)))
    sources = list(db.session.scalars(select(Source.id).order_by(Source.id)))
    border = _border_line()
    made = demo_data.generate(
        n_sites,
        n_periods,
        seed=seed_value,
        actors=actors,
        sources=sources,
        border=border,
        today=today(),
    )
    removed = _delete_demo()
    _insert(made)
    db.session.commit()
    # Fresh planner statistics, or the first as-of queries after a bulk load plan badly.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    click.echo(
        f"Removed {removed} earlier demo sites; added {len(made.sites)} sites, "
        f"{len(made.control)} control periods, {len(made.status)} status periods "
        f"(seed {seed_value})."
    )


def _ensure_reference_data() -> None:
    """Load the seed file's actors and sources (only) when the database has none."""
    has_actors = db.session.scalar(select(func.count()).select_from(Actor))
    has_sources = db.session.scalar(select(func.count()).select_from(Source))
    if not has_actors or not has_sources:
        seed.load(current_app.config["SEED_FILE"], kinds=("actors", "sources"))


def _border_line() -> list[tuple[float, float]]:
    """The Syria–Iraq border's vertices (north to south) from the boundary layers."""
    line = geo.load_boundaries(current_app.config["GEODATA_DIR"]).border.geometry.iloc[0]
    return [(x, y) for x, y in line.coords]


def _delete_demo() -> int:
    """Remove earlier demo sites with their periods; returns how many sites."""
    sites = select(Site.id).where(_DEMO)
    periods = select(ControlPeriod.id).where(ControlPeriod.site_id.in_(sites))
    statuses = select(StatusPeriod.id).where(StatusPeriod.site_id.in_(sites))
    db.session.execute(
        delete(control_period_source).where(control_period_source.c.control_period_id.in_(periods))
    )
    db.session.execute(
        delete(status_period_source).where(status_period_source.c.status_period_id.in_(statuses))
    )
    db.session.execute(delete(ControlPeriod).where(ControlPeriod.site_id.in_(sites)))
    db.session.execute(delete(StatusPeriod).where(StatusPeriod.site_id.in_(sites)))
    db.session.execute(delete(event_site).where(event_site.c.site_id.in_(sites)))
    return db.session.execute(delete(Site).where(_DEMO)).rowcount


def _insert(made: demo_data.Demo) -> None:
    """Bulk-insert sites, periods and source links with plain executemany (no ORM)."""
    db.session.execute(insert(Site.__table__), [_site_row(s) for s in made.sites])
    site_ids = dict(db.session.execute(select(Site.slug, Site.id).where(_DEMO)).all())
    ids = [site_ids[s.slug] for s in made.sites]
    for model, link, key, periods in (
        (ControlPeriod, control_period_source, "control_period_id", made.control),
        (StatusPeriod, status_period_source, "status_period_id", made.status),
    ):
        if periods:
            rows = [_period_row(p, ids, model is ControlPeriod) for p in periods]
            db.session.execute(insert(model.__table__), rows)
            _link_sources(model, link, key, periods, ids)


def _link_sources(
    model, link, key: str, periods: list[demo_data.DemoPeriod], site_ids: list[int]
) -> None:
    """Source rows for new periods, found again by (site, start): unique per site."""
    stored = select(model.id, model.site_id, model.start_edtf).where(
        model.site_id.in_(select(Site.id).where(_DEMO))
    )
    by_start = {(site, start): pid for pid, site, start in db.session.execute(stored)}
    db.session.execute(
        insert(link),
        [
            {key: by_start[site_ids[p.site], p.start and p.start.text], "source_id": s}
            for p in periods
            for s in p.sources
        ],
    )


def _site_row(s: demo_data.DemoSite) -> dict:
    row = {
        "slug": s.slug,
        "name": s.name,
        "name_ar": s.name_ar,
        "aliases": s.aliases,
        "country": s.country,
        "kind": s.kind,
        "lon": s.lon,
        "lat": s.lat,
        "location_precision": "approximate",
        "note": s.note,
        "version": 1,
    }
    # A bulk Core insert skips the model's event, so the search text is set here.
    row["search_text"] = search.search_text(s)
    return row


def _bound_columns(side: str, bound) -> dict:
    return {
        f"{side}_edtf": bound and bound.text,
        f"{side}_earliest": bound and bound.earliest,
        f"{side}_latest": bound and bound.latest,
    }


def _period_row(p: demo_data.DemoPeriod, site_ids: list[int], control: bool) -> dict:
    row = {
        "site_id": site_ids[p.site],
        **_bound_columns("start", p.start),
        **_bound_columns("end", p.end),
        "confidence": p.confidence,
        "note": "",
        "version": 1,
    }
    if control:
        row.update(actor_id=p.value, contested=p.contested, challenger_id=p.challenger)
    else:
        row["status"] = p.value
    return row
