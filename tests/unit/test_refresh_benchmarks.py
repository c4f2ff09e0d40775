"""Segment benchmarks checked by hand on small cases, recalibration with its recorded reasons, and
the backtest's determinism."""

from __future__ import annotations

import math
import random

import pytest

from shared.domain.accounts import Account, AccountTeam
from shared.domain.nps import BandCounts, nps_of
from shared.domain.refresh import (
    MIN_ACCOUNTS_FOR_RECALIBRATION,
    AccountSnapshot,
    SegmentBenchmark,
    backtest,
    recalibrate,
    segment_benchmarks,
)
from shared.domain.signals import QuarterSignals
from shared.domain.thresholds import Thresholds

TEAM = AccountTeam(csm="Ana", cs_lead="Lee", executive_sponsor="Eve")
DEFAULTS = Thresholds()


def account(account_id: str, arr: float, seats: int, segment: str = "smb", region: str = "emea") -> Account:
    return Account(
        account_id=account_id,
        name=account_id,
        segment=segment,
        arr=arr,
        seats=seats,
        industry="retail",
        region=region,
        lifecycle_stage="adopt",
        team=TEAM,
    )


def snapshot(
    acct: Account, now: BandCounts, before: BandCounts | None = None, quarter: str = "2026-Q3"
) -> AccountSnapshot:
    before = before or BandCounts()
    return AccountSnapshot(
        quarter=quarter,
        program="customer",
        account_id=acct.account_id,
        account=acct,
        product_lines=["core"],
        counts=now,
        previous_counts=before,
        nps=nps_of(now, 10),
        previous_nps=nps_of(before, 10),
        health=None,
        signals=QuarterSignals(),
        previous_signals=QuarterSignals(),
        thresholds_version=DEFAULTS.version,
    )


A = BandCounts(promoters=2)  # NPS +100, n=2
B = BandCounts(passives=1, detractors=1)  # NPS -50, n=2


def _portfolio(benchmarks: list[SegmentBenchmark]) -> SegmentBenchmark:
    return next(b for b in benchmarks if b.dimension == "portfolio")


def test_arr_weighted_nps_by_hand() -> None:
    """A (ARR 300): 2 promoters; B (ARR 100): a passive and a detractor.
    Shares: promoters 300/400·1 = 0.75, detractors 100/400·0.5 = 0.125 → NPS 62.5.
    Voter weights 150, 150, 50, 50 → n_eff = 400² / (2·150² + 2·50²) = 160000/50000 = 3.2.
    Var = 0.75 + 0.125 - 0.625² = 0.484375 → MoE = 1.96·√(0.484375/3.2)·100 = 76.26."""
    snapshots = [snapshot(account("a", 300.0, 2), A), snapshot(account("b", 100.0, 2), B)]
    result = _portfolio(segment_benchmarks(snapshots, DEFAULTS)).arr_weighted
    assert result.nps == 62.5
    assert result.effective_n == 3.2
    assert result.margin_of_error == round(1.96 * math.sqrt(0.484375 / 3.2) * 100, 2) == 76.26


def test_equal_weights_per_voter_give_the_unweighted_nps_and_its_margin() -> None:
    """Seats equal to each account's voters make every voter weigh 1: the plain trinomial NPS,
    (2 - 1) / 4 = +25 with n_eff = n = 4."""
    snapshots = [snapshot(account("a", 300.0, 2), A), snapshot(account("b", 100.0, 2), B)]
    portfolio = _portfolio(segment_benchmarks(snapshots, DEFAULTS))
    seats, plain = portfolio.seat_weighted, portfolio.unweighted
    assert (seats.nps, seats.margin_of_error, seats.effective_n) == (plain.nps, plain.margin_of_error, 4.0)
    assert plain.nps == 25.0 and plain.n == 4


def test_accounts_without_votes_or_weight_do_not_count() -> None:
    snapshots = [
        snapshot(account("a", 300.0, 1), A),
        snapshot(account("big", 1e6, 1000), BandCounts()),
        snapshot(account("free", 0.0, 0), B),
    ]
    portfolio = _portfolio(segment_benchmarks(snapshots, DEFAULTS))
    assert portfolio.accounts == 2 and portfolio.n == 4  # the account without votes is not a member
    assert portfolio.arr_weighted.nps == 100.0  # the one with no ARR weighs nothing
    assert segment_benchmarks([snapshot(account("none", 1.0, 1), BandCounts())], DEFAULTS) == []


