#!/usr/bin/env node
// The page's wording of bounds in a language, for tests to compare with the server's
// (tests/web/test_js_strings.py).
//
// stdin:  {"strings": <the page's strings block, app/web/js_strings.py>,
//          "bounds": [[earliest ISO day or null, latest or null, qualifier bits]…]}
// stdout: {"english": <atlas-core.js's English strings>,
//          "words": [[shortText, readingText, windowText] for each bound]}
"use strict";

const path = require("node:path");
const core = require(path.join(__dirname, "..", "..", "static", "js", "atlas-core.js"));

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { strings, bounds } = JSON.parse(input);
  const english = { ...core.ENGLISH };
  core.setOrigin("2000-01-01");
  core.setStrings(strings);
  const day = (iso) => (iso === null ? null : core.offsetOf(iso));
  const words = bounds.map(([lo, hi, q]) => {
    const b = { earliest: day(lo), latest: day(hi), qualifiers: q };
    return [core.shortText(b), core.readingText(b), core.windowText(b)];
  });
  process.stdout.write(JSON.stringify({ english, words }));
});
