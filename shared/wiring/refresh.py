"""The quarterly refresh (statemachines/quarterly_refresh.asl.json), built from its settings."""

from __future__ import annotations

from shared.config import SurveySettings
from shared.services.refresh import QuarterlyRefresh
from shared.store.accounts import AccountRepository
from shared.store.bus import EventPublisher
from shared.store.refresh import RefreshRepository
from shared.store.rollups import RollupRepository
from shared.store.signals import SignalRepository


def quarterly_refresh(settings: SurveySettings) -> QuarterlyRefresh:
    return QuarterlyRefresh(
        refresh=RefreshRepository(settings.refresh_table),
        accounts=AccountRepository(settings.accounts_table),
        rollups=RollupRepository(settings.rollups_table),
        signals=SignalRepository(settings.signals_table),
        publisher=EventPublisher(settings.unpublished_events_queue_url),
        defaults=settings.thresholds,
        bus_name=settings.event_bus_name,
    )
