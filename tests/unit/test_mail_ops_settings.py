"""MG_MAIL_BACKLOG_WARN_SECONDS: the mail:queue health check's bound."""

from __future__ import annotations

import pytest

from entrypoints.config import Settings
from entrypoints.config_values import ConfigurationError


def test_the_mail_backlog_bound_defaults_to_a_quarter_hour_and_is_configurable() -> None:
    assert Settings.from_env({}).sign_in.mail_backlog_warn_seconds == 900
    assert Settings.from_env({"MG_MAIL_BACKLOG_WARN_SECONDS": "120"}).sign_in.mail_backlog_warn_seconds == 120


@pytest.mark.parametrize("raw", ["0", "soon"])
def test_a_bound_that_is_not_a_positive_whole_number_is_refused(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="MG_MAIL_BACKLOG_WARN_SECONDS"):
        Settings.from_env({"MG_MAIL_BACKLOG_WARN_SECONDS": raw})
