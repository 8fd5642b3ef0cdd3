"""Words of the page scripts and of dates, in the interface's language.

The map, source picker and point picker scripts (static/js/) word their labels, popups and
announcements with these strings, which every page carries as a JSON block
(templates/_js_strings.html, ``<script type="application/json" id="atlas-strings">``).
The scripts keep the English text for a page without the block. Placeholders are
``{name}`` and are filled in the browser (or by :func:`date_words` on the server: the
``date.`` and ``when.`` phrases word bounds on both sides alike). Besides the strings, the
block says the language, the digits ("latn" or "arab") and the locale of month names.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask, g
from flask_babel import gettext as _
from markupsafe import Markup

from app.core import bounds, map_encoding
from app.web import i18n

__all__ = [
    "strings",
    "strings_json",
    "date_words",
    "chart_labels",
    "bound_short",
    "bound_reading",
    "day_label",
    "when_text",
    "init_app",
]

#: Locale the browser's Intl API names months in (the server's bounds.DATE_LOCALES).
INTL_LOCALES = {"ar": "ar-SY"}


def strings() -> dict[str, str]:
    """Key → text of every script string in this request's language (computed once)."""
    if "js_strings" not in g:
        language = i18n.language()
        g.js_strings = {
            "lang": language,
            "digits": i18n.digits(),
            "date_locale": INTL_LOCALES.get(language, language),
            **_dates(),
            **_map(),
            **_vocabulary(),
            **_pickers(),
        }
    return g.js_strings


def strings_json() -> Markup:
    """The strings as JSON that is safe inside the page's <script> block."""
    return Markup(map_encoding.script_json(strings()))


def date_words() -> bounds.DateWords:
    """How this request writes bounds: month names, digits and phrases."""
    if "date_words" not in g:
        g.date_words = bounds.date_words(i18n.language(), i18n.digits(), strings())
    return g.date_words


def chart_labels() -> dict[str, str]:
    """The words of the site page's SVG timeline (svg_timeline.LABELS), translated."""
    return {
        "desc": _(
            "Control bars coloured by actor, grey-hatched where control is unknown and "
            "striped where a change falls in a window of days (its dates written under the "
            "chart); below them open, restricted or closed status and dated events. The "
            "tables below give the same information as text."
        ),
        "title": _("{title}, {years}"),
        "control": _("Control"),
        "status": _("Status"),
        "events": _("Events"),
        "control_unknown": _("Control unknown"),
        "status_unknown": _("Status unknown"),
        "gap": _("{what}: {first} – {last}"),
        "began": _("{name} began {reading}"),
        "ended": _("{name} ended {reading}"),
        "span": _("{name}: {first} – {last}"),
        "before_records": _("before records"),
        "ongoing": _("ongoing"),
        "today": _("Today, {date}"),
        "confidence": _("{level} confidence"),
        "contested": _("contested"),
        "contested_by": _("contested by {name}"),
        "open": _("open"),
        "closed": _("closed"),
        "restricted": _("restricted"),
        "high": _("high"),
        "medium": _("medium"),
        "low": _("low"),
    }


def bound_short(value: bounds.Bound | str | dt.date | None) -> str:
    """Jinja filter: a bound (an EDTF text, a day) compactly, "Jun 2014" / "حزيران 2014"."""
    if not value:
        return ""
    return _bound(value).short(date_words())


def bound_reading(value: bounds.Bound | str | dt.date | None) -> str:
    """Jinja filter: a bound (an EDTF text, a day) in words, "sometime in June 2014",
    "4 March 2016"."""
    if not value:
        return ""
    return _bound(value).reading(date_words())


def day_label(day: dt.date | str | None, precision: str = "day", none: str = "") -> str:
    """Jinja filter: a day (or its ISO text) at its precision, "4 Mar 2013", "Mar 2013",
    "2013" (timeline.format_bound in this request's language)."""
    if not day:
        return none
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return bounds.at_precision(day, precision).short(date_words())


