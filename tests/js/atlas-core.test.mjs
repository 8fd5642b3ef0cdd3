// Unit tests of the pure parts of static/js/atlas-core.js (run: node --test tests/js/).
// The agreement of its as-of answer with Python and SQL is tested by
// tests/core/test_asof_agreement.py through tests/js/asof.cjs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const core = require("../../static/js/atlas-core.js");

// As app/core/vocabulary.py as_dict() sends it in the data block.
const VOCABULARY = {
  first_day: "2011-01-01",
  precisions: ["day", "month", "year", "window"],
  confidences: ["high", "medium", "low"],
  statuses: ["open", "closed", "restricted", "unknown"],
  kinds: ["crossing_side", "town", "garrison", "zone"],
  kind_labels: ["side of a crossing", "town", "garrison", "zone"],
  untracked_kinds: ["zone"],
  location_precisions: ["exact", "town", "approximate"],
  actor_kinds: ["state", "non_state", "coalition"],
  countries: { SY: ["Syria", "Syrian"], IQ: ["Iraq", "Iraqi"] },
};
const DAY = 0, MONTH = 1, YEAR = 2, WINDOW = 3;
const UNCERTAIN = 1, APPROXIMATE = 2;

core.setVocabulary(VOCABULARY);
core.setOrigin("2011-01-01");

const off = (iso) => core.offsetOf(iso);

// flags as app/core/map_encoding.py packs them.
function flags({ start = DAY, end = DAY, contested = false, confidence = 0, challenger = -1,
  startMarks = 0, endMarks = 0, joins = false } = {}) {
  return start | (end << 2) | (contested ? 16 : 0) | (confidence << 5) | (startMarks << 7) |
    (endMarks << 9) | (joins ? 1 << 11 : 0) | ((challenger + 1) << 12);
}

// A bound's days from an ISO day or a pair [earliest, latest] (null: open).
function days(bound) {
  if (bound === null) return [null, null];
  const [lo, hi] = Array.isArray(bound) ? bound : [bound, bound];
  return [lo === null ? null : off(lo), hi === null ? null : off(hi)];
}

// A period in absolute offsets: [actor, start earliest, start latest, end earliest,
// end latest, flags].
const period = (actor, start, end, f = 0) => [actor, ...days(start), ...days(end), f];

const SDF = 0, GOV = 1, ISIS = 2;
const ACTORS = [["sdf", "SDF", "#117733", "SDF"], ["gov", "Syria (transitional)", "#332288", "Syria"],
  ["isis", "Islamic State", "#000000", "ISIS"]];
const nameOf = (a) => ACTORS[a][1];
const DEC = ["2024-12-07", "2024-12-31"];

/* ---- dates ---- */

test("day offsets count from the origin, in UTC, across leap days", () => {
  assert.equal(core.isoOf(0), "2011-01-01");
  assert.equal(core.isoOf(-1), "2010-12-31");
  assert.equal(core.isoOf(59), "2011-03-01");
  assert.equal(off("2011-01-01"), 0);
  assert.equal(off("2012-02-29"), 424);
  assert.equal(off("2012-03-01"), 425);
  assert.equal(off("2010-12-31"), -1);
  for (const d of [-400, -1, 0, 1, 58, 423, 424, 1000, 4999, 5843]) {
    assert.equal(off(core.isoOf(d)), d);
  }
});

test("offsetOf refuses what is not a real calendar date", () => {
  for (const bad of ["2011-02-30", "2011-02-29", "2011-04-31", "2011-13-01", "2011-1-1",
    "2011-01-01T00:00", "", "yesterday", undefined]) {
    assert.equal(core.offsetOf(bad), null, String(bad));
  }
  assert.equal(core.offsetOf("2016-02-29"), off("2016-03-01") - 1);
});

test("longDate and an event's boundText use the wording of bounds and timeline.format_bound", () => {
  assert.equal(core.longDate(0), "1 January 2011");
  assert.equal(core.longDate(off("2016-03-04")), "4 March 2016");
  assert.equal(core.boundText(off("2016-03-04"), DAY), "4 Mar 2016");
  assert.equal(core.boundText(off("2016-03-01"), MONTH), "Mar 2016");
  assert.equal(core.boundText(off("2016-01-01"), YEAR), "2016");
  assert.equal(core.boundText(off("2010-12-01"), MONTH), "Dec 2010");
});

test("a source's publication date is written at its precision, as the server writes it", () => {
  assert.equal(core.publishedText("2016-03-04"), "4 Mar 2016");
  assert.equal(core.publishedText("2016-03"), "Mar 2016");
  assert.equal(core.publishedText("2009"), "2009");
  assert.equal(core.publishedText(""), "");
});

/* ---- the data block's encoding ---- */

test("flags decode as map_encoding.flags packs them", () => {
  // map_encoding.flags's doctests: ("2014-06", None, True, "low", challenger=3) == 16465,
  // ("2014?", "2015-06~", False, "high", joins=True) == 3206.
  const p = [0, 0, 0, 10, 10, 16465];
  assert.equal(flags({ start: MONTH, contested: true, confidence: 2, challenger: 3 }), 16465);
  assert.equal(core.startPrecision(p), MONTH);
  assert.equal(core.endPrecision(p), DAY);
  assert.equal(core.isContested(p), true);
  assert.equal(core.confidenceOf(p), "low");
  assert.equal(core.challengerOf(p), 3);
  assert.equal(core.isQualified(p), false);
  const marked = [0, 0, 0, 10, 10, 3206];
  assert.equal(flags({ start: YEAR, end: MONTH, startMarks: UNCERTAIN, endMarks: APPROXIMATE,
    joins: true }), 3206);
  assert.equal(core.startPrecision(marked), YEAR);
  assert.equal(core.endPrecision(marked), MONTH);
  assert.equal(core.startQualifiers(marked), UNCERTAIN);
  assert.equal(core.endQualifiers(marked), APPROXIMATE);
  assert.equal(core.isQualified(marked), true);
  assert.equal(core.isContested(marked), false);
  assert.equal(core.confidenceOf(marked), "high");
  assert.equal(core.challengerOf(marked), -1);
  assert.equal(core.isQualified([0, 0, 0, 1, 1, flags({ endMarks: UNCERTAIN | APPROXIMATE })]), true);
  assert.equal(core.endPrecision([0, 0, 0, 1, 1, flags({ end: WINDOW })]), WINDOW);
  assert.deepEqual(core.sourcesOf([0, 0, 0, 10, 10, 0, 4, 7]), [4, 7]);
  assert.deepEqual(core.sourcesOf([0, 0, 0, 10, 10, 0]), []);
});

