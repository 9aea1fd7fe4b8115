"""Small admin helpers on top of aiokafka, shared by the integration tests and the CLI."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def create_topic(
    bootstrap_servers: str,
    name: str,
    partitions: int = 1,
    config: dict[str, str] | None = None,
    *,
    replication_factor: int = 1,
) -> None:
    """Create ``name`` through the admin client; raise ``RuntimeError`` on any broker-side error."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        response = await admin.create_topics(
            [
                NewTopic(
                    name,
                    num_partitions=partitions,
                    replication_factor=replication_factor,
                    topic_configs=config or {},
                )
            ]
        )
    finally:
        await admin.close()
    # topic_errors rows are (topic, error_code[, error_message]) depending on the protocol version
    errors = [tuple(row) for row in response.topic_errors if row[1] != 0]
    if errors:
        raise RuntimeError(f"creating topic {name!r} failed: {errors}")
