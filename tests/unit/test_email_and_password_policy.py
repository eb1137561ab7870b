from __future__ import annotations

import pytest

from domain.identity.email import EmailAddress, InvalidEmail
from domain.identity.password_policy import PasswordPolicy, WeakPassword

POLICY = PasswordPolicy(common_passwords=frozenset({"password1", "iloveyou", "qwertyuiop"}))
ANA = EmailAddress.parse("ana@example.com")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Ana@Example.com", "ana@example.com"),
        ("  ana@example.com\t", "ana@example.com"),
        ("ＡＮＡ@example.com", "ana@example.com"),  # full-width letters fold under NFKC
        ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org"),
    ],
)
def test_emails_are_canonicalised(raw: str, canonical: str) -> None:
    assert EmailAddress.parse(raw).value == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ana",
        "ana@",
        "@example.com",
        "ana@localhost",
        "ana @example.com",
        "ana@.com",
        "ana@example..com",
        "a" * 250 + "@example.com",
    ],
)
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        EmailAddress.parse(raw)


@pytest.mark.parametrize("password", ["correct horse battery staple", "8chars!!", "üñîçødé!", "x" * 40 + "y" * 88])
def test_long_or_simple_but_uncommon_passwords_pass(password: str) -> None:
    POLICY.check(password, ANA)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("seven77", "at least 8"),
        ("y" * 129, "at most 128"),
        ("Password1", "too common"),
        ("IloveYou", "too common"),
        ("ana@example.com", "email"),
        ("aaaaaaaaaa", "repeat"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword, match=reason):
        POLICY.check(password, ANA)


def test_no_composition_rules_are_imposed() -> None:
    POLICY.check("alllowercaseletters", ANA)