test("absolutePeriods undoes map_encoding._relative", () => {
  // map_encoding._relative's doctest, backwards.
  assert.deepEqual(core.absolutePeriods(
    [[0, null, null, 10, 30, 0], [1, 0, 30, 15, 0, 0], [2, 5, 0, null, null, 0]]),
  [[0, null, null, 10, 40, 0], [1, 10, 40, 25, 25, 0], [2, 30, 30, null, null, 0]]);
  // An open-ended start window ("../b": latest absolute), a start before the origin, a
  // gap, sources kept, an end "no earlier than" ("a/..": latest open) last.
  assert.deepEqual(core.absolutePeriods([
    [3, null, -5, 40, 3, 9, 1, 2],
    [1, 60, 10, 7, 0, 0],
    [0, 3, 0, 20, null, 0],
  ]), [
    [3, null, -5, 40, 43, 9, 1, 2],
    [1, 100, 110, 107, 107, 0],
    [0, 110, 110, 130, null, 0],
  ]);
  // Start windows that begin before the previous end (windows of neighbours overlap).
  assert.deepEqual(core.absolutePeriods([[0, 0, 0, 50, 30, 0], [1, -10, 60, 100, 0, 0]]),
    [[0, 0, 0, 50, 80, 0], [1, 40, 100, 140, 140, 0]]);
  assert.deepEqual(core.absolutePeriods([[0, null, null, null, null, 0]]), [[0, null, null, null, null, 0]]);
  assert.deepEqual(core.absolutePeriods([]), []);
});

test("runningTotal rebuilds the change days", () => {
  assert.deepEqual(core.runningTotal([3, 4, 0, 5]), [3, 7, 7, 12]);
  assert.deepEqual(core.runningTotal([]), []);
});

test("prepare reads the vocabulary, the origin and decompacts the block", () => {
  const data = {
    origin: "2011-01-01", max: 100, vocabulary: VOCABULARY,
    control: [[[0, null, null, 10, 0, 0], [1, 0, 5, 20, null, 0]], []],
    status: [[], [[2, 40, 0, 20, 0, 0]]],
    changes: [10, 5, 40, 20],
  };
  assert.equal(core.prepare(data), data);
  assert.deepEqual(data.control, [[[0, null, null, 10, 10, 0], [1, 10, 15, 30, null, 0]], []]);
  assert.deepEqual(data.status, [[], [[2, 40, 40, 60, 60, 0]]]);
  assert.deepEqual(data.changes, [10, 15, 55, 75]);
  assert.deepEqual(core.UNTRACKED, ["zone"]);
});

test("unpack reads the packed block's digits as map_encoding.packed wrote them", () => {
  // map_encoding.packed of these lists: numbers of one, two and three digits, negative
  // and open days, sources after the flags.
  const data = {
    control: "#(1!TR3M#ua=!QR!~QRR!!#!#.#!!!",
    status: "!!#!%$#S^~8##",
    changes: "#RQS#SSRQSSS#",
    verified: "!#$VwI",
  };
  assert.equal(core.unpack(data), data);
  assert.deepEqual(data.control, [
    [[14, null, 3000, -20, 0, 70000, 0, 44, 45, 2024, 2025]], [], [[1, 5, 0, null, null, 0]],
  ]);
  assert.deepEqual(data.status, [[], [], [[3, -1, 0, 100000, 0, 1]]]);
  assert.deepEqual(data.changes, [0, 44, 45, 89144, 89145]);
  assert.deepEqual(data.verified, [null, 0, -1, 5800]);
  const empty = { control: "", status: "", changes: "", verified: "" };
  assert.deepEqual(core.unpack(empty), { control: [], status: [], changes: [], verified: [] });
  // A block cut short after a leading digit ("R") ends instead of reading on forever.
  assert.equal(core.unpack({ ...empty, control: "#R" }).control.length, 1);
});

test("prepare unpacks the page's packed block first", () => {
  const data = {
    origin: "2011-01-01", max: 100, vocabulary: VOCABULARY,
    control: "$!!!!8#!!##.N!!", status: "!", changes: "8.", verified: "!",
  };
  core.prepare(data);
  assert.deepEqual(data.control, [[[0, null, null, 10, 10, 0], [1, 10, 15, 30, null, 0]]]);
  assert.deepEqual(data.changes, [10, 15]);
  assert.deepEqual(data.verified, [null]);
});

test("startBound and endBound give each bound's days, precision and qualifiers", () => {
  const p = period(0, [null, "2013-12-31"], ["2015-01-01", null],
    flags({ start: WINDOW, end: WINDOW, endMarks: APPROXIMATE }));
  assert.deepEqual(core.startBound(p),
    { earliest: null, latest: off("2013-12-31"), precision: WINDOW, qualifiers: 0 });
  assert.deepEqual(core.endBound(p),
    { earliest: off("2015-01-01"), latest: null, precision: WINDOW, qualifiers: APPROXIMATE });
  assert.equal(core.startBound(period(0, null, null)), null);
  assert.equal(core.endBound(period(0, null, null)), null);
});

