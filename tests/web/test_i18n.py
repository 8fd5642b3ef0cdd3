"""The interface in Arabic and English (issue 15): choosing the language, the switch, forms
in Arabic, a complete catalogue, and no English left outside it in the templates."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from tests.conftest import ROOT

TEMPLATES = ROOT / "app" / "templates"
CATALOGUE = ROOT / "app" / "translations" / "ar" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _page(client, path: str, **headers) -> str:
    return client.get(path, headers=headers).get_data(as_text=True)


# --- choosing the language ----------------------------------------------------------


def test_english_is_the_default(seeded_client):
    page = _page(seeded_client, "/search")
    assert '<html lang="en" dir="ltr">' in page and "Find a site" in page


def test_lang_ar_gives_an_arabic_page_and_remembers_it(seeded_client):
    resp = seeded_client.get("/search?lang=ar")
    page = resp.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "ابحث عن موقع" in page
    assert "lang=ar" in resp.headers["Set-Cookie"]
    # The cookie keeps the choice on the next page, without ?lang=.
    assert '<html lang="ar" dir="rtl">' in _page(seeded_client, "/sites/al-qaim")
    assert '<html lang="en" dir="ltr">' in _page(seeded_client, "/search?lang=en")


def test_accept_language_chooses_arabic_when_nothing_else_does(seeded_client):
    page = _page(seeded_client, "/", **{"Accept-Language": "ar-SY,ar;q=0.9,en;q=0.5"})
    assert '<html lang="ar" dir="rtl">' in page


def test_the_switch_keeps_the_path_and_the_query(seeded_client):
    page = _page(seeded_client, "/?date=2015-06-01&site=al-qaim")
    link = re.search(r'<a href="([^"]+)" lang="ar" hreflang="ar"[^>]*>العربية</a>', page)
    assert link and link.group(1).replace("&amp;", "&") == (
        "/?date=2015-06-01&site=al-qaim&lang=ar"
    )
    back = _page(seeded_client, "/sites/al-qaim?lang=ar&date=2015-06-01")
    assert 'href="/sites/al-qaim?date=2015-06-01&amp;lang=en" lang="en"' in back


def test_the_digits_choice_shows_only_in_arabic(seeded_client):
    assert "digits=" not in _page(seeded_client, "/search")
    page = _page(seeded_client, "/search?lang=ar")
    assert 'href="/search?lang=ar&amp;digits=arab"' in page
    resp = seeded_client.get("/search?digits=arab")
    assert "digits=arab" in resp.headers["Set-Cookie"]


def test_the_embed_switches_in_its_own_frame(seeded_client):
    page = _page(seeded_client, "/embed?lang=ar")
    assert '<html lang="ar" dir="rtl" class="js">' in page
    assert 'hreflang="en" target="_self" data-state-link>English</a>' in page


@pytest.mark.parametrize(
    ("path", "english", "arabic"),
    [
        ("/", "Who held each crossing on", "الجهة المسيطرة على كل منفذ حدودي"),
        ("/sites/al-qaim", "Notes and sources", "ملاحظات ومصادر"),
        ("/sites/no-such-place", "Page not found", "الصفحة غير موجودة"),
        ("/ogc/collections?f=html", "Collections", "المجموعات"),
        ("/feeds/changes.atom", "changes at Syria–Iraq border crossings", "المنافذ الحدودية"),
    ],
)
def test_pages_speak_the_chosen_language(seeded_client, path, english, arabic):
    assert english in _page(seeded_client, path)
    assert arabic in _page(seeded_client, path, **{"Accept-Language": "ar"})


# --- forms --------------------------------------------------------------------------


def test_sign_in_form_in_arabic(client):
    page = _page(client, "/login?lang=ar")
    assert "اسم المستخدم" in page and "كلمة المرور" in page
    resp = client.post("/login?lang=ar", data={"username": "", "password": ""})
    page = resp.get_data(as_text=True)
    assert "هذا الحقل مطلوب" in page and "This field is required" not in page


def test_editor_form_labels_and_messages_in_arabic(editor_client):
    page = _page(editor_client, "/editor/actors/new?lang=ar")
    assert "الاسم العربي" in page and "التسمية المختصرة" in page and "Short label" not in page
    resp = editor_client.post(
        "/editor/actors/new?lang=ar", data={"slug": "Not A Slug", "colour": "red"}
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "يجب أن يكون لونًا" in page and "must be a colour" not in page
    assert "يجب أن يتكون من أحرف لاتينية صغيرة" in page
    assert "مطلوب" in page


def test_text_rules_refusals_in_the_editor_speak_arabic(editor_client):
    """The rules the forms share with imports (addresses, control characters) are said
    in the reader's language, not only in English."""
    resp = editor_client.post(
        "/editor/sources/new?lang=ar",
        data={"ref": "X-1", "title": "Bad\x07title", "url": "javascript:alert(1)"},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "يجب أن يكون عنوانًا يبدأ بـ http://" in page
    assert "يجب ألا يحتوي على محارف تحكم (وُجد U+0007)" in page
    assert "must be an http" not in page and "control characters" not in page


def test_a_period_and_a_timeline_are_named_in_arabic(seeded_client, editor_client):
    """Headings that join a site, a holder and dates read in Arabic order and punctuation."""
    from app.db.models import ControlPeriod, Site
    from app.extensions import db

    with editor_client.application.app_context():
        period = db.session.scalar(
            select(ControlPeriod).join(Site).where(Site.slug == "al-qaim").limit(1)
        )
        period_id, name_ar = period.id, period.site.name_ar
    page = _page(editor_client, f"/editor/control-periods/{period_id}/edit?lang=ar")
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)[1]
    assert name_ar in heading and "al-Qa" not in heading and "، " in heading
    site = _page(seeded_client, "/sites/al-qaim?lang=ar")
    title = re.search(r'<title id="tl-title">(.*?)</title>', site)[1]
    assert title.startswith(f"السيطرة على {name_ar} وحالته، 2011–")


