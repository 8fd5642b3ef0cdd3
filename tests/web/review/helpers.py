"""Shared steps of the review tests: a contributor's forms, and reading the record back."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.db.models import Actor, ControlPeriod, Proposal, Site
from app.extensions import db

LOG = "/editor/sites/al-qaim/log-control"
RECORD_TABLES = ("control_period", "status_period", "site", "source", "actor", "event", "revision")


def actor_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Actor.id).where(Actor.slug == slug))


def site_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Site.id).where(Site.slug == slug))


def token(client, url: str = LOG) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)


def log_data(app, client) -> dict:
    """A control change at al-Qa'im (test data, not a real event)."""
    return {
        "actor_id": actor_id(app, "kurdistan-region"),
        "date": "2024-12-08",
        "confidence": "medium",
        "note": "Handover reported (proposed).",
        "source_title": "Crossing handed over",
        "source_url": "https://example.org/a",
        "comment": "from the morning brief",
        "version": token(client),
    }


def qaim_period(app, actor_slug: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(ControlPeriod.id)
            .where(ControlPeriod.site.has(slug="al-qaim"), ControlPeriod.actor.has(slug=actor_slug))
            .order_by(ControlPeriod.start_earliest.desc())
            .limit(1)
        )


def period_data(app, period_id: int, **change) -> dict:
    with app.app_context():
        p = db.session.get(ControlPeriod, period_id)
        data = {
            "site_id": p.site_id,
            "actor_id": p.actor_id,
            "challenger_id": "",
            "start": p.start.text if p.start else "",
            "end": p.end.text if p.end else "",
            "confidence": p.confidence,
            "note": p.note,
            "source_ids": [s.id for s in p.sources],
            "version": str(p.version),
        }
    return {**data, **change}


def proposal_id(resp) -> int:
    """The proposal a contributor's save was turned into (from the redirect)."""
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    found = re.fullmatch(r"/review/(\d+)", resp.headers["Location"])
    assert found, resp.headers["Location"]
    return int(found.group(1))


def proposal(app, pid: int) -> Proposal:
    with app.app_context():
        p = db.session.get(Proposal, pid)
        db.session.expunge(p)
        return p


def record(fingerprint, app) -> dict:
    """The record's own tables (what readers, the API and the downloads are built from)."""
    return {k: v for k, v in fingerprint(app).items() if k in RECORD_TABLES}


def holder(client, day: str, slug: str = "al-qaim") -> str | None:
    features = client.get(f"/api/sites.geojson?date={day}").get_json()["features"]
    return next(f["properties"]["controller"] for f in features if f["properties"]["slug"] == slug)
