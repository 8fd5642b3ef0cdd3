"""Search results with their holders, error pages in the site's style with search and
"did you mean", and the site page's chart and links."""

import html
import re

import pytest


def test_search_results_show_who_holds_each_site_on_the_date(seeded_client):
    page = seeded_client.get("/search?q=qaim&date=2015-06-01").get_data(as_text=True)
    assert "holders as of 1 June 2015" in page
    item = page.split('<ul class="results">')[1].split("</li>")[0]
    assert "held by" in item and "Islamic State" in item and "since" in item
    assert 'href="/sites/al-qaim?date=2015-06-01"' in item
    assert 'href="/?date=2015-06-01&amp;site=al-qaim"' in item


def test_search_holders_default_to_today(seeded_client):
    page = seeded_client.get("/search?q=qaim").get_data(as_text=True)
    assert "held by" in page and 'href="/sites/al-qaim"' in page


def test_search_json_names_the_holder(seeded_client):
    body = seeded_client.get("/search?q=qaim&date=2015-06-01&f=json").get_json()
    assert body["date"] == "2015-06-01"
    hit = next(r for r in body["results"] if r["slug"] == "al-qaim")
    assert hit["controller"] and "Islamic State" in hit["controller_name"]


@pytest.mark.parametrize(
    ("query", "named", "other"),
    [
        ("Tanf", "al-tanf", "al-waleed"),
        ("Waleed", "al-waleed", "al-tanf"),
        ("القائم", "al-qaim", "albukamal"),
    ],
)
def test_searching_one_side_of_a_crossing_finds_both(seeded_client, query, named, other):
    """A crossing is one unit to its users: its name finds both sides, the named one first."""
    body = seeded_client.get("/search", query_string={"q": query, "f": "json"}).get_json()
    slugs = [r["slug"] for r in body["results"]]
    assert named in slugs and other in slugs
    assert slugs.index(named) < slugs.index(other)


@pytest.mark.parametrize("date", ["2015-02-30", "2001-01-01", "2999-01-01", "x"])
def test_search_refuses_a_bad_date(seeded_client, date):
    resp = seeded_client.get(f"/search?q=qaim&date={date}")
    assert resp.status_code == 400
    assert "parameter 'date'" in html.unescape(resp.get_data(as_text=True))


def test_unknown_site_suggests_the_closest_sites(seeded_client):
    resp = seeded_client.get("/sites/al-qaem")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert "<h1>Page not found</h1>" in page and "Did you mean" in page
    assert 'href="/sites/al-qaim"' in page
    assert 'role="search"' in page and 'action="/search"' in page
    assert 'name="q" maxlength="100" value="al qaem"' in page


def test_unknown_site_by_name_is_suggested_too(seeded_client):
    page = seeded_client.get("/sites/Al-Tanf").get_data(as_text=True)
    assert 'href="/sites/al-tanf"' in page


def test_far_off_slug_suggests_nothing_but_keeps_search(seeded_client):
    page = seeded_client.get("/sites/zzzzzzzzzzzz").get_data(as_text=True)
    assert "Did you mean" not in page and 'role="search"' in page


def test_suggestions_are_escaped(seeded_client):
    page = seeded_client.get("/sites/%3Cscript%3Ealert(1)%3C%2Fscript%3E").get_data(as_text=True)
    assert "<script>alert" not in page


def test_other_errors_use_the_styled_page(seeded_client):
    bad = seeded_client.get("/?date=2015-13-45")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "<h1>Bad request</h1>" in page and re.search(r"/static/css/app(\.min)?\.css", page)
    missing = seeded_client.get("/nope").get_data(as_text=True)
    assert "<h1>Page not found</h1>" in missing and "Did you mean" not in missing


def test_server_errors_use_the_styled_page(app, monkeypatch):
    from app.web import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.search, "find", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = app.test_client().get("/search?q=qaim")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "<h1>Something went wrong</h1>" in page and "nothing was saved" in page
    assert 'role="search"' in page and "boom" not in page


def test_site_chart_scrolls_and_its_bars_are_focusable(seeded_client):
    page = seeded_client.get("/sites/al-tanf").get_data(as_text=True)
    chart = re.search(r'<div class="scroll" role="region"[^>]*>(.*?)</div>', page, re.S).group(1)
    bars = re.findall(r'<rect class="bar"[^>]*>', chart)
    assert bars and all('tabindex="0"' in b and 'aria-label="' in b for b in bars)
    assert 'role="group"' in chart


def test_top_bar_has_a_menu_button(seeded_client):
    page = seeded_client.get("/sites/al-tanf").get_data(as_text=True)
    assert re.search(r'<button[^>]*class="menu-toggle"[^>]*aria-expanded="false"', page)
    assert 'aria-controls="topnav"' in page and 'id="topnav"' in page
    assert re.search(r"/static/js/menu(\.min)?\.js", page)