def test_a_site_is_located_in_the_readers_words(seeded_client):
    """Countries by name, coordinates by direction, the other side by its Arabic name."""
    page = _page(seeded_client, "/sites/albukamal?lang=ar")
    facts = page.split('<section class="facts"', 1)[1].split("</dl>", 1)[0]
    assert "<dd>سوريا (SY)</dd>" in facts and "° N" not in facts
    assert "\u2066" + "34.45250°\u2069 شمالًا" in facts
    assert ">معبر القائم الحدودي</a> (العراق)" in facts
    english = _page(seeded_client, "/sites/albukamal?lang=en")
    assert "<dd>Syria (SY)</dd>" in english and "34.45250° N, 40.93440° E" in english


# --- numbers in the chosen digits ----------------------------------------------------

ARABIC_INDIC = re.compile("[٠-٩]")


def test_arabic_indic_digits_reach_counts_distances_and_years(seeded_client):
    """With ٠–٩ chosen, the numbers of the words around the data follow: a count, a
    distance, the slider's years, the legend; coordinates and links keep 0–9."""
    latin = _page(seeded_client, "/search?q=tanf&lang=ar&digits=latn")
    arab = _page(seeded_client, "/search?q=tanf&lang=ar&digits=arab")
    count = re.search(r"<p>(\d+) مواقع", latin)
    shown = count and count[1].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert shown and f"<p>{shown} مواقع" in arab
    site = _page(seeded_client, "/sites/al-tanf")  # the cookie keeps both choices
    facts = site.split('<section class="facts"', 1)[1].split("</dl>", 1)[0]
    assert re.search("<dd>[٠-٩]+٫[٠-٩] كم</dd>", facts), facts
    assert "33.44570°" in facts  # copied into other tools as they are
    zone = _page(seeded_client, "/sites/al-tanf-55km-zone")
    assert "؛ نصف القطر ٥٥ كم" in zone  # not ٥٥٫٠
    home = _page(seeded_client, "/?date=2015-06-01")
    assert re.search(r'<span style="left: [\d.]+%">٢٠١١</span>', home)
    assert "(±٣٠ يومًا)" in home and "الأحداث خلال ٣٠ يومًا" in home
    assert "date=2015-06-01" in home and "٢×</a>" in home
    assert "; radius 55 km" in _page(seeded_client, "/sites/al-tanf-55km-zone?lang=en")
    english = _page(seeded_client, "/?date=2015-06-01&lang=en")
    assert "Event (±30 days)" in english and not ARABIC_INDIC.search(english.split("<script")[0])


