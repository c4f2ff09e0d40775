"""The state machine files and how to fill their ${Placeholders} (CDK does the same with
definitionSubstitutions), defined once for the CDK stack, the local runtime and the ASL lint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_HERE = Path(__file__).parent
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True)
class StateMachineSpec:
    name: str
    file: str
    workflow_type: Literal[
        "EXPRESS", "STANDARD"
    ]  # EXPRESS: high volume, seconds long. STANDARD: waits for days.

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

RESPONSE_PIPELINE = StateMachineSpec("response-pipeline", "response_pipeline.asl.json", "EXPRESS")

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
