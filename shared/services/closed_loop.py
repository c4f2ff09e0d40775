"""The pipeline's CloseTheLoop step, only for answers to surveys npsops asked for: a case
follow-up's answer recovers or reopens its case (shared/services/cases.py); a pre-renewal answer
resumes the renewal escalation waiting for it (shared/services/renewals.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from shared.services.cases import CaseDesk
from shared.services.pipeline import ResponseStep
from shared.services.renewals import RenewalDesk


class LoopClosed(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    case: str | None  # the case the answer recovered or reopened
    case_status: str | None
    renewal_resumed: bool


@dataclass(frozen=True)
class CloseTheLoop:
    cases: CaseDesk
    renewals: RenewalDesk

    def __call__(self, step: ResponseStep) -> LoopClosed:
        case = self.cases.follow_up_answered(step.response)
        return LoopClosed(
            case=case.case_id if case else None,
            case_status=case.status.value if case else None,
            renewal_resumed=self.renewals.resume(step.response),
        )
