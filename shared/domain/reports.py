"""Report arithmetic: the revenue link (what each NPS band of accounts did commercially) and
portfolio NPS (unweighted, ARR- and seat-weighted, with margins of error and significance). Pure:
the caller gathers the facts (shared/services/reports.py).

**Account band.** An account's band in a quarter comes from its relational NPS there: promoter account
at NPS ≥ `PROMOTER_ACCOUNT_MIN_NPS` (+50: clearly more promoters than anyone else), detractor account
below `DETRACTOR_ACCOUNT_MAX_NPS` (0: more detractors than promoters), passive otherwise. One voter
keeps their own band (a 9 is +100, a 7 is 0, a 3 is -100). No votes: no band, not in the link.

**Revenue, per quarter, segment and band** (facts from the Outcome and Commercial signals):
- renewal rate = renewed / (renewed + churned): of the accounts whose renewal was decided;
- churn rate = churned / accounts with an outcome signal in the quarter;
- expansion rate = accounts with expansion ARR > 0 / accounts with an outcome signal; average
  expansion ARR over the accounts that expanded;
- GRR = (start ARR - churned ARR - contraction) / start ARR, NRR = GRR's numerator + expansion ARR over
  start ARR. Start ARR is the account's commercial ARR of the quarter before (else this quarter's,
  else the directory's); contraction is the fall of commercial ARR quarter over quarter of an account
  that stayed; expansion is the Outcome's expansion ARR;
- reference yield = accounts that gave at least one reference / accounts with an outcome signal
  (what it is for: promoter accounts);
- the save rate of recovery cases is the closed loop's own (shared/domain/case_metrics.py), per quarter
  and segment, not per band: a recovery case is about a detractor whatever the account's NPS.

**Weighted NPS.** ARR- and seat-weighted NPS give each account its weight w, shared equally by its
voters: voter weight v = w / n_account. The margin of error uses the trinomial variance of the
weighted proportions over Kish's effective sample size n_eff = (Σv)² / Σv², which is n when the
weights are equal, so a weighted NPS carried by one large account shows a wide margin.

**Significance.** Two NPS differ significantly when |z| > 1.96 (two-sided, 5%), with
z = (NPS₁ - NPS₂) / √(Var₁/n₁ + Var₂/n₂) on proportions and the trinomial Var = p_P + p_D - (p_P - p_D)².
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.models import Band
from shared.domain.nps import Z_95, BandCounts

PROMOTER_ACCOUNT_MIN_NPS = 50.0
DETRACTOR_ACCOUNT_MAX_NPS = 0.0  # strictly below is a detractor account
ALL = "all"  # the segment of the portfolio-wide rows


def account_band(counts: BandCounts) -> Band | None:
    if counts.n == 0:
        return None
    nps = (counts.promoters - counts.detractors) * 100 / counts.n
    if nps >= PROMOTER_ACCOUNT_MIN_NPS:
        return Band.PROMOTER
    if nps < DETRACTOR_ACCOUNT_MAX_NPS:
        return Band.DETRACTOR
    return Band.PASSIVE


# --- the revenue link --------------------------------------------------------------------------------


class AccountQuarter(BaseModel):
    """One account in one quarter, as the revenue link reads it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    account_id: str
    quarter: str
    segment: str
    counts: BandCounts  # its relational votes in the quarter
    start_arr: float | None = Field(default=None, ge=0)
    end_arr: float | None = Field(default=None, ge=0)  # the quarter's commercial ARR
    has_outcome: bool = False
    renewed: bool | None = None
    churned: bool | None = None
    expansion_arr: float = Field(default=0, ge=0)
    references_given: int = Field(default=0, ge=0)