/* ---- as of a day (timeline.answer) ---- */

test("a day in one certain span: that holder; exact bounds touch, [start, end)", () => {
  const periods = [
    period(GOV, null, "2013-03-02"),
    period(ISIS, "2013-03-02", "2014-06-10"),
    period(SDF, "2015-01-01", null),
  ];
  const k = (iso) => core.answerAt(periods, off(iso)).k;
  assert.equal(k("2000-01-01"), 0);
  assert.equal(k("2013-03-01"), 0);
  assert.equal(k("2013-03-02"), 1);
  assert.equal(k("2014-06-09"), 1);
  assert.equal(k("2014-06-10"), -1);
  assert.equal(k("2015-01-01"), 2);
  assert.equal(k("2099-01-01"), 2);
  const gap = core.answerAt(periods, off("2014-12-31"));
  assert.deepEqual(gap, { k: -1, uncertain: false, transition: null });  // unknown
  assert.deepEqual(core.answerAt([], 0), { k: -1, uncertain: false, transition: null });
  assert.equal(core.indexAt(periods, off("2013-03-02")), 1);
});

test("inside a shared window: a transition, no controller, uncertain", () => {
  // timeline.answer's doctest: SDF until sometime in 7–31 Dec 2024, then the government.
  const periods = [
    period(SDF, "2024-12-06", DEC, flags({ end: WINDOW })),
    period(GOV, DEC, null, flags({ start: WINDOW })),
  ];
  const at = (iso) => core.answerAt(periods, off(iso));
  assert.equal(at("2024-12-06").k, 0);
  assert.equal(at("2024-12-06").uncertain, false);
  for (const iso of ["2024-12-07", "2024-12-10", "2024-12-30"]) {
    const a = at(iso);
    assert.equal(a.k, -1, iso);
    assert.equal(a.uncertain, true);
    assert.deepEqual(a.transition.ks, [0, 1]);
    assert.equal(a.transition.before, false);
    assert.equal(a.transition.after, false);
    assert.deepEqual(a.transition.window,
      { earliest: off(DEC[0]), latest: off(DEC[1]), precision: WINDOW, qualifiers: 0 });
    assert.equal(core.outgoingOf(a.transition), 0);
    assert.equal(core.incomingOf(a.transition), 1);
    assert.deepEqual(core.chain(periods, a.transition, nameOf), ["SDF", "Syria (transitional)"]);
  }
  assert.equal(at("2024-12-31").k, 1);  // the window's last day: the newcomer holds
  assert.equal(at("2024-12-31").transition, null);
});

test("a window with nothing on one side: unknown before or after", () => {
  // al-Waleed: the Iraqi government until sometime in June 2014, then no record until
  // ISIS from sometime in September 2014 (~).
  const periods = [
    period(GOV, null, ["2014-06-01", "2014-06-30"], flags({ end: MONTH })),
    period(ISIS, ["2014-09-01", "2014-09-30"], null, flags({ start: MONTH, startMarks: APPROXIMATE })),
  ];
  const june = core.answerAt(periods, off("2014-06-15")).transition;
  assert.deepEqual([june.ks, june.before, june.after], [[0], false, true]);
  assert.equal(core.outgoingOf(june), 0);
  assert.equal(core.incomingOf(june), -1);
  assert.deepEqual(core.chain(periods, june, nameOf), ["Syria (transitional)", "unknown"]);
  assert.equal(june.window.earliest, off("2014-06-01"));  // the outgoing end's window
  assert.equal(core.answerAt(periods, off("2014-07-15")).transition, null);  // a gap: unknown
  const sept = core.answerAt(periods, off("2014-09-10")).transition;
  assert.deepEqual([sept.ks, sept.before, sept.after], [[1], true, false]);
  assert.deepEqual(core.chain(periods, sept, nameOf), ["unknown", "Islamic State"]);
  assert.equal(sept.window.qualifiers, APPROXIMATE);  // the incoming start's window
  // From October ISIS holds, but a bound is marked approximate: uncertain.
  assert.deepEqual(core.answerAt(periods, off("2014-10-01")), { k: 1, uncertain: true, transition: null });
});

test("marksOf: a holder's own marks; a window keeps its candidates' (timeline.window_marks)", () => {
  // Rabia, summer 2014: the Kurdistan Region (contested by ISIS, low) until sometime in
  // July–August, then ISIS (contested, medium here): a window contested, as sure as low.
  const periods = [
    period(GOV, null, ["2014-06-01", "2014-06-23"], flags({ end: WINDOW, confidence: 1 })),
    period(SDF, ["2014-06-01", "2014-06-23"], ["2014-07-01", "2014-08-31"],
      flags({ start: WINDOW, end: WINDOW, contested: true, confidence: 2, challenger: ISIS })),
    period(ISIS, ["2014-07-01", "2014-08-31"], "2014-09-30",
      flags({ start: WINDOW, contested: true, confidence: 1 })),
  ];
  const marks = (iso) => core.marksOf(periods, core.answerAt(periods, off(iso)));
  assert.deepEqual(marks("2014-05-01"), { contested: false, challenger: -1, confidence: "medium" });
  assert.deepEqual(marks("2014-06-30"), { contested: true, challenger: ISIS, confidence: "low" });
  // In the window: contested as both candidates are, the least sure level, no challenger.
  assert.deepEqual(marks("2014-07-15"), { contested: true, challenger: -1, confidence: "low" });
  // The first window: one candidate contested is enough; medium and low give low.
  assert.deepEqual(marks("2014-06-10"), { contested: true, challenger: -1, confidence: "low" });
  assert.deepEqual(marks("2014-10-01"), { contested: false, challenger: -1, confidence: null });
  const quiet = [period(GOV, null, DEC, flags({ end: WINDOW })),
    period(SDF, DEC, null, flags({ start: WINDOW, confidence: 1 }))];
  assert.deepEqual(core.marksOf(quiet, core.answerAt(quiet, off("2024-12-10"))),
    { contested: false, challenger: -1, confidence: "medium" });
});

