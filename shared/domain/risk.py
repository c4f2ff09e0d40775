"""Ranks accounts for the Monday-morning list: NPS level, its quarter-over-quarter trend, the open
cases and the multi-signal health score, each scaled to 0..1. Where health is unknown (no signals
and no NPS), its weight is spread over the others, as health spreads a missing input's.

Small samples are shrunk toward the portfolio NPS (PRIOR_WEIGHT pseudo-votes), so one unhappy
contact does not outrank an enterprise account sliding over many answers.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.domain.nps import NpsStat

WEIGHT_LEVEL, WEIGHT_TREND, WEIGHT_CASES, WEIGHT_HEALTH = 0.3, 0.2, 0.2, 0.3
TREND_FULL_SCALE = 40.0  # a 40-point drop counts as the worst trend
CASES_FULL_SCALE = 3
PRIOR_WEIGHT = 4.0


class AccountRisk(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    risk: float  # 0 (healthy) .. 100 (act now)
    latest: NpsStat
    change: float | None  # shrunk latest NPS minus the shrunk quarter before, where both exist
    open_cases: int
    health: float | None = None


def shrunk_nps(stat: NpsStat, prior_nps: float) -> float | None:
    if stat.nps is None:
        return None
    return (stat.n * stat.nps + PRIOR_WEIGHT * prior_nps) / (stat.n + PRIOR_WEIGHT)


def account_risk(
    account_id: str, quarters: list[NpsStat], open_cases: int, prior_nps: float, health: float | None = None
) -> AccountRisk:
    """`quarters` oldest first; the latest quarter with answers is the one that counts."""
    measured = [q for q in quarters if q.nps is not None]
    latest = measured[-1] if measured else quarters[-1]
    level_nps = shrunk_nps(latest, prior_nps)
    level = (100 - level_nps) / 200 if level_nps is not None else 0.5
    change = None
    if len(measured) >= 2:
        now, before = shrunk_nps(measured[-1], prior_nps), shrunk_nps(measured[-2], prior_nps)
        change = round(now - before, 1) if now is not None and before is not None else None
    trend = min(max(-change / TREND_FULL_SCALE, 0.0), 1.0) if change is not None else 0.0
    cases = min(open_cases / CASES_FULL_SCALE, 1.0)
    parts = [(WEIGHT_LEVEL, level), (WEIGHT_TREND, trend), (WEIGHT_CASES, cases)]
    if health is not None:
        parts.append((WEIGHT_HEALTH, (100 - health) / 100))
    risk = 100 * sum(w * v for w, v in parts) / sum(w for w, _ in parts)
    return AccountRisk(
        account_id=account_id,
        risk=round(risk, 1),
        latest=latest,
        change=change,
        open_cases=open_cases,
        health=health,
    )
