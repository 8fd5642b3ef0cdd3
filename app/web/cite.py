"""Blueprint "cite": "Cite this view", a permalink and citation texts of one answer.

The permalink pins the answer to the record as it stood (`known`, `rev`), so the cited
holder can be reopened after later corrections; the texts come from app.core.citation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request, url_for

from app.core import citation
from app.core.clock import today
from app.db import queries, records
from app.db.models import Site
from app.web import i18n, js_strings, known
from app.web.httpcache import public_url
from app.web.params import date_arg, site_arg, within_record

bp = Blueprint("cite", __name__)


@bp.get("/cite")
def page():
    """The permalink, APA / Chicago / BibTeX texts and the sources of ?date= (and ?site=)."""
    view = _view()
    if view is None:
        return _with_today()
    title = citation.title(view.cited, *_wording())
    return render_template("cite.html", view=view, texts=_texts(view), title=title)


@bp.get("/cite.bib")
def bib():
    """The BibTeX entry alone, for reference managers."""
    view = _view()
    if view is None:
        return _with_today()
    resp = Response(_texts(view).bibtex, mimetype="text/x-bibtex")
    resp.headers["Content-Disposition"] = f'inline; filename="{citation.key(view.cited)}.bib"'
    return resp


class _View:
    """One cited view: the site (or None), its state rows and the citation's input."""

    def __init__(self, day: dt.date, site: Site | None) -> None:
        self.day, self.site = day, site
        rows = queries.state_at(day)
        self.rows = [r for r in rows if site is None or r["slug"] == site.slug]
        pinned = known.revision()
        self.revision = pinned if pinned is not None else known.latest_revision()
        self.known = (known.day() if pinned is not None else None) or today()
        self.pinned = pinned is not None
        self.sources = self._sources()
        self.challengers = _challengers(r["challenger"] for r in self.rows if r["contested"])
        self.permalink = public_url(self._link())
        self.cited = citation.Cited(
            day=day,
            site=i18n.actor_label(site.name, site.name_ar) if site else None,
            site_slug=site.slug if site else None,
            known=self.known,
            revision=self.revision,
            url=self.permalink,
            accessed=today(),
            sources=citation.unique(_source(s) for s in self.sources),
        )

    def _sources(self) -> list[dict]:
        """Sources of the control and status periods that hold on the day, once each."""
        status = queries.status_sources_at(self.day)
        found: dict[object, dict] = {}
        for row in self.rows:
            for s in [*row["sources"], *status.get(row["slug"], [])]:
                found.setdefault(s["ref"] or (s["title"], s["url"]), s)
        return sorted(found.values(), key=lambda s: (s["published"] or "", s["title"]))

    def _link(self) -> str:
        """The page cited, pinned to this state of the record (no rev for a record that
        has no revisions yet: there is no number to name)."""
        state: dict[str, Any] = {"known": self.known.isoformat(), "rev": self.revision or None}
        if self.site is not None:
            return url_for("main.site", slug=self.site.slug, date=self.day.isoformat(), **state)
        return url_for("main.index", date=self.day.isoformat(), **state)


def _challengers(slugs: Iterable[str | None]) -> dict[str, str]:
    """The name, in the reader's language, of each challenger of a contested answer, by
    slug: the cited answer says who contests it, as the site page's table does."""
    names = records.actor_names(slugs)
    return {
        slug: i18n.actor_label(name, name_ar) or slug for slug, (name, name_ar) in names.items()
    }


def _view() -> _View | None:
    """The view asked for; None when ?date= is missing (the caller redirects)."""
    site = site_arg()
    day = date_arg("date")
    if day is None:
        return None
    return _View(within_record("date", day), site)


def _with_today():
    """A citation names its day: without ?date=, the same view of today, in the URL."""
    # Built from the query as sent: url_for would read names such as _external as options.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "date"]
    query = urlencode([*args, ("date", today().isoformat())])
    return redirect(f"{request.script_root}{request.path}?{query}")


def _texts(view: _View) -> citation.Texts:
    """The citation texts in this request's language (dates worded as on the pages)."""
    return citation.cite(view.cited, *_wording())


def _wording() -> tuple[dict[str, str], Callable[[dt.date], str] | None]:
    """Translated phrases, and dates worded as on the pages in a language other than
    English (English keeps the month-first dates APA and Chicago prescribe)."""
    long_day = None if i18n.language() == "en" else js_strings.bound_reading
    return i18n.translated(citation.WORDS), long_day


def _source(s: dict) -> citation.Source:
    return citation.Source(
        title=s["title"] or "",
        publisher=s["publisher"] or "",
        url=s["url"] or "",
        # In the reader's month names (day_label), English as timeline.format_bound has it.
        published=js_strings.day_label(s.get("published"), s.get("published_precision") or "day"),
    )
