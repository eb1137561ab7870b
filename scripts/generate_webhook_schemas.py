"""Write docs/webhooks/<format>.schema.json from the normalisers' msgspec structs.

    .venv/bin/python scripts/generate_webhook_schemas.py      (or: make webhook-schemas)

tests/unit/test_webhook_schemas.py fails while a committed schema differs from what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.ingestion.normalisers import payload_schemas  # noqa: E402

DOCS = ROOT / "docs" / "webhooks"


def rendered(schema: dict[str, object]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for format, schema in payload_schemas().items():
        path = DOCS / f"{format}.schema.json"
        path.write_text(rendered(schema), encoding="utf-8")
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
