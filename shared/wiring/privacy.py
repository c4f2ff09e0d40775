"""The privacy desk: a contact's data exported or erased, over every table that may hold it."""

from __future__ import annotations

from shared.config import PrivacySettings
from shared.services.privacy import PrivacyDesk
from shared.store.audit import AuditRepository
from shared.store.cases import CaseRepository
from shared.store.contacts import ContactRepository
from shared.store.quarantine import QuarantineRepository
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from shared.store.surveys import SurveyRepository


def privacy_desk(settings: PrivacySettings) -> PrivacyDesk:
    """The desk the privacy function builds at cold start."""
    return PrivacyDesk(
        contacts=ContactRepository(settings.contacts_table),
        responses=ResponseRepository(settings.responses_table),
        quarantine=QuarantineRepository(settings.quarantine_table),
        cases=CaseRepository(settings.cases_table),
        rollups=RollupRepository(settings.rollups_table),
        surveys=SurveyRepository(settings.surveys_table),
        audit=AuditRepository(settings.audit_table),
    )
