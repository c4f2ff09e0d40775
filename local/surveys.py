"""`npsops surveys` and `npsops replay` on a running serve: what the survey planner decided and why,
and stored history through a threshold set (shared/services/refresh.py replay: reads only)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Any

from shared.config import SurveySettings
from shared.domain.quarters import quarter_of
from shared.domain.thresholds import Thresholds
from shared.services.refresh import replay
from shared.wiring.refresh import quarterly_refresh


def replay_view(first_day: date, thresholds: Thresholds, last_day: date) -> dict[str, Any]:
    settings = SurveySettings.from_env()
    first, last = (quarter_of(datetime.combine(day, time(), tzinfo=UTC)) for day in (first_day, last_day))
    result = replay(quarterly_refresh(settings), first, last, thresholds)
    return result.model_dump(mode="json")


def print_surveys(view: dict[str, Any]) -> None:
    requests = view["requests"]
    decisions = Counter(r["decision"] for r in requests)
    reasons = Counter(r["reason"] for r in requests if r["reason"])
    print(
        f"SURVEY REQUESTS {len(requests)}: "
        + ", ".join(f"{name} {count}" for name, count in sorted(decisions.items()))
        + (("  suppressed by " + ", ".join(f"{r} {c}" for r, c in reasons.most_common())) if reasons else "")
    )
    for r in requests:
        why = f"  {r['reason']}: {r['detail']}" if r["reason"] else ""
        print(
            f"  {r['due']}  {r['decision']:<10} {r['program']:<8} {r['touchpoint']:<20} "
            f"{r['account_id']:<10} {r['contact_id']:<12}{why}"
        )
    for day, counts in sorted(view["counts_by_day"].items()):
        print(f"  decided {day}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def print_replay(view: dict[str, Any]) -> None:
    quarters = view["quarters"]
    span = f"{quarters[0]}..{quarters[-1]}" if quarters else "no quarter"
    print(
        f"REPLAY thresholds {view['thresholds_version']} over {span}, {view['accounts']} accounts: "
        f"{len(view['fired'])} firings (nothing written, nothing published)"
    )
    for rule, count in view["by_rule"].items():
        print(f"  {rule:<22} {count}")
    for firing in view["fired"]:
        print(f"  {firing['quarter']}  {firing['rule']:<20} {firing['account_id']:<10} {firing['summary']}")
