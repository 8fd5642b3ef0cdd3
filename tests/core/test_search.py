"""Finding sites by any spelling: the matching rules and the /search page."""

import pytest

from app.core import search
from app.core.search import names_text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("al-Yaarubiyah", "Yarubiya"),
        ("At-Tanf", "Tanf"),
        ("Rabia'a", "Rabia"),
        ("El-Qaim", "Qaim"),
        ("Boukamal", "Bukamal"),
        ("البوكمال", "بوكمال"),
        ("Ya'rubīyah", "yarubiyah"),
        ("أبو كمال", "ابو كمال"),
    ],
)
def test_fold_makes_spellings_meet(a, b):
    assert search.fold(a) == search.fold(b)


@pytest.mark.parametrize(
    ("query", "rank"),
    [
        ("Albukamal", 0),
        ("Albu", 1),
        ("abu kamal", 0),
        ("kamal", 2),
        ("Bukamel", 3),
        ("Bukaml", 3),
        ("damascus", None),
    ],
)
def test_rank_orders_exact_prefix_words_and_consonants(query, rank):
    text = names_text("Albukamal", "Abu Kamal", "Al-Bukamal")
    assert search.rank(query, text) == rank


def test_empty_or_punctuation_only_query_matches_nothing():
    assert search.rank("", "a") is None and search.rank(" '- ", "a") is None


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Yarrubiyah", "yarubiya"),  # a letter written twice is one
        ("Akkashat", "akashat"),
        ("kkkk", "kkkk"),  # three or more times is no spelling: kept
        ("zzz", "zzz"),
        ("ؤؤؤؤ", "وووو"),
        ("55 km", "55 km"),  # digits are not doubled letters
    ],
)
def test_fold_makes_one_letter_of_a_pair_only(text, folded):
    assert search.fold(text) == folded


@pytest.mark.parametrize(
    "query",
    ["kkkk", "zzzz", "zz", "z", "qqqq", "ؤؤؤؤ", "و", "k a b", "kk aa bb", "zz zz zz", "ab", "布"],
)
def test_a_query_too_short_once_folded_matches_no_fragment(query):
    """One or two letters (one syllable of a syllabic script), or a run of one letter, name
    no place: they were matched inside every name that has the letter ("kkkk" folded to "k")."""
    text = names_text(
        "Albukamal", "Abu Kamal", "Qashla", "al-Tanf 55 km zone", "أبو كمال", "阿布凯马勒"
    )
    assert search.rank(query, text) is None


@pytest.mark.parametrize(
    ("query", "rank"),
    [
        ("55", 2),  # a short word counts as a whole word of a name
        ("km", 2),
        ("55 km", 2),
        ("Al Ta", 1),  # three letters as typed begin the name, though "ta" once folded
        ("tanf", 1),
        ("zone", 2),
        ("Z", None),
    ],
)
def test_short_queries_match_whole_words_or_a_typed_beginning(query, rank):
    assert search.rank(query, names_text("al-Tanf 55 km zone")) == rank


def test_find_ranks_best_first_and_drops_loose_matches_when_better_exist():
    candidates = [
        {"name": n, "search_text": names_text(n, *a)}
        for n, a in [("Rabia", ["Rabiaa"]), ("al-Yarubiyah", ["Yaarubiyah"]), ("Rabia East", [])]
    ]
    assert [c["name"] for c in search.find("Rabia'a", candidates)] == ["Rabia", "Rabia East"]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("Bukamal", "albukamal"),
        ("abu kamal", "albukamal"),
        ("البوكمال", "albukamal"),
        ("Yaarubiyah", "al-yarubiyah"),
        ("Rabia'a", "rabia"),
        ("Tanaf", "al-tanf"),
        ("al qaim", "al-qaim"),
        ("QAEM", "al-qaim"),
    ],
)
def test_search_page_finds_seeded_sites_by_any_spelling(seeded_client, query, slug):
    resp = seeded_client.get("/search", query_string={"q": query, "f": "json"})
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert results[0]["slug"] == slug
    assert results[0]["url"] == f"/sites/{slug}" and results[0]["map_url"] == f"/?site={slug}"


def test_a_loose_likeness_of_its_own_names_does_not_hide_a_side_its_crossing_names():
    """A query "Rabia" is loosely like "Yaarabiya" (al-Yarubiyah's own names) and is the name of its
    crossing: al-Yarubiyah is found as the other side, not dropped as a loose match."""
    both = "rabia\nal yarubiyah"
    sides = [
        {"name": "Rabia", "search_text": "rabia", "crossing_text": both},
        {"name": "al-Yarubiyah", "search_text": "al yarubiyah\nyaarabiya", "crossing_text": both},
    ]
    found = [(c["name"], c.get("via_crossing", False)) for c in search.find("Rabia", sides)]
    assert found == [("Rabia", False), ("al-Yarubiyah", True)]


