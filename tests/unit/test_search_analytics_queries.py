"""What a search's text becomes before it is stored: folded, masked, keyed."""

from __future__ import annotations

import hashlib

import pytest

from domain.identity.api_key import API_KEY_PREFIX, encode_api_key
from domain.search_analytics.queries import mask_personal_data, normalise_query, query_key


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Dune", "dune"),
        ("  Blade   Runner\t2049 ", "blade runner 2049"),
        ("ＤＵＮＥ", "dune"),  # full-width letters
        ("Straße", "strasse"),  # casefold, not lower
        ("ﬁnding nemo", "finding nemo"),  # the ligature unfolded
        ("amélie", "amélie"),  # accents are kept: they are part of the title
    ],
)
def test_a_query_is_folded_to_one_form(typed: str, normalised: str) -> None:
    assert normalise_query(typed) == normalised


@pytest.mark.parametrize(
    "title", ["blade runner 2049", "se7en", "1917", "the 100", "2001 a space odyssey", "ocean's 11", "ghost", "sky"]
)
def test_ordinary_title_queries_are_left_alone(title: str) -> None:
    assert mask_personal_data(title) == title


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("ana.lopez+tv@example.co.uk", "[email]"),
        ("movies for bob@example.com please", "movies for [email] please"),
        ("5551234567", "[number]"),
        ("call 555 123 4567", "call [number]"),
        ("+34 612-345-678", "[number]"),
        ("4111 1111 1111 1111", "[number]"),
        ("id 12.345.678", "id [number]"),
    ],
)
def test_emails_and_long_digit_runs_are_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(normalise_query(typed)) == masked


@pytest.mark.parametrize(
    "secret",
    [
        "sk-proj-abcdefghijklmnop1234",
        "sk_live_51HxYzABCdefGHIjkl",
        "pk_live_51HxYzABCdefGHIjkl",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
        "xoxb-123456789012-abcdefghijkl",
        "xoxp-123456789012-abcdefghijkl",
        "AKIAIOSFODNN7EXAMPLE",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "d41d8cd98f00b204e9800998ecf8427e",  # 32 hex characters, letters and digits mixed
        f"{API_KEY_PREFIX}abc",  # our own key, cut short
    ],
)
def test_secrets_are_masked_whatever_the_case(secret: str) -> None:
    assert mask_personal_data(normalise_query(secret)) == "[secret]"
    assert mask_personal_data(normalise_query(f"find {secret} now")) == "find [secret] now"


def test_our_own_api_keys_are_masked() -> None:
    key = encode_api_key(bytes(range(32)))
    assert mask_personal_data(normalise_query(key)) == "[secret]"


def test_a_long_word_without_digits_is_not_a_secret() -> None:
    word = "supercalifragilisticexpialidocious"
    assert mask_personal_data(word) == word


def test_the_query_key_is_stable_and_a_signed_64_bit_integer() -> None:
    assert query_key("dune") == query_key("dune") != query_key("dune 2")
    keys = [query_key(f"title {n}") for n in range(200)]
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert any(key < 0 for key in keys) and any(key > 0 for key in keys)
    # blake2b-64 of "dune", read big-endian and signed: the same in every process and release
    expected = int.from_bytes(hashlib.blake2b(b"dune", digest_size=8).digest(), "big", signed=True)
    assert query_key("dune") == expected
