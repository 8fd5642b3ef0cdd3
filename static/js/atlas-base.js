// Border Control Atlas — the base map: builds the Leaflet map from the page's #atlas-base
// block (app/core/base_map.py: view, boundary layers, country names, optional tiles) and
// hands it, with its layer control, to atlas-map.js, which draws the sites and the slider.
(function () {
  "use strict";

  function build(config) {
    const view = config.view;
    const map = L.map("atlas-map", {
      center: view.center,
      zoom: view.zoom,
      maxBounds: view.maxBounds,
      zoomControl: true,
    });
    L.control.scale().addTo(map);
    const bases = {};
    if (config.tiles) {
      bases[config.tiles.name] = L.tileLayer(config.tiles.url, {
        attribution: config.tiles.attribution,
      }).addTo(map);
    }
    const control = L.control.layers(bases, {}, { collapsed: true, position: "topright" }).addTo(map);
    map.fitBounds(view.fit);
    // Each boundary layer, the country names and then the sites in a task of their own, in
    // this order (the layer control lists them so): on a slow phone the base map and the
    // sites in one go would hold the page for one long task.
    const steps = config.layers.map((layer) => () => addLayer(map, control, layer));
    steps.push(() => addNames(map, config.labels));
    steps.push(() => window.AtlasMap.attach(map, control, config.plugin));
    window.AtlasCore.inTurns(steps);
  }

  function addLayer(map, control, layer) {
    const drawn = L.geoJson(layer.data, {
      style: (feature) => feature.properties.style,
      interactive: layer.interactive,
    });
    if (layer.tooltip) drawn.bindTooltip(layer.tooltip, { sticky: true });
    control.addOverlay(drawn.addTo(map), layer.name);
  }

  // Country names at a point inside each country: the base map has no tiles of its own.
  function addNames(map, labels) {
    const names = L.layerGroup();
    for (const [name, lat, lon] of labels) {
      const icon = L.divIcon({ html: "", className: "country-label", iconSize: [120, 16], iconAnchor: [60, 8] });
      const marker = L.marker([lat, lon], { icon: icon, interactive: false, keyboard: false });
      marker.on("add", () => { marker.getElement().textContent = name; });
      names.addLayer(marker);
    }
    names.addTo(map);
  }

  function start() {
    const block = document.getElementById("atlas-base");
    if (block) build(JSON.parse(block.textContent));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
