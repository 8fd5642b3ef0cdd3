"""The page scripts' strings block and the server's dates in the interface's language."""

import json
import re
import shutil
import subprocess

import pytest

from app.core import bounds
from app.web import js_strings

NODE = shutil.which("node")
WORDS_JS = "tests/js/words.cjs"
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
# Keys whose text is placeholders, arrows and dashes only (no letters in any language).
NEUTRAL = {"lang", "digits", "date_locale", "when.span", "when.arrow", "change.control"}
EXPRESSIONS = [
    "2016-03-04",
    "2014-06",
    "2014",
    "2024-12-07/2024-12-31",
    "2014-06-20/2014-07-02",
    "2013-12-20/2014-01-10",
    "../2013-12-31",
    "2015/..",
    "2014?",
    "2015-05~",
    "2014-06%",
]


def _strings(app, query=""):
    with app.test_request_context(f"/{query}"):
        return js_strings.strings()


def _block(html: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="atlas-strings" nonce="[^"]+">(.*?)</script>', html
    )
    assert found, "no strings block"
    return json.loads(found.group(1))


def test_english_page_carries_english_strings(client):
    block = _block(client.get("/search").get_data(as_text=True))
    assert block["lang"] == "en" and block["digits"] == "latn" and block["date_locale"] == "en"
    assert block["play.play"] == "Play" and block["when.since"] == "since {date}"


def test_arabic_page_carries_arabic_strings(client):
    block = _block(client.get("/search?lang=ar").get_data(as_text=True))
    assert block["lang"] == "ar" and block["date_locale"] == "ar-SY"
    assert block["play.play"] == "تشغيل" and block["when.since"] == "منذ {date}"
    untranslated = [k for k, v in block.items() if k not in NEUTRAL and not ARABIC_LETTER.search(v)]
    assert not untranslated


def test_digits_choice_reaches_the_block_only_in_arabic(client):
    assert (
        _block(client.get("/search?lang=ar&digits=arab").get_data(as_text=True))["digits"] == "arab"
    )
    assert (
        _block(client.get("/search?lang=en&digits=arab").get_data(as_text=True))["digits"] == "latn"
    )


def test_translations_keep_their_placeholders(app):
    english, arabic = _strings(app, "?lang=en"), _strings(app, "?lang=ar")
    holes = re.compile(r"\{\w+\}")
    for key, text in english.items():
        assert sorted(holes.findall(arabic[key])) == sorted(holes.findall(text)), key


@pytest.mark.parametrize(
    "query, short, reading",
    [
        ("?lang=en", "Jun 2014", "sometime in June 2014"),
        ("?lang=ar", "حزيران 2014", "في وقت ما في حزيران 2014"),
        ("?lang=ar&digits=arab", "حزيران ٢٠١٤", "في وقت ما في حزيران ٢٠١٤"),
    ],
)
def test_date_filters_follow_language_and_digits(app, query, short, reading):
    with app.test_request_context(f"/{query}"):
        assert js_strings.bound_short("2014-06") == short
        assert js_strings.bound_reading(bounds.parse("2014-06")) == reading


def test_when_text_words_a_handover_in_arabic(app):
    row = {
        "controller": None,
        "transition": {"names": ["SDF", "Syria"], "window": "2024-12-07/2024-12-31"},
    }
    with app.test_request_context("/?lang=ar"):
        assert js_strings.when_text(row) == "SDF ← Syria، بين 7 و31 كانون الأول 2024"
        assert js_strings.when_text({"controller": "x", "since_edtf": "2014-06"}) == (
            "منذ حزيران 2014"
        )


def test_unbroken_keeps_each_range_written_without_spaces_on_one_line():
    assert js_strings.unbroken("ISIS → Iraq, between 11–12 Feb 2026") == (
        'ISIS → Iraq, between <span class="range">11–12</span> Feb 2026'
    )
    assert js_strings.unbroken("Jul–Aug 2014 – 8–9 Nov") == (
        '<span class="range">Jul–Aug</span> 2014 – <span class="range">8–9</span> Nov'
    )
    # A dash between spaces may end a line; the text is escaped, inside a range too.
    assert js_strings.unbroken("Dec 2013 – Feb 2014") == "Dec 2013 – Feb 2014"
    assert js_strings.unbroken("<b>1–2</b> & 3") == (
        '<span class="range">&lt;b&gt;1–2&lt;/b&gt;</span> &amp; 3'
    )


def test_day_label_at_each_precision(app):
    import datetime as dt

    day = dt.date(2013, 3, 4)
    with app.test_request_context("/?lang=ar&digits=arab"):
        labels = [js_strings.day_label(day, p) for p in ("day", "month", "year")]
    assert labels == ["٤ آذار ٢٠١٣", "آذار ٢٠١٣", "٢٠١٣"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("query", ["?lang=en", "?lang=ar", "?lang=ar&digits=arab"])
def test_browser_and_server_word_bounds_alike(app, query):
    """atlas-core.js with the page's strings says what bounds.py says for the page."""
    with app.test_request_context(f"/{query}"):
        strings, words = js_strings.strings(), js_strings.date_words()
        parsed = [bounds.parse(text) for text in EXPRESSIONS]
        expected = [[b.short(words), b.reading(words), b.window_reading(words)] for b in parsed]
    days = [[_iso(b.earliest), _iso(b.latest), _marks(b.text)] for b in parsed]
    out = _node({"strings": strings, "bounds": days})
    assert out["words"] == expected


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_script_english_matches_the_catalogue_source(app):
    """atlas-core.js's own English (used without the block) is js_strings.py's."""
    english = _node({"strings": None, "bounds": []})["english"]
    server = _strings(app, "?lang=en")
    assert {k: server[k] for k in english} == english


def _iso(day):
    return day and day.isoformat()


def _marks(text: str) -> int:
    """The page's qualifier bits: 1 uncertain (?), 2 approximate (~), both for %."""
    return 3 if "%" in text else ("?" in text) + 2 * ("~" in text)


def _node(payload: dict) -> dict:
    run = subprocess.run(
        [NODE, WORDS_JS], input=json.dumps(payload), capture_output=True, text=True, check=True
    )
    return json.loads(run.stdout)


def test_day_label_reads_an_iso_day_as_well(app):
    with app.test_request_context("/?lang=ar"):
        assert js_strings.day_label("2013-03-04", "month") == "آذار 2013"
        assert js_strings.day_label(None, "day", "–") == js_strings.day_label("", "day", "–") == "–"