@pytest.mark.parametrize("query", ["Rabia", "Rabi'a", "ربيعة"])
def test_search_page_finds_both_sides_of_rabia(seeded_client, query):
    resp = seeded_client.get("/search", query_string={"q": query, "f": "json"})
    assert [r["slug"] for r in resp.get_json()["results"]][:2] == ["rabia", "al-yarubiyah"]


def test_search_json_links_keep_the_date_asked_about(seeded_client):
    """As the results page's links do: the holder shown is the date's, and so is the page."""
    query = {"q": "Bukamal", "f": "json", "date": "2015-06-01"}
    (first, *_) = seeded_client.get("/search", query_string=query).get_json()["results"]
    assert first["url"] == "/sites/albukamal?date=2015-06-01"
    assert first["map_url"] == "/?date=2015-06-01&site=albukamal"


@pytest.mark.parametrize("query", ["kkkk", "zzzz", "zz", "qqqq", "ؤؤؤؤ", "zz zz zz", "a"])
def test_search_page_finds_nothing_for_nonsense(seeded_client, query):
    """A user audit found 7 sites for "kkkk", 6 for "ؤؤؤؤ", 2 for "qqqq" and the
    55 km zone for "zzzz" and "zz": folding made each one letter, found in those names."""
    resp = seeded_client.get("/search", query_string={"q": query, "f": "json"})
    assert resp.status_code == 200 and resp.get_json()["results"] == []
    html = seeded_client.get("/search", query_string={"q": query}).get_data(as_text=True)
    assert "No site matches" in html


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("Tanf", ["al-tanf", "al-tanf-55km-zone", "al-tanf-garrison"]),
        ("تنف", ["al-tanf", "al-tanf-garrison", "al-tanf-55km-zone"]),
        ("قائم", ["al-qaim"]),
        ("Qaem", ["al-qaim"]),
        ("Akkashat", ["akashat"]),
        ("Yarrubiyah", ["al-yarubiyah"]),
        ("55", ["al-tanf-55km-zone"]),
        ("Bou", ["albukamal"]),
        ("阿布", ["albukamal"]),  # two syllables of its Chinese alias, 阿布凯马勒
        ("凯马勒", ["albukamal"]),
    ],
)
def test_search_page_still_finds_short_and_doubled_spellings(seeded_client, query, slugs):
    resp = seeded_client.get("/search", query_string={"q": query, "f": "json"})
    found = [r["slug"] for r in resp.get_json()["results"]]
    assert found[: len(slugs)] == slugs


def test_search_html_lists_results_with_links(seeded_client):
    html = seeded_client.get("/search?q=Bukamal").get_data(as_text=True)
    assert 'href="/sites/albukamal"' in html and 'href="/?site=albukamal"' in html


def test_search_json_by_accept_header(seeded_client):
    resp = seeded_client.get("/search?q=tanf", headers={"Accept": "application/json"})
    assert resp.is_json and {r["slug"] for r in resp.get_json()["results"]} >= {"al-tanf"}


def test_no_match_is_an_empty_result(seeded_client):
    assert seeded_client.get("/search?q=Palmyra&f=json").get_json()["results"] == []
    assert "No site matches" in seeded_client.get("/search?q=Palmyra").get_data(as_text=True)


def test_empty_query_shows_the_form_or_a_json_400(seeded_client):
    assert seeded_client.get("/search").status_code == 200
    resp = seeded_client.get("/search?q=&f=json")
    assert resp.status_code == 400 and "parameter 'q'" in resp.get_json()["description"]


@pytest.mark.parametrize("fmt", ["", "&f=json"])
def test_over_long_query_is_a_400_naming_the_limit(seeded_client, fmt):
    resp = seeded_client.get(f"/search?q={'a' * 101}{fmt}")
    assert resp.status_code == 400
    assert "at most 100 characters" in resp.get_data(as_text=True)


def test_query_text_is_escaped(seeded_client):
    html = seeded_client.get("/search?q=<script>x</script>").get_data(as_text=True)
    assert "<script>x" not in html and "&lt;script&gt;" in html


