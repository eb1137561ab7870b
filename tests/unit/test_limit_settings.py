"""The sign-in, second-factor and registration limits are read from MG_* variables."""

from __future__ import annotations

import pytest

from entrypoints.config import ConfigurationError, Settings


def test_the_limits_default_to_the_documented_values() -> None:
    settings = Settings.from_env({})
    assert (settings.login_failures_per_account_and_ip, settings.login_failures_per_account) == (10, 100)
    assert (settings.mfa_attempts_per_ip, settings.mfa_attempts_per_ip_all_accounts) == (5, 100)
    assert (settings.registrations_per_ip, settings.registration_ip_window_seconds) == (10, 3600)
    assert settings.registrations_per_minute == 60


def test_the_limits_are_configurable() -> None:
    settings = Settings.from_env(
        {
            "MG_LOGIN_FAILURES_PER_ACCOUNT_AND_IP": "3",
            "MG_MFA_ATTEMPTS_PER_IP_ALL_ACCOUNTS": "40",
            "MG_REGISTRATIONS_PER_IP": "2",
            "MG_REGISTRATION_IP_WINDOW_SECONDS": "600",
            "MG_REGISTRATIONS_PER_MINUTE": "5",
        }
    )
    assert settings.login_failures_per_account_and_ip == 3
    assert settings.mfa_attempts_per_ip_all_accounts == 40
    assert (settings.registrations_per_ip, settings.registration_ip_window_seconds) == (2, 600)
    assert settings.registrations_per_minute == 5


def test_a_limit_of_zero_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="MG_REGISTRATIONS_PER_MINUTE"):
        Settings.from_env({"MG_REGISTRATIONS_PER_MINUTE": "0"})
