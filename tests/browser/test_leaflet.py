"""Leaflet in two parts (static/js/leaflet-load.js) is the same Leaflet as its own build."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEAFLET_BUILD = ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js"

# Each export's kind; for a class, its members' names and kinds (own and inherited), its
# options, how many init hooks it has and its statics. Function bodies differ between two
# minifiers, so they are not compared; the hooks' order shows in the map built below.
_SHAPE = """(lib) => {
  const out = {};
  for (const name of Object.keys(lib)) {
    const v = lib[name];
    let s = typeof v;
    if (typeof v === "function" && v.prototype) {
      const members = [];
      for (const m in v.prototype) members.push(m + ":" + typeof v.prototype[m]);
      s += " " + members.sort().join(",");
      s += " options=" + JSON.stringify(v.prototype.options || null,
        (k, x) => (typeof x === "function" ? "function" : x));
      s += " hooks=" + (v.prototype._initHooks || []).length;
      s += " statics=" + Object.keys(v).sort().join(",");
    } else if (typeof v === "object" && v) {
      s += " " + Object.keys(v).sort().map((k) => k + ":" + typeof v[k]).join(",");
    }
    out[name] = s;
  }
  return out;
}"""

# A map drawn with each library: its own fields in order (each handler and control hook
# adds one), its handlers and its markup.
_BUILT = """(lib) => {
  const box = document.createElement("div");
  box.style.cssText = "width: 400px; height: 300px";
  document.body.appendChild(box);
  const map = lib.map(box, { center: [34.4, 40.9], zoom: 6 });
  lib.marker([34.4, 40.9]).addTo(map).bindPopup("Al-Qa'im").openPopup();
  lib.circleMarker([33.4, 38.6], { renderer: lib.canvas() }).addTo(map);
  lib.geoJSON({ type: "LineString", coordinates: [[41, 34], [42, 36]] }).addTo(map);
  lib.control.scale().addTo(map);
  lib.control.layers({}, {}).addTo(map);
  const built = {
    fields: Object.keys(map).join(","),
    handlers: Object.keys(map).filter((k) => map[k] instanceof lib.Handler).join(","),
    markup: box.innerHTML.replace(/\\d+(\\.\\d+)?/g, "#"),
  };
  map.remove();
  box.remove();
  return built;
}"""


def test_leaflet_in_parts_is_leaflets_own_build(page_without_csp, guard, live_server):
    page = page_without_csp
    page.goto(f"{live_server}/?date=2015-08-01")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    page.add_script_tag(path=str(LEAFLET_BUILD))
    # Leaflet's own script took window.L; noConflict gives the parts back.
    page.evaluate("window.LeafletBuild = L.noConflict()")
    assert page.evaluate("L !== LeafletBuild && L.version === LeafletBuild.version")
    parts = page.evaluate(f"({_SHAPE})(L)")
    build = page.evaluate(f"({_SHAPE})(LeafletBuild)")
    assert len(build) > 70
    assert sorted(parts) == sorted(build)
    assert [n for n in build if parts[n] != build[n]] == []
    assert page.evaluate(f"({_BUILT})(L)") == page.evaluate(f"({_BUILT})(LeafletBuild)")
    guard.assert_clean()
