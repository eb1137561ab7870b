"""Every payload format behind the PlatformNormaliser port (each module of
adapters/ingestion/normalisers/, found as the receiver finds them): what it refuses, how it names
the field, and that what it accepts is one canonical change that survives the stream and whose
fingerprint ignores the volatile fields. The examples (tests/data/webhooks/<format>/) carry only
fields the format declares, so changing the type of any of them must be refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.ingestion.normalisers import discovered_normalisers, payload_schemas
from application.ingestion.normaliser_ports import NormalisedDelivery, PlatformNormaliser
from domain.catalog.catalog_change import CatalogChange
from domain.ingestion.errors import PayloadRejected

NORMALISERS = discovered_normalisers()
FORMATS = NORMALISERS.formats()
DATA = Path(__file__).resolve().parent.parent / "data" / "webhooks"
PLATFORM = "acme-tv"

# Where each format carries its own event id, and what may differ between two deliveries of the
# same change (paths into the examples; applied where the parent exists).
EVENT_ID = {"generic": ("id",), "netflix-feed": ("eventId",), "youtube-feed": ("eventId",)}
VOLATILE: dict[str, list[tuple[tuple[str | int, ...], Any]]] = {
    "generic": [(("id",), "evt-resent-9999"), (("occurred_at",), "2030-06-01T12:00:00+02:00")],
    "netflix-feed": [
        (("eventId",), "nf-evt-resent"),
        (("eventTimeMs",), 1893456000000),
        (("feedGeneratedAtMs",), 1893456000999),
        (("title", "popularityRank"), 1),
        (("title", "boxArtUrl"), "https://occ.nflxso.net/art/other.jpg?r=0"),
    ],
    "youtube-feed": [
        (("eventId",), "yt-evt-resent"),
        (("eventTime",), "2030-06-01T12:00:00Z"),
        (("video", "etag"), '"a-new-etag"'),
        (("video", "statistics"), {"viewCount": "99999999", "likeCount": "1"}),
    ],
}
ABSURD_INTS = [-1, 0, 2**31, 2**63, 2**64, 10**30]
ABSURD_STRINGS = ["", " ", "\x00", "\u202e\u202d", "é" * 3, "x" * 100_000, "9" * 400, "\ud7ff", "tt", "ZZ"]


def examples(format: str) -> list[Path]:
    return sorted((DATA / format).glob("*.json"))


ALL_EXAMPLES = [(format, path) for format in FORMATS for path in examples(format)]
EXAMPLE_IDS = [f"{format}/{path.stem}" for format, path in ALL_EXAMPLES]


def loaded(path: Path) -> Any:
    return json.loads(path.read_bytes())


def encoded(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def nodes(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value in the payload but the root, with its path."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield (*path, key), child
        yield from nodes(child, (*path, key))


def replaced(payload: Any, path: tuple[str | int, ...], new: Any) -> Any:
    changed = copy.deepcopy(payload)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return changed


def deleted(payload: Any, path: tuple[str | int, ...]) -> Any:
    changed = copy.deepcopy(payload)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return changed


def has_parent(payload: Any, path: tuple[str | int, ...]) -> bool:
    node = payload
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict)


def outcome(normaliser: PlatformNormaliser, body: bytes) -> NormalisedDelivery | PayloadRejected:
    """What the normaliser did, which must be one of two things; an accepted change must also come
    back whole from the stream's encoding (the worker reads it from there)."""
    try:
        delivery = normaliser.normalise(PLATFORM, body)
    except PayloadRejected as refusal:
        assert refusal.detail
        return refusal
    assert isinstance(delivery, NormalisedDelivery)
    assert CatalogChange.from_json(delivery.change.to_json()) == delivery.change
    assert len(delivery.change.fingerprint()) == 64
    return delivery


def names_path(field: str | None, path: str) -> bool:
    """The refusal names the changed field or the field holding it."""
    return field is not None and (field == path or path.startswith((f"{field}.", f"{field}[")))


def wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int | float):
        return str(value)  # "3" is not a number
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {"0": value[0] if value else 1}
    if isinstance(value, dict):
        return ["x"]
    return {"unexpected": True}


def declared_properties(format: str) -> set[str]:
    return {name for shape in payload_schemas()[format]["$defs"].values() for name in shape.get("properties", {})}


def test_every_format_has_example_payloads_and_declares_its_volatile_fields() -> None:
    for format in FORMATS:
        assert examples(format), f"tests/data/webhooks/{format}/ holds no example payload"
        assert format in VOLATILE and format in EVENT_ID, f"the contract does not know {format}'s fields"


@pytest.mark.parametrize(("format", "example"), ALL_EXAMPLES, ids=EXAMPLE_IDS)
def test_an_example_is_one_change_of_the_platform_with_the_payloads_event_id(format: str, example: Path) -> None:
    payload = loaded(example)
    delivery = outcome(NORMALISERS.named(format), example.read_bytes())
    assert isinstance(delivery, NormalisedDelivery)
    assert delivery.change.platform == PLATFORM
    key = EVENT_ID[format]
    assert delivery.delivery_id == (payload.get(key[0]) if len(key) == 1 else None)


