/* Point picker for the site form: click the map or drag the marker to set lon/lat.
   Works offline: the base map is the boundary layers served by the editor. */
(function () {
  "use strict";
  var box = document.getElementById("point-picker");
  if (!box) { return; }
  // static/js/leaflet-load.js, a module, sets L after the page is parsed.
  if (window.L) { draw(); } else { document.addEventListener("leaflet:ready", draw, { once: true }); }

  function draw() {
    var lonInput = document.getElementById(box.dataset.lon);
    var latInput = document.getElementById(box.dataset.lat);

    function current() {
      var lon = parseFloat(lonInput.value), lat = parseFloat(latInput.value);
      return isFinite(lon) && isFinite(lat) ? L.latLng(lat, lon) : null;
    }

    // The marker's name in the page's language (app/web/js_strings.py), else English.
    var block = document.getElementById("atlas-strings");
    var strings = block ? JSON.parse(block.textContent) : {};
    var title = strings["picker.location"] || "Site location";

    var start = current();
    var map = L.map(box, { attributionControl: false, zoomControl: false })
      .setView(start || [34.5, 40.5], start ? 9 : 6);
    L.control.zoom({
      zoomInTitle: strings["map.zoom_in"] || "Zoom in",
      zoomOutTitle: strings["map.zoom_out"] || "Zoom out",
    }).addTo(map);
    var marker = null;

    function place(latlng, fromMap) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: title }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), true); });
      }
      marker.setLatLng(latlng);
      if (fromMap) {
        lonInput.value = latlng.lng.toFixed(5);
        latInput.value = latlng.lat.toFixed(5);
      }
    }

    if (start) { place(start, false); }
    map.on("click", function (e) { place(e.latlng, true); });
    [lonInput, latInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var p = current();
        if (p) { place(p, false); map.panTo(p); }
      });
    });

    fetch(box.dataset.layers, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (layers) {
        L.geoJSON(layers.countries, { style: { color: "#7a8699", weight: 1, fillColor: "#eef1f5", fillOpacity: 1 } }).addTo(map);
        L.geoJSON(layers.zone, { style: { color: "#a14a00", weight: 1, dashArray: "4 3", fillOpacity: 0.05 } }).addTo(map);
        L.geoJSON(layers.border, { style: { color: "#c0392b", weight: 2.5 } }).addTo(map);
        if (marker) { marker.bringToFront && marker.bringToFront(); }
      });
  }
}());
