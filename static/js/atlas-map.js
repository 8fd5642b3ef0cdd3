/* Border Control Atlas: markers, time slider, state table and popups for the map page.
 *
 * Reads the compact time data block written by app/core/map_encoding.py (periods as day
 * offsets), keeps one marker per site and, when the date moves, repaints only the
 * markers and table rows whose state changed. All text goes in through textContent.
 * Also: permanent labels placed where they overlap nothing, the two sides of a crossing
 * as one split symbol, clusters (from CLUSTER_MIN sites) drawn as pies of their holders,
 * tick marks and a "Changes on this date" list, the table grouped by crossing with a
 * filter and sort, and popups that take and give back keyboard focus.
 */
(function () {
  "use strict";

  const {
    STATUS, prepare, isoOf, offsetOf, longDate, boundText, isContested, marksOf,
    sourcesOf, siteState, statusIndexOf, statusWords, whenText, periodText,
    readingText, windowText, chain, isTracked, h, unbroken, swatch, swatches, placeText, sourceItem, inTurns, sortInSteps, rowParts,
    gridTable, gridRow, siteMark, coLocatedOffsets, shortText, placeLabels, crossingGroups, siteMatches,
    tickBins, siteChangeDays, stepChange, changesOn, boundDays, boundIndex, sitesBetween, RADIUS,
    t, word, num, isStale, verifiedText, language,
  } = window.AtlasCore;

  // A place's two names, the reader's language first, as the site page's heading has them
  // (site.html): on an Arabic page the Arabic name, then the English one beside it marked
  // lang="en" dir="ltr"; on an English page the English name, then the Arabic one. `text`:
  // the first name, `english`: whether it is the English one, `other`: the second name's
  // element (none on an Arabic page for a place with no Arabic name).
  function readerNames(en, ar) {
    if (language() !== "ar") {
      return { text: en, english: true, other: h("span", { class: "ar", lang: "ar", dir: "rtl" }, ar) };
    }
    if (ar) return { text: ar, english: false, other: h("span", { class: "en", lang: "en", dir: "ltr" }, en) };
    return { text: en, english: true, other: null };
  }

  // The names as nodes: on an Arabic page an English name alone is marked lang="en".
  function namePair(en, ar) {
    const n = readerNames(en, ar);
    const first = n.english && language() === "ar" ? h("span", { lang: "en", dir: "ltr" }, n.text) : n.text;
    return n.other ? [first, " ", n.other] : [first];
  }

  // A string whose placeholders may be elements: t's text split around them, as nodes.
  const nodes = (key, params) => t(key).split(/(\{\w+\})/).filter(Boolean)
    .map((part) => { const m = /^\{(\w+)\}$/.exec(part); return m && m[1] in params ? params[m[1]] : part; });

  // An event's date as Bound.short says it: a day, a month, a year or a window of days.
  const eventWhen = (e) => shortText({ earliest: e[0], latest: e[6] === undefined ? e[0] : e[6],
    qualifiers: 0 });

  const NO_CHALLENGER = "#4f5b66";
  const EVENT_WINDOW = 30;
  const PLAY_STEP_DAYS = 30;
  // Sites' and events' popups: as wide as the words need up to 340px, kept 24px inside the map.
  const POPUP = { maxWidth: 340, autoPanPadding: [24, 24] };
  const PLAY_MS = 220;
  // The table's filter asks the server's search once typing pauses this long.
  const SPELLING_DELAY_MS = 250;
  // Play holds on every change day long enough to read what changed.
  const PLAY_PAUSE_MS = 1600;
  const TICK_BINS = 240;
  const MAX_CHANGES_LISTED = 12;
  const MAX_NATIVE_TICKS = 300;
  const LABEL_FONT = "600 11px system-ui, sans-serif";
  // From this many sites on, markers are clustered (leaflet.markercluster, loaded on demand).
  const CLUSTER_MIN = 200;
  const CLUSTER_UNTIL_ZOOM = 11;
  // Work at load (table rows, the scope list) runs in slices this long, the page answering
  // input in between: on a phone-class CPU one pass over a thousand rows is a long task
  // (over 50 ms) that holds up the first taps. A page with few sites is done in one slice.
  const SLICE_MS = 12;
  // The table's rows go in bodies (<tbody>) of this many, each skipped by the browser while
  // off screen (content-visibility: auto, map.css): a step then checks and lays out a few
  // dozen bodies instead of a thousand rows.
  const ROWS_PER_BODY = 20;
  // A row's height in the bodies' reserved room while skipped (contain-intrinsic-size, map.css).
  const ROW_EM = 3.4;
  // Days ahead prepared while idle (the last step's stride, both ways).
  const PREPARED_MAX = 4;
  // Work at load done in turns (inTurns) goes this many sites or markers a step.
  const INDEX_STEP = 100;
  const MARKER_STEP = 50;
  const SHOW_STEP = 100;
  // static/js/atlas-map.js or its minified copy atlas-map.min.js -> static/vendor/…
  const VENDOR = document.currentScript
    ? document.currentScript.src.replace(/js\/atlas-map(\.min)?\.js(\?.*)?$/, "vendor/") : "/static/vendor/";

  /* ---- the explorer: one per page ---- */

  // `data`: the page's time data block, parsed and prepared (attach).
  function Explorer(map, options, data) {
    this.map = map;
    this.data = data;
    // Leaflet names a popup's close button "Close popup" whatever the page's language (and
    // takes no label of ours): the page's words instead, when it carries them.
    map.on("popupopen", (ev) => {
      const close = ev.popup && ev.popup._closeButton, label = t("popup.close");
      if (close && label !== "popup.close") close.setAttribute("aria-label", label);
    });
    this.options = options;
    const wrap = document.getElementById("map-wrap");
    this.logChangeUrl = wrap ? wrap.dataset.logChange || "" : "";
    this.verifyUrl = wrap ? wrap.dataset.verify || "" : "";
    // Per site: not verified for long, on the day shown (isStale).
    this.stale = new Array(data.sites.length).fill(false);
    this.keys = new Float64Array(data.sites.length).fill(NaN);
    this.radix = keyRadix(data);
    this.tracked = data.sites.map(isTracked);
    this.states = new Array(data.sites.length);
    // Per site: its share of a cluster pie (clusterKey), kept so pies update by difference.
    this.ckeys = new Array(data.sites.length).fill(null);
    // How many sites each share has on the day shown (the legend's counts).
    this.shareCounts = new Map();
    this.jobs = [];
    this.prepared = new Map();
    // Parts of the panel out of view, and what waits for them (watchAway).
    this.away = new Set();
    this.waiting = new Map();
    this.staleRows = new Set();
    this.focused = -1;
    this.bySlug = new Map(data.sites.map((s, i) => [s[0], i]));
    this.crossings = readCrossings(data);
    this.rows = this.tableRows();
    this.el = {
      slider: document.getElementById("day-slider"),
      label: document.getElementById("day-label"),
      caption: document.getElementById("caption-day"),
      events: document.getElementById("event-list"),
      legend: document.getElementById(options.legend),
      changes: document.getElementById("changes-list"),
      announce: document.getElementById("change-announce"),
    };
    this.changeDays = new Set(data.changes);
    // Staleness (isStale) turns on for every site at once on this day.
    this.staleFrom = data.verified && data.stale_after !== undefined ? data.max - data.stale_after : null;
    this.scopeDays = null;
  }

  // Which sites may change on each day (boundDays) and between two days (boundIndex: a
  // step repaints only those), INDEX_STEP sites a step (a generator for inTurns).
  Explorer.prototype.indexBounds = function* () {
    const days = new Map(), all = this.data.control.length;
    for (let i = 0; i < all; i += INDEX_STEP) {
      boundDays(this.data, days, i, i + INDEX_STEP);
      yield;
    }
    this.boundDays = days;
    yield true;
    this.boundIndex = boundIndex(this.data, days);
  };

  // The crossing each site belongs to, from the page's second data block (the view adds it):
  // {names: [[slug, name, name_ar]…], of: [crossing index or -1 per site]}.
  function readCrossings(data) {
    const el = document.getElementById("atlas-crossings");
    const block = el ? JSON.parse(el.textContent) : { crossings: [], sites: {} };
    const names = block.crossings;
    const of = data.sites.map((s) => {
      const c = block.sites[s[0]];
      return c === undefined ? -1 : c;
    });
    return { names: names, of: of };
  }

  // The server renders the first rows (all of them without JavaScript); the rest are
  // built in slices after the first paint (buildRows).
  Explorer.prototype.tableRows = function () {
    const table = document.getElementById("state-table");
    this.tableBody = table ? table.tBodies[0] : null;
    const rows = this.data.sites.map((s) => document.getElementById("row-" + s[0]));
    const more = document.getElementById("more-rows");
    if (more && this.tableBody) more.hidden = true;
    return rows;
  };

  // The missing rows, in table order, each put after the one before it (or its crossing's
  // heading), with its button and grid roles, painted for the day shown.
  Explorer.prototype.buildRows = function* () {
    if (!this.tableBody || !this.groups) return;
    for (let n = 0; n < this.groups.length; n++) {
      let before = this.groupHeads[n];
      for (const i of this.groups[n].sites) {
        if (!this.rows[i]) {
          const row = this.rows[i] = this.makeRow(i);
          if (this.groups[n].crossing >= 0) row.classList.add("crossing-side");
          gridRow(row);
          this.addShowButton(row, i);
          this.rowIndex.set(row, i);
          if (this.filtering) row.hidden = !this.rowMatches(i);
          if (this.changedRows && this.changedRows.includes(i)) row.classList.add("changed");
          if (i === this.focused) row.classList.add("focus");
          // After the row before it, or first in its body (groupRows chose the body).
          if (before.parentNode === this.bodyOf[i]) before.after(row);
          else this.bodyOf[i].prepend(row);
          this.paintRow(i);
          this.staleRows.delete(i);
          yield;
        }
        before = this.rows[i];
      }
    }
    if (this.filtering) this.applyFilter();
  };

  // Run `job` (a generator: one small piece of work per step) in slices of SLICE_MS, the
  // first in a task of its own (the caller's may have been long already).
  Explorer.prototype.later = function (job) {
    this.jobs.push(job);
    if (!this.jobTimer) this.jobTimer = setTimeout(() => this.runJobs(), 0);
  };

  Explorer.prototype.runJobs = function () {
    const until = performance.now() + SLICE_MS;
    this.jobTimer = 0;
    while (this.jobs.length) {
      if (this.jobs[0].next().done) this.jobs.shift();
      if (this.jobs.length && performance.now() > until) {
        this.jobTimer = setTimeout(() => this.runJobs(), 0);
        return;
      }
    }
  };

  // A site page link; on a page showing an older state of the record (?known=, ?rev=) the
  // link shows that state too.
  Explorer.prototype.siteHref = function (slug, iso) {
    const here = new URLSearchParams(location.search);
    const query = new URLSearchParams(iso ? { date: iso } : {});
    for (const name of ["known", "rev"]) if (here.get(name)) query.set(name, here.get(name));
    const tail = query.toString();
    return this.options.siteUrl + encodeURIComponent(slug) + (tail ? "?" + tail : "");
  };

  Explorer.prototype.makeRow = function (i) {
    // As the server writes its rows (index.html): the name in the reader's language links.
    const site = this.data.sites[i], n = readerNames(site[1], site[2]);
    const link = { href: this.siteHref(site[0]), dir: "auto" };
    if (n.english) link.lang = "en";
    return h("tr", { id: "row-" + site[0] },
      h("th", { scope: "row" }, h("a", link, n.text), " ", h("span", { class: "cc" }, site[3]),
        ...(n.other ? [" ", n.other] : [])),
      h("td"), h("td"), h("td"), h("td"));
  };

  // Sites are drawn on one canvas: a jump across years repaints a thousand markers in
  // a single pass instead of restyling a thousand DOM elements. A generator (inTurns): the
  // markers are made MARKER_STEP at a time; they go on the map once they have a look (attach).
  Explorer.prototype.makeMarkers = function* (control) {
    this.map.createPane("atlasSites").style.zIndex = 450;
    const renderer = L.canvas({ pane: "atlasSites", padding: 0.05, tolerance: 3 });
    const sites = this.data.sites, offsets = coLocatedOffsets(sites), markers = [];
    yield true;
    for (let i = 0; i < sites.length; i++) {
      markers.push(this.makeMarker(sites[i], i, offsets[i], renderer));
      if (i % MARKER_STEP === MARKER_STEP - 1) yield;
    }
    this.markers = markers;
    this.pairMarkers();
    this.siteLayer = L.layerGroup(markers);
    // With clusters to come, a thousand markers are not drawn once only to be taken off
    // again when the clusters arrive (that drawing was most of the first long task).
    this.clusterPending = markers.length >= CLUSTER_MIN;
    control.addOverlay(this.siteLayer, t("layer.sites"));
    this.layerControl = control;
  };

  /* ---- clusters: with many sites, near markers gather into one pie of their holders ---- */

  Explorer.prototype.loadClustering = function () {
    const css = h("link", { rel: "stylesheet", href: VENDOR + "markercluster/MarkerCluster.css" });
    document.head.append(css);
    const script = h("script", { src: VENDOR + "markercluster/leaflet.markercluster.js" });
    script.addEventListener("load", () => this.cluster());
    document.head.append(script);
  };

  Explorer.prototype.cluster = function () {
    if (!L.markerClusterGroup) return;
    // markercluster needs a finite maximum zoom; without tiles the map has none of its own.
    if (!isFinite(this.map.getMaxZoom())) this.map.setMaxZoom(13);
    const group = L.markerClusterGroup({
      // No animation: the markers are canvas paths, which markercluster cannot fade.
      animate: false, animateAddingMarkers: false, showCoverageOnHover: false,
      maxClusterRadius: 48, disableClusteringAtZoom: CLUSTER_UNTIL_ZOOM, chunkedLoading: true,
      // Its default slice is 200 ms: a long task on a phone.
      chunkInterval: 25,
      iconCreateFunction: (c) => this.clusterIcon(c),
    });
    // Shown unless the reader turned the layer off while the clusters loaded.
    const shown = this.map.hasLayer(this.siteLayer) || this.clusterPending;
    this.clusterPending = false;
    this.map.removeLayer(this.siteLayer);
    this.layerControl.removeLayer(this.siteLayer);
    this.siteLayer = group;
    this.clusters = group;
    this.layerControl.addOverlay(group, t("layer.sites"));
    const follow = () => {
      group.on("animationend", () => this.queueLabels());
      this.map.on("zoomend moveend", () => this.placeLabels(true));
      this.queueLabels();
    };
    // Off the map, the markers wait in the group until it is shown (markercluster's way).
    if (!shown) {
      group.addLayers(this.markers);
      follow();
      return;
    }
    group.addTo(this.map);
    inTurns([() => this.fillClusters(group), follow]);
  };

  // markercluster's own loading (addLayers) takes 200 markers a task and then works out
  // every cluster's bounds and draws them all in the last one: on a slow phone, long tasks.
  // The same steps here (a generator for inTurns), MARKER_STEP markers a step, the bounds
  // and the drawing in tasks of their own.
  Explorer.prototype.fillClusters = function* (group) {
    const markers = this.markers;
    for (let n = 0; n < markers.length; n++) {
      // Taken off the map meanwhile: the rest wait in the group, as they would have.
      if (!group._map) return void group.addLayers(markers.slice(n));
      // Added ahead of its turn when the reader opened it (focusSite).
      if (!group.hasLayer(markers[n])) group._addLayer(markers[n], group._maxZoom);
      if (n % MARKER_STEP === MARKER_STEP - 1) yield;
    }
    yield true;
    if (!group._map) return;
    group._topClusterLevel._recalculateBounds();
    yield true;
    if (!group._map) return;
    group._refreshClustersIcons();
    group._topClusterLevel._recursivelyAddChildrenToMap(null, group._zoom, group._currentShownBounds);
  };

  // A site's share of a pie: its holder's index, ":untracked", ":transition" or "" (unknown).
  Explorer.prototype.clusterKey = function (i) {
    const p = this.tracked[i] ? this.period(i) : null;
    return !this.tracked[i] ? ":untracked" : p ? p[0] : this.transition(i) ? ":transition" : "";
  };

  // How many of a cluster's sites each share has, counted once and then kept up to date
  // as sites change (show): a step costs the changed sites, not every cluster's markers.
  Explorer.prototype.clusterCounts = function (cluster) {
    // Counted again when the cluster gained markers (clusters fill in slices at load).
    if (!cluster.atlasCounts || cluster.atlasCounted !== cluster.getChildCount()) {
      cluster.atlasCounted = cluster.getChildCount();
      const counts = new Map();
      for (const m of cluster.getAllChildMarkers()) {
        const key = this.ckeys[m.site];
        counts.set(key, (counts.get(key) || 0) + 1);
      }
      cluster.atlasCounts = counts;
    }
    return cluster.atlasCounts;
  };

  // Site i's share changed from `before` to `after`: every cluster holding it that has
  // counted its shares (a marker's __parent chain is its cluster at each zoom level).
  Explorer.prototype.moveShare = function (i, before, after) {
    for (let c = this.markers[i].__parent; c; c = c.__parent) {
      const counts = c.atlasCounts;
      if (!counts) continue;
      const n = counts.get(before) - 1;
      if (n > 0) counts.set(before, n); else counts.delete(before);
      counts.set(after, (counts.get(after) || 0) + 1);
    }
  };

  // What a cluster's markers show: [[key, colour, count, name]…], largest first.
  Explorer.prototype.clusterParts = function (cluster) {
    const actors = this.data.actors, parts = [];
    for (const [key, count] of this.clusterCounts(cluster)) {
      const a = typeof key === "number" ? actors[key] : null;
      parts.push([a ? a[0] : key, a ? a[2] : key === ":untracked" ? "#e4e7eb" : key ? "#8a939e" : "#ffffff",
        count, a ? a[3] || a[1] : key === ":transition" ? t("tag.changing") : key ? t("cluster.untracked")
          : t("unknown")]);
    }
    return parts.sort((x, y) => y[2] - x[2] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  };

  // A cluster: a pie of its markers' holders around the number of sites.
  Explorer.prototype.clusterIcon = function (cluster) {
    const total = cluster.getChildCount(), parts = this.clusterParts(cluster);
    cluster.pieKey = parts.map((p) => p[0] + p[2]).join();
    const size = total < 10 ? 34 : total < 100 ? 40 : 46;
    const pie = h("span", { class: "cluster-pie", role: "img" },
      h("span", { class: "cluster-count", "aria-hidden": "true" }, num(total)));
    this.paintPie(pie, parts, total);
    return L.divIcon({ html: pie, className: "atlas-cluster", iconSize: [size, size] });
  };

  Explorer.prototype.paintPie = function (pie, parts, total) {
    let at = 0;
    const stops = parts.map((p) => {
      const from = at;
      at += (p[2] / total) * 360;
      return p[1] + " " + from.toFixed(1) + "deg " + at.toFixed(1) + "deg";
    });
    pie.style.background = "conic-gradient(" + stops.join(", ") + ")";
    const text = t("cluster.label", { count: num(total),
      parts: parts.map((p) => p[3] + " " + num(p[2])).join(t("list.comma")) });
    pie.title = text;
    pie.setAttribute("aria-label", text);
  };

  // After a date change the visible clusters' pies are redrawn (hidden ones when shown).
  Explorer.prototype.refreshClusters = function () {
    const group = this.clusters;
    if (!group || !this.map.hasLayer(group)) return;
    group._featureGroup.eachLayer((layer) => {
      if (!(layer instanceof L.MarkerCluster)) return;
      // Only pies whose shares changed are rebuilt.
      const parts = this.clusterParts(layer);
      const key = parts.map((p) => p[0] + p[2]).join();
      if (key === layer.pieKey) return;
      layer.pieKey = key;
      // In place: a new icon element per step would cost a layout each.
      const pie = layer._icon && layer._icon.firstChild;
      if (pie) this.paintPie(pie, parts, layer.getChildCount());
      layer._iconNeedsUpdate = true;
    });
  };

  Explorer.prototype.makeMarker = function (site, i, dx, renderer) {
    const marker = siteMark([site[5], site[4]], { renderer: renderer, dx: dx });
    marker.site = i;
    // An element, not a string: Leaflet would parse a string as HTML.
    marker.bindTooltip(() => h("span", null, this.data.shown[i]), { direction: "top", offset: [dx, -10] });
    marker.bindPopup(() => this.popup(i), { ...POPUP, offset: [dx, -4] });
    marker.on("popupopen", (ev) => { this.roomForPopup(ev.popup); this.setFocus(i); this.focusPopup(ev.popup); });
    marker.on("popupclose", (ev) => { if (this.focused === i) this.setFocus(-1); this.restoreFocus(ev.popup); });
    return marker;
  };

  // The two sides of a crossing know each other: when they would overlap on screen they
  // are drawn as the two halves of one symbol (atlas-core.js SiteMark._project).
  Explorer.prototype.pairMarkers = function () {
    const groups = new Map();
    this.crossings.of.forEach((c, i) => {
      if (c < 0) return;
      if (!groups.has(c)) groups.set(c, []);
      groups.get(c).push(i);
    });
    this.partnerOf = new Map();
    for (const members of groups.values()) {
      if (members.length !== 2) continue;
      const [a, b] = members.sort((x, y) => this.data.sites[x][4] - this.data.sites[y][4]);
      this.markers[a].partner = this.markers[b];
      this.markers[b].partner = this.markers[a];
      this.markers[a].west = true;
      this.partnerOf.set(a, b);
      this.partnerOf.set(b, a);
    }
  };

  /* ---- permanent labels, placed where they overlap nothing ---- */

  Explorer.prototype.makeLabels = function () {
    const pane = this.map.createPane("atlasLabels");
    pane.style.zIndex = 460;
    pane.style.pointerEvents = "none";
    this.labelPane = pane;
    this.labels = new Array(this.data.sites.length).fill(null);
    this.measure = document.createElement("canvas").getContext("2d");
    this.measure.font = LABEL_FONT;
    this.widths = new Map();
    this.map.on("zoomstart", () => pane.classList.add("moving"));
    this.map.on("zoomend moveend resize", () => { pane.classList.remove("moving"); this.placeLabels(true); });
  };

  // "Albukamal · ISIS": the site's name and what the map shows for it.
  Explorer.prototype.labelText = function (i) {
    const name = this.data.shown[i];
    if (!this.tracked[i]) return name;
    const tr = this.transition(i), p = this.period(i), actors = this.data.actors;
    const who = tr ? chain(this.data.control[i], tr, (a) => actors[a][4] || actors[a][3])
      .join(t("when.arrow").trim()) : p ? actors[p[0]][3] || actors[p[0]][1] : t("unknown");
    return name + " · " + who;
  };

  // The map's controls as boxes in container pixels, measured again only on `fresh`.
  Explorer.prototype.controlBoxes = function (fresh) {
    if (this.controlRects && !fresh && !this.controlsDirty) return this.controlRects;
    this.controlsDirty = false;
    this.legendMeasured = this.legendPresent || 0;
    const frame = this.map.getContainer().getBoundingClientRect();
    this.controlRects = [...this.map.getContainer().querySelectorAll(".leaflet-control")]
      .map((c) => c.getBoundingClientRect()).filter((r) => r.width)
      .map((r) => ({ x0: r.left - frame.left - 2, y0: r.top - frame.top - 2,
        x1: r.right - frame.left + 2, y1: r.bottom - frame.top + 2 }));
    return this.controlRects;
  };

  Explorer.prototype.textWidth = function (text) {
    let w = this.widths.get(text);
    if (w === undefined) {
      w = this.measure.measureText(text).width;
      this.widths.set(text, w);
    }
    return w;
  };

  // `fresh`: the view or the controls changed (else only the date did).
  Explorer.prototype.placeLabels = function (fresh) {
    cancelAnimationFrame(this.labelFrame);
    this.labelFrame = 0;
    if (!this.map.hasLayer(this.siteLayer)) {
      this.labels.forEach((el) => { if (el) el.hidden = true; });
      return;
    }
    const size = this.map.getSize(), items = [], marks = [], order = [];
    for (let i = 0; i < this.markers.length; i++) {
      const m = this.markers[i];
      if (!m._point || !m._map) continue;
      const c = this.map.layerPointToContainerPoint(m._point);
      if (c.x < -40 || c.y < -40 || c.x > size.x + 40 || c.y > size.y + 40) continue;
      marks.push({ x: c.x, y: c.y, r: RADIUS + 2 });
      // A merged crossing has one label, from its western half, naming both sides.
      if (m.half > 0) continue;
      order.push(i);
    }
    // Focus first, then crossing sides, then the rest.
    const rank = (i) => (i === this.focused ? 0 : this.data.sites[i][6] === 0 ? 1 : 2);
    order.sort((a, b) => rank(a) - rank(b));
    const texts = order.map((i) => {
      const m = this.markers[i];
      return m.half < 0 ? [this.labelText(i), this.labelText(this.partnerOf.get(i))] : [this.labelText(i)];
    });
    for (let n = 0; n < order.length; n++) {
      const m = this.markers[order[n]], c = this.map.layerPointToContainerPoint(m._point);
      const w = Math.max(...texts[n].map((x) => this.textWidth(x))) + 8;
      items.push({ x: c.x, y: c.y, w: Math.ceil(w), h: 16 * texts[n].length + 2, r: RADIUS + 3 });
    }
    // The zoom buttons, layer switch, legend and attribution hide whatever is under them
    // (measured when the view changes: reading layout after a repaint would force one);
    // so do cluster pies, whose place and size are known without layout.
    const remeasured = fresh || this.controlsDirty;
    marks.push(...this.controlBoxes(fresh));
    if (this.clusters) {
      this.clusters._featureGroup.eachLayer((c) => {
        if (!(c instanceof L.MarkerCluster) || !c._map) return;
        const p = this.map.latLngToContainerPoint(c.getLatLng()), r = 25;
        marks.push({ x0: p.x - r, y0: p.y - r, x1: p.x + r, y1: p.y + r });
      });
    }
    const signature = items.map((it, n) => order[n] + (this.stale[order[n]] ? "~" : "") + ":" +
      it.x.toFixed(0) + "," + it.y.toFixed(0) + ":" + texts[n].join("|")).join(";") + "/" + marks.length;
    if (!remeasured && signature === this.labelSignature) return;
    this.labelSignature = signature;
    const sides = placeLabels(items, { width: size.x, height: size.y }, marks);
    const shown = new Set();
    order.forEach((i, n) => {
      if (!sides[n]) return;
      shown.add(i);
      const el = this.labels[i] || (this.labels[i] = this.labelPane.appendChild(
        h("div", { class: "atlas-label", "aria-hidden": "true" })));
      const text = texts[n].join("\n");
      if (el.textContent !== text) el.textContent = text;
      el.className = "atlas-label atlas-label-" + sides[n] + (this.stale[i] ? " atlas-label-stale" : "");
      const it = items[n], gap = it.r + 3;
      const x = sides[n] === "e" ? it.x + gap : sides[n] === "w" ? it.x - gap - it.w : it.x - it.w / 2;
      const y = sides[n] === "n" ? it.y - gap - it.h : sides[n] === "s" ? it.y + gap : it.y - it.h / 2;
      L.DomUtil.setPosition(el, this.map.containerPointToLayerPoint([Math.round(x), Math.round(y)]));
      el.style.width = it.w + "px";
      el.hidden = false;
    });
    this.labels.forEach((el, i) => { if (el && !shown.has(i)) el.hidden = true; });
  };

  // Labels follow a date change once per frame, however fast the slider moves.
  Explorer.prototype.queueLabels = function () {
    if (!this.labelFrame) {
      this.labelFrame = requestAnimationFrame(() => { this.refreshClusters(); this.placeLabels(); });
    }
  };

  Explorer.prototype.makeEventLayer = function (control) {
    this.eventMarkers = this.data.events.map((e) => e[3] === null ? null : L.marker(
      [e[4], e[3]], {
        icon: L.divIcon({ className: "atlas-event", iconSize: [14, 14], iconAnchor: [7, 22] }),
        title: e[2], zIndexOffset: 500,
      }).bindPopup(() => this.eventPopup(e), POPUP)
        .on("popupopen", (ev) => { this.roomForPopup(ev.popup); this.focusPopup(ev.popup); })
        .on("popupclose", (ev) => this.restoreFocus(ev.popup))
        // Tab reaches markers outside the view too: the map brings the focused one in.
        .on("add", (ev) => ev.target.getElement().addEventListener("focus", () =>
          this.map.panInside(ev.target.getLatLng(), { animate: false, padding: [24, 24] }))));
    this.eventLayer = L.layerGroup().addTo(this.map);
    this.visibleEvents = new Set();
    control.addOverlay(this.eventLayer, t("layer.events", { days: num(EVENT_WINDOW) }));
  };

  /* ---- state and repaint ---- */

  // Show the map as of day `d`; only sites whose state changed are repainted, and only
  // sites with a bound between the day shown and `d` are looked at (sitesBetween).
  Explorer.prototype.show = function (d) {
    const steps = this.showing(d);
    while (!steps.next().done);
  };

  // show, pausing every SHOW_STEP sites (a generator): the first day, with every site to
  // paint, is shown at load in turns (inTurns).
  Explorer.prototype.showing = function* (d) {
    d = Math.max(0, Math.min(this.data.max, Math.round(d)));
    const from = this.day;
    this.day = d;
    const ready = this.prepared.get(d);
    const next = ready && ready.from === from ? ready : this.stateChanges(from, d);
    this.prepared.clear();
    const first = from === undefined;
    for (let n = 0; n < next.sites.length; n++) {
      if (n % SHOW_STEP === SHOW_STEP - 1) yield;
      const i = next.sites[n], key = next.keys[n];
      if (key === this.keys[i]) continue;
      this.keys[i] = key;
      this.states[i] = next.states[n];
      this.stale[i] = next.stale[n];
      const share = this.clusterKey(i);
      if (share !== this.ckeys[i]) {
        const before = this.ckeys[i], counts = this.shareCounts;
        if (before !== null) {
          this.moveShare(i, before, share);
          counts.set(before, counts.get(before) - 1);
        }
        counts.set(share, (counts.get(share) || 0) + 1);
        this.ckeys[i] = share;
      }
      this.paintMarker(i);
      // At load the rows are painted in slices (buildRows, catchUpRows): the server's
      // rows already show this day.
      if (first) this.staleRows.add(i);
      else this.queueRow(i);
      if (i === this.focused) this.markers[i].setPopupContent(this.popup(i));
    }
    yield true;
    this.catchUpRows();
    this.showDate(d);
    this.showEvents(d);
    this.countActors();
    this.showChanges(d);
    if (this.filtering) this.applyFilter();
    this.queueLabels();
    this.prepareNext(first ? 0 : d - from);
  };

  // The states on day `to` of the sites that may differ from day `from` (every site when
  // `from` is undefined, or when staleness turns on or off in between):
  // {from, sites, states, stale, keys}.
  Explorer.prototype.stateChanges = function (from, to) {
    const control = this.data.control, status = this.data.status, all = control.length;
    const lo = Math.min(from, to), hi = Math.max(from, to), staleFrom = this.staleFrom;
    const everyone = from === undefined || (staleFrom !== null && lo < staleFrom && staleFrom <= hi);
    let sites = everyone ? null : sitesBetween(this.boundIndex, from, to, all >> 1);
    if (!sites) { sites = new Array(all); for (let i = 0; i < all; i++) sites[i] = i; }
    const out = { from: from, sites: sites, states: [], stale: [], keys: [] };
    for (const i of sites) {
      const state = siteState(control[i], status[i], to), stale = this.staleOn(i, to);
      out.states.push(state);
      out.stale.push(stale);
      // A quarter apart from every state key (integers), so a change of staleness repaints.
      out.keys.push(stateKey(state, this.radix) + (stale ? 0.25 : 0));
    }
    return out;
  };

  // While the page is idle, the days a step away (the last step's stride, both ways) are
  // worked out ahead, so the next step only paints.
  Explorer.prototype.prepareNext = function (stride) {
    if (!stride || !window.requestIdleCallback) return;
    cancelIdleCallback(this.prepareIdle);
    const from = this.day, max = this.data.max;
    const days = [from + stride, from - stride].filter((d) => d >= 0 && d <= max);
    this.prepareIdle = requestIdleCallback((deadline) => {
      for (const d of days) {
        if (this.day !== from) return;
        if (deadline.timeRemaining() < 4 || this.prepared.size >= PREPARED_MAX) break;
        if (!this.prepared.has(d)) this.prepared.set(d, this.stateChanges(from, d));
      }
    }, { timeout: 1000 });
  };

  // One number per distinct state of a site: its holder or the periods changing hands
  // (a transition's window follows from them), its status period or the periods its
  // status changes between, uncertain. `r`: keyRadix (keys stay exact integers).
  function stateKey(state, r) {
    const tr = state.transition, j = statusKey(state, r), statuses = 4 * r * r + r + 1;
    if (!tr) return ((state.k + 1) * statuses + j) * 2 + (state.uncertain ? 1 : 0);
    return -1 - transitionKey(tr, r) * statuses - j;
  }

  function statusKey(state, r) {
    const tr = state.status.transition;
    return tr ? r + 1 + transitionKey(tr, r) : state.j + 1;
  }

  // A transition by its first and last period and whether what comes before and after is
  // unknown: under 4r².
  function transitionKey(tr, r) {
    const first = tr.ks[0], last = tr.ks[tr.ks.length - 1];
    return ((first * r + last) * 2 + (tr.before ? 1 : 0)) * 2 + (tr.after ? 1 : 0);
  }

  // One more than the most periods a site has on a track: stateKey's keys then stay under
  // 2^50 (exact with a quarter added) up to some 2,000 periods a site.
  function keyRadix(data) {
    let most = 0;
    for (const track of [data.control, data.status]) for (const p of track) most = Math.max(most, p.length);
    return most + 1;
  }

  // Whether a tracked site reads as not verified for long on day `d` (a recent date only).
  Explorer.prototype.staleOn = function (i, d) {
    const verified = this.data.verified, after = this.data.stale_after;
    if (!this.tracked[i] || !verified || after === undefined) return false;
    return isStale(verified[i], d, this.data.max, after);
  };

  // "last verified 14 months ago" for the popup and the table, on recent dates only.
  Explorer.prototype.freshText = function (i) {
    const verified = this.data.verified, after = this.data.stale_after;
    if (!this.tracked[i] || !verified || this.data.max - this.day > after) return "";
    return verifiedText(verified[i], this.data.max);
  };

  // The control period that certainly holds on the day shown, or null.
  Explorer.prototype.period = function (i) {
    const k = this.states[i].k;
    return k < 0 ? null : this.data.control[i][k];
  };

  // The handover under way on the day shown, or null.
  Explorer.prototype.transition = function (i) {
    return this.tracked[i] ? this.states[i].transition : null;
  };

  // Contested, challenger and confidence as the state_at row has them (marksOf): a
  // handover window keeps its candidates' marks.
  Explorer.prototype.marks = function (i) {
    return marksOf(this.data.control[i], this.states[i]);
  };

  Explorer.prototype.actorName = function (a) {
    return this.data.actors[a][1];
  };

  // The colours of a state, in time order: the holder's, or each side of a handover
  // (null: unknown side); none when unknown.
  Explorer.prototype.colours = function (i) {
    const tr = this.transition(i), control = this.data.control[i], actors = this.data.actors;
    if (tr) {
      const sides = tr.ks.map((k) => actors[control[k][0]][2]);
      return (tr.before ? [null] : []).concat(sides, tr.after ? [null] : []);
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

  // The statuses a site may have on the day: its status, or, while it changes within a
  // window, each side of the change (as the actor filter takes each candidate holder).
  Explorer.prototype.statusValues = function (i) {
    const tr = this.states[i].status.transition;
    if (!tr) return [STATUS[this.statusIndex(i)]];
    const sides = tr.ks.map((k) => STATUS[this.data.status[i][k][0]]);
    return tr.before || tr.after ? sides.concat("unknown") : sides;
  };

  // The status in words: "changing (closed → open)" inside a window of change.
  Explorer.prototype.statusText = function (i) {
    return statusWords(this.data.status[i], this.states[i].status);
  };

  Explorer.prototype.paintMarker = function (i) {
    this.markers[i].paint(this.look(i));
  };

  // How a site's marker looks: fill(s), status shape, outline, contest ring, focus.
  Explorer.prototype.look = function (i) {
    const status = this.statusIndex(i), focus = i === this.focused;
    if (!this.tracked[i]) {
      return { status: status, fills: [], codes: [], untracked: true, gap: false, hatched: false,
        ring: null, focus: focus };
    }
    const p = this.period(i), actors = this.data.actors, tr = this.transition(i);
    // The state's marks, so a handover window whose candidates are contested is ringed too.
    const marks = this.marks(i);
    return {
      status: status, fills: this.colours(i), codes: p ? [actors[p[0]][4] || ""] : [],
      untracked: false, gap: !p && !tr, focus: focus, stale: this.stale[i],
      hatched: Boolean(tr) || (Boolean(p) && this.states[i].uncertain),
      ring: marks.contested ? (marks.challenger >= 0 ? actors[marks.challenger][2] : NO_CHALLENGER)
        : null,
    };
  };

  // Rows whose body is out of view (watchAway) are brought up to date when it comes near,
  // or when the page is idle.
  Explorer.prototype.queueRow = function (i) {
    const row = this.rows[i];
    if (row && this.away.has(row.parentNode)) {
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

  Explorer.prototype.paintStaleRows = function* () {
    for (const i of this.staleRows) {
      this.staleRows.delete(i);
      this.paintRow(i);
      yield;
    }
  };

  // A body come into view: its rows that waited.
  Explorer.prototype.paintRowsIn = function (body) {
    for (const row of body.rows) {
      const i = this.rowIndex.get(row);
      if (i !== undefined && this.staleRows.delete(i)) this.paintRow(i);
    }
  };

  /* ---- parts of the panel out of view ---- */

  // Off screen, the table's caption and rows and the "Changes on this date" list wait: they
  // are brought up to date when they come within a fifth of a screen of the view, or once
  // the slider settles (scheduleUrl). On a phone they sit below the slider, and rewriting
  // them on every step cost a layout and paint of the page each time.
  Explorer.prototype.watchAway = function (parts) {
    if (!window.IntersectionObserver) return;
    const watch = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const el = entry.target;
        if (!entry.isIntersecting) {
          this.away.add(el);
          continue;
        }
        this.away.delete(el);
        if (el.tagName === "TBODY") this.paintRowsIn(el);
        const update = this.waiting.get(el);
        this.waiting.delete(el);
        if (update) update();
      }
    }, { rootMargin: "20% 0px" });
    for (const el of parts) if (el) watch.observe(el);
  };

  // `update` now, or, while `el` is out of view, when it comes near (the last one only).
  // A hidden element has no place to judge by: its update is at once.
  Explorer.prototype.inView = function (el, update) {
    if (this.away.has(el) && !el.hidden) {
      this.waiting.set(el, update);
    } else {
      this.waiting.delete(el);
      update();
    }
  };

  Explorer.prototype.catchUpAway = function () {
    const updates = [...this.waiting.values()];
    this.waiting.clear();
    for (const update of updates) update();
  };

  // The same cells as app/templates/index.html renders for a state_at row.
  Explorer.prototype.paintRow = function (i) {
    const row = this.rows[i];
    if (!row) return;
    const cell = row.parts || (row.parts = rowParts(row));
    const tracked = this.tracked[i], tr = this.transition(i);
    const p = tracked ? this.period(i) : null, actor = p ? this.data.actors[p[0]] : null;
    const marks = tracked ? this.marks(i) : null, confidence = (marks && marks.confidence) || "";
    const status = this.statusIndex(i);
    cell.swatches.replaceChildren(...swatches(tracked ? this.colours(i) : [], !tracked));
    cell.name.textContent = !tracked ? t("table.untracked") : actor ? actor[3] || actor[1]
      : tr ? "" : t("table.unknown");
    cell.name.title = actor ? actor[1] : "";
    cell.contested.hidden = !(marks && marks.contested);
    cell.uncertain.hidden = !(p && this.states[i].uncertain);
    cell.changing.hidden = !tr;
    cell.when.replaceChildren(...unbroken(this.whenText(i)));
    const shown = tracked || STATUS[status] !== "unknown";
    cell.status.className = shown ? "status status-" + STATUS[status] : "";
    cell.status.textContent = shown ? this.statusText(i) : "";
    cell.confidence.className = "conf conf-" + confidence;
    cell.confidence.textContent = confidence ? word("confidence." + confidence, confidence) : "";
    // Dimmed, and saying how long ago, when the site was not verified for long.
    const stale = Boolean(this.stale[i]);
    row.classList.toggle("stale", stale);
    if (stale && !cell.fresh) cell.fresh = row.cells[1].appendChild(h("small", { class: "fresh" }));
    if (cell.fresh) {
      cell.fresh.hidden = !stale;
      cell.fresh.textContent = stale ? this.freshText(i) : "";
    }
  };

  // The popup's "who" line: the holder, the sides of a handover, unknown, not tracked.
  Explorer.prototype.controllerNodes = function (i, p) {
    if (!this.tracked[i]) return [...swatches([], true), t("popup.untracked")];
    const tr = this.transition(i);
    if (tr) {
      const names = chain(this.data.control[i], tr, (a) => this.actorName(a));
      return [...swatches(this.colours(i)), names.join(t("when.arrow")), " ",
        h("span", { class: "tag tag-changing" }, t("tag.changing")),
        ...(this.marks(i).contested ? [" ", h("span", { class: "tag" }, t("tag.contested"))] : [])];
    }
    if (!p) return [...swatches([]), t("popup.unknown")];
    const out = [swatch(this.data.actors[p[0]][2]), this.data.actors[p[0]][1]];
    if (isContested(p)) out.push(" ", h("span", { class: "tag" }, t("tag.contested")));
    if (this.states[i].uncertain) out.push(" ", h("span", { class: "tag" }, t("tag.uncertain")));
    return out;
  };

  Explorer.prototype.showDate = function (d) {
    const text = longDate(d), el = this.el;
    if (el.slider) {
      // A drag has set it already; writing it again re-renders the range input.
      if (el.slider.value !== String(d)) el.slider.value = String(d);
      el.slider.setAttribute("aria-valuetext", text);
    }
    if (el.label) {
      el.label.textContent = text;
      el.label.setAttribute("datetime", isoOf(d));
    }
    if (el.caption) this.inView(el.caption, () => { el.caption.textContent = text; });
    this.scheduleUrl();
  };

  // The page's links, dates and embed snippet follow the date once the slider settles
  // (scheduleUrl): a write to each on every step costs a phone a frame.
  Explorer.prototype.showDateLinks = function (d) {
    // The links are found once: a query per step costs more than the writes.
    const iso = isoOf(d);
    // The date field too: writing an <input type=date> rebuilds its fields.
    const date = document.getElementById("date");
    if (date && document.activeElement !== date) date.value = iso;
    document.title = t("title.map", { date: longDate(d) });
    this.dateLinks = this.dateLinks || [...document.querySelectorAll("a[data-date-link]")].map((a) => {
      const url = new URL(a.href);
      url.searchParams.set("date", "DATE");
      return [a, url.pathname + url.search];
    });
    for (const [a, template] of this.dateLinks) a.setAttribute("href", template.replace("DATE", iso));
    this.dateTexts = this.dateTexts || [...document.querySelectorAll("time[data-date-text]")];
    for (const el of this.dateTexts) {
      el.textContent = iso;
      el.setAttribute("datetime", iso);
    }
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
    // The same events as on the day before (most steps): the list is not built again.
    if (!list || (this.listedEvents && near.length === this.listedEvents.length &&
      near.every((e, n) => e === this.listedEvents[n]))) return;
    this.listedEvents = near;
    list.replaceChildren(...near.map((e) => h("li", null,
      h("time", { datetime: isoOf(e[0]) }, eventWhen(e)), " ", e[2])));
    list.parentElement.hidden = near.length === 0;
  };

  /* ---- what changed on the day shown ---- */

  Explorer.prototype.showChanges = function (d) {
    const changes = this.changeDays.has(d)
      ? changesOn(this.data, d, (a) => this.shortName(a), this.boundDays.get(d) || []) : [];
    for (const i of this.changedRows || []) if (this.rows[i]) this.rows[i].classList.remove("changed");
    this.changedRows = changes.map((c) => c.site);
    for (const i of this.changedRows) if (this.rows[i]) this.rows[i].classList.add("changed");
    const list = this.el.changes;
    if (list) {
      const box = list.closest("section");
      this.inView(box, () => {
        // With thousands of sites a day may hold hundreds of changes: the first few, then a count.
        const more = changes.length - MAX_CHANGES_LISTED;
        list.replaceChildren(...changes.slice(0, MAX_CHANGES_LISTED).map((c) => this.changeItem(c)),
          more > 0 ? h("li", { class: "more-changes" }, t("changes.more", { count: num(more) })) : "");
        box.hidden = changes.length === 0;
      });
    }
    this.scheduleAnnounce(d, changes);
  };

  Explorer.prototype.shortName = function (a) {
    return this.data.actors[a][3] || this.data.actors[a][1];
  };

  // "ISIS → Iraqi gov. at al-Qa'im (IQ)", a button that shows the site, and the source; the
  // site named in the reader's language (data.shown), as its map label names it.
  Explorer.prototype.changeItem = function (c) {
    const site = this.data.sites[c.site];
    const button = h("button", { type: "button", class: "linkish" }, this.data.shown[c.site]);
    button.addEventListener("click", () => this.focusSite(c.site));
    const what = t(c.kind === "status" ? "change.status" : "change.control", { from: c.from, to: c.to });
    const source = c.sources.length ? this.data.sources[c.sources[0]] : null;
    return h("li", { "data-site": site[0] }, ...nodes("change.at", { what: what, site: button }), " ",
      h("span", { class: "cc" }, site[3]),
      source ? h("span", { class: "change-source" }, " — ", sourceItem(source).childNodes[0].cloneNode(true)) : null);
  };

  // Screen readers hear what changed once the slider settles, not on every step.
  Explorer.prototype.scheduleAnnounce = function (d, changes) {
    const out = this.el.announce;
    if (!out) return;
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      const names = (c) => t(c.kind === "status" ? "announce.status" : "announce.control",
        { from: c.from, to: c.to, site: this.data.shown[c.site] });
      const sep = t("list.separator"), n = changes.length;
      const list = changes.slice(0, 5).map(names).join(sep) +
        (n > 5 ? sep + t("announce.more", { count: num(n - 5) }) : "") + ".";
      out.textContent = !n ? t("announce.none", { date: longDate(d) })
        : t(n === 1 ? "announce.one" : "announce.many", { date: longDate(d), count: num(n), list: list });
    }, 500);
  };

  Explorer.prototype.countActors = function () {
    const legend = this.el.legend;
    if (!legend) return;
    // Actors by slug, "" unknown, ":transition" changing hands, ":untracked" not tracked;
    // from the shares kept up to date by show (clusterKey), not a pass over every site.
    const counts = new Map();
    for (const [share, n] of this.shareCounts) {
      counts.set(typeof share === "number" ? this.data.actors[share][0] : share, n);
    }
    // Writing unchanged text would still repaint the legend over the map.
    let present = 0;
    // The entries are found once: queries on every step cost more than the counting.
    this.legendItems = this.legendItems || [...legend.querySelectorAll("li[data-actor], li[data-state]")]
      .map((li) => [li, li.dataset.state ? ":" + li.dataset.state : li.dataset.actor, li.querySelector(".legend-count")]);
    for (const [li, key, count] of this.legendItems) {
      const n = counts.get(key) || 0, text = n ? "(" + num(n) + ")" : "";
      li.classList.toggle("absent", n === 0);
      present += n ? 1 : 0;
      if (count.textContent !== text) count.textContent = text;
    }
    // Labels avoid the legend's box as last measured: it is measured again only when the
    // legend grows past it (reading layout on every step would force one per step).
    if (present > (this.legendMeasured || 0)) this.controlsDirty = true;
    this.legendPresent = present;
  };

  /* ---- popups ---- */

  Explorer.prototype.popup = function (i) {
    const site = this.data.sites[i], tracked = this.tracked[i];
    const p = tracked ? this.period(i) : null, tr = this.transition(i);
    const when = this.whenText(i);
    return h("div", { class: "atlas-popup", role: "dialog", "aria-label": this.data.shown[i] },
      h("h3", { tabindex: "-1" }, ...namePair(site[1], site[2])),
      h("p", { class: "side" }, placeText(site)),
      h("p", { class: "who" }, ...this.controllerNodes(i, p)),
      when ? h("p", { class: "when" }, ...unbroken(when)) : null,
      tr ? h("p", { class: "handover" }, t("popup.handover", { window: readingText(tr.window) })) : null,
      p || tr ? this.contestLine(this.marks(i)) : null,
      this.statusLine(i),
      this.freshLine(i),
      this.popupSources(i, p, tr),
      this.statusSources(i),
      h("p", { class: "more" }, h("a", { href: this.siteHref(site[0], isoOf(this.day)) },
        t("popup.site_page"))),
      this.logChangeLink(i),
      this.confirmLink(i));
  };

  // "last verified 14 months ago", marked when the site reads as stale.
  Explorer.prototype.freshLine = function (i) {
    const text = this.freshText(i);
    return text ? h("p", { class: "fresh" + (this.stale[i] ? " stale" : "") }, text) : null;
  };

  // Signed-in editors confirm that the record of this site still holds on the date shown.
  Explorer.prototype.confirmLink = function (i) {
    const url = this.verifyUrl;
    if (!url || !this.tracked[i]) return null;
    const params = new URLSearchParams({ site: this.data.sites[i][0], date: isoOf(this.day) });
    return h("p", { class: "confirm" }, h("a", { href: url + "?" + params.toString() },
      t("popup.confirm")));
  };

  // Signed-in editors log a change at this site and date (the page says where the form is).
  Explorer.prototype.logChangeLink = function (i) {
    const url = this.logChangeUrl;
    if (!url) return null;
    const params = new URLSearchParams({ site: this.data.sites[i][0], date: isoOf(this.day) });
    return h("p", { class: "log-change" }, h("a", { href: url + "?" + params.toString() },
      t("popup.log_change")));
  };

  Explorer.prototype.statusLine = function (i) {
    const status = this.statusIndex(i), j = this.states[i].j, tr = this.states[i].status.transition;
    return h("p", { class: "status-line" }, t("popup.status") + " ",
      h("span", { class: "status status-" + STATUS[status] }, this.statusText(i)),
      j >= 0 ? " " + periodText(this.data.status[i], j) : tr ? " " + windowText(tr.window) : null);
  };

  // The holder's sources, or those of every period that may hold during a handover.
  Explorer.prototype.popupSources = function (i, p, tr) {
    const periods = p ? [p] : tr ? tr.ks.map((k) => this.data.control[i][k]) : [];
    const refs = [...new Set(periods.flatMap(sourcesOf))];
    return refs.length ? this.sourceList(refs) : null;
  };

  // The sources of the status shown: its period's, or those of every period it may be
  // changing between within a window.
  Explorer.prototype.statusSources = function (i) {
    const state = this.states[i], tr = state.status.transition, status = this.data.status[i];
    const periods = state.j >= 0 ? [status[state.j]] : tr ? tr.ks.map((k) => status[k]) : [];
    const refs = [...new Set(periods.flatMap(sourcesOf))];
    return refs.length ? this.sourceList(refs, t("popup.status_sources"), "popup-sources status-sources") : null;
  };

  Explorer.prototype.sourceList = function (refs, heading, className) {
    return h("div", { class: className || "popup-sources" }, h("h4", null, heading || t("popup.sources")),
      h("ul", { class: "sources" }, ...refs.map((n) => sourceItem(this.data.sources[n]))));
  };

  // "low confidence · contested by ISIS" from a state's marks (marksOf).
  Explorer.prototype.contestLine = function (marks) {
    const level = marks.confidence;
    const parts = [t("popup.confidence", { level: word("confidence." + level, level) })];
    if (marks.contested) {
      const challenger = marks.challenger;
      parts.push(challenger >= 0 ? t("popup.contested_by", { name: this.data.actors[challenger][1] })
        : t("tag.contested"));
    }
    return h("p", { class: "confidence" }, parts.join(" · "));
  };

  Explorer.prototype.eventPopup = function (e) {
    return h("div", { class: "atlas-popup" },
      h("h3", null, e[2]), h("p", { class: "when" }, eventWhen(e)),
      e[5].length ? this.sourceList(e[5]) : null);
  };

  /* ---- focus, URL ---- */

  // Scroll `el` into view within the nearest box around it that scrolls by itself (the side
  // panel on a desktop), and never the page: none such (a phone, where the panel is part of
  // the page), nothing moves. As block "nearest": the least scroll that shows it whole, its
  // top first if it is taller than the box; below the table's column titles if they stick.
  function revealInBox(el) {
    const page = document.scrollingElement || document.documentElement;
    let box = el.parentElement;
    for (; box && box !== page && box !== document.body; box = box.parentElement) {
      if (/auto|scroll/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight) break;
    }
    if (!box || box === page || box === document.body) return;
    const outer = box.getBoundingClientRect(), r = el.getBoundingClientRect();
    let top = outer.top + box.clientTop;
    const bottom = top + box.clientHeight;
    const table = el.closest("table");
    const head = table && table.tHead;
    if (head && getComputedStyle(head).position === "sticky") {
      top = Math.max(top, Math.min(head.getBoundingClientRect().bottom, bottom));
    }
    if (r.top < top) box.scrollTop -= top - r.top;
    else if (r.bottom > bottom) box.scrollTop += Math.min(r.bottom - bottom, r.top - top);
  }

  // Pan to a site and open its popup (the popup's open event marks it as focused).
  Explorer.prototype.focusSite = function (i) {
    const marker = this.markers[i];
    // No animation: the popup's auto-pan must start from the final view.
    if (!this.map.hasLayer(this.siteLayer)) this.siteLayer.addTo(this.map);
    // While the clusters fill in turns (fillClusters) a site may not be in them yet: a
    // marker outside the group is on no map and its popup would not open.
    if (this.clusters && !this.clusters.hasLayer(marker)) this.clusters.addLayer(marker);
    const zoom = this.clusters ? CLUSTER_UNTIL_ZOOM : Math.max(this.map.getZoom(), 9);
    this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), zoom), { animate: false });
    // The popup's open event (setFocus) then knows the panel asked: its row may scroll the page.
    this.focusFromPanel = true;
    try {
      marker.openPopup();
    } finally {
      this.focusFromPanel = false;
    }
    // On a phone the map is above the table: bring it into view, or nothing seems to happen.
    // Not in an <iframe> (the embed): that would scroll the page around it too.
    const wrap = document.getElementById("map-wrap");
    if (wrap && window.self === window.top && window.matchMedia("(max-width: 900px)").matches) {
      wrap.scrollIntoView({ block: "start" });
    }
  };

  // A popup may be taller (or wider) than the room between its marker and the edge of the
  // map's bounds (maxBounds): its auto-pan goes past them, the map pans back, and the popup's
  // top is cut off (a phone at the first zoom, a marker near the top). Then the map zooms in
  // around the marker, the least that makes room, and the popup pans again.
  Explorer.prototype.roomForPopup = function (popup) {
    const map = this.map, bounds = map.options.maxBounds, box = popup._container;
    if (!bounds || !box || !popup._adjustPan) return;
    // Clustered (CLUSTER_MIN sites): a marker stands alone only zoomed in, where there is room,
    // and a zoom would take the layers apart, its popup with them.
    if (this.clusters && map.hasLayer(this.clusters)) return;
    // A zoom under way (the first view's, just after loading) would ignore ours: after it.
    if (map._animatingZoom) {
      map.once("zoomend", () => { if (popup.isOpen()) this.roomForPopup(popup); });
      return;
    }
    const pad = L.point(popup.options.autoPanPadding || [0, 0]);
    const anchor = map.latLngToContainerPoint(popup.getLatLng());
    const mapBox = map.getContainer().getBoundingClientRect(), r = box.getBoundingClientRect();
    const corner = map.latLngToContainerPoint(bounds.getNorthWest());
    const far = map.latLngToContainerPoint(bounds.getSouthEast());
    const size = map.getSize();
    // What each side needs beyond the marker, and what the bounds leave it.
    const sides = [[anchor.y - (r.top - mapBox.top) + pad.y, anchor.y - corner.y]];
    if (r.width + 2 * pad.x <= size.x) {
      sides.push([anchor.x - (r.left - mapBox.left) + pad.x, anchor.x - corner.x],
        [(r.right - mapBox.left) - anchor.x + pad.x, far.x - anchor.x]);
    }
    let zoomIn = 0;
    for (const [need, room] of sides) {
      if (need > room && room > 0) zoomIn = Math.max(zoomIn, Math.ceil(Math.log2(need / room)));
    }
    const zoom = Math.min(map.getZoom() + Math.min(zoomIn, 4), map.getMaxZoom());
    if (zoom <= map.getZoom()) return;
    map.setZoomAround(popup.getLatLng(), zoom, { animate: false });
    popup._adjustPan();
  };

  // Leaflet draws its controls above popups: on a phone a popup near the top of the map lies
  // under the zoom and layer buttons, its close button too. The controls it overlaps step
  // aside (hidden) while it is open, and come back when it closes or moves away.
  Explorer.prototype.uncoverPopups = function () {
    const map = this.map;
    let hidden = false;
    const uncover = (ev) => {
      // At "popupclose" the popup is still on the map, fading out.
      const popup = map._popup;
      const open = ev.type !== "popupclose" && popup && popup.isOpen() && popup._container;
      if (!open && !hidden) return;
      const r = open ? popup._container.getBoundingClientRect() : null;
      hidden = false;
      // Looked up each time: the legend, the clusters' controls come later.
      for (const el of map.getContainer().querySelectorAll(".leaflet-control")) {
        const c = el.getBoundingClientRect();
        const under = !!r && c.right > r.left && c.left < r.right && c.bottom > r.top && c.top < r.bottom;
        el.classList.toggle("under-popup", under);
        hidden = hidden || under;
      }
    };
    map.on("popupopen popupclose moveend zoomend resize", uncover);
  };

  // Keyboard and screen-reader users land in the popup, and go back where they were.
  Explorer.prototype.focusPopup = function (popup) {
    const active = document.activeElement;
    if (active && active !== document.body && !(popup._container && popup._container.contains(active))) {
      this.returnFocus = active;
    }
    const heading = popup._contentNode && popup._contentNode.querySelector("h3");
    if (heading) heading.focus({ preventScroll: true });
  };

  Explorer.prototype.restoreFocus = function (popup) {
    const back = this.returnFocus;
    this.returnFocus = null;
    const active = document.activeElement;
    const inPopup = active && popup && popup._container && popup._container.contains(active);
    // Only when focus was in the popup (fading out) or nowhere: never steal it from elsewhere.
    if (back && back.isConnected && (inPopup || !active || active === document.body || !active.isConnected)) {
      back.focus({ preventScroll: true });
    }
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
        // Asked from the panel (a row, a search result, the address): the row comes into view
        // as before. From the map (a marker tapped or clicked) the page itself never scrolls:
        // on a phone the table is in the page's own scroll, below the map, and the popup
        // would leave the screen; only a box of the table's own (the desktop's side panel) does.
        if (this.focusFromPanel) row.scrollIntoView({ block: "nearest" });
        else revealInBox(row);
      }
    }
    this.scheduleUrl();
  };

  // replaceState is rate-limited by browsers: write the URL once the slider settles.
  Explorer.prototype.scheduleUrl = function () {
    this.updateViewLinks();
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => {
      this.catchUpAway();
      this.showDateLinks(this.day);
      const params = new URLSearchParams(location.search);
      params.set("date", isoOf(this.day));
      if (this.focused >= 0) params.set("site", this.data.sites[this.focused][0]);
      else params.delete("site");
      history.replaceState(null, "", location.pathname + "?" + params.toString());
      this.showStateLinks();
    }, 120);
  };

  // Links that carry the view shown (the language and digit switches, "Cite this view",
  // the embed snippet) get its date and site; signing in comes back to it.
  Explorer.prototype.showStateLinks = function () {
    const view = (url) => {
      url.searchParams.set("date", isoOf(this.day));
      if (this.focused >= 0) url.searchParams.set("site", this.data.sites[this.focused][0]);
      else url.searchParams.delete("site");
      return url;
    };
    this.stateLinks = this.stateLinks || [...document.querySelectorAll("a[data-state-link]")];
    for (const a of this.stateLinks) {
      const url = view(new URL(a.href));
      a.setAttribute("href", url.pathname + url.search);
    }
    this.nextLinks = this.nextLinks || [...document.querySelectorAll("a[data-next-link]")];
    for (const a of this.nextLinks) {
      const url = new URL(a.href);
      url.searchParams.set("next", location.pathname + location.search);
      a.setAttribute("href", url.pathname + url.search);
    }
    // The snippet is HTML to paste: its address's & is written &amp;.
    this.snippets = this.snippets || [...document.querySelectorAll("textarea[data-date-snippet]")];
    for (const el of this.snippets) {
      el.value = el.value.replace(/src="([^"]*)"/, (_m, src) =>
        'src="' + view(new URL(src.replace(/&amp;/g, "&"))).href.replace(/&/g, "&amp;") + '"');
    }
  };

  // The embed's "Open in Border Control Atlas" opens the map page at the date and site shown.
  Explorer.prototype.updateViewLinks = function () {
    this.viewLinks = this.viewLinks || [...document.querySelectorAll("a[data-view-link]")];
    if (!this.viewLinks.length) return;
    const params = new URLSearchParams({ date: isoOf(this.day) });
    if (this.focused >= 0) params.set("site", this.data.sites[this.focused][0]);
    for (const a of this.viewLinks) a.search = "?" + params.toString();
  };

  /* ---- controls ---- */

  // The next (1) or previous (-1) change day, of every site or of the chosen scope.
  Explorer.prototype.changeFrom = function (d, direction) {
    return stepChange(this.scopeDays || this.data.changes, d, direction, this.data.max);
  };

  // "site:<slug>" or "actor:<slug>" limits Next / Previous change to one site or actor.
  Explorer.prototype.setScope = function (value) {
    const [kind, slug] = (value || "").split(":");
    const data = this.data;
    if (kind === "site" && this.bySlug.has(slug)) {
      const i = this.bySlug.get(slug);
      this.scopeDays = siteChangeDays(data.control[i], data.status[i]);
    } else if (kind === "actor") {
      const a = data.actors.findIndex((x) => x[0] === slug);
      const days = new Set();
      for (let i = 0; i < data.control.length; i++) {
        for (const day of siteChangeDays(data.control[i], data.status[i], a)) days.add(day);
      }
      this.scopeDays = [...days].sort((x, y) => x - y);
    } else {
      this.scopeDays = null;
    }
  };

  Explorer.prototype.bindScope = function () {
    const select = document.getElementById("change-scope");
    if (!select) return;
    const sites = h("optgroup", { label: t("scope.site") }), actors = h("optgroup", { label: t("scope.actor") });
    // A thousand options are added in slices after the first paint (see attach).
    // Sites by the name shown in the reader's language (data.shown), in its order; a name
    // two sites share in it (the Arabic التنف of al-Tanf and its garrison) with the English.
    const data = this.data, names = data.shown;
    this.scopeOptions = function* () {
      // Made here: building a collator is itself a few milliseconds' work, and its first
      // comparisons more (a sort in one go was a long task).
      const order = new Intl.Collator(document.documentElement.lang || undefined).compare;
      const sorted = yield* sortInSteps(names.map((s, i) => i), (a, b) => order(names[a], names[b]));
      const seen = new Map();
      for (const name of names) seen.set(name, (seen.get(name) || 0) + 1);
      const text = (i) => seen.get(names[i]) > 1 && names[i] !== data.sites[i][1]
        ? names[i] + " (" + data.sites[i][1] + ")" : names[i];
      for (let n = 0; n < sorted.length; n += 50) {
        sites.append(...sorted.slice(n, n + 50).map((i) => h("option", { value: "site:" + data.sites[i][0] }, text(i))));
        yield;
      }
    };
    const used = new Set(this.data.control.flatMap((ps) => ps.map((p) => p[0])));
    this.data.actors.forEach((a, n) => {
      if (used.has(n)) actors.append(h("option", { value: "actor:" + a[0] }, a[3] || a[1]));
    });
    select.append(actors, sites);
    select.addEventListener("change", () => this.setScope(select.value));
    select.closest(".change-scope").hidden = false;
  };

  // Tick marks for change days under the slider, taller where many changes fall together;
  // a <datalist> gives the range input its own ticks too.
  Explorer.prototype.drawTicks = function () {
    const slider = this.el.slider, box = document.getElementById("change-ticks");
    if (!slider || !box) return;
    const max = this.data.max, bins = tickBins(this.data.changes, max, TICK_BINS);
    const top = Math.max(1, ...bins.map((b) => b.count));
    box.replaceChildren(...bins.map((b) => {
      const tick = h("span", { class: "tick" });
      tick.style.left = ((b.bin + 0.5) / TICK_BINS * 100).toFixed(2) + "%";
      tick.style.height = (35 + 65 * Math.log1p(b.count) / Math.log1p(top)).toFixed(0) + "%";
      return tick;
    }));
    const list = document.getElementById("change-days");
    const days = this.data.changes.filter((c) => c <= max);
    // The browser draws a tick per option on the slider itself and repaints them all on
    // every step: only for a readable number of change days (the drawn ticks carry the rest).
    if (list && days.length <= MAX_NATIVE_TICKS) {
      list.replaceChildren(...days.map((c) => h("option", { value: String(c) })));
      slider.setAttribute("list", "change-days");
    }
  };

  // A generator (inTurns): the table, the scope list, the ticks and the filter each in a
  // task of their own; the slider and its buttons answer once all are in place.
  Explorer.prototype.bindControls = function* () {
    this.bindTable();
    yield true;
    const changes = this.el.changes && this.el.changes.closest("section");
    this.watchAway([this.el.caption, changes, ...(this.bodies || [])]);
    this.bindScope();
    yield true;
    this.drawTicks();
    yield true;
    this.bindFilter();
    this.bindSkip();
    this.bindCopy();
    this.bindDateForm();
    this.bindSearch();
    // Escape closes an open popup from anywhere on the page.
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && this.map._popup && this.map.hasLayer(this.map._popup)) {
        ev.preventDefault();
        this.map.closePopup();
      }
    });
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
  };

  // "Skip to the map": focus the map itself, which the keyboard then pans and zooms.
  Explorer.prototype.bindSkip = function () {
    const link = document.getElementById("skip-to-map");
    if (!link) return;
    link.addEventListener("click", (ev) => {
      ev.preventDefault();
      const box = this.map.getContainer();
      box.scrollIntoView({ block: "nearest" });
      box.focus();
    });
  };

  // Copy buttons (the embed snippet): the clipboard where the page may write it, else the
  // text is selected for the reader to copy.
  Explorer.prototype.bindCopy = function () {
    for (const button of document.querySelectorAll("button[data-copy]")) {
      const source = document.getElementById(button.dataset.copy);
      if (!source) continue;
      const done = button.parentElement.querySelector(".copy-done");
      const say = (text) => { if (done) done.textContent = text; };
      button.addEventListener("click", () => {
        source.select();
        if (!navigator.clipboard) return say(t("copy.select"));
        navigator.clipboard.writeText(source.value).then(() => say(t("copy.done")),
          () => say(t("copy.select")));
      });
      button.hidden = false;
    }
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
      clearTimeout(this.timer);
      this.timer = null;
    } else {
      if (this.day >= this.data.max) this.show(0);
      this.timer = setTimeout(() => this.playStep(), PLAY_MS);
    }
    button.setAttribute("aria-pressed", this.timer ? "true" : "false");
    button.textContent = t(this.timer ? "play.pause" : "play.play");
  };

  // Playing moves a month at a time but stops on every change point on the way, and
  // pauses there long enough to read the "Changes on this date" list.
  Explorer.prototype.playStep = function () {
    if (this.day >= this.data.max) return this.togglePlay();
    this.show(Math.min(this.day + PLAY_STEP_DAYS, this.changeFrom(this.day, 1)));
    this.paused = this.changeDays.has(this.day);
    this.timer = setTimeout(() => this.playStep(), this.paused ? PLAY_PAUSE_MS : PLAY_MS);
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
        .catch(() => out.replaceChildren(h("p", null, t("search.failed"))));
    });
  };

  Explorer.prototype.showResults = function (body, out) {
    if (!body.results) return out.replaceChildren(h("p", { class: "error" }, body.description));
    const hits = body.results.filter((r) => this.bySlug.has(r.slug));
    if (!hits.length) return out.replaceChildren(h("p", null, t("search.none", { query: body.query })));
    out.replaceChildren(h("p", null, hits.length === 1 ? t("search.one")
      : t("search.many", { count: num(hits.length) })),
      h("ul", null, ...hits.map((r) => h("li", null, this.resultButton(r)))));
    // One site named by the query opens; the other side of its crossing is listed only.
    const named = hits.filter((r) => !r.via_crossing);
    if (named.length === 1) this.focusSite(this.bySlug.get(named[0].slug));
  };

  Explorer.prototype.resultButton = function (r) {
    const i = this.bySlug.get(r.slug);
    const button = h("button", { type: "button", class: "linkish" }, ...namePair(r.name, r.name_ar), " ",
      h("span", { class: "cc" }, r.country));
    // Who holds it on the date shown, as the map's label says.
    const holder = this.labelText(i).split(" · ")[1];
    const wrap = h("span", null, button, holder ? h("span", { class: "holder" }, " — " + holder) : null);
    button.addEventListener("click", () => this.focusSite(i));
    return wrap;
  };

  // A click on a row (outside its link) shows that site on the map.
  Explorer.prototype.bindTable = function () {
    const table = document.getElementById("state-table");
    if (!table) return;
    this.groupRows(table);
    gridTable(table);
    this.rowIndex = new Map();
    this.rows.forEach((row, i) => { if (row) this.rowIndex.set(row, i); });
    table.addEventListener("click", (ev) => {
      const row = ev.target.closest("tr");
      if (!row || ev.target.closest("a")) return;
      const i = this.rowIndex.has(row) ? this.rowIndex.get(row) : -1;
      if (i >= 0) this.focusSite(i);
    });
    this.rows.forEach((row, i) => { if (row) this.addShowButton(row, i); });
  };

  Explorer.prototype.addShowButton = function (row, i) {
    const button = h("button", { type: "button", class: "show-on-map",
      "aria-label": t("table.show_site", { name: this.data.shown[i] }), title: t("table.show") });
    const code = row.cells[0].querySelector(".cc");
    if (code) code.after(" ", button);
    else row.cells[0].append(" ", button);
  };

  // Crossings as units: a heading row per crossing, its Syrian side then its Iraqi side,
  // then every other site under "Other sites". In that order (this.layout: headings, and
  // sites by index) the rows fill bodies of ROWS_PER_BODY, rows not built yet included.
  // The server's body is the first of them, its rows left where they already stand: a row
  // moved is laid out anew, and the first body's were a large part of a slow phone's frame.
  Explorer.prototype.groupRows = function (table) {
    const names = this.crossings.names;
    this.groups = crossingGroups(this.data.sites, this.crossings.of, names.map((c) => c[1]));
    this.groupHeads = [];
    this.bodies = [];
    this.bodyOf = new Array(this.data.sites.length);
    this.layout = [];
    const first = table.tBodies[0] || table.appendChild(h("tbody"));
    const next = (item) => {
      if (this.layout.length % ROWS_PER_BODY === 0) this.bodies.push(this.bodies.length ? h("tbody") : first);
      this.layout.push(item);
      return this.bodies[this.bodies.length - 1];
    };
    // `el` next in `body`, after the last one put there.
    let last = null;
    const put = (body, el) => {
      const at = last && last.parentNode === body ? last.nextElementSibling : body.firstElementChild;
      if (at !== el) body.insertBefore(el, at);
      last = el;
    };
    let lastInFirst = null;
    for (const g of this.groups) {
      const name = g.crossing >= 0 ? names[g.crossing][1] : t("table.others");
      const head = h("tr", { class: "group-row" + (g.crossing < 0 ? " group-others" : "") },
        // The space outside the second name's span: inside it, it would go to the span's
        // start, away from the first name, which it then touches.
        h("th", { scope: "colgroup", colspan: "5" },
          ...(g.crossing < 0 ? [name] : names[g.crossing][2] ? namePair(name, names[g.crossing][2])
            : namePair(name, "").slice(0, 1)),
          g.crossing >= 0 ? h("span", { class: "group-note" },
            " — " + t("table.crossing_note", { count: num(g.sites.length) })) : null));
      this.groupHeads.push(head);
      put(next(head), head);
      if (head.parentNode === first) lastInFirst = head;
      for (const i of g.sites) {
        const body = this.bodyOf[i] = next(i);
        if (this.rows[i]) {
          if (g.crossing >= 0) this.rows[i].classList.add("crossing-side");
          put(body, this.rows[i]);
          if (body === first) lastInFirst = this.rows[i];
        }
      }
    }
    // What else the server's body held goes, as the body it was in used to.
    while (lastInFirst && lastInFirst.nextSibling) lastInFirst.nextSibling.remove();
    if (this.bodies.length) first.after(...this.bodies.slice(1));
    else first.remove();
  };

  /* ---- the table's filter and sort ---- */

  Explorer.prototype.bindFilter = function () {
    const form = document.getElementById("table-filter");
    if (!form) return;
    const actor = form.elements["filter-actor"];
    const used = new Set(this.data.control.flatMap((ps) => ps.map((p) => p[0])));
    this.data.actors.forEach((a, n) => {
      if (used.has(n)) actor.append(h("option", { value: a[0] }, a[3] || a[1]));
    });
    const update = () => { this.readFilter(form); this.applyFilter(); this.spellingsSoon(); };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); update(); });
    form.hidden = false;
  };

  // The text is matched here as typed (names, slug, the crossing's names) and, a moment
  // later, by the server's search (app/core/search.py: aliases, spellings such as
  // "Abu Kamal" or "Yaarubiyah", the article); a row either finds is shown.
  Explorer.prototype.spellingsSoon = function () {
    const form = document.getElementById("search-form"), text = this.filter.text.trim();
    clearTimeout(this.spellingTimer);
    if (!form || !text || (this.spelled && this.spelled.text === text)) return;
    this.spellingTimer = setTimeout(() => {
      fetch(form.action + "?f=json&q=" + encodeURIComponent(text))
        .then((r) => (r.ok ? r.json() : { results: [] }))
        .then((body) => {
          this.spelled = { text: text, slugs: new Set(body.results.map((r) => r.slug)) };
          if (this.filter.text.trim() === text) this.applyFilter();
        })
        .catch(() => {});  // offline: the rows matched as typed stay
    }, SPELLING_DELAY_MS);
  };

  Explorer.prototype.readFilter = function (form) {
    const f = form.elements;
    this.filter = { text: f["filter-text"].value, actor: f["filter-actor"].value,
      country: f["filter-country"].value, status: f["filter-status"].value, sort: f["filter-sort"].value };
    this.filtering = Boolean(this.filter.text || this.filter.actor || this.filter.country ||
      this.filter.status || this.filter.sort !== "crossing");
  };

  Explorer.prototype.rowMatches = function (i) {
    const f = this.filter, site = this.data.sites[i];
    if (f.country && site[3] !== f.country) return false;
    if (f.status && !this.statusValues(i).includes(f.status)) return false;
    if (f.actor) {
      const p = this.tracked[i] ? this.period(i) : null, tr = this.transition(i);
      const holders = p ? [p[0]] : tr ? tr.ks.map((k) => this.data.control[i][k][0]) : [];
      if (!holders.some((a) => this.data.actors[a][0] === f.actor)) return false;
    }
    const c = this.crossings.of[i];
    const crossing = c >= 0 ? this.crossings.names[c].slice(0, 3) : [];
    const spelled = this.spelled && this.spelled.text === f.text.trim() && this.spelled.slugs;
    return siteMatches(f.text, site, crossing) || Boolean(spelled && spelled.has(site[0]));
  };

  // Filtered rows are hidden; a crossing's heading shows while either side does. Any sort
  // but "by crossing" lists the rows flat.
  Explorer.prototype.applyFilter = function () {
    if (!this.filter || !this.groups) return;
    const body = this.rows.find(Boolean) ? this.rows.find(Boolean).parentElement : null;
    let shown = 0;
    const flat = this.filter.sort !== "crossing";
    this.groups.forEach((g, n) => {
      let any = false;
      for (const i of g.sites) {
        const ok = this.rowMatches(i);
        if (this.rows[i]) this.rows[i].hidden = !ok;
        any = any || ok;
        shown += ok ? 1 : 0;
      }
      this.groupHeads[n].hidden = flat || !any;
    });
    if (body && flat !== this.flat) this.flat = flat;
    if (body) {
      this.orderRows();
      this.sizeBodies();
      // A row that waited out of view may have moved into a body in view.
      for (const i of this.staleRows) {
        const row = this.rows[i];
        if (row && !this.away.has(row.parentNode)) this.queueRow(i);
      }
    }
    const count = document.getElementById("filter-count");
    if (count) count.textContent = t("table.count", { shown: num(shown), total: num(this.data.sites.length) });
  };

  // Out of view, a body keeps the room it took when last drawn (content-visibility): with its
  // rows filtered out it stood tall and empty, and the rows shown below it jumped up as it
  // came near and shrank (a filtered table of three rows was 45,000 px tall at first). While
  // filtering, each body reserves room for the rows it shows, and one that shows none is hidden.
  Explorer.prototype.sizeBodies = function () {
    for (const body of this.bodies) {
      let shown = 0;
      for (const row of body.rows) if (!row.hidden) shown++;
      const hidden = this.filtering && shown === 0;  // else its rows may not be built yet
      const room = this.filtering ? shown * ROW_EM + "em" : "";
      // Written only when changed: a slider step while filtering runs this too.
      if (body.hidden !== hidden) body.hidden = hidden;
      if (body.room !== room) body.style.containIntrinsicSize = body.room = room;
    }
  };

  Explorer.prototype.orderRows = function () {
    const key = this.filter.sort;
    if (key === "crossing") {
      if (this.sortedBy === "crossing" || this.sortedBy === undefined) { this.sortedBy = "crossing"; return; }
      this.layout.forEach((item, n) => {
        const row = typeof item === "number" ? this.rows[item] : item;
        if (row) this.bodies[Math.floor(n / ROWS_PER_BODY)].append(row);
      });
      this.sortedBy = "crossing";
      return;
    }
    const sites = this.data.sites;
    const value = {
      name: (i) => sites[i][1].toLowerCase(),
      controller: (i) => this.labelText(i).split(" · ")[1] || "",
      country: (i) => sites[i][3] + sites[i][1].toLowerCase(),
      status: (i) => this.statusText(i),
    }[key] || ((i) => sites[i][1]);
    const order = sites.map((s, i) => i).sort((a, b) => String(value(a)).localeCompare(String(value(b)))
      || sites[a][1].localeCompare(sites[b][1]));
    const signature = key + ":" + order.join(",");
    if (signature === this.sortedBy) return;
    this.sortedBy = signature;
    // Sorted, the rows fill the same bodies in turn (the headings, hidden, stay behind).
    const per = Math.ceil(order.length / this.bodies.length);
    order.forEach((i, n) => { if (this.rows[i]) this.bodies[Math.floor(n / per)].append(this.rows[i]); });
  };

  /* ---- entry point, called by atlas-base.js once the base map is drawn ---- */

  function attach(map, control, options) {
    // A neutral conflict map carries no flag: a plain link to Leaflet instead of its prefix.
    if (map.attributionControl) {
      map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    }
    const slider = document.getElementById("day-slider");
    // Read now: once a day is shown the address follows the page (scheduleUrl), and until a
    // site is focused it names none.
    const slug = new URLSearchParams(location.search).get("site");
    let data, explorer;
    // The data block read, then made ready, the explorer, the bounds' index, the sites'
    // markers, the first day shown, then the controls and the table, in turns (inTurns, the
    // generators a step at a time): the map is drawn first, and no single task holds a slow
    // phone long.
    inTurns([() => {
      data = JSON.parse(document.getElementById(options.data).textContent);
    }, () => {
      prepare(data);
    }, () => {
      explorer = new Explorer(map, options, data);
    }, () => explorer.indexBounds(), () => explorer.makeMarkers(control), () => {
      explorer.makeEventLayer(control);
      // The labels follow the map from here on (once the sites are on it: placeLabels).
      explorer.makeLabels();
      explorer.uncoverPopups();
      const legend = explorer.el.legend;
      if (legend) {
        const box = L.control({ position: "bottomright" });
        box.onAdd = () => { L.DomEvent.disableClickPropagation(legend); return legend; };
        box.addTo(map);
        // On a phone the open legend would hide most of the map.
        if (window.matchMedia("(max-width: 900px)").matches) legend.open = false;
        legend.addEventListener("toggle", () => explorer.placeLabels(true));
      }
    }, () => explorer.showing(slider ? Number(slider.value) : explorer.data.max), () => {
      // Each site has its look now: the markers go on the map, or the clusters load.
      if (explorer.clusterPending) {
        explorer.loadClustering();
      } else {
        explorer.siteLayer.addTo(map);
        explorer.queueLabels();
      }
    }, () => explorer.bindControls(), () => {
      if (slider && Number(slider.value) !== explorer.day) explorer.show(Number(slider.value));
      // What the first paint does not need, in slices: the table's other rows, their
      // painting, the scope list's sites.
      explorer.later(explorer.buildRows());
      explorer.later(explorer.paintStaleRows());
      if (explorer.scopeOptions) explorer.later(explorer.scopeOptions());
      if (explorer.bySlug.has(slug)) explorer.focusSite(explorer.bySlug.get(slug));
      window.AtlasMap.instance = explorer;
    }]);
  }

  window.AtlasMap = { attach: attach, instance: null };
})();
