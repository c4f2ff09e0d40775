"""The pre-renewal escalation on the embedded AWS: the real scanner, the real STANDARD workflow
(statemachines/renewal_escalation.asl.json) with its task token and Wait, the response pipeline
resuming it, and the simulated clock running weeks in seconds. Every branch, with its history."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from local.aws import EmbeddedAws
from local.clock import CLOCK
from shared.domain.accounts import Account, AccountTeam
from shared.domain.contacts import Contact
from shared.domain.quarters import previous_quarter, quarter_of
from shared.domain.signals import Signal
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.contacts import ContactRepository
from shared.store.renewals import RenewalRepository
from shared.store.signals import SignalRepository
from tests.conftest import response_body
from tests.integration.helpers import call, crm_messages, post, settings, settle

T0 = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)
RENEWAL = T0.date() + timedelta(days=80)
NAME = f"renewal-acct-r-{RENEWAL}"
TEAM = AccountTeam(csm="Ana", cs_lead="Ben", executive_sponsor="Cleo")


def wait_until(check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


@pytest.fixture
def book(aws: EmbeddedAws) -> Iterator[EmbeddedAws]:
    """One account renewing in 80 days, its contact, and healthy usage, support and engagement for
    the quarters its checkpoints fall in (so health alone never puts it at risk)."""
    CLOCK.set(T0)
    put_account(RENEWAL)
    ContactRepository(settings().contacts_table).put(
        Contact(contact_id="c-1", account_id="acct-r", email="c1@example.com")
    )
    signals = SignalRepository(settings().signals_table)
    final_quarter = quarter_of(datetime.combine(RENEWAL, datetime.min.time(), UTC) - timedelta(days=30))
    for quarter in {
        previous_quarter(quarter_of(T0)),
        quarter_of(T0),
        previous_quarter(final_quarter),
        final_quarter,
    }:
        for kind, values in (
            ("usage", {"active_users": 90, "seats": 100}),
            ("support", {"tickets": 2}),
            ("engagement", {"meetings": 4, "outreach_replies": 6, "email_opens": 30}),
        ):
            signal = {
                "account_id": "acct-r",
                "quarter": quarter,
                "kind": kind,
                "as_of": T0.isoformat(),
                "values": values,
            }
            signals.put(Signal.model_validate(signal))
    yield aws


def put_account(renewal: date) -> None:
    account = Account(
        account_id="acct-r",
        name="Renewing Co",
        segment="enterprise",
        arr=250_000,
        industry="fintech",
        region="emea",
        lifecycle_stage="renewal",
        team=TEAM,
        renewal_date=renewal,
    )
    AccountRepository(settings().accounts_table).put(account)


class Inbox:
    """What the CRM outbox received so far (reading the queue takes the messages off it)."""

    def __init__(self, aws: EmbeddedAws) -> None:
        self.aws, self.messages = aws, list[dict[str, Any]]()

    def of(self, detail_type: str) -> list[dict[str, Any]]:
        self.messages += crm_messages(self.aws)
        return [m["detail"]["data"] for m in self.messages if m["detail-type"] == detail_type]


def scan(aws: EmbeddedAws, at: datetime) -> dict[str, Any]:
    return dict(aws.fire_schedule("renewal-scanner", at))


def asked(renewal: date = RENEWAL) -> bool:
    item = RenewalRepository(settings().renewals_table).get("acct-r", str(renewal))
    return bool(item and item.get("task_token"))


def answer(aws: EmbeddedAws, score: int, response_id: str = "pr-1", **extra: Any) -> None:
    at = (T0 + timedelta(days=2)).isoformat()
    body = response_body(
        response_id=response_id, account_id="acct-r", contact_id="c-1", score=score, submitted_at=at, **extra
    )
    assert post(aws, body)[0] == 202
    settle()


def finished(aws: EmbeddedAws, name: str = NAME) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions")
    arn = aws.state_machine_arns["renewal-escalation"].replace(":stateMachine:", ":execution:") + f":{name}"
    return dict(
        wait_until(lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d)
    )


def states(aws: EmbeddedAws, name: str = NAME) -> list[str]:
    sfn = boto3.client("stepfunctions")
    arn = aws.state_machine_arns["renewal-escalation"].replace(":stateMachine:", ":execution:") + f":{name}"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def cases() -> dict[str, tuple[str, str]]:
    found = CaseRepository(settings().cases_table).for_account("acct-r")
    return {c.rule: (c.owner, c.status.value) for c in found}


def to_checkpoint_3() -> None:
    CLOCK.advance(timedelta(days=60))


def test_a_low_answer_opens_a_recovery_plan_and_the_sponsor_is_called_in_at_checkpoint_3(
    book: EmbeddedAws,
) -> None:
    inbox = Inbox(book)
    assert scan(book, T0) == {"started": [NAME], "ended": []}
    wait_until(asked)
    [requested] = wait_until(lambda: inbox.of("SurveyRequested"))
    assert requested["touchpoint"] == "pre-renewal" and requested["contact_id"] == "c-1"
    assert requested["properties"]["npsops_renewal"] == NAME  # echoed back with the answer

    answer(book, 4, touchpoint="pre-renewal")
    wait_until(lambda: "renewal-recovery-plan" in cases())
    to_checkpoint_3()
    assert finished(book)["status"] == "SUCCEEDED"
    assert states(book) == [
        "Checkpoint1AskForTheAnswer",
        "EndedBeforeAnswer",
        "Checkpoint2Branch",
        "StillCurrentAfterCheckpoint2",
        "WaitForCheckpoint3",
        "Checkpoint3FinalCheck",
        "StillCurrentAtCheckpoint3",
        "Escalated",
    ]
    assert cases() == {
        "detractor-recovery": ("Ana", "open"),  # the answer is a detractor's like any other
        "renewal-recovery-plan": ("Ben", "open"),
        "renewal-executive-escalation": ("Cleo", "open"),
    }
    checkpoints = [
        m["detail"]["data"] for m in crm_messages(book) if m["detail-type"] == "RenewalCheckpointReached"
    ]
    assert [(c["checkpoint"], c["decision"]) for c in checkpoints] == [
        (2, "recovery-plan"),
        (3, "recovery-plan"),
    ]
    assert checkpoints[1]["at_risk"] == ["recovery not verified (recovery case open)"]


def test_a_recovery_verified_before_checkpoint_3_needs_no_sponsor(book: EmbeddedAws) -> None:
    scan(book, T0)
    wait_until(asked)
    answer(book, 4, touchpoint="pre-renewal")
    plan_id = wait_until(
        lambda: next(
            (
                c.case_id
                for c in CaseRepository(settings().cases_table).for_account("acct-r")
                if c.rule == "renewal-recovery-plan"
            ),
            None,
        )
    )
    resolution = {
        "action": "resolve",
        "by": "Ben",
        "root_cause": "missing SSO",
        "action_taken": "SSO shipped",
    }
    assert call(book, "POST", f"/v1/cases/{quote(plan_id, safe='')}/actions", resolution)[0] == 200
    answer(book, 8, response_id="fu-1", touchpoint="case-follow-up", properties={"npsops_case_id": plan_id})
    assert cases()["renewal-recovery-plan"] == ("Ben", "recovered")
    to_checkpoint_3()
    assert finished(book)["status"] == "SUCCEEDED"
    assert "renewal-executive-escalation" not in cases()


@pytest.mark.parametrize(
    ("score", "opened"), [(7, None), (9, "renewal-expansion")], ids=["watch", "expansion"]
)
def test_a_seven_is_watched_and_an_eight_or_more_is_an_expansion_opportunity(
    book: EmbeddedAws, score: int, opened: str | None
) -> None:
    inbox = Inbox(book)
    scan(book, T0)
    wait_until(asked)
    answer(book, score, touchpoint="pre-renewal")
    to_checkpoint_3()
    assert finished(book)["status"] == "SUCCEEDED"
    renewal_cases = {rule for rule in cases() if rule.startswith("renewal-")}
    assert renewal_cases == ({opened} if opened else set())
    assert len(inbox.of("ExpansionOpportunity")) == (1 if opened else 0)


def test_no_answer_is_a_risk_signal_for_the_csm(book: EmbeddedAws) -> None:
    scan(book, T0)
    wait_until(asked)
    # The token is stored before checkpoint 1 has asked everyone and returned; the 21 days count from
    # when the execution starts waiting, so move the clock only once it waits.
    settle()
    CLOCK.advance(timedelta(days=22))  # past the three-week answer window
    wait_until(lambda: "renewal-no-answer" in cases())
    assert cases()["renewal-no-answer"] == ("Ana", "open")
    to_checkpoint_3()
    assert finished(book)["status"] == "SUCCEEDED"
    assert "NoAnswer" in states(book)
    assert cases()["renewal-executive-escalation"] == (
        "Cleo",
        "open",
    )  # the outreach never verified a recovery


def test_a_moved_renewal_date_ends_the_execution_and_starts_one_for_the_new_date(book: EmbeddedAws) -> None:
    scan(book, T0)
    wait_until(asked)
    moved = RENEWAL + timedelta(days=5)
    put_account(moved)
    result = scan(book, T0 + timedelta(days=1))
    assert result == {"started": [f"renewal-acct-r-{moved}"], "ended": [NAME]}
    assert finished(book)["status"] == "ABORTED"
    wait_until(lambda: asked(moved))


def test_an_account_that_renewed_early_ends_its_escalation_and_starts_none(book: EmbeddedAws) -> None:
    scan(book, T0)
    wait_until(asked)
    renewed = {
        "account_id": "acct-r",
        "quarter": quarter_of(T0),
        "kind": "outcome",
        "as_of": T0.isoformat(),
        "values": {"renewed": True},
    }
    assert call(book, "PUT", "/v1/signals", {"signals": [renewed]})[0] == 200
    assert scan(book, T0 + timedelta(days=1)) == {"started": [], "ended": [NAME]}
    assert finished(book)["status"] == "ABORTED"
    assert scan(book, T0 + timedelta(days=2)) == {"started": [], "ended": []}


def test_the_scanner_run_twice_starts_nothing_twice(book: EmbeddedAws) -> None:
    assert scan(book, T0)["started"] == [NAME]
    assert scan(book, T0)["started"] == []
    assert scan(book, T0 + timedelta(days=1))["started"] == []
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=book.state_machine_arns["renewal-escalation"]
    )
    assert len(executions["executions"]) == 1


def test_checkpoint_1_asks_each_of_the_accounts_contacts_once_and_no_one_else(book: EmbeddedAws) -> None:
    contacts = ContactRepository(settings().contacts_table)
    # c-2 is known by two keys (id and email); c-9 belongs to another account.
    contacts.put(Contact(contact_id="c-2", account_id="acct-r", email="c2@example.com"))
    contacts.put(Contact(contact_id="c-9", account_id="acct-other", email="c9@example.com"))
    inbox = Inbox(book)
    scan(book, T0)
    # Checkpoint 1 publishes what it did once it has asked everyone.
    [reached] = wait_until(lambda: inbox.of("RenewalCheckpointReached"))
    assert reached["checkpoint"] == 1 and reached["contacts_asked"] == 2
    status, report = call(book, "GET", "/v1/surveys")
    assert status == 200, report
    pre_renewal = [r["contact_id"] for r in report["requests"] if r["touchpoint"] == "pre-renewal"]
    assert sorted(pre_renewal) == ["c-1", "c-2"]
