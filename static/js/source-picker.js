/* Source picker: turns the "Existing sources" multi-select into a filterable list of
 * checkboxes, the sources this editor cited most recently first. The select stays in
 * the form (hidden) and carries the choice, so without this script it still works. */
(function () {
  "use strict";

  // The page's strings (app/web/js_strings.py); English without them.
  const block = document.getElementById("atlas-strings");
  const STRINGS = block ? JSON.parse(block.textContent) : {};
  const ENGLISH = {
    "picker.filter": "Type to filter…", "picker.recent": "Recently cited by you",
    "picker.others": "All other sources", "picker.all": "All sources",
    "picker.count": "{shown} of {total} sources shown · {picked} picked",
    "picker.keys": "↑ ↓ move between the sources, Space picks one",
  };
  const numbers = STRINGS.digits && STRINGS.digits !== "latn"
    ? new Intl.NumberFormat(STRINGS.date_locale, { numberingSystem: STRINGS.digits, useGrouping: false })
    : null;
  const num = (n) => (numbers ? numbers.format(n) : String(n));
  function t(key, params) {
    const text = STRINGS[key] || ENGLISH[key];
    return text.replace(/\{(\w+)\}/g, (all, name) => (params && name in params ? params[name] : all));
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function enhance(select) {
    const label = document.querySelector('label[for="' + select.id + '"]');
    const recent = (select.dataset.recent || "").split(" ").filter(Boolean);
    const box = el("div", { class: "source-picker" });
    const filter = el("input", { type: "search", id: select.id + "-filter",
                                 autocomplete: "off", placeholder: t("picker.filter") });
    const list = el("div", { class: "options" });
    const count = el("p", { class: "count", "aria-live": "polite" });
    if (label) {
      label.id = label.id || select.id + "-label";
      label.setAttribute("for", filter.id);
    }
    const describedBy = select.getAttribute("aria-describedby");
    if (describedBy) filter.setAttribute("aria-describedby", describedBy);

    const rows = [];
    const groups = [];
    const addGroup = function (text) {
      const id = select.id + "-group-" + (groups.length + 1);
      const group = el("div", { role: "group", "aria-labelledby": id });
      const heading = el("p", { class: "group", id: id }, text);
      group.appendChild(heading);
      list.appendChild(group);
      groups.push(heading);
      return group;
    };
    const addOption = function (group, option) {
      const id = select.id + "-opt-" + option.value;
      const row = el("div", { class: "opt" });
      const check = el("input", { type: "checkbox", id: id, value: option.value, tabindex: "-1" });
      check.checked = option.selected;
      check.addEventListener("change", function () {
        option.selected = check.checked;
        update();
      });
      row.appendChild(check);
      row.appendChild(el("label", { for: id }, option.textContent));
      group.appendChild(row);
      rows.push({ row: row, text: option.textContent.toLowerCase(), check: check });
    };
    const options = Array.prototype.slice.call(select.options);
    const isRecent = function (o) { return recent.indexOf(o.value) >= 0; };
    if (recent.length) {
      const mine = addGroup(t("picker.recent"));
      options.filter(isRecent).forEach(function (o) { addOption(mine, o); });
    }
    const all = addGroup(t(recent.length ? "picker.others" : "picker.all"));
    options.filter(function (o) { return !isRecent(o); }).forEach(function (o) { addOption(all, o); });

    // One Tab stop for the list, not one per source (there are hundreds): the arrow keys
    // move between the sources shown, Space picks one (a roving tabindex).
    let current = null;
    const keys = el("p", { class: "keys", id: select.id + "-keys" }, t("picker.keys"));
    function rove(check, focus) {
      if (current) {
        current.tabIndex = -1;
        current.removeAttribute("aria-describedby");
      }
      current = check || null;
      if (!current) return;
      current.tabIndex = 0;
      current.setAttribute("aria-describedby", keys.id);  // the box Tab reaches says how
      if (focus) current.focus();
    }
    function shownChecks() {
      return rows.filter(function (r) { return !r.row.hidden; }).map(function (r) { return r.check; });
    }
    list.addEventListener("keydown", function (event) {
      const checks = shownChecks(), at = checks.indexOf(event.target);
      const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: checks.length - 1 }[event.key];
      if (at < 0 || to === undefined) return;
      event.preventDefault();
      rove(checks[Math.max(0, Math.min(to, checks.length - 1))], true);
    });
    list.addEventListener("focusin", function (event) {  // a click focuses a box too
      if (event.target.type === "checkbox") rove(event.target);
    });

    function update() {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      rows.forEach(function (row) {
        const match = words.every(function (w) { return row.text.indexOf(w) >= 0; });
        row.row.hidden = !match && !row.check.checked;
        if (!row.row.hidden) shown += 1;
      });
      const picked = rows.filter(function (r) { return r.check.checked; }).length;
      count.textContent = t("picker.count", { shown: num(shown), total: num(rows.length), picked: num(picked) });
      if (!current || current.closest(".opt").hidden) rove(shownChecks()[0]);
    }

    filter.addEventListener("input", update);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // filtering, not saving
      if (event.key === "ArrowDown" && current) {
        event.preventDefault();
        rove(current, true);
      }
    });

    box.appendChild(filter);
    box.appendChild(list);
    box.appendChild(count);
    box.appendChild(keys);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(box, select.nextSibling);
    update();
  }

  /* The new source's title is required as soon as any of its fields has a value. */
  function requireTitle() {
    const title = document.getElementById("source_title");
    if (!title) return;
    const others = ["source_url", "source_publisher", "source_date"]
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    const sync = function () {
      const needed = others.some(function (f) { return f.value.trim() !== ""; });
      title.required = needed;
      title.setAttribute("aria-required", needed ? "true" : "false");
    };
    others.forEach(function (f) { f.addEventListener("input", sync); });
    sync();
  }

  document.querySelectorAll("select[multiple]#source_ids").forEach(enhance);
  requireTitle();
})();
