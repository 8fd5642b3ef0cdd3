#!/usr/bin/env node
// The map page's answer to "who held each site on day D", for tests to compare with the
// server's (tests/core/test_asof_agreement.py).
//
// stdin:  {"data": <the map data block, as app.core.map_encoding.encode returns it>,
//          "days": [day offsets from data.origin]}
// stdout: {"origin": ..., "changes": [absolute change days],
//          "sites": [slug…], "answers": [[state of each site on days[0]], …]}
// where a state is {controller: actor slug or null, since, until: ISO dates or null,
// uncertain, status: status name}. It uses the page's own functions (atlas-core.js:
// prepare, siteState, statusIndexOf, isoOf), as atlas-map.js's Explorer.show does.
"use strict";

const path = require("node:path");
const core = require(path.join(__dirname, "..", "..", "static", "js", "atlas-core.js"));

function answer(data, i, d) {
  const control = data.control[i], status = data.status[i];
  const state = core.siteState(control, status, d);
  const p = state.k < 0 ? null : control[state.k];
  return {
    controller: p ? data.actors[p[0]][0] : null,
    since: p && p[1] !== null ? core.isoOf(p[1]) : null,
    until: p && p[2] !== null ? core.isoOf(p[2]) : null,
    uncertain: state.uncertain,
    status: core.STATUS[core.statusIndexOf(status, state)],
  };
}

function main(input) {
  const request = JSON.parse(input);
  const data = core.prepare(request.data);
  return {
    origin: data.origin,
    changes: data.changes,
    sites: data.sites.map((s) => s[0]),
    answers: request.days.map((d) => data.sites.map((_, i) => answer(data, i, d))),
  };
}

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(main(Buffer.concat(chunks).toString("utf8"))));
});
