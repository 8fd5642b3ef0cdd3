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
  // Opacity of a stale site's marker (see isStale).
  const STALE_ALPHA = 0.45;

  /* ---- words: the page's strings block (app/web/js_strings.py), English without it ---- */

  // The English text of every key the scripts use, as js_strings.py has it (a test checks
  // they agree). Vocabulary keys (status., confidence., kind., country., adjective.) are
  // left out: without the block the data block's own vocabulary words are shown.
  const ENGLISH = {
    lang: "en", digits: "latn", date_locale: "en",
    "date.sometime": "sometime {window}", "date.in": "in {date}",
    "date.between": "between {first} and {last}", "date.no_later_than": "no later than {date}",
    "date.no_earlier_than": "no earlier than {date}", "date.by": "by {date}",
    "date.from": "from {date}", "date.uncertain": "{date} (uncertain)",
    "date.approximate": "{date} (approximate)",
    "date.uncertain_approximate": "{date} (uncertain, approximate)",
    "when.span": "{since} – {until}", "when.since": "since {date}", "when.until": "until {date}",
    "when.always": "always on record", "when.no_record": "no record",
    "when.handover": "{chain}, {window}", "when.arrow": " → ",
    unknown: "unknown", "holder.changing": "changing hands ({chain})",
    "tag.contested": "contested", "tag.uncertain": "date uncertain", "tag.changing": "changing hands",
    "place.crossing_side": "{adjective} side of a crossing", "place.in": "{kind} in {country}",
    "kind.site": "site",
    "map.zoom_in": "Zoom in", "map.zoom_out": "Zoom out", "map.layers": "Layers",
    "map.scale.m": "{n} m", "map.scale.km": "{n} km", "map.scale.ft": "{n} ft", "map.scale.mi": "{n} mi",
    "layer.sites": "Crossings and sites", "layer.events": "Events within {days} days",
    "cluster.untracked": "not tracked", "cluster.label": "{count} sites: {parts}",
    "table.untracked": "not tracked for control", "table.unknown": "Unknown",
    "table.show_site": "Show {name} on the map", "table.show": "Show on the map",
    "table.others": "Other sites", "table.crossing_note": "crossing, {count} sides",
    "table.count": "{shown} of {total} sites",
    "popup.untracked": "Not tracked for control", "popup.unknown": "Unknown",
    "popup.handover": "Control changed hands {window}; the record does not say on which day.",
    "popup.site_page": "Site page: full history and sources", "popup.log_change": "Log a change here",
    "popup.status": "Status:", "popup.sources": "Sources",
    "popup.status_sources": "Sources of the status", "popup.confidence": "{level} confidence",
    "popup.contested_by": "contested by {name}", "title.map": "{date} · Border Control Atlas",
    "changes.more": "and {count} more (highlighted in the table)",
    "change.status": "Status {from} → {to}", "change.control": "{from} → {to}",
    "changing.status": "changing ({chain})",
    "change.at": "{what} at {site}", "announce.none": "{date}: no change on this date.",
    "announce.one": "{date}: 1 change. {list}", "announce.many": "{date}: {count} changes. {list}",
    "announce.status": "status {from} to {to} at {site}", "announce.control": "{from} to {to} at {site}",
    "announce.more": "and {count} more", "list.separator": "; ", "list.comma": ", ",
    "scope.site": "One site", "scope.actor": "One actor",
    "copy.select": "Selected: press Ctrl+C (⌘C) to copy.", "copy.done": "Copied.",
    "play.play": "Play", "play.pause": "Pause", "search.failed": "Search failed; try again.",
    "search.none": "No site matches “{query}”.", "search.one": "1 site found:",
    "search.many": "{count} sites found:",
    "fresh.ago": "last verified {ago}", "fresh.today": "last verified today",
    "fresh.never": "never verified", "popup.confirm": "Confirm still holds",
  };
  let STRINGS = ENGLISH;
  let months = { long: MONTHS, short: MONTHS.map((m) => m.slice(0, 3)) };
  let numberFormat = null;

  // Use these strings (the block's, parsed) over the English ones; null: English only.
  function setStrings(strings) {
    STRINGS = Object.assign({}, ENGLISH, strings || {});
    const lang = STRINGS.lang, digits = STRINGS.digits;
    months = lang === "en" ? { long: MONTHS, short: MONTHS.map((m) => m.slice(0, 3)) }
      : { long: monthNames(STRINGS.date_locale, "long"), short: monthNames(STRINGS.date_locale, "short") };
    numberFormat = digits === "latn" ? null
      : new Intl.NumberFormat(STRINGS.date_locale, { numberingSystem: digits, useGrouping: false });
  }

  // Month names as CLDR gives them (the server's Babel reads the same data): ar-SY has
  // the Levantine names, كانون الثاني … كانون الأول.
  function monthNames(locale, width) {
    const format = new Intl.DateTimeFormat(locale, { month: width, timeZone: "UTC" });
    return MONTHS.map((m, n) => format.format(new Date(Date.UTC(2000, n, 1))));
  }

  // A string by key with its {placeholders} filled: t("when.since", {date: "Jun 2014"}).
  function t(key, params) {
    const text = key in STRINGS ? STRINGS[key] : key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in params ? String(params[name]) : all));
  }

  // A vocabulary word from the block ("status.closed" -> "مغلق"), else `fallback`.
  function word(key, fallback) {
    return Object.prototype.hasOwnProperty.call(STRINGS, key) ? STRINGS[key] : fallback;
  }

  // The interface's language: "en" or "ar".
  function language() {
    return STRINGS.lang;
  }

  // A number in the chosen digits: "2014" or "٢٠١٤".
  function num(n) {
    return numberFormat ? numberFormat.format(n) : String(n);
  }

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
    fill(STATUS_TEXT, v.statuses.map((s) => word("status." + s, s)));
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
  // as absolute day offsets (see app/core/map_encoding.py `encode`). Changes `data`. The
  // page's block comes packed (map_encoding.packed); the tests build theirs as lists.
  function prepare(data) {
    if (typeof data.control === "string") unpack(data);
    setVocabulary(data.vocabulary);
    setOrigin(data.origin);
    // In Arabic an actor's Arabic name and short label (entries 5 and 6) stand in for the
    // English ones everywhere the script names it; the English stays where none is recorded.
    if (STRINGS.lang === "ar") {
      for (const a of data.actors) { a[1] = a[5] || a[1]; a[3] = a[6] || a[5] || a[3]; }
    }
    // The name a site's map label and tooltip show: its Arabic name in Arabic, where known.
    data.shown = (data.sites || []).map((s) => (STRINGS.lang === "ar" && s[2]) || s[1]);
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

  // "4 March 2016", "٤ آذار ٢٠١٦" (bounds._long).
  function longDate(d) {
    const x = dateOf(d);
    return num(x.getUTCDate()) + " " + months.long[x.getUTCMonth()] + " " + num(x.getUTCFullYear());
  }

  // "4 Mar 2016" (bounds._abbr).
  function shortDate(d) {
    const x = dateOf(d);
    return num(x.getUTCDate()) + " " + monthYear(d, "short");
  }

  // "Mar 2016", "March 2016".
  function monthYear(d, width) {
    const x = dateOf(d);
    return months[width][x.getUTCMonth()] + " " + num(x.getUTCFullYear());
  }

  // An event's date, as timeline.format_bound: "4 Mar 2016", "Mar 2016", "2016";
  // `precision` is a position in the vocabulary's precisions (day, month, year).
  function boundText(d, precision) {
    const x = dateOf(d);
    if (PRECISION[precision] === "year") return num(x.getUTCFullYear());
    if (PRECISION[precision] === "month") return monthYear(d, "short");
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
  // Bit 11: the period goes on with the hold of the one before it (timeline.hold).
  const joinsBefore = (p) => (p[FLAGS] & 2048) !== 0;
  const challengerOf = (p) => (p[FLAGS] >> 12) - 1;
  const sourcesOf = (p) => p.slice(FLAGS + 1);

  /* ---- the packed block (map_encoding.packed): numbers as runs of digits ---- */

  // A number's last digit is one of the first LAST characters of DIGITS (its place there);
  // the digits before it, most significant first, are the others (bijective base MORE).
  const DIGITS = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))
    .filter((ch) => !'"\\<>&'.includes(ch)).join("");
  const LAST = 45, MORE = DIGITS.length - LAST;
  const DIGIT_VALUE = new Int8Array(128);
  for (let i = 0; i < DIGITS.length; i++) DIGIT_VALUE[DIGITS.charCodeAt(i)] = i;

  // A day code: 0 for null, 2n + 1 for a day n >= 0, -2n for n < 0.
  const dayOf = (code) => (code === 0 ? null : code % 2 ? (code - 1) / 2 : -code / 2);

  // The tracks, change days and verified days of a packed block as lists, in place: site by
  // site its number of periods, then each period's number of sources, value, four day codes,
  // flags and sources. Read a number at a time into arrays grown by push, which are of the
  // same kind as JSON.parse's (V8's packed elements: the slider reads them thousands of
  // times a step).
  function unpack(data) {
    let text = "", at = 0;
    const next = () => {
      let rest = 0;
      for (;;) {
        const digit = DIGIT_VALUE[text.charCodeAt(at++)];
        if (!(digit >= LAST)) return rest * LAST + digit; // past the end: NaN, not a hang
        rest = rest * MORE + digit - LAST + 1;
      }
    };
    for (const key of ["control", "status"]) {
      text = data[key];
      at = 0;
      const sites = [];
      while (at < text.length) {
        const periods = [];
        for (let count = next(); count > 0; count--) {
          const cited = next(), p = [next()];
          for (let f = 1; f < 5; f++) p.push(dayOf(next()));
          for (let f = 0; f <= cited; f++) p.push(next()); // the flags, then the sources
          periods.push(p);
        }
        sites.push(periods);
      }
      data[key] = sites;
    }
    for (const key of ["changes", "verified"]) {
      text = data[key];
      at = 0;
      const days = [];
      while (at < text.length) days.push(dayOf(next()));
      data[key] = days;
    }
    return data;
  }

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

  // timeline.hold: the first start and last end of the run of periods that period k goes
  // on with (the record splits a hold where, say, it stops being contested), as
  // [startBound, endBound]. A site's periods are in time order, so its run is next to it.
  function holdBounds(periods, k) {
    let first = k, last = k;
    while (first > 0 && joinsBefore(periods[first])) first--;
    while (last + 1 < periods.length && joinsBefore(periods[last + 1])) last++;
    return [startBound(periods[first]), endBound(periods[last])];
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
    const names = t.ks.map((n) => isolated(nameOf(periods[n][0])));
    const unknown = isolated(STRINGS.unknown);
    return (t.before ? [unknown] : []).concat(names, t.after ? [unknown] : []);
  }

  // In Arabic each name of a handover is isolated (FSI…PDI): two Latin badges around the
  // arrow, "IQ←KR", would otherwise be laid out left to right and point the wrong way.
  function isolated(name) {
    return language() === "ar" ? "\u2068" + name + "\u2069" : name;
  }

  // A site as of day d: the control answer (k, uncertain, transition), its status answer
  // (`status`, the same shape) and j, the index of its status period (-1: none certainly
  // holds, so the status is unknown).
  function siteState(control, status, d) {
    const a = answerAt(control, d);
    a.status = settled(status, answerAt(status, d));
    a.j = a.status.k;
    return a;
  }

  // A site state's marks, as a state_at row has them: the holder's own (contested, its
  // challenger's actor index or -1, confidence); in a handover window its candidates'
  // (timeline.window_marks: contested when any is, the least sure confidence in the
  // vocabulary's order, no challenger); none when unknown.
  function marksOf(periods, state) {
    if (state.k >= 0) {
      const p = periods[state.k];
      return { contested: isContested(p), challenger: challengerOf(p), confidence: confidenceOf(p) };
    }
    if (!state.transition) return { contested: false, challenger: -1, confidence: null };
    const candidates = state.transition.ks.map((k) => periods[k]);
    const least = Math.max(...candidates.map((p) => (p[FLAGS] >> 5) & 3));
    return { contested: candidates.some(isContested), challenger: -1, confidence: CONFIDENCE[least] };
  }

  // timeline.settled: a transition between periods of one same value, neither side
  // unknown, is that value held since the first one's start (open on both sides: open).
  function settled(periods, a) {
    const tr = a.transition;
    if (!tr || tr.before || tr.after) return a;
    const value = periods[tr.ks[0]][0];
    if (tr.ks.some((k) => periods[k][0] !== value)) return a;
    return { k: tr.ks[0], uncertain: true, transition: null };
  }

  // A status answer (answerAt) in words: the status, "changing (closed → open)" while it
  // changes in a window (queries._status_transition), else "unknown".
  function statusWords(status, s) {
    if (s.transition) {
      const word = (v) => STATUS_TEXT[v];
      return t("changing.status", { chain: chain(status, s.transition, word).join(STRINGS["when.arrow"]) });
    }
    return STATUS_TEXT[s.k < 0 ? STATUS.indexOf("unknown") : status[s.k][0]];
  }

  // Status index of a site state: its status period's, else "unknown".
  function statusIndexOf(status, state) {
    return state.j < 0 ? STATUS.indexOf("unknown") : status[state.j][0];
  }

  // What timeline._value compares to find change points: held, a transition (outgoing
  // and incoming value) or unknown.
  function valueKey(periods, d) {
    return answerKey(periods, answerAt(periods, d));
  }

  // valueKey of a status: a window between two periods of one status is that status
  // (settled), as timeline.change_points(settle=True).
  function statusKey(status, d) {
    return answerKey(status, settled(status, answerAt(status, d)));
  }

  function answerKey(periods, a) {
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

  // Bound.short: "4 Mar 2016", "Jun 2014", "2014", "7–31 Dec 2024", "Jul–Aug 2014",
  // "by 31 Dec 2013".
  function shortText(b) {
    return shortCore(b) + (b.qualifiers & 1 ? "?" : "") + (b.qualifiers & 2 ? "~" : "");
  }

  function shortCore(b) {
    const lo = b.earliest, hi = b.latest;
    if (lo === null) return hi === null ? "" : t("date.by", { date: shortDate(hi) });
    if (hi === null) return t("date.from", { date: shortDate(lo) });
    if (lo === hi) return shortDate(lo);
    const a = dateOf(lo), z = dateOf(hi);
    if (wholeYear(lo, hi)) return num(a.getUTCFullYear());
    if (wholeMonth(lo, hi)) return monthYear(lo, "short");
    // bounds._whole_months: "2016–2017", "Jul–Aug 2014", "Dec 2013 – Feb 2014".
    if (a.getUTCDate() === 1 && dateOf(hi + 1).getUTCDate() === 1) {
      if (a.getUTCMonth() === 0 && z.getUTCMonth() === 11) {
        return num(a.getUTCFullYear()) + "–" + num(z.getUTCFullYear());
      }
      if (a.getUTCFullYear() === z.getUTCFullYear()) {
        return months.short[a.getUTCMonth()] + "–" + monthYear(hi, "short");
      }
      return monthYear(lo, "short") + " – " + monthYear(hi, "short");
    }
    if (a.getUTCFullYear() !== z.getUTCFullYear()) return shortDate(lo) + " – " + shortDate(hi);
    if (a.getUTCMonth() !== z.getUTCMonth()) {
      return num(a.getUTCDate()) + " " + months.short[a.getUTCMonth()] + " – " + shortDate(hi);
    }
    return num(a.getUTCDate()) + "–" + shortDate(hi);
  }

  // Bound.reading: "4 March 2016", "sometime between 7 and 31 December 2024".
  function readingText(b) {
    const w = windowCore(b);
    return qualified(w.vague ? t("date.sometime", { window: w.text }) : w.text, b.qualifiers);
  }

  // The window of a transition in words, without "sometime" (Bound.window_reading):
  // "between 7 and 31 December 2024", "in June 2014".
  function windowText(b) {
    return qualified(windowCore(b).text, b.qualifiers);
  }

  function qualified(text, q) {
    const key = q === 3 ? "date.uncertain_approximate" : q === 1 ? "date.uncertain"
      : q === 2 ? "date.approximate" : "";
    return key ? t(key, { date: text }) : text;
  }

  // bounds._window: the days a bound allows in words, and whether "sometime" goes first.
  function windowCore(b) {
    const lo = b.earliest, hi = b.latest;
    if (lo === null) return { text: hi === null ? "" : t("date.no_later_than", { date: longDate(hi) }) };
    if (hi === null) return { text: t("date.no_earlier_than", { date: longDate(lo) }) };
    if (lo === hi) return { text: longDate(lo) };
    const a = dateOf(lo), z = dateOf(hi);
    if (wholeYear(lo, hi)) return { text: t("date.in", { date: num(a.getUTCFullYear()) }), vague: true };
    if (wholeMonth(lo, hi)) return { text: t("date.in", { date: monthYear(lo, "long") }), vague: true };
    const first = a.getUTCFullYear() !== z.getUTCFullYear() ? longDate(lo)
      : a.getUTCMonth() !== z.getUTCMonth() ? num(a.getUTCDate()) + " " + months.long[a.getUTCMonth()]
        : num(a.getUTCDate());
    return { text: t("date.between", { first: first, last: longDate(hi) }), vague: true };
  }

  // map_encoding.when_label for a site state: "Jun 2014 – 3 Nov 2017", "since Jun 2014",
  // "SDF → Syria (transitional), between 7 and 31 December 2024", "no record".
  // `nameOf(actor index)` gives an actor's name.
  function whenText(periods, state, nameOf) {
    if (state.transition) {
      return t("when.handover", { chain: chain(periods, state.transition, nameOf).join(STRINGS["when.arrow"]),
        window: windowText(state.transition.window) });
    }
    if (state.k < 0) return t("when.no_record");
    return periodText(periods, state.k);
  }

  // Period k's since and until, as its hold's (holdBounds).
  function periodText(periods, k) {
    const [start, end] = holdBounds(periods, k);
    const since = start ? shortText(start) : "", until = end ? shortText(end) : "";
    if (since && until) return t("when.span", { since: since, until: until });
    if (until) return t("when.until", { date: until });
    return since ? t("when.since", { date: since }) : t("when.always");
  }

  // Sites of these kinds are shown as "not tracked for control", never as unknown.
  function isTracked(site) {
    return !UNTRACKED.includes(SITE_KIND[site[6]]);
  }

  /* ---- DOM: every text goes in as a text node ---- */

  // A range written without spaces ("11–12 Feb 2026", "Jul–Aug") reads as one word, but a
  // line may break after its en dash: each such word goes in a span kept on one line
  // (.range), the rest as text (js_strings.unbroken writes the server's cells alike).
  const RANGE_WORD = /(\S+–\S+)/;
  function unbroken(text) {
    const parts = text.split(RANGE_WORD);
    if (parts.length === 1) return [text];
    return parts.map((part, i) => (i % 2 ? h("span", { class: "range" }, part) : part))
      .filter((part) => part !== "");
  }

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
    const code = site[3], kind = SITE_KIND[site[6]];
    const country = COUNTRY[code] || [code, code];
    if (kind === "crossing_side") {
      return t("place.crossing_side", { adjective: word("adjective." + code, country[1]) });
    }
    const text = t("place.in", { kind: word("kind." + kind, KIND[site[6]] || t("kind.site")),
      country: word("country." + code, country[0]) });
    return text[0].toUpperCase() + text.slice(1);
  }

  const safeUrl = (url) => /^https?:\/\//i.test(url || "");

  // A source's title and publisher each in their own direction (dir="auto"): in Arabic an
  // English title's brackets and its last words would otherwise be laid out right to left.
  // The title carries the source's language (s[4]), for a screen reader's voice.
  function sourceItem(s) {
    const lang = s[4] ? { lang: s[4] } : {};
    const title = safeUrl(s[2])
      ? h("a", { href: s[2], rel: "noopener noreferrer", target: "_blank", dir: "auto", ...lang }, s[0])
      : h("bdi", lang, s[0]);
    const meta = [s[1] && h("bdi", null, s[1]), publishedText(s[3])].filter(Boolean)
      .flatMap((part, n) => (n ? [t("list.comma"), part] : [part]));
    return h("li", null, title, meta.length ? " — " : null, ...meta);
  }

  // A source's publication date, ISO at its precision ("2016", "2016-03", "2016-03-04"),
  // as the page writes dates: "2016", "Mar 2016", "4 Mar 2016".
  function publishedText(iso) {
    if (!iso) return "";
    if (/^\d{4}$/.test(iso)) return num(Number(iso));
    const d = offsetOf(iso.length === 7 ? iso + "-01" : iso);
    if (d === null) return iso;
    return iso.length === 7 ? monthYear(d, "short") : shortDate(d);
  }

  // A task at load takes one more step (inTurns) only while the longest of the last few
  // steps would still end within this many milliseconds: a phone-class CPU (4× slower than
  // a desktop) then does about a step a task, well under a long task (50 ms), and a fast
  // computer does several, without a frame painted between every two.
  const TURN_MS = 25;
  // The last steps' lengths (ms), for every chain of turns on the page.
  const recentSteps = [0, 0, 0];

  // Runs the functions in order, in tasks of at most `budget` ms (TURN_MS) as far as the
  // last steps foretell the next, never in the caller's: on a slow phone the page paints
  // and answers input between them instead of being held for one long task. A function
  // that returns an iterator (a generator's) is stepped through, a small piece of work a
  // step, before the next starts; a step that yields `true` says that what follows is
  // large, foretold as twice as long.
  function inTurns(steps, budget) {
    const queue = steps.slice();
    let job = null;
    const turn = () => {
      let at = performance.now();
      const until = at + (budget || TURN_MS);
      while (job || queue.length) {
        if (!job) {
          const out = queue.shift()();
          if (out && typeof out.next === "function") job = out;
        }
        let heavy = false;
        if (job) {
          const step = job.next();
          if (step.done) job = null;
          else heavy = step.value === true;
        }
        const now = performance.now();
        recentSteps.shift();
        recentSteps.push(now - at);
        at = now;
        if ((job || queue.length) && now + (heavy ? 2 : 1) * Math.max(...recentSteps) >= until) {
          setTimeout(turn, 0);
          return;
        }
      }
    };
    setTimeout(turn, 0);
  }

  // Generator: `items` sorted by `compare` (stable, as Array.prototype.sort), yielding
  // after every `run` items sorted or merged; returns the sorted copy. A thousand names
  // through a collator are one long task on a slow phone, its first use the slowest.
  function* sortInSteps(items, compare, run) {
    run = run || 64;
    let list = [];
    for (let i = 0; i < items.length; i += run) {
      list.push(...items.slice(i, i + run).sort(compare));
      yield;
    }
    // Bottom-up merges of neighbouring sorted runs of `width` items, left first on ties.
    for (let width = run; width < list.length; width *= 2) {
      const out = new Array(list.length);
      let o = 0, since = 0;
      for (let lo = 0; lo < list.length; lo += 2 * width) {
        let a = lo, b = Math.min(lo + width, list.length);
        const aEnd = b, bEnd = Math.min(lo + 2 * width, list.length);
        while (a < aEnd || b < bEnd) {
          out[o++] = b >= bEnd || (a < aEnd && compare(list[a], list[b]) <= 0) ? list[a++] : list[b++];
          if (++since >= run) { since = 0; yield; }
        }
      }
      list = out;
    }
    return list;
  }

  /* ---- state table rows ---- */

  // A row's cells keep their elements: a repaint only changes text, classes and colours
  // (and the swatches, which a handover doubles).
  function rowParts(row) {
    const tag = (text, extra) => h("span", { class: "tag" + (extra || ""), hidden: "" }, text);
    const parts = {
      swatches: h("span", { class: "swatches" }), name: h("span"),
      contested: tag(t("tag.contested")), uncertain: tag(t("tag.uncertain")),
      changing: tag(t("tag.changing"), " tag-changing"),
      when: row.cells[2], status: h("span"), confidence: h("span"),
    };
    // In the order of the server's cell (index.html): "changing hands", then "contested"
    // (a handover window keeps its candidates' mark), then "date uncertain".
    row.cells[1].replaceChildren(parts.swatches, parts.name, " ", parts.changing, " ",
      parts.contested, " ", parts.uncertain);
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
    for (const row of table.rows) gridRow(row);
  }

  // A row's roles (gridTable), for rows added later.
  function gridRow(row) {
    row.setAttribute("role", "row");
    for (const cell of row.cells) cell.setAttribute("role", cellRole(cell));
  }

  function cellRole(cell) {
    if (cell.tagName !== "TH") return "cell";
    return cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader";
  }

  /* ---- the site marker: fill = controller with its letter code (split between both
   * sides while control is changing hands), hatching = an imprecise or qualified date,
   * a small badge = status, an outer ring = contested, a neutral halo = selected ---- */

  const RADIUS = 9;
  const INK = "#1d2430";
  const MUTED = "#4f5b66";
  const UNTRACKED_FILL = "#e4e7eb";
  const UNTRACKED_LINE = "#8a939e";
  // map_encoding.CLOSED_BADGE: a grey no actor's colour comes close to.
  const CLOSED_BADGE = "#707070";
  // Two sides of a crossing closer than this on screen are drawn as one split symbol.
  const MERGE_PX = 2 * RADIUS + 6;

  // A site's marker (a Leaflet layer). Its class is made at the first marker: Leaflet is
  // set after this script runs (static/js/leaflet-load.js), and never in Node.
  let SiteMark = null;

  function siteMark(latlng, options) {
    if (!SiteMark) SiteMark = siteMarkClass();
    return new SiteMark(latlng, options);
  }

  const siteMarkClass = () => L.CircleMarker.extend({
    options: { radius: RADIUS + 4, dx: 0, interactive: true },

    // Sites that share a point are drawn side by side, dx pixels apart; the two sides of
    // a crossing that would overlap meet as the two halves of one symbol.
    _project: function () {
      L.CircleMarker.prototype._project.call(this);
      this._point = this._point.add([this.options.dx, 0]);
      this.half = 0;
      const partner = this.partner;
      if (partner && this._map) {
        const other = this._map.latLngToLayerPoint(partner.getLatLng()).add([partner.options.dx, 0]);
        if (other.distanceTo(this._point) < MERGE_PX) {
          this.half = this.west ? -1 : 1;
          this._point = this._point.add(other).divideBy(2);
        }
      }
      this._updateBounds();
    },

    // A merged half answers clicks on its own side only.
    _containsPoint: function (p) {
      if (!L.CircleMarker.prototype._containsPoint.call(this, p)) return false;
      return !this.half || (p.x - this._point.x) * this.half >= 0;
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
      renderer._ctx.drawImage(sprite(this.look, this.half || 0), this._point.x - half,
        this._point.y - half, SPRITE, SPRITE);
    },
  });

  // Each look is drawn once into a small bitmap and then copied: a thousand copies paint
  // far faster than a thousand sets of strokes, fills and dash changes.
  const SPRITE = 2 * (RADIUS + 12);
  const sprites = new Map();

  function sprite(look, half) {
    const key = [look.status, look.fills.join("/"), look.codes.join("/"), look.gap, look.hatched,
      look.ring, look.focus, look.untracked, look.stale, half].join();
    let image = sprites.get(key);
    if (!image) {
      const ratio = window.devicePixelRatio || 1;
      image = document.createElement("canvas");
      image.width = image.height = Math.ceil(SPRITE * ratio);
      const ctx = image.getContext("2d");
      ctx.scale(ratio, ratio);
      drawMark(ctx, SPRITE / 2, SPRITE / 2, look, half);
      sprites.set(key, image);
    }
    return image;
  }

  // The half of a circle a merged crossing side takes: -1 west, 1 east, 0 whole.
  function circlePath(ctx, x, y, r, half) {
    ctx.beginPath();
    if (half < 0) ctx.arc(x, y, r, Math.PI / 2, Math.PI * 1.5);
    else if (half > 0) ctx.arc(x, y, r, -Math.PI / 2, Math.PI / 2);
    else ctx.arc(x, y, r, 0, Math.PI * 2);
    if (half) ctx.closePath();
  }

  function drawMark(ctx, x, y, look, half) {
    half = half || 0;
    // Not verified for long: the same mark, faded (no colour of its own to confuse).
    const alpha = ctx.globalAlpha;
    if (look.stale) ctx.globalAlpha = alpha * STALE_ALPHA;
    if (look.focus) {
      // Neutral: a dark and a white ring, no actor's or status's colour.
      ring(ctx, x, y, RADIUS + 8, "#ffffff", 5, half);
      ring(ctx, x, y, RADIUS + 8, INK, 2.5, half);
    }
    if (look.ring) {
      ring(ctx, x, y, RADIUS + 4, "#ffffff", 5, half);
      ring(ctx, x, y, RADIUS + 4, look.ring, 3, half);
    }
    circlePath(ctx, x, y, RADIUS, half);
    ctx.setLineDash([]);
    ctx.lineWidth = 4;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    if (look.fills.length > 1) {
      fillSlices(ctx, look.fills, x, y);
      circlePath(ctx, x, y, RADIUS, half);
    } else {
      ctx.fillStyle = look.untracked ? UNTRACKED_FILL : look.fills[0] || "#ffffff";
      ctx.fill();
    }
    if (look.hatched) hatch(ctx, x, y, half);
    ctx.setLineDash(look.gap ? [3, 2] : []);
    ctx.lineWidth = look.gap ? 2 : 1.5;
    ctx.strokeStyle = look.untracked ? UNTRACKED_LINE : look.gap ? MUTED : INK;
    circlePath(ctx, x, y, RADIUS, half);
    ctx.stroke();
    const code = look.gap ? "?" : look.fills.length === 1 ? look.codes[0] || "" : "";
    if (code) {
      const tx = half ? x + half * RADIUS * 0.5 : x;
      const size = half ? (code.length > 1 ? 6.5 : 9) : code.length > 1 ? 8.5 : 11;
      ctx.font = "700 " + size + "px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      const fill = look.gap ? "#ffffff" : look.fills[0];
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = inkOn(fill) === "#ffffff" ? "rgba(0,0,0,.35)" : "rgba(255,255,255,.6)";
      ctx.strokeText(code, tx, y + 0.5);
      ctx.fillStyle = look.gap ? INK : inkOn(fill);
      ctx.fillText(code, tx, y + 0.5);
    }
    if (half) {
      // The seam between the two sides of one crossing.
      ctx.beginPath();
      ctx.moveTo(x, y - RADIUS - 1);
      ctx.lineTo(x, y + RADIUS + 1);
      ctx.setLineDash([]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
    }
    badge(ctx, x + (half || 1) * (RADIUS - 1), y + RADIUS - 2, STATUS[look.status]);
    ctx.globalAlpha = alpha;
  }

  // Black or white, whichever reads better on the colour (WCAG relative luminance).
  function inkOn(colour) {
    const m = /^#([0-9a-f]{6})$/i.exec(colour || "");
    if (!m) return INK;
    const n = parseInt(m[1], 16);
    const lin = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    const lum = 0.2126 * lin(n >> 16) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
    return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000000" : "#ffffff";
  }

  // Imprecise or qualified dates: white diagonal hatching over the fill (never paleness,
  // which would read as another actor's lighter colour).
  function hatch(ctx, x, y, half) {
    ctx.save();
    circlePath(ctx, x, y, RADIUS, half);
    ctx.clip();
    ctx.beginPath();
    for (let k = -2 * RADIUS; k <= 2 * RADIUS; k += 4.5) {
      ctx.moveTo(x + k - RADIUS, y + RADIUS);
      ctx.lineTo(x + k + RADIUS, y - RADIUS);
    }
    ctx.setLineDash([]);
    ctx.lineWidth = 1.6;
    ctx.strokeStyle = "rgba(255,255,255,.85)";
    ctx.stroke();
    ctx.restore();
  }

  // Status as a small badge at the marker's lower corner: open a tick, closed a grey
  // bar, restricted an exclamation mark; none for unknown.
  function badge(ctx, x, y, status) {
    if (status !== "open" && status !== "closed" && status !== "restricted") return;
    const r = 4.5;
    ctx.beginPath();
    if (status === "restricted") {
      ctx.moveTo(x, y - r - 1); ctx.lineTo(x + r + 1, y + r); ctx.lineTo(x - r - 1, y + r); ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, Math.PI * 2);
    }
    ctx.setLineDash([]);
    ctx.lineWidth = 1.5;
    ctx.fillStyle = status === "closed" ? CLOSED_BADGE : "#ffffff";
    ctx.strokeStyle = INK;
    ctx.fill();
    ctx.stroke();
    ctx.beginPath();
    ctx.lineWidth = 1.6;
    if (status === "open") {
      ctx.strokeStyle = INK;
      ctx.moveTo(x - 2.2, y); ctx.lineTo(x - 0.5, y + 1.8); ctx.lineTo(x + 2.4, y - 1.8);
    } else if (status === "closed") {
      ctx.strokeStyle = "#ffffff";
      ctx.moveTo(x - 2.5, y); ctx.lineTo(x + 2.5, y);
    } else {
      ctx.strokeStyle = INK;
      ctx.moveTo(x, y - 2); ctx.lineTo(x, y + 1.2);
      ctx.moveTo(x, y + 2.4); ctx.lineTo(x, y + 3.2);
    }
    ctx.stroke();
  }

  // A handover: the circle cut into upright slices, the outgoing side's colour on the left
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

  function ring(ctx, x, y, r, stroke, width, half) {
    ctx.beginPath();
    if (half < 0) ctx.arc(x, y, r, Math.PI / 2, Math.PI * 1.5);
    else if (half > 0) ctx.arc(x, y, r, -Math.PI / 2, Math.PI / 2);
    else ctx.arc(x, y, r, 0, Math.PI * 2);
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

  /* ---- labels: placed greedily, most important first, where they overlap nothing ---- */

  // `items`: [{x, y, w, h, r}] in screen pixels (r: the marker's radius), most important
  // first; `view`: {width, height}. Marks (x, y, r) and boxes (x0, y0, x1, y1: the map's
  // controls) are obstacles too. Returns one
  // position per item: "e", "w", "n", "s", or null where no label fits.
  function placeLabels(items, view, marks) {
    const CELL = 64, grid = new Map(), out = new Array(items.length).fill(null);
    const cells = (b, f) => {
      for (let cx = Math.floor(b.x0 / CELL); cx <= Math.floor(b.x1 / CELL); cx++) {
        for (let cy = Math.floor(b.y0 / CELL); cy <= Math.floor(b.y1 / CELL); cy++) {
          if (f(cx + ":" + cy) === false) return false;
        }
      }
      return true;
    };
    const add = (b) => cells(b, (k) => { if (!grid.has(k)) grid.set(k, []); grid.get(k).push(b); });
    const free = (b) => cells(b, (k) => !(grid.get(k) || []).some((o) =>
      b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1));
    for (const m of marks || []) {
      add(m.r === undefined ? m : { x0: m.x - m.r, y0: m.y - m.r, x1: m.x + m.r, y1: m.y + m.r });
    }
    items.forEach((it, n) => {
      const gap = it.r + 3;
      const boxes = {
        e: [it.x + gap, it.y - it.h / 2], w: [it.x - gap - it.w, it.y - it.h / 2],
        n: [it.x - it.w / 2, it.y - gap - it.h], s: [it.x - it.w / 2, it.y + gap],
      };
      for (const side of ["e", "w", "n", "s"]) {
        const [x0, y0] = boxes[side];
        const b = { x0: x0, y0: y0, x1: x0 + it.w, y1: y0 + it.h };
        if (b.x0 < 0 || b.y0 < 0 || b.x1 > view.width || b.y1 > view.height) continue;
        if (!free(b)) continue;
        add(b);
        out[n] = side;
        break;
      }
    });
    return out;
  }

  /* ---- crossings as units ---- */

  // The table's order: each crossing (named, by name) with its Syrian side then its Iraqi
  // side, then every other site. `crossingOf[i]`: the crossing index of site i or -1;
  // `names[c]`: crossing c's name. Returns [{crossing: c or -1, sites: [i…]}].
  function crossingGroups(sites, crossingOf, names) {
    const groups = new Map(), others = [];
    sites.forEach((s, i) => {
      const c = crossingOf[i];
      if (c === undefined || c < 0) { others.push(i); return; }
      if (!groups.has(c)) groups.set(c, []);
      groups.get(c).push(i);
    });
    const side = (i) => sites[i][3] === "SY" ? 0 : sites[i][3] === "IQ" ? 1 : 2;
    const out = [...groups.entries()]
      .sort((a, b) => names[a[0]].localeCompare(names[b[0]]))
      .map(([c, members]) => ({ crossing: c, sites: members.sort((a, b) => side(a) - side(b)
        || sites[a][1].localeCompare(sites[b][1])) }));
    if (others.length) out.push({ crossing: -1, sites: others });
    return out;
  }

  // Lower case without diacritics and apostrophes, for the table's text filter; Arabic
  // as app/core/search.py folds it: hamza forms, taa marbuta, alef maqsura, tatweel and
  // harakat ignored (NFD splits أ إ آ ؤ ئ into a letter and a mark, dropped here).
  function fold(text) {
    return String(text || "").normalize("NFD")
      .replace(/[\u0300-\u036f'’ʼ`\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g, "")
      .replace(/\u0671/g, "\u0627").replace(/\u0629/g, "\u0647").replace(/\u0649/g, "\u064a")
      .replace(/\u06cc/g, "\u064a").replace(/\u06a9/g, "\u0643")
      .toLowerCase();
  }

  // Does the filter text match a site, by its names, slug or its crossing's names?
  function siteMatches(query, site, crossingNames) {
    const q = fold(query).trim();
    if (!q) return true;
    return [site[0], site[1], site[2], ...(crossingNames || [])].some((t) => fold(t).includes(q));
  }

  /* ---- change points: ticks, scopes, the changes on one day ---- */

  // Change days gathered into `bins` equal bins over [0, max]: [{bin, count}] for the
  // slider's weighted ticks.
  function tickBins(changes, max, bins) {
    const counts = new Map();
    for (const c of changes) {
      if (c < 0 || c > max) continue;
      const b = Math.min(bins - 1, Math.floor((c / (max || 1)) * bins));
      counts.set(b, (counts.get(b) || 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([bin, count]) => ({ bin, count }));
  }

  // What a site shows on a day, as one comparable string: holder, handover or unknown,
  // and status.
  function stateText(control, status, d) {
    return valueKey(control, d) + "|" + statusKey(status, d);
  }

  // Days on which one site's answer may change: every bound day of its periods (a
  // handover window begins and ends there), those where it does change.
  function siteChangeDays(control, status, actor) {
    const days = new Set();
    for (const p of control) {
      if (actor !== undefined && actor >= 0 && p[0] !== actor) continue;
      for (let n = 1; n <= 4; n++) if (p[n] !== null) days.add(p[n]);
    }
    if (actor === undefined || actor < 0) {
      for (const p of status) for (let n = 1; n <= 4; n++) if (p[n] !== null) days.add(p[n]);
    }
    return [...days].filter((d) => stateText(control, status, d - 1) !== stateText(control, status, d))
      .sort((a, b) => a - b);
  }

  // The next change day after d (direction 1) or before it (-1) in a sorted list, else
  // the end of the range (max or 0).
  function stepChange(days, d, direction, max) {
    if (direction > 0) {
      for (const c of days) if (c > d) return Math.min(c, max);
      return max;
    }
    for (let n = days.length - 1; n >= 0; n--) if (days[n] < d) return days[n];
    return 0;
  }

  // A site's control or status on one day in words: the holder's name, "A → B" while
  // changing hands, "unknown".
  function holderText(control, d, nameOf) {
    const a = answerAt(control, d);
    if (a.transition) {
      return t("holder.changing", { chain: chain(control, a.transition, nameOf).join(STRINGS["when.arrow"]) });
    }
    return a.k < 0 ? STRINGS.unknown : nameOf(control[a.k][0]);
  }

  // Sites by the days on which a bound of one of their periods falls: only these can
  // change on that day. Map day -> [site…]. With `days`, `from` and `to`: sites from..to-1
  // added to `days`, a part at a time in site order (the page does it in turns).
  function boundDays(data, days, from, to) {
    days = days || new Map();
    const add = (d, i) => {
      if (d === null) return;
      const list = days.get(d);
      if (!list) days.set(d, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    const end = to === undefined ? data.control.length : Math.min(to, data.control.length);
    for (let i = from || 0; i < end; i++) {
      for (const periods of [data.control[i], data.status[i]]) {
        for (const p of periods) for (let n = 1; n <= 4; n++) add(p[n], i);
      }
    }
    return days;
  }

  // boundDays (or `map`, its answer already at hand) as sorted arrays: {days: [bound
  // day…] ascending, sites: [[site…] per day]}, for sitesBetween.
  function boundIndex(data, map) {
    map = map || boundDays(data);
    const days = [...map.keys()].sort((a, b) => a - b);
    return { days: days, sites: days.map((d) => map.get(d)) };
  }

  // The sites whose state may differ between days a and b: every test of a period
  // against a day is `v <= d` or `d < v` for one of its bounds v, so an answer can only
  // change between v - 1 and v, and only at sites with a bound v in (min, max]. Null when
  // more than `limit` sites qualify (then checking every site costs no more).
  function sitesBetween(index, a, b, limit) {
    const lo = Math.min(a, b), hi = Math.max(a, b), days = index.days;
    // The first bound day after lo (binary search).
    let k = 0, end = days.length;
    while (k < end) {
      const mid = (k + end) >> 1;
      if (days[mid] <= lo) k = mid + 1; else end = mid;
    }
    const out = new Set();
    for (; k < days.length && days[k] <= hi; k++) {
      for (const i of index.sites[k]) out.add(i);
      if (limit !== undefined && out.size > limit) return null;
    }
    return [...out];
  }

  // What changed on day d at each site: [{site, kind: "control"|"status", from, to,
  // sources: [source index…]}] (sources of the incoming period). `sites`: the sites that
  // may change that day (boundDays), else every site.
  function changesOn(data, d, nameOf, sites) {
    const out = [];
    const list = sites ? [...new Set(sites)].sort((a, b) => a - b) : data.control.map((c, i) => i);
    for (const i of list) {
      const control = data.control[i], status = data.status[i];
      if (valueKey(control, d - 1) !== valueKey(control, d)) {
        const a = answerAt(control, d);
        const ks = a.k >= 0 ? [a.k] : a.transition ? a.transition.ks : [];
        out.push({ site: i, kind: "control", from: holderText(control, d - 1, nameOf),
          to: holderText(control, d, nameOf),
          sources: [...new Set(ks.flatMap((k) => sourcesOf(control[k])))] });
      }
      const s0 = statusWords(status, settled(status, answerAt(status, d - 1)));
      const s1 = statusWords(status, settled(status, answerAt(status, d)));
      if (s0 !== s1) out.push({ site: i, kind: "status", from: s0, to: s1, sources: [] });
    }
    return out;
  }

  /* ---- freshness: how long ago a site's record was confirmed (app/core/ages.py) ---- */

  // Whether a site last verified on day `verified` (an offset; null: never) reads as stale
  // when the map shows day `d`: only for dates within `after` days of `today`, and when
  // more than `after` days have passed since it was verified.
  function isStale(verified, d, today, after) {
    if (today - d > after) return false;
    return verified === null || verified === undefined || today - verified > after;
  }

  // [count, unit] of the time from `verified` to `today`: days below 45 days, months
  // below 24 months, else years (app.core.ages.age).
  function ageParts(verified, today) {
    const days = Math.max(0, today - verified);
    if (days < 45) return [days, "day"];
    const months = Math.round(days / 30.4375);
    if (months < 24) return [months, "month"];
    return [Math.floor(days / 365.25), "year"];
  }

  // "last verified 14 months ago" in the page's language: Intl words and pluralises the
  // age from the same CLDR data as the server's Babel.
  function verifiedText(verified, today) {
    if (verified === null || verified === undefined) return t("fresh.never");
    const [count, unit] = ageParts(verified, today);
    if (count === 0) return t("fresh.today");
    const format = new Intl.RelativeTimeFormat(STRINGS.date_locale || "en",
      { numeric: "always", numberingSystem: STRINGS.digits || "latn" });
    return t("fresh.ago", { ago: format.format(-count, unit) });
  }

  const api = {
    STATUS, STATUS_TEXT, CONFIDENCE, PRECISION, SITE_KIND, KIND, UNTRACKED, COUNTRY, ENGLISH,
    setStrings, language, t, word, num, setVocabulary, setOrigin, unpack, prepare, isoOf, offsetOf, longDate, shortDate, boundText,
    startPrecision, endPrecision, startQualifiers, endQualifiers, isQualified, isContested,
    confidenceOf, challengerOf, sourcesOf, absolutePeriods, runningTotal, startBound, endBound, holdBounds,
    holdsCertainly, holdsPossibly, indexAt, answerAt, settled, marksOf, outgoingOf, incomingOf, chain, siteState,
    statusIndexOf, statusWords, valueKey, statusKey, shortText, readingText, windowText, whenText, periodText, isTracked,
    h, unbroken, swatch, swatches, placeText, sourceItem, publishedText, inTurns, sortInSteps, rowParts, gridTable, gridRow, siteMark,
    drawMark, coLocatedOffsets, placeLabels, crossingGroups, fold, siteMatches, tickBins, stateText,
    siteChangeDays, stepChange, holderText, changesOn, boundDays, boundIndex, sitesBetween, inkOn, RADIUS, CLOSED_BADGE,
    isStale, ageParts, verifiedText,
  };

  // In the page a global reading the page's strings; in Node (the tests under tests/js/)
  // a CommonJS module, in English until setStrings.
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    const block = document.getElementById("atlas-strings");
    if (block) setStrings(JSON.parse(block.textContent));
    window.AtlasCore = api;
  }
})();
