"""The ingestion's dead letters, for administrators: list, inspect, replay, discard."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_querystring, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.ingestion.dead_letters import (
    DiscardDeadLetter,
    DiscardDeadLetterCommand,
    GetDeadLetter,
    ListDeadLetters,
    ListDeadLettersCommand,
    ReplayDeadLetters,
    ReplayDeadLettersCommand,
)
from application.ingestion.stream_ports import DeadLetterFilter
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.ingestion import dead_letter_problems as _  # noqa: F401
from entrypoints.http.ingestion.blueprint import ingestion
from entrypoints.http.ingestion.dead_letter_schemas import (
    DeadLetterArgs,
    DeadLetterListOut,
    DeadLetterOut,
    ReplayIn,
    ReplayOut,
    dead_letter_out,
    instant,
    replay_out,
)
from entrypoints.http.openapi_declarations import problems, responds, signed_in

PATH = "/api/v1/webhooks/dead-letters"


@ingestion.get(PATH)
@tag(["webhooks"])
@signed_in("admin")
@problems("invalid-input")
@validate_querystring(DeadLetterArgs)
@validate_response(DeadLetterListOut, 200)
@inject
async def list_dead_letters(
    query_args: DeadLetterArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_all: ListDeadLetters = Provide[Container.ingestion_processing.list_dead_letters],
) -> DeadLetterListOut:
    """Deliveries set aside, oldest first: by platform, error code (`unknown-series`, …) and when they
    failed (`since` ≤ t < `until`, RFC 3339), each with its change and its whole attempt history."""
    await authenticated(authenticate, "admin")
    selection = DeadLetterFilter(
        platform=query_args.platform,
        error=query_args.error,
        since=instant(query_args.since, "since"),
        until=instant(query_args.until, "until"),
    )
    letters = await list_all(ListDeadLettersCommand(selection, query_args.limit))
    return DeadLetterListOut(items=[dead_letter_out(letter) for letter in letters])


@ingestion.post(f"{PATH}/replay")
@tag(["webhooks"])
@signed_in("admin")
@problems("invalid-input")
@validate_request(ReplayIn)
@validate_response(ReplayOut, 200)
@inject
async def replay_dead_letters(
    data: ReplayIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    replay: ReplayDeadLetters = Provide[Container.ingestion_processing.replay_dead_letters],
) -> ReplayOut:
    """Put dead letters (`ids`, or those of a `platform` that failed between `since` and `until`) back
    through deduplication and processing. Rate-limited: what a request leaves is in `remaining`;
    one another event already carries is dropped (`duplicates`). `dry_run` changes nothing.
    Written in your security log."""
    principal = await authenticated(authenticate, "admin")
    report = await replay(
        ReplayDeadLettersCommand(
            principal=principal,
            ids=tuple(data.ids) if data.ids is not None else None,
            platform=data.platform,
            since=instant(data.since, "since"),
            until=instant(data.until, "until"),
            dry_run=data.dry_run,
            ip=request.remote_addr,
        )
    )
    return replay_out(report)


@ingestion.get(f"{PATH}/<dead_letter_id>")
@tag(["webhooks"])
@signed_in("admin")
@problems("dead-letter-not-found")
@validate_response(DeadLetterOut, 200)
@inject
async def get_dead_letter(
    dead_letter_id: str,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    get: GetDeadLetter = Provide[Container.ingestion_processing.get_dead_letter],
) -> DeadLetterOut:
    """One dead letter: its change, the error that set it aside and every attempt."""
    await authenticated(authenticate, "admin")
    return dead_letter_out(await get(dead_letter_id))


@ingestion.delete(f"{PATH}/<dead_letter_id>")
@tag(["webhooks"])
@signed_in("admin")
@problems("dead-letter-not-found")
@responds(204, description="Discarded")
@inject
async def discard_dead_letter(
    dead_letter_id: str,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    discard: DiscardDeadLetter = Provide[Container.ingestion_processing.discard_dead_letter],
) -> tuple[str, int]:
    """Discard one dead letter for good. Written in your security log."""
    principal = await authenticated(authenticate, "admin")
    await discard(DiscardDeadLetterCommand(principal=principal, dead_letter_id=dead_letter_id, ip=request.remote_addr))
    return "", 204
