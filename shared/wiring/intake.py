"""The generic intake (POST /v1/responses): its own module, so that its function loads neither the
vendor parsers nor the webhooks service (tests/unit/test_cold_start_imports.py)."""

from __future__ import annotations

from shared.config import IntakeSettings
from shared.services.intake import Intake
from shared.store.executions import PipelineStarter
from shared.store.responses import ResponseRepository


def intake(settings: IntakeSettings) -> Intake:
    """Store once, start the pipeline."""
    return Intake(
        responses=ResponseRepository(settings.responses_table),
        pipeline=PipelineStarter(settings.pipeline_arn),
    )
