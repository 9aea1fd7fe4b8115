"""The one exception a stage raises for input that cannot become an article: :class:`RejectError`."""

from __future__ import annotations

from typing import Any

from schemas import RejectReason


class RejectError(Exception):
    """Raised by a stage when its input cannot become an article; the driver dead-letters it."""

    def __init__(
        self,
        reason: RejectReason,
        message: str,
        *,
        stage: str,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.stage = stage
        self.details = details or []
