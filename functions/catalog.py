"""Every Lambda function, defined once for the CDK stack and the local runtime."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    module: str  # the handler module; the entry point is its `handler`
    description: str
    # The ${Placeholder} in statemachines/*.asl.json that receives this function's ARN, if any.
    asl_placeholder: str | None = None
    memory_mb: int = 256
    timeout_seconds: int = 15
    # Settings this function needs beyond the common ones (tables, bus, Powertools), as pairs.
    environment: tuple[tuple[str, str], ...] = ()

    @property
    def handler(self) -> str:
        return f"{self.module}.handler"


INTAKE = FunctionSpec(
    "intake",
    "functions.intake.handler",
    "Intake API: validate, store once, start the pipeline",
    # Bodies above this are refused before parsing (shared/config.py IntakeSettings).
    environment=(("MAX_BODY_BYTES", "65536"),),
)
SCORE = FunctionSpec(
    "score", "functions.score.handler", "Band, play and quarter of a response", "ScoreFunctionArn"
)
AGGREGATE = FunctionSpec(
    "aggregate",
    "functions.aggregate.handler",
    "One vote per contact in the account roll-up",
    "AggregateFunctionArn",
)
EVALUATE_TRIGGERS = FunctionSpec(
    "evaluate-triggers",
    "functions.evaluate_triggers.handler",
    "Trigger rules over the response and its roll-up",
    "EvaluateTriggersFunctionArn",
)
OPEN_CASES = FunctionSpec(
    "open-cases", "functions.open_cases.handler", "Open one case per firing, once", "OpenCasesFunctionArn"
)

FUNCTIONS = (INTAKE, SCORE, AGGREGATE, EVALUATE_TRIGGERS, OPEN_CASES)
PIPELINE_FUNCTIONS = tuple(f for f in FUNCTIONS if f.asl_placeholder)
