"""The OpenAPI document, complete and true to the server.

quart-schema builds each operation from a route's ``validate_*`` decorators but, with msgspec
models, drops the schemas its ``$ref``s point at, never marks a body or query parameter required and
knows nothing of errors or credentials. ``OpenApiDocument`` (the app's ``openapi_provider_class``)
adds all of that from one declaration next to each route:

    @signed_in("write")                          # bearer token or API key holding `write`
    @problems("invalid-password", "too-many-attempts")
    @responds(204)                               # a success validate_response cannot describe

Everything else is implied and added here, so no route repeats it: a JSON body can answer 400
``malformed-request``, 413 and 422 ``validation-failed``; a query string 400 ``invalid-query``;
a path parameter the router's 404; a signed-in route 401, 403 and 429; every route 503 unless
marked ``@needs_no_services``. Each error response is the ``Problem`` schema with its ``type``
narrowed to the codes declared, so a schema check catches an undeclared one.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import msgspec
from quart_schema import OpenAPIProvider
from quart_schema.validation import (
    QUART_SCHEMA_QUERYSTRING_ATTRIBUTE,
    QUART_SCHEMA_REQUEST_ATTRIBUTE,
)
from werkzeug.routing import Rule
from werkzeug.routing.converters import BaseConverter, UUIDConverter

from entrypoints.http.problems import PROBLEM_JSON, PROBLEMS

F = TypeVar("F", bound=Callable[..., Any])

_SCOPE = "_mg_openapi_scope"
_PROBLEMS = "_mg_openapi_problems"
_RESPONSES = "_mg_openapi_responses"
_OFFLINE = "_mg_openapi_offline"

REF = "#/components/schemas/{name}"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "`Authorization: Bearer <token>`: an access token from sign-in, or an `mg_live_` API key.",
    },
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An `mg_live_` API key."},
}

# What every signed-in route can answer (see entrypoints/http/authentication.py).
SIGNED_IN_PROBLEMS = ("invalid-access-token", "invalid-api-key", "forbidden", "too-many-attempts", "rate-limited")
JSON_BODY_PROBLEMS = ("malformed-request", "payload-too-large", "validation-failed")
QUERY_PROBLEMS = ("invalid-query", "malformed-request")
PATH_PROBLEMS = ("not-found",)
SERVICE_PROBLEMS = ("service-unavailable",)

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `type` is a URI reference to `/problems/<code>`, which describes it.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "examples": ["/problems/validation-failed"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "retry_after_seconds": {"type": "integer", "minimum": 0},
        "current": {"type": "object", "description": "For `stale-progress`: the state that won."},
        "clock_drift_seconds": {"type": "number"},
    },
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "The Bearer challenge (RFC 6750)."}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}},
    503: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}},
}


def signed_in(scope: str) -> Callable[[F], F]:
    """Document that the route needs an access token or API key holding ``scope``."""

    def mark(func: F) -> F:
        setattr(func, _SCOPE, scope)
        return func

    return mark


def problems(*codes: str) -> Callable[[F], F]:
    """Document the problem codes (keys of ``PROBLEMS``) the route answers beyond the implied ones."""
    unknown = [code for code in codes if code not in PROBLEMS]
    if unknown:
        raise ValueError(f"Unknown problem codes {unknown}: add them to entrypoints/http/problems.py PROBLEMS")

    def mark(func: F) -> F:
        setattr(func, _PROBLEMS, (*getattr(func, _PROBLEMS, ()), *codes))
        return func

    return mark


def responds(
    status: int, model: Any = None, *, media_type: str = "application/json", description: str = ""
) -> Callable[[F], F]:
    """Document a success response ``validate_response`` cannot: no body (``model=None``), a union
    of models, a plain dict schema or another media type."""

    def mark(func: F) -> F:
        setattr(func, _RESPONSES, {**getattr(func, _RESPONSES, {}), status: (model, media_type, description)})
        return func

    return mark


def needs_no_services(func: F) -> F:
    """Document that the route never touches PostgreSQL or Redis, so it never answers 503."""
    setattr(func, _OFFLINE, True)
    return func


def declared_scope(func: Callable[..., Any]) -> str | None:
    return getattr(func, _SCOPE, None)


def declared_problems(func: Callable[..., Any], rule: Rule) -> list[str]:
    """Every problem code the route's document lists: the implied ones, then the declared ones."""
    codes: list[str] = []
    if getattr(func, QUART_SCHEMA_REQUEST_ATTRIBUTE, None) is not None:
        codes += JSON_BODY_PROBLEMS
    if getattr(func, QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, None) is not None:
        codes += QUERY_PROBLEMS
    if rule.arguments:
        codes += PATH_PROBLEMS
    if declared_scope(func) is not None:
        codes += SIGNED_IN_PROBLEMS
    codes += getattr(func, _PROBLEMS, ())
    if not getattr(func, _OFFLINE, False):
        codes += SERVICE_PROBLEMS
    return list(dict.fromkeys(codes))


