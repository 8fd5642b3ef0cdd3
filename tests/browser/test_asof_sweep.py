"""The map page and the API agree on every site, on every change point of the seed.

For each change point the page's own data block names (and the day before each, the first
and the last day), the page is moved there with its explorer's ``show`` and what it draws
(controller, since, until, uncertain, the transition, status, the marks — contested,
challenger, confidence, a handover window's from its candidates —, the marker's fills and
the table's words) is compared with ``/api/sites.geojson?date=D``, the SQL answer, and with
``map_encoding.when_label`` of that answer.
"""

from __future__ import annotations

import pytest

from app.core.map_encoding import when_label

pytestmark = pytest.mark.browser

# Runs in the page: every day's state of every site as the explorer shows it, and the
# API's answer for the same days, fetched in parallel.
_SWEEP = """async () => {
  const a = AtlasMap.instance, data = a.data, core = AtlasCore;
  const days = new Set([0, data.max]);
  for (const c of data.changes) for (const d of [c - 1, c]) {
    if (d >= 0 && d <= data.max) days.add(d);
  }
  const iso = (d) => d === null ? null : core.isoOf(d);
  const sorted = [...days].sort((x, y) => x - y), shown = [];
  for (const d of sorted) {
    a.show(d);
    shown.push(data.sites.map((s, i) => {
      const p = a.period(i), look = a.markers[i].look, state = a.states[i];
      const t = state.transition, control = data.control[i];
      const slug = (k) => k < 0 ? null : data.actors[control[k][0]][0];
      // The page's since and until are the hold's (timeline.hold), as the API's.
      const [start, end] = p ? core.holdBounds(control, state.k) : [null, null];
      const marks = a.marks(i);
      return {
        slug: s[0],
        controller: p ? data.actors[p[0]][0] : null,
        since: start ? iso(start.earliest) : null,
        until: end ? iso(end.earliest) : null,
        since_precision: start ? core.PRECISION[start.precision] : null,
        until_precision: end ? core.PRECISION[end.precision] : null,
        uncertain: state.uncertain,
        transition: t ? {
          from: slug(core.outgoingOf(t)), to: slug(core.incomingOf(t)),
          candidates: t.ks.map(slug),
          earliest: iso(t.window.earliest), latest: iso(t.window.latest),
          reading: core.readingText(t.window),
        } : null,
        status: core.STATUS[a.statusIndex(i)],
        tracked: a.tracked[i],
        contested: marks.contested,
        challenger: marks.challenger < 0 ? null : data.actors[marks.challenger][0],
        confidence: marks.confidence,
        when: core.whenText(control, state, (n) => data.actors[n][1]),
        fills: look.fills, gap: look.gap, untracked: look.untracked,
        colours: a.colours(i),
      };
    }));
  }
  const api = await Promise.all(sorted.map((d) =>
    fetch("/api/sites.geojson?date=" + core.isoOf(d)).then((r) => r.json())));
  return sorted.map((d, n) => ({
    date: core.isoOf(d), shown: shown[n],
    api: api[n].features.map((f) => f.properties),
  }));
}"""

FIELDS = (
    "controller",
    "since",
    "until",
    "since_precision",
    "until_precision",
    "uncertain",
    "status",
    "tracked",
    "contested",
    "challenger",
    "confidence",
)
TRANSITION = ("from", "to", "candidates", "earliest", "latest", "reading")


def test_page_and_api_agree_on_every_change_point(page, guard, live_server):
    page.goto(f"{live_server}/")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    sweep = page.evaluate(_SWEEP)
    changes = page.evaluate("AtlasMap.instance.data.changes.length")
    assert changes > 20 and len(sweep) > changes, "the seed should have many change points"
    # The seed has contested handover windows (Rabia, summer 2014): the marks are tested there.
    assert any(p["transition"] and p["contested"] for day in sweep for p in day["api"]), (
        "the seed should have a contested handover window"
    )
    disagreements = []
    for day in sweep:
        api = {p["slug"]: p for p in day["api"]}
        assert sorted(api) == sorted(s["slug"] for s in day["shown"]), day["date"]
        for shown in day["shown"]:
            row = api[shown["slug"]]
            served = {k: row[k] for k in FIELDS}
            served["transition"] = row["transition"] and {
                k: row["transition"][k] for k in TRANSITION
            }
            served["when"] = when_label(row)
            drawn = {k: shown[k] for k in (*FIELDS, "transition", "when")}
            if drawn != served:
                disagreements.append((day["date"], shown["slug"], drawn, served))
            # The marker is painted with what the page computed.
            if not shown["tracked"]:
                assert shown["untracked"] and not shown["gap"]
                continue
            known = shown["controller"] is not None or shown["transition"] is not None
            assert shown["gap"] == (not known)
            assert shown["fills"] == shown["colours"]
            if shown["transition"]:
                assert len(shown["fills"]) >= 2
    assert disagreements == [], "\n".join(
        f"{date} {slug}: page {drawn} != API {served}"
        for date, slug, drawn, served in disagreements
    )
    guard.assert_clean()