def span_text(start: bounds.Bound | None, end: bounds.Bound | None) -> str:
    """A period's span in this request's language, "Mar 2013 – ongoing" (what
    timeline.Period.describe says in English)."""
    if any(b is not None and b.precision == "window" for b in (start, end)):
        # A window is already "17 Feb – 20 Apr 2026": a second dash would read as a third part.
        if end is None:
            return _("since %(start)s", start=bound_short(start))
        return _(
            "%(start)s to %(end)s",
            start=bound_short(start) or _("before records"),
            end=bound_short(end),
        )
    return _(
        "%(start)s – %(end)s",
        start=bound_short(start) or _("before records"),
        end=bound_short(end) or _("ongoing"),
    )


def when_text(row) -> str:
    """Jinja global: the state table's "since / until" text of a state_at row (a handover
    names its holders in Arabic in the Arabic interface)."""
    transition = row.get("transition")
    if transition and transition.get("names_ar") and i18n.language() == "ar":
        # An open side is the word "unknown" among the names: said in Arabic too.
        names = [i18n.word(name) for name in transition["names_ar"]]
        row = {**row, "transition": {**transition, "names": names}}
    return map_encoding.when_label(row, date_words())


# A word holding an en dash: a range written without spaces ("11–12 Feb", "Jul–Aug").
_RANGE_WORD = re.compile(r"(\S+–\S+)")


def unbroken(text: str) -> Markup:
    """Jinja global: `text` escaped, each range written without spaces in a span kept on
    one line (a line may break after an en dash); AtlasCore.unbroken does the same."""
    parts = _RANGE_WORD.split(text)  # the ranges at odd places
    return Markup("").join(
        Markup('<span class="range">{}</span>').format(part) if at % 2 else part
        for at, part in enumerate(parts)
        if part
    )


def status_text(row) -> str:
    """Jinja global: a state_at row's status in words; "changing (closed → open)" while it
    changes in a window, as the map's table writes it (atlas-core.js statusWords)."""
    change = row.get("status_transition")
    if not change:
        return i18n.word(row["status"])
    unknown = [_("unknown")]
    chain = [
        *(unknown if change["from"] is None else []),
        *map(i18n.word, change["candidates"]),
        *(unknown if change["to"] is None else []),
    ]
    return _("changing ({chain})").format(chain=_(" → ").join(chain))


def init_app(app: Flask) -> None:
    """The strings and the date filters for templates."""
    app.jinja_env.globals.update(
        js_strings=strings, js_strings_json=strings_json, when_text=when_text, unbroken=unbroken,
        status_text=status_text,
    )  # fmt: skip
    app.jinja_env.filters.update(
        bound_short=bound_short, bound_reading=bound_reading, day_label=day_label
    )


def _bound(value: bounds.Bound | str | dt.date) -> bounds.Bound:
    if isinstance(value, bounds.Bound):
        return value
    return bounds.exact(value) if isinstance(value, dt.date) else bounds.parse(value)


def _dates() -> dict[str, str]:
    """The phrases of bounds.PHRASES (the same keys, read by bounds and atlas-core.js)."""
    return {
        "date.sometime": _("sometime {window}"),
        "date.in": _("in {date}"),
        "date.between": _("between {first} and {last}"),
        "date.no_later_than": _("no later than {date}"),
        "date.no_earlier_than": _("no earlier than {date}"),
        "date.by": _("by {date}"),
        "date.from": _("from {date}"),
        "date.uncertain": _("{date} (uncertain)"),
        "date.approximate": _("{date} (approximate)"),
        "date.uncertain_approximate": _("{date} (uncertain, approximate)"),
        "when.span": _("{since} – {until}"),
        "when.since": _("since {date}"),
        "when.until": _("until {date}"),
        "when.always": _("always on record"),
        "when.no_record": _("no record"),
        "when.handover": _("{chain}, {window}"),
        # Between the holders of a handover, in time order (in Arabic pointing leftwards).
        "when.arrow": _(" → "),
    }


