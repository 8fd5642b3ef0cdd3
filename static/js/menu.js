/* The top bar's menu button: on narrow screens the navigation folds behind a
 * disclosure button (aria-expanded); without this script it simply wraps. */
(function () {
  "use strict";

  function init() {
    const button = document.querySelector(".topbar .menu-toggle");
    const nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    const bar = button.closest(".topbar");
    const set = function (open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      bar.classList.toggle("menu-open", open);
    };
    button.hidden = false;
    bar.classList.add("has-menu");
    set(false);
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
