"""The site timeline chart: well-formed, accessible SVG with escaped hover text."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from app.core import bounds, svg_timeline
from app.core.svg_timeline import Bar, Tick, Tracks

D = dt.date
NS = {"s": "http://www.w3.org/2000/svg"}
TODAY = D(2020, 1, 1)


def _svg(tracks, title="al-Tanf"):
    return ET.fromstring(svg_timeline.render(tracks, TODAY, title=title))


def _titles(root, cls):
    return [
        r.find("s:title", NS).text for r in root.iter(f"{{{NS['s']}}}rect") if r.get("class") == cls
    ]


def test_chart_is_a_labelled_group_with_title_and_description():
    root = _svg(Tracks())
    assert root.get("role") == "group" and root.get("aria-labelledby") == "tl-title"
    assert root.get("aria-describedby") == "tl-desc"
    assert root.find("s:title", NS).text == "al-Tanf, 2011–2020"
    assert "tables below" in root.find("s:desc", NS).text


def test_bars_are_coloured_by_actor_with_hover_titles():
    root = _svg(
        Tracks(
            control=[
                Bar(None, D(2015, 5, 21), "Gov", "#0072B2", name="Syrian government"),
                Bar(D(2015, 5, 21), D(2016, 3, 4), "ISIS", "#000000", detail="high confidence"),
            ]
        )
    )
    bars = [r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("class") == "bar"]
    assert [b.get("fill") for b in bars] == ["#0072B2", "#000000"]
    assert _titles(root, "bar") == [
        "Syrian government: before records – 21 May 2015",
        "ISIS: 21 May 2015 – 4 Mar 2016 · high confidence",
    ]


def test_gaps_are_drawn_as_unknown():
    root = _svg(Tracks(control=[Bar(D(2012, 1, 1), D(2013, 1, 1), "A", "#111111")]))
    gaps = _titles(root, "gap")
    assert "Control unknown: 1 Jan 2011 – 31 Dec 2011" in gaps
    assert "Control unknown: 1 Jan 2013 – 1 Jan 2020" in gaps  # to today, not tomorrow
    assert all(
        r.get("fill") == "url(#tl-unknown)"
        for r in root.iter(f"{{{NS['s']}}}rect")
        if r.get("class") == "gap"
    )


def test_windows_are_hatched_with_their_dates_in_text_and_contests_striped():
    root = _svg(
        Tracks(
            control=[
                Bar(None, bounds.parse("2014-06"), "Gov", "#0072B2"),
                Bar(bounds.parse("2014-06"), None, "ISIS", "#000000", challenger_colour="#999933"),
            ]
        )
    )
    windows = [r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("class") == "window"]
    assert len(windows) == 2 and all(w.get("fill") == "url(#tl-window)" for w in windows)
    assert _titles(root, "window") == [
        "Gov ended sometime in June 2014",
        "ISIS began sometime in June 2014",
    ]
    dates = [t for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "window-date"]
    assert [d.text for d in dates] == ["Jun 2014"]  # written once, not only on hover
    assert any(r.get("fill") == "#999933" for r in root.iter(f"{{{NS['s']}}}rect"))
    solid = [r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("class") == "bar"]
    x = float(solid[1].get("x"))  # ISIS is solid only from 30 June 2014
    assert x == svg_timeline._Scale(svg_timeline.FIRST_DAY, TODAY).x(D(2014, 6, 30), D(2014, 6, 30))


def test_status_track_events_and_year_axis():
    root = _svg(
        Tracks(
            status=[Bar(D(2017, 3, 1), None, "open", "#d9f0d3")],
            events=[Tick(D(2016, 3, 4), "NSA takes al-Tanf")],
        )
    )
    assert "Status unknown: 1 Jan 2011 – 28 Feb 2017" in _titles(root, "gap")
    ticks = [g.find("s:title", NS).text for g in root.iter(f"{{{NS['s']}}}g")]
    assert ticks == ["4 Mar 2016 — NSA takes al-Tanf"]
    years = [t.text for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "year"]
    assert years[0] == "2011" and years[-1] == "2020"


def test_text_is_escaped():
    svg = svg_timeline.render(
        Tracks(
            control=[Bar(D(2012, 1, 1), None, "<b>x</b>", '"><script>', name="<i>")],
            events=[Tick(D(2013, 1, 1), "</svg><script>alert(1)</script>")],
        ),
        TODAY,
        "a & b",
    )
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    ET.fromstring(svg)


def test_site_tracks_reads_a_site_like_object():
    actor = type("A", (), {"short": "ISIS", "name": "Islamic State", "colour": "#000000"})
    period = type(
        "P",
        (),
        {
            "start": bounds.exact(D(2015, 5, 21)),
            "end": None,
            "actor": actor,
            "contested": True,
            "challenger": None,
            "confidence": "medium",
        },
    )
    site = type("S", (), {"control_periods": [period], "status_periods": [], "events": []})
    (bar,) = svg_timeline.site_tracks(site).control
    assert bar.label == "ISIS" and bar.name == "Islamic State"
    assert bar.challenger_colour == "#4f5b66" and "contested" in bar.detail


def test_bars_gaps_and_windows_are_focusable_with_their_dates_as_text():
    tracks = Tracks(
        control=[
            Bar(bounds.parse("2015-05"), None, "ISIS", "#000000", name="Islamic State"),
        ]
    )
    root = _svg(tracks)
    rects = [
        r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("class") in ("bar", "gap", "window")
    ]
    assert rects and all(r.get("tabindex") == "0" and r.get("role") == "img" for r in rects)
    labels = [r.get("aria-label") for r in rects]
    assert any(label.startswith("Control unknown: 1 Jan 2011") for label in labels)
    assert any(label.startswith("Islamic State:") and "2015" in label for label in labels)
    assert any(label == "Islamic State began sometime in May 2015" for label in labels)


def test_labels_and_dates_come_from_the_caller_and_time_runs_left_to_right():
    labels = {"control": "السيطرة", "control_unknown": "السيطرة غير معروفة", "ongoing": "مستمرة"}
    words = bounds.date_words("ar", "arab")
    svg = svg_timeline.render(
        Tracks(control=[Bar(D(2015, 5, 21), None, "ISIS", "#000000")]),
        TODAY,
        title="التنف",
        labels=labels,
        words=words,
    )
    root = ET.fromstring(svg)
    assert root.get("direction") == "ltr"
    assert root.find("s:title", NS).text == "التنف, ٢٠١١–٢٠٢٠"
    assert "السيطرة" in [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert "Status" in [t.text for t in root.iter(f"{{{NS['s']}}}text")]  # not given: English
    assert "السيطرة غير معروفة: ١ كانون الثاني ٢٠١١ – ٢٠ أيار ٢٠١٥" in _titles(root, "gap")
    assert _titles(root, "bar") == ["ISIS: ٢١ أيار ٢٠١٥ – مستمرة"]
    years = [t.text for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "year"]
    assert years[0] == "٢٠١١"


def test_hover_texts_in_arabic_are_laid_out_right_to_left_and_the_axis_is_not():
    """A browser lays a <title> tooltip out in its element's direction: every element with
    a hover text takes the chart language's direction; the chart itself stays left to right."""

    def directions(language):
        svg = svg_timeline.render(
            Tracks(
                control=[Bar(bounds.parse("2015-05"), None, "ISIS", "#000000")],
                events=[Tick(D(2016, 3, 4), "NSA takes al-Tanf")],
            ),
            TODAY,
            "t",
            words=bounds.date_words(language),
        )
        root = ET.fromstring(svg)
        hovered = [e for e in root.iter() if e is not root and e.find("s:title", NS) is not None]
        assert {e.get("class") for e in hovered} >= {"bar", "gap", "window", "tick"}
        return root.get("direction"), {e.get("direction") for e in hovered}

    assert directions("ar") == ("ltr", {"rtl"})
    assert directions("en") == ("ltr", {None})


