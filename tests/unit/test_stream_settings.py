from __future__ import annotations

import pytest

from workers.cli import main
from workers.settings import ConfigError, ProcessingGuarantee, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("NEWSFLOW_"):
            monkeypatch.delenv(key)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.bootstrap_servers == ["127.0.0.1:9092"]
    assert settings.raw_topic_list == ["newsflow.raw-pages"]
    assert settings.articles_topic == "newsflow.articles.v1"
    assert settings.rejected_topic == "newsflow.rejected.v1"
    assert settings.partitions == 8 and settings.web_port == 6066 and settings.web_host == "127.0.0.1"
    assert settings.processing_guarantee is ProcessingGuarantee.AT_LEAST_ONCE
    assert settings.max_content_bytes == 5 * 1024 * 1024


def test_environment_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_BROKER", "a:9092, b:9093")
    monkeypatch.setenv("NEWSFLOW_RAW_TOPICS", "x,y")
    monkeypatch.setenv("NEWSFLOW_PROCESSING_GUARANTEE", "exactly_once")
    settings = load_settings(partitions="3", raw_topics=None)
    assert settings.bootstrap_servers == ["a:9092", "b:9093"]
    assert settings.raw_topic_list == ["x", "y"]
    assert settings.partitions == 3
    assert settings.processing_guarantee is ProcessingGuarantee.EXACTLY_ONCE


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("NEWSFLOW_WEB_PORT", "abc", "NEWSFLOW_WEB_PORT: Input should be a valid integer"),
        ("NEWSFLOW_BROKER", "kafka", "NEWSFLOW_BROKER:"),
        ("NEWSFLOW_SECURITY_PROTOCOL", "TLS", "NEWSFLOW_SECURITY_PROTOCOL:"),
        ("NEWSFLOW_STORE", "redis://", "NEWSFLOW_STORE:"),
        ("NEWSFLOW_RAW_TOPIC_PATTERN", "([", "NEWSFLOW_RAW_TOPIC_PATTERN:"),
        ("NEWSFLOW_LOG_LEVEL", "LOUD", "NEWSFLOW_LOG_LEVEL:"),
        ("NEWSFLOW_SSL_CAFILE", "/nonexistent.pem", "NEWSFLOW_SSL_CAFILE:"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith(named)
    assert "\n" not in str(info.value)


def test_sasl_needs_credentials_and_password_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    with pytest.raises(ConfigError, match="NEWSFLOW_SASL_USERNAME"):
        load_settings()
    monkeypatch.setenv("NEWSFLOW_SASL_USERNAME", "svc")
    monkeypatch.setenv("NEWSFLOW_SASL_PASSWORD", "hunter2")
    settings = load_settings()
    assert "hunter2" not in repr(settings)
    assert settings.effective()["NEWSFLOW_SASL_PASSWORD"] == "**********"


def test_outputs_must_differ_from_inputs() -> None:
    with pytest.raises(ConfigError, match="distinct"):
        load_settings(raw_topics="t", articles_topic="t")


def test_check_config_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSFLOW_SASL_PASSWORD", "hunter2")
    assert main(["worker", "--check-config", "--web-port", "7000"]) == 0
    out = capsys.readouterr().out
    assert "NEWSFLOW_WEB_PORT=7000" in out and "hunter2" not in out
    monkeypatch.setenv("NEWSFLOW_WEB_PORT", "x")
    assert main(["worker", "--check-config"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "newsflow worker: invalid configuration: NEWSFLOW_WEB_PORT: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]
