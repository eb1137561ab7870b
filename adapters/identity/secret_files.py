from __future__ import annotations

import os
from pathlib import Path


def write_secret_file(path: Path, data: bytes) -> None:
    """Create ``path`` readable by its owner only (0600), never briefly wider."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
