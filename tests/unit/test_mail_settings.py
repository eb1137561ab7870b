"""Outgoing mail's configuration: where mail goes (SMTP or the outbox), from whom, trusting what."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.shared.outbox_directory_mailer import OutboxDirectoryMailer
from adapters.shared.smtp_mailer import SmtpMailer
from entrypoints.config import ConfigurationError, Settings
from tests.support.apps import fake_container


def test_without_an_smtp_url_mail_goes_to_the_outbox_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"MG_DATA_DIR": str(tmp_path)})

    assert settings.sign_in.smtp_url is None and settings.outbox_dir == tmp_path / "outbox"
    assert settings.sign_in.mail_from == "Media Gateway <no-reply@media-gateway.invalid>"
    assert settings.sign_in.smtp_ca_file is None and settings.sign_in.smtp_timeout_seconds == 30


def test_the_mail_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    (ca := tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    settings = Settings.from_env(
        {
            "MG_SMTP_URL": "smtps://mailer:pw@mail.example.com:465",
            "MG_MAIL_FROM": "Films <films@example.com>",
            "MG_SMTP_CA_FILE": str(ca),
            "MG_SMTP_TIMEOUT_SECONDS": "5",
        }
    )

    sign_in = settings.sign_in
    assert (sign_in.smtp_url, sign_in.mail_from) == (
        "smtps://mailer:pw@mail.example.com:465",
        "Films <films@example.com>",
    )
    assert (sign_in.smtp_ca_file, sign_in.smtp_timeout_seconds) == (ca, 5)
    assert "pw" not in repr(sign_in)


def test_a_ca_file_that_is_not_there_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="MG_SMTP_CA_FILE"):
        Settings.from_env({"MG_SMTP_CA_FILE": str(tmp_path / "missing.pem")})


@pytest.mark.parametrize(
    ("env", "mailer"),
    [({}, OutboxDirectoryMailer), ({"MG_SMTP_URL": "smtp://127.0.0.1:2525"}, SmtpMailer)],
    ids=["outbox", "smtp"],
)
def test_the_container_picks_the_mailer_the_settings_name(tmp_path: Path, env: dict[str, str], mailer: type) -> None:
    from entrypoints.container import Container

    container = Container(settings=Settings.from_env({"MG_DATA_DIR": str(tmp_path), **env}))

    assert isinstance(container.identity_mail.adapters.mailer(), mailer)


def test_the_fake_world_delivers_mail_on_in_memory_adapters(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    for name, provider in world.container.identity_mail.providers.items():
        if name not in {"settings", "shared", "identity_adapters", "adapters"}:
            provider()  # a real adapter would reach for a server and raise
    assert world.container.identity_mail.adapters.mail_queue() is not None


def test_the_unit_of_work_and_the_use_cases_share_one_secret_box(tmp_path: Path) -> None:
    from entrypoints.container import Container

    container = Container(settings=Settings(data_dir=tmp_path))

    assert container.identity.secret_box() is container.identity_adapters.secret_box()
