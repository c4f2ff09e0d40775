"""The daily reconciliation: the responses and the roll-ups it recounts one against the other."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from shared.config import Settings
from shared.services.reconcile import ReconcileReport, reconcile
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository


def reconciliation(settings: Settings) -> Callable[..., ReconcileReport]:
    """`reconcile` bound to the two tables: call it with `repair=True` to write the recount back."""
    return partial(
        reconcile, ResponseRepository(settings.responses_table), RollupRepository(settings.rollups_table)
    )
