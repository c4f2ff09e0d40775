"""The accounts capability: the signals service (PUT /v1/signals, a bulk import's signal chunks) and
the risk-ranked account list (GET /v1/accounts).

It imports the signal rules: the import chunk function, which needs them for signal chunks only,
imports this module when its first signal chunk arrives, not at cold start.
"""

from __future__ import annotations

from shared.config import Settings
from shared.services.accounts_overview import AccountList
from shared.services.signals import AccountSignals
from shared.store.accounts import AccountRepository
from shared.store.bus import EventPublisher
from shared.store.cases import CaseRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository


def account_signals(settings: Settings) -> AccountSignals:
    """Signals in: stored, the account rules run, cases opened and events published."""
    return AccountSignals(
        signals=SignalRepository(settings.signals_table),
        accounts=AccountRepository(settings.accounts_table),
        rollups=RollupRepository(settings.rollups_table),
        cases=CaseRepository(settings.cases_table),
        publisher=EventPublisher(settings.unpublished_events_queue_url),
        thresholds=settings.thresholds,
        bus_name=settings.event_bus_name,
    )


def account_list(settings: Settings) -> AccountList:
    """The Monday-morning list: accounts ranked by risk."""
    return AccountList(
        accounts=AccountRepository(settings.accounts_table),
        cases=CaseRepository(settings.cases_table),
        rollups=RollupRepository(settings.rollups_table),
        signals=SignalRepository(settings.signals_table),
        thresholds=settings.thresholds,
    )
