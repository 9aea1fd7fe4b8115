"""Security against the real broker: SASL_SSL (SCRAM-SHA-512) with TLS material generated here.

The worker authenticates and produces articles; wrong credentials fail fast with a clear error and a
non-zero exit; the password never shows in the worker's output, in ``--check-config``, on ``/metrics``,
``/status`` or the health views; the web server listens on 127.0.0.1 only; HTML never reaches the
output text fields, and the status page escapes article text.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemas import Article
from tests.faults.support import (
    Fleet,
    Input,
    OutputWatcher,
    account,
    article_inputs,
    check_at_least_once,
    produce_sync,
)
from tests.support.hostile import HOSTILE_PAGES
from tests.support.workers import WorkerProcess
from workers.broker import EmbeddedKafka, SaslSsl, ensure_tls_material, free_port

pytestmark = pytest.mark.integration

SECRET = f"nf-secret-{uuid.uuid4().hex}"
WRONG = f"nf-wrong-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedKafka]:
    tls = ensure_tls_material(tmp_path_factory.mktemp("tls"))  # a fresh CA and broker certificate (keytool)
    broker = EmbeddedKafka(sasl_ssl=SaslSsl(username="newsflow", password=SECRET, mechanism="SCRAM-SHA-512"))
    broker._tls = tls  # this test's material, not the cached one start() would use
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def secure_fleet(broker: EmbeddedKafka, tmp: Path, password: str = SECRET) -> Fleet:
    assert broker.tls is not None
    return Fleet(
        broker.bootstrap_for("SASL_SSL"),
        tmp,
        extra={
            "NEWSFLOW_SECURITY_PROTOCOL": "SASL_SSL",
            "NEWSFLOW_SASL_MECHANISM": "SCRAM-SHA-512",
            "NEWSFLOW_SASL_USERNAME": "newsflow",
            "NEWSFLOW_SASL_PASSWORD": password,
            "NEWSFLOW_SSL_CAFILE": str(broker.tls.ca_file),
        },
    )


def client_options(broker: EmbeddedKafka) -> dict[str, Any]:
    options = broker.sasl_ssl_client_options()
    options.pop("bootstrap_servers")
    return options


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def listening_addresses(port: int) -> set[str]:
    """Local addresses of LISTEN sockets on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":
                found.add(address)
    return found


def script_page() -> Input:
    url = b"https://faults.example/security/script.html"
    payload = HOSTILE_PAGES["script and entities in article"]().replace(b"https://hostile.example/a.html", url)
    return Input(url, payload, "article")


def test_sasl_ssl_worker_authenticates_and_never_shows_the_secret(secure_broker: EmbeddedKafka, tmp_path: Path) -> None:
    fleet = secure_fleet(secure_broker, tmp_path)
    fleet.create_topics()  # through SASL_SSL too (the admin client uses the same settings)
    inputs = [*article_inputs("security", 20), script_page()]
    produce_sync(fleet.bootstrap, fleet.raw, inputs, **client_options(secure_broker))
    port = free_port()
    worker = fleet.start(NEWSFLOW_WEB_PORT=str(port))
    try:
        with OutputWatcher(fleet.bootstrap, fleet.outputs, **client_options(secure_broker)) as watcher:
            watcher.wait_all(inputs, timeout=120)
            records = watcher.records()
        check_at_least_once(account(inputs, records, fleet.articles), fleet.logs())

        # Output text is plain: the script is gone, entities decoded once.
        script_article = next(
            Article.model_validate_json(r.value) for r in records if b"security/script.html" in r.value
        )
        text = "\n".join([script_article.title, *script_article.body])
        assert "alert(" not in text and "<script" not in text.lower() and "&lt;" not in text

        # The web server: loopback only; no secret on any view; the status page escapes article text.
        assert listening_addresses(port) and listening_addresses(port) <= {
            "0100007F",
            "00000000000000000000000001000000",
        }
        views = {path: get(f"http://127.0.0.1:{port}{path}") for path in ("/metrics", "/status", "/healthz", "/readyz")}
        for path, (_, body) in views.items():
            assert SECRET not in body, f"the SASL password appears on {path}"
        status, page = views["/status"]
        if status == 200:
            assert "<script>alert" not in page and "<b>bold</b>" not in page
        assert views["/metrics"][0] == 200
    finally:
        code = worker.terminate()
    output = worker.output()
    assert code == 0, output[-3000:]
    assert SECRET not in output, "the SASL password appears in the worker's output"

    check = subprocess.run(
        [sys.executable, "-m", "workers.cli", "worker", "--check-config"],
        env=fleet.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
    assert SECRET not in check.stdout + check.stderr
    assert "NEWSFLOW_SASL_PASSWORD=**********" in check.stdout


def exit_code_within(worker: WorkerProcess, seconds: float) -> int:
    """The exit code of a worker that must give up by itself; fails the test (and kills it) otherwise."""
    try:
        return worker.process.wait(seconds)
    except subprocess.TimeoutExpired:
        worker.kill()
        pytest.fail(f"the worker did not give up within {seconds:g} s:\n{worker.output()[-3000:]}")


def test_wrong_credentials_fail_fast_with_a_clear_error(secure_broker: EmbeddedKafka, tmp_path: Path) -> None:
    fleet = secure_fleet(secure_broker, tmp_path, password=WRONG)
    started = time.monotonic()
    worker = fleet.start()
    code = exit_code_within(worker, 30)
    elapsed = time.monotonic() - started
    output = worker.output()
    assert code != 0, output
    assert "authentication failed for user 'newsflow' with SCRAM-SHA-512" in output, output
    assert "NEWSFLOW_SASL_PASSWORD" in output
    assert WRONG not in output and SECRET not in output
    assert "Traceback" not in output, output
    print(f"wrong credentials: exit {code} after {elapsed:.1f} s")


def test_web_server_binds_loopback_by_default() -> None:
    from workers.settings import Settings

    assert Settings().web_host == "127.0.0.1"


def test_plaintext_client_against_tls_listener_fails_clearly(secure_broker: EmbeddedKafka, tmp_path: Path) -> None:
    fleet = Fleet(secure_broker.bootstrap_for("SASL_SSL"), tmp_path)  # forgot NEWSFLOW_SECURITY_PROTOCOL
    worker = fleet.start()
    code = exit_code_within(worker, 45)
    output = worker.output()
    assert code != 0 and "cannot connect to the Kafka brokers" in output, output
    assert "Traceback" not in output, output
