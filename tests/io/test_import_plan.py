"""Planning an import: field rules, references, overlaps, create/update/unchanged."""

import datetime as dt

import pytest

from app.core import bounds, timeline
from app.io.import_formats import Row
from app.io.import_plan import Existing, plan

D = dt.date


def _existing():
    held = timeline.Period(bounds.parse("2014-06"), D(2017, 11, 9), None, 7)
    fields = {
        "site": "qaim",
        "actor": "isis",
        "start": bounds.parse("2014-06"),
        "end": bounds.exact(D(2017, 11, 9)),
        "confidence": "high",
        "note": "",
        "sources": ["S1"],
        "contested": False,
        "challenger": "",
    }
    return Existing(
        sources={"S1": {"id": 1, "ref": "S1", "title": "One"}},
        sites={
            "qaim": {
                "id": 3,
                "slug": "qaim",
                "name": "Qaim",
                "country": "IQ",
                "kind": "crossing_side",
                "lon": 41.0,
                "lat": 34.4,
            }
        },
        actors={"isis", "iraq"},
        crossings={"c1"},
        periods={"qaim": [(held, fields)]},
        status={"qaim": []},
    )


def _period(where="line 2", **values):
    base = {"site": "qaim", "actor": "iraq", "start": "2017-11-09", "sources": "S1"}
    return Row("periods", where, {**base, **values})


def test_new_period_after_the_last_one_is_created():
    result = plan([_period()], _existing())
    assert result.ok and [c.action for c in result.changes] == ["create"]
    assert result.changes[0].values["start"] == bounds.exact(D(2017, 11, 9))


def test_dates_in_arabic_indic_digits_are_read_as_latin_ones():
    """A day, a window or a month typed with ٠–٩ (or ۰–۹) imports as 0–9."""
    day = plan([_period(start="٢٠١٧-١١-٠٩")], _existing()).changes[0]
    assert day.values["start"].text == "2017-11-09"
    window = _period(start="۲۰۱۷-۱۱-۰۹/۲۰۱۷-۱۱-۱۲", end="٢٠١٨-٠٢-١٧/٢٠١٨-٠٤-٢٠")
    change = plan([window], _existing()).changes[0]
    assert (change.values["start"].text, change.values["end"].text) == (
        "2017-11-09/2017-11-12",
        "2018-02-17/2018-04-20",
    )


def test_same_site_and_start_is_an_update_or_unchanged():
    same = _period(actor="isis", start="2014-06", end="2017-11-09")
    assert plan([same], _existing()).changes[0].action == "unchanged"
    later = _period(actor="isis", start="2014-06", end="2017-12-01")
    change = plan([later], _existing()).changes[0]
    assert (change.action, change.target) == ("update", 7)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"start": "2016-01-01"}, "overlaps the period Jun 2014 – 9 Nov 2017 already recorded"),
        ({"start": "2017-13-01"}, "field 'start'"),
        ({"end": "2017-01-01"}, "must be after start"),
        ({"actor": "nobody"}, "field 'actor': no actor called 'nobody'"),
        ({"challenger": "iraq"}, "must differ"),
        ({"site": "elsewhere"}, "field 'site'"),
        ({"sources": ""}, "needs at least one source"),
        ({"sources": "S1; S404"}, "no source 'S404'"),
        ({"confidence": "sure"}, "field 'confidence'"),
        ({"contested": "maybe"}, "field 'contested'"),
    ],
)
def test_broken_rules_are_reported_with_place_and_rule(values, message):
    result = plan([_period(**values)], _existing())
    assert not result.ok and result.changes == []
    assert result.errors[0].startswith("line 2 (periods): ")
    assert message in result.errors[0]


def test_overlaps_within_the_file_name_the_other_line():
    rows = [
        _period("line 2", start="2018-01-01", end="2019-01-01"),
        _period("line 3", start="2018-06-01"),
    ]
    assert "at line 2 of this file" in plan(rows, _existing()).errors[0]


