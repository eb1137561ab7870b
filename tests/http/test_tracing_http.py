"""What tracing adds to HTTP: a server span per request named by its route, a caller's
`traceparent` continued, the trace id on problem responses and on the request's log lines, and
nothing secret in span attributes."""

from __future__ import annotations

import io
import json
import logging
import uuid

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from quart.typing import TestClientProtocol as Client

from entrypoints.logging_setup import JsonFormatter
from tests.support.accounts import PASSWORD, bearer, register_and_sign_in

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def server_spans(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [span for span in spans if span.kind is SpanKind.SERVER]


async def test_a_request_gets_one_server_span_named_by_its_route_template(
    client: Client, recorded_spans: list[ReadableSpan]
) -> None:
    content_id = uuid.uuid4()
    response = await client.get(f"/api/v1/content/{content_id}")
    assert response.status_code == 404

    (span,) = server_spans(recorded_spans)
    assert span.name == "GET /api/v1/content/{content_id}"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/api/v1/content/{content_id}"
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["http.response.status_code"] == 404
    assert span.attributes["url.path"] == f"/api/v1/content/{content_id}"


async def test_a_path_no_route_matches_names_the_span_by_its_method_only(
    client: Client, recorded_spans: list[ReadableSpan]
) -> None:
    await client.get("/no/such/thing/4242")
    (span,) = server_spans(recorded_spans)
    assert span.name == "GET"
    assert "http.route" not in (span.attributes or {})


async def test_an_incoming_traceparent_is_continued(client: Client, recorded_spans: list[ReadableSpan]) -> None:
    await client.get("/api/v1/search?q=dune", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    (span,) = server_spans(recorded_spans)
    assert format(span.context.trace_id, "032x") == CALLER_TRACE
    assert span.parent is not None and format(span.parent.span_id, "016x") == CALLER_SPAN
    assert span.parent.is_remote


async def test_a_malformed_traceparent_starts_a_new_trace(client: Client, recorded_spans: list[ReadableSpan]) -> None:
    response = await client.get("/api/v1/search?q=dune", headers={"traceparent": "00-not-a-trace-01"})
    assert response.status_code == 200
    (span,) = server_spans(recorded_spans)
    assert span.parent is None
    assert format(span.context.trace_id, "032x") != CALLER_TRACE


async def test_a_problem_response_carries_the_trace_id_of_its_request(
    client: Client, recorded_spans: list[ReadableSpan]
) -> None:
    response = await client.get(
        "/api/v1/me", headers={"Authorization": "Bearer nope", "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
    )
    assert response.status_code == 401
    assert (await response.get_json())["trace_id"] == CALLER_TRACE


async def test_no_credential_email_or_query_value_reaches_the_span_attributes(
    client: Client, recorded_spans: list[ReadableSpan]
) -> None:
    tokens = await register_and_sign_in(client, email="ana.secret@example.com")
    await client.get("/api/v1/search?q=ana.secret%40example.com&limit=5", headers=bearer(tokens["access_token"]))

    spans = server_spans(recorded_spans)
    search = next(span for span in spans if span.name == "GET /api/v1/search")
    assert search.attributes is not None
    assert search.attributes["url.query"] == "q=REDACTED&limit=REDACTED"
    everything = json.dumps([dict(span.attributes or {}) for span in spans])
    for secret in ("ana.secret", PASSWORD, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in everything


async def test_log_lines_inside_a_request_carry_its_trace_and_span_ids(
    client: Client, recorded_spans: list[ReadableSpan]
) -> None:
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("media_gateway.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        await client.get("/api/v1/search?q=dune", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    (line,) = [json.loads(text) for text in lines.getvalue().splitlines()]
    (span,) = server_spans(recorded_spans)
    assert line["trace_id"] == CALLER_TRACE
    assert line["span_id"] == format(span.context.span_id, "016x")