def test_messages_outside_templates_use_the_chosen_digits(app):
    """Flash messages and filters: `num` and every number among the values (not True or
    False); Latin digits in English and outside a request."""
    from app.web import ages, i18n

    message = "%(num)s day ago", "%(num)s days ago"
    with app.test_request_context("/?lang=ar&digits=arab"):
        app.preprocess_request()
        assert i18n.ngettext(*message, 10) == "قبل ١٠ أيام"
        assert i18n.gettext("Review (%(num)s)", num=12) == "التدقيق (١٢)"
        assert i18n.gettext("%(a)s %(b)s", a=True, b=1.5) == "True ١٫٥"
        assert i18n.gettext("%(message)s", message="a value named as the argument") != ""
        assert i18n.number(2.04, "%.1f") == "٢٫٠"
        import datetime as dt

        from app.core import clock

        assert ARABIC_INDIC.search(ages.ago(clock.today() - dt.timedelta(days=400)))
    with app.test_request_context("/?lang=ar"):
        assert i18n.ngettext(*message, 10) == "قبل 10 أيام"
    with app.test_request_context("/?lang=en&digits=arab"):
        assert i18n.ngettext(*message, 10) == "10 days ago"
    with app.app_context():
        assert i18n.number(7) == "7"


def test_said_speaks_nested_phrases_and_dates(app):
    """A phrase's values are said too: another phrase, a bound in the reader's month
    names; values a message quotes stay as given."""
    from app.core import bounds, timeline
    from app.core.text_rules import N_, Phrase
    from app.web.i18n import said

    span = timeline.Period(bounds.parse("2014-06"), None).describe()
    where = Phrase(N_("line %(line)s"), line=3)
    with app.test_request_context("/?lang=ar"):
        assert said(span) == "حزيران 2014 – مستمرة"
        assert said(where) == "السطر 3"
        assert said("plain") == "plain"
    with app.test_request_context("/?lang=en"):
        assert said(span) == str(span) == "Jun 2014 – ongoing"


# --- the catalogue ------------------------------------------------------------------


def _catalogue():
    with CATALOGUE.open("rb") as f:
        return read_po(f)


def test_dates_written_into_arabic_messages_keep_their_order():
    """An ISO date in Arabic text is laid out right to left ("2024-12-06" shows as
    06-12-2024) unless it is isolated: inside <code>, or between LRI and PDI."""
    loose = []
    for message in list(_catalogue())[1:]:  # the header holds the catalogue's own dates
        for text in message.string if isinstance(message.string, tuple) else [message.string]:
            bare = re.sub(r"<code>.*?</code>|\u2066.*?\u2069", "", text or "")
            if re.search(r"\d{4}-\d{2}|\.\./\d{4}", bare):
                loose.append(text)
    assert loose == []


def test_every_arabic_message_is_translated_and_not_fuzzy():
    cat = _catalogue()
    assert cat.num_plurals == 6
    bad = []
    for m in cat:
        if not m.id:
            continue
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(forms) or len(forms) != (6 if m.pluralizable else 1):
            bad.append(m.id)
    assert not bad, f"untranslated or fuzzy: {bad}"


