// Starts Swagger UI (served from the installed swagger_ui_bundle package) on this server's schema.
window.addEventListener("load", function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: box.dataset.openapi, dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
});
