"""Decode stage: raw message bytes -> validated ``RawPage``; file bytes -> text."""

from __future__ import annotations

import codecs
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import orjson
from charset_normalizer import from_bytes
from pydantic import ValidationError

from schemas import RawPage, RawPageLimits, RejectReason
from workers.pipeline.errors import RejectError

log = logging.getLogger("newsflow.pipeline")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes to text, returning ``(text, encoding)``.

    Order: byte-order mark, the declared charset, a ``<meta charset>``, strict UTF-8, then
    charset detection. Raises ``RejectError(undecodable)`` when nothing fits.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    candidates = [declared] if declared else []
    meta = _META_CHARSET.search(data[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return data.decode(name), codecs.lookup(name).name
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(data[:262_144]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace"), best.encoding
    raise RejectError(
        RejectReason.UNDECODABLE,
        "the page bytes are not text in any charset newsflow can detect; "
        "send the page decoded to Unicode, or name its charset in 'encoding'",
        stage="decode",
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _with_lone_surrogates_replaced(payload: bytes) -> Any:
    """JSON that escapes a lone UTF-16 surrogate (``"\\ud83d"``, half an emoji) is valid JSON that
    orjson refuses: read it with the standard library and put U+FFFD in place of each, so one
    broken character does not dead-letter a whole page. ``None`` when the payload is not JSON."""
    if b"\\ud" not in payload.lower():
        return None
    try:
        document = json.loads(payload)
    except ValueError:
        return None
    repaired = 0

    def fix(value: Any) -> Any:
        nonlocal repaired
        if isinstance(value, str):
            fixed, count = _SURROGATE.subn("\ufffd", value)
            repaired += count
            return fixed
        if isinstance(value, dict):
            return {fix(k): fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    document = fix(document)
    url = document.get("url") if isinstance(document, dict) else None
    log.warning("replaced lone surrogates", extra={"url": str(url)[:500], "replaced": repaired})
    return document


@dataclass(frozen=True, slots=True)
class ParseRawPage:
    """Message value bytes -> ``RawPage``, with the reject reason a producer can act on."""

    limits: RawPageLimits
    name: str = "parse"

    def run(self, payload: bytes) -> RawPage:
        if not payload or not payload.strip():
            raise RejectError(RejectReason.EMPTY, "the message value is empty", stage=self.name)
        # JSON envelope + content; anything larger cannot pass the content limit.
        if len(payload) > self.limits.max_content_bytes * 6 + 65_536:
            raise RejectError(
                RejectReason.TOO_LARGE,
                f"the message is {len(payload)} bytes, over the content limit of "
                f"{self.limits.max_content_bytes} bytes; raise NEWSFLOW_MAX_CONTENT_BYTES or trim the page",
                stage=self.name,
            )
        try:
            document = orjson.loads(payload)  # which refuses bytes that are not UTF-8 as well
        except orjson.JSONDecodeError as exc:
            try:
                payload.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise RejectError(
                    RejectReason.UNDECODABLE,
                    f"the message value is not UTF-8 (bad byte at offset {bad.start}); "
                    "RawPage JSON must be UTF-8 encoded",
                    stage=self.name,
                ) from None
            document = _with_lone_surrogates_replaced(payload)
            if document is None:
                raise RejectError(
                    RejectReason.INVALID_JSON,
                    f"the message value is not JSON: {exc}; publish a RawPage JSON object",
                    stage=self.name,
                ) from None
        if not isinstance(document, dict):
            raise RejectError(
                RejectReason.INVALID_SCHEMA,
                f"expected a RawPage JSON object, got a JSON {type(document).__name__}",
                stage=self.name,
            )
        try:
            return RawPage.model_validate(document, context={"limits": self.limits})
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            too_large = any(
                err.get("loc") == ("content",) and "larger than the limit" in err.get("msg", "") for err in errors
            )
            summary = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in errors[:5])
            raise RejectError(
                RejectReason.TOO_LARGE if too_large else RejectReason.INVALID_SCHEMA,
                f"the message is not a valid RawPage v1: {summary}",
                stage=self.name,
                details=[{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors[:20]],
            ) from None


def peek_url(payload: bytes) -> str | None:
    """The ``url`` of a message that may not parse as a ``RawPage`` (for its dead letter), else None."""
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    url = document.get("url") if isinstance(document, dict) else None
    return url[:8192] if isinstance(url, str) else None
