"""EDTF bounds: what each expression allows, the plain-words reading, refusals."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import bounds


@pytest.mark.parametrize(
    "text, earliest, latest, precision",
    [
        ("2024-12-06", "2024-12-06", "2024-12-06", "day"),
        ("2024-12", "2024-12-01", "2024-12-31", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2014", "2014-01-01", "2014-12-31", "year"),
        ("2024-12-07/2024-12-31", "2024-12-07", "2024-12-31", "window"),
        ("../2013-12-31", None, "2013-12-31", "window"),
        ("2015/..", "2015-01-01", None, "window"),
        ("2014?", "2014-01-01", "2014-12-31", "year"),
        ("2014-06~", "2014-06-01", "2014-06-30", "month"),
    ],
)
def test_each_expression_allows_its_days(text, earliest, latest, precision):
    b = bounds.parse(text)
    assert (_iso(b.earliest), _iso(b.latest), b.precision) == (earliest, latest, precision)
    assert b.text == text and bounds.parse(f"  {text} ") == b


def _iso(day):
    return day and day.isoformat()


@pytest.mark.parametrize(
    "text, words",
    [
        ("2016-03-04", "4 March 2016"),
        ("2024-12", "sometime in December 2024"),
        ("2014", "sometime in 2014"),
        ("2024-12-07/2024-12-31", "sometime between 7 and 31 December 2024"),
        ("2014-06-20/2014-07-02", "sometime between 20 June and 2 July 2014"),
        ("2013-12-20/2014-01-10", "sometime between 20 December 2013 and 10 January 2014"),
        ("../2013-12-31", "no later than 31 December 2013"),
        ("2015/..", "no earlier than 1 January 2015"),
        ("2014?", "sometime in 2014 (uncertain)"),
        ("2015-05~", "sometime in May 2015 (approximate)"),
    ],
)
def test_reading_in_plain_words(text, words):
    assert bounds.parse(text).reading() == words


@pytest.mark.parametrize(
    "text, rule",
    [
        ("2014-02-30", "not a date EDTF allows"),
        ("2014-13", "not a date EDTF allows"),
        ("yesterday", "not a date EDTF allows"),
        ("2024-12-31/2024-12-07", "ends before it starts"),
        ("../..", "not a date EDTF allows|open on both sides"),
        ("", "at most"),
        ("2" * 41, "at most"),
        # Year 0 and below are no Python dates (the reading beside the field was a 500).
        ("0000", "not a date EDTF allows"),
        ("-0001", "not a date EDTF allows"),
        ("../0000", "not a date EDTF allows"),
        ("Y170000002", "not a date EDTF allows"),
        ("0201", "a year before 1900"),
        ("1899-12/2011-01", "a year before 1900"),
    ],
)
def test_refusals_say_why(text, rule):
    with pytest.raises(bounds.BoundError, match=rule):
        bounds.parse(text)


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(1000, 1, 1), dt.date(2999, 12, 31)), st.sampled_from((10, 7, 4)))
def test_plain_dates_read_the_same_as_through_the_edtf_package(day, width):
    text = day.isoformat()[:width]
    assert bounds._plain(text) == bounds._general(text)


def test_old_day_plus_precision_is_read_as_the_whole_month_or_year():
    assert bounds.read("2014-06-01", "month") == bounds.parse("2014-06")
    assert bounds.read("2014-01-01", "year") == bounds.parse("2014")
    assert bounds.read("2014-06-17", "day") == bounds.parse("2014-06-17")
    assert bounds.read("2024-12-07/2024-12-31") == bounds.parse("2024-12-07/2024-12-31")


# Arabic as the web layer words it: Babel's ar_SY month names, the catalogue's phrases.
ARABIC_PHRASES = {
    "date.sometime": "في وقت ما {window}",
    "date.in": "في {date}",
    "date.between": "بين {first} و{last}",
    "date.no_later_than": "ليس بعد {date}",
    "date.by": "بحلول {date}",
    "date.uncertain": "{date} (غير مؤكد)",
}


@pytest.mark.parametrize(
    "text, digits, short, reading",
    [
        ("2014-06", "latn", "حزيران 2014", "في وقت ما في حزيران 2014"),
        ("2016-03-04", "latn", "4 آذار 2016", "4 آذار 2016"),
        ("2014-06", "arab", "حزيران ٢٠١٤", "في وقت ما في حزيران ٢٠١٤"),
        (
            "2024-12-07/2024-12-31",
            "arab",
            "٧–٣١ كانون الأول ٢٠٢٤",
            "في وقت ما بين ٧ و٣١ كانون الأول ٢٠٢٤",
        ),
        (
            "2014-06-20/2014-07-02",
            "latn",
            "20 حزيران – 2 تموز 2014",
            "في وقت ما بين 20 حزيران و2 تموز 2014",
        ),
        ("../2013-12-31", "latn", "بحلول 31 كانون الأول 2013", "ليس بعد 31 كانون الأول 2013"),
        ("2014?", "latn", "2014?", "في وقت ما في 2014 (غير مؤكد)"),
    ],
)
def test_arabic_dates_use_levantine_months_and_either_digits(text, digits, short, reading):
    words = bounds.date_words("ar", digits, ARABIC_PHRASES)
    b = bounds.parse(text)
    assert (b.short(words), b.reading(words)) == (short, reading)


def test_levantine_month_names_come_from_babel_for_syria():
    words = bounds.date_words("ar")
    assert words.months[0] == "كانون الثاني" and words.months[5] == "حزيران"
    assert words.abbreviations == words.months  # CLDR has no shorter Arabic forms


def test_english_words_are_the_default_and_untranslated_phrases_stay_english():
    b = bounds.parse("2024-12-07/2024-12-31")
    assert (
        b.reading(bounds.date_words()) == b.reading() == "sometime between 7 and 31 December 2024"
    )
    assert b.window_reading() == "between 7 and 31 December 2024"
    assert bounds.parse("2015/..").short(bounds.date_words("ar")) == "from 1 كانون الثاني 2015"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("٢٠١٥", "2015"),
        ("٢٠٢٥-٠٣", "2025-03"),
        ("٢٠٢٥-٠٣-١٥", "2025-03-15"),
        ("٢٠١٨-٠٢-١٧/٢٠١٨-٠٤-٢٠", "2018-02-17/2018-04-20"),
        ("../٢٠١٣-١٢-٣١", "../2013-12-31"),
        ("٢٠١٤~", "2014~"),
        ("۲۰۲۵-۰۳-۱۵", "2025-03-15"),  # Eastern Arabic (Persian) digits
        ("۲۰۱۸-۰۲-۱۷/۲۰۱۸-۰۴-۲۰", "2018-02-17/2018-04-20"),
    ],
)
def test_arabic_indic_and_persian_digits_are_read_as_latin_ones(typed, stored):
    """Every form of a date takes ٠–٩ and ۰–۹ as 0–9, and keeps 0–9."""
    assert bounds.parse(typed) == bounds.parse(stored)
    assert bounds.parse(typed).text == stored
    assert bounds.read(typed, None).text == stored


def test_old_day_plus_precision_takes_arabic_indic_digits_too():
    assert bounds.read("٢٠١٤-٠٦-٠١", "month").text == "2014-06"


def test_digits_of_other_scripts_are_not_dates():
    with pytest.raises(bounds.BoundError):
        bounds.parse("２０１５")  # full-width


@pytest.mark.parametrize(
    "text, precision, stored, first",
    [
        ("2014-06-15", "month", "2014-06", "2014-06-01"),
        ("2014-02-01", "year", "2014", "2014-01-01"),
        ("٢٠١٤-٠٦-٣٠", "month", "2014-06", "2014-06-01"),
    ],
)
def test_old_day_plus_precision_that_would_lose_its_day_is_refused(text, precision, stored, first):
    """Only the first day stands for the whole month or year; another day is not dropped."""
    with pytest.raises(bounds.BoundError) as refused:
        bounds.read(text, precision)
    assert f"with precision {precision} would be stored as {stored} and lose its day" in str(
        refused.value
    )
    assert f"give {first} for the whole {precision}" in str(refused.value)


TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    "when",
    [dt.date(2026, 12, 4), "2026-12-04", "2027", "2026-12-04/2026-12-31", "2027/.."],
)
def test_a_date_whose_first_day_is_after_today_is_in_the_future(when):
    when = bounds.parse(when) if isinstance(when, str) else when
    assert str(bounds.future_problem(when, TODAY)) == (
        "must not be in the future (today is 2026-12-03)"
    )


@pytest.mark.parametrize(
    "when",
    [None, TODAY, "2026-12-03", "2026", "2026-12", "2026-11-20/2027-01-31", "../2027", "2026/.."],
)
def test_a_window_that_begins_by_today_is_not_in_the_future(when):
    when = bounds.parse(when) if isinstance(when, str) else when
    assert bounds.future_problem(when, TODAY) is None
