// Border Control Atlas — Leaflet, evaluated in two tasks (an ES module; the pages that draw
// a map load it). Leaflet's one script ran as one task of 50–90 ms on a phone-class CPU,
// the longest of a map's load; its two parts (static/vendor/leaflet/parts, built from
// Leaflet's sources by scripts/vendor_assets.py) are evaluated a task apart. Then, as
// Leaflet's own script does, window.L holds it (noConflict gives the previous L back), and
// "leaflet:ready" on the document starts the scripts that wait for it.
// No top-level await: browsers as old as the rest of the map's code run it.
async function load() {
  const first = await import("../vendor/leaflet/parts/first.js");
  await new Promise((resolve) => setTimeout(resolve));
  const second = await import("../vendor/leaflet/parts/second.js");
  const previous = window.L;
  window.L = Object.assign({}, first, second, {
    noConflict: function () {
      window.L = previous;
      return this;
    },
  });
  document.dispatchEvent(new Event("leaflet:ready"));
}

load();