class RevenueRow(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    segment: str  # ALL for the portfolio
    band: Band
    accounts: int  # with votes in this band
    with_outcome: int
    renewed: int
    churned: int
    renewal_rate: float | None  # 0..1; None where nothing was decided
    churn_rate: float | None
    expansion_rate: float | None
    average_expansion_arr: float | None
    start_arr: float
    churned_arr: float
    contraction_arr: float
    expansion_arr: float
    grr: float | None  # 0..1
    nrr: float | None
    references_given: int
    reference_yield: float | None


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def revenue_row(quarter: str, segment: str, band: Band, rows: list[AccountQuarter]) -> RevenueRow:
    outcomes = [r for r in rows if r.has_outcome]
    renewed = sum(1 for r in outcomes if r.renewed)
    churned = sum(1 for r in outcomes if r.churned)
    expanded = [r for r in outcomes if r.expansion_arr > 0]
    start, churned_arr, contraction, expansion = _arr_moves(rows)
    kept = start - churned_arr - contraction
    return RevenueRow(
        quarter=quarter,
        segment=segment,
        band=band,
        accounts=len(rows),
        with_outcome=len(outcomes),
        renewed=renewed,
        churned=churned,
        renewal_rate=_ratio(renewed, renewed + churned),
        churn_rate=_ratio(churned, len(outcomes)),
        expansion_rate=_ratio(len(expanded), len(outcomes)),
        average_expansion_arr=(
            round(sum(r.expansion_arr for r in expanded) / len(expanded), 2) if expanded else None
        ),
        start_arr=round(start, 2),
        churned_arr=round(churned_arr, 2),
        contraction_arr=round(contraction, 2),
        expansion_arr=round(expansion, 2),
        grr=_ratio(kept, start),
        nrr=_ratio(kept + expansion, start),
        references_given=sum(r.references_given for r in rows),
        reference_yield=_ratio(sum(1 for r in outcomes if r.references_given > 0), len(outcomes)),
    )


def _arr_moves(rows: list[AccountQuarter]) -> tuple[float, float, float, float]:
    """Start ARR, churned ARR, contraction and expansion of a group of accounts (module docstring)."""
    start = sum(r.start_arr or 0.0 for r in rows)
    churned = sum(r.start_arr or 0.0 for r in rows if r.churned)
    contraction = sum(
        max(0.0, r.start_arr - r.end_arr)
        for r in rows
        if not r.churned and r.start_arr is not None and r.end_arr is not None
    )
    return start, churned, contraction, sum(r.expansion_arr for r in rows)


def revenue_rows(facts: Iterable[AccountQuarter]) -> list[RevenueRow]:
    """One row per quarter, segment (and ALL) and band that has accounts; quarters in order."""
    groups: dict[tuple[str, str, Band], list[AccountQuarter]] = defaultdict(list)
    for fact in facts:
        band = account_band(fact.counts)
        if band is None:
            continue
        groups[(fact.quarter, fact.segment, band)].append(fact)
        groups[(fact.quarter, ALL, band)].append(fact)
    order = {Band.PROMOTER: 0, Band.PASSIVE: 1, Band.DETRACTOR: 2}
    keys = sorted(groups, key=lambda k: (k[0], k[1] != ALL, k[1], order[k[2]]))
    return [revenue_row(q, s, b, groups[(q, s, b)]) for q, s, b in keys]


class NpsBesideNrr(BaseModel):
    """A segment's NPS movement beside its NRR in the same quarter."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    quarter: str
    segment: str
    nps: float | None
    nps_change: float | None  # points since the quarter before
    nrr: float | None


def nps_beside_nrr(facts: list[AccountQuarter], quarters: list[str]) -> list[NpsBesideNrr]:
    """`quarters` in order; the first one is only the baseline of the second's movement."""
    counts: dict[tuple[str, str], BandCounts] = defaultdict(BandCounts)
    by_group: dict[tuple[str, str], list[AccountQuarter]] = defaultdict(list)
    for fact in facts:
        for segment in (fact.segment, ALL):
            counts[(fact.quarter, segment)] += fact.counts
            by_group[(fact.quarter, segment)].append(fact)
    segments = sorted({s for _, s in counts}, key=lambda s: (s != ALL, s))
    rows = []
    for before, quarter in pairwise(quarters):
        for segment in segments:
            now, then = _nps_value(counts[(quarter, segment)]), _nps_value(counts[(before, segment)])
            group = by_group[(quarter, segment)]
            if not group:
                continue
            start, churned, contraction, expansion = _arr_moves(group)
            rows.append(
                NpsBesideNrr(
                    quarter=quarter,
                    segment=segment,
                    nps=now,
                    nps_change=None if now is None or then is None else round(now - then, 2),
                    nrr=_ratio(start - churned - contraction + expansion, start),
                )
            )
    return rows


def _nps_value(counts: BandCounts) -> float | None:
    return round((counts.promoters - counts.detractors) * 100 / counts.n, 2) if counts.n else None


# --- portfolio NPS: weighted, with margins, and significance ------------------------------------------


class Weighting(StrEnum):
    UNWEIGHTED = "unweighted"
    ARR = "arr"
    SEATS = "seats"


class WeightedNps(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    weighting: Weighting
    n: int  # voters
    effective_n: float  # Kish's effective sample size (n when unweighted)
    nps: float | None
    margin_of_error: float | None
    variance: float | None  # trinomial, of the (weighted) proportions
    insufficient_sample: bool


class AccountVotes(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    counts: BandCounts
    arr: float = Field(ge=0)
    seats: int = Field(ge=0)


def weighted_nps(accounts: list[AccountVotes], weighting: Weighting, min_sample: int) -> WeightedNps:
    """NPS over accounts' votes, each account weighted by ARR, seats, or its number of voters
    (unweighted: every voter counts once). See the module docstring for the margin of error."""
    voted = [a for a in accounts if a.counts.n > 0]
    n = sum(a.counts.n for a in voted)
    weights = [_weight(a, weighting) for a in voted]
    total = sum(weights)
    if n == 0 or total <= 0:
        return WeightedNps(
            weighting=weighting, n=n, effective_n=0.0, nps=None, margin_of_error=None, variance=None,
            insufficient_sample=True,
        )  # fmt: skip
    p_p = sum(w * a.counts.promoters / a.counts.n for w, a in zip(weights, voted, strict=True)) / total
    p_d = sum(w * a.counts.detractors / a.counts.n for w, a in zip(weights, voted, strict=True)) / total
    variance = max(0.0, p_p + p_d - (p_p - p_d) ** 2)
    effective_n = total**2 / sum(w * w / a.counts.n for w, a in zip(weights, voted, strict=True))
    return WeightedNps(
        weighting=weighting,
        n=n,
        effective_n=round(effective_n, 2),
        nps=round((p_p - p_d) * 100, 2),
        margin_of_error=round(Z_95 * math.sqrt(variance / effective_n) * 100, 2),
        variance=round(variance, 6),
        insufficient_sample=effective_n < min_sample,
    )


def _weight(account: AccountVotes, weighting: Weighting) -> float:
    if weighting is Weighting.ARR:
        return account.arr
    if weighting is Weighting.SEATS:
        return float(account.seats)
    return float(account.counts.n)


class Difference(BaseModel):
    """One NPS beside another: the difference in points, z, the two-sided p-value, and whether it is
    beyond the 5% noise."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    first: str
    second: str
    difference: float
    z: float
    p_value: float
    significant: bool


def nps_difference(first: str, a: WeightedNps, second: str, b: WeightedNps) -> Difference | None:
    """The two-sample z test of the module docstring; None when either side has no votes or both have
    no variance (unanimous samples: no test to run)."""
    if a.nps is None or b.nps is None or a.variance is None or b.variance is None:
        return None
    spread = a.variance / a.effective_n + b.variance / b.effective_n
    if spread <= 0:
        return None
    z = (a.nps - b.nps) / 100 / math.sqrt(spread)
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return Difference(
        first=first,
        second=second,
        difference=round(a.nps - b.nps, 2),
        z=round(z, 4),
        p_value=round(p_value, 6),
        significant=abs(z) > Z_95,
    )
