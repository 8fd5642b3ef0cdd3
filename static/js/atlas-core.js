/* Border Control Atlas map helpers: dates and periods of the time data block, the state
 * of a site as of a day, safe DOM building, the state table's rows, and the canvas site
 * marker. Used by atlas-map.js in the page; the pure parts also load in Node
 * (tests/js/), which checks them against the server's answer.
 */
(function () {
  "use strict";

  const DAY_MS = 864e5;
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"];
  const SPACING = 22;

  // The record's vocabulary, sent in the data block (app/core/vocabulary.py): statuses,
  // confidences and precisions by position as the block encodes them, site kinds' labels,
  // country names. Filled by setVocabulary before anything is drawn.
  const STATUS = [];
  const STATUS_TEXT = [];
  const CONFIDENCE = [];
  const PRECISION = [];
  const SITE_KIND = [];
  const KIND = [];
  const COUNTRY = {};

  function setVocabulary(v) {
    fill(STATUS, v.statuses);
    fill(STATUS_TEXT, v.statuses);
    fill(CONFIDENCE, v.confidences);
    fill(PRECISION, v.precisions);
    fill(SITE_KIND, v.kinds);
    fill(KIND, v.kind_labels);
    for (const code of Object.keys(COUNTRY)) delete COUNTRY[code];
    Object.assign(COUNTRY, v.countries);
  }

  // In place: atlas-map.js holds references to these arrays.
  function fill(array, values) {
    array.splice(0, array.length, ...values);
  }

  let originMs = 0;

  // Day offsets count from the data block's origin; the month table speeds up repaints.
  function setOrigin(iso, max) {
    originMs = Date.parse(iso + "T00:00:00Z");
    fillMonthTable(max);
  }

  // Make a parsed data block ready for use: vocabulary, origin, periods and change points
  // as absolute day offsets (see app/core/map_encoding.py `encode`). Changes `data`.
  function prepare(data) {
    setVocabulary(data.vocabulary);
    setOrigin(data.origin, data.max);
    data.control.forEach(absolutePeriods);
    data.status.forEach(absolutePeriods);
    data.changes = runningTotal(data.changes);
    return data;
  }

  /* ---- dates: integer day offsets from the data block's origin ---- */

  function dateOf(d) { return new Date(originMs + d * DAY_MS); }
  function isoOf(d) { return dateOf(d).toISOString().slice(0, 10); }

  // The day offset of a real calendar date "YYYY-MM-DD", else null (Date.parse would
  // roll "2011-02-30" over into March).
  function offsetOf(iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
    const t = Date.parse(iso + "T00:00:00Z");
    if (isNaN(t)) return null;
    const d = Math.round((t - originMs) / DAY_MS);
    return isoOf(d) === iso ? d : null;
  }

  function longDate(d) {
    const x = dateOf(d);
    return x.getUTCDate() + " " + MONTHS[x.getUTCMonth()] + " " + x.getUTCFullYear();
  }

  // Same wording as timeline.format_bound: "4 Mar 2016", "Mar 2016", "2016";
  // `precision` is a position in the vocabulary's precisions (day, month, year).
  function boundText(d, precision) {
    const x = dateOf(d);
    const month = MONTHS[x.getUTCMonth()].slice(0, 3);
    if (PRECISION[precision] === "year") return String(x.getUTCFullYear());
    if (PRECISION[precision] === "month") return month + " " + x.getUTCFullYear();
    return x.getUTCDate() + " " + month + " " + x.getUTCFullYear();
  }

  /* ---- periods: [value, start, end, flags, …]; flags as in map_encoding.flags ---- */

  const startPrecision = (p) => p[3] & 3;
  const endPrecision = (p) => (p[3] >> 2) & 3;
  const isContested = (p) => (p[3] & 16) !== 0;
  const confidenceOf = (p) => CONFIDENCE[(p[3] >> 5) & 3];
  const challengerOf = (p) => (p[3] >> 7) - 1;
  const sourcesOf = (p) => p.slice(4);

  // Undo map_encoding's compaction: starts follow the previous end, ends their start.
  function absolutePeriods(periods) {
    let cursor = 0;
    for (const p of periods) {
      if (p[1] !== null) p[1] += cursor;
      if (p[2] !== null) cursor = p[2] += p[1] === null ? 0 : p[1];
    }
    return periods;
  }

  function runningTotal(steps) {
    let total = 0;
    return steps.map((step) => (total += step));
  }

  function indexAt(periods, d) {
    for (let k = 0; k < periods.length; k++) {
      const p = periods[k];
      if ((p[1] === null || p[1] <= d) && (p[2] === null || d < p[2])) return k;
    }
    return -1;
  }

  // Months since year 0 of each day offset, looked up rather than computed per repaint.
  let monthTable = new Int32Array(0);

  function monthOf(d) {
    if (d >= 0 && d < monthTable.length) return monthTable[d];
    const x = dateOf(d);
    return x.getUTCFullYear() * 12 + x.getUTCMonth();
  }

  function fillMonthTable(max) {
    monthTable = new Int32Array(max + 1);
    for (let d = 0; d <= max; d++) {
      const x = dateOf(d);
      monthTable[d] = x.getUTCFullYear() * 12 + x.getUTCMonth();
    }
  }

  // Same month, or same year, as the precision asks ("day": never the same span).
  function sameSpan(a, b, precision) {
    const unit = PRECISION[precision];
    if (unit !== "month" && unit !== "year") return false;
    const x = monthOf(a), y = monthOf(b);
    return unit === "year" ? Math.floor(x / 12) === Math.floor(y / 12) : x === y;
  }

  // Uncertain: the day falls in the month or year of an imprecise bound.
  function isUncertain(p, d) {
    return (p[1] !== null && sameSpan(p[1], d, startPrecision(p))) ||
      (p[2] !== null && sameSpan(p[2], d, endPrecision(p)));
  }

  // A site as of day d: k its control period's index (-1: unknown), j its status period's
  // index (-1: no record), and whether the date of the control is uncertain.
  function siteState(control, status, d) {
    const k = indexAt(control, d);
    return { k: k, j: indexAt(status, d), uncertain: k >= 0 && isUncertain(control[k], d) };
  }

  // Status index of a site state: its status period's, else "unknown".
  function statusIndexOf(status, state) {
    return state.j < 0 ? STATUS.indexOf("unknown") : status[state.j][0];
  }

  // Same wording as map_encoding.when_label: "Jun 2014 – 3 Nov 2017", "since Jun 2014".
  function whenText(periods, k, d) {
    if (k < 0) return gapText(periods, d);
    const p = periods[k];
    const since = p[1] === null ? "" : boundText(p[1], startPrecision(p));
    const until = p[2] === null ? "" : boundText(p[2], endPrecision(p));
    if (since && until) return since + " – " + until;
    if (until) return "until " + until;
    return since ? "since " + since : "always on record";
  }

  function gapText(periods, d) {
    let before = null, after = null;
    for (const p of periods) {
      if (p[2] !== null && p[2] <= d && (!before || p[2] > before[2])) before = p;
      if (p[1] !== null && p[1] > d && (!after || p[1] < after[1])) after = p;
    }
    const since = before ? boundText(before[2], endPrecision(before)) : "";
    const until = after ? boundText(after[1], startPrecision(after)) : "";
    if (since && until) return "no record, " + since + " – " + until;
    if (since || until) return "no record " + (since ? "since " + since : "until " + until);
    return "no record";
  }

  /* ---- DOM: every text goes in as a text node ---- */

  function h(tag, attrs) {
    const el = document.createElement(tag);
    for (const name in attrs || {}) {
      if (name === "class") el.className = attrs[name];
      else el.setAttribute(name, attrs[name]);
    }
    for (let i = 2; i < arguments.length; i++) {
      if (arguments[i] !== null && arguments[i] !== undefined) el.append(arguments[i]);
    }
    return el;
  }

  function swatch(colour) {
    const el = h("span", { class: "swatch" });
    el.style.background = colour;
    return el;
  }

  // "Syrian side of a crossing", "Town in Iraq".
  function placeText(site) {
    const country = COUNTRY[site[3]] || [site[3], site[3]];
    if (SITE_KIND[site[6]] === "crossing_side") return country[1] + " " + KIND[site[6]];
    const kind = KIND[site[6]] || "site";
    return kind[0].toUpperCase() + kind.slice(1) + " in " + country[0];
  }

  const safeUrl = (url) => /^https?:\/\//i.test(url || "");

  function sourceItem(s) {
    const title = safeUrl(s[2])
      ? h("a", { href: s[2], rel: "noopener noreferrer", target: "_blank" }, s[0])
      : s[0];
    const meta = [s[1], s[3]].filter(Boolean).join(", ");
    return h("li", null, title, meta ? " — " + meta : null);
  }

  /* ---- state table rows ---- */

  // A row's cells keep their elements: a repaint only changes text, classes and colours.
  function rowParts(row) {
    const tag = (text) => h("span", { class: "tag", hidden: "" }, text);
    const parts = {
      swatch: h("span", { class: "swatch" }), name: h("span"),
      contested: tag("contested"), uncertain: tag("date uncertain"),
      when: row.cells[2], status: h("span"), confidence: h("span"),
    };
    row.cells[1].replaceChildren(parts.swatch, parts.name, " ", parts.contested, " ",
      parts.uncertain);
    row.cells[3].replaceChildren(parts.status);
    row.cells[4].replaceChildren(parts.confidence);
    return parts;
  }

  // The table is laid out as a grid so that rows out of view cost nothing to update;
  // the ARIA roles keep it a table for assistive technology whatever its CSS display.
  function gridTable(table) {
    table.classList.add("grid");
    table.setAttribute("role", "table");
    for (const group of [table.tHead, ...table.tBodies]) group.setAttribute("role", "rowgroup");
    for (const row of table.rows) {
      row.setAttribute("role", "row");
      for (const cell of row.cells) cell.setAttribute("role", cellRole(cell));
    }
  }

  function cellRole(cell) {
    if (cell.tagName !== "TH") return "cell";
    return cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader";
  }

  /* ---- the site marker: fill = controller, shape and outline = status ---- */

  const RADIUS = 7;
  const INK = "#1d2430";

  // Only in the page: Leaflet is not loaded in Node.
  const SiteMark = typeof L === "undefined" ? null : L.CircleMarker.extend({
    options: { radius: RADIUS + 6, dx: 0, interactive: true },

    // Sites that share a point are drawn side by side, dx pixels apart.
    _project: function () {
      L.CircleMarker.prototype._project.call(this);
      this._point = this._point.add([this.options.dx, 0]);
      this._updateBounds();
    },

    // A new look needs a repaint of the canvas, not a new projection (as redraw() does).
    paint: function (look) {
      this.look = look;
      if (this._map) this._renderer._updateStyle(this);
    },

    _updatePath: function () {
      const renderer = this._renderer;
      if (!renderer._drawing || this._empty() || !this.look) return;
      const half = SPRITE / 2;
      renderer._ctx.drawImage(sprite(this.look), this._point.x - half, this._point.y - half,
        SPRITE, SPRITE);
    },
  });

  // Each look is drawn once into a small bitmap and then copied: a thousand copies paint
  // far faster than a thousand sets of strokes, fills and dash changes.
  const SPRITE = 2 * (RADIUS + 10);
  const sprites = new Map();

  function sprite(look) {
    const key = [look.shape, look.fill, look.gap, look.dashed, look.ring, look.focus].join();
    let image = sprites.get(key);
    if (!image) {
      const ratio = window.devicePixelRatio || 1;
      image = document.createElement("canvas");
      image.width = image.height = Math.ceil(SPRITE * ratio);
      const ctx = image.getContext("2d");
      ctx.scale(ratio, ratio);
      drawMark(ctx, SPRITE / 2, SPRITE / 2, look);
      sprites.set(key, image);
    }
    return image;
  }

  function drawMark(ctx, x, y, look) {
    if (look.focus) ring(ctx, x, y, RADIUS + 7, "#f0b429", 3);
    if (look.ring) {
      ring(ctx, x, y, RADIUS + 4, "#ffffff", 4);
      ring(ctx, x, y, RADIUS + 4, look.ring, 2.5);
    }
    const thick = STATUS[look.shape] !== "unknown";
    shapePath(ctx, look.shape, x, y, RADIUS);
    ctx.setLineDash([]);
    ctx.lineWidth = (thick ? 3 : 1.5) + 3;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    ctx.fillStyle = look.fill;
    ctx.fill();
    ctx.setLineDash(look.dashed ? [3, 2] : []);
    ctx.lineWidth = look.gap ? 2 : thick ? 3 : 1.5;
    ctx.strokeStyle = look.gap ? "#4f5b66" : INK;
    ctx.stroke();
    if (look.gap) {
      ctx.fillStyle = INK;
      ctx.font = "bold 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("?", x, y + 0.5);
    }
  }

  // Open: circle, closed: square, restricted: diamond, unknown: circle.
  function shapePath(ctx, status, x, y, r) {
    ctx.beginPath();
    if (STATUS[status] === "closed") {
      ctx.rect(x - r + 0.5, y - r + 0.5, 2 * r - 1, 2 * r - 1);
    } else if (STATUS[status] === "restricted") {
      const d = r + 1.5;
      ctx.moveTo(x, y - d);
      ctx.lineTo(x + d, y);
      ctx.lineTo(x, y + d);
      ctx.lineTo(x - d, y);
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, Math.PI * 2);
    }
  }

  function ring(ctx, x, y, r, stroke, width) {
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.setLineDash([]);
    ctx.lineWidth = width;
    ctx.strokeStyle = stroke;
    ctx.stroke();
  }

  /* ---- markers that share a point sit side by side (Syrian side first, west) ---- */

  function coLocatedOffsets(sites) {
    const groups = new Map();
    sites.forEach((s, i) => {
      const key = s[4].toFixed(4) + "," + s[5].toFixed(4);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(i);
    });
    const dx = new Array(sites.length).fill(0);
    for (const members of groups.values()) {
      members.sort((a, b) => (sites[b][3] > sites[a][3]) - (sites[b][3] < sites[a][3]));
      members.forEach((i, n) => { dx[i] = (n - (members.length - 1) / 2) * SPACING; });
    }
    return dx;
  }

  const api = {
    STATUS, STATUS_TEXT, CONFIDENCE, PRECISION, SITE_KIND, KIND, COUNTRY, setVocabulary, setOrigin,
    prepare, isoOf, offsetOf, longDate, boundText, startPrecision, endPrecision,
    isContested, confidenceOf, challengerOf, sourcesOf, absolutePeriods, runningTotal,
    indexAt, isUncertain, siteState, statusIndexOf, whenText, gapText, h, swatch,
    placeText, sourceItem, rowParts, gridTable, SiteMark, coLocatedOffsets,
  };

  // In the page a global; in Node (the tests under tests/js/) a CommonJS module.
  if (typeof module === "object" && module.exports) module.exports = api;
  else window.AtlasCore = api;
})();
