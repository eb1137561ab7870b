"""The Mailer port as a directory of ``.eml`` files: where mail goes when no SMTP server is set,
so a person on a fresh machine can still read the verification and reset mails."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
from pathlib import Path

from adapters.shared.rfc5322_mail import compose
from application.shared.mail_ports import MailDeliveryFailed, MailMessage
from application.shared.ports import Clock

SUFFIX = ".eml"


class OutboxDirectoryMailer:
    """One RFC 5322 file per message, named by the time it was written (so names sort by time),
    readable by the owner only: the mails carry sign-in tokens. A file appears whole or not at
    all (written under a temporary name, then renamed), so a reader never sees half a message."""

    def __init__(self, directory: Path, sender: str, clock: Clock) -> None:
        self._directory = directory
        self._sender = sender
        self._clock = clock
        self._sequence = itertools.count()  # orders messages written in the same microsecond

    async def send(self, message: MailMessage) -> None:
        now = self._clock.now()
        data = compose(message, self._sender, now).as_bytes()
        name = f"{now:%Y%m%dT%H%M%S%fZ}-{next(self._sequence) % 1_000_000:06d}-{secrets.token_hex(4)}"
        try:
            await asyncio.to_thread(self._write, name, data)
        except OSError as error:  # a full disk or a permission may be fixed: try again later
            raise MailDeliveryFailed(f"cannot write to the outbox: {error}") from None

    def _write(self, name: str, data: bytes) -> None:
        self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self._directory / f".{name}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self._directory / f"{name}{SUFFIX}")
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
