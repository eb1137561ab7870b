from __future__ import annotations

from zxcvbn.frequency_lists import FREQUENCY_LISTS


def common_passwords() -> frozenset[str]:
    """The ~30,000 most common passwords from leaked corpora, as shipped with zxcvbn."""
    return frozenset(FREQUENCY_LISTS["passwords"])
