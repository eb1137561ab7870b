"""Reading and changing two-factor settings once enrolled: status, new backup codes, disabling."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory, PasswordHasher
from application.identity.backup_codes import generate_backup_codes, low_backup_codes_warning
from application.identity.confirm_password import ConfirmPassword
from application.identity.factor_checker import AcceptedCode, FactorChecker
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.errors import InvalidAccessToken
from domain.identity.mfa import FactorStatus, require_recent_authentication
from domain.identity.security_event import SecurityEventKind


@frozen
class MfaStatus:
    enabled: bool
    backup_codes_remaining: int
    enrolled_at: datetime | None
    warning: str | None


@frozen
class GetMfaStatus:
    uow: IdentityUnitOfWorkFactory

    async def __call__(self, principal: Principal) -> MfaStatus:
        principal.require_session()
        async with self.uow() as uow:
            factor = await uow.mfa_factors.get(principal.user_id, FactorStatus.ACTIVE.value)
            remaining = len(await uow.backup_codes.unused(principal.user_id)) if factor else 0
        return MfaStatus(
            enabled=factor is not None,
            backup_codes_remaining=remaining,
            enrolled_at=factor.confirmed_at if factor else None,
            warning=low_backup_codes_warning(remaining) if factor else None,
        )


@frozen
class FactorCommand:
    principal: Principal
    code: str
    ip: str | None = None
    password: str | None = None


@frozen
class RegenerateBackupCodes:
    checker: FactorChecker
    backup_hasher: PasswordHasher
    secrets: SecretGenerator
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: FactorCommand) -> list[str]:
        now = self.clock.now()
        user_id = command.principal.user_id
        require_recent_authentication(command.principal.require_session(), now)
        codes = await generate_backup_codes(user_id, now, self.secrets, self.ids, self.backup_hasher)

        async def replace(uow: IdentityUnitOfWork, _: AcceptedCode) -> None:
            await uow.backup_codes.replace_all(user_id, codes.stored)
            await record_event(uow, self.ids, user_id, SecurityEventKind.BACKUP_CODES_REGENERATED, now, command.ip)

        await self.checker.use(user_id, command.code, command.ip, replace)
        return codes.shown


@frozen
class DisableMfa:
    checker: FactorChecker
    confirm_password: ConfirmPassword
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: FactorCommand) -> None:
        now = self.clock.now()
        user_id = command.principal.user_id
        require_recent_authentication(command.principal.require_session(), now)

        async def disable(uow: IdentityUnitOfWork, accepted: AcceptedCode) -> None:
            # Checked after the code so the attempt guard also covers password guessing here;
            # raising rolls the code's use back with everything else.
            user = await uow.users.get(user_id)
            if user is None:
                raise InvalidAccessToken("The account behind this token no longer exists.")
            await self.confirm_password(user, command.password or "", command.ip)
            await uow.mfa_factors.delete(accepted.factor.id)
            await uow.backup_codes.delete_all(user_id)
            await record_event(uow, self.ids, user_id, SecurityEventKind.MFA_DISABLED, now, command.ip)

        await self.checker.use(user_id, command.code, command.ip, disable)
