"""Spelling-tolerant name matching: case, diacritics, apostrophes and Arabic letter forms.

>>> normalise("Rabia'a") == normalise("Rabiaa")
True
>>> normalise("Ya'rubīyah")
'yarubiyah'
>>> normalise("أبو كمال")
'ابو كمال'
>>> fold("al-Yaarubiyah"), fold("At-Tanf"), fold("البوكمال")
('yarubiya', 'tanf', 'بوكمال')

A letter written twice is one letter; three or more times, it is no spelling of a name
and stays as typed (so "kkkk" does not become "k", found in half the names).

>>> fold("kkkk"), fold("Akkashat"), fold("55 km")
('kkkk', 'akashat', '55 km')

Arabic letter forms people type interchangeably meet: hamza carriers (أ إ آ ٱ → ا,
ؤ → و, ئ → ي), taa marbuta (ة → ه), alef maqsura (ى → ي), Persian-keyboard ی and ک;
tatweel and harakat vanish.

>>> normalise("إِسْتِرَاحَةُ مؤتة") == normalise("استراحه موته")
True
>>> normalise("اليَعْرُبِيَّة"), normalise("الرمادى"), normalise("البوكمـــال")
('اليعربيه', 'الرمادي', 'البوكمال')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "MAX_QUERY",
    "MIN_PARTIAL",
    "MIN_NEAR",
    "GENERIC_WORDS",
    "normalise",
    "fold",
    "sort_key",
    "search_text",
    "names_text",
    "matches",
    "rank",
    "find",
]

#: Longest query accepted (characters); longer ones are refused with a 400.
MAX_QUERY = 100
#: The rank of a consonant-only match.
LOOSE = 3
#: The fewest letters a query (spaces aside), or a word of it, needs to match part of a
#: name: to begin one, or to occur inside a word of one. A shorter query or word matches
#: only a whole name or a whole word of one ("55", "km", "al tanf 55 km"). One or two
#: letters occur in, or begin, most names ("k" is in the names of 6 of the 11 seeded
#: sites, "a" begins 9), so as a fragment they name no place: they list sites by letter.
#: The count is of the query folded as the names are, so that folding never makes a
#: query match by shrinking it ("zz" to "z", inside "zone"); only the query as typed,
#: unfolded, may begin a name with three letters that fold to fewer ("Al Qa", "Bou").
MIN_PARTIAL = 3
# An ideograph, a kana or a Hangul syllable is a syllable, not a letter: two of them (阿布,
# "Abu") are as much of a name as three letters of an alphabet, so each counts two.
_SYLLABIC = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# Arabic letter variants that people type interchangeably.
_ARABIC = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ـ": None,
        "ی": "ي",
        "ک": "ك",
    }
)
# Apostrophes, ayin/hamza marks and hyphens vanish; other punctuation splits words.
_DROP = re.compile(r"[\u0027\u2018\u2019\u02bb\u02bc\u02bf\u02be\u0060\u00b4\-]")
_SPLIT = re.compile(r"[^\w]+")
# Transliterations write the article "al-" as al, el, or assimilated (at-Tanf, ash-Sham).
_ARTICLES = {"al", "el", "ال"}
_LATIN_ARTICLE = re.compile(r"\A(?:[ae]l(?=[a-z]{3})|a(sh|[tdrszn])(?=\1))")
_ARABIC_ARTICLE = re.compile(r"\Aال(?=\w{2})")
# A letter written twice, for a long vowel or a shadda (Yaarubiyah, Akkashat, Yarrubiyah).
# Only a pair is one letter: no spelling of a name triples a letter, so a run of three or
# more is kept as typed ("kkkk" folding to "k" would match every name with a k in it), and
# digits are never letters written twice ("55" is not "5").
_DOUBLED = re.compile(r"([^\W\d_])\1+")
_TA_MARBUTA = re.compile(r"(?<=[aei])h\Z")
_VOWELS = re.compile(r"(?<=.)[aeiou]")
#: Words for a kind of place, not the name of one. People add them to a name ("Rabia
#: crossing", "معبر البوكمال") but the stored names mostly lack them, and a query must match
#: every word it keeps; so beside another word they are left out (a query of these alone
#: is searched as typed). Compared folded (see _GENERIC), so "المعبر" is "معبر", and "للمعبر"
#: is caught by _generic(); a plural ("crossings") would need its own entry.
GENERIC_WORDS = frozenset(
    {
        "the", "crossing", "border", "gate", "bridge", "checkpoint", "post", "point",
        "station", "crossing-point", "border-crossing",
        "معبر", "منفذ", "بوابة", "جسر", "حاجز", "نقطة", "مركز", "حدودي", "حدودية",
    }
)  # fmt: skip
#: The fewest letters a word of a query needs to match a word of a name one letter off
#: (one added, dropped, changed, or two swapped: Semalca, سيملكا, Qusaybah). Shorter words
#: are one letter off too many other words ("Tank", "Tang", "Tan" are all off Tanf).
MIN_NEAR = 5


def normalise(text: str) -> str:
    """Fold a name to a comparable key: lower case, no diacritics, single spaces."""
    text = unicodedata.normalize("NFKD", text or "").translate(_ARABIC)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _DROP.sub("", text.casefold())
    return " ".join(t for t in _SPLIT.split(text) if t)


def fold(text: str) -> str:
    """normalise(), then drop articles, doubled letters and a final -ah/-eh's h.

    Spellings of one place meet here: Yaarubiyah / Yarubiya, Rabia'a / Rabia.
    """
    words = (w for w in normalise(text).split() if w not in _ARTICLES)
    return " ".join(_fold_word(w) for w in words)


def sort_key(name: str) -> str:
    """The key names are sorted by: normalised, so أبو كمال sorts with ابو كمال.

    >>> sorted(["البوكمال", "أبو كمال", "التنف"], key=sort_key)
    ['أبو كمال', 'البوكمال', 'التنف']
    """
    return normalise(name)


def search_text(site) -> str:
    """Every name of a site, normalised, one per line (stored for searching)."""
    return names_text(site.name, site.name_ar, site.slug.replace("-", " "), *(site.aliases or []))


def names_text(*names: str) -> str:
    """The stored search text for these names: normalised, one per line, no repeats."""
    return "\n".join(dict.fromkeys(normalise(n) for n in names if n))


def matches(query: str, text: str) -> bool:
    """Tell whether the query names one of the stored names (see :func:`rank`).

    >>> matches("abu kamal", names_text("Albukamal", "Abu Kamal"))
    True
    >>> matches("bukamal", names_text("Albukamal"))
    True
    >>> matches("Qaem", names_text("al-Qa'im"))
    True
    """
    return rank(query, text) is not None


def rank(query: str, text: str) -> int | None:
    """How well `query` names one of the lines of `text`: 0 best … 3 loose, None if not.

    0 a name equals the query, 1 a name starts with it, 2 contains every word of it,
    3 loose: the same consonants (vowels differ: Tanaf / Tanf, Qaem / Qaim), or each word
    in a name, some a letter off (see MIN_NEAR). Query and names are folded alike; a
    fragment folded to fewer than MIN_PARTIAL letters counts only as a whole word. The
    query is ranked with and without its GENERIC_WORDS, and the better rank is kept.

    >>> [rank(q, names_text("al-Tanf 55 km zone")) for q in ("zz", "zzzz", "zone", "55")]
    [None, None, 2, 2]
    >>> [rank(q, names_text("Semalka")) for q in ("Semalka bridge", "Semalca", "bridge")]
    [0, 3, None]
    """
    q = fold(query)
    if not q:
        return None
    typed = normalise(query)
    ranks = [_rank(q, typed, text)]
    named = _named(q.split())
    if len(named) < len(q.split()):
        words = [w for w in typed.split() if not _generic(fold(w))]
        ranks.append(_rank(" ".join(named), " ".join(words), text))
    return min((r for r in ranks if r is not None), default=None)


def find(query: str, candidates: Iterable[dict], limit: int = 50) -> list[dict]:
    """Candidates (dicts with ``search_text`` and ``name``) matching `query`, best first.

    A candidate may carry ``crossing_text``, the names of the crossing it is a side of: the
    other side of a crossing named in the query is found too, after every site whose own
    names match, as a copy with ``via_crossing`` set.
    Loose (consonant-only) matches are offered only when nothing matches better.

    >>> both = "al tanf\\nal waleed"
    >>> sides = [
    ...     {"name": "al-Tanf", "search_text": "al tanf", "crossing_text": both},
    ...     {"name": "al-Waleed", "search_text": "al waleed", "crossing_text": both},
    ... ]
    >>> [(c["name"], c.get("via_crossing", False)) for c in find("Tanf", sides)]
    [('al-Tanf', False), ('al-Waleed', True)]
    """
    scored = []
    for c in candidates:
        score, via_crossing = rank(query, c["search_text"]), False
        # A loose likeness of its own names ("Rabia" and "Yaarabiya") must not hide a side
        # whose crossing the query names outright: that loose match is dropped below.
        if (score is None or score >= LOOSE) and c.get("crossing_text"):
            via = rank(query, c["crossing_text"])
            if via is not None and (score is None or via < score):
                score, via_crossing = via, True
        if score is not None:
            scored.append((via_crossing, score, sort_key(c["name"]), c))
    scored.sort(key=lambda t: t[:3])
    if any(t[1] < LOOSE for t in scored):
        scored = [t for t in scored if t[1] < LOOSE]
    return [{**t[-1], "via_crossing": True} if t[0] else t[-1] for t in scored[:limit]]


def _rank(q: str, typed: str, text: str) -> int | None:
    """rank() of a query folded (`q`) and as typed, normalised (`typed`)."""
    lines = [fold(line) for line in text.split("\n") if line]
    words = q.split()
    if q in lines:
        return 0
    if (_long(q) and _starts(q, lines)) or (_long(typed) and _starts(typed, text.split("\n"))):
        return 1
    if any(_has_words(words, line) for line in lines):
        return 2
    # A one-letter skeleton ("aaaa", "aeiou" → "a") is in every name with a word
    # beginning with that vowel.
    skeleton = _skeleton(q)
    if len(q) >= 4 and len(skeleton) > 1 and any(skeleton in _skeleton(ln) for ln in lines):
        return LOOSE
    if any(_near_words(words, line) for line in lines):
        return LOOSE
    return None


def _generic(word: str) -> bool:
    """A folded word is one of GENERIC_WORDS, maybe with the prefix لل ("to the")."""
    # Folded, لل is ل (a letter written twice), as in لمعبر ("to a crossing") too.
    return word in _GENERIC or (word.startswith("ل") and word[1:] in _GENERIC)


def _named(words: list[str]) -> list[str]:
    """The words that are not GENERIC_WORDS; all of them if every one is."""
    return [w for w in words if not _generic(w)] or words


def _fold_word(word: str) -> str:
    word = _ARABIC_ARTICLE.sub("", _LATIN_ARTICLE.sub("", word))
    word = _DOUBLED.sub(_single, word.replace("ou", "u"))
    return _TA_MARBUTA.sub("", word)


def _single(run: re.Match[str]) -> str:
    """A letter written twice as one; a longer run as it is (see _DOUBLED)."""
    return run[1] if len(run[0]) == 2 else run[0]


def _long(query: str) -> bool:
    """The query has MIN_PARTIAL letters or more, spaces aside.

    >>> _long("qa"), _long("qai"), _long("阿"), _long("阿布")
    (False, True, False, True)
    """
    return _size(query.replace(" ", "")) >= MIN_PARTIAL


def _size(word: str) -> int:
    """Letters in `word`, a syllable of a syllabic script (_SYLLABIC) counting two."""
    return len(word) + len(_SYLLABIC.findall(word))


def _starts(query: str, lines: list[str]) -> bool:
    """Some line begins with the query, spaces ignored (a name being typed)."""
    query = query.replace(" ", "")
    return any(line.replace(" ", "").startswith(query) for line in lines)


def _has_words(words: list[str], line: str) -> bool:
    """Every word occurs in the line, or all of them run together do (Abu Kamal).

    A word shorter than MIN_PARTIAL counts only as a whole word of the line, and never
    runs together: "55 km" is in "tanf 55 km zone", "zz" (folded "z") is not, nor is
    "k a b" in "abu kamal".
    """
    if all(_size(w) >= MIN_PARTIAL for w in words) and "".join(words) in line.replace(" ", ""):
        return True
    whole = line.split()
    return all(w in line if _size(w) >= MIN_PARTIAL else w in whole for w in words)


def _near_words(words: list[str], line: str) -> bool:
    """Every word is in the line (as in _has_words) or one letter off a word of it.

    >>> _near_words(["faish", "kabur"], "faysh khabur"), _near_words(["tank"], "tanf")
    (True, False)
    """
    whole = line.split()
    return all(
        _has_words([w], line)
        or (_size(w) >= MIN_NEAR and any(_one_off(w, other) for other in whole))
        for w in words
    )


def _one_off(a: str, b: str) -> bool:
    """`a` and `b` differ by one letter added, dropped or changed, or two swapped.

    >>> [_one_off("semalca", w) for w in ("semalka", "semlca", "semaleca", "semlaca")]
    [True, True, True, True]
    >>> _one_off("semalca", "semalca"), _one_off("semalca", "simalka"), _one_off("ab", "abcd")
    (False, False, False)
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    # The first letter that differs; what follows it must then agree.
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) != len(b):
        return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]
    swapped = a[i : i + 2] == b[i : i + 2][::-1]
    return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])


def _skeleton(text: str) -> str:
    """Consonants only (a first vowel kept), spaces removed."""
    return "".join(_VOWELS.sub("", w) for w in text.split())


# GENERIC_WORDS folded as queries are; fold() needs the helpers above, so it is built last.
_GENERIC = frozenset(fold(w) for w in GENERIC_WORDS)
