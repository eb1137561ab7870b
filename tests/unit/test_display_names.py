from __future__ import annotations

import pytest

from domain.identity.email import EmailAddress
from domain.identity.user import clean_display_name
from domain.shared.errors import InvalidInput

ANA = EmailAddress.parse("ana@example.com")
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    "char",
    [
        *map(chr, range(0x202A, 0x202F)),  # LRE, RLE, PDF, LRO, RLO: embeddings and overrides
        *map(chr, range(0x2066, 0x206A)),  # LRI, RLI, FSI, PDI: isolates
        "\u200e",  # LRM
        "\u200f",  # RLM
        "\u061c",  # Arabic letter mark
        "\x00",
        "\x1b",  # ESC, the start of terminal escape sequences
        "\x7f",
        "\x85",  # NEL, a C1 control
        "\x9b",  # CSI, a C1 control
        "\u200b",  # zero-width space
        "\u2060",  # word joiner
        "\ufeff",  # byte-order mark
        "\u00ad",  # soft hyphen
        "\U000e0041",  # a tag letter outside a flag: invisible ASCII
    ],
)
def test_control_and_invisible_format_characters_are_refused_naming_the_field(char: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_display_name(f"Ana{char} Lima", ANA)
    assert refused.value.field == "display_name"
    assert f"U+{ord(char):04X}" in refused.value.detail


def test_a_trojan_source_name_is_refused() -> None:
    with pytest.raises(InvalidInput):
        clean_display_name("admin\u202e\u2066nimda\u2069\u2066", ANA)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Ana Lima", "Ana Lima"),
        ("  Ana\tLima\r\n", "Ana Lima"),
        ("Zoë Ångström", "Zoë Ångström"),
        ("שרה כהן", "שרה כהן"),
        ("Ana \U0001f469\u200d\U0001f469\u200d\U0001f467", "Ana \U0001f469\u200d\U0001f469\u200d\U0001f467"),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
        (f"Ana {SCOTLAND}", f"Ana {SCOTLAND}"),
        ("\u2764\ufe0f Ana", "\u2764\ufe0f Ana"),
    ],
)
def test_names_in_any_script_with_emoji_sequences_and_joiners_are_kept(raw: str, stored: str) -> None:
    assert clean_display_name(raw, ANA) == stored