test("overlapping windows chain three holders, in time order", () => {
  const periods = [
    period(GOV, null, ["2014-06-01", "2014-06-30"], flags({ end: MONTH })),
    period(ISIS, ["2014-06-01", "2014-06-30"], ["2014-06-20", "2014-07-05"], flags({ start: MONTH, end: WINDOW })),
    period(SDF, ["2014-06-20", "2014-07-05"], null, flags({ start: WINDOW })),
  ];
  const t = core.answerAt(periods, off("2014-06-25")).transition;
  assert.deepEqual([t.ks, t.before, t.after], [[0, 1, 2], false, false]);
  assert.equal(t.window.earliest, off("2014-06-20"));  // the last one's start
  assert.deepEqual(core.chain(periods, t, nameOf), ["Syria (transitional)", "Islamic State", "SDF"]);
  assert.deepEqual(core.answerAt(periods, off("2014-07-01")).transition.ks, [1, 2]);
  assert.equal(core.answerAt(periods, off("2014-07-05")).k, 2);
});

test("open windows: held since no later than a day, ended no earlier than a day", () => {
  const periods = [period(ISIS, [null, "2013-12-31"], ["2015-01-01", null], flags({ start: WINDOW, end: WINDOW }))];
  assert.equal(core.answerAt(periods, off("2013-12-31")).k, 0);
  assert.equal(core.answerAt(periods, off("2014-12-31")).k, 0);
  const before = core.answerAt(periods, off("2013-06-01")).transition;
  assert.deepEqual([before.ks, before.before, before.after], [[0], true, false]);
  const after = core.answerAt(periods, off("2020-01-01")).transition;
  assert.deepEqual([after.ks, after.before, after.after], [[0], false, true]);
  assert.equal(after.window.latest, null);
});

test("a qualified bound makes the holder uncertain on every day it holds", () => {
  const p = period(ISIS, ["2014-06-01", "2014-06-30"], "2017-11-03", flags({ start: MONTH, startMarks: UNCERTAIN }));
  assert.equal(core.answerAt([p], off("2016-01-01")).uncertain, true);
  assert.equal(core.answerAt([period(ISIS, ["2014-06-01", "2014-06-30"], null, flags({ start: MONTH }))],
    off("2016-01-01")).uncertain, false);
});

test("siteState adds the status; a status inside its own window is unknown", () => {
  const control = [period(GOV, null, "2014-06-01")];
  const status = [
    [1, ...days(null), ...days(["2013-01-01", "2013-01-31"]), flags({ end: MONTH })],
    [0, ...days(["2013-01-01", "2013-01-31"]), ...days(null), flags({ start: MONTH })],
  ];
  const s = core.siteState(control, status, off("2012-05-05"));
  assert.deepEqual([s.k, s.j, s.uncertain, s.transition], [0, 0, false, null]);
  assert.equal(core.STATUS[core.statusIndexOf(status, s)], "closed");
  const inWindow = core.siteState(control, status, off("2013-01-15"));
  assert.equal(inWindow.j, -1);
  assert.equal(core.STATUS[core.statusIndexOf(status, inWindow)], "unknown");
  assert.equal(core.STATUS[core.statusIndexOf(status, core.siteState(control, status, off("2013-02-01")))], "open");
});

test("valueKey changes where timeline.change_points puts a change", () => {
  const periods = [
    period(SDF, "2024-12-06", DEC, flags({ end: WINDOW })),
    period(GOV, DEC, null, flags({ start: WINDOW })),
  ];
  const key = (iso) => core.valueKey(periods, off(iso));
  assert.notEqual(key("2024-12-05"), key("2024-12-06"));
  assert.notEqual(key("2024-12-06"), key("2024-12-07"));
  assert.equal(key("2024-12-07"), key("2024-12-30"));
  assert.notEqual(key("2024-12-30"), key("2024-12-31"));
  // Two periods of one actor that touch make no change.
  const same = [period(GOV, null, "2013-03-02"), period(GOV, "2013-03-02", null)];
  assert.equal(core.valueKey(same, off("2013-03-01")), core.valueKey(same, off("2013-03-02")));
});

/* ---- wording ---- */

