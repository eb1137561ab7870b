"""The documentation page (/docs) works without internet: Swagger UI's script and style sheet come
from the service itself, and stay out of the API document."""

from __future__ import annotations

from html.parser import HTMLParser

from quart.typing import TestClientProtocol as Client

EXPECTED_TYPES = {"script": "text/javascript", "link": "text/css"}


class _Assets(HTMLParser):
    """The URLs a page loads: every script src and style sheet href."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls[values["src"] or ""] = tag
        if tag == "link" and values.get("rel") == "stylesheet":
            self.urls[values.get("href") or ""] = tag


async def page_assets(client: Client) -> dict[str, str]:
    page = await client.get("/docs")
    assert page.status_code == 200
    parser = _Assets()
    parser.feed(await page.get_data(as_text=True))
    return parser.urls


async def test_the_docs_page_loads_only_assets_the_service_serves(client: Client) -> None:
    assets = await page_assets(client)
    assert sorted(assets.values()) == ["link", "script"]
    for url, tag in assets.items():
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not on this server"
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == EXPECTED_TYPES[tag], url
        assert response.mimetype_params.get("charset") == "utf-8", url
        assert response.headers["Cache-Control"].startswith("public"), url
        body = await response.get_data(as_text=True)
        assert ("SwaggerUIBundle" if tag == "script" else ".swagger-ui") in body, url


async def test_only_swagger_ui_files_are_served_and_none_is_in_the_document(client: Client) -> None:
    script = next(url for url, tag in (await page_assets(client)).items() if tag == "script")
    folder = script.rsplit("/", 1)[0]
    missing = await client.get(f"{folder}/index.html")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    document = await (await client.get("/openapi.json")).get_json()
    assert not [path for path in document["paths"] if path.startswith("/docs")]