@pytest.mark.parametrize(("format", "example"), ALL_EXAMPLES, ids=EXAMPLE_IDS)
def test_resending_a_change_with_other_volatile_fields_keeps_its_fingerprint(format: str, example: Path) -> None:
    normaliser, original = NORMALISERS.named(format), loaded(example)
    resent = original
    for path, value in VOLATILE[format]:
        if has_parent(resent, path):
            resent = replaced(resent, path, value)
    assert resent != original
    first, second = outcome(normaliser, encoded(original)), outcome(normaliser, encoded(resent))
    assert isinstance(first, NormalisedDelivery) and isinstance(second, NormalisedDelivery)
    assert first.change.fingerprint() == second.change.fingerprint()
    assert first.delivery_id != second.delivery_id


@pytest.mark.parametrize(("format", "example"), ALL_EXAMPLES, ids=EXAMPLE_IDS)
def test_fields_the_format_does_not_declare_are_ignored(format: str, example: Path) -> None:
    normaliser, payload = NORMALISERS.named(format), loaded(example)
    extended = copy.deepcopy(payload)
    extended["addedUpstreamLater"] = {"nested": [1, "two", None]}
    declared = declared_properties(format)
    for _, node in nodes(extended):
        if isinstance(node, dict) and node and set(node) <= declared:  # a struct, not a map like names
            node.setdefault("x_vendor_extension", 3.5)
    plain, with_more = outcome(normaliser, encoded(payload)), outcome(normaliser, encoded(extended))
    assert isinstance(plain, NormalisedDelivery) and isinstance(with_more, NormalisedDelivery)
    assert with_more.change == plain.change


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b" ",
        b"{",
        b"{}}",
        b"null",
        b"[]",
        b'"content.upserted"',
        b"42",
        b"{'type': 'content.upserted'}",
        b'{"type": NaN}',
        b"\xef\xbb\xbf{}",
    ],
    ids=repr,
)
def test_a_body_that_is_not_a_json_object_is_refused(format: str, body: bytes) -> None:
    assert isinstance(outcome(NORMALISERS.named(format), body), PayloadRejected)


@pytest.mark.parametrize(("format", "example"), ALL_EXAMPLES, ids=EXAMPLE_IDS)
def test_a_body_that_is_not_utf8_is_refused(format: str, example: Path) -> None:
    normaliser, body = NORMALISERS.named(format), example.read_bytes()
    text = body.decode()
    for broken in (
        text.encode("utf-16"),
        body.replace(b'"', b'"\xff', 1),  # in the first key
        body.replace(b': "', b': "caf\xe9 ', 1),  # Latin-1 in the first text value
        body.replace(b': "', b': "\xed\xa0\x80', 1),  # an encoded surrogate
        body[: len(body) // 2],  # truncated
    ):
        assert isinstance(outcome(normaliser, broken), PayloadRejected), broken[:80]


@pytest.mark.parametrize(("format", "example"), ALL_EXAMPLES, ids=EXAMPLE_IDS)
def test_a_declared_field_of_the_wrong_type_is_refused_naming_it(format: str, example: Path) -> None:
    normaliser, payload = NORMALISERS.named(format), loaded(example)
    for path, value in nodes(payload):
        result = outcome(normaliser, encoded(replaced(payload, path, wrong_type(value))))
        assert isinstance(result, PayloadRejected), f"{path_text(path)} = {wrong_type(value)!r} was accepted"
        assert names_path(result.field, path_text(path)), (path_text(path), result.field)


@pytest.mark.parametrize(("format", "example"), ALL_EXAMPLES, ids=EXAMPLE_IDS)
def test_a_missing_field_is_refused_naming_it_unless_the_format_says_it_is_optional(format: str, example: Path) -> None:
    normaliser, payload = NORMALISERS.named(format), loaded(example)
    refused = 0
    for path, _ in nodes(payload):
        result = outcome(normaliser, encoded(deleted(payload, path)))
        if isinstance(result, PayloadRejected):
            refused += 1
            assert names_path(result.field, path_text(path)), (path_text(path), result.field)
    assert refused, "nothing in the example is required"


@pytest.mark.parametrize(("format", "example"), ALL_EXAMPLES, ids=EXAMPLE_IDS)
def test_absurd_values_are_refused_naming_a_field_or_accepted_never_anything_else(format: str, example: Path) -> None:
    normaliser, payload = NORMALISERS.named(format), loaded(example)
    for path, value in nodes(payload):
        if isinstance(value, bool) or not isinstance(value, int | str):
            continue
        for absurd in ABSURD_INTS if isinstance(value, int) else ABSURD_STRINGS:
            result = outcome(normaliser, encoded(replaced(payload, path, absurd)))
            if isinstance(result, PayloadRejected):
                assert result.field is not None, (path_text(path), absurd)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
HYPOTHESIS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("format", FORMATS)
@HYPOTHESIS
@given(body=st.binary(max_size=300))
def test_arbitrary_bytes_are_refused_or_accepted_never_anything_else(format: str, body: bytes) -> None:
    outcome(NORMALISERS.named(format), body)


@pytest.mark.parametrize("format", FORMATS)
@HYPOTHESIS
@given(value=json_values)
def test_arbitrary_json_is_refused_or_accepted_never_anything_else(format: str, value: Any) -> None:
    outcome(NORMALISERS.named(format), encoded(value))


@pytest.mark.parametrize("format", FORMATS)
@HYPOTHESIS
@given(data=st.data())
def test_an_example_with_any_value_replaced_is_refused_or_accepted_never_anything_else(
    format: str, data: st.DataObject
) -> None:
    payload = loaded(data.draw(st.sampled_from(examples(format))))
    path, _ = data.draw(st.sampled_from(list(nodes(payload))))
    outcome(NORMALISERS.named(format), encoded(replaced(payload, path, data.draw(json_values))))
