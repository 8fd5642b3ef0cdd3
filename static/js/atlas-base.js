// Border Control Atlas — the base map: builds the Leaflet map from the page's #atlas-base
// block (app/core/base_map.py: view, boundary layers, country names, optional tiles) and
// hands it, with its layer control, to atlas-map.js, which draws the sites and the slider.
(function () {
  "use strict";

  // Leaflet writes its scale as "50 km" in English and Latin digits; this one in the
  // reader's units and digits. _updateScale(scale, text, ratio) is the one place every
  // length passes through (Leaflet 1.x). Made when the map is: Leaflet comes later.
  function readersScale(options) {
    const Scale = L.Control.Scale.extend({
      _updateScale(scale, text, ratio) {
        const [n, unit] = text.split(" ");
        const core = window.AtlasCore;
        L.Control.Scale.prototype._updateScale.call(
          this, scale, core.t("map.scale." + unit, { n: core.num(Number(n)) }), ratio);
      },
    });
    return new Scale(options);
  }

  function build(config) {
    const view = config.view;
    let map, control;
    // The map, its controls and view, each boundary layer (shape by shape), the country
    // names and then the sites, in this order (the layer control lists them so), in turns
    // (AtlasCore.inTurns): on a slow phone the base map and the sites in one go would hold
    // the page for one long task, and so would the map with its controls, or the countries'
    // dozen shapes.
    const steps = [() => {
      // Its zoom buttons and attribution come next, as Leaflet would add them.
      map = L.map("atlas-map", {
        center: view.center,
        zoom: view.zoom,
        maxBounds: view.maxBounds,
        zoomControl: false,
        attributionControl: false,
      });
      // Leaflet measures its box when made and on window resizes only: the parts of the
      // page that load after it (the time bar, the table) can change the box, and a stale
      // size puts centring, panning and popups outside the visible map.
      if (window.ResizeObserver) {
        new ResizeObserver(() => map.invalidateSize({ animate: false })).observe(map.getContainer());
      }
      // A marker focused outside the view (Tab) makes the browser scroll the map's box to it
      // before any focus handler runs; Leaflet undoes that only at the next "scroll" event, a
      // frame later. Undone at once (capture, ahead of the markers' own handlers): until then
      // every marker sat a box-scroll away from where Leaflet's panning put it.
      map.getContainer().addEventListener("focus", () => {
        const box = map.getContainer();
        box.scrollTop = 0;
        box.scrollLeft = 0;
      }, true);
    }, () => {
      const t = window.AtlasCore.t;
      map.zoomControl = L.control.zoom({
        zoomInTitle: t("map.zoom_in"),
        zoomOutTitle: t("map.zoom_out"),
      }).addTo(map);
      L.control.attribution().addTo(map);
      // Feet and miles only for English readers: the region measures in metres.
      readersScale({ imperial: window.AtlasCore.language() === "en" }).addTo(map);
      const bases = {};
      if (config.tiles) {
        bases[config.tiles.name] = L.tileLayer(config.tiles.url, {
          attribution: config.tiles.attribution,
        }).addTo(map);
      }
      control = L.control.layers(bases, {}, { collapsed: true, position: "topright" }).addTo(map);
      // Leaflet names its layers button in English only.
      const toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
      if (toggle) toggle.title = t("map.layers");
      // Drawn at once at the view that fits the region: a zoom gliding there at load is motion
      // for nothing, and a view set while it glides (a site in the address) is lost when it lands.
      map.fitBounds(view.fit, { animate: false });
    }];
    for (const layer of config.layers) steps.push(() => addLayer(map, control, layer));
    steps.push(() => addNames(map, config.labels));
    steps.push(() => window.AtlasMap.attach(map, control, config.plugin));
    window.AtlasCore.inTurns(steps);
  }

  // Generator: the layer, then its shapes one a step (for inTurns).
  function* addLayer(map, control, layer) {
    const drawn = L.geoJson(null, {
      style: (feature) => feature.properties.style,
      interactive: layer.interactive,
    });
    if (layer.tooltip) drawn.bindTooltip(layer.tooltip, { sticky: true });
    control.addOverlay(drawn.addTo(map), layer.name);
    // As L.GeoJSON.addData takes a collection apart, each shape drawn as it is added.
    for (const feature of layer.data.features || [layer.data]) {
      drawn.addData(feature);
      yield;
    }
  }

  // Country names at a point inside each country: the base map has no tiles of its own.
  // Their pane lies over the boundaries and under the sites (450) and their labels (460):
  // in Leaflet's marker pane (600) a name would cover a site's label where they meet.
  function addNames(map, labels) {
    const names = L.layerGroup();
    if (!map.getPane("atlasNames")) map.createPane("atlasNames").style.zIndex = 420;
    for (const [name, lat, lon] of labels) {
      const icon = L.divIcon({ html: "", className: "country-label", iconSize: [120, 16], iconAnchor: [60, 8] });
      const marker = L.marker([lat, lon], { icon: icon, interactive: false, keyboard: false, pane: "atlasNames" });
      marker.on("add", () => { marker.getElement().textContent = name; });
      names.addLayer(marker);
    }
    names.addTo(map);
  }

  function start() {
    const block = document.getElementById("atlas-base");
    if (block) build(JSON.parse(block.textContent));
  }

  // static/js/leaflet-load.js, a module, sets L after the page is parsed.
  if (window.L) start();
  else document.addEventListener("leaflet:ready", start, { once: true });
})();
