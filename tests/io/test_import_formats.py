"""Reading import files: kinds by header, line numbers, encodings, malformed GeoJSON."""

import json

import pytest

from app.io.import_formats import ImportFileError, read


def test_csv_kind_comes_from_the_header_and_rows_carry_line_numbers():
    data = (
        b"site,actor,start,sources\r\n"
        b"al-tanf,isis,2015-05-21,S1\r\n"
        b"\r\n"
        b'al-qaim,isis,2014-06,"S1;\nS2"\r\n'
        b"rabia,isis,2014,S3\r\n"
    )
    rows = read(data, "p.csv")
    assert [r.kind for r in rows] == ["periods"] * 3
    assert [r.where for r in rows] == ["line 2", "line 4", "line 6"]
    assert rows[1].values["sources"] == "S1;\nS2"


@pytest.mark.parametrize(
    "header, kind",
    [
        ("ref,title,url", "sources"),
        ("slug,name,country,kind,lon,lat", "sites"),
        ("site,status,sources,start", "status"),
        ("site,actor,sources", "periods"),
    ],
)
def test_each_kind_is_recognised(header, kind):
    assert (
        read(f"{header}\n{','.join('x' for _ in header.split(','))}\n".encode(), "f.csv")[0].kind
        == kind
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"name,colour\nx,y\n", "match no kind"),
        (b"site,actor,sources,colour\nx,y,z,w\n", "unknown column 'colour'"),
        (b"site,actor,sources,site\nx,y,z,w\n", "appears twice"),
        (b"site,actor,sources\n", "no rows"),
        (b"site,actor,sources\nal-tanf,isis,S1\n\xff\xfe,x,y\n", "line 3, column 1"),
        ("site,actor,sources\nal-tanf,isis,S1\n".encode("utf-16"), "not UTF-8"),
        (("x" * 200_000 + ",title\n").encode(), "line 1: not valid CSV"),
    ],
)
def test_unreadable_files_are_refused_whole(data, message):
    with pytest.raises(ImportFileError, match=message):
        read(data, "f.csv")


def test_a_utf8_bom_is_fine():
    assert read("\ufeffref,title\nS9,Title\n".encode(), "s.csv")[0].kind == "sources"


def test_wrong_field_count_is_a_row_problem():
    (row,) = read(b"site,actor,sources\nal-tanf,isis\n", "p.csv")
    assert row.problems == ("has 2 fields, the header has 3",)


def _collection(**extra):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [41, 34]},
        "properties": {
            "slug": "x",
            "name": "X",
            "country": "SY",
            "kind": "town",
            "periods": [{"actor": "isis", "sources": ["S1"]}],
            "status": [{"status": "open", "sources": ["S1"]}],
        },
    }
    return {
        "type": "FeatureCollection",
        "features": [feature],
        "sources": [{"ref": "S1", "title": "T"}],
        **extra,
    }


def test_geojson_gives_sources_sites_periods_and_status():
    rows = read(json.dumps(_collection()).encode(), "x.geojson")
    assert [(r.kind, r.where) for r in rows] == [
        ("sources", "sources[0]"),
        ("sites", "features[0]"),
        ("periods", "features[0].properties.periods[0]"),
        ("status", "features[0].properties.status[0]"),
    ]
    assert rows[1].values["lon"] == 41 and rows[2].values["site"] == "x"


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"type": "FeatureCollection", "features": [', "line 1, column"),
        ('{"type": "Feature"}', "FeatureCollection"),
        ("[1, 2]", "FeatureCollection"),
        ('{"type": "FeatureCollection", "features": [], "sources": 3}', "sources"),
        ("[" * 100_000, "nested too deeply"),
        ('{"type": "FeatureCollection", "features": [1' + "0" * 5000 + "]}", "number too long"),
    ],
)
def test_malformed_geojson_is_refused(text, message):
    with pytest.raises(ImportFileError, match=message):
        read(text.encode(), "x.geojson")


@pytest.mark.parametrize(
    "geometry",
    [
        None,
        {"type": "LineString", "coordinates": [[0, 0]]},
        {"type": "Point", "coordinates": [1]},
        {"type": "Point", "coordinates": ["1", 2]},
        {"type": "Point", "coordinates": [10**400, 2]},
    ],
)
def test_a_site_needs_a_point(geometry):
    doc = _collection()
    doc["features"][0]["geometry"] = geometry
    site = read(json.dumps(doc).encode(), "x.geojson")[1]
    assert "Point" in site.problems[0]


def test_unknown_properties_are_problems():
    doc = _collection()
    doc["features"][0]["properties"]["colour"] = "red"
    assert read(json.dumps(doc).encode(), "x.json")[1].problems == ("unknown property 'colour'",)


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b'ref,title\nQ-1,Fine\nQ-2,"Never closed\nQ-3,Swallowed\nQ-4,Too\n',
            "line 3: a quoted field opened on this line is never closed (it runs to the "
            "end of the file, line 5)",
        ),
        (b'ref,"title\nQ-1,x\n', "line 1: a quoted field opened on this line is never closed"),
        (b'ref,title\nQ-1,"quoted" then text\n', "line 2: not valid CSV"),
    ],
)
def test_malformed_csv_is_refused_naming_the_line(data, message):
    with pytest.raises(ImportFileError) as raised:
        read(data, "s.csv")
    assert message in str(raised.value)


def test_quotes_that_are_closed_are_fine():
    rows = read(b'ref,title\nQ-1,"two\nlines, ""quoted"""\nQ-2,plain "inch\n', "s.csv")
    assert [r.values["title"] for r in rows] == ['two\nlines, "quoted"', 'plain "inch']
    assert [r.where for r in rows] == ["line 2", "line 4"]