def _problem_responses(codes: Iterable[str]) -> dict[str, Any]:
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(PROBLEMS[code][0], []).append(code)
    responses: dict[str, Any] = {}
    for status, group in sorted(by_status.items()):
        narrowed = {
            "properties": {
                "type": {"enum": [f"/problems/{code}" for code in group]},
                "status": {"const": status},
            }
        }
        response: dict[str, Any] = {
            "description": "; ".join(f"`{code}`: {PROBLEMS[code][1]}" for code in group),
            "content": {PROBLEM_JSON: {"schema": {"allOf": [{"$ref": REF.format(name="Problem")}, narrowed]}}},
        }
        if status in _HEADERS:
            response["headers"] = _HEADERS[status]
        responses[str(status)] = response
    return responses


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`X | None` of an optional query parameter: absence already says None; a client sends no `null`."""
    options = schema.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        narrowed = {key: value for key, value in schema.items() if key != "anyOf" and (key, value) != ("default", None)}
        return {**narrowed, **rest[0]} if len(rest) == 1 else {**narrowed, "anyOf": rest}
    return schema


class OpenApiDocument(OpenAPIProvider):
    """quart-schema's provider, with named component schemas and the declarations above applied."""

    def schema(self) -> dict[str, Any]:
        self._components: dict[str, Any] = {}
        document = super().schema()
        document["components"]["schemas"] = {**dict(sorted(self._components.items())), "Problem": PROBLEM_SCHEMA}
        document["components"]["securitySchemes"] = SECURITY_SCHEMES
        return document

    def _named(self, model: Any) -> dict[str, Any]:
        """The model's schema, a `$ref` for a Struct, with every schema it names kept for `components`."""
        if isinstance(model, types.UnionType):
            return {"oneOf": [self._named(member) for member in typing.get_args(model)]}
        (schema,), components = msgspec.json.schema_components([model], ref_template=REF)
        for name, component in components.items():
            if self._components.setdefault(name, component) != component:
                raise ValueError(f"Two different schemas are named {name!r}: rename one of the models")
        return schema  # type: ignore[no-any-return]

    def build_request_body(self, model: Any, source: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        body, _ = super().build_request_body(model, source)
        for media in body["content"].values():
            media["schema"] = self._named(model)
        body["required"] = True
        return body, {}

    def build_response_object(self, model: Any, headers_model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        response, _ = super().build_response_object(model, headers_model)
        response["content"]["application/json"]["schema"] = self._named(model)
        response["description"] = response["description"] or "Success"
        return response, {}

    def build_querystring_parameters(self, model: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        parameters, _ = super().build_querystring_parameters(model)
        _, components = msgspec.json.schema_components([model], ref_template=REF)
        required = set(components[model.__name__].get("required", []))
        for parameter in parameters:
            parameter["required"] = parameter["name"] in required
            parameter["schema"] = _without_null(parameter["schema"])
        return parameters, {}

    def build_path_parameter(self, name: str, converter: BaseConverter) -> dict[str, Any]:
        parameter = super().build_path_parameter(name, converter)
        if isinstance(converter, UUIDConverter):
            parameter["schema"] = {"type": "string", "format": "uuid"}
        return parameter

    def build_paths(self, rule: Rule) -> tuple[dict[str, Any], dict[str, Any]]:
        paths, _ = super().build_paths(rule)
        func = self._app.view_functions[rule.endpoint]
        scope = declared_scope(func)
        for path in paths.values():
            for method, operation in list(path.items()):
                operation = path[method] = copy.deepcopy(operation)
                if not operation["parameters"]:
                    del operation["parameters"]
                for status, (model, media_type, description) in getattr(func, _RESPONSES, {}).items():
                    response: dict[str, Any] = {"description": description or "Success"}
                    if model is not None:
                        schema = model if isinstance(model, dict) else self._named(model)
                        response["content"] = {media_type: {"schema": schema}}
                    operation["responses"][str(status)] = response
                # A response the route describes itself (validate_response, @responds) wins over a problem.
                declared = {str(status): value for status, value in operation["responses"].items()}
                merged = _problem_responses(declared_problems(func, rule)) | declared
                operation["responses"] = dict(sorted(merged.items()))
                operation["security"] = [{"bearer": [scope]}, {"apiKey": [scope]}] if scope else []
        return paths, {}
