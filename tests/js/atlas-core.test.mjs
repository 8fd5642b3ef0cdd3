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
  precisions: ["day", "month", "year"],
  confidences: ["high", "medium", "low"],
  statuses: ["open", "closed", "restricted", "unknown"],
  kinds: ["crossing_side", "town", "garrison", "zone"],
  kind_labels: ["side of a crossing", "town", "garrison", "zone"],
  location_precisions: ["exact", "town", "approximate"],
  actor_kinds: ["state", "non_state", "coalition"],
  countries: { SY: ["Syria", "Syrian"], IQ: ["Iraq", "Iraqi"] },
};
const DAY = 0, MONTH = 1, YEAR = 2;

core.setVocabulary(VOCABULARY);
core.setOrigin("2011-01-01", 6000);

const off = (iso) => core.offsetOf(iso);

// flags as app/core/map_encoding.py packs them.
function flags(start = DAY, end = DAY, contested = false, confidence = 0, challenger = -1) {
  return start | (end << 2) | (contested ? 16 : 0) | (confidence << 5) | ((challenger + 1) << 7);
}

// A period in absolute offsets: [actor, start, end, flags].
const period = (actor, start, end, f = 0) =>
  [actor, start === null ? null : off(start), end === null ? null : off(end), f];

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

test("longDate and boundText use the same wording as timeline.format_bound", () => {
  assert.equal(core.longDate(0), "1 January 2011");
  assert.equal(core.longDate(off("2016-03-04")), "4 March 2016");
  assert.equal(core.boundText(off("2016-03-04"), DAY), "4 Mar 2016");
  assert.equal(core.boundText(off("2016-03-01"), MONTH), "Mar 2016");
  assert.equal(core.boundText(off("2016-01-01"), YEAR), "2016");
  assert.equal(core.boundText(off("2010-12-01"), MONTH), "Dec 2010");
});

/* ---- the data block's encoding ---- */

test("flags decode as map_encoding.flags packs them", () => {
  // map_encoding.flags("month", "day", True, "low", challenger=3) == 593 (its doctest)
  const p = [0, 0, 10, 593];
  assert.equal(flags(MONTH, DAY, true, 2, 3), 593);
  assert.equal(core.startPrecision(p), MONTH);
  assert.equal(core.endPrecision(p), DAY);
  assert.equal(core.isContested(p), true);
  assert.equal(core.confidenceOf(p), "low");
  assert.equal(core.challengerOf(p), 3);
  const plain = [0, 0, 10, flags(YEAR, MONTH, false, 1)];
  assert.equal(core.startPrecision(plain), YEAR);
  assert.equal(core.endPrecision(plain), MONTH);
  assert.equal(core.isContested(plain), false);
  assert.equal(core.confidenceOf(plain), "medium");
  assert.equal(core.challengerOf(plain), -1);
  assert.deepEqual(core.sourcesOf([0, 0, 10, 0, 4, 7]), [4, 7]);
  assert.deepEqual(core.sourcesOf([0, 0, 10, 0]), []);
});

test("absolutePeriods undoes map_encoding._relative", () => {
  // map_encoding._relative's doctest, backwards.
  assert.deepEqual(core.absolutePeriods([[0, null, 10, 0], [1, 0, 15, 0], [2, 5, null, 0]]),
    [[0, null, 10, 0], [1, 10, 25, 0], [2, 30, null, 0]]);
  // A first start before the origin, a gap, sources kept, an open end last.
  assert.deepEqual(core.absolutePeriods([[3, -20, 50, 9, 1, 2], [1, 100, 7, 0], [0, 0, null, 0]]),
    [[3, -20, 30, 9, 1, 2], [1, 130, 137, 0], [0, 137, null, 0]]);
  assert.deepEqual(core.absolutePeriods([[0, null, null, 0]]), [[0, null, null, 0]]);
  assert.deepEqual(core.absolutePeriods([]), []);
});

test("runningTotal rebuilds the change days", () => {
  assert.deepEqual(core.runningTotal([3, 4, 0, 5]), [3, 7, 7, 12]);
  assert.deepEqual(core.runningTotal([]), []);
});

test("prepare reads the vocabulary, the origin and decompacts the block", () => {
  const data = {
    origin: "2011-01-01", max: 100, vocabulary: VOCABULARY,
    control: [[[0, null, 10, 0], [1, 5, null, 0]], []],
    status: [[], [[2, 40, 20, 0]]],
    changes: [10, 5, 40, 20],
  };
  assert.equal(core.prepare(data), data);
  assert.deepEqual(data.control, [[[0, null, 10, 0], [1, 15, null, 0]], []]);
  assert.deepEqual(data.status, [[], [[2, 40, 60, 0]]]);
  assert.deepEqual(data.changes, [10, 15, 55, 75]);
});

/* ---- as of a day ---- */

