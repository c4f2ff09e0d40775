"""The response pipeline's steps, each built for the one function that runs it. A factory imports
its step's repositories itself: the four step functions share this module, and each should load
only its own collaborators at cold start."""

from __future__ import annotations

from shared.config import Settings
from shared.services.pipeline import Aggregate, EvaluateTriggers, OpenCases, Score


def score(settings: Settings) -> Score:
    from shared.store.comprehend import text_analyzer

    # Sentiment and themes: the embedded lexicon analyzer, or Amazon Comprehend where TEXT_ANALYZER
    # says so (read from the environment, as the analyzer's own settings).
    return Score(analyzer=text_analyzer(), bus_name=settings.event_bus_name)


def aggregate(settings: Settings) -> Aggregate:
    from shared.store.rollups import RollupRepository

    return Aggregate(
        rollups=RollupRepository(settings.rollups_table),
        thresholds=settings.thresholds,
        bus_name=settings.event_bus_name,
    )


def evaluate_triggers(settings: Settings) -> EvaluateTriggers:
    from shared.store.accounts import AccountRepository
    from shared.store.rollups import RollupRepository
    from shared.store.signals import SignalRepository

    return EvaluateTriggers(
        accounts=AccountRepository(settings.accounts_table),
        signals=SignalRepository(settings.signals_table),
        rollups=RollupRepository(settings.rollups_table),
        thresholds=settings.thresholds,
    )


def open_cases(settings: Settings) -> OpenCases:
    from shared.store.cases import CaseRepository

    return OpenCases(cases=CaseRepository(settings.cases_table), bus_name=settings.event_bus_name)
