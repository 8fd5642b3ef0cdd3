#!/usr/bin/env node
// The map page's answer to "who held each site on day D", for tests to compare with the
// server's (tests/core/test_asof_agreement.py).
//
// stdin:  {"data": <the map data block as the page gets it (map_encoding.packed)>,
//          "days": [day offsets from data.origin]}
// stdout: {"origin": ..., "changes": [the block's change days, absolute],
//          "js_changes": [ISO days on which the page's own answer for some site differs
//                         from the day before],
//          "sites": [slug…], "answers": [[state of each site on days[0]], …]}
// where a state is {controller: actor slug or null, since, until: bounds or null,
// uncertain, transition: null or {from, to, candidates: [actor slugs], window: bound,
// names: [actor names, "unknown" at an open side]}, status: status name, status_transition:
// null or {from, to, candidates: [status names], window: bound}, status_text: the table's
// status words, when: the table text, tracked, contested, challenger: actor slug or null,
// confidence: null when unknown (marksOf: in a window its candidates')}, a bound being {earliest, latest: ISO days or null, precision, uncertain,
// approximate}. It uses the page's own functions (atlas-core.js: prepare, siteState,
// statusIndexOf, whenText, valueKey…), as atlas-map.js's Explorer does.
"use strict";

const path = require("node:path");
const core = require(path.join(__dirname, "..", "..", "static", "js", "atlas-core.js"));

const iso = (d) => (d === null ? null : core.isoOf(d));

function bound(b) {
  if (!b) return null;
  return {
    earliest: iso(b.earliest), latest: iso(b.latest), precision: core.PRECISION[b.precision],
    uncertain: (b.qualifiers & 1) !== 0, approximate: (b.qualifiers & 2) !== 0,
  };
}

function answer(data, i, d) {
  const control = data.control[i], status = data.status[i];
  const state = core.siteState(control, status, d);
  const p = state.k < 0 ? null : control[state.k];
  const t = state.transition;
  const slug = (k) => (k < 0 ? null : data.actors[control[k][0]][0]);
  const name = (a) => data.actors[a][1];
  const marks = core.marksOf(control, state);
  return {
    controller: p ? data.actors[p[0]][0] : null,
    since: p ? bound(core.holdBounds(control, state.k)[0]) : null,
    until: p ? bound(core.holdBounds(control, state.k)[1]) : null,
    uncertain: state.uncertain,
    transition: t && {
      from: slug(core.outgoingOf(t)),
      to: slug(core.incomingOf(t)),
      candidates: t.ks.map(slug),
      names: core.chain(control, t, name),
      window: bound(t.window),
      reading: core.readingText(t.window),
    },
    status: core.STATUS[core.statusIndexOf(status, state)],
    status_transition: state.status.transition && statusChange(status, state.status.transition),
    status_text: core.statusWords(status, state.status),
    when: core.whenText(control, state, name),
    tracked: core.isTracked(data.sites[i]),
    contested: marks.contested,
    challenger: marks.challenger < 0 ? null : data.actors[marks.challenger][0],
    confidence: marks.confidence,
  };
}

// A status changing in a window, as queries._status_transition (the window as a bound).
function statusChange(status, t) {
  const value = (k) => (k < 0 ? null : core.STATUS[status[k][0]]);
  return {
    from: value(core.outgoingOf(t)), to: value(core.incomingOf(t)),
    candidates: t.ks.map(value), window: bound(t.window),
  };
}

// The days on which some site's answer changes, by the page's own rule for one site
// (siteChangeDays: the "next change" of a site's scope), gathered over every site.
function changePoints(data) {
  const out = new Set();
  data.control.forEach((control, i) => {
    for (const d of core.siteChangeDays(control, data.status[i])) out.add(d);
  });
  return [...out].sort((a, b) => a - b).map(core.isoOf);
}

function main(input) {
  const request = JSON.parse(input);
  const data = core.prepare(request.data);
  return {
    origin: data.origin,
    changes: data.changes,
    js_changes: changePoints(data),
    sites: data.sites.map((s) => s[0]),
    answers: request.days.map((d) => data.sites.map((_, i) => answer(data, i, d))),
  };
}

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(main(Buffer.concat(chunks).toString("utf8"))));
});
