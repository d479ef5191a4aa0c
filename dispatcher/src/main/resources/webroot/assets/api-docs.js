// The API's documentation page: Swagger UI (served from the jar, no CDN) on the published contract. In demo mode the
// server names a demo token in the page: the "Try it out" buttons then work at once as the Indre regulator (the
// Authorize button takes any other demo token: demo-osnp, demo-coordinator, demo-ops…).
(function () {
  var demoToken = document.body.getAttribute('data-demo-token');
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    docExpansion: 'none',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    onComplete: function () {
      if (demoToken) window.ui.preauthorizeApiKey('bearer', demoToken);
    }
  });
})();
