"""Both fake providers in a process of their own, for trying the sign-in by hand on the embedded
stack (or for a test that runs the service as a process):

    .venv/bin/python -m tests.support.fake_providers > var/fake-providers.env    # one terminal
    set -a; . var/fake-providers.env; set +a; make run                           # another

prints the ``MG_*`` lines pointing the service at them, then serves until stdin closes or Ctrl-C.
Whoever opens their authorization page is signed in at once as Ana (see fake_github / fake_google)."""

from __future__ import annotations

import contextlib
import sys

from tests.support.fake_github import FakeGitHub
from tests.support.fake_google import FakeGoogle


def main() -> None:
    github, google = FakeGitHub(), FakeGoogle()
    try:
        for name, value in {**github.settings_env(), **google.settings_env()}.items():
            print(f"{name}={value}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()
    finally:
        github.close()
        google.close()


if __name__ == "__main__":
    main()
