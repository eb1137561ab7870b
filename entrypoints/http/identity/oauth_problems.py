"""Problem types of signing in with a provider and of linking providers to an account."""

from __future__ import annotations

from typing import Any

from application.identity.identity_provider_ports import ProviderUnavailable
from entrypoints.http.problems import extension_members, register_problem_types

register_problem_types(
    {
        "provider-not-found": (404, "This identity provider is not configured"),
        "invalid-redirect-uri": (400, "redirect_uri is not a registered client address"),
        "invalid-oauth-state": (400, "Unknown, expired or used sign-in state"),
        "invalid-oauth-callback": (400, "The provider's callback is not valid"),
        "provider-access-denied": (403, "The sign-in was declined at the provider"),
        "provider-refused": (400, "The identity provider refused the sign-in"),
        "provider-unavailable": (502, "The identity provider is unavailable"),
        "invalid-login-code": (400, "Unknown, expired or used login code"),
        "invalid-link-code": (400, "Unknown, expired or used link code, or not this account's"),
        "link-from-settings": (409, "Sign in to your account and link this provider from your settings"),
        "provider-email-missing": (422, "The identity provider shared no email address"),
        "identity-linked-elsewhere": (409, "This identity is linked to another account"),
        "provider-already-linked": (409, "An identity at this provider is linked already"),
        "last-sign-in-method": (409, "This is the account's last way to sign in"),
        "identity-not-linked": (404, "No identity at this provider is linked"),
    }
)


@extension_members(ProviderUnavailable, {"retry_after_seconds": {"type": "integer"}})
def _provider_retry(error: ProviderUnavailable) -> dict[str, Any]:
    """When the provider said how long to wait (GitHub's rate limit); Retry-After carries it too."""
    return {} if error.retry_after_seconds is None else {"retry_after_seconds": error.retry_after_seconds}
