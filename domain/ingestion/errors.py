"""Errors of the ingestion context: registrations and receiving platforms' deliveries."""

from __future__ import annotations

from domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound


class InvalidRegistration(InvalidInput):
    code = "invalid-webhook-registration"


class RegistrationNotFound(NotFound):
    code = "webhook-registration-not-found"


class PlatformAlreadyRegistered(Conflict):
    code = "platform-already-registered"


class RegistrationDisabled(Conflict):
    code = "webhook-registration-disabled"


class UnknownPlatform(NotFound):
    """No enabled registration for the platform in the receiving URL (a disabled one included)."""

    code = "unknown-webhook-platform"


class SignatureRejected(DomainError):
    """Missing, malformed or wrong signature, or a timestamp outside the tolerance. Answered as
    one problem type; ``reason`` (``missing``, ``malformed``, ``mismatch``, ``stale``, ``future``)
    goes only to the log and the metrics."""

    code = "invalid-webhook-signature"

    def __init__(self, reason: str, detail: str = "The delivery's signature could not be verified.") -> None:
        super().__init__(detail)
        self.reason = reason


class PayloadRejected(InvalidInput):
    """A verified delivery whose body is not JSON, or not what its platform's format describes."""

    code = "invalid-webhook-payload"


class PayloadTooLarge(DomainError):
    code = "webhook-payload-too-large"


class DeadLetterNotFound(NotFound):
    code = "dead-letter-not-found"


class IntakeBusy(DomainError):
    """The stream's backlog is past its bound: nothing was appended (back-pressure, never loss);
    the sender retries after ``retry_after_seconds``."""

    code = "webhook-backlog-full"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Deliveries are arriving faster than they are applied; retry later.")
        self.retry_after_seconds = retry_after_seconds
