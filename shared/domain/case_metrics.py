"""How the closed loop performs, per quarter and segment (the QBR's "You said / we did / outcome"
rows are shared/domain/qbr.py loop_record).

- save rate: of the detractor cases whose follow-up was answered, the share recovered;
- median hours to first contact, over the cases contacted;
- median days to recovery (opened → recovered), over the recovered;
- SLAs kept: of the cases whose first-contact SLA is decided (contacted, or missed), the share
  contacted in time.
Pure: cases and the accounts' segments in, figures out.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from pydantic import BaseModel, ConfigDict

from shared.domain.cases import Case, CaseStatus
from shared.domain.triggers import TriggerRule

UNKNOWN_SEGMENT = "unknown"


class CaseMetrics(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    segment: str
    cases: int
    detractor_cases: int
    followed_up: int  # detractor cases whose follow-up was answered
    recovered: int
    save_rate: float | None  # recovered / followed_up
    median_hours_to_first_contact: float | None
    median_days_to_recovery: float | None
    sla_decided: int
    sla_kept: int
    sla_kept_share: float | None


def case_metrics(cases: list[Case], segments: dict[str, str]) -> list[CaseMetrics]:
    """One row per quarter and segment the cases fall in, plus an "all" segment per quarter."""
    groups: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in cases:
        groups[(case.quarter, segments.get(case.account_id, UNKNOWN_SEGMENT))].append(case)
        groups[(case.quarter, "all")].append(case)
    return [_metrics(quarter, segment, group) for (quarter, segment), group in sorted(groups.items())]


def _metrics(quarter: str, segment: str, cases: list[Case]) -> CaseMetrics:
    detractor = [c for c in cases if c.rule == TriggerRule.DETRACTOR_RECOVERY]
    followed_up = [c for c in detractor if c.follow_up_scores]
    recovered = [c for c in followed_up if c.status is CaseStatus.RECOVERED]
    contact_hours = [
        (c.first_contact_at - c.opened_at).total_seconds() / 3600 for c in cases if c.first_contact_at
    ]
    recovery_days = [
        (c.recovered_at - c.opened_at).total_seconds() / 86400 for c in recovered if c.recovered_at
    ]
    decided = [c for c in cases if c.first_contact_at or c.sla_breached]
    kept = [c for c in decided if not c.sla_breached]
    return CaseMetrics(
        quarter=quarter,
        segment=segment,
        cases=len(cases),
        detractor_cases=len(detractor),
        followed_up=len(followed_up),
        recovered=len(recovered),
        save_rate=_share(len(recovered), len(followed_up)),
        median_hours_to_first_contact=round(median(contact_hours), 2) if contact_hours else None,
        median_days_to_recovery=round(median(recovery_days), 2) if recovery_days else None,
        sla_decided=len(decided),
        sla_kept=len(kept),
        sla_kept_share=_share(len(kept), len(decided)),
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