test("shortText and readingText say what Bound.short and Bound.reading say", () => {
  const b = (lo, hi, qualifiers = 0) =>
    ({ earliest: lo === null ? null : off(lo), latest: hi === null ? null : off(hi), qualifiers });
  const cases = [
    // earliest, latest, qualifiers, short, reading (app/core/bounds.py's doctests and more)
    ["2016-03-04", "2016-03-04", 0, "4 Mar 2016", "4 March 2016"],
    ["2014-06-01", "2014-06-30", 0, "Jun 2014", "sometime in June 2014"],
    ["2014-01-01", "2014-12-31", UNCERTAIN, "2014?", "sometime in 2014 (uncertain)"],
    ["2015-05-01", "2015-05-31", APPROXIMATE, "May 2015~", "sometime in May 2015 (approximate)"],
    ["2024-12-07", "2024-12-31", 0, "7–31 Dec 2024", "sometime between 7 and 31 December 2024"],
    ["2014-06-20", "2014-07-02", 0, "20 Jun – 2 Jul 2014", "sometime between 20 June and 2 July 2014"],
    ["2013-12-20", "2014-01-10", 0, "20 Dec 2013 – 10 Jan 2014",
      "sometime between 20 December 2013 and 10 January 2014"],
    ["2014-06-01", "2014-07-31", UNCERTAIN, "Jun–Jul 2014?",
      "sometime between 1 June and 31 July 2014 (uncertain)"],
    ["2013-12-01", "2014-02-28", 0, "Dec 2013 – Feb 2014",
      "sometime between 1 December 2013 and 28 February 2014"],
    ["2016-01-01", "2017-12-31", 0, "2016–2017", "sometime between 1 January 2016 and 31 December 2017"],
    ["2012-02-01", "2012-02-29", 0, "Feb 2012", "sometime in February 2012"],
    ["2012-02-01", "2012-02-28", 0, "1–28 Feb 2012", "sometime between 1 and 28 February 2012"],
    [null, "2013-12-31", 0, "by 31 Dec 2013", "no later than 31 December 2013"],
    ["2015-01-01", null, 0, "from 1 Jan 2015", "no earlier than 1 January 2015"],
    ["2014-01-01", "2014-12-31", UNCERTAIN | APPROXIMATE, "2014?~", "sometime in 2014 (uncertain, approximate)"],
  ];
  for (const [lo, hi, q, short, reading] of cases) {
    assert.equal(core.shortText(b(lo, hi, q)), short);
    assert.equal(core.readingText(b(lo, hi, q)), reading);
  }
  assert.equal(core.windowText(b(...DEC)), "between 7 and 31 December 2024");
  assert.equal(core.windowText(b("2014-06-01", "2014-06-30")), "in June 2014");
});

test("whenText: same wording as map_encoding.when_label", () => {
  const periods = [
    period(GOV, null, "2013-03-02"),
    period(ISIS, ["2014-06-01", "2014-06-30"], "2017-11-03", flags({ start: MONTH })),
    period(SDF, ["2018-01-01", "2018-12-31"], DEC, flags({ start: YEAR, end: WINDOW })),
    period(GOV, DEC, null, flags({ start: WINDOW })),
  ];
  const when = (iso) => core.whenText(periods, core.answerAt(periods, off(iso)), nameOf);
  assert.equal(when("2012-01-01"), "until 2 Mar 2013");
  assert.equal(when("2015-01-01"), "Jun 2014 – 3 Nov 2017");
  assert.equal(when("2013-05-01"), "no record");
  assert.equal(when("2020-01-01"), "2018 – 7–31 Dec 2024");
  assert.equal(when("2024-12-10"), "SDF → Syria (transitional), between 7 and 31 December 2024");
  assert.equal(when("2025-01-01"), "since 7–31 Dec 2024");
  assert.equal(when("2018-06-01"), "unknown → SDF, in 2018");
  assert.equal(core.whenText([period(0, null, null)], { k: 0 }, nameOf), "always on record");
  assert.equal(core.periodText([period(0, "2014-06-21", null)], 0), "since 21 Jun 2014");
});

test("since and until are the hold's: a period going on with the one before it", () => {
  // al-Qa'im: ISIS contested from 20/21 Jun 2014, agreed from 1 Sep 2014 (timeline.hold).
  const periods = [
    period(GOV, null, "2014-06-17"),
    period(ISIS, ["2014-06-20", "2014-06-21"], "2014-09-01", flags({ start: WINDOW, contested: true })),
    period(ISIS, "2014-09-01", "2017-11-03", flags({ joins: true })),
    period(GOV, "2017-11-03", null, flags()),
  ];
  const when = (iso) => core.whenText(periods, core.answerAt(periods, off(iso)), nameOf);
  assert.equal(when("2015-06-01"), "20–21 Jun 2014 – 3 Nov 2017");
  assert.equal(when("2014-07-01"), "20–21 Jun 2014 – 3 Nov 2017");
  assert.equal(when("2018-01-01"), "since 3 Nov 2017");
  assert.deepEqual(core.holdBounds(periods, 0), [null, core.endBound(periods[0])]);
});

test("zones are not tracked for control", () => {
  const site = (kind) => ["s", "S", "", "SY", 41, 34, kind];
  assert.equal(core.isTracked(site(0)), true);
  assert.equal(core.isTracked(site(2)), true);
  assert.equal(core.isTracked(site(3)), false);
});

test("placeText reads kinds and countries from the vocabulary", () => {
  const site = (country, kind) => ["s", "S", "", country, 41, 34, kind];
  assert.equal(core.placeText(site("SY", 0)), "Syrian side of a crossing");
  assert.equal(core.placeText(site("IQ", 0)), "Iraqi side of a crossing");
  assert.equal(core.placeText(site("IQ", 1)), "Town in Iraq");
  assert.equal(core.placeText(site("SY", 3)), "Zone in Syria");
  assert.equal(core.placeText(site("TR", 2)), "Garrison in TR");
  assert.equal(core.placeText(site("SY", 9)), "Site in Syria");
});

test("setVocabulary refills the exported lists in place", () => {
  const status = core.STATUS;
  core.setVocabulary({ ...VOCABULARY, statuses: ["a", "b"] });
  assert.equal(core.STATUS, status);
  assert.deepEqual(status, ["a", "b"]);
  assert.deepEqual(core.STATUS_TEXT, ["a", "b"]);
  core.setVocabulary(VOCABULARY);
  assert.deepEqual(core.STATUS, ["open", "closed", "restricted", "unknown"]);
  assert.deepEqual(core.CONFIDENCE, ["high", "medium", "low"]);
  assert.deepEqual(core.PRECISION, ["day", "month", "year", "window"]);
  assert.deepEqual(Object.keys(core.COUNTRY).sort(), ["IQ", "SY"]);
});

