/* "Cite this view": each Copy button copies its readonly field (the permalink or a
 * citation) to the clipboard where the page may write it, else selects the text for the
 * reader to copy. The words come from the page's strings block (_js_strings.html). */
(function () {
  "use strict";

  const ENGLISH = { "copy.select": "Selected: press Ctrl+C (⌘C) to copy.", "copy.done": "Copied." };

  function words() {
    const block = document.getElementById("atlas-strings");
    try {
      return Object.assign({}, ENGLISH, block ? JSON.parse(block.textContent) : {});
    } catch (e) {
      return ENGLISH;
    }
  }

  function init() {
    const t = words();
    for (const button of document.querySelectorAll("button[data-copy]")) {
      const source = document.getElementById(button.dataset.copy);
      if (!source) continue;
      const done = button.parentElement.querySelector(".copy-done");
      const say = function (key) { if (done) done.textContent = t[key]; };
      button.addEventListener("click", function () {
        source.select();
        if (!navigator.clipboard) return say("copy.select");
        navigator.clipboard.writeText(source.value).then(function () { say("copy.done"); },
          function () { say("copy.select"); });
      });
      button.hidden = false;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
