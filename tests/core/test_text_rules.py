"""Rules for user text and addresses, shared by forms, imports, restores and the seed."""

from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.text_rules import (
    REF_MAX,
    control_problem,
    is_slug,
    language_of,
    safe_url,
    source_refs,
    url_problem,
)

GOOD_URLS = [
    "https://example.org/report",
    "http://example.org:8080/a?b=1#c",
    "HTTPS://EXAMPLE.ORG/",
    "https://xn--mgbh0fb.example/%D8%A7",
]
BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//example.org/x",
    "/relative",
    "https://",
    "https:///x",
    "https://example.org:99999/",
    'https://example.org/"onmouseover=x',
    "https://exa mple.org/",
    "https://example.org/\x00",
    "ftp://example.org/",
]


@pytest.mark.parametrize("url", GOOD_URLS)
def test_web_addresses_pass(url):
    assert url_problem(url) is None and safe_url(url) == url


@pytest.mark.parametrize("url", BAD_URLS)
def test_other_addresses_are_refused_and_never_linked(url):
    assert url_problem(url) and safe_url(url) == ""


@pytest.mark.parametrize("text", ["plain", "tab\tnewline\nreturn\r", "عكاشات", "", "café ×\xa0é"])
def test_ordinary_text_passes(text):
    assert control_problem(text) is None


@pytest.mark.parametrize(
    "text, code",
    [
        ("a\x00b", "U+0000"),
        ("\x0b", "U+000B"),
        ("x\x1fy", "U+001F"),
        ("del\x7f", "U+007F"),
        ("caf\x82", "U+0082"),  # C1: what mis-decoded Windows-1252 leaves
        ("\x9f", "U+009F"),
    ],
)
def test_control_characters_are_named(text, code):
    assert code in control_problem(text)


@pytest.mark.parametrize("code", [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
def test_direction_embeddings_overrides_and_isolates_are_refused(code):
    """They flip the text shown around a name (a map label "\u202eRTL" reads "LTR")."""
    problem = control_problem(f"al-Qa'im {chr(code)}RTL")
    assert problem and f"U+{code:04X}" in problem and "direction controls" in problem


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_the_marks_arabic_text_uses_are_kept(mark):
    assert control_problem(f"منفذ القائم{mark} (Al-Qa'im)") is None


@pytest.mark.parametrize(
    "text, page, lang",
    [
        ("NSA takes al-Tanf", "ar", "en"),
        ("NSA takes al-Tanf", "en", ""),
        ("إعادة فتح المعبر", "en", "ar"),
        ("إعادة فتح المعبر", "ar", ""),
        ("قسد (SDF) تسيطر", "en", ""),  # mixed: left to the page
        ("قسد (SDF) تسيطر", "ar", ""),
        ("2016–2017 (?)", "en", ""),  # no letters at all
        ("", "ar", ""),
        ("Ya’rubiyah", "fr", ""),  # any page not Arabic reads Latin letters as its own
        ("البوكمال", "fr", "ar"),
    ],
)
def test_free_text_is_marked_when_all_its_letters_are_the_other_languages(text, page, lang):
    assert language_of(text, page) == lang


@given(st.text(max_size=50), st.sampled_from(["en", "ar"]))
def test_free_text_is_never_marked_with_the_pages_own_language(text, page):
    assert language_of(text, page) in {"en", "ar", ""} - {page}


@pytest.mark.parametrize(
    "title, first",
    [
        ("Crossing handed over", "crossing-handed-over"),
        ("Iraq retakes al-Qaʿim (Reuters, 3 Nov. 2017)", "iraq-retakes-al-qaim-reuters-3-nov-2017"),
        ("Rabi’a crossing reopens", "rabia-crossing-reopens"),
        ("Ya’rubiyéh: Šahin & Æsir", "yarubiyeh-sahin-aesir"),
        ("Straße nach Łódź", "strasse-nach-lodz"),
        ("معبر البوكمال", "source-1"),
        ("معبر 2015", "source-1"),
        ("", "source-1"),
    ],
)
def test_a_source_ref_is_its_title_as_a_readable_ascii_slug(title, first):
    assert next(source_refs(title)) == first


def test_taken_refs_are_followed_by_numbered_ones_within_the_column():
    long = "The situation at the al-Qaim border crossing after the fall of Mosul in June"
    refs = list(islice(source_refs(long), 12))
    assert refs[0] == "the-situation-at-the-al-qaim-border"  # cut between words
    assert refs[1] == "the-situation-at-the-al-qaim-border-2"
    assert refs[11] == "the-situation-at-the-al-qaim-border-12"
    assert list(islice(source_refs("تقرير"), 3)) == [
        "source-1",
        "source-2",
        "source-3",
    ]


@given(st.text(max_size=200))
def test_every_ref_is_a_distinct_ascii_slug_that_fits_the_column(title):
    refs = list(islice(source_refs(title), 120))
    assert len(set(refs)) == len(refs)
    assert all(len(r) <= REF_MAX and r.isascii() and is_slug(r) for r in refs)
