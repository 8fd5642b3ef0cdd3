// Starts Swagger UI on the OGC API definition page (/ogc/api?f=html). A file of its own,
// not an inline script, because the site's Content Security Policy forbids inline scripts.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-spec"),
    domNode: node,
    // Off: a deep link puts a link inside each operation's toggle button, and a control
    // nested in a control is one screen readers and keyboards cannot reach on its own.
    deepLinking: false,
    // The validator badge would call validator.swagger.io: this page stays offline.
    validatorUrl: null,
    tryItOutEnabled: false,
  });

  // What Swagger UI draws without a name or a way in, mended as it draws it (it draws
  // again as operations open and close, so every change is looked at): each drop-down list
  // is named after what it chooses, each operation's table of responses after the
  // operation (each is a region, and regions must differ), and each block of code, which
  // scrolls, can take the focus so that a keyboard can scroll it.
  function mend() {
    var lists = node.querySelectorAll("select:not([aria-label]):not([aria-labelledby])");
    Array.prototype.forEach.call(lists, function (list) {
      var row = list.closest("[data-param-name]");
      var name = row ? row.getAttribute("data-param-name") : list.id || list.className;
      list.setAttribute("aria-label", name || "value");
    });
    var tables = node.querySelectorAll(".responses-table[role=region]:not([aria-label])");
    Array.prototype.forEach.call(tables, function (table) {
      var path = table.closest(".opblock") &&
        table.closest(".opblock").querySelector(".opblock-summary-path");
      var where = path ? " " + path.getAttribute("data-path") : "";
      table.setAttribute("aria-label", "Responses" + where);
    });
    Array.prototype.forEach.call(node.querySelectorAll("pre:not([tabindex])"), function (pre) {
      pre.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(mend).observe(node, { childList: true, subtree: true });
})();
