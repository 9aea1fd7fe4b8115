"""The orjson codec, registered with Faust as ``orjson``.

newsflow consumes raw bytes (``value_serializer='raw'``) and validates with Pydantic in the agent, so a
codec never sees untrusted input: a raising codec would make Faust acknowledge and drop the message.
This codec serves Faust's own JSON needs and any topic declared with ``value_serializer='orjson'``.
"""

from __future__ import annotations

from typing import Any

import orjson
from faust.serializers import codecs

CODEC_NAME = "orjson"


class OrjsonCodec(codecs.Codec):  # type: ignore[misc]
    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)

    def _loads(self, s: bytes) -> Any:
        return orjson.loads(s)


def register_codec() -> None:
    """Register the codec once; safe to call again."""
    if CODEC_NAME not in codecs.codecs:
        codecs.register(CODEC_NAME, OrjsonCodec())
