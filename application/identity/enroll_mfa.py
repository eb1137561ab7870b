from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.confirm_password import ConfirmPassword
from application.identity.factor_checker import factor_associated_data
from application.identity.mfa_ports import QrRenderer, SecretBox, TotpAlgorithm
from application.identity.principal import Principal
from application.shared.ports import Clock, IdGenerator
from domain.identity.errors import InvalidAccessToken
from domain.identity.mfa import (
    ENROLLMENT_TTL,
    FactorStatus,
    MfaAlreadyEnabled,
    TotpFactor,
    require_recent_authentication,
)

ISSUER = "Media Gateway"


@frozen
class PendingEnrollment:
    secret: str
    otpauth_uri: str
    qr_png: str
    qr_svg: str
    expires_at: datetime


@frozen
class EnrollMfaCommand:
    principal: Principal
    password: str
    ip: str | None = None


@frozen
class EnrollMfa:
    """Start TOTP enrollment: a new secret, shown once as text, a key URI and a QR code.

    Needs a recent sign-in and the current password: a stolen access token must not be enough
    to enroll the thief's authenticator and lock the owner out."""

    uow: IdentityUnitOfWorkFactory
    totp: TotpAlgorithm
    qr: QrRenderer
    secret_box: SecretBox
    clock: Clock
    ids: IdGenerator
    confirm_password: ConfirmPassword

    async def __call__(self, command: EnrollMfaCommand) -> PendingEnrollment:
        principal = command.principal
        now = self.clock.now()
        require_recent_authentication(principal.require_session(), now)
        async with self.uow() as uow:
            user = await uow.users.get(principal.user_id)
        if user is None:
            raise InvalidAccessToken("The account behind this token no longer exists.")
        await self.confirm_password(user, command.password, command.ip)  # outside any transaction
        secret = self.totp.new_secret()
        factor_id = self.ids.new_id()
        key_id, sealed = self.secret_box.seal(secret.encode(), factor_associated_data(principal.user_id, factor_id))
        async with self.uow() as uow:
            if await uow.mfa_factors.get(user.id, FactorStatus.ACTIVE.value) is not None:
                raise MfaAlreadyEnabled("Two-factor authentication is already on; disable it first.")
            pending = await uow.mfa_factors.get(user.id, FactorStatus.PENDING.value)
            if pending is not None:
                await uow.mfa_factors.delete(pending.id)
            await uow.mfa_factors.add(
                TotpFactor(
                    id=factor_id,
                    user_id=user.id,
                    sealed_secret=sealed,
                    key_id=key_id,
                    status=FactorStatus.PENDING,
                    created_at=now,
                )
            )
            await uow.commit()
        uri = self.totp.provisioning_uri(secret, account=user.email.value, issuer=ISSUER)
        return PendingEnrollment(
            secret=secret,
            otpauth_uri=uri,
            qr_png=self.qr.png_data_uri(uri),
            qr_svg=self.qr.svg(uri),
            expires_at=now + ENROLLMENT_TTL,
        )
