"""Calendar quarters as strings like '2026-Q3', which sort in time order."""

from __future__ import annotations

from datetime import datetime


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    year, q = _parse(quarter)
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def next_quarter(quarter: str) -> str:
    year, q = _parse(quarter)
    return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"


def _parse(quarter: str) -> tuple[int, int]:
    year, q = quarter.split("-Q")
    number = int(q)
    if not 1 <= number <= 4:
        raise ValueError(f"not a quarter: {quarter!r}")
    return int(year), number


def quarters_up_to(quarter: str, count: int) -> list[str]:
    """The `count` quarters ending with `quarter`, oldest first."""
    quarters = [quarter]
    while len(quarters) < count:
        quarters.append(previous_quarter(quarters[-1]))
    return quarters[::-1]


def quarters_ending(quarter: str | None, count: int, now: datetime) -> list[str]:
    """The `count` quarters ending with `quarter`, or with the current one when none is asked for."""
    return quarters_up_to(quarter or quarter_of(now), count)
