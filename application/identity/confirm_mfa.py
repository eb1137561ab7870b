from __future__ import annotations

from attrs import evolve, frozen

from application.identity.account_ports import IdentityUnitOfWork, PasswordHasher
from application.identity.backup_codes import generate_backup_codes
from application.identity.factor_checker import AcceptedCode, FactorChecker
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.mfa import FactorStatus, require_recent_authentication
from domain.identity.security_event import SecurityEventKind


@frozen
class ConfirmMfaCommand:
    principal: Principal
    code: str
    ip: str | None = None


@frozen
class ConfirmMfa:
    """Finish enrollment with a code from the authenticator; MFA is on and backup codes are shown once."""

    checker: FactorChecker
    backup_hasher: PasswordHasher
    secrets: SecretGenerator
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: ConfirmMfaCommand) -> list[str]:
        now = self.clock.now()
        user_id = command.principal.user_id
        require_recent_authentication(command.principal.require_session(), now)
        codes = await generate_backup_codes(user_id, now, self.secrets, self.ids, self.backup_hasher)

        async def activate(uow: IdentityUnitOfWork, accepted: AcceptedCode) -> None:
            factor = evolve(accepted.factor, status=FactorStatus.ACTIVE, confirmed_at=now)
            await uow.mfa_factors.save_state(factor)
            await uow.backup_codes.replace_all(user_id, codes.stored)
            await record_event(uow, self.ids, user_id, SecurityEventKind.MFA_ENROLLED, now, command.ip)

        await self.checker.use(
            user_id, command.code, command.ip, activate, status=FactorStatus.PENDING, allow_backup_codes=False
        )
        return codes.shown