def test_translations_keep_the_placeholders():
    """A singular keeps exactly its placeholders; every plural form uses only the
    message's own, and the forms for 3 and more keep them all."""
    bad = []
    for m in _catalogue():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        for n, form in enumerate(forms):
            got = set(PLACEHOLDER.findall(form))
            if not got <= wanted or (n >= 3 or len(forms) == 1) and got != wanted:
                bad.append((m.id, form))
    assert not bad


def test_the_catalogue_holds_every_marked_message(tmp_path):
    """`make translations` was run: the catalogue has exactly the messages the code marks."""
    pot = tmp_path / "messages.pot"
    extract = "from babel.messages.frontend import main; main()"
    cmd = [sys.executable, "-c", extract, "-q", "extract", "-F", "babel.cfg"]
    cmd += ["-k", "_l", "-k", "N_", "-k", "Counted:1,2", "-o", str(pot), "."]
    subprocess.run(cmd, cwd=ROOT, check=True)
    with pot.open("rb") as f:
        marked = {m.id for m in read_po(f) if m.id}
    known = {m.id for m in _catalogue() if m.id}
    assert marked - known == set(), "run `make translations`, then translate"
    assert known - marked == set(), "run `make translations` to drop unused messages"


# --- no English outside the catalogue ----------------------------------------------

#: Names and formats that are the same in every language.
ALLOWED = {
    "GeoJSON",
    "CSV",
    "GeoPackage",
    "OGC",
    "API",
    "Atom",
    "Leaflet",
    "SVG",
    "PNG",
    "PDF",
    "MP4",
    "RFC",
    "English",  # the switch's own name for English
    "Bukamal",  # the search box's example names
    "Rabia'a",
}
_JINJA = re.compile(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}|\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S)
_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|placeholder|alt|data-label)="([^"]*)"')
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]+")
_PATH = re.compile(r"/[\w/-]*")


def _english_words(source: str) -> list[str]:
    """Latin-script words a reader would see in a template's own text and attributes."""
    html = _SCRIPT.sub("", _JINJA.sub(" ", source))
    texts = re.findall(r">([^<]*)<", html) + _ATTRIBUTES.findall(html)
    return [w for text in texts for w in _WORD.findall(_PATH.sub(" ", text)) if w not in ALLOWED]


