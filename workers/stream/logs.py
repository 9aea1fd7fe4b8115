"""Logging for the worker: one line per record, as text or as JSON objects (``NEWSFLOW_LOG_FORMAT``).

Fields passed with ``extra=`` (message coordinates: ``topic``, ``partition``, ``offset``, ``key``,
``reason``, ``url``) are appended to text lines and become keys of JSON lines.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}
_NOISY = ("faust", "mode", "aiokafka", "kafka", "aiohttp", "venusian")


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        document.update(_extras(record))
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(document, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = _extras(record)
        if extras:
            line += " " + " ".join(f"{key}={value}" for key, value in extras.items())
        return line


class RepeatFilter(logging.Filter):
    """Library loggers only: one message template per ``window`` seconds, then a count of the repeats.

    While the broker is away, aiokafka logs the same connection errors several times a second for as long
    as it lasts (the fault suite measured ~30 lines/s with the metadata backoff in place, ~2,950 without);
    newsflow's own lines are never suppressed.
    """

    def __init__(self, window: float = 10.0, prefixes: tuple[str, ...] = _NOISY, max_keys: int = 1024) -> None:
        super().__init__()
        self.window = window
        self.prefixes = prefixes
        self.max_keys = max_keys
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefixes):
            return True
        key = (record.name, record.levelno, str(record.msg))
        last = self._seen.get(key)
        if last is not None and record.created - last[0] < self.window:
            self._seen[key] = (last[0], last[1] + 1)
            return False
        if len(self._seen) >= self.max_keys:
            self._seen.clear()
        self._seen[key] = (record.created, 0)
        if last is not None and last[1]:
            record.msg = f"{record.msg} [{last[1]} similar lines suppressed in {record.created - last[0]:.0f} s]"
        return True


def setup_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Configure the root logger; library loggers stay at WARNING unless ``level`` is DEBUG."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    if level != "DEBUG":
        handler.addFilter(RepeatFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    library_level = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in _NOISY:
        logging.getLogger(name).setLevel(library_level)
