"""A helper process driven over a line protocol: ``python -m <module> <args>`` from the repository,
one command per line on its stdin, one answer per line on its stdout (JSON), ``ready`` once started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


class LineProcess:
    def __init__(self, module: str, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO, env=env,
        )  # fmt: skip
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the other process ended (exit code {self.process.wait(5)})"
        return line.strip()

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def answer(self) -> Any:
        return json.loads(self._read())

    def ask(self, command: str) -> Any:
        self.send(command)
        return self.answer()

    def close(self, timeout: float = 30) -> int:
        """End its input and wait for it to exit (killed after ``timeout``); its exit code."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
