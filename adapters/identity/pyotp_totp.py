from __future__ import annotations

import pyotp

from domain.identity.mfa import TOTP_DIGITS, TOTP_STEP_SECONDS


class PyOtpTotp:
    """RFC 6238 via pyotp: SHA-1, 6 digits, 30-second steps, 160-bit secrets."""

    def new_secret(self) -> str:
        return pyotp.random_base32(length=32)  # 32 base32 characters = 160 bits

    def code_at_step(self, secret: str, step: int) -> str:
        return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).at(step * TOTP_STEP_SECONDS)

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str:
        return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).provisioning_uri(
            name=account, issuer_name=issuer
        )
