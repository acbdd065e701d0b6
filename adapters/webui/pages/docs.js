// Swagger UI over this server's /openapi.json; nothing is fetched from
// elsewhere (no validator badge, no external specs).
window.ui = SwaggerUIBundle({
  url: window.location.origin + '/openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
});
