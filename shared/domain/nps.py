"""NPS with its sample size and 95% margin of error (trinomial variance)."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

Z_95 = 1.96


class BandCounts(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    promoters: int = Field(default=0, ge=0)
    passives: int = Field(default=0, ge=0)
    detractors: int = Field(default=0, ge=0)

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    def __add__(self, other: BandCounts) -> BandCounts:
        return BandCounts(
            promoters=self.promoters + other.promoters,
            passives=self.passives + other.passives,
            detractors=self.detractors + other.detractors,
        )


class NpsStat(BaseModel):
    """NPS is never shown without n and its margin of error."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    n: int
    nps: float | None  # None when n == 0
    margin_of_error: float | None
    insufficient_sample: bool

    def __str__(self) -> str:
        if self.nps is None or self.margin_of_error is None:
            return "n/a (n=0)"
        flag = " insufficient sample" if self.insufficient_sample else ""
        return f"{self.nps:+.0f} ±{self.margin_of_error:.0f} (n={self.n}){flag}"


def nps_of(counts: BandCounts, min_sample: int) -> NpsStat:
    n = counts.n
    if n == 0:
        return NpsStat(n=0, nps=None, margin_of_error=None, insufficient_sample=True)
    p_p = counts.promoters / n
    p_d = counts.detractors / n
    variance = p_p + p_d - (p_p - p_d) ** 2
    moe = Z_95 * math.sqrt(max(variance, 0.0) / n) * 100
    return NpsStat(
        n=n,
        nps=round((p_p - p_d) * 100, 2),
        margin_of_error=round(moe, 2),
        insufficient_sample=n < min_sample,
    )


def change_exceeds_noise(current: NpsStat, previous: NpsStat) -> bool:
    """Whether a quarter-over-quarter change is larger than the 95% margin of the difference
    of two independent samples (MoEs add in quadrature)."""
    if current.nps is None or previous.nps is None:
        return False
    assert current.margin_of_error is not None and previous.margin_of_error is not None
    noise = math.hypot(current.margin_of_error, previous.margin_of_error)
    return abs(current.nps - previous.nps) > noise
