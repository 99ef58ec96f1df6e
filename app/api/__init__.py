"""The open read-only API (`/api/v1/…`) on the same ASGI server as the app (app.web's routes):
JSON, a personal access token per request (app.services.api_tokens), what its user may read now
and nothing more — the same services and access rules as the pages. Documented at
`/api/v1/openapi.json` (app.api.spec)."""
