"""Who may read /metrics (MG_METRICS_ALLOW) and the multiprocess directory are checked at start-up."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from entrypoints.config import ConfigurationError, Settings, check_metrics_directory


def test_metrics_are_for_loopback_only_unless_networks_are_listed() -> None:
    assert Settings.from_env({}).metrics_allow == ()
    listed = Settings.from_env({"MG_METRICS_ALLOW": "10.0.0.0/8, fd00::/8,192.168.1.7"}).metrics_allow
    assert listed == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("fd00::/8"),
        ipaddress.ip_network("192.168.1.7/32"),
    )


@pytest.mark.parametrize("raw", ["10.0.0.5/24", "example.com", "10.0.0.0/33", "10.0.0.0/8;11.0.0.0/8"])
def test_a_bad_cidr_is_a_configuration_error_naming_the_variable_and_the_entry(raw: str) -> None:
    with pytest.raises(ConfigurationError, match=r"MG_METRICS_ALLOW .*" + raw.split(";")[0].split("/")[0]):
        Settings.from_env({"MG_METRICS_ALLOW": f"127.0.0.0/8,{raw}"})


def test_the_multiprocess_directory_must_exist(tmp_path: Path) -> None:
    check_metrics_directory({})
    check_metrics_directory({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError, match="PROMETHEUS_MULTIPROC_DIR"):
        check_metrics_directory({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "missing")})
