"""Swagger UI's script and style sheet, served by the app itself so that ``/docs`` works offline.

quart-schema's ``/docs`` page loads them from a CDN unless its ``QUART_SCHEMA_SWAGGER_*_URL``
settings say otherwise. The files come from the flask-swagger-ui package, whose ``dist`` folder is
swagger-ui-dist byte for byte (its Flask blueprint is not used). swagger-ui-bundle, the package
connexion uses, ships Swagger UI 4, which cannot render an OpenAPI 3.1 document such as ours.
The version is in the path, so a browser may keep each file for good.
"""

from __future__ import annotations

import functools
from importlib.metadata import version
from importlib.resources import files

from quart import Quart, Response, abort
from quart_schema import hide

ENDPOINT = "swagger_ui_asset"
VERSION = version("flask-swagger-ui")
PREFIX = f"/docs/swagger-ui/{VERSION}/"
SCRIPT = "swagger-ui-bundle.js"
STYLE_SHEET = "swagger-ui.css"
CONTENT_TYPES = {SCRIPT: "text/javascript; charset=utf-8", STYLE_SHEET: "text/css; charset=utf-8"}


@functools.cache
def _read(name: str) -> bytes:
    return (files("flask_swagger_ui") / "dist" / name).read_bytes()


@hide
async def swagger_ui_asset(name: str) -> Response:
    if name not in CONTENT_TYPES:
        abort(404)
    response = Response(_read(name), content_type=CONTENT_TYPES[name])
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def serve_swagger_ui_assets(app: Quart) -> None:
    """Point quart-schema's Swagger UI page at the app's own copies of its script and style sheet."""
    app.config["QUART_SCHEMA_SWAGGER_JS_URL"] = PREFIX + SCRIPT
    app.config["QUART_SCHEMA_SWAGGER_CSS_URL"] = PREFIX + STYLE_SHEET
    app.add_url_rule(PREFIX + "<name>", ENDPOINT, swagger_ui_asset)
