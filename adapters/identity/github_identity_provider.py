"""Signing in with GitHub: OAuth 2.0 (authorization code + PKCE S256) and the REST API's
``/user`` and ``/user/emails``. GitHub Enterprise works with its own base and API URLs."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.identity.identity_provider_calls import (
    MalformedAnswer,
    ProviderCalls,
    SignInOAuth2Client,
    exchange_code,
    raise_if_rate_limited,
)
from application.identity.identity_provider_ports import AuthorizationRequest, ProviderIdentity
from application.shared.circuit_breaker_ports import CircuitBreaker

SCOPES = "read:user user:email"
_API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubIdentityProvider:
    name = "github"
    uses_nonce = False

    def __init__(
        self,
        client: SignInOAuth2Client,
        breakers: CircuitBreaker,
        *,
        base_url: str,
        api_url: str,
        timeout_seconds: float,
    ) -> None:
        """``client`` carries our client id and secret (sent in the token request's body)."""
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._api_url = api_url.rstrip("/")
        self._calls = ProviderCalls(self.name, breakers, timeout_seconds)

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        url, _ = self._client.create_authorization_url(
            f"{self._base_url}/login/oauth/authorize",
            state=request.state,
            redirect_uri=request.callback_url,
            scope=SCOPES,
            code_challenge=request.code_challenge,
            code_challenge_method="S256",
        )
        return str(url)

    async def identify(
        self, *, code: str, callback_url: str, code_verifier: str, nonce: str | None
    ) -> ProviderIdentity:
        async def exchange() -> dict[str, Any]:
            return await exchange_code(
                self._client,
                f"{self._base_url}/login/oauth/access_token",
                provider=self.name,
                code=code,
                callback_url=callback_url,
                code_verifier=code_verifier,
            )

        token = await self._calls("token exchange", exchange)
        headers = {**_API_HEADERS, "Authorization": f"Bearer {token['access_token']}"}
        profile = await self._calls("profile", lambda: self._profile(headers))
        emails = await self._calls("emails", lambda: self._get(f"{self._api_url}/user/emails", headers))
        email, verified = chosen_email(emails)
        login, name = profile.get("login"), profile.get("name")
        return ProviderIdentity(
            provider=self.name,
            subject=str(profile["id"]),
            email=email,
            email_verified=verified,
            display_name=name if isinstance(name, str) and name else None,
            login=login if isinstance(login, str) else None,
        )

    async def _profile(self, headers: dict[str, str]) -> dict[str, Any]:
        profile = await self._get(f"{self._api_url}/user", headers)
        # The numeric id is the identity: a login can be renamed and then taken by someone else.
        subject = profile.get("id") if isinstance(profile, dict) else None
        if not isinstance(subject, int) or isinstance(subject, bool):
            raise MalformedAnswer("a profile without a numeric id")
        return profile  # type: ignore[no-any-return]

    async def _get(self, url: str, headers: dict[str, str]) -> Any:
        response: httpx.Response = await self._client.request("GET", url, headers=headers, withhold_token=True)
        raise_if_rate_limited(response)
        response.raise_for_status()
        try:
            return response.json()
        except ValueError:
            raise MalformedAnswer(f"not JSON (HTTP {response.status_code})") from None


def chosen_email(emails: Any) -> tuple[str | None, bool]:
    """The address that is primary and verified; else the primary one, unverified; else none.
    Only a verified address may ever be matched against an existing account."""
    if not isinstance(emails, list):
        return None, False
    primary: str | None = None
    for entry in emails:
        if not isinstance(entry, dict) or not isinstance(entry.get("email"), str) or entry.get("primary") is not True:
            continue
        if entry.get("verified") is True:
            return entry["email"], True
        primary = primary or entry["email"]
    return primary, False
