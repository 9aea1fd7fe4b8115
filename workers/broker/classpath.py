"""Classpath resolution: the Kafka broker's jars from Maven Central, cached once per version.

:func:`ensure_classpath` writes a pom into the cache dir and resolves ``org.apache.kafka:kafka_2.13`` plus
its runtime dependencies and an SLF4J binding with ``mvn dependency:copy-dependencies``; :func:`java_command`
builds the ``java -cp '<cache>/libs/*' <main>`` command line that runs one of its tools or the broker.

Version choice (``DEFAULT_KAFKA_VERSION``): 4.1.1. With aiokafka 0.14.0 against 4.1.1 everything
newsflow relies on was verified by ``tests/integration/test_broker.py``: produce/consume with keys and
headers, consumer groups with committed offsets, topic creation with AIOKafkaAdminClient, and
transactions (commit, abort, ``send_offsets_to_transaction``, read_committed isolation). 3.9.1 also
passes the same tests (``NEWSFLOW_KAFKA_VERSION=3.9.1``), so it remains a working fallback; so does
4.2.0. 4.1.1 is chosen as the newest 4.x patch release (4.x is what new deployments run).

Cache layout: ``$NEWSFLOW_KAFKA_CACHE/<version>`` (default ``~/.cache/newsflow/kafka/<version>``) holds
``pom.xml``, ``libs/`` and the marker file ``.resolved``; the first resolution is reused afterwards.
Pre-warm it in CI with ``python -c 'from workers.broker import ensure_classpath; ensure_classpath()'``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import string
import subprocess
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

log = logging.getLogger("newsflow.broker")

DEFAULT_KAFKA_VERSION = "4.1.1"
VERSION_ENV = "NEWSFLOW_KAFKA_VERSION"
CACHE_ENV = "NEWSFLOW_KAFKA_CACHE"

JAVA_HINT = "install Java 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless, or run `make java`)"
MVN_HINT = "install Maven 3.8+ (Debian/Ubuntu: apt-get install maven, or run `make java`)"

_MARKER = ".resolved"
_PACKAGE = "workers.broker"


class KafkaLauncherError(RuntimeError):
    """The embedded broker could not be resolved, started or stopped; the message says why."""


def kafka_version(version: str | None = None) -> str:
    """The Kafka version to use: the argument, else ``$NEWSFLOW_KAFKA_VERSION``, else the default."""
    return version or os.environ.get(VERSION_ENV) or DEFAULT_KAFKA_VERSION


def cache_dir(version: str | None = None) -> Path:
    """Where the classpath of ``version`` is cached."""
    root = os.environ.get(CACHE_ENV)
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "newsflow" / "kafka"
    return base / kafka_version(version)


def require_tool(name: str, hint: str) -> str:
    """The path of ``name`` on PATH, or :class:`KafkaLauncherError` saying what to install."""
    path = shutil.which(name)
    if path is None:
        raise KafkaLauncherError(f"{name} not found on PATH: {hint}")
    return path


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across processes (for work done once per cache dir)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_classpath(version: str | None = None) -> Path:
    """Resolve the broker jars of ``version`` into the cache once; return the ``libs`` dir.

    Safe to call concurrently from several processes (a file lock serializes the resolution).
    """
    version = kafka_version(version)
    root = cache_dir(version)
    libs, marker = root / "libs", root / _MARKER
    if marker.is_file() and libs.is_dir():
        return libs
    root.mkdir(parents=True, exist_ok=True)
    with file_lock(root / ".lock"):
        if marker.is_file() and libs.is_dir():
            return libs
        mvn = require_tool("mvn", MVN_HINT)
        started = time.monotonic()
        log.info("resolving Kafka %s classpath into %s", version, libs)
        staging = root / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        _copy_dependencies(mvn, root, version, staging, binding=None)
        # The SLF4J binding must match the log4j/slf4j versions Kafka itself pulls in.
        _copy_dependencies(mvn, root, version, staging, binding=_logging_binding(staging))
        shutil.rmtree(libs, ignore_errors=True)
        staging.rename(libs)
        jars = sorted(p.name for p in libs.glob("*.jar"))
        marker.write_text(f"kafka {version}\n" + "\n".join(jars) + "\n")
        elapsed = time.monotonic() - started
        log.info(
            "resolved Kafka %s classpath (%d jars) in %.1fs",
            version,
            len(jars),
            elapsed,
            extra={"kafka_version": version, "jars": len(jars), "resolve_s": round(elapsed, 2)},
        )
    return libs


def java_command(
    java: str,
    libs: Path,
    *,
    config_dir: Path,
    log_file: Path,
    heap: str,
    jvm_options: Sequence[str],
    main: str,
    args: Sequence[str],
) -> list[str]:
    """``java ... -cp '<libs>/*' main args``, logging to ``log_file`` (the config is written to ``config_dir``)."""
    if jar_version(libs, "log4j-core") is not None:  # Kafka 4.x logs with log4j2, 3.x with reload4j
        config = config_dir / "log4j2.xml"
        log_option = f"-Dlog4j2.configurationFile={config}"
    else:
        config = config_dir / "log4j.properties"
        log_option = f"-Dlog4j.configuration=file:{config}"
    config.write_bytes(resources.files(_PACKAGE).joinpath(config.name).read_bytes())
    return [
        java,
        f"-Xmx{heap}",
        *jvm_options,
        log_option,
        f"-Dnewsflow.kafka.log.file={log_file}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]


def _copy_dependencies(mvn: str, root: Path, version: str, out: Path, binding: str | None) -> None:
    template = resources.files(_PACKAGE).joinpath("pom.template.xml").read_text()
    dependency = ""
    if binding is not None:
        group, artifact, artifact_version = binding.split(":")
        dependency = (
            f"    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
            f"<version>{artifact_version}</version></dependency>"
        )
    pom = root / "pom.xml"
    pom.write_text(string.Template(template).substitute(kafka_version=version, logging_dependency=dependency))
    cmd = [
        mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={out}",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise KafkaLauncherError(
            f"resolving Kafka {version} with Maven failed (exit {result.returncode}); "
            f"is Maven Central reachable and {version} a released version?\n{output}"
        )


def _jar_name(libs: Path, artifact: str) -> str:
    """File name of ``artifact``'s jar in ``libs`` ('' when absent)."""
    pattern = re.compile(rf"{re.escape(artifact)}-(\d[^-]*(?:-[^-]+)?)\.jar")
    return next((p.name for p in sorted(libs.glob("*.jar")) if pattern.fullmatch(p.name)), "")


def jar_version(libs: Path, artifact: str) -> str | None:
    """The version of ``artifact``'s jar in ``libs`` (None when absent)."""
    name = _jar_name(libs, artifact)
    return name[len(artifact) + 1 : -len(".jar")] if name else None


def _logging_binding(libs: Path) -> str:
    """``group:artifact:version`` of the SLF4J binding for the jars in ``libs``."""
    slf4j = jar_version(libs, "slf4j-api")
    if slf4j is None:
        raise KafkaLauncherError(f"no slf4j-api jar among the resolved Kafka jars in {libs}")
    log4j = jar_version(libs, "log4j-core")
    if log4j is not None:  # Kafka 4.x: log4j2
        bridge = "log4j-slf4j2-impl" if int(slf4j.split(".")[0]) >= 2 else "log4j-slf4j-impl"
        return f"org.apache.logging.log4j:{bridge}:{log4j}"
    return f"org.slf4j:slf4j-reload4j:{slf4j}"  # Kafka 3.x: reload4j
