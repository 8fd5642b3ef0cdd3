// The page scripts' words (static/js/atlas-core.js t, setStrings) and dates in Arabic
// with either digits (run: node --test tests/js/). Node has full ICU, as browsers do.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const core = require("../../static/js/atlas-core.js");

core.setOrigin("2011-01-01");
const off = (iso) => core.offsetOf(iso);
const bound = (lo, hi, q = 0) => ({ earliest: off(lo), latest: off(hi), qualifiers: q });

// A few strings as js_strings.py sends them for ?lang=ar (the catalogue's words).
const ARABIC = {
  lang: "ar", date_locale: "ar-SY",
  "date.sometime": "في وقت ما {window}", "date.in": "في {date}",
  "date.between": "بين {first} و{last}", "date.by": "بحلول {date}",
  "date.uncertain": "{date} (غير مؤكد)", "when.since": "منذ {date}", "when.arrow": " ← ",
  "status.closed": "مغلق",
};

test("t fills placeholders and falls back to English without the page's block", () => {
  core.setStrings(null);
  assert.equal(core.t("when.since", { date: "Jun 2014" }), "since Jun 2014");
  assert.equal(core.t("table.count", { shown: 3, total: 10 }), "3 of 10 sites");
  assert.equal(core.t("when.since"), "since {date}");
  assert.equal(core.t("no.such.key"), "no.such.key");
  assert.equal(core.word("status.closed", "closed"), "closed");
  assert.equal(core.num(2014), "2014");
});

test("the block's strings win; keys it lacks stay English", () => {
  core.setStrings({ ...ARABIC, digits: "latn" });
  assert.equal(core.t("when.since", { date: "x" }), "منذ x");
  assert.equal(core.t("play.pause"), "Pause");
  assert.equal(core.word("status.closed", "closed"), "مغلق");
  assert.equal(core.word("status.open", "open"), "open");
});

test("Arabic dates take the Levantine month names, with Latin digits", () => {
  core.setStrings({ ...ARABIC, digits: "latn" });
  assert.equal(core.longDate(off("2014-06-04")), "4 حزيران 2014");
  assert.equal(core.shortText(bound("2014-06-01", "2014-06-30")), "حزيران 2014");
  assert.equal(core.shortText(bound("2024-12-07", "2024-12-31")), "7–31 كانون الأول 2024");
  assert.equal(core.readingText(bound("2024-12-07", "2024-12-31")),
    "في وقت ما بين 7 و31 كانون الأول 2024");
  assert.equal(core.windowText(bound("2014-06-01", "2014-06-30", 1)), "في حزيران 2014 (غير مؤكد)");
  assert.equal(core.shortText({ earliest: null, latest: off("2013-12-31"), qualifiers: 0 }),
    "بحلول 31 كانون الأول 2013");
});

test("Arabic dates with Arabic-Indic digits", () => {
  core.setStrings({ ...ARABIC, digits: "arab" });
  assert.equal(core.longDate(off("2014-06-04")), "٤ حزيران ٢٠١٤");
  assert.equal(core.shortText(bound("2014-01-01", "2014-12-31")), "٢٠١٤");
  assert.equal(core.readingText(bound("2024-12-07", "2024-12-31")),
    "في وقت ما بين ٧ و٣١ كانون الأول ٢٠٢٤");
  assert.equal(core.num(1234), "١٢٣٤");
});

test("English output is unchanged after switching back", () => {
  core.setStrings({ lang: "en", digits: "latn", date_locale: "en" });
  assert.equal(core.longDate(off("2016-03-04")), "4 March 2016");
  assert.equal(core.readingText(bound("2024-12-07", "2024-12-31")),
    "sometime between 7 and 31 December 2024");
});

test("the table filter folds Arabic letter forms as search.py does", () => {
  const pairs = [["أبو كمال", "ابو كمال"], ["الرمادي", "الرمادى"], ["ربيعة", "ربيعه"],
    ["اليَعْرُبِيَّة", "اليعربيه"], ["البوكمـــال", "البوكمال"], ["مؤتة", "موته"], ["ٱلقائم", "القايم"]];
  for (const [a, b] of pairs) assert.equal(core.fold(a), core.fold(b), a);
});

test("in Arabic, actors and site labels take their Arabic names where the block has them", () => {
  const block = () => ({
    vocabulary: {
      statuses: ["open", "closed", "restricted", "unknown"], confidences: ["high"],
      precisions: ["day"], kinds: ["crossing_side"], kind_labels: ["side"], countries: {},
    },
    origin: "2011-01-01", control: [], status: [], changes: [],
    actors: [
      ["isis", "Islamic State", "#000000", "ISIS", "IS", "تنظيم الدولة", "داعش"],
      ["new", "New actor", "#111111", "New", "NA", "", ""],
    ],
    sites: [["al-tanf", "al-Tanf", "التنف", "SY", 38.6, 33.5, 0], ["x", "X", "", "IQ", 40, 34, 0]],
  });
  core.setStrings({ ...ARABIC, digits: "latn" });
  const ar = core.prepare(block());
  assert.deepEqual(ar.actors.map((a) => [a[1], a[3]]), [["تنظيم الدولة", "داعش"], ["New actor", "New"]]);
  assert.deepEqual(ar.shown, ["التنف", "X"]);
  core.setStrings(null);
  const en = core.prepare(block());
  assert.deepEqual(en.actors.map((a) => a[3]), ["ISIS", "New"]);
  assert.deepEqual(en.shown, ["al-Tanf", "X"]);
});

test("last verified: Intl words and pluralises the age in Arabic, with the chosen digits", () => {
  const today = off("2026-11-30"), verified = off("2025-09-30");
  core.setStrings({ ...ARABIC, digits: "arab", "fresh.ago": "آخر تحقق {ago}" });
  assert.equal(core.verifiedText(verified, today), "آخر تحقق قبل ١٤ شهرًا");
  core.setStrings({ ...ARABIC, digits: "latn", "fresh.ago": "آخر تحقق {ago}" });
  assert.equal(core.verifiedText(verified, today), "آخر تحقق قبل 14 شهرًا");
  core.setStrings(null);
});
