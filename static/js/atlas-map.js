/* Border Control Atlas: markers, time slider, state table and popups for the map page.
 *
 * Reads the compact time data block written by app/core/map_encoding.py (periods as day
 * offsets), keeps one marker per site and, when the date moves, repaints only the
 * markers and table rows whose state changed. All text goes in through textContent.
 */
(function () {
  "use strict";

  const {
    STATUS, STATUS_TEXT, prepare, isoOf, offsetOf, longDate, boundText, isContested,
    confidenceOf, challengerOf, sourcesOf, siteState, statusIndexOf, whenText, periodText,
    readingText, chain, isTracked, h, swatch, swatches, placeText, sourceItem, rowParts,
    gridTable, SiteMark, coLocatedOffsets, shortText,
  } = window.AtlasCore;

  // An event's date as Bound.short says it: a day, a month, a year or a window of days.
  const eventWhen = (e) => shortText({ earliest: e[0], latest: e[6] === undefined ? e[0] : e[6],
    qualifiers: 0 });

  const NO_CHALLENGER = "#4f5b66";
  const EVENT_WINDOW = 30;
  const PLAY_STEP_DAYS = 30;
  const PLAY_MS = 220;

  /* ---- the explorer: one per page ---- */

  function Explorer(map, control, options) {
    const data = prepare(JSON.parse(document.getElementById(options.data).textContent));
    this.map = map;
    this.data = data;
    this.options = options;
    this.keys = new Float64Array(data.sites.length).fill(NaN);
    this.tracked = data.sites.map(isTracked);
    this.states = new Array(data.sites.length);
    this.hiddenRows = new Set();
    this.staleRows = new Set();
    this.focused = -1;
    this.bySlug = new Map(data.sites.map((s, i) => [s[0], i]));
    this.rows = this.tableRows();
    this.el = {
      slider: document.getElementById("day-slider"),
      label: document.getElementById("day-label"),
      caption: document.getElementById("caption-day"),
      events: document.getElementById("event-list"),
      legend: document.getElementById(options.legend),
    };
    this.makeMarkers(control);
    this.makeEventLayer(control);
    this.bindControls();
  }

  // The server renders the first rows (all of them without JavaScript); build the rest.
  Explorer.prototype.tableRows = function () {
    const table = document.getElementById("state-table");
    const body = table ? table.tBodies[0] : null;
    const rows = this.data.sites.map((s, i) =>
      document.getElementById("row-" + s[0]) || (body ? body.appendChild(this.makeRow(i)) : null));
    const more = document.getElementById("more-rows");
    if (more) more.hidden = true;
    return rows;
  };

  Explorer.prototype.makeRow = function (i) {
    const site = this.data.sites[i];
    return h("tr", { id: "row-" + site[0] },
      h("th", { scope: "row" }, h("a", { href: this.options.siteUrl + encodeURIComponent(site[0]) },
        site[1]), " ", h("span", { class: "cc" }, site[3]), " ",
        h("span", { class: "ar", lang: "ar", dir: "rtl" }, site[2])),
      h("td"), h("td"), h("td"), h("td"));
  };

  // Sites are drawn on one canvas: a jump across years repaints a thousand markers in
  // a single pass instead of restyling a thousand DOM elements.
  Explorer.prototype.makeMarkers = function (control) {
    this.map.createPane("atlasSites").style.zIndex = 450;
    const renderer = L.canvas({ pane: "atlasSites", padding: 0.05, tolerance: 3 });
    const offsets = coLocatedOffsets(this.data.sites);
    this.markers = this.data.sites.map((s, i) => this.makeMarker(s, i, offsets[i], renderer));
    this.siteLayer = L.layerGroup(this.markers).addTo(this.map);
    control.addOverlay(this.siteLayer, "Crossings and sites");
  };

  Explorer.prototype.makeMarker = function (site, i, dx, renderer) {
    const marker = new SiteMark([site[5], site[4]], { renderer: renderer, dx: dx });
    // An element, not a string: Leaflet would parse a string as HTML.
    marker.bindTooltip(() => h("span", null, site[1]), { direction: "top", offset: [dx, -10] });
    marker.bindPopup(() => this.popup(i), { maxWidth: 340, offset: [dx, -4],
      autoPanPadding: [24, 24] });
    marker.on("popupopen", () => this.setFocus(i));
    marker.on("popupclose", () => { if (this.focused === i) this.setFocus(-1); });
    return marker;
  };

  Explorer.prototype.makeEventLayer = function (control) {
    this.eventMarkers = this.data.events.map((e) => e[3] === null ? null : L.marker(
      [e[4], e[3]], {
        icon: L.divIcon({ className: "atlas-event", iconSize: [14, 14], iconAnchor: [7, 22] }),
        title: e[2], zIndexOffset: 500,
      }).bindPopup(() => this.eventPopup(e)));
    this.eventLayer = L.layerGroup().addTo(this.map);
    this.visibleEvents = new Set();
    control.addOverlay(this.eventLayer, "Events within 30 days");
  };

  /* ---- state and repaint ---- */

  // Show the map as of day `d`; only sites whose state changed are repainted.
  Explorer.prototype.show = function (d) {
    d = Math.max(0, Math.min(this.data.max, Math.round(d)));
    this.day = d;
    const control = this.data.control, status = this.data.status;
    for (let i = 0; i < control.length; i++) {
      const state = siteState(control[i], status[i], d);
      const key = stateKey(state);
      if (key === this.keys[i]) continue;
      this.keys[i] = key;
      this.states[i] = state;
      this.paintMarker(i);
      this.queueRow(i);
      if (i === this.focused) this.markers[i].setPopupContent(this.popup(i));
    }
    this.catchUpRows();
    this.showDate(d);
    this.showEvents(d);
    this.countActors();
  };

  // One number per distinct state of a site: its holder or the periods changing hands
  // (a transition's window follows from them), its status period, uncertain.
  function stateKey(state) {
    const t = state.transition, j = state.j + 1;
    if (!t) return ((state.k + 1) * 4096 + j) * 2 + (state.uncertain ? 1 : 0);
    const first = t.ks[0], last = t.ks[t.ks.length - 1];
    return -1 - ((((first * 4096 + last) * 2 + (t.before ? 1 : 0)) * 2 + (t.after ? 1 : 0)) * 4096 + j);
  }

  // The control period that certainly holds on the day shown, or null.
  Explorer.prototype.period = function (i) {
    const k = this.states[i].k;
    return k < 0 ? null : this.data.control[i][k];
  };

  // The handover under way on the day shown, or null.
  Explorer.prototype.transition = function (i) {
    return this.tracked[i] ? this.states[i].transition : null;
  };

  Explorer.prototype.actorName = function (a) {
    return this.data.actors[a][1];
  };

  // The colours of a state, in time order: the holder's, or each side of a handover
  // (null: unknown side); none when unknown.
  Explorer.prototype.colours = function (i) {
    const t = this.transition(i), control = this.data.control[i], actors = this.data.actors;
    if (t) {
      const sides = t.ks.map((k) => actors[control[k][0]][2]);
      return (t.before ? [null] : []).concat(sides, t.after ? [null] : []);
    }
    const p = this.period(i);
    return p ? [actors[p[0]][2]] : [];
  };

  // The table's and the popup's "since / until" text (map_encoding.when_label).
  Explorer.prototype.whenText = function (i) {
    if (!this.tracked[i]) return "";
    return whenText(this.data.control[i], this.states[i], (a) => this.actorName(a));
  };

  Explorer.prototype.statusIndex = function (i) {
    return statusIndexOf(this.data.status[i], this.states[i]);
  };

  Explorer.prototype.paintMarker = function (i) {
    this.markers[i].paint(this.look(i));
  };

  // How a site's marker looks: fill(s), status shape, outline, contest ring, focus.
  Explorer.prototype.look = function (i) {
    const status = this.statusIndex(i), focus = i === this.focused;
    if (!this.tracked[i]) {
      return { shape: status, fills: [], untracked: true, gap: false, dashed: false, ring: null,
        focus: focus };
    }
    const p = this.period(i), actors = this.data.actors, t = this.transition(i);
    const challenger = p && isContested(p) ? challengerOf(p) : -1;
    return {
      shape: status, fills: this.colours(i), untracked: false, gap: !p && !t,
      dashed: !p || this.states[i].uncertain, focus: focus,
      ring: p && isContested(p) ? (challenger >= 0 ? actors[challenger][2] : NO_CHALLENGER) : null,
    };
  };

  // Rows scrolled out of view are skipped by the browser (content-visibility: auto);
  // they are brought up to date when they come back, or when the page is idle.
  Explorer.prototype.queueRow = function (i) {
    if (this.hiddenRows.has(i)) {
      this.staleRows.add(i);
    } else {
      this.staleRows.delete(i);
      this.paintRow(i);
    }
  };

  Explorer.prototype.catchUpRows = function () {
    if (this.idle || !this.staleRows.size) return;
    const later = window.requestIdleCallback || ((f) => setTimeout(() => f({ timeRemaining: () => 8 }), 50));
    this.idle = later((deadline) => {
      this.idle = null;
      for (const i of this.staleRows) {
        if (deadline.timeRemaining() < 2) break;
        this.staleRows.delete(i);
        this.paintRow(i);
      }
      this.catchUpRows();
    });
  };

  Explorer.prototype.rowShown = function (ev) {
    const i = this.rowIndex.get(ev.target);
    if (i === undefined) return;
    if (ev.skipped) {
      this.hiddenRows.add(i);
    } else {
      this.hiddenRows.delete(i);
      if (this.staleRows.delete(i)) this.paintRow(i);
    }
  };

  // The same cells as app/templates/index.html renders for a state_at row.
  Explorer.prototype.paintRow = function (i) {
    const row = this.rows[i];
    if (!row) return;
    const cell = row.parts || (row.parts = rowParts(row));
    const tracked = this.tracked[i], t = this.transition(i);
    const p = tracked ? this.period(i) : null, actor = p ? this.data.actors[p[0]] : null;
    const status = this.statusIndex(i), confidence = p ? confidenceOf(p) : "";
    cell.swatches.replaceChildren(...swatches(tracked ? this.colours(i) : [], !tracked));
    cell.name.textContent = !tracked ? "not tracked for control" : actor ? actor[3] || actor[1]
      : t ? "" : "Unknown";
    cell.name.title = actor ? actor[1] : "";
    cell.contested.hidden = !(p && isContested(p));
    cell.uncertain.hidden = !(p && this.states[i].uncertain);
    cell.changing.hidden = !t;
    cell.when.textContent = this.whenText(i);
    const shown = tracked || STATUS[status] !== "unknown";
    cell.status.className = shown ? "status status-" + STATUS[status] : "";
    cell.status.textContent = shown ? STATUS_TEXT[status] : "";
    cell.confidence.className = "conf conf-" + confidence;
    cell.confidence.textContent = confidence;
  };

  // The popup's "who" line: the holder, the sides of a handover, unknown, not tracked.
  Explorer.prototype.controllerNodes = function (i, p) {
    if (!this.tracked[i]) return [...swatches([], true), "Not tracked for control"];
    const t = this.transition(i);
    if (t) {
      const names = chain(this.data.control[i], t, (a) => this.actorName(a));
      return [...swatches(this.colours(i)), names.join(" → "), " ",
        h("span", { class: "tag tag-changing" }, "changing hands")];
    }
    if (!p) return [...swatches([]), "Unknown"];
    const nodes = [swatch(this.data.actors[p[0]][2]), this.data.actors[p[0]][1]];
    if (isContested(p)) nodes.push(" ", h("span", { class: "tag" }, "contested"));
    if (this.states[i].uncertain) nodes.push(" ", h("span", { class: "tag" }, "date uncertain"));
    return nodes;
  };

  Explorer.prototype.showDate = function (d) {
    const text = longDate(d), el = this.el;
    if (el.slider) {
      el.slider.value = String(d);
      el.slider.setAttribute("aria-valuetext", text);
    }
    if (el.label) {
      el.label.textContent = text;
      el.label.setAttribute("datetime", isoOf(d));
    }
    if (el.caption) el.caption.textContent = text;
    const date = document.getElementById("date");
    if (date && document.activeElement !== date) date.value = isoOf(d);
    document.title = text + " · Border Control Atlas";
    for (const a of document.querySelectorAll("a[data-date-link]")) {
      const url = new URL(a.href);
      url.searchParams.set("date", isoOf(d));
      a.href = url.pathname + url.search;
    }
    for (const t of document.querySelectorAll("time[data-date-text]")) {
      t.textContent = isoOf(d);
      t.setAttribute("datetime", isoOf(d));
    }
    this.scheduleUrl();
  };

  Explorer.prototype.showEvents = function (d) {
    const near = [];
    this.data.events.forEach((e, n) => {
      const visible = Math.abs(e[0] - d) <= EVENT_WINDOW;
      if (visible) near.push(e);
      const marker = this.eventMarkers[n];
      if (!marker || visible === this.visibleEvents.has(n)) return;
      if (visible) { this.visibleEvents.add(n); this.eventLayer.addLayer(marker); }
      else { this.visibleEvents.delete(n); this.eventLayer.removeLayer(marker); }
    });
    this.listEvents(near);
  };

  Explorer.prototype.listEvents = function (near) {
    const list = this.el.events;
    if (!list) return;
    list.replaceChildren(...near.map((e) => h("li", null,
      h("time", { datetime: isoOf(e[0]) }, eventWhen(e)), " ", e[2])));
    list.parentElement.hidden = near.length === 0;
  };

  Explorer.prototype.countActors = function () {
    const legend = this.el.legend;
    if (!legend) return;
    // Actors by slug, "" unknown, ":transition" changing hands, ":untracked" not tracked.
    const counts = new Map();
    for (let i = 0; i < this.states.length; i++) {
      const p = this.period(i);
      const key = !this.tracked[i] ? ":untracked" : this.transition(i) ? ":transition"
        : p ? this.data.actors[p[0]][0] : "";
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    // Writing unchanged text would still repaint the legend over the map.
    for (const li of legend.querySelectorAll("li[data-actor], li[data-state]")) {
      const key = li.dataset.state ? ":" + li.dataset.state : li.dataset.actor;
      const n = counts.get(key) || 0, text = n ? "(" + n + ")" : "";
      const count = li.querySelector(".legend-count");
      li.classList.toggle("absent", n === 0);
      if (count.textContent !== text) count.textContent = text;
    }
  };

  /* ---- popups ---- */

  Explorer.prototype.popup = function (i) {
    const site = this.data.sites[i], tracked = this.tracked[i];
    const p = tracked ? this.period(i) : null, t = this.transition(i);
    const when = this.whenText(i);
    return h("div", { class: "atlas-popup" },
      h("h3", null, site[1], " ", h("span", { class: "ar", lang: "ar", dir: "rtl" }, site[2])),
      h("p", { class: "side" }, placeText(site)),
      h("p", { class: "who" }, ...this.controllerNodes(i, p)),
      when ? h("p", { class: "when" }, when) : null,
      t ? h("p", { class: "handover" }, "Control changed hands " + readingText(t.window) +
        "; the record does not say on which day.") : null,
      p ? this.contestLine(p) : null,
      this.statusLine(i),
      this.popupSources(i, p, t),
      h("p", { class: "more" }, h("a", { href: this.options.siteUrl +
        encodeURIComponent(site[0]) }, "Site page: full history and sources")));
  };

  Explorer.prototype.statusLine = function (i) {
    const status = this.statusIndex(i), j = this.states[i].j;
    return h("p", { class: "status-line" }, "Status: ",
      h("span", { class: "status status-" + STATUS[status] }, STATUS_TEXT[status]),
      j >= 0 ? " " + periodText(this.data.status[i][j]) : null);
  };

  // The holder's sources, or those of every period that may hold during a handover.
  Explorer.prototype.popupSources = function (i, p, t) {
    const periods = p ? [p] : t ? t.ks.map((k) => this.data.control[i][k]) : [];
    const refs = [...new Set(periods.flatMap(sourcesOf))];
    return refs.length ? this.sourceList(refs) : null;
  };

  Explorer.prototype.sourceList = function (refs) {
    return h("div", { class: "popup-sources" }, h("h4", null, "Sources"),
      h("ul", { class: "sources" }, ...refs.map((n) => sourceItem(this.data.sources[n]))));
  };

  Explorer.prototype.contestLine = function (p) {
    const parts = [confidenceOf(p) + " confidence"];
    if (isContested(p)) {
      const challenger = challengerOf(p);
      parts.push("contested" + (challenger >= 0 ? " by " + this.data.actors[challenger][1] : ""));
    }
    return h("p", { class: "confidence" }, parts.join(" · "));
  };

  Explorer.prototype.eventPopup = function (e) {
    return h("div", { class: "atlas-popup" },
      h("h3", null, e[2]), h("p", { class: "when" }, eventWhen(e)),
      e[5].length ? this.sourceList(e[5]) : null);
  };

  /* ---- focus, URL ---- */

  // Pan to a site and open its popup (the popup's open event marks it as focused).
  Explorer.prototype.focusSite = function (i) {
    const marker = this.markers[i];
    // No animation: the popup's auto-pan must start from the final view.
    this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), 9), { animate: false });
    if (!this.map.hasLayer(this.siteLayer)) this.siteLayer.addTo(this.map);
    marker.openPopup();
  };

  Explorer.prototype.setFocus = function (i) {
    const before = this.focused;
    this.focused = i;
    if (before >= 0) {
      this.paintMarker(before);
      if (this.rows[before]) this.rows[before].classList.remove("focus");
    }
    if (i >= 0) {
      this.paintMarker(i);
      const row = this.rows[i];
      if (row) {
        row.classList.add("focus");
        row.scrollIntoView({ block: "nearest" });
      }
    }
    this.scheduleUrl();
  };

  // replaceState is rate-limited by browsers: write the URL once the slider settles.
  Explorer.prototype.scheduleUrl = function () {
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => {
      const params = new URLSearchParams(location.search);
      params.set("date", isoOf(this.day));
      if (this.focused >= 0) params.set("site", this.data.sites[this.focused][0]);
      else params.delete("site");
      history.replaceState(null, "", location.pathname + "?" + params.toString());
    }, 120);
  };

  /* ---- controls ---- */

  Explorer.prototype.changeFrom = function (d, direction) {
    const changes = this.data.changes;
    if (direction > 0) {
      for (const c of changes) if (c > d) return Math.min(c, this.data.max);
      return this.data.max;
    }
    for (let n = changes.length - 1; n >= 0; n--) if (changes[n] < d) return changes[n];
    return 0;
  };

  Explorer.prototype.bindControls = function () {
    const slider = this.el.slider;
    if (slider) {
      slider.addEventListener("input", () => this.show(Number(slider.value)));
      slider.addEventListener("keydown", (ev) => this.sliderKey(ev));
      const bar = slider.closest(".timebar");
      if (bar) bar.hidden = false;
    }
    this.onClick("prev-change", () => this.show(this.changeFrom(this.day, -1)));
    this.onClick("next-change", () => this.show(this.changeFrom(this.day, 1)));
    this.onClick("play", () => this.togglePlay());
    this.bindDateForm();
    this.bindSearch();
    this.bindTable();
  };

  Explorer.prototype.onClick = function (id, handler) {
    const el = document.getElementById(id);
    if (el) el.addEventListener("click", handler);
  };

  // PageUp/PageDown jump between change points; arrows, Home and End are the slider's own.
  Explorer.prototype.sliderKey = function (ev) {
    if (ev.key !== "PageUp" && ev.key !== "PageDown") return;
    ev.preventDefault();
    this.show(this.changeFrom(this.day, ev.key === "PageUp" ? 1 : -1));
  };

  Explorer.prototype.togglePlay = function () {
    const button = document.getElementById("play");
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    } else {
      if (this.day >= this.data.max) this.show(0);
      this.timer = setInterval(() => this.playStep(), PLAY_MS);
    }
    button.setAttribute("aria-pressed", this.timer ? "true" : "false");
    button.textContent = this.timer ? "Pause" : "Play";
  };

  // Playing moves a month at a time but stops on every change point on the way.
  Explorer.prototype.playStep = function () {
    if (this.day >= this.data.max) return this.togglePlay();
    this.show(Math.min(this.day + PLAY_STEP_DAYS, this.changeFrom(this.day, 1)));
  };

  Explorer.prototype.bindDateForm = function () {
    const form = document.getElementById("date-form");
    if (!form) return;
    form.addEventListener("submit", (ev) => {
      const d = offsetOf(form.elements.date.value);
      if (d === null) return;
      ev.preventDefault();
      this.show(d);
    });
  };

  Explorer.prototype.bindSearch = function () {
    const form = document.getElementById("search-form");
    const out = document.getElementById("search-results");
    if (!form || !out) return;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = form.elements.q.value.trim();
      if (!q) return out.replaceChildren();
      fetch(form.action + "?f=json&q=" + encodeURIComponent(q))
        .then((r) => r.json())
        .then((body) => this.showResults(body, out))
        .catch(() => out.replaceChildren(h("p", null, "Search failed; try again.")));
    });
  };

  Explorer.prototype.showResults = function (body, out) {
    if (!body.results) return out.replaceChildren(h("p", { class: "error" }, body.description));
    const hits = body.results.filter((r) => this.bySlug.has(r.slug));
    if (!hits.length) return out.replaceChildren(h("p", null, "No site matches “" + body.query + "”."));
    out.replaceChildren(h("p", null, hits.length === 1 ? "1 site found:" : hits.length + " sites found:"),
      h("ul", null, ...hits.map((r) => h("li", null, this.resultButton(r)))));
    if (hits.length === 1) this.focusSite(this.bySlug.get(hits[0].slug));
  };

  Explorer.prototype.resultButton = function (r) {
    const button = h("button", { type: "button", class: "linkish" }, r.name, " ",
      h("span", { class: "ar", lang: "ar", dir: "rtl" }, r.name_ar), " ",
      h("span", { class: "cc" }, r.country));
    button.addEventListener("click", () => this.focusSite(this.bySlug.get(r.slug)));
    return button;
  };

  // A click on a row (outside its link) shows that site on the map.
  Explorer.prototype.bindTable = function () {
    const table = document.getElementById("state-table");
    if (!table) return;
    gridTable(table);
    this.rowIndex = new Map(this.rows.map((row, i) => [row, i]));
    table.tBodies[0].addEventListener("contentvisibilityautostatechange",
      (ev) => this.rowShown(ev), true);
    table.tBodies[0].addEventListener("click", (ev) => {
      const row = ev.target.closest("tr");
      if (!row || ev.target.closest("a")) return;
      const i = this.rows.indexOf(row);
      if (i >= 0) this.focusSite(i);
    });
    this.rows.forEach((row, i) => {
      if (!row) return;
      const button = h("button", { type: "button", class: "show-on-map",
        "aria-label": "Show " + this.data.sites[i][1] + " on the map", title: "Show on the map" });
      const code = row.cells[0].querySelector(".cc");
      if (code) code.after(" ", button);
      else row.cells[0].append(" ", button);
    });
  };

  /* ---- entry point, called by the Folium element in app/core/folium_map.py ---- */

  function attach(map, control, options) {
    const explorer = new Explorer(map, control, options);
    const legend = explorer.el.legend;
    if (legend) {
      const box = L.control({ position: "bottomright" });
      box.onAdd = () => { L.DomEvent.disableClickPropagation(legend); return legend; };
      box.addTo(map);
      // On a phone the open legend would hide most of the map.
      if (window.matchMedia("(max-width: 900px)").matches) legend.open = false;
    }
    const slider = explorer.el.slider;
    explorer.show(slider ? Number(slider.value) : explorer.data.max);
    const slug = new URLSearchParams(location.search).get("site");
    if (explorer.bySlug.has(slug)) explorer.focusSite(explorer.bySlug.get(slug));
    window.AtlasMap.instance = explorer;
    return explorer;
  }

  window.AtlasMap = { attach: attach, instance: null };
})();
