"""The pages a person reaches from a mail or a TV: verify an email, choose a new password, approve
a TV's code. Each is static HTML plus one script and one style sheet served from ``pages/``; the
token or code in the address is read by the script in the browser, never written into the HTML, so
nothing in a crafted link can become markup. The pages call the JSON API like any other client."""

from __future__ import annotations

import functools
from importlib.resources import files

from quart import Response, abort
from quart_schema import hide

from entrypoints.http.identity.blueprint import identity
from entrypoints.http.security_headers import ACCOUNT_PAGE_CSP

HTML = "text/html; charset=utf-8"
ASSETS = {"pages.js": "text/javascript; charset=utf-8", "pages.css": "text/css; charset=utf-8"}
# A mail scanner that prefetches a link must not spend its single-use token: the pages do nothing
# on GET; the person presses a button. Their tokens must not reach any other site, or any cache.
PAGE_HEADERS = {
    "Content-Security-Policy": ACCOUNT_PAGE_CSP,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@functools.cache
def _read(name: str) -> bytes:
    return (files("entrypoints.http.identity") / "pages" / name).read_bytes()


def _page(name: str) -> Response:
    return Response(_read(name), content_type=HTML, headers=PAGE_HEADERS)


@identity.get("/verify-email")
@hide
async def verify_email_page() -> Response:
    return _page("verify_email.html")


@identity.get("/reset-password")
@hide
async def reset_password_page() -> Response:
    return _page("reset_password.html")


@identity.get("/device")
@hide
async def device_page() -> Response:
    return _page("device.html")


@identity.get("/pages/assets/<name>")
@hide
async def page_asset(name: str) -> Response:
    if name not in ASSETS:
        abort(404)
    # Short-lived and revalidated: the pages change with each release and their URLs do not.
    return Response(_read(name), content_type=ASSETS[name], headers={"Cache-Control": "public, max-age=300"})
