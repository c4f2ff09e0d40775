"""The state machine files and how to fill their ${Placeholders} (CDK does the same with
definitionSubstitutions), defined once for the CDK stack, the local runtime and the ASL lint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_HERE = Path(__file__).parent
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")

LogLevel = Literal["ALL", "ERROR", "FATAL", "OFF"]
_FATAL_EVENTS = ("ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")


def logged_at(level: LogLevel, event_type: str) -> bool:
    """Whether Step Functions logs a history event of this type at this log level: ERROR keeps the
    failures (a task's, a state's, the execution's), FATAL only the execution's."""
    if level == "ALL":
        return True
    if level == "ERROR":
        return event_type.endswith(("Failed", "Aborted", "TimedOut")) or event_type == "FailStateEntered"
    return level == "FATAL" and event_type in _FATAL_EVENTS


@dataclass(frozen=True)
class StateMachineSpec:
    name: str
    file: str
    workflow_type: Literal[
        "EXPRESS", "STANDARD"
    ]  # EXPRESS: high volume, seconds long. STANDARD: waits for days.
    # What its CloudWatch log group receives (never the states' input and output: they hold
    # customers' comments and emails). Deployments may change it: `cdk deploy -c logLevel:NAME=ALL`.
    log_level: LogLevel = "ALL"

    @property
    def path(self) -> Path:
        return _HERE / self.file

    def template(self) -> str:
        return self.path.read_text()

    def placeholders(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.template()))

    def render(self, substitutions: dict[str, str]) -> str:
        missing = self.placeholders() - substitutions.keys()
        if missing:
            raise KeyError(f"{self.file} needs values for {sorted(missing)}")
        return _PLACEHOLDER.sub(lambda m: substitutions[m.group(1)], self.template())


# The pipeline's ${ResponsesTable}: the table its direct DynamoDB tasks update. Function ARN
# placeholders are named in functions/catalog.py (FunctionSpec.asl_placeholder).
RESPONSES_TABLE_PLACEHOLDER = "ResponsesTable"

# The bulk import's ${ImportsBucket}: where Split writes the chunks that its Distributed Map lists.
IMPORTS_BUCKET_PLACEHOLDER = "ImportsBucket"

# Logs its failures only: an EXPRESS history is its log, and every state's events of every response
# (~6.4 KB) were the largest part of the core path's cost per million responses after DynamoDB
# (bench/cost_per_million.py). A failure is still logged (the failed task and state, the error and
# its cause, the execution's end), the failed response stays in the Responses table's failed index
# for redrive, and the alarms count failed executions from Step Functions' own metrics.
# `-c logLevel:response-pipeline=ALL` shows every path in the console while someone is watching.
RESPONSE_PIPELINE = StateMachineSpec(
    "response-pipeline", "response_pipeline.asl.json", "EXPRESS", log_level="ERROR"
)

# STANDARD: an import of hundreds of thousands of rows runs for minutes and must run exactly once.
# Its chunks run in a Distributed Map whose ItemReader lists the chunk objects Split wrote (S3
# listObjectsV2), one child execution per chunk. Not ItemReader CSV + ItemBatcher straight over the
# upload, because: moto 5.2.5's engine (the local runtime and the integration tests) does not parse
# ItemBatcher; the CSV reader hands items over without their row number, which the error report
# needs; it cannot read JSON lines; and a malformed row fails the item reader (the whole Map Run)
# instead of becoming one reported error.
# Children are STANDARD too: moto only accepts ExecutionType STANDARD, and on AWS it gives each chunk
# an exactly-once run with its own history in the console, for a few state transitions per 1,000 rows.
BULK_IMPORT = StateMachineSpec("bulk-import", "bulk_import.asl.json", "STANDARD")
# STANDARD: waits weeks (for the pre-renewal answer, then until 30 days before the renewal). Its
# Wait and task timeout come from the execution's input (the plan's timestamps), so the local
# runtime's simulated clock can run a whole renewal cycle in seconds.
RENEWAL_ESCALATION = StateMachineSpec("renewal-escalation", "renewal_escalation.asl.json", "STANDARD")
# STANDARD: run once a quarter, each step idempotent per quarter; its history is the audit trail of
# how a threshold set came to be. Minutes long at most (snapshots of every account).
QUARTERLY_REFRESH = StateMachineSpec("quarterly-refresh", "quarterly_refresh.asl.json", "STANDARD")
STATE_MACHINES = (RESPONSE_PIPELINE, BULK_IMPORT, RENEWAL_ESCALATION, QUARTERLY_REFRESH)
