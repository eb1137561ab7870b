from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.factor_checker import factor_associated_data
from application.identity.ports import IdentityUnitOfWorkFactory, QrRenderer, SecretBox, TotpAlgorithm
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
class EnrollMfa:
    """Start TOTP enrollment: a new secret, shown once as text, a key URI and a QR code."""

    uow: IdentityUnitOfWorkFactory
    totp: TotpAlgorithm
    qr: QrRenderer
    secret_box: SecretBox
    clock: Clock
    ids: IdGenerator

    async def __call__(self, principal: Principal) -> PendingEnrollment:
        now = self.clock.now()
        require_recent_authentication(principal.require_session(), now)
        secret = self.totp.new_secret()
        factor_id = self.ids.new_id()
        key_id, sealed = self.secret_box.seal(secret.encode(), factor_associated_data(principal.user_id, factor_id))
        async with self.uow() as uow:
            user = await uow.users.get(principal.user_id)
            if user is None:
                raise InvalidAccessToken("The account behind this token no longer exists.")
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
