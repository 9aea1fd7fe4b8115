"""Client options derived from :class:`~workers.settings.Settings`, for aiokafka and Faust alike."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import faust
from aiokafka.helpers import create_ssl_context

from workers.settings import SecurityProtocol, Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if not settings.uses_ssl:
        return None
    context: ssl.SSLContext = create_ssl_context(
        cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None,
        certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
        keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
    )
    return context


def aiokafka_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for AIOKafkaProducer / AIOKafkaConsumer / AIOKafkaAdminClient."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol.value,
    }
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.security_protocol in (SecurityProtocol.SASL_PLAINTEXT, SecurityProtocol.SASL_SSL):
        options["sasl_mechanism"] = settings.sasl_mechanism.value
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password.get_secret_value() if settings.sasl_password else None
    return options


def faust_credentials(settings: Settings) -> Any:
    """``broker_credentials`` for :class:`faust.App`, or None for PLAINTEXT."""
    context = ssl_context(settings)
    if settings.security_protocol in (SecurityProtocol.SASL_PLAINTEXT, SecurityProtocol.SASL_SSL):
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password.get_secret_value() if settings.sasl_password else None,
            ssl_context=context,
            mechanism=settings.sasl_mechanism.value,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def faust_broker_urls(settings: Settings) -> list[str]:
    return [f"kafka://{server}" for server in settings.bootstrap_servers]


_CONNECT_TIMEOUT_MS = 10_000


def _explain(settings: Settings, exc: BaseException) -> str:
    from aiokafka.errors import (
        AuthenticationFailedError,
        IllegalSaslStateError,
        SaslAuthenticationFailed,
        UnsupportedSaslMechanismError,
    )

    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, SaslAuthenticationFailed | AuthenticationFailedError):
        return (
            f"authentication failed for user {settings.sasl_username!r} with {settings.sasl_mechanism.value} "
            f"({text}); check NEWSFLOW_SASL_USERNAME, NEWSFLOW_SASL_PASSWORD and NEWSFLOW_SASL_MECHANISM"
        )
    if isinstance(exc, UnsupportedSaslMechanismError | IllegalSaslStateError):
        return (
            f"the broker refused SASL mechanism {settings.sasl_mechanism.value} ({text}); check NEWSFLOW_SASL_MECHANISM"
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"TLS handshake failed ({text}); check NEWSFLOW_SSL_CAFILE (the CA that signed the broker's "
            "certificate), NEWSFLOW_SSL_CERTFILE/KEYFILE and that the port is a TLS listener"
        )
    if isinstance(exc, TimeoutError):
        return (
            f"no answer within {_CONNECT_TIMEOUT_MS // 1000} s ({type(exc).__name__}); check NEWSFLOW_BROKER and "
            "NEWSFLOW_SECURITY_PROTOCOL (a TLS listener does not answer a plaintext client)"
        )
    if isinstance(exc, OSError):
        return f"cannot connect ({text}); is the broker running there?"
    return f"{type(exc).__name__}: {text}; check NEWSFLOW_SECURITY_PROTOCOL and the security settings"


async def check_connection(settings: Settings) -> str | None:
    """Connect and authenticate to the bootstrap servers once; None when one of them accepts us, else
    one line saying what failed and which variable to check (never the password)."""
    from aiokafka.conn import create_conn

    options = aiokafka_options(settings)
    options.pop("bootstrap_servers")
    problems: list[str] = []
    for server in settings.bootstrap_servers:
        host, _, port = server.rpartition(":")
        try:
            conn = await asyncio.wait_for(
                create_conn(host.strip("[]"), int(port), request_timeout_ms=_CONNECT_TIMEOUT_MS, **options),
                _CONNECT_TIMEOUT_MS / 1000,
            )
        except Exception as exc:
            problems.append(f"{server}: {_explain(settings, exc)}")
            continue
        conn.close()
        return None
    return "; ".join(problems)
