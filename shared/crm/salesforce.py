"""Salesforce: Account fields through the REST API, one PATCH per event.

`PATCH {instance}/services/data/vXX.X/sobjects/Account/{external_id_field}/{account_id}` with the
fields as a flat JSON object updates the Account whose external id field holds the npsops account id
(Salesforce's sObject upsert by external id, 204 on update). The `Npsops_*__c` fields are custom
Account fields to create once; the external id field is configuration (CDK context).
"""

from __future__ import annotations

from shared.crm import CrmDestination, CrmMapping, InputTransform, detail_types
from shared.domain.triggers import TriggerRule
from shared.events import DetailType

DEFAULT_API_VERSION = "v62.0"
DEFAULT_EXTERNAL_ID_FIELD = "Npsops_Account_Id__c"
_ACCOUNT = ("$.detail.account_id",)


def endpoint(
    instance_url: str,
    api_version: str = DEFAULT_API_VERSION,
    external_id_field: str = DEFAULT_EXTERNAL_ID_FIELD,
) -> str:
    return f"{instance_url.rstrip('/')}/services/data/{api_version}/sobjects/Account/{external_id_field}/*"


LAST_RESPONSE = CrmMapping(
    name="salesforce-last-response",
    description="The Account's last NPS answer: score, band, when",
    pattern=detail_types(DetailType.RESPONSE_SCORED),
    transform=InputTransform(
        paths={"score": "$.detail.data.score", "band": "$.detail.data.band", "at": "$.detail.occurred_at"},
        template='{"Npsops_Last_Response_Score__c": <score>, "Npsops_Last_Response_Band__c": "<band>", '
        '"Npsops_Last_Response_At__c": "<at>"}',
    ),
    path_parameters=_ACCOUNT,
)
NPS = CrmMapping(
    name="salesforce-nps",
    description="The Account's relational NPS this quarter, with n and margin of error",
    pattern={**detail_types(DetailType.ACCOUNT_NPS_CHANGED), "detail": {"data": {"kind": ["relational"]}}},
    transform=InputTransform(
        paths={
            "nps": "$.detail.data.nps.nps",
            "n": "$.detail.data.nps.n",
            "moe": "$.detail.data.nps.margin_of_error",
            "quarter": "$.detail.data.quarter",
        },
        template='{"Npsops_NPS__c": <nps>, "Npsops_NPS_Responses__c": <n>, '
        '"Npsops_NPS_Margin_Of_Error__c": <moe>, "Npsops_NPS_Quarter__c": "<quarter>"}',
    ),
    path_parameters=_ACCOUNT,
)
HEALTH = CrmMapping(
    name="salesforce-health",
    description="The Account's health score (0-100) when signals change it",
    pattern={
        **detail_types(DetailType.ACCOUNT_HEALTH_CHANGED),
        "detail": {"data": {"score": [{"numeric": [">=", 0]}]}},
    },
    transform=InputTransform(
        paths={"score": "$.detail.data.score", "quarter": "$.detail.data.quarter"},
        template='{"Npsops_Health_Score__c": <score>, "Npsops_Health_Quarter__c": "<quarter>"}',
    ),
    path_parameters=_ACCOUNT,
)
OPEN_CASE = CrmMapping(
    name="salesforce-open-case",
    description="The Account's latest open npsops case",
    # A routed theme is the portfolio's, not a company's: Slack carries it.
    pattern={
        **detail_types(DetailType.CASE_OPENED),
        "detail": {"data": {"rule": [{"anything-but": [TriggerRule.THEME_ROUTING.value]}]}},
    },
    transform=InputTransform(
        paths={"case": "$.detail.data.case_id", "rule": "$.detail.data.rule", "due": "$.detail.data.due_at"},
        template='{"Npsops_Open_Case__c": "<case>", "Npsops_Open_Case_Rule__c": "<rule>", '
        '"Npsops_Open_Case_Due__c": "<due>"}',
    ),
    path_parameters=_ACCOUNT,
)
CHURN_RISK = CrmMapping(
    name="salesforce-churn-risk",
    description="Churn risk flagged when rule 3 (NPS and usage both down) opens its case",
    pattern={
        **detail_types(DetailType.CASE_OPENED),
        "detail": {"data": {"rule": [TriggerRule.CHURN_RISK.value]}},
    },
    transform=InputTransform(
        paths={"since": "$.detail.data.opened_at"},
        template='{"Npsops_Churn_Risk__c": true, "Npsops_Churn_Risk_Since__c": "<since>"}',
    ),
    path_parameters=_ACCOUNT,
)

SALESFORCE = CrmDestination(
    name="salesforce",
    http_method="PATCH",
    mappings=(LAST_RESPONSE, NPS, HEALTH, OPEN_CASE, CHURN_RISK),
)
