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
    deepLinking: true,
    // The validator badge would call validator.swagger.io: this page stays offline.
    validatorUrl: null,
    tryItOutEnabled: false,
  });
})();
