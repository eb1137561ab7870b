"""The committed JSON Schemas of the webhook formats are what the normalisers' structs say, and the
committed example payloads (the README's) are valid against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from adapters.ingestion.normalisers import discovered_normalisers, payload_schemas
from scripts.generate_webhook_schemas import DOCS, rendered

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "webhooks"
FORMATS = discovered_normalisers().formats()


def test_every_format_has_a_schema() -> None:
    assert tuple(payload_schemas()) == FORMATS


@pytest.mark.parametrize("format", FORMATS)
def test_the_committed_schema_is_what_the_code_generates(format: str) -> None:
    committed = (DOCS / f"{format}.schema.json").read_text(encoding="utf-8")
    assert committed == rendered(payload_schemas()[format]), (
        f"docs/webhooks/{format}.schema.json is stale: run `make webhook-schemas` and commit the result"
    )


@pytest.mark.parametrize(
    "example", sorted(EXAMPLES.glob("*/*.json")), ids=lambda path: f"{path.parent.name}/{path.name}"
)
def test_each_example_payload_is_valid_against_its_schema(example: Path) -> None:
    schema = payload_schemas()[example.parent.name]
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        json.loads(example.read_bytes())
    )
