"""The TV sign-in's rules that need no use case: drawing, reading and showing user codes, and the
two limits' settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.identity.device_authorization import (
    USER_CODE_ALPHABET,
    display_user_code,
    new_user_code,
    normalise_user_code,
)
from entrypoints.config import ConfigurationError, Settings


def bytes_from(*chunks: bytes) -> Iterator[bytes]:
    return iter(chunks)


def test_a_user_code_throws_away_bytes_that_would_favour_some_letters() -> None:
    # 256 is not a multiple of 20: bytes 240-255 would make the first 16 letters likelier.
    chunks = bytes_from(bytes([240, 255, 0, 1]) + bytes([2, 3, 4, 5]), bytes([6, 7, 250, 19, 20, 39, 239, 1]))
    assert new_user_code(lambda n: next(chunks)) == "BCDFGHJK"


def test_a_user_code_maps_every_kept_byte_onto_the_alphabet() -> None:
    assert new_user_code(lambda n: bytes([19, 39, 59, 79, 99, 119, 139, 239])) == "Z" * 8
    assert new_user_code(lambda n: bytes(range(20, 28))) == USER_CODE_ALPHABET[:8]


def test_a_user_code_is_shown_in_two_groups_of_four() -> None:
    assert display_user_code("BCDFGHJK") == "BCDF-GHJK"
    assert normalise_user_code(display_user_code("BCDFGHJK")) == "BCDFGHJK"


def test_user_codes_are_read_in_any_case_with_or_without_the_dash_or_spaces() -> None:
    assert normalise_user_code("BCDF-GHJK") == "BCDFGHJK"
    assert normalise_user_code("bcdf-ghjk") == "BCDFGHJK"
    assert normalise_user_code(" bcdf ghjk ") == "BCDFGHJK"
    assert normalise_user_code("BcDfGhJk") == "BCDFGHJK"


@pytest.mark.parametrize("typed", ["", "BCDF-GHJ", "BCDF-GHJKL", "BCDF-GHJA", "BCDF-0HJK", "BCDF_GHJK", "ßCDF-GHJK"])
def test_what_cannot_be_a_user_code_is_none(typed: str) -> None:
    assert normalise_user_code(typed) is None


def test_the_alphabet_has_no_vowels_and_no_look_alikes() -> None:
    assert len(set(USER_CODE_ALPHABET)) == len(USER_CODE_ALPHABET) == 20
    # Vowels make words; with no I, O or digits in it, nothing reads as 0, 1 or another letter.
    assert not set(USER_CODE_ALPHABET) & set("AEIOUY0123456789")


def test_the_device_limits_default_to_the_documented_values_and_are_configurable() -> None:
    defaults = Settings.from_env({}).sign_in
    assert (defaults.device_code_guesses_per_ip, defaults.device_authorizations_per_ip) == (10, 30)
    configured = Settings.from_env(
        {"MG_DEVICE_CODE_GUESSES_PER_IP": "3", "MG_DEVICE_AUTHORIZATIONS_PER_IP": "7"}
    ).sign_in
    assert (configured.device_code_guesses_per_ip, configured.device_authorizations_per_ip) == (3, 7)


def test_a_device_limit_of_zero_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="MG_DEVICE_AUTHORIZATIONS_PER_IP"):
        Settings.from_env({"MG_DEVICE_AUTHORIZATIONS_PER_IP": "0"})
