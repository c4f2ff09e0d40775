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

RESPONSE_PIPELINE = StateMachineSpec("response-pipeline", "response_pipeline.asl.json", "EXPRESS")
STATE_MACHINES = (RESPONSE_PIPELINE,)
