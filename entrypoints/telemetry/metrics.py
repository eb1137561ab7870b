"""Every Prometheus metric the service records, in one place (served at ``GET /metrics``).

Names start with ``mg_`` and carry their unit (``_seconds``, ``_total``). Labels take values from
small fixed sets only (route templates, problem codes, limiter names), never user ids, emails or
raw paths. Outcome labels are ``success`` or the code of the problem that refused the attempt, in
snake case (``invalid_credentials`` for ``/problems/invalid-credentials``), ``error`` for anything
else (a dependency down).

With ``PROMETHEUS_MULTIPROC_DIR`` set before the process starts, prometheus-client keeps every
value in a file per process there and ``/metrics`` adds them up (``exposition.py``); a gauge says
how with its ``multiprocess_mode``. The archive lag is not stored at all: it is read from Redis at
each scrape (``exposition.archive_lag_metrics``); nor is the mail queue's backlog, read from
PostgreSQL (``exposition.mail_queue_metrics``).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# HTTP (entrypoints/telemetry/request_metrics.py). `route` is the template the request matched
# (`/api/v1/content/{content_id}`) or `unmatched`; `status_class` is `2xx` … `5xx`.
HTTP_LABELS = ("route", "method", "status_class")
HTTP_REQUESTS = Counter("mg_http_requests_total", "HTTP requests answered.", HTTP_LABELS)
HTTP_REQUEST_DURATION = Histogram(
    "mg_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response (an event stream's is its whole life).",
    HTTP_LABELS,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HTTP_REQUESTS_IN_FLIGHT = Gauge(
    "mg_http_requests_in_flight", "HTTP requests being answered now.", multiprocess_mode="livesum"
)

# Playback (entrypoints/http/playback/).
PROGRESS_UPDATES = Counter(
    "mg_progress_updates_total",
    "Progress updates judged by the merge rule, by verdict: accepted, stale (a later sequence of the "
    "playback session was recorded: 409) or duplicate (the same sequence again: nothing changed).",
    ["verdict"],
)
SYNC_EVENTS_DELIVERED = Counter(
    "mg_sync_events_delivered_total",
    "Sync events written to event-stream clients, by kind (progress, completed, next_episode, dismissed).",
    ["kind"],
)
SYNC_CONNECTIONS = Gauge(
    "mg_sync_connections", "Event-stream (SSE) clients connected now.", multiprocess_mode="livesum"
)

# Identity (entrypoints/http/identity/ and entrypoints/http/authentication.py).
SIGN_INS = Counter(
    "mg_sign_ins_total",
    "Sign-in attempts by step (password: POST /api/v1/auth/login; second_factor: POST "
    "/api/v1/auth/mfa/challenge; provider: a provider's callback; login_code: POST /api/v1/auth/oauth/exchange) "
    "and outcome (success, mfa_required, link_code, login_code, or the refusing problem code).",
    ["step", "outcome"],
)
SECOND_FACTOR_CHECKS = Counter(
    "mg_second_factor_checks_total",
    "Requests to routes that check a second-factor code (sign-in challenge, enrollment confirmation, "
    "new backup codes, disabling), by outcome: success or the refusing problem code.",
    ["outcome"],
)
API_KEY_AUTHENTICATIONS = Counter(
    "mg_api_key_authentications_total",
    "Requests that presented an API key, by outcome: success or the refusing problem code.",
    ["outcome"],
)
RATE_LIMIT_REJECTIONS = Counter(
    "mg_rate_limit_rejections_total",
    "Requests refused by a limit (429), by limiter: sign_in, registration, second_factor, factor_lock, "
    "invalid_api_key, api_key, leaked_key_reports, email_verification, password_reset, device_code, "
    "device_authorizations.",
    ["limiter"],
)

# Outgoing mail (entrypoints/telemetry/mail_metrics.py, told by the worker's DeliverQueuedMail):
# each attempt at a queued message, once. Like the dropped spans, served only in multiprocess mode.
MAIL_DELIVERIES = Counter(
    "mg_mail_deliveries_total",
    "Attempts to send a queued mail, by outcome: sent, retry (not delivered this time, due again later) "
    "or given_up (never to be delivered: refused for good, or queued too long ago).",
    ["outcome"],
)

# Search analytics' capture (entrypoints/http/search_analytics/capture.py): searches written to the
# store (recorded) or not kept because the buffer was full (dropped).
SEARCH_EVENTS = Counter(
    "mg_search_events_total", "Searches captured for search analytics, by outcome: recorded, dropped.", ["outcome"]
)

# Tracing (entrypoints/telemetry/tracing.py): spans the exporter could not send. `reason` is the
# batch processor's word for it: `queue_full`, `export_failed`. The worker's drops are served only
# in multiprocess mode (its files are in the same directory); the worker has no /metrics of its own.
TRACE_SPANS_DROPPED = Counter(
    "mg_trace_spans_dropped_total", "Trace spans dropped instead of exported, by reason.", ["reason"]
)


def count_dropped_spans(count: int, reason: str) -> None:
    """What ``configure_tracing(count_dropped=...)`` is given."""
    TRACE_SPANS_DROPPED.labels(reason=reason).inc(count)


# Circuit breakers (entrypoints/telemetry/breaker_metrics.py, told by the breakers themselves).
# `breaker` is a declared breaker's name (entrypoints/containers/operations.py); each call is counted
# once as success, slow (succeeded, slower than the breaker's threshold), failure or rejected, and a
# rejected or failed call a fallback answered is counted again as fallback. A transition is counted
# by the process whose call (or override) made it, so the sum over processes counts each once.
BREAKER_CALLS = Counter(
    "mg_breaker_calls_total",
    "Calls through a circuit breaker, by breaker and outcome: success, slow, failure, rejected (refused "
    "without calling), fallback (answered by the caller's fallback instead).",
    ["breaker", "outcome"],
)
BREAKER_TRANSITIONS = Counter(
    "mg_breaker_transitions_total",
    "Circuit breaker state changes, by breaker, previous and new state (closed, open, half_open, "
    "forced_open, forced_closed).",
    ["breaker", "from_state", "to_state"],
)

# Read from Redis at scrape time, never recorded (see exposition.archive_lag_metrics).
ARCHIVE_PENDING_CHANGES = "mg_archive_pending_changes"
ARCHIVE_OLDEST_PENDING_AGE = "mg_archive_oldest_pending_age_seconds"
# Read from PostgreSQL at scrape time, never recorded (see exposition.mail_queue_metrics).
MAIL_QUEUE_WAITING = "mg_mail_queue_waiting"
MAIL_QUEUE_OLDEST_WAITING_AGE = "mg_mail_queue_oldest_waiting_age_seconds"
# Read at scrape time from the breakers' store (see exposition.breaker_metrics): the same whichever
# process answers, while Redis answers.
BREAKER_STATE = "mg_breaker_state"
BREAKER_FAILURE_RATE = "mg_breaker_failure_rate"
BREAKER_SLOW_CALL_RATE = "mg_breaker_slow_call_rate"
