"""Pages: the state table, site pages, 404s, and no 500 for odd input."""

import re

import pytest


def test_index_lists_every_site_for_the_date(seeded_client):
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    assert "al-Tanf" in html and "ISIS" in html


def test_site_page_shows_names_location_periods_and_sources(seeded_client):
    resp = seeded_client.get("/sites/al-qaim")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "معبر القائم" in html  # Arabic name
    assert "km" in html and "IQ" in html  # boundary join
    assert "Nov 2017" in html or "3 Nov 2017" in html
    assert "Open or closed" in html and "Events" in html
    assert 'rel="noopener noreferrer"' in html  # source links


def test_site_page_reads_last_verified_as_the_record_knows_it(seeded_client):
    """al-Waleed's latest sourced start is a window (the reopening, 17 Feb – 20 Apr 2026):
    not "17 Feb 2026", a day no source gives."""
    html = seeded_client.get("/sites/al-waleed").get_data(as_text=True)
    assert "Last verified: 17 Feb – 20 Apr 2026 (" in html


def test_site_page_reports_country_from_boundary_layers(seeded_client):
    html = seeded_client.get("/sites/albukamal").get_data(as_text=True)
    assert "Country (boundary layer)" in html


@pytest.mark.parametrize("path", ["/sites/nowhere", "/sites/%3Cscript%3E", "/nope"])
def test_unknown_paths_get_404_pages(seeded_client, path):
    resp = seeded_client.get(path)
    assert resp.status_code == 404
    assert "<script>" not in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["date=2015-13-45", "date=yesterday", "date=<b>x</b>", "date=" + "9" * 5000, "date=0000-01-01"],
)
def test_bad_dates_on_pages_are_400_not_500(seeded_client, query):
    resp = seeded_client.get(f"/?{query}")
    assert resp.status_code == 400
    assert "<b>x</b>" not in resp.get_data(as_text=True)


def test_index_links_the_downloads_for_its_date(seeded_client):
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    for href in (
        "/api/sites.geojson?date=2015-08-01&amp;download=1",
        "/api/sites.csv?date=2015-08-01",
        "/api/export.gpkg?date=2015-08-01",
        "/api/periods.csv",
        "/ogc/",
        "/feeds/changes.atom",
    ):
        assert f'href="{href}"' in html


def _data_block(html: str) -> dict:
    import json
    import re

    match = re.search(
        r'<script type="application/json" id="atlas-data" nonce="[^"]+">'
        r"(.*?)</script>",
        html,
        re.S,
    )
    return json.loads(match.group(1))


def test_map_page_has_slider_table_map_and_data_block(seeded_client):
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    data = _data_block(html)
    assert [s[0] for s in data["sites"]][:2] == ["akashat", "al-qaim"]
    assert len(data["sites"]) == 11 and data["origin"] == "2011-01-01"
    assert 'id="day-slider"' in html and 'value="1673"' in html
    assert 'aria-valuetext="1 August 2015"' in html
    assert 'id="atlas-map"' in html and 'id="atlas-base"' in html
    assert '<tr id="row-al-tanf">' in html


def test_map_page_table_shows_isis_at_al_tanf_in_august_2015(seeded_client):
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    row = html.split('<tr id="row-al-tanf">')[1].split("</tr>")[0]
    assert "ISIS" in row and "21 May 2015 – 4 Mar 2016" in row


def test_map_page_shows_unknown_for_gaps(seeded_client):
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    row = html.split('<tr id="row-al-tanf-garrison">')[1].split("</tr>")[0]
    assert "Unknown" in row and "no record" in row


def test_site_param_highlights_the_row(seeded_client):
    html = seeded_client.get("/?date=2016-03-05&site=al-tanf").get_data(as_text=True)
    assert '<tr id="row-al-tanf" class="focus">' in html


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("site=Al Tanf", 400, "parameter 'site'"),
        ("site=nowhere", 400, "no site called"),
        ("date=2010-12-31", 400, "must be between 2011-01-01"),
        ("date=2999-01-01", 400, "must be between"),
        ("rows=some", 400, "parameter 'rows'"),
    ],
)
def test_bad_map_parameters_are_refused_clearly(seeded_client, query, status, message):
    import html

    resp = seeded_client.get(f"/?{query}")
    assert resp.status_code == status
    assert message in html.unescape(resp.get_data(as_text=True))


def test_large_tables_are_cut_unless_all_rows_are_asked_for(seeded_client, monkeypatch):
    from app.web import views

    monkeypatch.setattr(views, "TABLE_ROWS", 4)
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    assert html.count('<tr id="row-') == 4 and "Showing the first 4 of 11 sites" in html
    html = seeded_client.get("/?date=2015-08-01&rows=all").get_data(as_text=True)
    assert html.count('<tr id="row-') == 11 and "Showing the first" not in html