def _tick_titles(root):
    return [g.find("s:title", NS).text for g in root.iter(f"{{{NS['s']}}}g")]


def test_events_known_to_a_month_a_year_or_a_window_keep_that_date():
    """An event dated only to a year or a month is labelled with that year or month, as
    the map page's event list words it (Bound.short), never with an invented first day,
    and drawn over its days rather than as a line on the 1st."""
    root = _svg(
        Tracks(
            events=[
                Tick(bounds.parse("2016"), "55 km zone set up"),
                Tick(bounds.parse("2012-09"), "Rebels seize Albukamal"),
                Tick(bounds.parse("2016-06-28/2016-06-29"), "NSA offensive"),
                Tick(D(2016, 3, 4), "NSA takes al-Tanf"),
            ]
        )
    )
    assert _tick_titles(root) == [
        "2016 — 55 km zone set up",
        "Sep 2012 — Rebels seize Albukamal",
        "28–29 Jun 2016 — NSA offensive",
        "4 Mar 2016 — NSA takes al-Tanf",
    ]
    windows = [r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("class") == "event-window"]
    assert len(windows) == 3
    scale = svg_timeline._Scale(svg_timeline.FIRST_DAY, TODAY)
    year = windows[0]
    assert float(year.get("x")) == scale.x(D(2016, 1, 1), D(2016, 1, 1))
    assert float(year.get("x")) + float(year.get("width")) == pytest.approx(
        scale.x(D(2017, 1, 1), D(2017, 1, 1)), abs=0.2
    )


