// Leaflet's first part: the modules its own entry (leaflet/src/Leaflet.js) evaluates first,
// in the same order. scripts/vendor_assets.py builds it and second.js with esbuild into
// static/vendor/leaflet/parts/; static/js/leaflet-load.js evaluates them in two tasks.
export { version } from "leaflet/package.json";
export * from "leaflet/src/control/index";
export * from "leaflet/src/core/index";
export * from "leaflet/src/dom/index";
export * from "leaflet/src/geometry/index";
export * from "leaflet/src/geo/index";