def test_unknown_format_is_a_400(seeded_client):
    resp = seeded_client.get("/search?q=tanf&f=xml")
    assert resp.status_code == 400 and "must be one of json, html" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("أبو كمال", "ابو كمال"),  # hamza on alef
        ("إستراحة", "استراحه"),  # hamza below, taa marbuta
        ("آمرلي", "امرلي"),  # madda
        ("ٱلقائم", "القايم"),  # wasla, hamza on yaa
        ("مؤتة", "موته"),  # hamza on waw
        ("الرمادى", "الرمادي"),  # alef maqsura
        ("البوكمـــال", "البوكمال"),  # tatweel
        ("اليَعْرُبِيَّة", "اليعربيه"),  # harakat, shadda
        ("ربیعة", "ربيعه"),  # Persian-keyboard yaa
    ],
)
def test_arabic_letter_forms_and_marks_are_ignored(a, b):
    assert search.normalise(a) == search.normalise(b)
    assert search.rank(a, names_text(b)) == 0


def test_arabic_names_sort_by_their_normalised_form():
    names = ["التنف", "أبو كمال", "البوكمال", "اليعربية"]
    assert sorted(names, key=search.sort_key) == ["أبو كمال", "البوكمال", "التنف", "اليعربية"]
    # Equally good matches are listed in that order too.
    found = search.find("site", [{"name": n, "search_text": "site"} for n in names])
    assert [c["name"] for c in found] == ["أبو كمال", "البوكمال", "التنف", "اليعربية"]


@pytest.mark.parametrize(
    "query",
    [
        "Rabia crossing",
        "Rabia border crossing point",
        "the Rabia gate",
        "Rabia crossing-point",
        "معبر ربيعة",
        "منفذ ربيعة الحدودي",
        "المعبر ربيعة",
        "للمعبر ربيعة",
    ],
)
def test_generic_words_beside_a_name_are_ignored(query):
    """A word for a kind of place ("crossing", معبر) names none: it was required to match
    too, so "Rabia crossing" found nothing."""
    assert search.rank(query, names_text("Rabia", "ربيعة")) == 0


def test_a_name_made_of_generic_words_still_matches_them():
    text = names_text("al-Qa'im", "معبر القائم الحدودي")
    assert search.rank("معبر القائم الحدودي", text) == 0
    assert search.rank("معبر", text) == 1  # only generic words: searched as words
    assert search.rank("crossing", text) is None and search.rank("crossing", "") is None


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("Semalca", ["Semalka"]),
        ("Semalca bridge", ["Semalka"]),
        ("سيملكا", ["معبر سيمالكا الحدودي"]),
        ("Qusaybah", ["Husaybah"]),
        ("Faish Kabur", ["Faysh Khabur"]),
        ("Akahsat", ["Akashat"]),  # two letters swapped
    ],
)
def test_a_word_one_letter_off_a_name_matches_loosely(query, names):
    assert search.rank(query, names_text(*names)) == search.LOOSE


@pytest.mark.parametrize(
    "query",
    ["aaaa", "aeiou", "eeeee", "Tank", "Raqqa", "Mosul", "Damascus", "Rabiaxyz", "crossing"],
)
def test_unrelated_queries_match_no_name_loosely(query):
    """ "aaaa" was the consonant skeleton "a", found in every name with a word beginning
    with a; a letter off is tolerated only in words of five letters or more."""
    text = names_text(
        "Albukamal", "Abu Kamal", "al-Tanf", "Akashat", "Rabia", "al-Tanf 55 km zone", "Semalka"
    )
    assert search.rank(query, text) is None


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("Rabia crossing", "rabia"),
        ("Albukamal crossing", "albukamal"),
        ("al-Qaim border crossing", "al-qaim"),
        ("Semalka bridge", "semalka"),
        ("معبر البوكمال", "albukamal"),
        ("معبر ربيعة", "rabia"),
        ("منفذ البوكمال", "albukamal"),
        ("منفذ الوليد", "al-waleed"),
        ("Semalca", "semalka"),
        ("سيملكا", "semalka"),
        ("Qusaybah", "al-qaim"),  # one letter off its alias Husaybah
    ],
)
def test_search_page_finds_sites_named_with_generic_words_or_a_slip(seeded_client, query, slug):
    """A user audit found nothing for each of these."""
    resp = seeded_client.get("/search", query_string={"q": query, "f": "json"})
    assert resp.get_json()["results"][0]["slug"] == slug


@pytest.mark.parametrize(
    "query", ["aaaa", "aeiou", "Damascus", "Palmyra", "Mosul", "Raqqa", "bridge", "crossing"]
)
def test_search_page_finds_nothing_for_unrelated_queries(seeded_client, query):
    resp = seeded_client.get("/search", query_string={"q": query, "f": "json"})
    assert resp.get_json()["results"] == []
