from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

# Room for a dash and spaces around the eight letters; anything longer is no code.
UserCode = Annotated[str, Meta(min_length=1, max_length=32, examples=["BCDF-GHJK"])]


class DeviceAuthorizationIn(Struct, forbid_unknown_fields=True):
    client_name: Annotated[str, Meta(max_length=200, examples=["Living room TV"])] | None = None


class DeviceAuthorizationOut(Struct):
    """RFC 8628 §3.2: show `user_code` and `verification_uri` (or a QR code of
    `verification_uri_complete`), then poll the token endpoint every `interval` seconds."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


class UserCodeIn(Struct, forbid_unknown_fields=True):
    user_code: UserCode


class DeviceDecisionOut(Struct):
    client_name: str | None


class DeviceTokenIn(Struct, forbid_unknown_fields=True):
    device_code: Annotated[str, Meta(min_length=1, max_length=512)]
    # What OAuth device libraries send beside the code (RFC 8628 §3.4); the grant type is checked.
    grant_type: Literal["urn:ietf:params:oauth:grant-type:device_code"] | None = None
    client_id: Annotated[str, Meta(max_length=200)] | None = None
