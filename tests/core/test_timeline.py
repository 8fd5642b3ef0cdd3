"""Time semantics: bounds as EDTF windows, certain and possible spans, transitions, overlaps,
gaps and change points — checked against brute force over a small span of days."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import bounds, timeline, vocabulary
from app.core.bounds import Bound
from app.core.text_rules import Refusal
from app.core.timeline import Period

BASE = dt.date(2014, 1, 1)
SPAN = 120  # a small window of days keeps brute-force checks exact


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


def window(lo: int, hi: int, mark: str = "") -> Bound:
    """A bound allowing days lo..hi (offsets), optionally qualified (built directly: the
    parser is tested in test_bounds)."""
    if lo == hi:
        return Bound(day(lo).isoformat() + mark, day(lo), day(lo))
    return Bound(f"{day(lo).isoformat()}/{day(hi).isoformat()}", day(lo), day(hi))


offsets = st.integers(min_value=0, max_value=SPAN)
days = offsets.map(day)


@st.composite
def marks(draw):
    """A bound: one day, or a window of up to 20 days, sometimes qualified."""
    lo = draw(st.integers(0, SPAN - 20))
    width = draw(st.sampled_from((0, 0, 0, 3, 10, 19)))
    return window(lo, lo + width, draw(st.sampled_from(("", "", "?", "~"))) if not width else "")


@st.composite
def timelines(draw):
    """A valid sequence of periods for one site: windows never overlap each other; a
    handover shares one window between the outgoing end and the incoming start; some gaps."""
    cuts = sorted(set(draw(st.lists(st.integers(0, SPAN // 12 - 1), max_size=8))))
    marks_ = []
    for c in cuts:  # one slot of 12 days each, so windows never meet
        lo = c * 12 + draw(st.integers(0, 3))
        marks_.append(window(lo, lo + draw(st.sampled_from((0, 0, 3, 8)))))
    edges = [None, *marks_, None]
    out = []
    for i, (a, b) in enumerate(zip(edges, edges[1:], strict=False)):
        if draw(st.integers(0, 3)) == 0:  # leave a gap here (unknown)
            continue
        out.append(Period(a, b, draw(st.integers(0, 3)), key=i))
    return out


@st.composite
def periods(draw):
    """Any valid period, possibly open at either end."""
    a = draw(st.one_of(st.none(), marks()))
    b = draw(st.one_of(st.none(), marks()))
    if a is not None and b is not None and b.latest <= a.earliest:
        a, b = b, a
        if b.latest <= a.earliest:
            b = window(
                b.earliest.toordinal() - BASE.toordinal() + 1,
                b.latest.toordinal() - BASE.toordinal() + 1,
            )
    return Period(a, b, draw(st.integers(0, 3)))


def holders(ps, d, certain=True):
    test = timeline.holds_certainly if certain else timeline.holds_possibly
    return [p for p in ps if test(p, d)]


def all_days():
    return map(day, range(-2, SPAN + 3))


# --- properties ------------------------------------------------------------------


@given(timelines())
def test_no_day_has_two_certain_holders(ps):
    for d in all_days():
        assert len(holders(ps, d)) <= 1


@given(timelines(), days)
def test_every_answer_is_a_holder_a_transition_or_unknown(ps, d):
    a = timeline.answer(ps, d)
    certain, possible = holders(ps, d), holders(ps, d, certain=False)
    if certain:
        assert a.period is certain[0] and a.transition is None
    elif possible:
        assert a.period is None and a.value is None and a.uncertain
        assert list(a.transition.candidates) == sorted(
            possible, key=lambda p: p.possible_start or dt.date.min
        )
    else:
        assert a == timeline.Answer(None, False)


@given(timelines())
def test_every_day_inside_a_shared_window_is_a_transition(ps):
    for a, b in zip(ps, ps[1:], strict=False):
        if a.end is not None and a.end == b.start and not a.end.is_exact:
            for offset in range((a.end.latest - a.end.earliest).days):
                d = a.end.earliest + dt.timedelta(days=offset)
                t = timeline.answer(ps, d).transition
                assert t is not None and t.outgoing is a and t.incoming is b
                assert t.window == a.end
            assert timeline.answer(ps, a.end.latest).period is b


@given(periods(), periods())
def test_overlap_is_symmetric_and_means_a_sure_day_meets_a_possible_one(a, b):
    assert timeline.overlaps(a, b) == timeline.overlaps(b, a)
    sure_meets_possible = any(
        (timeline.holds_certainly(a, d) and timeline.holds_possibly(b, d))
        or (timeline.holds_certainly(b, d) and timeline.holds_possibly(a, d))
        for d in all_days()
    )
    if sure_meets_possible:
        assert timeline.overlaps(a, b)


@given(timelines())
def test_a_valid_timeline_has_no_overlaps(ps):
    for p in ps:
        assert timeline.find_overlaps(ps, p) == []


@given(timelines(), periods())
def test_find_overlaps_lists_exactly_the_colliding_periods(ps, candidate):
    found = timeline.find_overlaps(ps, candidate)
    assert found == [p for p in ps if timeline.overlaps(p, candidate)]


@given(st.dictionaries(st.sampled_from("abc"), timelines(), max_size=3))
def test_change_points_are_exactly_the_days_some_answer_changes(sites):
    points = set(timeline.change_points(sites))
    for d in all_days():
        before = d - dt.timedelta(days=1)
        changed = any(_state(ps, d) != _state(ps, before) for ps in sites.values())
        assert (d in points) == changed


def _state(ps, d):
    a = timeline.answer(ps, d)
    if a.transition:
        return ("transition", tuple(p.value for p in a.transition.candidates))
    return ("held", a.value) if a.period else ("unknown",)


@given(timelines(), offsets, offsets)
def test_gaps_are_exactly_the_days_no_period_can_cover(ps, a, b):
    lo, hi = day(min(a, b)), day(max(a, b))
    gap_days = {
        d
        for g in timeline.gaps(ps, lo, hi)
        for d in (g[0] + dt.timedelta(days=i) for i in range((g[1] - g[0]).days))
    }
    unknown = {
        d
        for d in (lo + dt.timedelta(days=i) for i in range((hi - lo).days))
        if not holders(ps, d, certain=False)
    }
    assert gap_days == unknown


@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(("day", "month", "year"))
)
def test_old_rows_convert_to_their_whole_day_month_or_year(first, precision):
    first = timeline.floor_date(first, precision)
    b = bounds.at_precision(first, precision)
    assert b.earliest == first and b.precision == precision
    nxt = b.latest + dt.timedelta(days=1)
    assert (
        timeline.floor_date(nxt, precision) != first
        and timeline.floor_date(b.latest, precision) == first
    )
    assert bounds.parse(b.text) == b  # the text says exactly the stored days


# --- examples --------------------------------------------------------------------


def test_end_day_belongs_to_the_next_period():
    isis = Period(dt.date(2015, 5, 21), dt.date(2016, 3, 4), "isis")
    nsa = Period(dt.date(2016, 3, 4), None, "nsa")
    assert timeline.as_of([isis, nsa], dt.date(2016, 3, 3)).value == "isis"
    assert timeline.as_of([isis, nsa], dt.date(2016, 3, 4)).value == "nsa"


def test_albukamal_december_2024_is_a_handover_window_not_a_chosen_day():
    window_ = bounds.parse("2024-12-07/2024-12-31")
    sdf = Period(dt.date(2024, 12, 6), window_, "SDF")
    gov = Period(window_, None, "Syria (transitional)")
    assert timeline.answer([sdf, gov], dt.date(2024, 12, 6)).value == "SDF"
    for d in (dt.date(2024, 12, 7), dt.date(2024, 12, 10), dt.date(2024, 12, 30)):
        a = timeline.answer([sdf, gov], d)
        assert a.value is None and a.uncertain
        assert a.transition.describe() == (
            "SDF → Syria (transitional), handover sometime between 7 and 31 December 2024"
        )
    assert timeline.answer([sdf, gov], dt.date(2024, 12, 31)).value == "Syria (transitional)"


def test_a_window_after_a_gap_names_unknown_on_the_open_side():
    gov = Period(bounds.parse("2014-06"), None, "gov")
    a = timeline.answer([gov], dt.date(2014, 6, 10))
    assert a.transition.chain() == ["unknown", "gov"] and a.transition.outgoing is None


def test_a_window_keeps_the_contested_mark_and_the_least_sure_confidence():
    """timeline.window_marks: contested when any candidate is, as sure as the least sure
    (the order of vocabulary.CONFIDENCES, surest first)."""
    assert timeline.window_marks([False, True], ["high", "medium"]) == (True, "medium")
    assert timeline.window_marks([False, False], ["medium", "low", "high"]) == (False, "low")
    assert timeline.window_marks([], []) == (False, None)
    assert vocabulary.least_confident(vocabulary.CONFIDENCES) == vocabulary.CONFIDENCES[-1]
    assert vocabulary.least_confident(["high"]) == "high"


def test_a_qualified_bound_makes_the_holder_uncertain():
    p = Period(bounds.parse("2014-06-10?"), None, "x")
    assert timeline.answer([p], dt.date(2015, 1, 1)) == timeline.Answer(p, True)


def test_periods_may_share_only_a_handover_window():
    out = Period(None, bounds.parse("2014-06"), "a")
    assert not timeline.overlaps(out, Period(bounds.parse("2014-06"), None))
    assert timeline.overlaps(out, Period(dt.date(2014, 6, 10), None))
    assert timeline.overlaps(out, Period(bounds.parse("2014-06-20/2014-06-25"), None))
    assert not timeline.overlaps(out, Period(bounds.parse("2014-06-20/2014-07-05"), None))
    assert not timeline.overlaps(out, Period(dt.date(2014, 7, 1), None))


@pytest.mark.parametrize(
    "text",
    ["2015-13-45", "yesterday", "2015-02-30", "2015-1-1", "' OR 1=1 --", "", "２０１５-０１-０１"],
)
def test_parse_date_refuses(text):
    with pytest.raises(ValueError):
        timeline.parse_date(text)


def test_period_refuses_an_end_before_any_possible_start():
    with pytest.raises(ValueError, match="must be after"):
        Period(dt.date(2014, 1, 2), dt.date(2014, 1, 2))
    with pytest.raises(ValueError, match="must be after"):
        Period(bounds.parse("2014-06"), bounds.parse("2014-05"))


def test_describe_names_open_bounds_and_windows():
    assert Period(None, dt.date(2013, 3, 2)).describe() == "before records – 2 Mar 2013"
    assert (
        Period(bounds.parse("2024-12-07/2024-12-31"), None).describe() == "7–31 Dec 2024 – ongoing"
    )


def test_a_window_open_on_its_far_side_is_never_certain():
    late_start = Period(bounds.parse("2015/.."), None, "x")  # began no earlier than 2015
    early_end = Period(None, bounds.parse("../2013-12-31"), "y")  # ended no later than 2013
    assert timeline.answer([late_start], dt.date(2011, 6, 1)) == timeline.Answer(None, False)
    assert timeline.answer([late_start], dt.date(2020, 6, 1)).transition is not None
    assert timeline.answer([early_end], dt.date(2012, 6, 1)).transition is not None
    assert timeline.answer([early_end], dt.date(2014, 1, 1)) == timeline.Answer(None, False)
    assert late_start.certain_days is None and early_end.certain_days is None


def test_partial_dates_take_arabic_indic_digits():
    assert timeline.parse_partial_date("٢٠٢٥-٠٣-١٥") == (dt.date(2025, 3, 15), "day")
    assert timeline.parse_partial_date("۲۰۲۵-۰۳") == (dt.date(2025, 3, 1), "month")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020-02-30", "%(text)s is not a real calendar date"),
        ("March 2020", "%(text)s is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_partial_date_refusals_can_be_said_in_another_language(text, message):
    with pytest.raises(Refusal) as refused:
        timeline.parse_partial_date(text)
    assert refused.value.message == message and refused.value.values == {"text": repr(text)}


@pytest.mark.parametrize(
    "start, end, refused",
    [
        ("2018", "2017-06-01", True),
        ("2018-05", "2018-05-01", True),  # ends, at the latest, on the start's first day
        ("2018-05-10", "2018-05-10", True),
        ("2018-05", "2018-05-02", False),  # the period may hold on 1 May
        ("2018", "2018", False),
        ("../2018", "2017", False),  # an open start has no first day to come after
        ("2018", "../2019", False),
    ],
)
def test_one_definition_of_an_end_after_the_start(start, end, refused):
    """end_problem, which Period, the period forms and imports all apply."""
    s, e = bounds.parse(start), bounds.parse(end)
    problem = timeline.end_problem(s, e)
    assert (problem is not None) == refused
    if refused:
        assert problem.message == "end %(end)s must be after start %(start)s"
        with pytest.raises(Refusal):
            timeline.Period(s, e)
    else:
        assert timeline.Period(s, e).end == e


def test_an_event_s_last_day_may_not_come_before_its_date():
    when = bounds.parse("2019-05")
    assert timeline.ends_before(when, dt.date(2019, 4, 30))
    assert not timeline.ends_before(when, dt.date(2019, 5, 1))
    assert not timeline.ends_before(when, None)