def test_file_sources_and_sites_can_be_used_by_file_periods():
    rows = [
        _period("line 9", site="new", sources="N1"),
        Row(
            "sites",
            "features[0]",
            {"slug": "new", "name": "New", "country": "sy", "kind": "town", "lon": 40, "lat": 34},
        ),
        Row("sources", "sources[0]", {"ref": "N1", "title": "New source"}),
    ]
    result = plan(rows, _existing())
    assert result.ok, result.errors
    assert [c.kind for c in result.changes] == ["sources", "sites", "periods"]
    assert result.changes[1].values["country"] == "SY"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"slug": "Bad Slug"}, "field 'slug'"),
        ({"country": "Syria"}, "field 'country'"),
        ({"kind": "castle"}, "field 'kind'"),
        ({"lon": "200"}, "field 'lon'"),
        ({"lat": "north"}, "field 'lat'"),
        ({"crossing": "nope"}, "field 'crossing'"),
        ({"name": ""}, "field 'name' is required"),
        ({"aliases": 5}, "field 'aliases'"),
        ({"aliases": "ok; b\x00d"}, "field 'aliases' must not contain control characters"),
        ({"aliases": ";".join(map(str, range(51)))}, "at most 50"),
        ({"aliases": ["x" * 201]}, "at most 200 characters"),
        ({"note": "n" * 5001}, "field 'note' is longer than 5000 characters"),
        ({"name": "Al\x0bQaim"}, "field 'name' must not contain control characters"),
        ({"name": "\u202eRTL"}, "field 'name' must not contain direction controls"),
        ({"name_ar": "\u2067القائم"}, "field 'name_ar' must not contain direction controls"),
        ({"aliases": "ok; \u202ab"}, "field 'aliases' must not contain direction controls"),
        ({"note": "x\u2069"}, "field 'note' must not contain direction controls"),
    ],
)
def test_site_rules(values, message):
    site = {
        "slug": "ok",
        "name": "OK",
        "country": "SY",
        "kind": "town",
        "lon": "40",
        "lat": "34",
        **values,
    }
    assert message in plan([Row("sites", "line 2", site)], _existing()).errors[0]


@pytest.mark.parametrize(
    "values, message",
    [
        ({"url": "javascript:alert(1)"}, "field 'url' must be an http:// or https://"),
        ({"archived_url": "data:text/html,x"}, "field 'archived_url' must be an http://"),
        ({"url": 'https://example.org/"><script>'}, "field 'url' must not contain spaces"),
        ({"title": "T\x00"}, "field 'title' must not contain control characters"),
    ],
)
def test_source_rules(values, message):
    source = {"ref": "N1", "title": "T", **values}
    assert message in plan([Row("sources", "line 2", source)], _existing()).errors[0]


def test_duplicate_keys_in_one_file():
    rows = [Row("sources", f"line {n}", {"ref": "N1", "title": "T"}) for n in (2, 5)]
    assert plan(rows, _existing()).errors == [
        "line 5 (sources): 'N1' is also at line 2 of this file"
    ]


def test_errors_are_listed_in_file_order():
    rows = [_period(f"line {n}", actor="nobody") for n in (10, 2, 33)]
    assert [e.split(" ")[1] for e in plan(rows, _existing()).errors] == ["2", "10", "33"]


@pytest.mark.parametrize("radius", ["1e308", "1000.5", "0", "-1", "nan", "inf"])
def test_a_site_radius_is_refused_by_the_rule_the_site_form_applies(radius):
    """One definition (geo.radius_problem): more than 0 and at most 1,000 km."""
    site = {"slug": "ok", "name": "OK", "country": "SY", "kind": "zone", "lon": "40"}
    result = plan([Row("sites", "line 2", {**site, "lat": "34", "radius_km": radius})], _existing())
    assert result.errors == [
        "line 2 (sites): field 'radius_km': must be more than 0 and at most 1000 km"
    ], result.errors


@pytest.mark.parametrize("radius", ["55", "1000", "0.5", ""])
def test_a_site_radius_within_the_rule_is_taken(radius):
    site = {"slug": "ok", "name": "OK", "country": "SY", "kind": "zone", "lon": "40"}
    result = plan([Row("sites", "line 2", {**site, "lat": "34", "radius_km": radius})], _existing())
    assert result.errors == []


# the editor forms' rules, from one definition in app/core ------------------------------
TODAY = D(2026, 12, 3)


def _site(**values):
    site = {"slug": "ok", "name": "OK", "country": "SY", "kind": "town", "lon": "40", "lat": "34"}
    return Row("sites", "line 2", {**site, **values})


@pytest.mark.parametrize("country", ["FR", "ZZ", "jo", "TR"])
def test_a_country_outside_the_vocabulary_is_refused_naming_the_allowed_ones(country):
    """vocabulary.COUNTRIES, as the site form's choices: SY and IQ."""
    assert plan([_site(country=country)], _existing()).errors == [
        f"line 2 (sites): field 'country': {country!r} is not one of SY, IQ"
    ]


@pytest.mark.parametrize("country", ["SY", "iq"])
def test_a_country_of_the_vocabulary_is_taken(country):
    result = plan([_site(country=country)], _existing())
    assert result.ok, result.errors
    assert result.changes[0].values["country"] == country.upper()


