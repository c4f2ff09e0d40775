"""Every Lambda function, defined once for the CDK stack and the local runtime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from statemachines import STATE_MACHINES, StateMachineSpec

if TYPE_CHECKING:
    from functions.schedules import ScheduleSpec

# Lambda's own START, END and REPORT lines (~300 bytes an invocation, most of a step's log bytes) are
# platform logs at INFO; at WARN only the platform's warnings (timeouts, out of memory) are kept.
# Duration, errors and throttles stay CloudWatch metrics. The handlers log JSON at INFO (Powertools).
PLATFORM_LOG_LEVEL = "WARN"
APPLICATION_LOG_LEVEL = "INFO"


@dataclass(frozen=True)
class Route:
    """An HTTP API route to a function. Vendor routes are open to the internet and authenticated by
    the vendor's signature in the function; internal routes need IAM (SigV4) credentials."""

    method: str
    path: str  # API Gateway syntax: /v1/webhooks/{connection_id}
    internal: bool = False

    @property
    def key(self) -> str:
        """API Gateway's routeKey: what the function's router looks the route up by."""
        return f"{self.method} {self.path}"

    def matches(self, method: str, path: str) -> bool:
        wanted, given = self.path.strip("/").split("/"), path.strip("/").split("/")
        return (
            method == self.method
            and len(wanted) == len(given)
            and all(w == g or (w.startswith("{") and g != "") for w, g in zip(wanted, given, strict=True))
        )

    def parameters(self, path: str) -> dict[str, str]:
        """The path's values for this route's {parameters}, as API Gateway's pathParameters."""
        wanted, given = self.path.strip("/").split("/"), path.strip("/").split("/")
        return {w[1:-1]: g for w, g in zip(wanted, given, strict=False) if w.startswith("{")}


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
    routes: tuple[Route, ...] = ()

    @property
    def handler(self) -> str:
        return f"{self.module}.handler"


