"""The pure (Kafka-free) pipeline: raw message bytes in, ``Article`` or ``Rejected`` out.

Both drivers, the Faust worker and ``newsflow process``, call :class:`Pipeline`.
"""

from workers.pipeline.errors import RejectError
from workers.pipeline.pipeline import Pipeline, PipelineSettings, Stages

__all__ = ["Pipeline", "PipelineSettings", "RejectError", "Stages"]
