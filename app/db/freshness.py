"""When each site's record was last confirmed: its "last verified" day.

One definition, used by the map, the site page, the API, the exports and the review page:
the latest of the site's verification days and the first day of its latest *sourced*
control or status period (a period with at least one source). A period without a source
confirms nothing, and a period open to "before the records" has no first day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, func, literal, select, union_all

from app.core import bounds, clock
from app.core.bounds import Bound
from app.core.vocabulary import UNTRACKED_KINDS
from app.db.models import (
    ControlPeriod,
    Site,
    StatusPeriod,
    Verification,
    control_period_source,
    status_period_source,
)
from app.extensions import db

__all__ = [
    "as_known",
    "evidence",
    "last_verified",
    "last_verified_bound",
    "last_verified_by_site",
    "stalest_sites",
]


def _confirmations() -> list[tuple[Any, Any, tuple]]:
    """(site id column, day column, conditions) of each kind of confirming day: a
    verification, and a sourced period's first day (control, then status)."""
    parts: list[tuple[Any, Any, tuple]] = [(Verification.site_id, Verification.day, ())]
    for model, link, key in (
        (ControlPeriod, control_period_source, control_period_source.c.control_period_id),
        (StatusPeriod, status_period_source, status_period_source.c.status_period_id),
    ):
        sourced = exists(select(literal(1)).select_from(link).where(key == model.id))
        parts.append(
            (model.site_id, model.start_earliest, (model.start_earliest.is_not(None), sourced))
        )
    return parts


def _days():
    """(site_id, day) for every verification and every sourced period's first day."""
    parts = [
        select(site.label("site_id"), day.label("day")).where(*conditions)
        for site, day, conditions in _confirmations()
    ]
    return union_all(*parts).subquery("confirmed")


def latest_days(site_id) -> list:
    """For a query of sites (`site_id`: its site id column), the last day of each kind
    of confirmation of each site as a scalar subquery: the largest that is not null is
    the site's last verified day. Read with the site's own fields, no union is needed."""
    return [
        select(func.max(day)).where(site == site_id, *conditions).scalar_subquery()
        for site, day, conditions in _confirmations()
    ]


def _latest():
    """(site_id, last_verified) for every site with at least one confirmed day."""
    days = _days()
    return (
        select(days.c.site_id, func.max(days.c.day).label("last_verified"))
        .group_by(days.c.site_id)
        .subquery("latest")
    )


def last_verified_by_site() -> dict[int, dt.date]:
    """Site id → its last verified day (sites never confirmed are left out)."""
    latest = _latest()
    rows = db.session.execute(select(latest.c.site_id, latest.c.last_verified))
    return {site_id: _day(day) for site_id, day in rows if day is not None}


def last_verified(site_id: int) -> dt.date | None:
    """One site's last verified day, or None when nothing has ever confirmed it."""
    latest = _latest()
    day = db.session.scalar(select(latest.c.last_verified).where(latest.c.site_id == site_id))
    return _day(day) if day is not None else None


def as_known(site_id: int, day: dt.date) -> Bound:
    """A site's last verified `day` as the record knows it: that day when a confirmation
    was made on it, else the start of a sourced period beginning on it — a month, a year or
    a window when its sources say no more, never a day they do not give (the narrowest)."""
    checked = db.session.scalar(
        select(literal(1)).where(Verification.site_id == site_id, Verification.day == day)
    )
    if checked:
        return bounds.exact(day)
    starts = [
        period.start
        for model in (ControlPeriod, StatusPeriod)
        for period in db.session.scalars(
            select(model).where(model.site_id == site_id, model.start_earliest == day)
        )
        if period.sources and period.start is not None
    ]
    return min(starts, key=lambda b: b.latest or day, default=bounds.exact(day))


def last_verified_bound(site_id: int) -> Bound | None:
    """One site's last verified day as the record knows it (see as_known), or None."""
    day = last_verified(site_id)
    return None if day is None else as_known(site_id, day)


def stalest_sites(limit: int = 20) -> list[dict]:
    """Tracked sites, least recently verified first (never verified before all others):
    [{"slug", "name", "name_ar", "last_verified" (a date or None), "days" (since then, or
    None)}]."""
    latest = _latest()
    stmt = (
        select(Site.id, Site.slug, Site.name, Site.name_ar, latest.c.last_verified)
        .outerjoin(latest, latest.c.site_id == Site.id)
        .where(Site.kind.not_in(UNTRACKED_KINDS))
        .order_by(latest.c.last_verified.asc().nulls_first(), Site.slug)
        .limit(limit)
    )
    today = clock.today()
    out = []
    for site_id, slug, name, name_ar, day in db.session.execute(stmt).all():
        day = _day(day) if day is not None else None
        out.append(
            {
                "slug": slug,
                "name": name,
                "name_ar": name_ar,
                "last_verified": day,
                "known": as_known(site_id, day) if day else None,
                "days": (today - day).days if day else None,
            }
        )
    return out


def _day(value) -> dt.date:
    """A day from the union's column (SQLite may hand back the ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def evidence(site_id: int) -> dict | None:
    """What makes the site's last verified day: {"day", "known" (as_known), "sources"
    (Source rows), "note"}, the confirmations of that day first, else the sourced periods
    that start on it."""
    day = last_verified(site_id)
    if day is None:
        return None
    checks = db.session.scalars(
        select(Verification)
        .where(Verification.site_id == site_id, Verification.day == day)
        .order_by(Verification.id.desc())
    ).all()
    if checks:
        sources = list({v.source_id: v.source for v in checks}.values())
        return {"day": day, "known": bounds.exact(day), "sources": sources, "note": checks[0].note}
    found: dict[int, object] = {}
    models: tuple[Any, ...] = (ControlPeriod, StatusPeriod)
    for model in models:
        for period in db.session.scalars(
            select(model).where(model.site_id == site_id, model.start_earliest == day)
        ):
            found.update((s.id, s) for s in period.sources)
    return {
        "day": day,
        "known": as_known(site_id, day),
        "sources": list(found.values()),
        "note": "",
    }
