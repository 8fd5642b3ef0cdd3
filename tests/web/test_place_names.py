"""Sites and crossings named in the reader's language (app.web.i18n.actor_label): in the
Arabic interface by their Arabic names where one is recorded, the English one marked
English where none is; English pages keep the English names."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.db.models import Site
from app.extensions import db


def _page(client, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, path
    return resp.get_data(as_text=True)


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S)[1]


def _h1(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.S)[1]


def _crumb(page: str) -> str:
    """The breadcrumb's link to the site page."""
    return re.search(r'<p class="crumbs">.*?<a href="/sites/[^"]*"([^>]*)>(.*?)</a>', page)[2]


# --- the site page ------------------------------------------------------------------


def test_site_page_names_the_site_and_its_crossing_in_arabic_first(seeded_client):
    page = _page(seeded_client, "/sites/albukamal?lang=ar")
    assert _title(page).startswith("البوكمال · ")
    # The Arabic name first; the English one beside it, marked English and isolated.
    assert _h1(page) == '<bdi>البوكمال</bdi> <bdi lang="en" dir="ltr">Albukamal</bdi>'
    kind = re.search(r'<p class="kind">(.*?)</p>', page)[1]
    assert "<strong><bdi>البوكمال – القائم</bdi></strong>" in kind
    assert "al-Qa&#39;im" not in kind


def test_site_page_in_english_is_unchanged(seeded_client):
    page = _page(seeded_client, "/sites/albukamal?lang=en")
    assert _title(page).startswith("Albukamal · ")
    arabic = '<span lang="ar" dir="rtl" class="ar">البوكمال</span>'
    assert _h1(page) == f'<bdi lang="en">Albukamal</bdi> {arabic}'
    assert "<strong><bdi>Albukamal – al-Qa&#39;im</bdi></strong>" in page


def test_a_site_without_an_arabic_name_keeps_its_english_one_marked_english(seeded, editor_client):
    with seeded.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "albukamal"))
        site.name_ar = ""
        site.crossing.name_ar = ""
        db.session.commit()
    page = _page(editor_client, "/sites/albukamal?lang=ar")
    assert _title(page).startswith("Albukamal · ")
    assert _h1(page).startswith('<bdi lang="en">Albukamal</bdi>')
    assert '<strong><bdi lang="en">Albukamal – al-Qa&#39;im</bdi></strong>' in page
    history = _page(editor_client, "/sites/albukamal/history?lang=ar")
    assert _h1(history) == 'سجل <bdi lang="en">Albukamal</bdi>'
    assert '<a href="/sites/albukamal" dir="auto" lang="en">Albukamal</a>' in history
    log = _page(editor_client, "/editor/sites/albukamal/log-control?lang=ar")
    assert _h1(log) == 'تسجيل تغيير في السيطرة على <bdi lang="en">Albukamal</bdi>'


# --- history ------------------------------------------------------------------------


def test_site_history_names_the_site_in_arabic(seeded, editor_client):
    page = _page(editor_client, "/sites/albukamal/history?lang=ar")
    assert _title(page).startswith("سجل البوكمال · ")
    assert _h1(page) == "سجل <bdi>البوكمال</bdi>"
    assert _crumb(page) == "البوكمال"
    # Each change's row is named as on the pages: the site's Arabic name, not its English.
    assert "<bdi>البوكمال: " in page and "<bdi>Albukamal: " not in page
    english = _page(editor_client, "/sites/albukamal/history?lang=en")
    assert _title(english).startswith("History of Albukamal · ")
    assert _h1(english) == "History of <bdi>Albukamal</bdi>"
    assert _crumb(english) == "Albukamal"
    assert "<bdi>Albukamal: " in english