def test_the_scan_finds_english_outside_the_catalogue():
    assert _english_words('<p title="Hi there">{{ _("Ok") }} Save</p>') == ["Save", "Hi", "there"]


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_templates_show_no_english_outside_the_catalogue(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert _english_words(source) == []


def test_arabic_pages_show_no_english_words_of_the_interface(seeded_client):
    """Rendered in Arabic, the map page's panel has no English interface word (names,
    formats and data such as slugs may stay)."""
    page = _page(seeded_client, "/?lang=ar&date=2015-06-01")
    panel = page.split('<aside class="panel"', 1)[1].split("</aside>", 1)[0]
    for english in ("Downloads", "Find a site", "Show", "Controller", "Confidence", "Status"):
        assert f">{english}<" not in panel


@pytest.mark.parametrize(
    ("module", "call"),
    [("app/core/base_map.py", r"\bN_\("), ("app/ogc/html.py", r"\bt\(")],
)
def test_pure_modules_list_every_word_they_translate(module, call):
    """base_map and ogc.html take their words translated (`words=`): each one they look
    up must be in their WORDS, or it would never reach the catalogue."""
    import importlib

    source = (ROOT / module).read_text(encoding="utf-8")
    looked_up = set(re.findall(call + r"""(['"])(.+?)\1\)""", source))
    words = importlib.import_module(module[:-3].replace("/", ".")).WORDS
    assert looked_up and {text for _, text in looked_up} <= set(words)


def test_pages_and_feeds_vary_by_language_and_data_does_not(seeded_client):
    for path in ("/?date=2015-06-01", "/feeds/changes.atom", "/ogc/?f=html"):
        resp = seeded_client.get(path)
        vary = resp.headers.get("Vary", "")
        assert resp.status_code == 200 and "Accept-Language" in vary and "Cookie" in vary, path
    assert "Accept-Language" not in seeded_client.get("/api/sites.geojson").headers.get("Vary", "")


@pytest.mark.parametrize("path", ["/api/sites.geojson?date=2015-02-30", "/api/sites/nowhere"])
def test_a_json_refusal_is_worded_in_the_readers_language_and_varies_with_it(seeded_client, path):
    english = seeded_client.get(path)
    arabic = seeded_client.get(path, headers={"Accept-Language": "ar"})
    assert english.status_code == arabic.status_code and english.status_code >= 400
    assert english.json["description"] != arabic.json["description"]
    for resp in (english, arabic):
        vary = resp.headers.get("Vary", "")
        assert "Accept-Language" in vary and "Cookie" in vary, path


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/api/sites.geojson", "*/*"),
        ("/feeds/changes.atom", "*/*"),
        ("/ogc/?f=html", "*/*"),
        ("/ogc/collections/periods/items?limit=2", "application/geo+json"),
        ("/ogc/collections/periods/items?limit=2", "text/html"),
    ],
)
def test_a_304_varies_with_what_its_answer_varies_with(seeded_client, path, accept):
    first = seeded_client.get(path, headers={"Accept": accept})
    again = seeded_client.get(
        path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]}
    )
    assert (first.status_code, again.status_code) == (200, 304)
    assert again.headers["Vary"] == first.headers["Vary"]
    worded = first.mimetype in ("text/html", "application/atom+xml")
    assert ("Accept-Language" in again.headers["Vary"]) == worded


def test_refusals_speak_the_readers_language_and_still_name_the_parameter(seeded_client):
    page = seeded_client.get("/sites/nowhere?lang=ar")
    assert page.status_code == 404 and "لا يوجد موقع باسم" in page.get_data(as_text=True)
    refused = seeded_client.get(
        "/api/sites.geojson?date=someday", headers={"Accept-Language": "ar"}
    ).get_json()
    assert refused["description"].startswith("المعامل 'date'")
    fresh = seeded_client.application.test_client()  # no `lang` cookie from the page above
    english = fresh.get("/api/sites.geojson?date=someday").get_json()
    assert english["description"].startswith("parameter 'date'")


def test_source_dates_speak_the_readers_language(seeded_client):
    """A cited source's publication date is written by the interface, not the source: in
    the reader's language, at its precision."""
    english = _page(seeded_client, "/sites/al-qaim?lang=en")
    arabic = _page(seeded_client, "/sites/al-qaim?lang=ar")
    assert "</bdi>, Jun 2025</li>" in english
    assert "</bdi>، حزيران 2025</li>" in arabic and ", Jun 2025</li>" not in arabic


@pytest.mark.parametrize(
    "url",
    [
        "/api/sites.geojson?lang=ar",
        "/api/sites.geojson?date=soon&lang=ar",
        "/?date=2015-13-45&lang=ar&digits=arab",
        "/sites/nowhere?lang=ar&digits=arab",
        "/ogc/collections/nowhere?lang=ar",
    ],
)
def test_a_refused_request_leaves_the_language_cookies_alone(seeded_client, url):
    """A 4xx answers in the language asked, but a mistyped link must not switch the site."""
    fresh = seeded_client.application.test_client()
    resp = fresh.get(url)
    assert 400 <= resp.status_code < 500
    assert "Set-Cookie" not in resp.headers
    assert '<html lang="en" dir="ltr">' in _page(fresh, "/search")


