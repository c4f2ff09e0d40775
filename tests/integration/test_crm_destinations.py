"""The CRM destinations on the embedded AWS: the real bus rules (shared/crm patterns) deliver what
each CRM would receive; a CRM that keeps failing gets its events dead-lettered, and a redrive hands
them back to that CRM only, once it works again."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from functions.catalog import CRM_MAPPING
from local.aws import EmbeddedAws
from local.crm_sink import CrmRequest, CrmSink
from shared.crm.hubspot import HUBSPOT
from tests.conftest import response_body
from tests.integration.helpers import call, post, settle


@pytest.fixture
def crm_aws() -> Iterator[EmbeddedAws]:
    with EmbeddedAws(crm_destinations=True) as embedded:
        yield embedded


class FlakyCrm:
    """A CRM endpoint that refuses every request until it is fixed, and counts what it was sent."""

    def __init__(self) -> None:
        self.down = True
        self.calls: list[CrmRequest] = []

    def __call__(self, request: CrmRequest) -> None:
        self.calls.append(request)
        if self.down:
            raise ConnectionError("503 Service Unavailable")


def _by(sink: CrmSink, key: str = "crm") -> Counter[str]:
    return Counter(f"{d[key]} {d['status']}" for d in sink.deliveries)


def _depth(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_a_failing_crm_dead_letters_its_events_and_a_redrive_delivers_them_to_it_only(
    crm_aws: EmbeddedAws,
) -> None:
    assert crm_aws.crm is not None
    hubspot = FlakyCrm()
    sink = CrmSink(crm_aws.crm_queue_url, crm_aws.crm, endpoints={"hubspot": hubspot})
    status, _ = post(crm_aws, response_body(score=4))
    assert status == 202
    settle()
    assert sink.drain() == 3  # ResponseScored, AccountNpsChanged, CaseOpened in the outbox

    # HubSpot: last response, NPS, open case, each tried 3 times, then parked in its DLQ.
    assert _by(sink) == Counter({"hubspot dead-lettered": 3, "salesforce delivered": 3, "slack delivered": 1})
    assert len(hubspot.calls) == 9
    hubspot_dlq = crm_aws.crm.dead_letter_queues["hubspot"]
    assert _depth(hubspot_dlq.url) == 3
    parked = [d for d in sink.deliveries if d["status"] == "dead-lettered"]
    assert all("503" in d["error"] for d in parked)

    hubspot.down = False
    result = crm_aws.redrive()
    assert result.dead_letters["hubspot-dlq"] == 3
    assert result.dead_letters["salesforce-dlq"] == 0 and result.dead_letters["CrmOutboxDlq"] == 0
    assert _depth(hubspot_dlq.url) == 0
    before = len(sink.deliveries)
    assert sink.drain() == 0  # the outbox does not get the redriven events again

    redriven = sink.deliveries[before:]
    assert Counter(d["crm"] for d in redriven) == Counter({"hubspot": 3})  # no other CRM twice
    assert all(d["status"] == "delivered" and d["source"] == HUBSPOT.redrive_source for d in redriven)
    assert {d["event_id"] for d in redriven} == {d["event_id"] for d in parked}
    assert {d["mapping"] for d in redriven} == {
        "hubspot-last-response",
        "hubspot-nps",
        "hubspot-open-case",
    }
    sent = hubspot.calls[-1]
    assert sent.method == "PATCH" and sent.url.endswith("/companies/acct-001?idProperty=npsops_account_id")


def test_the_outbox_dlq_is_redriven_into_the_outbox(crm_aws: EmbeddedAws) -> None:
    assert crm_aws.crm is not None and crm_aws.crm.outbox_dlq is not None
    sqs = boto3.client("sqs")
    parked = {"detail-type": "CaseOpened", "source": "npsops", "detail": {"event_id": "CaseOpened:x"}}
    sqs.send_message(QueueUrl=crm_aws.crm.outbox_dlq.url, MessageBody=json.dumps(parked))
    assert crm_aws.redrive().dead_letters["CrmOutboxDlq"] == 1
    back = sqs.receive_message(QueueUrl=crm_aws.crm_queue_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"]) for m in back] == [parked]


def test_signals_that_change_health_reach_the_crms(crm_aws: EmbeddedAws) -> None:
    sink = CrmSink(crm_aws.crm_queue_url, crm_aws.crm)
    usage: dict[str, Any] = {
        "account_id": "acct-001",
        "quarter": "2026-Q4",
        "kind": "usage",
        "as_of": "2026-11-20T08:00:00Z",
        "values": {"active_users": 40, "seats": 100},
    }
    status, _ = call(crm_aws, "PUT", "/v1/signals", {"signals": [usage]})
    assert status == 200
    sink.drain()
    health = [e for e in sink.received if e["detail-type"] == "AccountHealthChanged"]
    assert len(health) == 1
    assert health[0]["detail"]["data"]["score"] == 40.0  # usage alone: 40 active of 100 seats
    assert health[0]["detail"]["data"]["health"]["missing"] == ["support", "nps", "engagement"]
    got = {d["mapping"]: d["body"] for d in sink.deliveries}
    assert got["hubspot-health"] == {
        "properties": {"npsops_health_score": 40.0, "npsops_health_quarter": "2026-Q4"}
    }
    assert got["salesforce-health"] == {"Npsops_Health_Score__c": 40.0, "Npsops_Health_Quarter__c": "2026-Q4"}

    # The same signal again (a redelivery) is the same event: same id, for consumers to deduplicate;
    # a newer one is a new event.
    call(crm_aws, "PUT", "/v1/signals", {"signals": [usage]})
    newer = usage | {"as_of": "2026-11-21T08:00:00Z", "values": {"active_users": 70, "seats": 100}}
    call(crm_aws, "PUT", "/v1/signals", {"signals": [newer]})
    sink.drain()
    health = [e["detail"] for e in sink.received if e["detail-type"] == "AccountHealthChanged"]
    assert [h["event_id"] for h in health[:2]] == [health[0]["event_id"]] * 2
    assert health[2]["event_id"] != health[0]["event_id"] and health[2]["data"]["score"] == 70.0


def test_the_mapping_lambda_turns_a_pipe_batch_into_slack_bodies(crm_aws: EmbeddedAws) -> None:
    sink = CrmSink(crm_aws.crm_queue_url)
    post(crm_aws, response_body(score=2, comment='Export "never" works <again>'))
    settle()
    sink.drain()
    scored = next(e for e in sink.received if e["detail-type"] == "ResponseScored")
    batch: Any = [{"messageId": "1", "body": json.dumps(scored)}]  # a pipe hands a list, not an object
    bodies = crm_aws.invoke(CRM_MAPPING, batch)
    assert len(bodies) == 1 and set(bodies[0]) == {"text", "blocks"}
    assert 'Export "never" works &lt;again&gt;' in bodies[0]["blocks"][0]["text"]["text"]
