"""The map's time data block: compact, complete, and safe inside a <script> element."""

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import bounds, map_encoding, timeline, vocabulary
from app.core.map_encoding import MapRows

D = dt.date


def _b(value):
    """A bound from a date (the exact day) or EDTF text; None stays open."""
    if value is None:
        return None
    return bounds.exact(value) if isinstance(value, dt.date) else bounds.parse(value)


def _period(site_id, actor_id, start, end, **extra):
    row = {
        "id": extra.pop("id", None),
        "site_id": site_id,
        "actor_id": actor_id,
        "challenger_id": None,
        "start": _b(start),
        "end": _b(end),
        "contested": False,
        "confidence": "high",
        "source_ids": [],
        **extra,
    }
    return row


@pytest.fixture
def rows():
    actors = [
        {"id": 7, "slug": "gov", "name": "Government", "short": "Gov", "colour": "#0072B2"},
        {"id": 9, "slug": "isis", "name": "ISIS </script>", "short": "ISIS", "colour": "red;}"},
    ]
    sites = [
        {
            "id": 1,
            "slug": "al-tanf",
            "name": "al-Tanf",
            "name_ar": "التنف",
            "country": "SY",
            "lon": 38.937412,
            "lat": 33.433249,
            "kind": "crossing_side",
        }
    ]
    control = [
        _period(1, 9, D(2015, 5, 21), D(2016, 3, 4), source_ids=[31, 30]),
        _period(1, 7, None, D(2015, 5, 21), source_ids=[30]),
        _period(
            1,
            7,
            "2016-12",
            None,
            contested=True,
            challenger_id=9,
            confidence="low",
        ),
    ]
    status = [
        {
            "site_id": 1,
            "status": "closed",
            "start": _b("2017-03"),
            "end": None,
            "confidence": "low",
        }
    ]
    events = [
        {
            "id": 1,
            "date": D(2016, 3, 4),
            "precision": "day",
            "title": "NSA <b>",
            "lon": 38.9,
            "lat": 33.4,
            "source_ids": [31],
        }
    ]
    sources = {
        30: {
            "title": "A",
            "publisher": "P",
            "url": "https://a.example",
            "published": "2015",
            "language": "ar",
        },
        31: {"title": "B", "publisher": "", "url": "", "published": "2016-03-04"},
    }
    return MapRows(actors, sites, control, status, events, sources)


def _absolute(periods):
    """What the browser plugin does to the relative encoding."""
    cursor, out = 0, []
    for value, start_lo, start_hi, end_lo, end_hi, *rest in periods:
        start_lo = None if start_lo is None else start_lo + cursor
        start_hi = _after(start_lo, start_hi)
        end_lo = None if end_lo is None else end_lo + (start_lo or 0)
        end_hi = _after(end_lo, end_hi)
        cursor = cursor if end_lo is None else end_lo
        out.append([value, start_lo, start_hi, end_lo, end_hi, *rest])
    return out


def _after(lo, hi):
    return None if hi is None else (hi if lo is None else lo + hi)


def test_encode_sends_each_site_once_with_periods_in_time_order(rows):
    data = map_encoding.encode(rows, D(2026, 1, 1))
    assert data["sites"] == [["al-tanf", "al-Tanf", "التنف", "SY", 38.9374, 33.4332, 0]]
    periods = _absolute(data["control"][0])
    assert [p[0] for p in periods] == [0, 1, 0]  # gov, isis, gov
    assert periods[0][1] is None and periods[-1][3] is None
    day = map_encoding.offset
    assert periods[1][1:5] == [
        day(D(2015, 5, 21)),
        day(D(2015, 5, 21)),
        day(D(2016, 3, 4)),
        day(D(2016, 3, 4)),
    ]
    assert periods[2][1:3] == [day(D(2016, 12, 1)), day(D(2016, 12, 31))]  # the whole month


def test_flags_carry_precision_contest_confidence_and_challenger(rows):
    last = map_encoding.encode(rows, D(2026, 1, 1))["control"][0][-1]
    flags = last[5]
    assert flags & 3 == 1  # start known to the month
    assert flags & 16  # contested
    assert (flags >> 5) & 3 == 2  # low confidence
    assert not (flags >> 7) & 15  # no ? or ~ on either bound
    assert (flags >> 12) - 1 == 1  # challenged by actor 1 (isis)


def test_sources_are_numbered_once_and_referenced_by_index(rows):
    data = map_encoding.encode(rows, D(2026, 1, 1))
    first, second = data["control"][0][0], data["control"][0][1]
    assert first[6:] == [0]  # source 30
    assert second[6:] == [1, 0]  # sources 31, 30
    assert data["sources"][0] == ["A", "P", "https://a.example", "2015", "ar"]
    assert data["events"][0][5] == [1]


def test_status_periods_carry_their_sources_after_the_flags(rows):
    """The popup lists the sources of the status shown, as it does the holder's."""
    assert map_encoding.encode(rows, D(2026, 1, 1))["status"][0][0][6:] == []  # none cited
    rows.status[0]["source_ids"] = [31, 32]
    rows.sources[32] = {"title": "C", "publisher": "", "url": "", "published": ""}
    data = map_encoding.encode(rows, D(2026, 1, 1))
    (closed,) = data["status"][0]
    assert closed[6:] == [1, 2]  # 31 already numbered by a control period, then 32
    assert [s[0] for s in data["sources"]] == ["A", "B", "C"]


def test_only_web_addresses_reach_the_popups(rows):
    rows.sources[31]["url"] = "javascript:alert(1)"
    data = map_encoding.encode(rows, D(2026, 1, 1))
    assert [s[2] for s in data["sources"]] == ["https://a.example", ""]


