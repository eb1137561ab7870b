"""What a search's text becomes before it is stored: folded (so "Dune", " dune " and "ＤＵＮＥ" are one
query), then stripped of anything that looks like personal data or a secret, and keyed."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from domain.identity.api_key import API_KEY_PREFIX

EMAIL = "[email]"
NUMBER = "[number]"
SECRET = "[secret]"  # noqa: S105 (the placeholder, not a secret)

_TOKEN = r"[a-z0-9_\-]"  # noqa: S105 (a character class)
# Before a token: not inside a longer word (underscores and dashes belong to tokens).
_START = r"(?<![a-z0-9_\-])"
_END = r"(?![a-z0-9_\-])"

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.IGNORECASE)
_WELL_KNOWN_PREFIXES = ("sk_live_", "pk_live_", "github_pat_", "ghp_", "gho_", "xoxb-", "xoxp-", "sk-")
_SECRETS = (
    # our own keys, even cut short: the prefix is enough to know what it is
    re.compile(_START + re.escape(API_KEY_PREFIX.lower()) + _TOKEN + "*", re.IGNORECASE),
    re.compile(
        _START + "(?:" + "|".join(re.escape(p) for p in _WELL_KNOWN_PREFIXES) + ")" + _TOKEN + "{6,}",
        re.IGNORECASE,
    ),
    re.compile(_START + r"akia[a-z0-9]{12,}" + _END, re.IGNORECASE),  # AWS access key ids
    re.compile(_START + r"eyj[a-z0-9_\-]{6,}\.[a-z0-9_\-]{2,}\.[a-z0-9_\-]*", re.IGNORECASE),  # JWTs
    # any long token mixing letters and digits (random keys, hashes, session ids)
    re.compile(r"(?<![a-z0-9])(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{32,}(?![a-z0-9])", re.IGNORECASE),
)
# Seven or more digits, also in groups joined by one space, dot or dash (phones, cards, ids),
# so a year ("1917") or a count ("the 100") stays.
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\d(?:[ .\-]?\d){6,}(?!\w)")


def normalise_query(text: str) -> str:
    """Unicode (NFKC) and case folded, whitespace collapsed and stripped."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def mask_personal_data(text: str) -> str:
    """Emails, long digit runs and anything that looks like a secret replaced by a placeholder."""
    masked = _EMAIL.sub(EMAIL, text)
    for pattern in _SECRETS:
        masked = pattern.sub(SECRET, masked)
    return _DIGIT_RUN.sub(NUMBER, masked)


def query_key(normalised: str) -> int:
    """A stable signed 64-bit key of a (normalised, masked) query, the same in every process."""
    digest = hashlib.blake2b(normalised.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
