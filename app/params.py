"""Query-string parsing shared by the blueprints: clear 400s naming the parameter."""

from __future__ import annotations

import datetime as dt

from flask import abort, request

from . import timeline


def date_arg(name: str = "date", default: dt.date | None = None) -> dt.date | None:
    """Read a YYYY-MM-DD parameter or abort with 400 naming it and the rule."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return timeline.parse_date(raw)
    except ValueError as exc:
        abort(400, description=f"parameter '{name}': {exc}")


def today() -> dt.date:
    """The current calendar date (UTC)."""
    return dt.datetime.now(dt.UTC).date()
