from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_querystring, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.identity.complete_mfa_challenge import CompleteMfaChallenge, CompleteMfaChallengeCommand
from application.identity.confirm_mfa import ConfirmMfa, ConfirmMfaCommand
from application.identity.enroll_mfa import EnrollMfa, EnrollMfaCommand
from application.identity.list_security_events import ListSecurityEvents
from application.identity.mfa_settings import DisableMfa, FactorCommand, GetMfaStatus, RegenerateBackupCodes
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity.blueprint import identity
from entrypoints.http.identity.mfa_schemas import (
    BackupCodesOut,
    ChallengeIn,
    ChallengeOut,
    CodeIn,
    DisableIn,
    EnrollIn,
    EnrollmentOut,
    MfaStatusOut,
    SecurityEventOut,
    SecurityEventsArgs,
    SecurityEventsOut,
)
from entrypoints.http.openapi_declarations import problems, responds, signed_in
from entrypoints.telemetry.metrics import SECOND_FACTOR_CHECKS, SIGN_INS
from entrypoints.telemetry.outcomes import counted_outcome

# A current code and a recent sign-in: what every factor check can refuse.
FACTOR_PROBLEMS = ("reauthentication-required", "invalid-mfa-code", "factor-locked")
NO_STORE = {"Cache-Control": "no-store"}


@identity.post("/api/v1/auth/mfa/enroll")
@tag(["mfa"])
@signed_in("write")
@problems("reauthentication-required", "mfa-already-enabled", "invalid-password", "too-many-attempts")
@validate_request(EnrollIn)
@validate_response(EnrollmentOut, 201)
@inject
async def enroll(
    data: EnrollIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    enroll_mfa: EnrollMfa = Provide[Container.identity.enroll_mfa],
) -> tuple[EnrollmentOut, int, dict[str, str]]:
    """Start TOTP enrollment: scan `qr_png` (or type `secret`) into an authenticator app, then
    confirm with `/verify` within 10 minutes. Needs the current `password` and a sign-in from the
    last 10 minutes; a wrong password is a 403 and counts as a failed sign-in."""
    principal = await authenticated(authenticate, "write")
    pending = await enroll_mfa(EnrollMfaCommand(principal=principal, password=data.password, ip=request.remote_addr))
    body = EnrollmentOut(
        secret=pending.secret,
        otpauth_uri=pending.otpauth_uri,
        qr_png=pending.qr_png,
        qr_svg=pending.qr_svg,
        expires_at=pending.expires_at.isoformat(),
    )
    return body, 201, NO_STORE


@identity.post("/api/v1/auth/mfa/verify")
@tag(["mfa"])
@signed_in("write")
@problems(*FACTOR_PROBLEMS, "no-pending-enrollment")
@validate_request(CodeIn)
@validate_response(BackupCodesOut, 200)
@inject
async def verify(
    data: CodeIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    confirm_mfa: ConfirmMfa = Provide[Container.identity.confirm_mfa],
) -> tuple[BackupCodesOut, int, dict[str, str]]:
    """Confirm enrollment with a current code. Two-factor is then on; the 10 backup codes are shown only now."""
    principal = await authenticated(authenticate, "write")
    with counted_outcome(SECOND_FACTOR_CHECKS):
        codes = await confirm_mfa(ConfirmMfaCommand(principal=principal, code=data.code, ip=request.remote_addr))
    return BackupCodesOut(backup_codes=codes), 200, NO_STORE


