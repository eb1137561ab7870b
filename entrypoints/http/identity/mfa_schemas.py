from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from application.identity.list_security_events import MAX_PAGE, MAX_PAGE_SIZE
from entrypoints.http.identity.account_schemas import Password

Code = Annotated[str, Meta(min_length=1, max_length=32)]


class EnrollmentOut(Struct):
    secret: str
    otpauth_uri: str
    qr_png: str
    qr_svg: str
    expires_at: str


class EnrollIn(Struct, forbid_unknown_fields=True):
    password: Password


class CodeIn(Struct, forbid_unknown_fields=True):
    code: Code


class DisableIn(Struct, forbid_unknown_fields=True):
    code: Code
    password: Password


class ChallengeIn(Struct, forbid_unknown_fields=True):
    mfa_token: Annotated[str, Meta(min_length=1, max_length=512)]
    code: Code


class BackupCodesOut(Struct):
    backup_codes: list[str]


class ChallengeOut(Struct):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    refresh_expires_in: int
    backup_codes_remaining: int | None = None
    warning: str | None = None


class MfaStatusOut(Struct):
    enabled: bool
    backup_codes_remaining: int
    enrolled_at: str | None
    warning: str | None = None


class SecurityEventOut(Struct):
    id: str
    kind: str
    occurred_at: str
    ip: str | None
    details: dict[str, str | int | bool | None]


class SecurityEventsArgs(Struct):
    page: Annotated[int, Meta(ge=1, le=MAX_PAGE)] = 1
    page_size: Annotated[int, Meta(ge=1, le=MAX_PAGE_SIZE)] = 20


class SecurityEventsOut(Struct):
    items: list[SecurityEventOut]
    page: int
    page_size: int
    total: int