def test_segment_benchmarks_by_every_dimension() -> None:
    small, big = (
        account("a", 300.0, 10, segment="smb"),
        account("b", 100.0, 30, segment="enterprise", region="amer"),
    )
    benchmarks = {
        (b.dimension, b.value): b
        for b in segment_benchmarks([snapshot(small, A), snapshot(big, B)], DEFAULTS)
    }
    portfolio = benchmarks[("portfolio", "all")]
    assert (portfolio.accounts, portfolio.n, portfolio.unweighted.nps) == (2, 4, 25.0)
    assert portfolio.arr_weighted.nps == 62.5
    # Seats: A 10, B 30 → promoters 10/40 = 0.25, detractors 30/40·0.5 = 0.375 → -12.5.
    assert portfolio.seat_weighted.nps == -12.5
    assert benchmarks[("segment", "smb")].unweighted.nps == 100.0
    assert benchmarks[("region", "amer")].unweighted.nps == -50.0
    assert benchmarks[("arr_tier", "tier-3")].n == 4
    assert benchmarks[("product_line", "core")].n == 4
    assert {d for d, _ in benchmarks} == {
        "portfolio",
        "segment",
        "arr_tier",
        "industry",
        "region",
        "lifecycle_stage",
        "product_line",
    }


def _noisy_portfolio(count: int, seed: int = 7) -> list[AccountSnapshot]:
    rng = random.Random(seed)
    snapshots = []
    for i in range(count):
        now = BandCounts(
            promoters=rng.randint(0, 3), passives=rng.randint(0, 2), detractors=rng.randint(1, 3)
        )
        before = BandCounts(
            promoters=rng.randint(1, 4), passives=rng.randint(0, 2), detractors=rng.randint(0, 2)
        )
        snapshots.append(snapshot(account(f"acct-{i:03}", 1000.0 * (i + 1), 10 + i), now, before))
    return snapshots


def test_recalibration_keeps_the_defaults_without_enough_data_and_says_so() -> None:
    result = recalibrate(_noisy_portfolio(MIN_ACCOUNTS_FOR_RECALIBRATION - 1), DEFAULTS, "2026-Q3")
    [change] = result.changes
    assert not change.changed and change.new == change.old == DEFAULTS.nps_drop_points
    assert change.reason.startswith("kept: ")
    assert change.reason.endswith(f"fewer than the {MIN_ACCOUNTS_FOR_RECALIBRATION} needed to say anything")
    assert result.thresholds.model_dump(exclude={"version"}) == DEFAULTS.model_dump(exclude={"version"})
    assert (result.version, result.based_on) == ("2026-Q3-refresh", DEFAULTS.version)


def test_recalibration_raises_the_drop_threshold_above_the_typical_noise() -> None:
    """Accounts of 3-8 votes have margins of 40+ points: a 10-point drop is noise for them."""
    result = recalibrate(_noisy_portfolio(40), DEFAULTS, "2026-Q3")
    [change] = result.changes
    assert change.changed and change.new > DEFAULTS.nps_drop_points and change.new % 5 == 0
    assert change.reason.startswith("raised: the median account's quarter-over-quarter noise is")
    assert result.thresholds.nps_drop_points == change.new


def test_recalibration_keeps_a_threshold_already_above_the_noise() -> None:
    wide = DEFAULTS.model_copy(update={"nps_drop_points": 150.0, "version": "wide"})
    [change] = recalibrate(_noisy_portfolio(40), wide, "2026-Q3").changes
    assert not change.changed and "within the 150.0-point threshold" in change.reason


def test_backtest_is_deterministic_and_compares_the_two_sets() -> None:
    snapshots = _noisy_portfolio(40)
    new = recalibrate(snapshots, DEFAULTS, "2026-Q3").thresholds
    first = backtest(snapshots, DEFAULTS, new, "2026-Q3")
    shuffled = list(snapshots)
    random.Random(1).shuffle(shuffled)
    again = backtest(shuffled, DEFAULTS, new, "2026-Q3")
    assert first == again
    assert first.by_rule["nps-drop-review"]["old"] > first.by_rule["nps-drop-review"]["new"]
    assert set(first.only_old) == {f.dedupe_key for f in first.old} - {f.dedupe_key for f in first.new}
    assert first.only_new == []  # a higher threshold cannot fire where the lower one did not


def test_the_same_set_fires_the_same() -> None:
    snapshots = _noisy_portfolio(25)
    result = backtest(snapshots, DEFAULTS, DEFAULTS, "2026-Q3")
    assert result.old == result.new and result.only_old == result.only_new == []


@pytest.mark.parametrize("drop", [10.0, 10.01])
def test_drop_rule_boundary_in_the_backtest(drop: float) -> None:
    """A drop of exactly the threshold does not fire (it must be more than it)."""
    before, now = BandCounts(promoters=10), BandCounts(promoters=9, detractors=1)  # 100 → 80: a 20-point drop
    thresholds = DEFAULTS.model_copy(update={"nps_drop_points": 20.0 if drop == 10.0 else 19.99})
    result = backtest([snapshot(account("x", 1.0, 1), now, before)], thresholds, thresholds, "2026-Q3")
    assert len(result.old) == (0 if drop == 10.0 else 1)
