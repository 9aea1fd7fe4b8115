"""Process entry point of ``newsflow worker``: logging, topic creation, the Faust worker, exit codes.

SIGTERM/SIGINT stop the worker gracefully: the agent finishes the page in flight, the consumer commits
what was processed, the producer flushes, the pipeline process is closed, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from aiokafka.errors import KafkaConnectionError

from workers import PIPELINE_VERSION
from workers.settings import Settings
from workers.stream.kafka import check_connection
from workers.stream.logs import setup_logging
from workers.stream.patches import PatchError, check, install_metadata_backoff
from workers.stream.topics import TopicError, ensure_topics, resolve_replication

log = logging.getLogger("newsflow.worker")


def broker_reachable(settings: Settings, timeout: float = 2.0) -> bool:
    """True when a TCP connection to any bootstrap server succeeds (not a Kafka handshake)."""
    for server in settings.bootstrap_servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return True
        except OSError:
            continue
    return False


def run_worker(settings: Settings) -> int:
    """Run until stopped; 0 after a signal, 1 when the worker cannot start or crashes."""
    import faust

    from workers.stream.app import create_app

    setup_logging(settings.log_level, settings.log_format.value)
    log.info(
        "starting newsflow worker",
        extra={
            "pipeline_version": PIPELINE_VERSION,
            "broker": settings.broker,
            "group": settings.app_id,
            "inputs": settings.raw_topic_pattern or ",".join(settings.raw_topic_list),
            "articles": settings.articles_topic,
            "rejected": settings.rejected_topic,
            "guarantee": settings.processing_guarantee.value,
        },
    )
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:  # first: every workaround's internals are there, and the metadata backoff is in before any client
        check()
    except PatchError as exc:
        log.error("%s", exc)
        loop.close()
        return 1
    install_metadata_backoff()
    # Fail fast, with the cause, on wrong credentials or TLS settings: Faust would only say "Unable to
    # bootstrap" in a traceback (tests/faults/test_security.py).
    problem = loop.run_until_complete(check_connection(settings))
    if problem is not None:
        log.error("cannot connect to the Kafka brokers: %s", problem)
        loop.close()
        return 1
    try:
        # One replication factor for every topic, Faust's internal ones included: 3 on a cluster of 3+.
        settings = loop.run_until_complete(asyncio.wait_for(resolve_replication(settings), 60))
    except (TopicError, KafkaConnectionError, TimeoutError, OSError) as exc:
        log.error("cannot read the cluster's size on %s: %s", settings.broker, exc)
        loop.close()
        return 1
    if settings.create_topics:
        try:
            loop.run_until_complete(asyncio.wait_for(ensure_topics(settings), 60))
        except (TopicError, KafkaConnectionError, TimeoutError, OSError) as exc:
            hint = "" if broker_reachable(settings) else " (no broker answers there)"
            log.error(
                "cannot set up topics on %s%s: %s; check NEWSFLOW_BROKER and the security settings, "
                "or start a local broker with `newsflow broker`",
                settings.broker,
                hint,
                exc,
            )
            loop.close()
            return 1
    # After the replication factor is known: Faust declares its internal topics with it. create_app
    # installs the other workarounds (checked above).
    app, handler = create_app(settings)
    worker = faust.Worker(
        app,
        loop=loop,
        loglevel=settings.log_level,
        quiet=True,
        override_logging=False,
        redirect_stdouts=False,
    )
    worker.spinner = None  # no terminal spinner: logs only
    code = 0
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if app.crash_reason is not None and code == 0:
        code = 1
    log.info("newsflow worker stopped", extra={"exit_code": code, **dict(handler.counts)})
    return code
