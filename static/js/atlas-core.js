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
  // confidences and bound precisions by position as the block encodes them, site kinds
  // and their labels, the kinds not tracked for control, country names. Filled by
  // setVocabulary before anything is drawn.
  const STATUS = [];
  const STATUS_TEXT = [];
  const CONFIDENCE = [];
  const PRECISION = [];
  const SITE_KIND = [];
  const KIND = [];
  const UNTRACKED = [];
  const COUNTRY = {};

  function setVocabulary(v) {
    fill(STATUS, v.statuses);
    fill(STATUS_TEXT, v.statuses);
    fill(CONFIDENCE, v.confidences);
    fill(PRECISION, v.precisions);
    fill(SITE_KIND, v.kinds);
    fill(KIND, v.kind_labels);
    fill(UNTRACKED, v.untracked_kinds || []);
    for (const code of Object.keys(COUNTRY)) delete COUNTRY[code];
    Object.assign(COUNTRY, v.countries);
  }

  // In place: atlas-map.js holds references to these arrays.
  function fill(array, values) {
    array.splice(0, array.length, ...values);
  }

  let originMs = 0;

  // Day offsets count from the data block's origin.
  function setOrigin(iso) {
    originMs = Date.parse(iso + "T00:00:00Z");
  }

  // Make a parsed data block ready for use: vocabulary, origin, periods and change points
  // as absolute day offsets (see app/core/map_encoding.py `encode`). Changes `data`.
  function prepare(data) {
    setVocabulary(data.vocabulary);
    setOrigin(data.origin);
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

  // "4 March 2016" (bounds._long).
  function longDate(d) {
    const x = dateOf(d);
    return x.getUTCDate() + " " + MONTHS[x.getUTCMonth()] + " " + x.getUTCFullYear();
  }

  // "4 Mar 2016" (bounds._abbr).
  function shortDate(d) {
    const x = dateOf(d);
    return x.getUTCDate() + " " + MONTHS[x.getUTCMonth()].slice(0, 3) + " " + x.getUTCFullYear();
  }

  // An event's date, as timeline.format_bound: "4 Mar 2016", "Mar 2016", "2016";
  // `precision` is a position in the vocabulary's precisions (day, month, year).
  function boundText(d, precision) {
    const x = dateOf(d);
    if (PRECISION[precision] === "year") return String(x.getUTCFullYear());
    if (PRECISION[precision] === "month") {
      return MONTHS[x.getUTCMonth()].slice(0, 3) + " " + x.getUTCFullYear();
    }
    return shortDate(d);
  }

  /* ---- periods: [value, start earliest, start latest, end earliest, end latest, flags,
   * source…] in absolute day offsets (null: open); flags as map_encoding.flags packs them.
   * A start's latest day is the first day the period certainly holds, its earliest the
   * first it may hold; an end's earliest day is the first it may no longer hold, its
   * latest the first it certainly no longer holds (timeline.Period). ---- */

  const FLAGS = 5;
  const startPrecision = (p) => p[FLAGS] & 3;
  const endPrecision = (p) => (p[FLAGS] >> 2) & 3;
  const isContested = (p) => (p[FLAGS] & 16) !== 0;
  const confidenceOf = (p) => CONFIDENCE[(p[FLAGS] >> 5) & 3];
  // Qualifier bits of a bound: 1 marked uncertain (?), 2 approximate (~).
  const startQualifiers = (p) => (p[FLAGS] >> 7) & 3;
  const endQualifiers = (p) => (p[FLAGS] >> 9) & 3;
  const isQualified = (p) => ((p[FLAGS] >> 7) & 15) !== 0;
  const challengerOf = (p) => (p[FLAGS] >> 11) - 1;
  const sourcesOf = (p) => p.slice(FLAGS + 1);

  // Undo map_encoding._relative: a start's earliest day follows the previous period's
  // earliest end, an end's earliest day its own start's earliest, each latest day its
  // earliest (absolute where the earliest is open).
  function absolutePeriods(periods) {
    let cursor = 0;
    for (const p of periods) {
      if (p[1] !== null) p[1] += cursor;
      if (p[2] !== null && p[1] !== null) p[2] += p[1];
      if (p[3] !== null) cursor = p[3] += p[1] === null ? 0 : p[1];
      if (p[4] !== null && p[3] !== null) p[4] += p[3];
    }
    return periods;
  }

  function runningTotal(steps) {
    let total = 0;
    return steps.map((step) => (total += step));
  }

  // A bound as {earliest, latest, precision, qualifiers}, or null for an open bound
  // (before the record, or ongoing): the page's view of bounds.Bound.
  function startBound(p) {
    return p[1] === null && p[2] === null ? null
      : { earliest: p[1], latest: p[2], precision: startPrecision(p), qualifiers: startQualifiers(p) };
  }

  function endBound(p) {
    return p[3] === null && p[4] === null ? null
      : { earliest: p[3], latest: p[4], precision: endPrecision(p), qualifiers: endQualifiers(p) };
  }

  // timeline.Period.certain_start / certain_end: an open bound is before the record or
  // ongoing; a start open at its late side ("2015/..") or an end open at its early side
  // ("../2013") leaves no certain day.
  function certainStart(p) {
    if (p[1] === null && p[2] === null) return -Infinity;
    return p[2] === null ? Infinity : p[2];
  }

  function certainEnd(p) {
    if (p[3] === null && p[4] === null) return Infinity;
    return p[3] === null ? -Infinity : p[3];
  }

  // timeline.holds_certainly: [latest start, earliest end).
  function holdsCertainly(p, d) {
    return certainStart(p) <= d && d < certainEnd(p);
  }

  // timeline.holds_possibly: [earliest start, latest end).
  function holdsPossibly(p, d) {
    return (p[1] === null || p[1] <= d) && (p[4] === null || d < p[4]);
  }

  // The index of the period that certainly holds on day d, else -1.
  function indexAt(periods, d) {
    for (let k = 0; k < periods.length; k++) if (holdsCertainly(periods[k], d)) return k;
    return -1;
  }

  // timeline.answer: on day d, {k: the certain holder's index (-1: none), uncertain,
  // transition: null or {ks: the indexes of the periods that may hold, in time order,
  // before: what came first is unknown, after: what follows is unknown, window: the bound
  // whose days the handover falls in}}.
  function answerAt(periods, d) {
    const k = indexAt(periods, d);
    if (k >= 0) return { k: k, uncertain: isQualified(periods[k]), transition: null };
    const ks = [];
    for (let n = 0; n < periods.length; n++) if (holdsPossibly(periods[n], d)) ks.push(n);
    if (!ks.length) return { k: -1, uncertain: false, transition: null };
    const start = (n) => periods[n][1] === null ? -Infinity : periods[n][1];
    // timeline._start_key: earliest start, then latest start; stable like Python's sorted().
    ks.sort((a, b) => (start(a) - start(b))
      || (certainStart(periods[a]) - certainStart(periods[b])) || 0);
    const first = periods[ks[0]], last = periods[ks[ks.length - 1]];
    const before = d < certainStart(first);
    const after = certainEnd(last) <= d;
    const window = !after ? startBound(last) : !before ? endBound(first) : endBound(last);
    return { k: -1, uncertain: true, transition: { ks: ks, before: before, after: after, window: window } };
  }

  // Outgoing and incoming period indexes of a transition (-1: unknown).
  const outgoingOf = (t) => t.before ? -1 : t.ks[0];
  const incomingOf = (t) => t.after ? -1 : t.ks[t.ks.length - 1];

  // Transition.chain: the holders' names in order, "unknown" at an open side.
  function chain(periods, t, nameOf) {
    const names = t.ks.map((n) => nameOf(periods[n][0]));
    return (t.before ? ["unknown"] : []).concat(names, t.after ? ["unknown"] : []);
  }

  // A site as of day d: the control answer (k, uncertain, transition) and j, the index of
  // its status period (-1: none certainly holds, so the status is unknown).
  function siteState(control, status, d) {
    const a = answerAt(control, d);
    a.j = indexAt(status, d);
    return a;
  }

  // Status index of a site state: its status period's, else "unknown".
  function statusIndexOf(status, state) {
    return state.j < 0 ? STATUS.indexOf("unknown") : status[state.j][0];
  }

  // What timeline._value compares to find change points: held, a transition (outgoing
  // and incoming value) or unknown.
  function valueKey(periods, d) {
    const a = answerAt(periods, d);
    if (a.transition) {
      const t = a.transition, o = outgoingOf(t), i = incomingOf(t);
      return JSON.stringify(["transition", o < 0 ? null : periods[o][0], i < 0 ? null : periods[i][0]]);
    }
    return JSON.stringify(a.k < 0 ? ["unknown"] : ["held", periods[a.k][0]]);
  }

  /* ---- wording: the same as app/core/bounds.py and map_encoding.when_label ---- */

  function wholeMonth(lo, hi) {
    const a = dateOf(lo), b = dateOf(hi);
    return a.getUTCDate() === 1 && a.getUTCFullYear() === b.getUTCFullYear() &&
      a.getUTCMonth() === b.getUTCMonth() && dateOf(hi + 1).getUTCDate() === 1;
  }

  function wholeYear(lo, hi) {
    const a = dateOf(lo), b = dateOf(hi);
    return a.getUTCFullYear() === b.getUTCFullYear() && a.getUTCMonth() === 0 &&
      a.getUTCDate() === 1 && b.getUTCMonth() === 11 && b.getUTCDate() === 31;
  }

  // Bound.short: "4 Mar 2016", "Jun 2014", "2014", "7–31 Dec 2024", "by 31 Dec 2013".
  function shortText(b) {
    return shortCore(b) + (b.qualifiers & 1 ? "?" : "") + (b.qualifiers & 2 ? "~" : "");
  }

  function shortCore(b) {
    const lo = b.earliest, hi = b.latest;
    if (lo === null) return hi === null ? "" : "by " + shortDate(hi);
    if (hi === null) return "from " + shortDate(lo);
    if (lo === hi) return shortDate(lo);
    const a = dateOf(lo), z = dateOf(hi);
    if (wholeYear(lo, hi)) return String(a.getUTCFullYear());
    if (wholeMonth(lo, hi)) return MONTHS[a.getUTCMonth()].slice(0, 3) + " " + a.getUTCFullYear();
    if (a.getUTCFullYear() !== z.getUTCFullYear()) return shortDate(lo) + " – " + shortDate(hi);
    if (a.getUTCMonth() !== z.getUTCMonth()) {
      return a.getUTCDate() + " " + MONTHS[a.getUTCMonth()].slice(0, 3) + " – " + shortDate(hi);
    }
    return a.getUTCDate() + "–" + shortDate(hi);
  }

  // Bound.reading: "4 March 2016", "sometime between 7 and 31 December 2024".
  function readingText(b) {
    const q = b.qualifiers;
    return readingCore(b) + (q === 3 ? " (uncertain, approximate)" : q === 1 ? " (uncertain)"
      : q === 2 ? " (approximate)" : "");
  }

  function readingCore(b) {
    const lo = b.earliest, hi = b.latest;
    if (lo === null) return hi === null ? "" : "no later than " + longDate(hi);
    if (hi === null) return "no earlier than " + longDate(lo);
    if (lo === hi) return longDate(lo);
    const a = dateOf(lo), z = dateOf(hi);
    if (wholeYear(lo, hi)) return "sometime in " + a.getUTCFullYear();
    if (wholeMonth(lo, hi)) return "sometime in " + MONTHS[a.getUTCMonth()] + " " + a.getUTCFullYear();
    if (a.getUTCFullYear() !== z.getUTCFullYear()) {
      return "sometime between " + longDate(lo) + " and " + longDate(hi);
    }
    if (a.getUTCMonth() !== z.getUTCMonth()) {
      return "sometime between " + a.getUTCDate() + " " + MONTHS[a.getUTCMonth()] + " and " + longDate(hi);
    }
    return "sometime between " + a.getUTCDate() + " and " + longDate(hi);
  }

  // The window of a transition in words, without "sometime": "between 7 and 31 December
  // 2024", "in June 2014".
  function windowText(b) {
    return readingText(b).replace(/^sometime /, "");
  }

  // map_encoding.when_label for a site state: "Jun 2014 – 3 Nov 2017", "since Jun 2014",
  // "SDF → Syria (transitional), between 7 and 31 December 2024", "no record".
  // `nameOf(actor index)` gives an actor's name.
  function whenText(periods, state, nameOf) {
    if (state.transition) {
      return chain(periods, state.transition, nameOf).join(" → ") + ", " +
        windowText(state.transition.window);
    }
    if (state.k < 0) return "no record";
    return periodText(periods[state.k]);
  }

  function periodText(p) {
    const start = startBound(p), end = endBound(p);
    const since = start ? shortText(start) : "", until = end ? shortText(end) : "";
    if (since && until) return since + " – " + until;
    if (until) return "until " + until;
    return since ? "since " + since : "always on record";
  }

  // Sites of these kinds are shown as "not tracked for control", never as unknown.
  function isTracked(site) {
    return !UNTRACKED.includes(SITE_KIND[site[6]]);
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

  // The swatches of a state: one actor's colour, each side of a handover (an unknown side
  // white and dashed), or a blank for unknown / not tracked.
  function swatches(colours, untracked) {
    if (untracked) return [h("span", { class: "swatch swatch-untracked" })];
    if (!colours.length) return [h("span", { class: "swatch swatch-gap" })];
    return colours.map((c) => c ? swatch(c) : h("span", { class: "swatch swatch-gap" }));
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

  // A row's cells keep their elements: a repaint only changes text, classes and colours
  // (and the swatches, which a handover doubles).
  function rowParts(row) {
    const tag = (text, extra) => h("span", { class: "tag" + (extra || ""), hidden: "" }, text);
    const parts = {
      swatches: h("span", { class: "swatches" }), name: h("span"),
      contested: tag("contested"), uncertain: tag("date uncertain"),
      changing: tag("changing hands", " tag-changing"),
      when: row.cells[2], status: h("span"), confidence: h("span"),
    };
    row.cells[1].replaceChildren(parts.swatches, parts.name, " ", parts.contested, " ",
      parts.uncertain, " ", parts.changing);
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

  /* ---- the site marker: fill = controller (split between both sides while control is
   * changing hands), shape and outline = status ---- */

  const RADIUS = 7;
  const INK = "#1d2430";
  const MUTED = "#4f5b66";
  const UNTRACKED_FILL = "#e4e7eb";
  const UNTRACKED_LINE = "#8a939e";

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
    const key = [look.shape, look.fills.join("/"), look.gap, look.dashed, look.ring, look.focus,
      look.untracked].join();
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
    if (look.fills.length > 1) {
      fillSlices(ctx, look.fills, x, y);
      shapePath(ctx, look.shape, x, y, RADIUS);
    } else {
      ctx.fillStyle = look.untracked ? UNTRACKED_FILL : look.fills[0] || "#ffffff";
      ctx.fill();
    }
    ctx.setLineDash(look.dashed ? [3, 2] : []);
    ctx.lineWidth = look.untracked ? 1.5 : look.gap ? 2 : thick ? 3 : 1.5;
    ctx.strokeStyle = look.untracked ? UNTRACKED_LINE : look.gap ? MUTED : INK;
    ctx.stroke();
    if (look.gap) {
      ctx.fillStyle = INK;
      ctx.font = "bold 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("?", x, y + 0.5);
    }
  }

  // A handover: the shape cut into upright slices, the outgoing side's colour on the left
  // and the incoming side's on the right (white where that side is unknown).
  function fillSlices(ctx, fills, x, y) {
    const r = RADIUS + 2, w = (2 * r) / fills.length;
    ctx.save();
    ctx.clip();
    fills.forEach((colour, n) => {
      ctx.fillStyle = colour || "#ffffff";
      ctx.fillRect(x - r + n * w, y - r, w + 0.5, 2 * r);
    });
    ctx.beginPath();
    for (let n = 1; n < fills.length; n++) {
      ctx.moveTo(x - r + n * w, y - r);
      ctx.lineTo(x - r + n * w, y + r);
    }
    ctx.setLineDash([]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    ctx.restore();
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
    STATUS, STATUS_TEXT, CONFIDENCE, PRECISION, SITE_KIND, KIND, UNTRACKED, COUNTRY,
    setVocabulary, setOrigin, prepare, isoOf, offsetOf, longDate, shortDate, boundText,
    startPrecision, endPrecision, startQualifiers, endQualifiers, isQualified, isContested,
    confidenceOf, challengerOf, sourcesOf, absolutePeriods, runningTotal, startBound, endBound,
    holdsCertainly, holdsPossibly, indexAt, answerAt, outgoingOf, incomingOf, chain, siteState,
    statusIndexOf, valueKey, shortText, readingText, windowText, whenText, periodText, isTracked,
    h, swatch, swatches, placeText, sourceItem, rowParts, gridTable, SiteMark, drawMark,
    coLocatedOffsets,
  };

  // In the page a global; in Node (the tests under tests/js/) a CommonJS module.
  if (typeof module === "object" && module.exports) module.exports = api;
  else window.AtlasCore = api;
})();
