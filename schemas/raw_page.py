"""``RawPage`` v1: what crawlers publish to the raw-pages topic."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

RAW_PAGE_SCHEMA_VERSION: Final = 1
DEFAULT_MAX_CONTENT_BYTES = 5 * 1024 * 1024
_MAX_HEADERS = 64
_MAX_METADATA_KEYS = 32
_MAX_SMALL_STRING = 2048

MetadataValue = str | int | float | bool | None


class ContentType(StrEnum):
    HTML = "text/html"
    TEXT = "text/plain"


class RawPageLimits(BaseModel):
    """Limits applied while validating a ``RawPage``; pass as ``context={"limits": ...}``."""

    model_config = ConfigDict(frozen=True)

    max_content_bytes: int = Field(DEFAULT_MAX_CONTENT_BYTES, gt=0)


def _limits(info: ValidationInfo) -> RawPageLimits:
    context = info.context if isinstance(info.context, dict) else {}
    limits = context.get("limits")
    return limits if isinstance(limits, RawPageLimits) else RawPageLimits()


def sniff_content_type(content: str) -> ContentType:
    """HTML when the page starts like markup or carries the usual structural tags."""
    head = content[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body", "<meta", "<!--")):
        return ContentType.HTML
    markers = ("<p>", "<p ", "<div", "<article", "<br", "<h1", "<title", "<span")
    if sum(head.count(m) for m in markers) >= 2:
        return ContentType.HTML
    return ContentType.TEXT


class RawPage(BaseModel):
    """One fetched web page, as a crawler publishes it.

    ``content`` is the page's HTML or its flattened text. Unknown fields are ignored so that
    producers can add their own without breaking consumers.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    schema_version: Literal[1] = RAW_PAGE_SCHEMA_VERSION
    url: Annotated[str, Field(min_length=1, max_length=8192, examples=["https://example.com/news/1.html"])]
    fetched_at: AwareDatetime = Field(description="When the page was fetched; must carry a timezone.")
    content: str = Field(description="Page HTML or flattened page text, already decoded to Unicode.")
    content_type: ContentType | None = Field(
        None, description="text/html or text/plain; sniffed from the content when absent."
    )
    encoding: Annotated[str, Field(max_length=64)] | None = Field(
        None, description="Charset the crawler decoded the page with, for the record."
    )
    site: Annotated[str, Field(max_length=253)] | None = Field(
        None, description="Publisher host, e.g. vnexpress.net; derived from the URL when absent."
    )
    http_status: Annotated[int, Field(ge=100, le=599)] | None = None
    headers: dict[str, Annotated[str, Field(max_length=_MAX_SMALL_STRING)]] = Field(default_factory=dict)
    crawl_id: Annotated[str, Field(max_length=256)] | None = None
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https", "file"}:
            raise ValueError(
                f"url must be an absolute http(s) or file URL, got {value[:200]!r}; "
                "send the page's full address, e.g. 'https://example.com/a.html'"
            )
        if parts.scheme != "file" and not parts.hostname:
            raise ValueError(f"url {value[:200]!r} has no host")
        if any(ch.isspace() for ch in value):
            raise ValueError(f"url {value[:200]!r} contains whitespace; percent-encode it")
        return value

    @field_validator("content")
    @classmethod
    def _check_size(cls, value: str, info: ValidationInfo) -> str:
        limit = _limits(info).max_content_bytes
        # Cheap bound first: UTF-8 needs at least one byte per code point, at most four.
        if len(value) > limit or (len(value) * 4 > limit and len(value.encode("utf-8", "surrogatepass")) > limit):
            raise ValueError(
                f"content is larger than the limit of {limit} bytes; "
                "raise NEWSFLOW_MAX_CONTENT_BYTES or trim the page before publishing"
            )
        return value

    @field_validator("headers")
    @classmethod
    def _check_headers(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > _MAX_HEADERS:
            raise ValueError(f"headers has {len(value)} entries; at most {_MAX_HEADERS} are kept")
        return {k.lower(): v for k, v in value.items()}

    @field_validator("metadata")
    @classmethod
    def _check_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > _MAX_METADATA_KEYS:
            raise ValueError(f"metadata has {len(value)} keys; at most {_MAX_METADATA_KEYS} are allowed")
        for key, item in value.items():
            if isinstance(item, str) and len(item) > _MAX_SMALL_STRING:
                raise ValueError(f"metadata[{key!r}] is longer than {_MAX_SMALL_STRING} characters")
        return value

    @model_validator(mode="after")
    def _fill_derived(self) -> RawPage:
        if self.content_type is None:
            object.__setattr__(self, "content_type", sniff_content_type(self.content))
        if self.site is None:
            host = urlsplit(self.url).hostname
            if host:
                object.__setattr__(self, "site", host.removeprefix("www."))
        return self

    @property
    def is_html(self) -> bool:
        return self.content_type == ContentType.HTML