test("markers that share a point sit side by side, Syrian side west", () => {
  const sites = [["a", "", "", "IQ", 41.0, 34.0, 0], ["b", "", "", "SY", 41.0, 34.0, 0],
    ["c", "", "", "SY", 42.0, 34.0, 0]];
  assert.deepEqual(core.coLocatedOffsets(sites), [11, -11, 0]);
});

/* ---- issue 14: labels, crossings as units, change lists ---- */

test("placeLabels puts labels where they overlap neither labels nor marks", () => {
  const items = [
    { x: 100, y: 100, w: 80, h: 16, r: 10 },
    { x: 110, y: 100, w: 80, h: 16, r: 10 },
    { x: 105, y: 102, w: 80, h: 16, r: 10 },
  ];
  const marks = items.map((it) => ({ x: it.x, y: it.y, r: it.r }));
  const sides = core.placeLabels(items, { width: 400, height: 300 }, marks);
  assert.ok(sides.filter(Boolean).length >= 2);
  const boxes = sides.map((side, n) => side && box(items[n], side)).filter(Boolean);
  for (let a = 0; a < boxes.length; a++) {
    for (let b = a + 1; b < boxes.length; b++) assert.ok(!overlap(boxes[a], boxes[b]));
  }
});

test("placeLabels drops a label that fits nowhere and keeps labels inside the view", () => {
  const items = [{ x: 5, y: 5, w: 300, h: 16, r: 8 }];
  assert.deepEqual(core.placeLabels(items, { width: 200, height: 200 }, []), [null]);
  const crowd = Array.from({ length: 30 }, () => ({ x: 100, y: 100, w: 60, h: 16, r: 8 }));
  const placed = core.placeLabels(crowd, { width: 400, height: 400 }, []);
  assert.equal(placed.filter(Boolean).length, 4);
});

function box(it, side) {
  const gap = it.r + 3;
  const x = side === "e" ? it.x + gap : side === "w" ? it.x - gap - it.w : it.x - it.w / 2;
  const y = side === "n" ? it.y - gap - it.h : side === "s" ? it.y + gap : it.y - it.h / 2;
  return { x0: x, y0: y, x1: x + it.w, y1: y + it.h };
}
const overlap = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

test("crossingGroups lists each crossing's Syrian then Iraqi side, other sites last", () => {
  const sites = [
    ["al-qaim", "al-Qa'im", "", "IQ"], ["akashat", "Akashat", "", "IQ"],
    ["albukamal", "Albukamal", "", "SY"], ["al-waleed", "al-Waleed", "", "IQ"],
    ["al-tanf", "al-Tanf", "", "SY"],
  ];
  const groups = core.crossingGroups(sites, [0, -1, 0, 1, 1], ["Albukamal – Qaim", "Tanf – Waleed"]);
  assert.deepEqual(groups, [
    { crossing: 0, sites: [2, 0] }, { crossing: 1, sites: [4, 3] }, { crossing: -1, sites: [1] },
  ]);
});

test("siteMatches finds both sides by the crossing's name, without accents or apostrophes", () => {
  const waleed = ["al-waleed", "al-Waleed", "الوليد", "IQ"];
  assert.ok(core.siteMatches("tanf", waleed, ["tanf-waleed", "al-Tanf – al-Waleed"]));
  assert.ok(core.siteMatches("qaim", ["al-qaim", "al-Qa'im", "", "IQ"], []));
  assert.ok(core.siteMatches("", waleed, []));
  assert.ok(!core.siteMatches("rabia", waleed, ["tanf-waleed"]));
  assert.equal(core.fold("Al-Qāʼim"), "al-qaim");
});

test("tickBins weighs change days by bin", () => {
  assert.deepEqual(core.tickBins([0, 1, 2, 50, 99, 100, 200], 100, 10),
    [{ bin: 0, count: 3 }, { bin: 5, count: 1 }, { bin: 9, count: 2 }]);
});

test("changesOn says who handed over to whom at which site, with the incoming sources", () => {
  // Site 0: actor 0 until day 10, actor 1 from day 10 (source 3); site 1: status open → closed on 10.
  const data = {
    control: [[[0, null, null, 10, 10, flags()], [1, 10, 10, null, null, flags(), 3]], []],
    status: [[], [[0, null, null, 10, 10, flags()], [1, 10, 10, null, null, flags()]]],
  };
  const names = ["Syrian gov.", "ISIS"];
  const changes = core.changesOn(data, 10, (a) => names[a]);
  assert.deepEqual(changes, [
    { site: 0, kind: "control", from: "Syrian gov.", to: "ISIS", sources: [3] },
    { site: 1, kind: "status", from: "open", to: "closed", sources: [] },
  ]);
  assert.deepEqual(core.changesOn(data, 11, (a) => names[a]), []);
  assert.deepEqual(core.siteChangeDays(data.control[0], data.status[0]), [10]);
  assert.deepEqual(core.siteChangeDays(data.control[0], data.status[0], 1), [10]);
  assert.equal(core.stepChange([10, 20], 10, 1, 100), 20);
  assert.equal(core.stepChange([10, 20], 10, -1, 100), 0);
  assert.equal(core.stepChange([10, 20], 25, 1, 100), 100);
});

test("siteChangeDays skips a status the same on both sides, by its window or its day", () => {
  // Open until sometime in days 10..19, open again from then; open until 30, open from 30.
  const status = [[0, null, null, 10, 20, flags()], [0, 10, 20, 30, 30, flags()],
    [0, 30, 30, null, null, flags()]];
  assert.deepEqual(core.siteChangeDays([], status), []);
  status[2][0] = 1;
  assert.deepEqual(core.siteChangeDays([], status), [30]);
});

