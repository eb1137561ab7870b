"""Platform normalisers: each turns one platform's payload into the canonical catalog change."""

from __future__ import annotations

from typing import Protocol

from attrs import frozen

from domain.catalog.catalog_change import CatalogChange


@frozen
class NormalisedDelivery:
    change: CatalogChange
    # The delivery id the payload itself carries (a Stripe event's "id"), if any; the signature
    # scheme's header (webhook-id, X-GitHub-Delivery) wins when it has one.
    delivery_id: str | None = None


class PlatformNormaliser(Protocol):
    """One payload format (``generic`` is the canonical one). ``normalise`` gets the verified raw
    body, never a re-serialised one, and raises PayloadRejected (with the offending field) for a
    body that is not UTF-8 JSON or not what the format describes."""

    @property
    def format(self) -> str: ...

    def normalise(self, platform: str, body: bytes) -> NormalisedDelivery: ...


class PlatformNormalisers(Protocol):
    """Every known format by name."""

    def named(self, format: str) -> PlatformNormaliser:
        """Raise InvalidRegistration (field ``format``) for a name no normaliser has."""

    def formats(self) -> tuple[str, ...]: ...