def test_change_points_are_cumulative_differences(rows):
    data = map_encoding.encode(rows, D(2026, 1, 1))
    days = [sum(data["changes"][: n + 1]) for n in range(len(data["changes"]))]
    expected = timeline.change_points(
        {
            ("c", 1): [timeline.Period(p["start"], p["end"], p["actor_id"]) for p in rows.control],
            ("s", 1): [timeline.Period(_b("2017-03"), None, "closed")],
        }
    )
    assert days == [map_encoding.offset(d) for d in expected]


def test_a_status_the_same_on_both_sides_of_its_window_makes_no_change_day(rows):
    june = _b("2016-06")
    rows.status[:] = [
        {"site_id": 1, "status": "open", "start": None, "end": june, "confidence": "high"},
        {"site_id": 1, "status": "open", "start": june, "end": None, "confidence": "high"},
    ]
    rows.control[:] = []
    assert map_encoding.change_points(rows) == []
    rows.status[1]["status"] = "closed"
    assert map_encoding.change_points(rows) == [D(2016, 6, 1), D(2016, 6, 30)]


def test_unsafe_colours_are_replaced(rows):
    data = map_encoding.encode(rows, D(2026, 1, 1))
    assert data["actors"][1][2] == "#8a8f98"


def test_script_json_cannot_close_the_script_element(rows):
    text = map_encoding.script_json(map_encoding.encode(rows, D(2026, 1, 1)))
    assert "</script" not in text and "<!--" not in text and "<b>" not in text
    assert json.loads(text)["actors"][1][1] == "ISIS </script>"


@pytest.mark.parametrize(
    ("row", "label"),
    [
        ({"controller": None}, "no record"),
        ({"controller": "x", "since_edtf": "2014-06", "until_edtf": None}, "since Jun 2014"),
        ({"controller": "x", "since_edtf": None, "until_edtf": "2015-05-21"}, "until 21 May 2015"),
        ({"controller": "x", "since_edtf": None, "until_edtf": None}, "always on record"),
        (
            {"controller": None, "transition": {"names": ["unknown", "Gov"], "window": "2014"}},
            "unknown → Gov, in 2014",
        ),
    ],
)
def test_when_label(row, label):
    assert map_encoding.when_label(row) == label


def test_year_marks_run_from_2011_to_today():
    marks = map_encoding.year_marks(D(2026, 11, 21))
    assert marks[0] == (2011, "0.00") and marks[-1][0] == 2025
    assert all(0 <= float(left) <= 100 for _, left in marks)


def test_data_block_carries_the_vocabulary():
    block = map_encoding.encode(MapRows([], [], [], []), D(2026, 1, 1))
    assert block["vocabulary"]["kinds"] == list(vocabulary.SITE_KINDS)
    assert block["vocabulary"]["first_day"] == block["origin"] == "2011-01-01"


def test_each_sites_last_verified_day_and_the_threshold_travel_as_offsets(rows):
    assert map_encoding.encode(rows, D(2026, 1, 1))["verified"] == [None]
    rows.verified = {1: D(2011, 1, 31)}
    block = map_encoding.encode(rows, D(2026, 1, 1), stale_after=90)
    assert block["verified"] == [30] and block["stale_after"] == 90


def test_periods_stream_through_once_grouped_by_site(rows):
    streamed = MapRows(
        rows.actors, rows.sites, iter(rows.control), iter(rows.status), rows.events, rows.sources
    )
    assert map_encoding.encode(streamed, D(2026, 1, 1)) == map_encoding.encode(rows, D(2026, 1, 1))


def test_periods_of_one_site_split_apart_are_refused(rows):
    other = {**rows.control[0], "site_id": 2}
    rows.sites.append({**rows.sites[0], "id": 2, "slug": "b"})
    rows.control[1:1] = [other]
    with pytest.raises(ValueError, match="site 1"):
        map_encoding.encode(rows, D(2026, 1, 1))


def test_actors_used_are_holders_and_challengers(rows):
    assert map_encoding.actors_used(map_encoding.encode(rows, D(2026, 1, 1))) == {0, 1}


_DAY = st.none() | st.integers(-(10**6), 10**6)
_PERIOD = st.builds(
    lambda value, days, flags, cited: [value, *days, flags, *cited],
    st.integers(0, 10**4),
    st.lists(_DAY, min_size=4, max_size=4),
    st.integers(0, 2**24),
    st.lists(st.integers(0, 10**5), max_size=4),
)


@given(
    tracks=st.lists(st.lists(st.lists(_PERIOD, max_size=5), max_size=6), min_size=2, max_size=2),
    changes=st.lists(st.integers(0, 10**5)),
    verified=st.lists(_DAY),
)
def test_packed_blocks_read_back_whole(tracks, changes, verified):
    block = {"control": tracks[0], "status": tracks[1], "changes": changes, "verified": verified}
    page = map_encoding.packed(block)
    assert all(isinstance(page[key], str) for key in block)
    assert json.loads(map_encoding.script_json(page)) == page  # nothing JSON must escape
    assert map_encoding.unpacked(page) == block


def test_the_packed_block_is_smaller_than_its_lists(rows):
    block = map_encoding.encode(rows, dt.date(2025, 1, 1))
    page = map_encoding.packed(block)
    assert map_encoding.unpacked(page) == block
    for key in ("control", "status", "changes", "verified"):
        assert len(page[key]) < len(json.dumps(block[key], separators=(",", ":"))) * 0.7, key
    text = map_encoding.script_json(page)
    assert "\\u" not in text.split('"control"')[1].split('"events"')[0]
