"""The QBR pack's rules: the agenda by band and the "You said / we did / outcome" record of a case.

The agenda follows the account's band (shared/domain/reports.py account_band) as the plays of
docs/cs-leads.md#scores-bands-and-plays follow a score: 0-6 problem resolution, 7-8 optimization,
9-10 expansion and advocacy. Its items come from what the account told us (open cases, their themes)
and what we know (health inputs, references).

A case records `root_cause`, `action_taken` and `outcome` as its loop closes; until then the record
shows its latest status note (marked as such) and its status, rather than inventing either.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.domain.cases import Case
from shared.domain.health import Health
from shared.domain.models import Band

AGENDA_HEADINGS: dict[Band, str] = {
    Band.DETRACTOR: "Problem resolution",
    Band.PASSIVE: "Optimization",
    Band.PROMOTER: "Expansion and advocacy",
}
BAND_SCORES: dict[Band, str] = {Band.DETRACTOR: "0-6", Band.PASSIVE: "7-8", Band.PROMOTER: "9-10"}
NOT_RECORDED = "not recorded yet"


class Agenda(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    band: Band | None  # None: no votes in the last four quarters
    heading: str
    scores: str  # the score range the heading is for
    items: list[str]


def agenda_for(
    band: Band | None,
    open_cases: list[Case],
    themes: list[str],
    health: Health,
    references_given: int,
) -> Agenda:
    issues = [f"Resolve: {case.summary} (owner {case.owner})" for case in open_cases[:5]]
    theme_text = ", ".join(themes)
    if band is None:
        return Agenda(
            band=None,
            heading="Listen first",
            scores="no answers",
            items=["No NPS answers in the last four quarters: agree who we survey and when", *issues],
        )
    items: list[str]
    if band is Band.DETRACTOR:
        items = [
            *issues,
            "Agree the root cause, the fix and its owner for each issue raised"
            + (f" ({theme_text})" if theme_text else ""),
            "Commit to dates and to a follow-up survey once the fixes land",
        ]
    elif band is Band.PASSIVE:
        weakest = min(
            ((name, value) for name, value in health.components.items() if value is not None),
            key=lambda item: item[1],
            default=None,
        )
        items = [
            "What would make us a 9? Close the gaps they named" + (f": {theme_text}" if theme_text else ""),
            *(
                [f"Optimize {weakest[0]}: its health input is {weakest[1]:.0f}/100, the weakest"]
                if weakest
                else []
            ),
            "Adoption review: the features and workflows they are not using yet",
            *issues,
        ]
    else:
        items = [
            "Expansion: more seats, teams or product lines where the value is proven"
            + (f"; the features they asked for: {theme_text}" if "missing_feature" in themes else ""),
            f"Advocacy: a reference, case study or review (references given so far: {references_given})",
            "Roadmap preview and an executive sponsor touchpoint",
            *issues,
        ]
    return Agenda(band=band, heading=AGENDA_HEADINGS[band], scores=BAND_SCORES[band], items=items)


class LoopRecord(BaseModel):
    """One row of "You said / we did / outcome"."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    case_id: str
    quarter: str
    you_said: str
    root_cause: str
    we_did: str
    outcome: str


def loop_record(case: Case) -> LoopRecord | None:
    """The case's record when a customer said something (a comment or a score); None otherwise."""
    evidence: dict[str, Any] = case.evidence
    comment, score = evidence.get("comment"), evidence.get("score")
    if not comment and score is None:
        return None
    said = comment or f"scored {score}"
    if comment and score is not None:
        said = f"{comment} (scored {score})"
    action = case.action_taken
    if not action:
        notes = [change.note for change in case.history[1:] if change.note]
        action = f"{notes[-1]} (status note; no action recorded)" if notes else NOT_RECORDED
    return LoopRecord(
        case_id=case.case_id,
        quarter=case.quarter,
        you_said=said,
        root_cause=case.root_cause or NOT_RECORDED,
        we_did=action,
        outcome=case.outcome or f"case {case.status}",
    )
