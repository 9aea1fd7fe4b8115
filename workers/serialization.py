"""One serialisation for every output, so the offline and stream drivers emit identical bytes."""

from __future__ import annotations

import orjson
from pydantic import BaseModel


def to_json_bytes(model: BaseModel) -> bytes:
    return orjson.dumps(model.model_dump(mode="json"))
