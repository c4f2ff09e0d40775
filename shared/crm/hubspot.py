"""HubSpot: company properties through the CRM API, one PATCH per event.

`PATCH https://api.hubapi.com/crm/v3/objects/companies/{account_id}?idProperty=npsops_account_id`
with `{"properties": {...}}` updates the company whose unique property `npsops_account_id` holds the
npsops account id, so no id mapping table is needed. The `npsops_*` properties are custom company
properties to create once in HubSpot (number, date-time, single-line text, boolean checkbox).
"""

from __future__ import annotations

from shared.crm import CrmDestination, CrmMapping, InputTransform, detail_types
from shared.domain.triggers import TriggerRule
from shared.events import DetailType

API_BASE = "https://api.hubapi.com"
ENDPOINT = f"{API_BASE}/crm/v3/objects/companies/*"
ID_PROPERTY = "npsops_account_id"
_ACCOUNT = ("$.detail.account_id",)

LAST_RESPONSE = CrmMapping(
    name="hubspot-last-response",
    description="The company's last NPS answer: score, band, when",
    pattern=detail_types(DetailType.RESPONSE_SCORED),
    transform=InputTransform(
        paths={
            "score": "$.detail.data.score",
            "band": "$.detail.data.band",
            "at": "$.detail.occurred_at",
        },
        template='{"properties": {"npsops_last_response_score": <score>, '
        '"npsops_last_response_band": "<band>", "npsops_last_response_at": "<at>"}}',
    ),
    path_parameters=_ACCOUNT,
)
NPS = CrmMapping(
    name="hubspot-nps",
    description="The company's relational NPS this quarter, with n and margin of error",
    pattern={**detail_types(DetailType.ACCOUNT_NPS_CHANGED), "detail": {"data": {"kind": ["relational"]}}},
    transform=InputTransform(
        paths={
            "nps": "$.detail.data.nps.nps",
            "n": "$.detail.data.nps.n",
            "moe": "$.detail.data.nps.margin_of_error",
            "quarter": "$.detail.data.quarter",
        },
        template='{"properties": {"npsops_nps": <nps>, "npsops_nps_n": <n>, '
        '"npsops_nps_margin_of_error": <moe>, "npsops_nps_quarter": "<quarter>"}}',
    ),
    path_parameters=_ACCOUNT,
)
HEALTH = CrmMapping(
    name="hubspot-health",
    description="The company's health score (0-100) when signals change it",
    # A health with every input missing has no score: nothing to write.
    pattern={
        **detail_types(DetailType.ACCOUNT_HEALTH_CHANGED),
        "detail": {"data": {"score": [{"numeric": [">=", 0]}]}},
    },
    transform=InputTransform(
        paths={"score": "$.detail.data.score", "quarter": "$.detail.data.quarter"},
        template='{"properties": {"npsops_health_score": <score>, "npsops_health_quarter": "<quarter>"}}',
    ),
    path_parameters=_ACCOUNT,
)
OPEN_CASE = CrmMapping(
    name="hubspot-open-case",
    description="The company's latest open npsops case: rule, due time, link id",
    # A routed theme is the portfolio's, not a company's: Slack carries it.
    pattern={
        **detail_types(DetailType.CASE_OPENED),
        "detail": {"data": {"rule": [{"anything-but": [TriggerRule.THEME_ROUTING.value]}]}},
    },
    transform=InputTransform(
        paths={
            "case": "$.detail.data.case_id",
            "rule": "$.detail.data.rule",
            "due": "$.detail.data.due_at",
        },
        template='{"properties": {"npsops_open_case": "<case>", "npsops_open_case_rule": "<rule>", '
        '"npsops_open_case_due_at": "<due>"}}',
    ),
    path_parameters=_ACCOUNT,
)
CHURN_RISK = CrmMapping(
    name="hubspot-churn-risk",
    description="Churn risk flagged when rule 3 (NPS and usage both down) opens its case",
    pattern={
        **detail_types(DetailType.CASE_OPENED),
        "detail": {"data": {"rule": [TriggerRule.CHURN_RISK.value]}},
    },
    transform=InputTransform(
        paths={"since": "$.detail.data.opened_at", "case": "$.detail.data.case_id"},
        template='{"properties": {"npsops_churn_risk": true, "npsops_churn_risk_since": "<since>", '
        '"npsops_churn_risk_case": "<case>"}}',
    ),
    path_parameters=_ACCOUNT,
)

HUBSPOT = CrmDestination(
    name="hubspot",
    http_method="PATCH",
    mappings=(LAST_RESPONSE, NPS, HEALTH, OPEN_CASE, CHURN_RISK),
    query={"idProperty": ID_PROPERTY},
)
