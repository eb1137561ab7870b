"""The API key format: prefix, 256 random bits in base62, and a CRC32 checksum anyone can check offline."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable

import pytest

from domain.identity.api_key import BASE62, KEY_LENGTH, encode_api_key, expand_scopes, is_well_formed


def base62_checksum(body: str) -> str:
    """The checksum written out again, independently of the domain's code."""
    number, digits = zlib.crc32(body.encode()), ""
    while number:
        number, remainder = divmod(number, 62)
        digits = BASE62[remainder] + digits
    return digits.rjust(6, "0")


def test_a_key_is_the_prefix_43_base62_characters_and_their_checksum() -> None:
    key = encode_api_key(os.urandom(32))
    assert key.startswith("mg_live_") and len(key) == KEY_LENGTH == 8 + 43 + 6
    assert all(ch in BASE62 for ch in key[8:])
    assert key[-6:] == base62_checksum(key[8:-6]) and is_well_formed(key)


def test_a_key_needs_256_random_bits() -> None:
    with pytest.raises(ValueError, match="256"):
        encode_api_key(os.urandom(31))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: key[:20] + ("a" if key[20] != "a" else "b") + key[21:],  # a mistyped character
        lambda key: key[:-1],  # one character short
        lambda key: "mg_test_" + key[8:],  # another prefix
        lambda key: key[:20] + "-" + key[21:],  # outside the alphabet
    ],
    ids=["mistyped", "short", "prefix", "alphabet"],
)
def test_a_mangled_key_is_not_well_formed(mangle: Callable[[str], str]) -> None:
    assert not is_well_formed(mangle(encode_api_key(os.urandom(32))))


def test_write_implies_read_and_admin_implies_both() -> None:
    assert expand_scopes(frozenset({"read"})) == {"read"}
    assert expand_scopes(frozenset({"write"})) == {"read", "write"}
    assert expand_scopes(frozenset({"admin"})) == {"read", "write", "admin"}
