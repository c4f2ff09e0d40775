"""The closed loop's services: the survey planner (which every workflow that asks for a survey
shares), the case desk, the renewal desk, and the pipeline's CloseTheLoop step that uses both."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.config import RenewalSettings, SurveySettings
from shared.store.bus import EventPublisher
from shared.store.contacts import ContactRepository
from shared.store.surveys import SurveyRepository

if TYPE_CHECKING:
    from shared.services.cases import CaseDesk, SurveyRequester
    from shared.services.closed_loop import CloseTheLoop
    from shared.services.renewals import RenewalDesk
    from shared.services.surveys import SurveyPlanner


def survey_planner(settings: SurveySettings) -> SurveyPlanner:
    from shared.services.surveys import SurveyPlanner

    return SurveyPlanner(
        surveys=SurveyRepository(settings.surveys_table),
        contacts=ContactRepository(settings.contacts_table),
        publisher=EventPublisher(settings.unpublished_events_queue_url),
        policy=settings.fatigue,
        connection=settings.survey_connection,
        bus_name=settings.event_bus_name,
    )


def case_desk(settings: SurveySettings, surveys: SurveyRequester | None = None) -> CaseDesk:
    """The case desk; its follow-up surveys go through `surveys` (a new planner if none is given)."""
    from shared.services.cases import CaseDesk
    from shared.store.accounts import AccountRepository
    from shared.store.cases import CaseRepository

    return CaseDesk(
        cases=CaseRepository(settings.cases_table),
        accounts=AccountRepository(settings.accounts_table),
        surveys=surveys or survey_planner(settings),
        publisher=EventPublisher(settings.unpublished_events_queue_url),
        thresholds=settings.thresholds,
        bus_name=settings.event_bus_name,
    )


def renewal_desk(settings: RenewalSettings, surveys: SurveyRequester | None = None) -> RenewalDesk:
    """The renewal desk; its pre-renewal surveys go through `surveys` (a new planner if none)."""
    from shared.services.renewals import RenewalDesk
    from shared.store.accounts import AccountRepository
    from shared.store.cases import CaseRepository
    from shared.store.executions import Workflows
    from shared.store.renewals import RenewalRepository
    from shared.store.rollups import RollupRepository
    from shared.store.signals import SignalRepository

    return RenewalDesk(
        accounts=AccountRepository(settings.accounts_table),
        contacts=ContactRepository(settings.contacts_table),
        surveys=surveys or survey_planner(settings),
        signals=SignalRepository(settings.signals_table),
        rollups=RollupRepository(settings.rollups_table),
        cases=CaseRepository(settings.cases_table),
        renewals=RenewalRepository(settings.renewals_table),
        workflows=Workflows(settings.renewal_escalation_arn),
        publisher=EventPublisher(settings.unpublished_events_queue_url),
        thresholds=settings.thresholds,
        bus_name=settings.event_bus_name,
    )


def close_the_loop(settings: RenewalSettings) -> CloseTheLoop:
    from shared.services.closed_loop import CloseTheLoop

    planner = survey_planner(settings)
    return CloseTheLoop(cases=case_desk(settings, planner), renewals=renewal_desk(settings, planner))
