"""Export the JSON Schema of every topic contract."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.article import ARTICLE_SCHEMA_VERSION, Article
from schemas.raw_page import RAW_PAGE_SCHEMA_VERSION, RawPage
from schemas.rejected import REJECTED_SCHEMA_VERSION, Rejected
from schemas.story import STORY_SCHEMA_VERSION, Story

CONTRACTS: dict[str, tuple[type[BaseModel], int]] = {
    "raw_page": (RawPage, RAW_PAGE_SCHEMA_VERSION),
    "article": (Article, ARTICLE_SCHEMA_VERSION),
    "rejected": (Rejected, REJECTED_SCHEMA_VERSION),
    "story": (Story, STORY_SCHEMA_VERSION),
}
CHECKED_IN = Path(__file__).parent / "json"


def schema_documents() -> dict[str, str]:
    """File name -> JSON Schema text, e.g. ``article.v1.schema.json``."""
    documents = {}
    for name, (model, version) in CONTRACTS.items():
        schema = model.model_json_schema(mode="serialization" if name != "raw_page" else "validation")
        schema["$id"] = f"https://newsflow.dev/schemas/{name}.v{version}.schema.json"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        documents[f"{name}.v{version}.schema.json"] = (
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    return documents


def export(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in schema_documents().items():
        path = directory / filename
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
