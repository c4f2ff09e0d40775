"""Opening a case is idempotent per firing, and a retry still announces what its first try wrote
(shared/store/cases.py CaseRepository.open), on moto's DynamoDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from local.aws import EmbeddedAws
from shared.domain.cases import Case, case_from_firing
from shared.domain.triggers import OwnerRole, TriggerFiring, TriggerRule
from shared.store.cases import CaseRepository, Opened
from tests.integration.helpers import settings

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def case(response_id: str = "generic-r-1", at: datetime = OPENED) -> Case:
    firing = TriggerFiring(
        rule=TriggerRule.DETRACTOR_RECOVERY,
        dedupe_key="detractor-recovery#acct-001#2026-Q4#c-1",
        account_id="acct-001",
        quarter="2026-Q4",
        owner_role=OwnerRole.CSM,
        sla_hours=24,
        summary="Detractor (3)",
        evidence={"score": 3},
        response_id=response_id,
        contact_id="c-1",
        thresholds_version="defaults",
    )
    return case_from_firing(firing, None, at)


REVISION = "generic-r-1"  # the response pipeline's attempt: the revision key (a first answer's is its key)


def test_a_new_case_is_written_and_announced(aws: EmbeddedAws) -> None:
    cases = CaseRepository(settings().cases_table)
    assert cases.open(case(), attempt=REVISION) == Opened(case(), written=True)
    assert cases.get(case().case_id) == case()


def test_a_retry_of_the_same_attempt_announces_the_case_its_first_try_wrote(aws: EmbeddedAws) -> None:
    cases = CaseRepository(settings().cases_table)
    cases.open(case(), attempt=REVISION)
    later = OPENED + timedelta(minutes=3)
    # The retry's case is built later: the stored one is announced, so the event repeats the first.
    assert cases.open(case(at=later), attempt=REVISION) == Opened(case(), written=False)
    assert cases.get(case().case_id) == case()


def test_a_case_another_attempt_opened_is_left_alone_and_not_announced(aws: EmbeddedAws) -> None:
    cases = CaseRepository(settings().cases_table)
    cases.open(case(), attempt=REVISION)
    # A revision of the same response fires the same rule: the case stands, announced once already.
    assert cases.open(case(), attempt="generic-r-1.r1762164000000") is None
    other = "generic-r-2"
    assert cases.open(case(response_id="generic-r-2"), attempt=other) is None
    assert cases.get(case().case_id) == case()


def test_without_an_attempt_a_standing_case_is_never_announced_again(aws: EmbeddedAws) -> None:
    cases = CaseRepository(settings().cases_table)
    assert cases.open(case()) == Opened(case(), written=True)
    assert cases.open(case()) is None


def test_a_case_that_has_moved_on_is_not_announced_again(aws: EmbeddedAws) -> None:
    cases = CaseRepository(settings().cases_table)
    cases.open(case(), attempt=REVISION)
    cases.save(case().model_copy(update={"escalation_level": 1, "version": 1}))
    assert cases.open(case(), attempt=REVISION) is None
    stored = cases.get(case().case_id)
    assert stored is not None and stored.escalation_level == 1