def test_a_refused_date_says_why_in_the_readers_language(seeded_client):
    arabic = _page(seeded_client, "/?date=2015-13-45&lang=ar")
    assert "المعامل &#39;date&#39;: &#39;2015-13-45&#39; ليس تاريخًا موجودًا في التقويم" in arabic
    api = seeded_client.get(
        "/api/sites.geojson?date=soon", headers={"Accept-Language": "ar"}
    ).get_json()
    assert api["description"] == "المعامل 'date': 'soon' ليس تاريخًا بالصيغة YYYY-MM-DD"
    fresh = seeded_client.application.test_client()
    english = fresh.get("/api/sites.geojson?date=soon").get_json()["description"]
    assert english == "parameter 'date': 'soon' is not a date in the form YYYY-MM-DD"


def test_errors_without_words_of_their_own_speak_the_readers_language(seeded_client):
    arabic = seeded_client.get("/no-such-page?lang=ar")
    assert arabic.status_code == 404
    assert "لا شيء في هذا العنوان" in arabic.get_data(as_text=True)
    english = seeded_client.get("/no-such-page?lang=en").get_data(as_text=True)
    assert "Nothing is at this address" in english and "requested URL" not in english
    assert seeded_client.post("/search?lang=ar").status_code == 405
    assert "لا يقبل هذا العنوان" in seeded_client.post("/search?lang=ar").get_data(as_text=True)


def test_english_names_are_marked_english_for_screen_readers(seeded_client):
    """In the Arabic interface a site's English name is read with English sounds."""
    site = _page(seeded_client, "/sites/al-qaim?lang=ar")
    # The Arabic name first, the English one beside it.
    assert '<h1><bdi>معبر القائم الحدودي</bdi> <bdi lang="en" dir="ltr">al-Qa&#39;im</bdi>' in site
    home = _page(seeded_client, "/?date=2015-06-01")
    # The map table's row (in the language remembered): the same order.
    assert (
        '<a href="/sites/al-qaim" dir="auto">معبر القائم الحدودي</a> <span class="cc">IQ</span>'
        ' <span class="en" lang="en" dir="ltr">al-Qa&#39;im</span>'
    ) in home
    search = _page(seeded_client, "/search?q=qaim")
    assert 'dir="auto" lang="en">al-Qa&#39;im</a>' in search


@pytest.mark.parametrize(
    "path",
    [
        "/api/sites.geojson?date=2001-01-01",
        "/api/periods.geojson?from=2016-01-01&to=2015-01-01",
        "/api/sites.geojson?known=2999-01-01",
    ],
)
def test_iso_dates_in_an_arabic_refusal_keep_their_order(seeded_client, path):
    """A date filled into an Arabic refusal is isolated (LRI … PDI): bare, "2011-01-01"
    after Arabic words shows as 01-01-2011."""
    resp = seeded_client.get(path, headers={"Accept-Language": "ar"})
    text = resp.json["description"]
    assert resp.status_code == 400 and re.search(r"\d{4}-\d{2}-\d{2}", text), text
    assert not re.search(r"\d{4}-\d{2}", re.sub("\u2066.*?\u2069", "", text)), text


@pytest.mark.parametrize(
    "path, named",
    [
        ("/?rows=some", "'rows'"),
        ("/search?q=bukamal&f=xml", "'f'"),
        ("/history?page=0", "'page'"),
        ("/history?page=1e3", "'page'"),
        ("/history/999999", "999999"),
        ("/editor/control-periods/999999/edit", "999999"),
    ],
)
def test_page_refusals_speak_the_readers_language(seeded, editor_client, path, named):
    resp = editor_client.get(path, headers={"Accept-Language": "ar"})
    main = resp.get_data(as_text=True).split("<main", 1)[-1]
    assert resp.status_code in (400, 404) and named in html.unescape(main)
    assert not re.search(r"\b(parameter|must|No revision)\b", main), main


def test_the_admin_role_is_asked_for_in_the_readers_language(seeded, editor_client):
    resp = editor_client.post("/history/1/revert", headers={"Accept-Language": "ar"})
    main = resp.get_data(as_text=True).split("<main", 1)[-1]
    assert resp.status_code == 403 and "admin" not in main, main
