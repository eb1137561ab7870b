"""A display name with bidi overrides or control characters is a 422 naming the field."""

from __future__ import annotations

from quart.typing import TestClientProtocol as Client

from tests.support.accounts import PASSWORD, bearer, register_and_sign_in

RLO_NAME = "Ana \u202egnp.exe"


async def test_registration_refuses_a_bidi_override_in_the_display_name(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"email": "ana@example.com", "password": PASSWORD, "display_name": RLO_NAME}
    )
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    problem = await response.get_json()
    assert problem["errors"][0]["field"] == "display_name" and "U+202E" in problem["errors"][0]["message"]


async def test_changing_the_display_name_refuses_control_characters(client: Client) -> None:
    ana = bearer((await register_and_sign_in(client))["access_token"])
    response = await client.patch("/api/v1/me", json={"display_name": "Ana\x1b[31m"}, headers=ana)
    assert response.status_code == 422
    assert (await response.get_json())["errors"][0]["field"] == "display_name"
    assert (await (await client.get("/api/v1/me", headers=ana)).get_json())["display_name"] == "ana"
