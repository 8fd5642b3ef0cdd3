"""The map page and the API agree on every site, on every change point of the seed.

For each change point the page's own data block names (and the day before each, the first
and the last day), the page is moved there with its explorer's ``show`` and what it draws
(controller, since, until, uncertain, status, the marker's fill) is compared with
``/api/sites.geojson?date=D``, the SQL answer.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Runs in the page: every day's state of every site as the explorer shows it, and the
# API's answer for the same days, fetched in parallel.
_SWEEP = """async () => {
  const a = AtlasMap.instance, data = a.data, core = AtlasCore;
  const days = new Set([0, data.max]);
  for (const c of data.changes) for (const d of [c - 1, c]) {
    if (d >= 0 && d <= data.max) days.add(d);
  }
  const sorted = [...days].sort((x, y) => x - y), shown = [];
  for (const d of sorted) {
    a.show(d);
    shown.push(data.sites.map((s, i) => {
      const p = a.period(i), look = a.markers[i].look;
      return {
        slug: s[0],
        controller: p ? data.actors[p[0]][0] : null,
        since: p && p[1] !== null ? core.isoOf(p[1]) : null,
        until: p && p[2] !== null ? core.isoOf(p[2]) : null,
        uncertain: a.states[i].uncertain,
        status: core.STATUS[a.statusIndex(i)],
        fill: look.fill, gap: look.gap,
        colour: p ? data.actors[p[0]][2] : null,
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

FIELDS = ("controller", "since", "until", "uncertain", "status")


def test_page_and_api_agree_on_every_change_point(page, guard, live_server):
    page.goto(f"{live_server}/")
    page.wait_for_function("window.AtlasMap && AtlasMap.instance")
    sweep = page.evaluate(_SWEEP)
    changes = page.evaluate("AtlasMap.instance.data.changes.length")
    assert changes > 20 and len(sweep) > changes, "the seed should have many change points"
    disagreements = []
    for day in sweep:
        api = {p["slug"]: p for p in day["api"]}
        assert sorted(api) == sorted(s["slug"] for s in day["shown"]), day["date"]
        for shown in day["shown"]:
            served = {k: api[shown["slug"]][k] for k in FIELDS}
            drawn = {k: shown[k] for k in FIELDS}
            if drawn != served:
                disagreements.append((day["date"], shown["slug"], drawn, served))
            # The marker is painted with what the page computed.
            assert shown["gap"] == (shown["controller"] is None)
            assert shown["fill"] == (shown["colour"] or "#ffffff")
    assert disagreements == [], "\n".join(
        f"{date} {slug}: page {drawn} != API {served}"
        for date, slug, drawn, served in disagreements
    )
    guard.assert_clean()
