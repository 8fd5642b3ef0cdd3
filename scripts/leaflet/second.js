// Leaflet's second part: the rest of leaflet/src/Leaflet.js, in its order (see first.js).
export * from "leaflet/src/layer/index";
export * from "leaflet/src/map/index";
