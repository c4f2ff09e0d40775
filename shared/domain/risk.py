"""Ranks accounts for the Monday-morning list until the multi-signal health score lands: NPS level,
its quarter-over-quarter trend and the open cases, each scaled to 0..1."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.domain.nps import NpsStat

WEIGHT_LEVEL, WEIGHT_TREND, WEIGHT_CASES = 0.5, 0.3, 0.2
TREND_FULL_SCALE = 40.0  # a 40-point drop counts as the worst trend
CASES_FULL_SCALE = 3


class AccountRisk(BaseModel):
    model_config = ConfigDict(frozen=True)

    account_id: str
    risk: float  # 0 (healthy) .. 100 (act now)
    latest: NpsStat
    change: float | None  # latest NPS minus the quarter before, where both exist
    open_cases: int


def account_risk(account_id: str, quarters: list[NpsStat], open_cases: int) -> AccountRisk:
    """`quarters` oldest first; the latest quarter with answers is the one that counts."""
    measured = [q for q in quarters if q.nps is not None]
    latest = measured[-1] if measured else quarters[-1]
    level = (100 - latest.nps) / 200 if latest.nps is not None else 0.5
    change = measured[-1].nps - measured[-2].nps if len(measured) >= 2 else None  # type: ignore[operator]
    trend = min(max(-change / TREND_FULL_SCALE, 0.0), 1.0) if change is not None else 0.0
    cases = min(open_cases / CASES_FULL_SCALE, 1.0)
    risk = 100 * (WEIGHT_LEVEL * level + WEIGHT_TREND * trend + WEIGHT_CASES * cases)
    return AccountRisk(account_id=account_id, risk=round(risk, 1), latest=latest, change=change, open_cases=open_cases)
