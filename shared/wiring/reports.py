"""The insight reports: read-only over the directory, the roll-ups, the signals and the cases."""

from __future__ import annotations

from shared.config import Settings
from shared.services.reports import Reports
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository


def reports(settings: Settings) -> Reports:
    """The revenue link, portfolio NPS and the QBR pack."""
    return Reports(
        accounts=AccountRepository(settings.accounts_table),
        cases=CaseRepository(settings.cases_table),
        rollups=RollupRepository(settings.rollups_table),
        signals=SignalRepository(settings.signals_table),
        thresholds=settings.thresholds,
    )