def test_a_repeated_map_page_needs_no_as_of_rows(seeded_client, monkeypatch):
    # At 10,000 sites a date's rows outgrow their cache; the page keeps its table apart.
    from app.db import asof_index, queries

    monkeypatch.setattr(queries._STATE_CACHE, "max_bytes", 0)
    monkeypatch.setattr(queries._STATE_CACHE, "share", 0)  # also when shares are set again
    calls = []
    compute, rows = queries.compute_state_at, asof_index.AsOfIndex.rows
    # Either path: the database's query or the as-of index.
    monkeypatch.setattr(queries, "compute_state_at", lambda day: calls.append(day) or compute(day))
    monkeypatch.setattr(
        asof_index.AsOfIndex, "rows", lambda self, day: calls.append(day) or rows(self, day)
    )
    first = seeded_client.get("/?date=2015-08-02").get_data(as_text=True)
    again = seeded_client.get("/?date=2015-08-02").get_data(as_text=True)
    assert len(calls) == 1
    assert re.sub(r'nonce="[^"]+"', "", again) == re.sub(r'nonce="[^"]+"', "", first)
    seeded_client.get("/?date=2015-08-02&rows=all")
    assert len(calls) == 2


def test_map_page_escapes_names_in_table_and_data(seeded, seeded_client):
    from app.db.models import Site
    from app.extensions import db

    with seeded.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "akashat"))
        site.name = "</script><script>alert(1)</script>"
        db.session.commit()
    html = seeded_client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert _data_block(html)["sites"][0][1] == "</script><script>alert(1)</script>"


def test_map_page_follows_edits(seeded, seeded_client):
    from app.db.models import Site
    from app.extensions import db

    seeded_client.get("/")
    with seeded.app_context():
        db.session.scalar(db.select(Site).where(Site.slug == "akashat")).name = "Akashat town"
        db.session.commit()
    assert "Akashat town" in seeded_client.get("/").get_data(as_text=True)


def test_site_page_has_the_svg_timeline(seeded_client):
    html = seeded_client.get("/sites/al-tanf").get_data(as_text=True)
    assert '<svg class="timeline"' in html and 'role="img"' in html
    assert "<title>Islamic State" in html and "Control unknown" not in html.split("<svg")[0]
    assert 'href="/?site=al-tanf"' in html


def _chart_titles(html: str, pattern: str) -> list[str]:
    import html as html_lib

    return [html_lib.unescape(t) for t in re.findall(pattern, html)]


def test_site_chart_dates_events_and_spans_as_the_record_knows_them(seeded_client):
    """Events known to a year or month are dated so (as the map's event list writes them),
    not on an invented 1st; a span's tooltip ends on its last day, not on the day after."""
    from app.core import bounds
    from app.core.clock import today

    ticks = r'<g class="tick"[^>]*><title>(.*?)</title>'
    spans = r'<rect class="(?:gap|bar)"[^>]*><title>(.*?)</title>'
    yarubiyah = seeded_client.get("/sites/al-yarubiyah?lang=en").get_data(as_text=True)
    assert "2014 — UN Security Council resolution 2165" in _chart_titles(yarubiyah, ticks)
    assert not any(t.startswith("1 Jan 2014") for t in _chart_titles(yarubiyah, ticks))
    albukamal = seeded_client.get("/sites/albukamal?lang=ar").get_data(as_text=True)
    assert any(t.startswith("أيلول 2012 — ") for t in _chart_titles(albukamal, ticks))
    assert not any(t.startswith("1 أيلول 2012") for t in _chart_titles(albukamal, ticks))
    rabia = seeded_client.get("/sites/rabia?lang=en").get_data(as_text=True)
    assert "Status unknown: 1 Jan 2011 – 2 Mar 2013" in _chart_titles(rabia, spans)
    zone = seeded_client.get("/sites/al-tanf-55km-zone?lang=ar").get_data(as_text=True)
    last = bounds.exact(today()).short(bounds.date_words("ar"))
    gaps = [t for t in _chart_titles(zone, spans) if "غير معروفة" in t]
    assert gaps and all(t.endswith(f"– {last}") for t in gaps)


