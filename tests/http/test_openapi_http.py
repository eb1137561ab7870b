"""The OpenAPI document is valid, complete and true to the routes (schemathesis then checks the
answers against it: tests/http/test_schemathesis_http.py)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate
from quart import Quart
from quart.typing import TestClientProtocol as Client

from entrypoints.http.openapi_declarations import SIGNED_IN_PROBLEMS, declared_scope, problems
from entrypoints.http.problems import PROBLEMS
from tests.support.apps import FakeWorld, running

METHODS = {"get", "post", "put", "patch", "delete"}
# What a route body asks of its caller: `await authenticated(authenticate, "write")`.
AUTHENTICATES = re.compile(r"authenticated\(\s*authenticate\s*,\s*\"(\w+)\"\s*\)")


@pytest.fixture
async def app_and_document(world: FakeWorld) -> tuple[Quart, dict[str, Any]]:
    async with running(world.container) as (app, client):
        return app, await (await client.get("/openapi.json")).get_json()


@pytest.fixture
def document(app_and_document: tuple[Quart, dict[str, Any]]) -> dict[str, Any]:
    return app_and_document[1]


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    dangling = {ref for ref in refs(document) if ref.removeprefix("#/components/schemas/") not in schemas}
    assert not dangling
    assert "Problem" in schemas


def test_every_operation_documents_its_errors_and_security(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        label = f"{method} {path}"
        assert "security" in operation, label
        statuses = {int(status) for status in operation["responses"]}
        assert any(200 <= status < 400 for status in statuses), label  # a redirect is a success too
        for status, response in operation["responses"].items():
            if int(status) >= 400 and label != "GET /health/ready":  # its 503 is the readiness report
                assert "application/problem+json" in response["content"], label
        if operation["security"]:
            scope = operation["security"][0]["bearer"]
            assert operation["security"] == [{"bearer": scope}, {"apiKey": scope}], label
            assert {401, 403, 429} <= statuses, label
        if "requestBody" in operation:
            assert operation["requestBody"]["required"] is True, label
            assert {400, 413, 422} <= statuses, label
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
            assert 400 in statuses, label
        if not path.startswith(("/health/", "/problems/", "/.well-known/")):
            assert 503 in statuses, label


def test_the_security_schemes_are_the_ones_the_service_accepts(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header", "name": "X-API-Key"}


def test_each_route_documents_the_scope_its_body_demands(app_and_document: tuple[Quart, dict[str, Any]]) -> None:
    """The declaration next to the route and the `authenticated(...)` call in it must agree, so a
    new signed-in route without `@signed_in` (or the reverse) fails here."""
    app, _ = app_and_document
    checked = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        try:
            source = inspect.getsource(inspect.unwrap(view))
        except (OSError, TypeError):
            continue  # quart-schema's own routes (/openapi.json, /docs)
        demanded = set(AUTHENTICATES.findall(source))
        assert len(demanded) <= 1, rule.rule
        assert declared_scope(view) == next(iter(demanded), None), f"{rule.rule}: @signed_in disagrees with the body"
        checked += bool(demanded)
    assert checked >= 15


def test_error_responses_list_their_problem_types(document: dict[str, Any]) -> None:
    me = document["paths"]["/api/v1/me"]["get"]["responses"]
    unauthorised = me["401"]["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"]["type"]
    assert set(unauthorised["enum"]) == {f"/problems/{code}" for code in SIGNED_IN_PROBLEMS if PROBLEMS[code][0] == 401}


def test_what_the_server_requires_the_document_requires(document: dict[str, Any]) -> None:
    search = {p["name"]: p for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert search["q"]["required"] is True
    assert search["page"]["schema"]["maximum"] == 1000 and search["page_size"]["schema"]["maximum"] == 100
    register = document["components"]["schemas"]["RegisterIn"]
    assert register["properties"]["password"]["maxLength"] == 128
    assert set(register["required"]) == {"email", "password"}


async def test_options_advertises_only_the_methods_a_path_has(client: Client) -> None:
    leaked = await client.options("/api/v1/auth/api-keys/leaked")
    assert set(leaked.headers["Allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}
    one_key = await client.options("/api/v1/auth/api-keys/00000000-0000-0000-0000-000000000001")
    assert "DELETE" in one_key.headers["Allow"]


def test_a_route_cannot_declare_a_problem_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match="PROBLEMS"):
        problems("no-such-problem")