@identity.post("/api/v1/auth/mfa/challenge")
@tag(["mfa"])
@problems("invalid-mfa-token", "invalid-mfa-code", "too-many-attempts", "factor-locked")
@validate_request(ChallengeIn)
@validate_response(ChallengeOut, 200)
@inject
async def challenge(
    data: ChallengeIn,
    complete: CompleteMfaChallenge = Provide[Container.identity.complete_mfa_challenge],
) -> tuple[ChallengeOut, int, dict[str, str]]:
    """Finish signing in: the `mfa_token` from login plus a TOTP code or a backup code."""
    with counted_outcome(SIGN_INS, step="second_factor"), counted_outcome(SECOND_FACTOR_CHECKS):
        result = await complete(
            CompleteMfaChallengeCommand(mfa_token=data.mfa_token, code=data.code, ip=request.remote_addr)
        )
    tokens = result.tokens
    body = ChallengeOut(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
        refresh_expires_in=tokens.refresh_expires_in,
        backup_codes_remaining=result.backup_codes_remaining,
        warning=result.warning,
    )
    return body, 200, NO_STORE


@identity.get("/api/v1/auth/mfa")
@tag(["mfa"])
@signed_in("read")
@validate_response(MfaStatusOut, 200)
@inject
async def status(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    get_status: GetMfaStatus = Provide[Container.identity.get_mfa_status],
) -> MfaStatusOut:
    """Whether two-factor is on, since when, and how many backup codes remain."""
    principal = await authenticated(authenticate, "read")
    current = await get_status(principal)
    return MfaStatusOut(
        enabled=current.enabled,
        backup_codes_remaining=current.backup_codes_remaining,
        enrolled_at=current.enrolled_at.isoformat() if current.enrolled_at else None,
        warning=current.warning,
    )


@identity.post("/api/v1/auth/mfa/backup-codes")
@tag(["mfa"])
@signed_in("write")
@problems(*FACTOR_PROBLEMS, "mfa-not-enabled")
@validate_request(CodeIn)
@validate_response(BackupCodesOut, 200)
@inject
async def regenerate(
    data: CodeIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    regenerate_codes: RegenerateBackupCodes = Provide[Container.identity.regenerate_backup_codes],
) -> tuple[BackupCodesOut, int, dict[str, str]]:
    """Ten new backup codes; the old ones stop working. Needs a current code and a recent sign-in."""
    principal = await authenticated(authenticate, "write")
    with counted_outcome(SECOND_FACTOR_CHECKS):
        codes = await regenerate_codes(FactorCommand(principal=principal, code=data.code, ip=request.remote_addr))
    return BackupCodesOut(backup_codes=codes), 200, NO_STORE


@identity.delete("/api/v1/auth/mfa")
@tag(["mfa"])
@signed_in("write")
@problems(*FACTOR_PROBLEMS, "mfa-not-enabled", "invalid-password")
@responds(204, description="Two-factor is off")
@validate_request(DisableIn)
@inject
async def disable(
    data: DisableIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    disable_mfa: DisableMfa = Provide[Container.identity.disable_mfa],
) -> tuple[str, int]:
    """Turn two-factor off. Needs a current code, the password and a recent sign-in."""
    principal = await authenticated(authenticate, "write")
    with counted_outcome(SECOND_FACTOR_CHECKS):
        await disable_mfa(
            FactorCommand(principal=principal, code=data.code, password=data.password, ip=request.remote_addr)
        )
    return "", 204


@identity.get("/api/v1/me/security-events")
@tag(["identity"])
@signed_in("read")
@problems("invalid-input")
@validate_querystring(SecurityEventsArgs)
@validate_response(SecurityEventsOut, 200)
@inject
async def security_events(
    query_args: SecurityEventsArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_events: ListSecurityEvents = Provide[Container.identity.list_security_events],
) -> SecurityEventsOut:
    """What happened to the account's security, newest first."""
    principal = await authenticated(authenticate, "read")
    page = await list_events(principal, query_args.page, query_args.page_size)
    return SecurityEventsOut(
        items=[
            SecurityEventOut(
                id=str(e.id), kind=e.kind.value, occurred_at=e.occurred_at.isoformat(), ip=e.ip, details=e.details
            )
            for e in page.items
        ],
        page=query_args.page,
        page_size=query_args.page_size,
        total=page.total,
    )