def test_history_filtered_by_site_names_it_and_the_choices_in_arabic(seeded, editor_client):
    page = _page(editor_client, "/history?site=albukamal&lang=ar")
    assert _h1(page) == "سجل <bdi>البوكمال</bdi>"
    assert '<option value="albukamal" selected>البوكمال</option>' in page
    assert '<option value="rabia">ربيعة</option>' in page
    english = _page(editor_client, "/history?site=albukamal&lang=en")
    assert _h1(english) == "History of <bdi>Albukamal</bdi>"
    assert '<option value="albukamal" selected>Albukamal</option>' in english
    assert '<option value="rabia">Rabia</option>' in english


# --- the editor ---------------------------------------------------------------------


def test_editor_index_labels_each_log_link_with_the_arabic_name(seeded, editor_client):
    page = _page(editor_client, "/editor/?lang=ar")
    assert '<span class="visually-hidden"> في منطقة الـ55 كم</span>' in page
    assert "في al-Tanf 55 km deconfliction zone" not in page
    english = _page(editor_client, "/editor/?lang=en")
    assert '<span class="visually-hidden"> at al-Tanf 55 km deconfliction zone</span>' in english


def test_log_a_change_names_the_site_in_arabic(seeded, editor_client):
    page = _page(editor_client, "/editor/sites/albukamal/log-control?lang=ar")
    assert _title(page).startswith("تسجيل تغيير في السيطرة على البوكمال · ")
    assert _h1(page) == "تسجيل تغيير في السيطرة على <bdi>البوكمال</bdi>"
    assert _crumb(page) == "البوكمال"
    status = _page(editor_client, "/editor/sites/albukamal/log-status?lang=ar")
    assert "<bdi>البوكمال</bdi>" in _h1(status) and "Albukamal" not in _h1(status)
    english = _page(editor_client, "/editor/sites/albukamal/log-control?lang=en")
    assert _title(english).startswith("Log a control change at Albukamal · ")
    assert _h1(english) == "Log a control change at <bdi>Albukamal</bdi>"
    assert _crumb(english) == "Albukamal"


def test_verify_and_period_lists_name_the_site_in_arabic(seeded, editor_client):
    verify = _page(editor_client, "/editor/sites/albukamal/verify?lang=ar")
    assert "البوكمال" in _title(verify) and "Albukamal" not in _title(verify)
    assert "<bdi>البوكمال</bdi>" in _h1(verify)
    assert _crumb(verify) == "البوكمال"
    listed = _page(editor_client, "/editor/control-periods/?site=albukamal&lang=ar")
    assert "<bdi>البوكمال</bdi>" in _h1(listed)
    english = _page(editor_client, "/editor/sites/albukamal/verify?lang=en")
    assert "<bdi>Albukamal</bdi>" in _h1(english) and _crumb(english) == "Albukamal"


# --- the cite page ------------------------------------------------------------------


def _cited_site(page: str, slug: str) -> str:
    return re.search(rf'id="cite-row-{slug}"><th scope="row"><a [^>]*>(.*?)</a>', page)[1]


def test_cite_pages_answer_names_the_site_in_the_readers_language(seeded_client):
    arabic = _page(seeded_client, "/cite?date=2014-06-15&site=rabia&lang=ar")
    assert _cited_site(arabic, "rabia") == "ربيعة"
    english = _page(seeded_client, "/cite?date=2014-06-15&site=rabia&lang=en")
    assert _cited_site(english, "rabia") == "Rabia"


# --- the review queue's stalest sites -----------------------------------------------


def _stale_names(page: str) -> list[str]:
    stale = page[page.index('class="stale-sites"') :]
    return re.findall(r'<th scope="row"><a href="/sites/[^"]*" dir="auto">(.*?)</a>', stale)


def test_stalest_sites_are_named_in_the_readers_language(seeded, editor_client):
    arabic = _stale_names(_page(editor_client, "/review?lang=ar"))
    assert len(arabic) >= 10
    assert all(re.search("[\u0600-\u06ff]", name) for name in arabic), arabic
    english = _stale_names(_page(editor_client, "/review?lang=en"))
    assert len(english) == len(arabic)
    assert not any(re.search("[\u0600-\u06ff]", name) for name in english), english
