"""The one path by which any use case checks a second factor.

Every check passes the attempt guard first, then the lock, then the code itself; the guard gives
the attempt back once the code and the caller's action succeeded, so only failures count. Verification
(TOTP arithmetic, Argon2 for backup codes) happens outside any transaction; the outcome is then
written atomically: a compare-and-set on the factor's last accepted step (or on the backup code)
in the same transaction as the caller's action — so a code is accepted at most once, ever.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory, PasswordHasher
from application.identity.mfa_ports import FactorAttemptGuard, SecretBox, TotpAlgorithm
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator
from domain.identity.mfa import (
    ACCEPT_WINDOW_STEPS,
    DRIFT_HINT_MAX_STEPS,
    TOTP_STEP_SECONDS,
    BackupCode,
    FactorStatus,
    InvalidMfaCode,
    MfaCodeReplayed,
    MfaNotEnabled,
    NoPendingEnrollment,
    TotpFactor,
    looks_like_totp,
    normalise_backup_code,
    time_step,
)
from domain.identity.security_event import SecurityEventKind

T = TypeVar("T")
_WRONG = "The code is not valid."


def factor_associated_data(user_id: UUID, factor_id: UUID) -> bytes:
    return f"mfa-totp:{user_id}:{factor_id}".encode()


@frozen
class AcceptedCode:
    factor: TotpFactor
    step: int | None = None
    backup_code: BackupCode | None = None
    backup_codes_remaining: int | None = None


@frozen
class FactorChecker:
    uow: IdentityUnitOfWorkFactory
    totp: TotpAlgorithm
    secret_box: SecretBox
    backup_hasher: PasswordHasher
    guard: FactorAttemptGuard
    clock: Clock
    ids: IdGenerator

    def reveal_secret(self, factor: TotpFactor) -> str:
        associated = factor_associated_data(factor.user_id, factor.id)
        return self.secret_box.open(factor.key_id, factor.sealed_secret, associated).decode()

    async def use(
        self,
        user_id: UUID,
        code: str,
        ip: str | None,
        action: Callable[[IdentityUnitOfWork, AcceptedCode], Awaitable[T]],
        *,
        status: FactorStatus = FactorStatus.ACTIVE,
        allow_backup_codes: bool = True,
    ) -> T:
        await self.guard.attempt(user_id, ip)
        now = self.clock.now()
        async with self.uow() as uow:
            factor = await uow.mfa_factors.get(user_id, status.value)
            backup_codes = await uow.backup_codes.unused(user_id) if allow_backup_codes else []
        if factor is None or factor.is_pending_expired(now):
            if status is FactorStatus.PENDING:
                raise NoPendingEnrollment("Start enrollment first: there is no pending authenticator.")
            raise MfaNotEnabled("Two-factor authentication is not enabled.")

        try:
            accepted = await self._verify(factor, code, backup_codes, now, allow_backup_codes, ip)
            async with self.uow() as uow:
                if accepted.step is not None:
                    if not await uow.mfa_factors.advance_step(factor.id, accepted.step):
                        raise MfaCodeReplayed("This code was already used; wait for the next one.")
                elif accepted.backup_code is not None:
                    if not await uow.backup_codes.consume(accepted.backup_code.id, now):
                        raise MfaCodeReplayed("This backup code was already used.")
                    await record_event(uow, self.ids, user_id, SecurityEventKind.BACKUP_CODE_USED, now, ip)
                factor.consecutive_failures = 0
                if accepted.backup_code is not None:
                    factor.locked_until = None
                await uow.mfa_factors.save_state(factor)
                result = await action(uow, accepted)
                await uow.commit()
            await self.guard.succeeded(user_id, ip)  # only failures count against the limits
            return result
        except MfaCodeReplayed:
            async with self.uow() as uow:
                await record_event(uow, self.ids, user_id, SecurityEventKind.MFA_REPLAY_REJECTED, now, ip)
                await uow.commit()
            raise

    async def _verify(
        self,
        factor: TotpFactor,
        code: str,
        backup_codes: list[BackupCode],
        now: datetime,
        allow_backup_codes: bool,
        ip: str | None,
    ) -> AcceptedCode:
        digits = looks_like_totp(code)
        if digits is not None:
            factor.ensure_not_locked(now)
            secret = self.reveal_secret(factor)
            current = time_step(now)
            for offset in range(-ACCEPT_WINDOW_STEPS, ACCEPT_WINDOW_STEPS + 1):
                if self.totp.code_at_step(secret, current + offset) == digits:
                    factor.ensure_fresh(current + offset)
                    return AcceptedCode(factor=factor, step=current + offset)
            drift = self._drift(secret, digits, current)
            await self._failed(factor, ip, now)
            raise InvalidMfaCode(
                _WRONG + (" Your device's clock seems to be off." if drift else ""),
                clock_drift_seconds=drift,
            )
        normalised = normalise_backup_code(code) if allow_backup_codes else None
        if normalised is None:
            factor.ensure_not_locked(now)
        else:  # a backup code is accepted even while the factor is locked: it is the way out
            for candidate in backup_codes:
                if await self.backup_hasher.verify(candidate.code_hash, normalised):
                    return AcceptedCode(
                        factor=factor, backup_code=candidate, backup_codes_remaining=len(backup_codes) - 1
                    )
        await self._failed(factor, ip, now)
        raise InvalidMfaCode(_WRONG)

    def _drift(self, secret: str, digits: str, current: int) -> int | None:
        for distance in range(ACCEPT_WINDOW_STEPS + 1, DRIFT_HINT_MAX_STEPS + 1):
            for offset in (distance, -distance):
                if self.totp.code_at_step(secret, current + offset) == digits:
                    return offset * TOTP_STEP_SECONDS
        return None

    async def _failed(self, factor: TotpFactor, ip: str | None, now: datetime) -> None:
        async with self.uow() as uow:
            current = await uow.mfa_factors.get(factor.user_id, factor.status.value)
            if current is None:
                return
            if current.register_failure(now):
                await record_event(
                    uow,
                    self.ids,
                    factor.user_id,
                    SecurityEventKind.MFA_FACTOR_LOCKED,
                    now,
                    ip,
                    {"locked_until": current.locked_until.isoformat() if current.locked_until else None},
                )
            await uow.mfa_factors.save_state(current)
            await uow.commit()
