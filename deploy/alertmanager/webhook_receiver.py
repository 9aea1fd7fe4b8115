"""The example Alertmanager receiver: prints every webhook notification as one JSON line.

Alertmanager POSTs its webhook payload (``version`` 4: ``status``, ``groupLabels``, ``alerts`` with
``labels``, ``annotations``, ``startsAt``...) to ``/alerts``; this server answers 200 and writes the
payload, with ``received_at`` (epoch seconds) added, as one line to stdout or to ``--output``. Compose
runs it as the ``alert-receiver`` service (``docker compose logs -f alert-receiver``); the monitoring
tests run the same file and read the lines to time each alert. Python standard library only.

    python deploy/alertmanager/webhook_receiver.py --host 0.0.0.0 --port 9095
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

MAX_BODY = 4 * 1024 * 1024


class Receiver(BaseHTTPRequestHandler):
    """``POST /alerts``: one notification; ``GET /healthz``: 200 once listening."""

    out: IO[str] = sys.stdout
    lock = threading.Lock()

    def do_POST(self) -> None:
        if self.path != "/alerts":
            self._answer(404, f"unknown path {self.path!r}: Alertmanager's webhook_configs url must end in /alerts")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._answer(400, f"Content-Length {length} is not in 1..{MAX_BODY}")
            return
        try:
            payload: dict[str, Any] = json.loads(self.rfile.read(length))
        except ValueError as error:
            self._answer(400, f"the body is not JSON: {error}")
            return
        line = json.dumps({"received_at": time.time(), **payload}, ensure_ascii=False, sort_keys=True)
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()
        self._answer(200, "ok")

    def do_GET(self) -> None:
        self._answer(200 if self.path == "/healthz" else 404, "ok" if self.path == "/healthz" else "not found")

    def _answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one JSON line per notification is the whole output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print Alertmanager webhook notifications as JSON lines.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9095, help="port to listen on (default: 9095)")
    parser.add_argument("--output", help="append the JSON lines to this file instead of stdout")
    args = parser.parse_args(argv)
    if args.output:
        Receiver.out = open(args.output, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's life
    server = ThreadingHTTPServer((args.host, args.port), Receiver)
    print(f"alert receiver listening on http://{args.host}:{server.server_address[1]}/alerts", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
