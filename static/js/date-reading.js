/* Editor date fields (EDTF): show the value in plain words beside the field as it is
 * typed ("sometime between 7 and 31 December 2024"). The server reads the expression,
 * so the words are those the record will show; a wrong expression gets its message. */
(function () {
  "use strict";

  function attach(input) {
    const out = document.getElementById(input.id + "-reading");
    if (!out) return;
    let timer = 0;
    let asked = "";
    const show = function (text, bad) {
      out.textContent = text;
      out.classList.toggle("bad", Boolean(bad));
    };
    const ask = function () {
      const text = input.value.trim();
      if (text === asked) return;
      asked = text;
      if (!text) { show("", false); return; }
      fetch(input.dataset.edtf + "?text=" + encodeURIComponent(text),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (input.value.trim() !== text) return;  // an answer to an older keystroke
          show(body.error || body.reading, Boolean(body.error));
        })
        .catch(function () { /* offline: the server checks the value on Save */ });
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    input.addEventListener("change", ask);
  }

  /* "Currently: X since D" beside Date on the log-a-change forms follows the date typed. */
  function follow(line) {
    const input = document.getElementById("date");
    if (!input || !line.dataset.url) return;
    let timer = 0;
    let asked = null;
    const ask = function () {
      const text = input.value.trim();
      if (text === asked) return;
      asked = text;
      const sep = line.dataset.url.indexOf("?") < 0 ? "?" : "&";
      fetch(line.dataset.url + sep + "date=" + encodeURIComponent(text),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (input.value.trim() === text && body.text) line.textContent = body.text;
        })
        .catch(function () { /* offline: the line keeps its last answer */ });
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 300);
    });
    input.addEventListener("change", ask);
  }

  document.querySelectorAll("input[data-edtf]").forEach(attach);
  const line = document.getElementById("currently");
  if (line) follow(line);
})();
