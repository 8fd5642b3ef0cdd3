""" "Cite this view": the permalink pins date, known day and revision, the texts name the
view and its sources, bad input is refused naming the parameter, and a cited answer
reopens unchanged after a later correction."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from app.core.clock import today
from app.db import known
from app.db.models import Revision
from app.extensions import db

DAY = "2025-06-01"


def _latest(app) -> int:
    with app.app_context():
        return db.session.scalar(select(db.func.max(Revision.id))) or 0


def _field(page: str, field_id: str) -> str:
    """The text of a readonly textarea or the value of an input, unescaped."""
    found = re.search(rf'<textarea id="{field_id}"[^>]*>([^<]*)</textarea>', page) or re.search(
        rf'<input[^>]*id="{field_id}"[^>]*value="([^"]*)"', page
    )
    assert found, f"no field {field_id}"
    return html_lib.unescape(found.group(1))


def _answer(page: str, slug: str) -> str:
    row = re.search(rf'<tr id="cite-row-{slug}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {slug}"
    return re.sub(r"<[^>]+>", "", row.group(1))


def test_map_view_cites_every_site_with_a_pinned_permalink(seeded_client, seeded):
    resp = seeded_client.get("/cite?date=2015-06-01")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    rev, now = _latest(seeded), today().isoformat()
    link = _field(page, "cite-permalink")
    assert link == f"http://localhost/?date=2015-06-01&known={now}&rev={rev}"
    assert _field(page, "cite-apa").startswith(
        f"Border Control Atlas. ({now[:4]}). Control of the Syria–Iraq border crossings on "
        f"1 June 2015 (Revision {rev}, as the record stood on "
    )
    assert _field(page, "cite-apa").endswith(f"[Data set]. Retrieved {_us(now)}, from {link}")
    assert _field(page, "cite-chicago").endswith(f"Accessed {_us(now)}. {link}.")
    bib = _field(page, "cite-bibtex")
    assert bib.startswith(f"@misc{{bca-2015-06-01-r{rev},\n")
    assert "  author = {{Border Control Atlas}},\n" in bib
    assert f"  url = {{{link}}},\n" in bib
    assert f"revision {rev}" in page and "As the record stood on" in page
    # The answer: every site, with its holder on the day.
    for slug in ("al-qaim", "albukamal", "al-tanf", "semalka"):
        assert f'id="cite-row-{slug}"' in page
    assert "Islamic State" in _answer(page, "al-qaim")


def test_site_view_cites_the_site_and_the_sources_of_its_answer(seeded_client, seeded):
    page = seeded_client.get("/cite?date=2015-06-01&site=al-qaim").get_data(as_text=True)
    rev, now = _latest(seeded), today().isoformat()
    link = _field(page, "cite-permalink")
    assert link == f"http://localhost/sites/al-qaim?date=2015-06-01&known={now}&rev={rev}"
    assert "Control of al-Qa'im on 1 June 2015" in _field(page, "cite-chicago")
    assert f"@misc{{bca-al-qaim-2015-06-01-r{rev}," in _field(page, "cite-bibtex")
    assert re.findall(r'<tr id="cite-row-([a-z-]+)"', page) == ["al-qaim"]
    lines = _field(page, "cite-source-lines")
    # The control period (ISIS since June 2014) and the status period (closed 2012–2019)
    # that hold on the day, each cited.
    assert "Sunni militants take control of Iraq-Syria border point" in lines
    assert "Al-Qaim Border Crossing with Syria Closed" in lines
    section = page.split('id="cite-sources-h"')[1]
    for ref in ("S28", "S85", "S54", "S10"):
        assert f'<span class="ref">[{ref}]</span>' in section
    # ... and not a source only a later period cites (US strikes of December 2019).
    assert "[S76]" not in section and "[S82]" not in section


def test_the_bibtex_entry_for_reference_managers(seeded_client, seeded):
    resp = seeded_client.get("/cite.bib?date=2015-06-01&site=semalka")
    assert resp.status_code == 200
    assert resp.mimetype == "text/x-bibtex"
    body = resp.get_data(as_text=True)
    assert body.startswith(f"@misc{{bca-semalka-2015-06-01-r{_latest(seeded)},\n")
    assert "title = {{Control of Semalka on 1 June 2015}}" in body
    assert "bca-semalka-2015-06-01" in resp.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("date=2015-13-45", "date"),
        ("date=yesterday", "date"),
        ("date=2001-01-01", "date"),
        ("date=2999-01-01", "date"),
        ("date=2015-06-01&site=nowhere", "site"),
        ("date=2015-06-01&site=%3Cb%3E", "site"),
        ("date=2015-06-01&rev=999999999", "rev"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(seeded_client, query, name):
    for path in ("/cite", "/cite.bib"):
        resp = seeded_client.get(f"{path}?{query}")
        assert resp.status_code == 400, query
        assert f"parameter &#39;{name}&#39;" in resp.get_data(as_text=True)


def test_without_a_date_the_citation_names_today(seeded_client):
    resp = seeded_client.get("/cite?site=al-qaim")
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/cite?site=al-qaim&date={today().isoformat()}"
    odd = seeded_client.get("/cite.bib?_external=1&_scheme=x")
    assert odd.status_code == 302
    assert odd.headers["Location"] == f"/cite.bib?_external=1&_scheme=x&date={today().isoformat()}"


@pytest.mark.parametrize(
    "day",
    [
        "2014-10-15",  # closed → open sometime in October 2014: both periods' sources
        "2016-06-15",  # open → open in June 2016: open either way, since the first period
    ],
)
def test_a_status_in_a_window_cites_its_candidates_as_the_popup_does(seeded_client, day):
    page = seeded_client.get(f"/cite?date={day}&site=faysh-khabur&lang=en").get_data(as_text=True)
    section = page.split('id="cite-sources-h"')[1]
    # S46 and S93 back the control period; S46b only the status periods of 2013–2016.
    for ref in ("S46", "S93", "S46b"):
        assert f'<span class="ref">[{ref}]</span>' in section
    assert "Grenzübergang Fishkabour" in _field(page, "cite-source-lines")


def test_the_map_and_site_pages_link_to_cite_this_view(seeded_client):
    page = seeded_client.get(f"/?date={DAY}").get_data(as_text=True)
    assert f'<a id="cite-link" data-state-link href="/cite?date={DAY}">' in page
    site = seeded_client.get(f"/sites/al-qaim?date={DAY}").get_data(as_text=True)
    assert f'<a id="cite-link" href="/cite?date={DAY}&amp;site=al-qaim">' in site


def test_a_citation_reopens_the_same_answer_after_a_correction(seeded, editor_client, log_control):
    known.forget()
    reader = seeded.test_client()
    before = reader.get(f"/cite?date={DAY}&site=al-qaim").get_data(as_text=True)
    link = _field(before, "cite-permalink")
    rev = _latest(seeded)
    old_holder = _answer(before, "al-qaim")
    log_control(seeded, editor_client, "al-qaim", "kurdistan-region", "2025-01-01")
    assert _latest(seeded) > rev

    # The current record has the correction, and a new revision to cite.
    now = reader.get(f"/cite?date={DAY}&site=al-qaim").get_data(as_text=True)
    assert "Kurdistan" in _answer(now, "al-qaim") and "Kurdistan" not in old_holder
    assert f"rev={_latest(seeded)}" in _field(now, "cite-permalink")
    assert "A later report" in _field(now, "cite-source-lines")

    # The permalink reopens the answer as cited.
    path = link.removeprefix("http://localhost")
    assert f"rev={rev}" in path
    assert "A later report" not in reader.get(path).get_data(as_text=True)
    assert "A later report" in reader.get(f"/sites/al-qaim?date={DAY}").get_data(as_text=True)

    # Citing the pinned view again gives the same permalink, texts and sources.
    again = reader.get(f"/cite?date={DAY}&site=al-qaim&rev={rev}").get_data(as_text=True)
    assert _field(again, "cite-permalink") == link
    for field in ("cite-bibtex", "cite-source-lines"):
        assert _field(again, field) == _field(before, field)
    assert _answer(again, "al-qaim") == old_holder
    assert "older state of the record" in again
    # Its links keep the pin; "Cite the current record" drops it.
    assert f'href="/sites/al-qaim?date={DAY}&amp;known=' in again
    assert f'href="/cite?date={DAY}&amp;site=al-qaim">Cite the current record' in again

    # The map and site pages of the pinned record link to a pinned citation.
    for page in (f"/?date={DAY}&rev={rev}", f"/sites/al-qaim?date={DAY}&rev={rev}"):
        html = reader.get(page).get_data(as_text=True)
        cite_link = re.search(r'<a id="cite-link"[^>]*href="([^"]*)"', html).group(1)
        assert f"rev={rev}" in cite_link, page


def _us(iso: str) -> str:
    from app.core.bounds import MONTHS

    year, month, day = map(int, iso.split("-"))
    return f"{MONTHS[month - 1]} {day}, {year}"


def test_the_arabic_page_is_right_to_left_and_keeps_the_permalink(seeded_client):
    resp = seeded_client.get("/cite?date=2015-06-01&site=al-qaim&lang=ar")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page
    # The permalink and the BibTeX key are the same in every language.
    assert "/sites/al-qaim?date=2015-06-01&known=" in _field(page, "cite-permalink")
    assert _field(page, "cite-bibtex").startswith("@misc{bca-al-qaim-2015-06-01-r")
    assert 'dir="ltr" value="http://localhost/sites/al-qaim' in page
    # The site by its Arabic name.
    assert "السيطرة على معبر القائم الحدودي في 1 حزيران 2015" in _field(page, "cite-apa")


def test_the_answer_cited_names_a_handover_and_its_window(seeded_client):
    """Albukamal on 10 Dec 2024 was passing between holders within a window of days: the
    cited answer says between whom and when, not only "changing hands"."""
    page = seeded_client.get("/cite?date=2024-12-10&site=albukamal&lang=en").get_data(as_text=True)
    row = page.split('id="cite-row-albukamal"', 1)[1].split("</tr>", 1)[0]
    assert "→" in row and "between" in row and "December 2024" in row


def test_the_answer_cited_keeps_its_contest_confidence_and_uncertainty_marks(seeded_client):
    """Al-Qa'im in July 2014: ISIS held it, contested, at low confidence; the cited answer
    says so in the map table's words, with the challenger named as on the site page."""
    page = seeded_client.get("/cite?date=2014-07-15&site=al-qaim&lang=en").get_data(as_text=True)
    row = _answer(page, "al-qaim")
    assert "Islamic State" in row
    assert "contested by " in row and "low" in row
    assert '<span class="conf conf-low">' in page
    arabic = seeded_client.get("/cite?date=2014-07-15&site=al-qaim&lang=ar").get_data(as_text=True)
    row_ar = _answer(arabic, "al-qaim")
    assert "تنازعها" in row_ar and "منخفضة" in row_ar


def test_the_answer_cited_marks_low_confidence_and_changing_hands(seeded_client):
    page = seeded_client.get("/cite?date=2013-02-28&site=al-yarubiyah").get_data(as_text=True)
    assert "Nusra" in _answer(page, "al-yarubiyah")
    assert "low" in _answer(page, "al-yarubiyah")
    handover = seeded_client.get("/cite?date=2024-12-10&site=albukamal&lang=en")
    assert "changing hands" in _answer(handover.get_data(as_text=True), "albukamal")


def test_the_answer_cited_marks_a_date_the_sources_call_uncertain(seeded, seeded_client):
    """A holder whose start the sources call uncertain keeps the map table's "date
    uncertain" mark in the cited answer."""
    from app.core import bounds
    from app.db.models import ControlPeriod, Site

    with seeded.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "al-tanf"))
        period = next(p for p in site.control_periods if p.start and p.start.text == "2015-05-21")
        period.start = bounds.parse("2015-05-21?")
        db.session.commit()
        assert isinstance(period, ControlPeriod)
    page = seeded_client.get("/cite?date=2015-08-01&site=al-tanf&lang=en").get_data(as_text=True)
    assert "date uncertain" in _answer(page, "al-tanf")
