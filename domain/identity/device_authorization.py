"""Signing in on a device without a keyboard (RFC 8628): the TV shows a short user code, the
person approves it from a device where they are signed in, and the TV, polling with its device
code, receives its own session once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

import attrs
from attrs import frozen

from domain.identity.device_errors import UserCodeNoLongerValid
from domain.identity.user import _unshowable
from domain.shared.errors import InvalidInput

DEVICE_AUTHORIZATION_TTL = timedelta(seconds=900)
POLL_INTERVAL_SECONDS = 5
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: each slow_down adds 5 seconds to the interval
DEVICE_LIMITS_WINDOW_SECONDS = 15 * 60  # wrong user codes, and sign-ins started, are counted per client IP over this
MAX_CLIENT_NAME_LENGTH = 100

# No vowels (no words, rude or otherwise) and none of the letters read as digits or as each other.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
_SEPARATORS = str.maketrans("", "", "- \t")


class DeviceAuthorizationStatus(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    CONSUMED = "consumed"  # the TV received its tokens


def new_user_code(random_bytes: Callable[[int], bytes]) -> str:
    """Eight letters of the alphabet, uniformly drawn (bytes past the last whole multiple of the
    alphabet's size are thrown away, so no letter is likelier than another)."""
    size = len(USER_CODE_ALPHABET)
    ceiling = 256 - 256 % size
    letters: list[str] = []
    while len(letters) < USER_CODE_LENGTH:
        letters.extend(USER_CODE_ALPHABET[byte % size] for byte in random_bytes(USER_CODE_LENGTH) if byte < ceiling)
    return "".join(letters[:USER_CODE_LENGTH])


def normalise_user_code(raw: str) -> str | None:
    """The code as stored, from what a person typed: any case, with or without the dash or spaces;
    None when it cannot be a code at all."""
    code = raw.translate(_SEPARATORS).upper()
    if len(code) != USER_CODE_LENGTH or any(letter not in USER_CODE_ALPHABET for letter in code):
        return None
    return code


def display_user_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def clean_client_name(raw: str | None) -> str | None:
    """What the TV calls itself, shown in the person's sessions list: held to the display-name rules."""
    bad = _unshowable(raw or "")
    if bad is not None:
        raise InvalidInput(
            f"The client name must not contain control or invisible formatting characters; found U+{ord(bad):04X}.",
            field="client_name",
        )
    name = " ".join((raw or "").split())
    if len(name) > MAX_CLIENT_NAME_LENGTH:
        raise InvalidInput(f"The client name must be at most {MAX_CLIENT_NAME_LENGTH} characters.", field="client_name")
    return name or None


@frozen
class Approval:
    user_id: UUID
    auth_time: datetime  # the approver's own sign-in, which the TV's session inherits


@frozen
class DeviceAuthorization:
    """One pending sign-in of a device. Only the device code's digest is kept; the user code is
    short-lived and useless without a signed-in approver."""

    device_code_digest: str
    user_code: str
    client_name: str | None
    created_at: datetime
    expires_at: datetime
    interval_seconds: int = POLL_INTERVAL_SECONDS
    status: DeviceAuthorizationStatus = DeviceAuthorizationStatus.PENDING
    approval: Approval | None = None
    last_polled_at: datetime | None = None

    @classmethod
    def start(
        cls, device_code_digest: str, user_code: str, client_name: str | None, now: datetime
    ) -> DeviceAuthorization:
        return cls(
            device_code_digest=device_code_digest,
            user_code=user_code,
            client_name=client_name,
            created_at=now,
            expires_at=now + DEVICE_AUTHORIZATION_TTL,
        )

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def expires_in(self, now: datetime) -> int:
        return max(0, int((self.expires_at - now).total_seconds()))

    def approve(self, user_id: UUID, auth_time: datetime, now: datetime) -> DeviceAuthorization:
        self._still_open(now)
        return attrs.evolve(self, status=DeviceAuthorizationStatus.APPROVED, approval=Approval(user_id, auth_time))

    def deny(self, now: datetime) -> DeviceAuthorization:
        self._still_open(now)
        return attrs.evolve(self, status=DeviceAuthorizationStatus.DENIED)

    def _still_open(self, now: datetime) -> None:
        if self.is_expired(now):
            raise UserCodeNoLongerValid("This code has expired; start again on the TV for a new one.")
        if self.status is not DeviceAuthorizationStatus.PENDING:
            raise UserCodeNoLongerValid("This code was used already; start again on the TV for a new one.")

    def poll(self, now: datetime) -> Poll:
        """What a poll of the device code answers, and the authorization as the poll leaves it (its
        last poll time, a grown interval after polling too fast). Only a pending code is told to
        slow down: once decided, the answer is the same however soon it is asked."""
        if self.status is DeviceAuthorizationStatus.CONSUMED:
            return Poll(PollAnswer.USED, self)
        if self.is_expired(now):
            return Poll(PollAnswer.EXPIRED, self)
        polled = attrs.evolve(self, last_polled_at=now)
        if self.status is DeviceAuthorizationStatus.DENIED:
            return Poll(PollAnswer.DENIED, polled)
        if self.status is DeviceAuthorizationStatus.APPROVED:
            return Poll(PollAnswer.APPROVED, polled)
        if self.last_polled_at is not None and now - self.last_polled_at < timedelta(seconds=self.interval_seconds):
            return Poll(
                PollAnswer.SLOW_DOWN, attrs.evolve(polled, interval_seconds=self.interval_seconds + SLOW_DOWN_STEP)
            )
        return Poll(PollAnswer.PENDING, polled)


class PollAnswer(Enum):
    PENDING = "authorization_pending"
    SLOW_DOWN = "slow_down"
    DENIED = "access_denied"
    EXPIRED = "expired_token"
    USED = "invalid_grant"  # the tokens were handed out already
    APPROVED = "approved"


@frozen
class Poll:
    answer: PollAnswer
    authorization: DeviceAuthorization