@pytest.mark.parametrize(
    "row, field",
    [
        (_period(start="2026-12-04"), "start"),
        (_period(start="2018-01-01", end="2027"), "end"),
        (_period(start="2018-01-01", end_edtf="2026-12-04/2026-12-31"), "end_edtf"),
        (
            Row(
                "status",
                "line 2",
                {"site": "qaim", "status": "open", "sources": "S1", "start": "2027-01"},
            ),
            "start",
        ),
        (
            Row("events", "line 2", {"slug": "e", "title": "E", "date_edtf": "2026-12-04"}),
            "date_edtf",
        ),
        (
            Row(
                "events",
                "line 2",
                {"slug": "e", "title": "E", "date": "2026-12-01", "end": "2026-12-04"},
            ),
            "end",
        ),
        (Row("sources", "line 2", {"ref": "N1", "title": "T", "published": "2027"}), "published"),
        (
            Row("sources", "line 2", {"ref": "N1", "title": "T", "accessed": "2026-12-04"}),
            "accessed",
        ),
    ],
)
def test_a_date_after_today_is_refused_naming_the_field(row, field):
    """The forms' not_future: refused when even its first possible day is after today."""
    errors = plan([row], _existing(), today=TODAY).errors
    assert errors == [
        f"line 2 ({row.kind}): field {field!r}: must not be in the future (today is 2026-12-03)"
    ]


@pytest.mark.parametrize(
    "row",
    [
        _period(start="2026-12-03"),
        _period(start="2026"),  # the year may be this year's first eleven months
        _period(start="2026-12"),
        _period(start="2018-01-01", end="2026-11-20/2027-01-31"),
        _period(start="2018-01-01", end="2026/.."),
        Row("events", "line 2", {"slug": "e", "title": "E", "date_edtf": "2026-12"}),
        Row("sources", "line 2", {"ref": "N1", "title": "T", "published": "2026-12"}),
    ],
)
def test_a_window_that_may_include_today_is_not_in_the_future(row):
    result = plan([row], _existing(), today=TODAY)
    assert result.ok, result.errors


def test_today_is_the_project_clock_s(monkeypatch):
    """Without `today`, the plan asks app.core.clock, as the forms do."""
    from app.core import clock

    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2018, 3, 1, 23, 59, tzinfo=dt.UTC))
    assert plan([_period(start="2018-03-01")], _existing()).ok
    assert (
        "field 'start': must not be in the future (today is 2018-03-01)"
        in (plan([_period(start="2018-03-02")], _existing()).errors[0])
    )


@pytest.mark.parametrize(
    "values, field",
    [
        ({"start": "2018", "end": "2017-06-01"}, "end"),
        ({"start": "2018-05", "end": "2018-05-01"}, "end"),
        ({"start_edtf": "2018", "end_edtf": "2017"}, "end_edtf"),
    ],
)
def test_an_end_before_the_start_is_refused_naming_the_field_and_the_rule(values, field):
    base = {"site": "qaim", "actor": "iraq", "sources": "S1"}
    (error,) = plan([Row("periods", "line 2", {**base, **values})], _existing()).errors
    assert error.startswith(f"line 2 (periods): field {field!r}: "), error
    assert "must be after start" in error, error


@pytest.mark.parametrize(
    "start, precision, first",
    [
        ("2014-06-15", "month", "2014-06-01"),
        ("2014-06-30", "month", "2014-06-01"),
        ("2014-06-01", "year", "2014-01-01"),
    ],
)
def test_a_first_day_the_precision_would_drop_is_refused(start, precision, first):
    """An older file's day plus precision: only the first day of the month or year is the
    whole month or year; any other day would be stored as the whole and its day lost."""
    row = _period(start=start)
    row = Row(row.kind, row.where, row.values, derived={"start_precision": precision})
    (error,) = plan([row], _existing()).errors
    stored = start[: 7 if precision == "month" else 4]
    assert error.startswith(
        f"line 2 (periods): field 'start': {start!r} with precision {precision} would be "
        f"stored as {stored}"
    ), error
    assert first in error


def test_a_first_day_with_its_precision_is_the_whole_month_or_year():
    values = _period(start="2014-06-01", end="2015-01-01").values
    row = Row(
        "periods", "line 2", values, derived={"start_precision": "month", "end_precision": "year"}
    )
    change = plan([row], _existing()).changes[0]
    assert (change.values["start"].text, change.values["end"].text) == ("2014-06", "2015")


def test_an_event_day_the_precision_would_drop_is_refused():
    values = {"slug": "e", "title": "E", "date": "2014-06-15"}
    row = Row("events", "line 2", values, derived={"precision": "month"})
    (error,) = plan([row], _existing()).errors
    assert error.startswith("line 2 (events): field 'date': '2014-06-15' with precision month")
