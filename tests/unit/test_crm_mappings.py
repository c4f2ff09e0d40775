"""What HubSpot, Salesforce and Slack receive for each event, against the request shapes they document:

- HubSpot CRM v3, update a company by a unique property: `PATCH /crm/v3/objects/companies/{id}?idProperty=...`
  with `{"properties": {"<internal name>": value}}` (internal names are lower-case snake case);
- Salesforce REST, sObject by external id: `PATCH /services/data/vXX.X/sobjects/Account/{field}/{value}`
  with the fields as one flat JSON object of API names (custom fields end in `__c`);
- Slack incoming webhook: `POST` with `{"text": ..., "blocks": [...]}`, mrkdwn escaping `&`, `<`, `>`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from local.crm_sink import render
from local.event_examples import example_event
from shared.crm import CrmDestination, CrmMapping, InputTransform, MissingPath, UnsafeValue, destinations
from shared.crm.hubspot import HUBSPOT
from shared.crm.salesforce import SALESFORCE, endpoint
from shared.crm.slack import SLACK, escape, message
from shared.domain.account_rules import theme_routing
from shared.domain.cases import case_from_firing
from shared.domain.themes import Theme
from shared.domain.thresholds import Thresholds
from shared.events import DetailType
from shared.events.catalog import CATALOG

HUBSPOT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SALESFORCE_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*__c$")
SCALARS = (str, int, float, bool, type(None))


def event_of(detail_type: DetailType, **data: Any) -> dict[str, Any]:
    event = example_event(CATALOG.entry(detail_type))
    event["detail"]["data"] |= data
    return event


def mappings_for(destination: CrmDestination, detail_type: DetailType) -> list[CrmMapping]:
    return [m for m in destination.mappings if detail_type.value in m.pattern["detail-type"]]


@pytest.mark.parametrize(
    "detail_type",
    [
        DetailType.RESPONSE_SCORED,
        DetailType.ACCOUNT_NPS_CHANGED,
        DetailType.ACCOUNT_HEALTH_CHANGED,
        DetailType.CASE_OPENED,
    ],
)
def test_hubspot_gets_a_company_properties_patch_by_the_npsops_account_id(detail_type: DetailType) -> None:
    event = event_of(detail_type)
    for mapping in mappings_for(HUBSPOT, detail_type):
        request = render(HUBSPOT, mapping, event)
        assert request.method == "PATCH"
        assert request.url == (
            "https://api.hubapi.com/crm/v3/objects/companies/acct-021?idProperty=npsops_account_id"
        )
        assert list(request.body) == ["properties"]
        properties = request.body["properties"]
        assert properties and all(HUBSPOT_NAME.match(name) for name in properties)
        assert all(isinstance(value, SCALARS) for value in properties.values())


def test_hubspot_properties_carry_the_event_values() -> None:
    nps = render(
        HUBSPOT,
        mappings_for(HUBSPOT, DetailType.ACCOUNT_NPS_CHANGED)[0],
        event_of(DetailType.ACCOUNT_NPS_CHANGED),
    )
    data = event_of(DetailType.ACCOUNT_NPS_CHANGED)["detail"]["data"]
    assert nps.body == {
        "properties": {
            "npsops_nps": data["nps"]["nps"],
            "npsops_nps_n": data["nps"]["n"],
            "npsops_nps_margin_of_error": data["nps"]["margin_of_error"],
            "npsops_nps_quarter": "2026-Q4",
        }
    }
    scored = render(
        HUBSPOT, mappings_for(HUBSPOT, DetailType.RESPONSE_SCORED)[0], event_of(DetailType.RESPONSE_SCORED)
    )
    assert scored.body["properties"] == {
        "npsops_last_response_score": 4,
        "npsops_last_response_band": "detractor",
        "npsops_last_response_at": "2026-11-02T09:30:00Z",
    }
    churn = next(m for m in HUBSPOT.mappings if m.name == "hubspot-churn-risk")
    flagged = render(HUBSPOT, churn, event_of(DetailType.CASE_OPENED, rule="churn-risk"))
    assert flagged.body["properties"]["npsops_churn_risk"] is True


@pytest.mark.parametrize(
    "detail_type",
    [
        DetailType.RESPONSE_SCORED,
        DetailType.ACCOUNT_NPS_CHANGED,
        DetailType.ACCOUNT_HEALTH_CHANGED,
        DetailType.CASE_OPENED,
    ],
)
def test_salesforce_gets_a_flat_account_patch_by_external_id(detail_type: DetailType) -> None:
    for mapping in mappings_for(SALESFORCE, detail_type):
        request = render(SALESFORCE, mapping, event_of(detail_type))
        assert request.method == "PATCH"
        assert re.fullmatch(
            r"https://[^/]+/services/data/v\d+\.\d/sobjects/Account/Npsops_Account_Id__c/acct-021",
            request.url,
        )
        assert request.body and all(SALESFORCE_FIELD.match(name) for name in request.body)
        assert all(isinstance(value, SCALARS) for value in request.body.values())


def test_salesforce_endpoint_is_the_sobject_by_external_id() -> None:
    assert endpoint("https://acme.my.salesforce.com/", "v61.0", "Ext__c") == (
        "https://acme.my.salesforce.com/services/data/v61.0/sobjects/Account/Ext__c/*"
    )
    health = render(
        SALESFORCE,
        mappings_for(SALESFORCE, DetailType.ACCOUNT_HEALTH_CHANGED)[0],
        event_of(DetailType.ACCOUNT_HEALTH_CHANGED),
    )
    assert health.body == {"Npsops_Health_Score__c": 46.25, "Npsops_Health_Quarter__c": "2026-Q4"}


def test_slack_gets_a_detractor_message_with_text_and_blocks() -> None:
    comment = 'They said "fixed" & it <still> breaks\nevery day'
    event = event_of(DetailType.RESPONSE_SCORED, comment=comment)
    request = render(SLACK, SLACK.mappings[0], event)
    assert request.method == "POST"
    body = request.body
    assert set(body) == {"text", "blocks"} and "acct-021" in body["text"] and "4/10" in body["text"]
    section, context = body["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert context["type"] == "context" and context["elements"][0]["type"] == "mrkdwn"
    # The comment arrives whole, escaped as Slack documents, in a JSON body that survives a round trip.
    assert 'They said "fixed" &amp; it &lt;still&gt; breaks\nevery day' in section["text"]["text"]
    assert json.loads(json.dumps(body)) == body
    assert len(section["text"]["text"]) <= 3000


def test_slack_gets_a_routed_theme_with_its_quotes_and_arr_at_risk() -> None:
    thresholds = Thresholds()
    accounts = {"acct-001": 120_000.0, "acct-002": 80_000.0, "acct-003": 50_000.0}
    firing = theme_routing(
        Theme.SUPPORT_RESPONSIVENESS, "2026-Q4", accounts, ["Tickets wait > 3 days", "slow"], thresholds
    )
    assert firing is not None
    case = case_from_firing(firing, None, datetime(2026, 11, 2, tzinfo=UTC))
    event = event_of(DetailType.CASE_OPENED, **case.model_dump(mode="json"))
    body = message(event)
    assert "support_responsiveness" in body["text"] and "3 accounts" in body["text"]
    text = body["blocks"][0]["text"]["text"]
    assert "> Tickets wait &gt; 3 days" in text and "250,000" in text


def test_slack_has_no_message_for_events_its_rules_do_not_route() -> None:
    with pytest.raises(ValueError, match="no Slack message"):
        message(event_of(DetailType.ACCOUNT_NPS_CHANGED))


def test_escape_is_slacks_three_characters() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"


@pytest.mark.parametrize(
    ("destination", "mapping"),
    [(d, m) for d in destinations() for m in d.mappings if m.transform],
    ids=lambda x: getattr(x, "name", ""),
)
def test_every_transformer_reads_paths_the_published_schema_has(
    destination: CrmDestination, mapping: CrmMapping
) -> None:
    """A transformer path missing from the event would silently drop its placeholder on AWS."""
    for detail_type in mapping.pattern["detail-type"]:
        body = render(destination, mapping, example_event(CATALOG.entry(DetailType(detail_type)))).body
        assert body


def test_a_transformer_refuses_free_text_eventbridge_would_not_escape() -> None:
    transform = InputTransform(paths={"c": "$.detail.data.comment"}, template='{"note": "<c>"}')
    with pytest.raises(UnsafeValue):
        transform.render(event_of(DetailType.RESPONSE_SCORED, comment='say "hi"'))
    with pytest.raises(MissingPath):
        InputTransform(paths={"x": "$.detail.data.nope"}, template='{"x": <x>}').render(
            event_of(DetailType.RESPONSE_SCORED)
        )


def test_every_rule_also_matches_its_own_redrive_and_no_other_crms() -> None:
    sources = {d.name: d.rule_pattern(m)["source"] for d in destinations() for m in d.mappings}
    for name, matched in sources.items():
        assert matched == ["npsops", f"npsops.redrive.{name}"]


def test_account_case_mappings_leave_the_portfolio_theme_to_slack() -> None:
    """A routed theme's case is the portfolio's, not a company's: only Slack takes it."""
    for destination in (HUBSPOT, SALESFORCE):
        for mapping in mappings_for(destination, DetailType.CASE_OPENED):
            rule_filter = mapping.pattern["detail"]["data"]["rule"]
            assert rule_filter in ([{"anything-but": ["theme-routing"]}], ["churn-risk"]), mapping.name
    assert mappings_for(SLACK, DetailType.CASE_OPENED)[0].pattern["detail"]["data"]["rule"] == [
        "theme-routing"
    ]