INTAKE = FunctionSpec(
    "intake",
    "functions.intake.handler",
    "Intake API: validate, store once, start the pipeline",
    # Bodies above this are refused before parsing (shared/config.py IntakeSettings).
    environment=(("MAX_BODY_BYTES", "65536"),),
    routes=(Route("POST", "/v1/responses"),),
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

WEBHOOK = FunctionSpec(
    "webhook",
    "functions.webhook.handler",
    "Vendor webhooks: verify the signature, parse, resolve the account, store once, start the pipeline",
    environment=INTAKE.environment,
    routes=(Route("POST", "/v1/webhooks/{connection_id}"), Route("HEAD", "/v1/webhooks/{connection_id}")),
)
DIRECTORY = FunctionSpec(
    "directory",
    "functions.directory.handler",
    "Internal API: survey connections, the contact directory and the quarantine",
    environment=INTAKE.environment,
    routes=(
        Route("GET", "/v1/connections", internal=True),
        Route("PUT", "/v1/connections/{connection_id}", internal=True),
        Route("DELETE", "/v1/connections/{connection_id}", internal=True),
        Route("PUT", "/v1/contacts", internal=True),
        Route("GET", "/v1/quarantine", internal=True),
    ),
)

ACCOUNTS_API = FunctionSpec(
    "accounts",
    "functions.accounts.handler",
    "Internal API: account signals in (usage, support, engagement, commercial, outcomes); the risk-ranked "
    "account list out",
    memory_mb=512,
    timeout_seconds=30,
    routes=(Route("PUT", "/v1/signals", internal=True), Route("GET", "/v1/accounts", internal=True)),
)

# Bulk import of response history (statemachines/bulk_import.asl.json). Sized for files of hundreds
# of thousands of rows: Split streams the file (never holds it) and may take minutes, so it has
# Lambda's longest timeout and the CPU of 1 GB; a chunk of 1,000 rows is ~1,150 DynamoDB writes
# (one conditional put per row, one update per account·quarter: bench/import_rate.py).
IMPORT_SPLIT = FunctionSpec(
    "import-split",
    "functions.import_split.handler",
    "Bulk import: stream the uploaded file into chunk objects of numbered rows",
    "ImportSplitFunctionArn",
    memory_mb=1024,
    timeout_seconds=900,
)
IMPORT_CHUNK = FunctionSpec(
    "import-chunk",
    "functions.import_chunk.handler",
    "Bulk import: one chunk of rows into stored responses and roll-up votes",
    "ImportChunkFunctionArn",
    memory_mb=512,
    timeout_seconds=240,
)
IMPORT_SUMMARIZE = FunctionSpec(
    "import-summarize",
    "functions.import_summarize.handler",
    "Bulk import: add up the chunks' counts and write the error report",
    "ImportSummarizeFunctionArn",
    memory_mb=512,
    timeout_seconds=300,
)

# The Slack pipe's enrichment (infra/constructs/crm.py): builds each message from its event.
CRM_MAPPING = FunctionSpec(
    "crm-mapping", "functions.crm_mapping.handler", "CRM destinations: the Slack message of an npsops event"
)

# The insight reports (shared/services/reports.py): read-only over the directory, roll-ups, signals, cases.
REPORTS_API = FunctionSpec(
    "reports",
    "functions.reports.handler",
    "Internal API: the revenue link by NPS band, portfolio NPS with significance, an account's QBR pack",
    memory_mb=512,
    timeout_seconds=30,
    routes=(
        Route("GET", "/v1/reports/revenue", internal=True),
        Route("GET", "/v1/reports/nps", internal=True),
        Route("GET", "/v1/accounts/{account_id}/qbr", internal=True),
    ),
)

# Survey orchestration and the quarterly refresh (issue 6): shared/services/surveys.py, refresh.py.
SURVEY_PLANNER = FunctionSpec(
    "survey-planner",
    "functions.survey_planner.handler",
    "Scheduled: plan the day's surveys under the fatigue rules; SurveyRequested / SurveySuppressed",
    memory_mb=512,
    timeout_seconds=600,
    # The vendor connection SurveyRequested names: the API destination infra/constructs/surveys.py wires.
    environment=(("SURVEY_CONNECTION", "delighted"),),
)
SURVEYS_API = FunctionSpec(
    "surveys",
    "functions.surveys_api.handler",
    "Internal API: milestones that ask for surveys (CRM, help desk, calendar); the survey requests",
    timeout_seconds=30,
    environment=SURVEY_PLANNER.environment,
    routes=(
        Route("PUT", "/v1/surveys/milestones", internal=True),
        Route("GET", "/v1/surveys", internal=True),
    ),
)
QUARTERLY_REFRESH_STEP = FunctionSpec(
    "quarterly-refresh",
    "functions.quarterly_refresh.handler",
    "Quarterly refresh steps: close the quarter, segment benchmarks, recalibrate thresholds, backtest",
    "QuarterlyRefreshFunctionArn",
    memory_mb=1024,
    timeout_seconds=600,
    environment=SURVEY_PLANNER.environment,
)
RECONCILE = FunctionSpec(
    "reconcile",
    "functions.reconcile.handler",
    "Scheduled daily: recompute every roll-up from the stored responses, repair and report drift",
    memory_mb=1024,
    timeout_seconds=900,
)


# The closed loop and the pre-renewal escalation (shared/services/cases.py, renewals.py).
CASES_API = FunctionSpec(
    "cases",
    "functions.cases.handler",
    "Internal API: list, acknowledge, contact and resolve cases; closed-loop metrics",
    memory_mb=512,
    timeout_seconds=30,
    environment=SURVEY_PLANNER.environment,  # resolving a detractor case asks for a follow-up survey
    routes=(
        Route("GET", "/v1/cases", internal=True),
        Route("GET", "/v1/cases/metrics", internal=True),
        Route("GET", "/v1/cases/{case_id}", internal=True),
        Route("POST", "/v1/cases/{case_id}/actions", internal=True),
    ),
)
CASE_SLA_SWEEP = FunctionSpec(
    "case-sla-sweep",
    "functions.case_sla_sweep.handler",
    "Scheduled: escalate cases whose first-contact SLA passed, CSM → CS lead → executive sponsor",
    timeout_seconds=300,
    environment=SURVEY_PLANNER.environment,
)
RENEWAL_SCANNER = FunctionSpec(
    "renewal-scanner",
    "functions.renewal_scanner.handler",
    "Scheduled: start one pre-renewal escalation per account entering its renewal window",
    memory_mb=512,
    timeout_seconds=300,
    environment=SURVEY_PLANNER.environment,
)
RENEWAL_CHECKPOINTS = FunctionSpec(
    "renewal-checkpoints",
    "functions.renewal_checkpoints.handler",
    "Renewal escalation: ask the pre-renewal survey, branch on its answer, escalate if still at risk",
    "RenewalCheckpointsFunctionArn",
    timeout_seconds=30,
    environment=SURVEY_PLANNER.environment,  # checkpoint 1 asks for the pre-renewal survey
)
CLOSE_THE_LOOP = FunctionSpec(
    "close-the-loop",
    "functions.close_the_loop.handler",
    "Pipeline step for answers npsops asked for: verify a case's recovery, resume a renewal escalation",
    "CloseTheLoopFunctionArn",
    environment=SURVEY_PLANNER.environment,
)
# Privacy (shared/services/privacy.py): export or erase a contact's data, both audited.
PRIVACY_API = FunctionSpec(
    "privacy",
    "functions.privacy.handler",
    "Internal API: export a contact's data, or erase what identifies them (scores kept); audited",
    memory_mb=512,
    timeout_seconds=120,  # an erasure scans the responses, cases and theme mentions
    routes=(
        Route("GET", "/v1/contacts/{contact_id}/export", internal=True),
        Route("POST", "/v1/contacts/{contact_id}/erase", internal=True),
    ),
)
FUNCTIONS = (
    CRM_MAPPING,
    INTAKE,
    WEBHOOK,
    DIRECTORY,
    ACCOUNTS_API,
    SCORE,
    AGGREGATE,
    EVALUATE_TRIGGERS,
    OPEN_CASES,
    IMPORT_SPLIT,
    IMPORT_CHUNK,
    IMPORT_SUMMARIZE,
    CASES_API,
    CASE_SLA_SWEEP,
    RENEWAL_SCANNER,
    RENEWAL_CHECKPOINTS,
    CLOSE_THE_LOOP,
    REPORTS_API,
    SURVEY_PLANNER,
    SURVEYS_API,
    QUARTERLY_REFRESH_STEP,
    RECONCILE,
    PRIVACY_API,
)
PIPELINE_FUNCTIONS = tuple(f for f in FUNCTIONS if f.asl_placeholder)
API_FUNCTIONS = tuple(f for f in FUNCTIONS if f.routes)


def route_for(method: str, path: str) -> tuple[FunctionSpec, Route] | None:
    """The route a request takes and the function behind it, as API Gateway would pick them."""
    return next(((f, r) for f in API_FUNCTIONS for r in f.routes if r.matches(method, path)), None)


def resolve_target(spec: ScheduleSpec) -> FunctionSpec | StateMachineSpec:
    """The function or state machine a schedule of functions/schedules.py fires. Here, not beside
    the schedules: the scheduled handlers import those, and their Lambda asset holds functions/
    only, while CDK and the local runtime read this catalog and statemachines/."""
    targets: dict[str, FunctionSpec | StateMachineSpec] = {f.name: f for f in FUNCTIONS}
    targets |= {m.name: m for m in STATE_MACHINES}
    if spec.target not in targets:
        raise KeyError(f"schedule {spec.name}: no function or state machine named {spec.target!r}")
    return targets[spec.target]