def _map() -> dict[str, str]:
    """Map page (atlas-map.js): layers, labels, table, popups, slider, announcements."""
    return {
        "unknown": _("unknown"),
        "holder.changing": _("changing hands ({chain})"),
        "changing.status": _("changing ({chain})"),
        "tag.contested": _("contested"),
        "tag.uncertain": _("date uncertain"),
        "tag.changing": _("changing hands"),
        "place.crossing_side": _("{adjective} side of a crossing"),
        "place.in": _("{kind} in {country}"),
        "map.zoom_in": _("Zoom in"),
        "map.zoom_out": _("Zoom out"),
        "map.layers": _("Layers"),
        # The scale bar's length: {n} is a number.
        "map.scale.m": _("{n} m"),
        "map.scale.km": _("{n} km"),
        "map.scale.ft": _("{n} ft"),
        "map.scale.mi": _("{n} mi"),
        "layer.sites": _("Crossings and sites"),
        "layer.events": _("Events within {days} days"),
        "cluster.untracked": _("not tracked"),
        "cluster.label": _("{count} sites: {parts}"),
        "table.untracked": _("not tracked for control"),
        "table.unknown": _("Unknown"),
        "table.show_site": _("Show {name} on the map"),
        "table.show": _("Show on the map"),
        "table.others": _("Other sites"),
        "table.crossing_note": _("crossing, {count} sides"),
        "table.count": _("{shown} of {total} sites"),
        "popup.untracked": _("Not tracked for control"),
        "popup.unknown": _("Unknown"),
        "popup.handover": _(
            "Control changed hands {window}; the record does not say on which day."
        ),
        "popup.site_page": _("Site page: full history and sources"),
        "popup.log_change": _("Log a change here"),
        "popup.status": _("Status:"),
        "popup.sources": _("Sources"),
        # Heading of the sources of the open/closed status shown in a site's map popup.
        "popup.status_sources": _("Sources of the status"),
        "popup.confidence": _("{level} confidence"),
        "popup.contested_by": _("contested by {name}"),
        "title.map": _("{date} · Border Control Atlas"),
        "changes.more": _("and {count} more (highlighted in the table)"),
        "change.status": _("Status {from} → {to}"),
        "change.control": _("{from} → {to}"),
        "change.at": _("{what} at {site}"),
        "announce.none": _("{date}: no change on this date."),
        "announce.one": _("{date}: 1 change. {list}"),
        "announce.many": _("{date}: {count} changes. {list}"),
        "announce.status": _("status {from} to {to} at {site}"),
        "announce.control": _("{from} to {to} at {site}"),
        "announce.more": _("and {count} more"),
        "list.separator": _("; "),
        "list.comma": _(", "),
        "scope.site": _("One site"),
        "scope.actor": _("One actor"),
        "copy.select": _("Selected: press Ctrl+C (⌘C) to copy."),
        "copy.done": _("Copied."),
        "play.play": _("Play"),
        "play.pause": _("Pause"),
        "search.failed": _("Search failed; try again."),
        "search.none": _("No site matches “{query}”."),
        "search.one": _("1 site found:"),
        "search.many": _("{count} sites found:"),
        # {ago} is the browser's own "14 months ago" in the page's language (Intl).
        "fresh.ago": _("last verified {ago}"),
        "fresh.today": _("last verified today"),
        "fresh.never": _("never verified"),
        "popup.confirm": _("Confirm still holds"),
        "popup.close": _("Close this popup"),
    }


def _vocabulary() -> dict[str, str]:
    """Vocabulary values the scripts show: statuses, confidence levels, kinds, countries."""
    return {
        "status.open": _("open"),
        "status.closed": _("closed"),
        "status.restricted": _("restricted"),
        "status.unknown": _("unknown"),
        "confidence.high": _("high"),
        "confidence.medium": _("medium"),
        "confidence.low": _("low"),
        "kind.crossing_side": _("side of a crossing"),
        "kind.town": _("town"),
        "kind.garrison": _("garrison"),
        "kind.zone": _("zone"),
        "kind.site": _("site"),
        "country.SY": _("Syria"),
        "country.IQ": _("Iraq"),
        "country.JO": _("Jordan"),
        "country.TR": _("Turkey"),
        "adjective.SY": _("Syrian"),
        "adjective.IQ": _("Iraqi"),
        "adjective.JO": _("Jordanian"),
        "adjective.TR": _("Turkish"),
    }


def _pickers() -> dict[str, str]:
    """Editor forms: the source picker and the point picker."""
    return {
        "picker.filter": _("Type to filter…"),
        "picker.recent": _("Recently cited by you"),
        "picker.others": _("All other sources"),
        "picker.all": _("All sources"),
        "picker.count": _("{shown} of {total} sources shown · {picked} picked"),
        "picker.keys": _("↑ ↓ move between the sources, Space picks one"),
        "picker.location": _("Site location"),
    }
