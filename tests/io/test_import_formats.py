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


# every download's shape ----------------------------------------------------------------
@pytest.mark.parametrize(
    "header, kind",
    [
        ("id,slug,name,country,kind,lon,lat,controller,since_edtf,note,source_refs", "state"),
        ("id,site,actor,start_edtf,start_earliest,source_refs,source_urls,lon,lat", "periods"),
        ("id,site,status,start_edtf,source_refs", "status"),
        ("id,slug,date,precision,date_edtf,date_latest,title,sites,source_refs,lon,lat", "events"),
        ("id,slug,name,short,kind,colour,parent", "actors"),
        ("id,slug,name,name_ar,note", "crossings"),
    ],
)
def test_each_download_header_is_a_kind(header, kind):
    row = read(f"{header}\n{','.join('x' for _ in header.split(','))}\n".encode(), "f.csv")[0]
    assert row.kind == kind


def test_derived_columns_are_set_aside_for_the_plan():
    data = b"id,site,actor,start_edtf,start_earliest,source_refs,source_urls\r\n"
    data += b"a.control.2014-06-01,a,isis,2014-06,2014-06-01,S1; S2,https://x\r\n"
    (row,) = read(data, "p.csv")
    assert row.values == {
        "site": "a",
        "actor": "isis",
        "start_edtf": "2014-06",
        "sources": "S1; S2",
    }
    assert row.derived == {
        "id": "a.control.2014-06-01",
        "start_earliest": "2014-06-01",
        "source_urls": "https://x",
    }


def test_the_state_on_a_date_gives_the_sites_own_fields():
    data = (
        b"id,slug,name,country,kind,crossing,lon,lat,controller,note,transition_from\r\n"
        b"al-tanf,al-tanf,al-Tanf,SY,crossing_side,,38.6,33.5,isis,a period's note,\r\n"
    )
    (row,) = read(data, "sites.csv")
    assert row.kind == "state" and "note" not in row.values and "controller" not in row.values
    assert row.values["crossing"] == "" and row.derived == {"id": "al-tanf"}


def test_formula_quotes_come_off():
    (row,) = read(b"ref,title,note\r\nS1,'=cmd,''=already\r\n", "s.csv")
    assert (row.values["title"], row.values["note"]) == ("=cmd", "'=already")


@pytest.mark.parametrize(
    "geometry, sites, point, problem",
    [
        (None, 0, None, ()),
        ({"type": "MultiPoint", "coordinates": [[1, 2]]}, 1, None, ()),
        ({"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}, 1, (1, 2), ()),
        ({"type": "Point", "coordinates": [1, 2]}, 0, (1, 2), ()),
        ({"type": "MultiPoint", "coordinates": [[1, 2]]}, 3, None, ("1 points for 3 sites",)),
        ({"type": "LineString", "coordinates": [[1, 2]]}, 0, None, ("Point, a MultiPoint",)),
    ],
)
def test_an_events_own_point_comes_before_its_sites(geometry, sites, point, problem):
    from app.io.import_formats import own_point

    got, problems = own_point(geometry, sites)
    assert got == point
    assert len(problems) == len(problem) and all(
        p in q for p, q in zip(problem, problems, strict=True)
    )


def test_a_zip_reads_every_member_naming_it():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("s.csv", "ref,title\nS1,One\n")
        archive.writestr("notes.txt", "ignored")
        archive.writestr("a.csv", "slug,name,short,kind,colour\nx,X,X,state,#000000\n")
    rows = read(out.getvalue(), "bundle.zip")
    assert [(r.kind, r.where) for r in rows] == [
        ("sources", "s.csv line 2"),
        ("actors", "a.csv line 2"),
    ]
    with pytest.raises(ImportFileError, match="b.csv: line 1: the columns match no kind"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("b.csv", "what,ever\n1,2\n")
        read(buf.getvalue(), "bad.zip")
    with pytest.raises(ImportFileError, match="not a readable ZIP"):
        read(b"PK\x03\x04broken", "x.zip")


def test_a_geojson_of_sources_has_no_places():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "S1",
                "geometry": None,
                "properties": {"ref": "S1", "title": "T"},
            },
            {
                "type": "Feature",
                "id": "S2",
                "geometry": {"type": "Point", "coordinates": [1, 2]},
                "properties": {"ref": "S2", "title": "U"},
            },
        ],
    }
    first, second = read(json.dumps(doc).encode(), "sources.geojson")
    assert first.kind == "sources" and first.derived == {"id": "S1"} and not first.problems
    assert "geometry must be null" in second.problems[0]
