"""``media-gateway outbox``: the mail the service wrote to the outbox directory (no MG_SMTP_URL),
so a person on a fresh machine can read a verification or reset mail. It only reads files, so
it runs beside ``serve`` and the worker, and needs no server."""

from __future__ import annotations

import sys

from adapters.shared.outbox_directory_reader import OutboxDirectoryReader, OutboxEntry, read_mail, readable
from entrypoints.config import Settings


def outbox_command(settings: Settings, *, show: int | None = None, last: bool = False) -> int:
    try:
        entries = OutboxDirectoryReader(settings.outbox_dir).entries()
        if show is None and not last:
            _list(settings, entries)
            return 0
        number = len(entries) if last else show
        if number is None or not 1 <= number <= len(entries):
            problem = f"no message {number}: it has 1 to {len(entries)}" if entries else "it is empty"
            print(f"{problem} ({settings.outbox_dir})", file=sys.stderr)
            return 1
        print(readable(read_mail(entries[number - 1].path)), end="")
        return 0
    except OSError as error:  # the files are the service user's own (0600)
        print(f"cannot read the outbox: {error}", file=sys.stderr)
        return 1


def _list(settings: Settings, entries: list[OutboxEntry]) -> None:
    if not entries:
        print(f"no mail in {settings.outbox_dir}")
    for number, entry in enumerate(entries, 1):
        written = f"{entry.written_at:%Y-%m-%d %H:%M:%S %Z}" if entry.written_at else "?"
        print(f"{number:>4}  {written}  {entry.to}  {entry.subject}")
    if settings.sign_in.smtp_url:
        print("(MG_SMTP_URL is set: new mail goes to that server, not here)", file=sys.stderr)
