"""Headers every response carries, whatever produced it: a view, a problem handler, or an error
raised before any view ran (404, 405, 413, 500)."""

from __future__ import annotations

from quart import Quart, Response, request

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The API has no use for the Referer it would send anywhere; no-referrer leaks no path or query
    # (search text, ids) to the CDN the ReDoc and Scalar pages load their scripts from.
    "Referrer-Policy": "no-referrer",
}
# JSON needs no scripts, styles or frames (OWASP's REST API advice). The documentation pages are
# HTML that load Swagger UI, ReDoc or Scalar scripts and styles, so they only forbid framing.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = "frame-ancestors 'none'"
# The account pages (verify email, reset password, TV code) load only their own script and style
# sheet, and carry tokens: nothing else may run, load, frame them or receive a form from them.
ACCOUNT_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)

# Answers that are the same for every caller. Every other response, and every response to a request
# that carried credentials, is no-store unless its view chose a Cache-Control of its own: a new
# route is private until someone decides otherwise.
PUBLIC_BLUEPRINTS = frozenset({"catalog", "health"})
PUBLIC_ENDPOINTS = frozenset({"openapi", "swagger_ui", "swagger_ui_asset", "redoc_ui", "scalar_ui"})
CREDENTIAL_HEADERS = ("Authorization", "X-API-Key", "Cookie")


def _public_request() -> bool:
    if any(name in request.headers for name in CREDENTIAL_HEADERS):
        return False
    rule = request.url_rule
    if rule is None or rule.endpoint is None:  # nothing matched (404, 405)
        return False
    return rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS


def secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    if "Content-Security-Policy" not in response.headers:  # a view's own, stricter policy stands
        response.headers["Content-Security-Policy"] = PAGE_CSP if response.mimetype == "text/html" else API_CSP
    if "Cache-Control" not in response.headers and not _public_request():
        response.headers["Cache-Control"] = "no-store"
    return response


def register_security_headers(app: Quart) -> None:
    @app.after_request
    async def add_security_headers(response: Response) -> Response:
        return secure(response)
