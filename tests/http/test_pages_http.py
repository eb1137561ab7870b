"""What is about HTTP in the account pages (verify email, reset password, TV code): status, content
type, headers, and that nothing from the address ends up in the HTML. What a person sees and does
on them is tests/browser/test_account_pages_in_chromium.py."""

from __future__ import annotations

import re

import pytest
from quart.typing import TestClientProtocol as Client

PAGES = ["/verify-email", "/reset-password", "/device"]
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)
HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_is_html_that_no_cache_keeps_with_a_strict_policy_and_no_referrer(
    client: Client, path: str
) -> None:
    response = await client.get(path, query_string={"token": "abc", "user_code": "BCDF-GHJK"})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == STRICT_CSP
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("name", ["token", "user_code"])
async def test_nothing_from_the_address_is_written_into_the_page(client: Client, path: str, name: str) -> None:
    plain = await (await client.get(path)).get_data(as_text=True)
    crafted = await client.get(path, query_string={name: HOSTILE})
    html = await crafted.get_data(as_text=True)
    assert html == plain  # the script reads the address in the browser; the HTML never holds it
    assert "alert" not in html and "onerror" not in html


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_has_no_inline_script_or_style_and_loads_only_its_own_files(client: Client, path: str) -> None:
    html = await (await client.get(path)).get_data(as_text=True)
    assert '<html lang="en">' in html and 'name="viewport"' in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/pages/assets/pages.js" defer>']
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers either
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["/pages/assets/pages.css", "/pages/assets/pages.js"]


async def test_every_field_has_a_label_and_the_browser_knows_what_to_fill_in(client: Client) -> None:
    pages = {path: await (await client.get(path)).get_data(as_text=True) for path in PAGES}
    for html in pages.values():
        ids = re.findall(r'<input id="([^"]+)"', html)
        assert ids and all(f'<label for="{field}">' in html for field in ids)
    assert pages["/reset-password"].count('autocomplete="new-password"') == 2
    assert 'autocomplete="username"' in pages["/device"]
    assert 'autocomplete="one-time-code"' in pages["/device"]
    assert "8 to 128 characters, and not a common password" in pages["/reset-password"]


async def test_the_verification_page_does_not_verify_on_get(client: Client) -> None:
    html = await (await client.get("/verify-email", query_string={"token": "x"})).get_data(as_text=True)
    assert "Verify my email" in html and 'type="submit"' in html


@pytest.mark.parametrize(("name", "content_type"), [("pages.js", "text/javascript"), ("pages.css", "text/css")])
async def test_the_pages_script_and_style_sheet_are_served(client: Client, name: str, content_type: str) -> None:
    response = await client.get(f"/pages/assets/{name}")
    assert response.status_code == 200 and response.mimetype == content_type
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_script_never_writes_markup_or_keeps_tokens(client: Client) -> None:
    script = await (await client.get("/pages/assets/pages.js")).get_data(as_text=True)
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "localStorage", "sessionStorage"):
        assert unsafe not in script
    assert "history.replaceState" in script


@pytest.mark.parametrize("path", ["/pages/assets/other.js", "/pages/assets/..%2Fpage_routes.py", "/pages/assets/"])
async def test_no_other_file_is_served(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404 and response.content_type == "application/problem+json"


async def test_the_pages_are_not_in_the_api_document(client: Client) -> None:
    paths = (await (await client.get("/openapi.json")).get_json())["paths"]
    assert not {"/verify-email", "/reset-password", "/device", "/pages/assets/{name}"} & set(paths)


async def test_the_docs_page_keeps_its_own_policy(client: Client) -> None:
    assert (await client.get("/docs")).headers["Content-Security-Policy"] == "frame-ancestors 'none'"
