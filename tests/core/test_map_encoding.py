"""The map's time data block: compact, complete, and safe inside a <script> element."""

import datetime as dt
import json

import pytest

from app.core import map_encoding, timeline, vocabulary
from app.core.map_encoding import MapRows

D = dt.date


def _period(site_id, actor_id, start, end, **extra):
    row = {
        "id": extra.pop("id", None),
        "site_id": site_id,
        "actor_id": actor_id,
        "challenger_id": None,
        "start": start,
        "end": end,
        "start_precision": "day",
        "end_precision": "day",
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
            D(2016, 12, 1),
            None,
            start_precision="month",
            contested=True,
            challenger_id=9,
            confidence="low",
        ),
    ]
    status = [
        {
            "site_id": 1,
            "status": "closed",
            "start": D(2017, 3, 1),
            "end": None,
            "start_precision": "month",
            "end_precision": "day",
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
        30: {"title": "A", "publisher": "P", "url": "https://a.example", "label": "2015"},
        31: {"title": "B", "publisher": "", "url": "", "label": "4 Mar 2016"},
    }
    return MapRows(actors, sites, control, status, events, sources)


def _absolute(periods):
    """What the browser plugin does to the relative encoding."""
    cursor, out = 0, []
    for value, start, end, *rest in periods:
        start = None if start is None else start + cursor
        end = None if end is None else end + (start or 0)
        cursor = cursor if end is None else end
        out.append([value, start, end, *rest])
    return out


def test_encode_sends_each_site_once_with_periods_in_time_order(rows):
    data = map_encoding.encode(rows, D(2026, 1, 1))
    assert data["sites"] == [["al-tanf", "al-Tanf", "التنف", "SY", 38.9374, 33.4332, 0]]
    periods = _absolute(data["control"][0])
    assert [p[0] for p in periods] == [0, 1, 0]  # gov, isis, gov
    assert periods[0][1] is None and periods[-1][2] is None
    assert periods[1][1:3] == [
        map_encoding.offset(D(2015, 5, 21)),
        map_encoding.offset(D(2016, 3, 4)),
    ]


def test_flags_carry_precision_contest_confidence_and_challenger(rows):
    last = map_encoding.encode(rows, D(2026, 1, 1))["control"][0][-1]
    flags = last[3]
    assert flags & 3 == 1  # start known to the month
    assert flags & 16  # contested
    assert (flags >> 5) & 3 == 2  # low confidence
    assert (flags >> 7) - 1 == 1  # challenged by actor 1 (isis)


def test_sources_are_numbered_once_and_referenced_by_index(rows):
    data = map_encoding.encode(rows, D(2026, 1, 1))
    first, second = data["control"][0][0], data["control"][0][1]
    assert first[4:] == [0]  # source 30
    assert second[4:] == [1, 0]  # sources 31, 30
    assert data["sources"][0] == ["A", "P", "https://a.example", "2015"]
    assert data["events"][0][5] == [1]


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
            ("s", 1): [timeline.Period(D(2017, 3, 1), None, "closed")],
        }
    )
    assert days == [map_encoding.offset(d) for d in expected]


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
        (
            {
                "controller": "x",
                "since": "2014-06-01",
                "since_precision": "month",
                "until": None,
                "until_precision": "day",
            },
            "since Jun 2014",
        ),
        (
            {
                "controller": "x",
                "since": None,
                "since_precision": "day",
                "until": "2015-05-21",
                "until_precision": "day",
            },
            "until 21 May 2015",
        ),
        (
            {
                "controller": "x",
                "since": None,
                "since_precision": "day",
                "until": None,
                "until_precision": "day",
            },
            "always on record",
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
