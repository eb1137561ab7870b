"""The OpenAPI document, complete and true to the server.

quart-schema builds each operation from a route's ``validate_*`` decorators but, with msgspec
models, drops the schemas its ``$ref``s point at, never marks a body or query parameter required and
knows nothing of errors or credentials. ``OpenApiDocument`` (the app's ``openapi_provider_class``)
adds all of that from the declarations next to each route (entrypoints/http/openapi_declarations.py)
and what they imply. Each error response is the ``Problem`` schema with its ``type``
narrowed to the codes declared, so a schema check catches an undeclared one.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterable
from typing import Any

import msgspec
from quart_schema import OpenAPIProvider
from werkzeug.routing import Rule
from werkzeug.routing.converters import BaseConverter, UUIDConverter

from entrypoints.http.openapi_declarations import declared_problems, declared_responses, declared_scope
from entrypoints.http.problems import EXTENSION_SCHEMAS, PROBLEM_JSON, PROBLEMS

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
        "trace_id": {
            "type": "string",
            "pattern": "^[0-9a-f]{32}$",
            "description": "The W3C trace id of the request: quoted in a bug report, it leads to the trace and logs.",
        },
    },
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "The Bearer challenge (RFC 6750)."}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}},
    503: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}},
}


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


def problem_schema() -> dict[str, Any]:
    """The ``Problem`` schema, with the extension members the contexts registered."""
    return {**PROBLEM_SCHEMA, "properties": {**PROBLEM_SCHEMA["properties"], **EXTENSION_SCHEMAS}}


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
        document["components"]["schemas"] = {**dict(sorted(self._components.items())), "Problem": problem_schema()}
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
                for status, (model, media_type, description) in declared_responses(func).items():
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