test("indexAt: [start, end), open bounds, gaps are unknown", () => {
  const periods = [
    period(0, null, "2013-03-02"),
    period(1, "2013-03-02", "2014-06-10"),
    period(2, "2015-01-01", null),
  ];
  assert.equal(core.indexAt(periods, off("2000-01-01")), 0);
  assert.equal(core.indexAt(periods, off("2013-03-01")), 0);
  assert.equal(core.indexAt(periods, off("2013-03-02")), 1);
  assert.equal(core.indexAt(periods, off("2014-06-09")), 1);
  assert.equal(core.indexAt(periods, off("2014-06-10")), -1);
  assert.equal(core.indexAt(periods, off("2014-12-31")), -1);
  assert.equal(core.indexAt(periods, off("2015-01-01")), 2);
  assert.equal(core.indexAt(periods, off("2099-01-01")), 2);
  assert.equal(core.indexAt([], 0), -1);
});

test("isUncertain: inside the month or year of an imprecise bound only", () => {
  const month = period(0, "2014-06-01", "2015-03-01", flags(MONTH, MONTH));
  assert.equal(core.isUncertain(month, off("2014-06-01")), true);
  assert.equal(core.isUncertain(month, off("2014-06-30")), true);
  assert.equal(core.isUncertain(month, off("2014-07-01")), false);
  assert.equal(core.isUncertain(month, off("2015-02-28")), false);
  // The end bound's month is the month after the last day held.
  assert.equal(core.isUncertain(month, off("2015-03-01")), true);
  const year = period(0, "2013-01-01", null, flags(YEAR, DAY));
  assert.equal(core.isUncertain(year, off("2013-12-31")), true);
  assert.equal(core.isUncertain(year, off("2014-01-01")), false);
  const day = period(0, "2013-05-01", "2013-06-01", flags(DAY, DAY));
  assert.equal(core.isUncertain(day, off("2013-05-01")), false);
  const open = period(0, null, null, flags(YEAR, YEAR));
  assert.equal(core.isUncertain(open, off("2013-05-01")), false);
  // Before the origin (no month table there) it still counts months right.
  const early = period(0, "2010-12-01", "2011-02-01", flags(MONTH, DAY));
  assert.equal(core.isUncertain(early, off("2010-12-31")), true);
  assert.equal(core.isUncertain(early, off("2011-01-01")), false);
});

test("siteState and statusIndexOf give the page's state of a site", () => {
  const control = [period(0, null, "2014-06-01", flags(DAY, MONTH)), period(1, "2014-08-01", null)];
  const status = [[1, off("2012-01-01"), off("2013-01-01"), 0]];
  assert.deepEqual(core.siteState(control, status, off("2012-05-05")), { k: 0, j: 0, uncertain: false });
  assert.deepEqual(core.siteState(control, status, off("2014-06-15")), { k: -1, j: -1, uncertain: false });
  assert.deepEqual(core.siteState(control, status, off("2014-05-31")), { k: 0, j: -1, uncertain: false });
  assert.deepEqual(core.siteState(control, status, off("2014-06-01")), { k: -1, j: -1, uncertain: false });
  const uncertainEnd = [period(0, null, "2014-06-01", flags(DAY, MONTH))];
  // The month of an imprecise end is uncertain only where the period still holds.
  assert.equal(core.siteState(uncertainEnd, [], off("2014-05-31")).uncertain, false);
  assert.equal(core.statusIndexOf(status, { j: 0 }), 1);
  assert.equal(core.STATUS[core.statusIndexOf(status, { j: -1 })], "unknown");
});

/* ---- wording ---- */

test("whenText: same wording as map_encoding.when_label", () => {
  const periods = [
    period(0, null, "2013-03-02"),
    period(1, "2014-06-01", "2017-11-03", flags(MONTH, DAY)),
    period(2, "2018-01-01", null, flags(YEAR, DAY)),
  ];
  assert.equal(core.whenText(periods, 0, 10), "until 2 Mar 2013");
  assert.equal(core.whenText(periods, 1, off("2015-01-01")), "Jun 2014 – 3 Nov 2017");
  assert.equal(core.whenText(periods, 2, off("2019-01-01")), "since 2018");
  assert.equal(core.whenText([period(0, null, null)], 0, 5), "always on record");
});

test("gapText names the periods around a gap", () => {
  const periods = [
    period(0, null, "2013-03-02"),
    period(1, "2014-06-01", "2017-11-03", flags(MONTH, DAY)),
  ];
  assert.equal(core.whenText(periods, -1, off("2013-05-01")), "no record, 2 Mar 2013 – Jun 2014");
  assert.equal(core.gapText(periods, off("2018-01-01")), "no record since 3 Nov 2017");
  assert.equal(core.gapText([period(0, "2014-06-01", null, flags(MONTH))], 0),
    "no record until Jun 2014");
  assert.equal(core.gapText([], 0), "no record");
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
  assert.deepEqual(core.PRECISION, ["day", "month", "year"]);
  assert.deepEqual(Object.keys(core.COUNTRY).sort(), ["IQ", "SY"]);
});

test("markers that share a point sit side by side, Syrian side west", () => {
  const sites = [["a", "", "", "IQ", 41.0, 34.0, 0], ["b", "", "", "SY", 41.0, 34.0, 0],
    ["c", "", "", "SY", 42.0, 34.0, 0]];
  assert.deepEqual(core.coLocatedOffsets(sites), [11, -11, 0]);
});