test("inkOn picks the more readable of black and white", () => {
  assert.equal(core.inkOn("#000000"), "#ffffff");
  assert.equal(core.inkOn("#F0E442"), "#000000");
  assert.equal(core.inkOn("#004488"), "#ffffff");
});

test("placeLabels keeps labels off boxes such as the map's legend", () => {
  const items = [{ x: 100, y: 100, w: 50, h: 16, r: 8 }];
  const legend = { x0: 105, y0: 0, x1: 400, y1: 400 };
  assert.deepEqual(core.placeLabels(items, { width: 400, height: 400 }, [legend]), ["w"]);
});

test("boundDays lists the sites that may change on a day, and changesOn checks only those", () => {
  const data = {
    control: [[[0, null, null, 10, 10, flags()], [1, 10, 10, null, null, flags()]], []],
    status: [[], [[0, 5, 5, null, null, flags()]]],
  };
  const days = core.boundDays(data);
  assert.deepEqual(days.get(10), [0]);
  assert.deepEqual(days.get(5), [1]);
  const names = ["A", "B"];
  assert.deepEqual(core.changesOn(data, 10, (a) => names[a], days.get(10)),
    core.changesOn(data, 10, (a) => names[a]));
  assert.deepEqual(core.changesOn(data, 5, (a) => names[a], days.get(5)).map((c) => c.kind), ["status"]);
});

test("boundDays in parts, site range by site range, is boundDays in one go", () => {
  const data = {
    control: [[[0, null, null, 10, 10, flags()], [1, 10, 10, null, null, flags()]], [],
      [[1, 3, 5, 10, 12, flags()]], [[0, 10, 10, 20, 20, flags()]]],
    status: [[], [[0, 5, 5, null, null, flags()]], [[0, 3, 3, null, null, flags()]], []],
  };
  const whole = core.boundDays(data);
  for (const size of [1, 2, 3]) {
    const days = new Map();
    for (let i = 0; i < data.control.length; i += size) core.boundDays(data, days, i, i + size);
    assert.deepEqual([...days].sort((a, b) => a[0] - b[0]), [...whole].sort((a, b) => a[0] - b[0]));
  }
  assert.deepEqual(whole.get(10), [0, 2, 3]);
  assert.deepEqual(whole.get(3), [2]);
  // Past the last site a range stops there.
  assert.deepEqual(core.boundDays(data, new Map(), 3, 99).get(20), [3]);
});

/* ---- freshness: last verified (app/core/ages.py) ---- */

test("isStale only on recent dates, and only when not verified for more than the threshold", () => {
  const today = off("2026-11-30"), after = 180;
  // Verified 14 months ago, viewed today: stale; viewed two years back: not judged.
  assert.equal(core.isStale(off("2025-09-30"), today, today, after), true);
  assert.equal(core.isStale(off("2025-09-30"), off("2024-11-30"), today, after), false);
  // Never verified: stale on recent dates.
  assert.equal(core.isStale(null, today, today, after), true);
  // Verified 180 days ago is not yet stale; 181 days is.
  assert.equal(core.isStale(today - 180, today, today, after), false);
  assert.equal(core.isStale(today - 181, today, today, after), true);
  // The chosen date exactly `after` days back still counts as recent; one more does not.
  assert.equal(core.isStale(null, today - 180, today, after), true);
  assert.equal(core.isStale(null, today - 181, today, after), false);
});

test("ageParts words an age in days, then months, then years, as the server does", () => {
  const today = off("2026-11-30");
  assert.deepEqual(core.ageParts(today, today), [0, "day"]);
  assert.deepEqual(core.ageParts(today - 44, today), [44, "day"]);
  assert.deepEqual(core.ageParts(off("2025-09-03"), today), [15, "month"]);
  assert.deepEqual(core.ageParts(off("2025-09-30"), today), [14, "month"]);
  assert.deepEqual(core.ageParts(off("2022-01-01"), today), [4, "year"]);
});

test("verifiedText says how long ago, pluralised, in English without the block", () => {
  const today = off("2026-11-30");
  assert.equal(core.verifiedText(off("2025-09-30"), today), "last verified 14 months ago");
  assert.equal(core.verifiedText(today - 1, today), "last verified 1 day ago");
  assert.equal(core.verifiedText(today, today), "last verified today");
  assert.equal(core.verifiedText(null, today), "never verified");
});

/* ---- incremental repaint: only sites with a bound between two days can change ---- */

test("sitesBetween finds every site whose state differs between two days", () => {
  // Random sites of control and status periods with exact, windowed and open bounds.
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const periods = () => {
    const out = [];
    let day = rand(20);
    for (let n = rand(5); n > 0; n--) {
      const start = rand(4) ? [day, day + rand(3) * rand(8)] : [null, null];
      const endDay = day + 5 + rand(60);
      const end = n === 1 && rand(2) ? [null, null] : [endDay, endDay + rand(3) * rand(8)];
      out.push([rand(3), start[0], start[1], end[0], end[1], flags()]);
      day = endDay + rand(10) - 4;
    }
    return out;
  };
  const data = { control: [], status: [] };
  for (let i = 0; i < 60; i++) { data.control.push(periods()); data.status.push(periods()); }
  const index = core.boundIndex(data);
  const state = (i, d) => core.stateText(data.control[i], data.status[i], d);
  let changed = 0;
  for (let n = 0; n < 400; n++) {
    const a = rand(300) - 10, b = rand(2) ? a + rand(40) : rand(300) - 10;
    const may = new Set(core.sitesBetween(index, a, b));
    for (let i = 0; i < data.control.length; i++) {
      const differs = state(i, a) !== state(i, b);
      if (differs) changed++;
      assert.ok(!differs || may.has(i), `site ${i} changes between ${a} and ${b} but is not listed`);
    }
  }
  assert.ok(changed > 100, "the random sites do change");
  // A bound on day v counts between v - 1 and v, not between v and v + 1.
  const one = { control: [[[0, null, null, 10, 10, flags()], [1, 10, 10, null, null, flags()]]], status: [[]] };
  const idx = core.boundIndex(one);
  assert.deepEqual(core.sitesBetween(idx, 9, 10), [0]);
  assert.deepEqual(core.sitesBetween(idx, 10, 9), [0]);
  assert.deepEqual(core.sitesBetween(idx, 10, 11), []);
  assert.equal(core.sitesBetween(core.boundIndex(data), 0, 300, 5), null);
});