def test_map_page_works_on_an_empty_database(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert _data_block(resp.get_data(as_text=True))["sites"] == []


def test_configured_tiles_reach_the_map_and_the_csp(app):
    app.config["TILES_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    resp = app.test_client().get("/")
    assert "tiles.example.org/{z}/{x}/{y}.png" in resp.get_data(as_text=True)
    assert (
        "img-src 'self' data: blob: https://tiles.example.org"
        in resp.headers["Content-Security-Policy"]
    )


def _row(html: str, slug: str) -> str:
    return html.split(f'<tr id="row-{slug}">')[1].split("</tr>")[0]


@pytest.mark.parametrize(
    "date, arabic, english",
    [("2015-08-01", "داعش", "ISIS"), ("2016-03-05", "جيش سوريا الجديد", "New Syrian Army")],
)
def test_map_table_names_actors_in_the_interface_language(seeded_client, date, arabic, english):
    ar = _row(seeded_client.get(f"/?date={date}&lang=ar").get_data(as_text=True), "al-tanf")
    en = _row(seeded_client.get(f"/?date={date}&lang=en").get_data(as_text=True), "al-tanf")
    assert arabic in ar and english not in ar
    assert english in en and arabic not in en


def test_map_table_shows_a_status_changing_in_a_window(seeded_client):
    """al-Waleed closed, then open from sometime between 17 Feb and 20 Apr 2026: the
    record knows both sides, so the status is changing, not unknown."""
    en = _row(seeded_client.get("/?date=2026-03-01&lang=en").get_data(as_text=True), "al-waleed")
    assert "changing (closed → open)" in en
    cite = seeded_client.get("/cite?date=2026-03-01&site=al-waleed").get_data(as_text=True)
    assert "changing (closed → open)" in cite.split('id="cite-row-al-waleed"')[1]
    ar = _row(seeded_client.get("/?date=2026-03-01&lang=ar").get_data(as_text=True), "al-waleed")
    assert "(مغلق ← مفتوح)" in ar and "changing" not in ar


def test_a_handover_to_an_unknown_side_is_worded_in_arabic(seeded_client):
    """Albukamal on 8 Dec 2024: the SDF's end is a window and no next holder is known yet,
    so the table and the search say "SDF → unknown", with the unknown side in Arabic."""
    ar = _row(seeded_client.get("/?date=2024-12-08&lang=ar").get_data(as_text=True), "albukamal")
    assert "غير معروف" in ar and "unknown" not in ar
    en = _row(seeded_client.get("/?date=2024-12-08&lang=en").get_data(as_text=True), "albukamal")
    assert "→ unknown" in en


def test_search_words_a_handover_window_in_the_readers_language(seeded_client):
    query = {"q": "البوكمال", "date": "2024-12-15"}
    page = seeded_client.get("/search", query_string={**query, "lang": "ar"}).get_data(as_text=True)
    ar = page.split('<ul class="results">')[1].split("</ul>")[0]
    assert "sometime" not in ar and "December" not in ar and "كانون الأول" in ar
    en = seeded_client.get("/search", query_string={**query, "lang": "en"}).get_data(as_text=True)
    assert "between 9 and 31 December 2024" in en


def test_site_page_names_actors_in_the_interface_language(seeded_client):
    ar = seeded_client.get("/sites/al-tanf?lang=ar").get_data(as_text=True)
    en = seeded_client.get("/sites/al-tanf?lang=en").get_data(as_text=True)
    periods, chart = ar.split("<svg")[1].split("</svg>")[1], ar.split("<svg")[1]
    assert "تنظيم الدولة الإسلامية (داعش)" in periods and "جيش سوريا الجديد" in periods
    assert "Islamic State" not in periods
    assert ">داعش<" in chart and "<title>تنظيم الدولة الإسلامية (داعش)" in chart
    assert "Islamic State (ISIS / ISIL)" in en and "داعش" not in en


def test_search_names_the_holder_in_the_interface_language(seeded_client):
    ar = seeded_client.get("/search?q=tanf&date=2015-08-01&lang=ar").get_data(as_text=True)
    en = seeded_client.get("/search?q=tanf&date=2015-08-01&lang=en").get_data(as_text=True)
    assert "<bdi>تنظيم الدولة الإسلامية (داعش)</bdi>" in ar
    assert "<bdi>Islamic State (ISIS / ISIL)</bdi>" in en and "داعش" not in en


def test_the_legend_and_data_block_name_actors_in_the_page_language(seeded_client):
    def legend(html: str) -> str:
        return html.split('id="atlas-legend"', 1)[1].split("</details>", 1)[0]

    english = seeded_client.get("/?date=2015-06-01").get_data(as_text=True)
    arabic = seeded_client.get("/?date=2015-06-01&lang=ar").get_data(as_text=True)
    assert "<bdi>ISIS</bdi>" in legend(english) and "داعش" not in legend(english)
    assert "<bdi>داعش</bdi>" in legend(arabic) and 'title="تنظيم الدولة' in legend(arabic)
    # One data block for both languages: the script picks the Arabic names (entries 5, 6).
    isis = next(a for a in _data_block(arabic)["actors"] if a[0] == "isis")
    assert isis[1] == "Islamic State (ISIS / ISIL)" and isis[6] == "داعش"