def test_event_dates_in_arabic_keep_their_precision():
    svg = svg_timeline.render(
        Tracks(events=[Tick(bounds.parse("2016"), "منطقة الـ55 كم")]),
        TODAY,
        title="التنف",
        words=bounds.date_words("ar"),
    )
    (title,) = _tick_titles(ET.fromstring(svg))
    assert title == "2016 — منطقة الـ55 كم"
    assert "كانون الثاني" not in title


def test_site_tracks_date_events_by_their_bound():
    event = type("E", (), {"date": D(2016, 1, 1), "when": bounds.parse("2016"), "title": "zone"})
    site = type("S", (), {"control_periods": [], "status_periods": [], "events": [event]})
    (tick,) = svg_timeline.site_tracks(site).events
    assert tick.when.text == "2016"


def test_span_tooltips_end_on_the_until_of_the_site_pages_table():
    """A bar's tooltip ends where its row in the site page's table says "Until": on the
    end bound, the day the next period begins ([start, end)), not on the day before, so
    the two never give different days for one change (the map's table writes a span so
    too); an end known only to a month stays that month, an open end is "ongoing". A gap
    has no row: it names its first and last unknown day, and runs to today, not tomorrow."""
    root = _svg(
        Tracks(
            control=[
                Bar(D(2012, 1, 1), bounds.parse("2014-06"), "Gov", "#0072B2"),
                Bar(bounds.parse("2014-06"), D(2017, 11, 3), "ISIS", "#000000"),
            ],
            status=[Bar(D(2013, 3, 3), None, "closed", "#5e3c99")],
        )
    )
    gaps = _titles(root, "gap")
    assert "Status unknown: 1 Jan 2011 – 2 Mar 2013" in gaps
    assert "Control unknown: 1 Jan 2011 – 31 Dec 2011" in gaps
    assert "Control unknown: 3 Nov 2017 – 1 Jan 2020" in gaps
    assert _titles(root, "bar") == [
        "Gov: 1 Jan 2012 – Jun 2014",
        "ISIS: Jun 2014 – 3 Nov 2017",
        "closed: 3 Mar 2013 – ongoing",
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_periods_tooltip_and_its_table_row_give_the_same_days(language):
    """What the site page's table shows under "From" and "Until" (Bound.short of each
    bound, in the page's words), the bar's tooltip shows too, for every kind of bound."""
    words = bounds.date_words(language)
    ends = ["2016-03-04", "2016-06", "2018", "2024-12-07/2024-12-31"]  # a day, month, …
    starts = ["2015-05-21", *ends[:-1]]
    bars = [
        Bar(bounds.parse(a), bounds.parse(b), "X", "#000000", name=f"X{n}")
        for n, (a, b) in enumerate(zip(starts, ends, strict=True))
    ]
    root = ET.fromstring(svg_timeline.render(Tracks(control=bars), TODAY, "t", words=words))
    hovers = {t.split(": ")[0]: t.split(": ")[1] for t in _titles(root, "bar")}
    assert hovers == {b.name: f"{b.start.short(words)} – {b.end.short(words)}" for b in bars}
    assert hovers["X0"] in ("21 May 2015 – 4 Mar 2016", "21 أيار 2015 – 4 آذار 2016")


def _tick(root):
    (g,) = [g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "tick"]
    return g.find("s:title", NS)


def test_an_event_title_in_another_language_than_the_charts_is_marked_so():
    """On an Arabic page an English event title is marked lang="en" (and an Arabic one on
    an English page lang="ar"), as the site page's event list marks it (text_lang): the
    date beside it stays in the page's language; a title in the page's language, or mixed,
    is not marked."""
    cases = [
        ("ar", "NSA takes al-Tanf", "en"),
        ("en", "منطقة الـ55 كم", "ar"),
        ("en", "NSA takes al-Tanf", None),
        ("ar", "منطقة الـ55 كم", None),
        ("ar", "قسد (SDF) تسيطر", None),
    ]
    for page, label, marked in cases:
        svg = svg_timeline.render(
            Tracks(events=[Tick(D(2016, 3, 4), label)]),
            TODAY,
            "t",
            words=bounds.date_words(page),
        )
        title = _tick(ET.fromstring(svg))
        assert "".join(title.itertext()).endswith(f"— {label}")
        spans = title.findall("s:tspan", NS)
        if marked is None:
            assert spans == [] and title.get("lang") is None, (page, label)
        else:
            (span,) = spans
            assert (span.get("lang"), span.text) == (marked, label)
            assert title.text.startswith("4 Mar 2016" if page == "en" else "4 آذار 2016")


def test_a_drawn_actor_label_in_another_language_is_marked_and_arabic_runs_right_to_left():
    """An actor with no Arabic label is drawn in English on an Arabic page: lang="en"; an
    Arabic label is set right to left inside the left-to-right chart, and on an English
    page marked lang="ar"."""

    def label(text, page):
        svg = svg_timeline.render(
            Tracks(control=[Bar(D(2012, 1, 1), None, text, "#ffffff")]),
            TODAY,
            "t",
            words=bounds.date_words(page),
        )
        texts = ET.fromstring(svg).iter(f"{{{NS['s']}}}text")
        (drawn,) = [t for t in texts if t.get("class") == "bar-label"]
        assert drawn.text == text
        return drawn.get("lang"), drawn.get("direction")

    assert label("New Syrian Army", "ar") == ("en", None)
    assert label("جيش سوريا الجديد", "ar") == (None, "rtl")
    assert label("جيش سوريا الجديد", "en") == ("ar", "rtl")
    assert label("New Syrian Army", "en") == (None, None)


def test_site_tracks_in_arabic_mark_an_actor_without_an_arabic_name_as_english():
    actor = type("A", (), {"short": "NSA", "name": "New Syrian Army", "colour": "#ffffff"})
    period = type(
        "P",
        (),
        {
            "start": bounds.exact(D(2016, 3, 4)),
            "end": None,
            "actor": actor,
            "contested": False,
            "challenger": None,
            "confidence": "high",
        },
    )
    event = type("E", (), {"date": D(2016, 3, 4), "title": "NSA takes al-Tanf"})
    site = type("S", (), {"control_periods": [period], "status_periods": [], "events": [event]})
    svg = svg_timeline.render(
        svg_timeline.site_tracks(site, arabic=True), TODAY, "t", words=bounds.date_words("ar")
    )
    assert '<tspan lang="en">NSA takes al-Tanf</tspan>' in svg
    assert 'class="bar-label" lang="en">NSA</text>' in svg