// Waits out `ms` milliseconds of work (a step of inTurns that is over its budget).
const busy = (ms) => { const until = performance.now() + ms; while (performance.now() < until); };

test("inTurns runs the steps in order, never in the caller's task, several to a task in budget", async () => {
  const log = [];
  const done = new Promise((resolve) => {
    core.inTurns([
      () => { log.push("a"); setTimeout(() => log.push("timer set by a"), 0); },
      () => log.push("b"),
      () => { log.push("c"); resolve(); },
    ], 1000);
  });
  log.push("after the call");
  await done;
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(log, ["after the call", "a", "b", "c", "timer set by a"]);
});

test("inTurns lets other tasks run once a step has spent the budget", async () => {
  const log = [];
  await new Promise((resolve) => {
    core.inTurns([
      () => { log.push("a"); setTimeout(() => log.push("timer set by a"), 0); busy(5); },
      () => log.push("b"),
      () => { log.push("c"); resolve(); },
    ], 2);
  });
  assert.deepEqual(log, ["a", "timer set by a", "b", "c"]);
});

test("inTurns steps a generator through before the next step, in later tasks past the budget", async () => {
  const log = [];
  await new Promise((resolve) => {
    core.inTurns([
      function* () {
        log.push("g1");
        setTimeout(() => log.push("timer set by g1"), 0);
        yield;
        log.push("g2");
        yield;
        log.push("g3");
      },
      () => { log.push("next"); resolve(); },
    ], 1000);
  });
  assert.deepEqual(log, ["g1", "g2", "g3", "next"]);
  const slow = [];
  await new Promise((resolve) => {
    core.inTurns([function* () {
      for (let n = 0; n < 3; n++) {
        slow.push("step " + n);
        setTimeout(() => slow.push("timer " + n), 0);
        busy(3);
        yield;
      }
    }, resolve], 2);
  });
  assert.deepEqual(slow, ["step 0", "timer 0", "step 1", "timer 1", "step 2", "timer 2"]);
});

test("inTurns foretells a step by the longest of the last few, after `yield true` twice that", async () => {
  // After a step of 300 ms, within a budget of 500 ms one more step still fits in a task
  // (300 < 500), a large one (2 × 300) does not.
  const log = [];
  await new Promise((resolve) => {
    core.inTurns([
      () => busy(300),
      function* () {
        log.push("a");
        setTimeout(() => log.push("timer set by a"), 0);
        yield;
        log.push("b");
        yield true;
        log.push("c");
      },
      resolve,
    ], 500);
  });
  assert.deepEqual(log, ["a", "b", "timer set by a", "c"]);
});

test("sortInSteps sorts as Array.prototype.sort does (stable), a run at a time", () => {
  let seed = 11;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const compare = (a, b) => a.key - b.key;
  for (const [size, run] of [[0, 4], [1, 4], [7, 4], [64, 8], [257, 16], [1000, 64]]) {
    const items = Array.from({ length: size }, (_, n) => ({ key: rand(20), n }));
    const steps = core.sortInSteps(items, compare, run);
    let step, yields = 0;
    while (!(step = steps.next()).done) yields++;
    assert.deepEqual(step.value, items.slice().sort(compare), `${size} items in runs of ${run}`);
    // A yield after every run sorted or merged: a long list is many small steps.
    if (size > run) assert.ok(yields >= size / run, `${size} items: ${yields} steps`);
  }
  // The items themselves are left in their order.
  const names = ["b", "c", "a"];
  const steps = core.sortInSteps(names, (a, b) => a.localeCompare(b), 2);
  let step;
  while (!(step = steps.next()).done);
  assert.deepEqual(step.value, ["a", "b", "c"]);
  assert.deepEqual(names, ["b", "c", "a"]);
});

test("unbroken puts each range written without spaces in a span of its own", () => {
  // Just enough of a document for h(): an element records its class and children.
  globalThis.document = {
    createElement: (tag) => ({
      tag, className: "", children: [], setAttribute() {},
      append(...nodes) { this.children.push(...nodes); },
    }),
  };
  try {
    const shown = (text) => core.unbroken(text).map((part) =>
      typeof part === "string" ? part : [part.tag, part.className, ...part.children]);
    assert.deepEqual(shown("ISIS → Iraq, between 11–12 Feb 2026"),
      ["ISIS → Iraq, between ", ["span", "range", "11–12"], " Feb 2026"]);
    assert.deepEqual(shown("Jul–Aug 2014 – 8–9 Nov 2015"),
      [["span", "range", "Jul–Aug"], " 2014 – ", ["span", "range", "8–9"], " Nov 2015"]);
    // A dash between spaces may end a line; text without a range stays one string.
    assert.deepEqual(shown("since 4 Mar 2016"), ["since 4 Mar 2016"]);
    assert.deepEqual(shown("Dec 2013 – Feb 2014"), ["Dec 2013 – Feb 2014"]);
  } finally {
    delete globalThis.document;
  }
});
