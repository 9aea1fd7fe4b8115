"""Optional SASL_SSL (SCRAM + TLS) client listener for the embedded broker.

TLS material (a test CA and a broker certificate for 127.0.0.1/localhost) is made with the JDK's
``keytool`` once and cached next to the Kafka classpath; SCRAM users are written at storage-format time
(``kafka.tools.StorageTool format --add-scram``), so they exist from the first start on.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

from workers.broker.classpath import JAVA_HINT, KafkaLauncherError, cache_dir, file_lock

# The keystore only ever protects a throwaway test certificate.
STORE_PASSWORD = "newsflow-test"
_KEYTOOL_JVM = ("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC")


@dataclass(frozen=True)
class SaslSsl:
    """A SASL_SSL listener with SCRAM users; pass as ``EmbeddedKafka(sasl_ssl=SaslSsl())``."""

    username: str = "newsflow"
    password: str = "newsflow-secret"
    mechanism: str = "SCRAM-SHA-512"
    listener: str = "SASL_SSL"
    port: int | None = None


@dataclass(frozen=True)
class TlsMaterial:
    ca_file: Path  # PEM, what clients trust
    keystore: Path  # PKCS12 with the broker key and chain
    password: str = STORE_PASSWORD

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def ensure_tls_material(root: Path | None = None) -> TlsMaterial:
    """Create (once) a test CA and a broker certificate valid for 127.0.0.1 and localhost."""
    directory = root if root is not None else cache_dir().parent / "tls"
    material = TlsMaterial(ca_file=directory / "ca.pem", keystore=directory / "broker.p12")
    done = directory / ".complete"
    if done.is_file():
        return material
    directory.mkdir(parents=True, exist_ok=True)
    with file_lock(directory / ".lock"):
        if done.is_file():
            return material
        keytool = shutil.which("keytool")
        if keytool is None:
            raise KafkaLauncherError(f"keytool not found on PATH: it ships with Java; {JAVA_HINT}")
        for name in ("ca.p12", "ca.pem", "broker.p12", "broker.csr", "broker.pem"):
            (directory / name).unlink(missing_ok=True)
        ca = ("-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD)
        broker = ("-keystore", "broker.p12", "-storetype", "PKCS12", "-storepass", STORE_PASSWORD)
        ec = ("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650", "-keypass", STORE_PASSWORD)
        steps: list[tuple[str, ...]] = [
            ("-genkeypair", "-alias", "ca", *ec, "-dname", "CN=newsflow-test-ca", *ca,
             "-ext", "bc:c", "-ext", "KU=keyCertSign,cRLSign"),
            ("-exportcert", "-rfc", "-alias", "ca", "-file", "ca.pem", *ca),
            ("-genkeypair", "-alias", "broker", *ec, "-dname", "CN=localhost", *broker),
            ("-certreq", "-alias", "broker", "-file", "broker.csr", *broker),
            ("-gencert", "-alias", "ca", "-infile", "broker.csr", "-outfile", "broker.pem", "-rfc",
             "-validity", "3650", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-ext", "KU=digitalSignature",
             "-ext", "EKU=serverAuth", *ca),
            ("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", *broker),
            ("-importcert", "-noprompt", "-alias", "broker", "-file", "broker.pem", *broker),
        ]  # fmt: skip
        for step in steps:
            result = subprocess.run(
                [keytool, *_KEYTOOL_JVM, *step], cwd=directory, capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                output = (result.stdout + result.stderr).strip()[-2000:]
                raise KafkaLauncherError(f"keytool {step[0]} failed (exit {result.returncode}):\n{output}")
        os.chmod(material.keystore, 0o600)
        done.write_text("ok\n")
    return material


def broker_properties(config: SaslSsl, tls: TlsMaterial) -> dict[str, str]:
    """server.properties entries for the SASL_SSL listener (inter-broker traffic stays PLAINTEXT)."""
    prefix = f"listener.name.{config.listener.lower()}."
    mechanism = config.mechanism.lower()
    return {
        f"{prefix}sasl.enabled.mechanisms": config.mechanism,
        f"{prefix}{mechanism}.sasl.jaas.config": ("org.apache.kafka.common.security.scram.ScramLoginModule required;"),
        f"{prefix}ssl.keystore.type": "PKCS12",
        f"{prefix}ssl.keystore.location": str(tls.keystore),
        f"{prefix}ssl.keystore.password": tls.password,
        f"{prefix}ssl.key.password": tls.password,
        f"{prefix}ssl.client.auth": "none",
    }


def format_arguments(config: SaslSsl) -> list[str]:
    """StorageTool arguments that create the SCRAM user at format time."""
    return ["--add-scram", f"{config.mechanism}=[name={config.username},password={config.password}]"]
