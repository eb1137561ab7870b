"""The unauthenticated leaked-key endpoint answers 429 with Retry-After once an address is over its budget."""

from __future__ import annotations

from pathlib import Path

from tests.support.apps import fake_container, running

LEAKED = "/api/v1/auth/api-keys/leaked"


async def test_leaked_key_reports_are_limited_per_address(tmp_path: Path) -> None:
    world = fake_container(tmp_path, leaked_key_reports_per_ip=3)
    async with running(world.container) as (_, client):
        statuses = [(await client.post(LEAKED, json={"keys": ["mg_live_x"]})).status_code for _ in range(3)]
        assert statuses == [202, 202, 202]
        refused = await client.post(LEAKED, json={"keys": ["mg_live_x"]})
        assert refused.status_code == 429 and refused.content_type == "application/problem+json"
        assert (await refused.get_json())["type"] == "/problems/rate-limited"
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        elsewhere = await client.post(
            LEAKED, json={"keys": ["mg_live_x"]}, scope_base={"client": ("198.51.100.7", 4000)}
        )
        assert elsewhere.status_code == 202
