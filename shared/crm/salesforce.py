"""Salesforce: Account fields through the REST API, one PATCH per event.

`PATCH {instance}/services/data/vXX.X/sobjects/Account/{external_id_field}/{account_id}` with the
fields as a flat JSON object updates the Account whose external id field holds the npsops account id
(Salesforce's sObject upsert by external id, 204 on update). The `Npsops_*__c` fields are custom
Account fields to create once; the external id field is configuration (CDK context).
"""

from __future__ import annotations

from shared.crm.mapping import CrmDestination, account_mapping

DEFAULT_API_VERSION = "v62.0"
DEFAULT_EXTERNAL_ID_FIELD = "Npsops_Account_Id__c"


def endpoint(
    instance_url: str,
    api_version: str = DEFAULT_API_VERSION,
    external_id_field: str = DEFAULT_EXTERNAL_ID_FIELD,
) -> str:
    return f"{instance_url.rstrip('/')}/services/data/{api_version}/sobjects/Account/{external_id_field}/*"


LAST_RESPONSE = account_mapping(
    "salesforce",
    "last-response",
    "The Account's last NPS answer: score, band, when",
    '{"Npsops_Last_Response_Score__c": <score>, "Npsops_Last_Response_Band__c": "<band>", '
    '"Npsops_Last_Response_At__c": "<at>"}',
)
NPS = account_mapping(
    "salesforce",
    "nps",
    "The Account's relational NPS this quarter, with n and margin of error",
    '{"Npsops_NPS__c": <nps>, "Npsops_NPS_Responses__c": <n>, '
    '"Npsops_NPS_Margin_Of_Error__c": <moe>, "Npsops_NPS_Quarter__c": "<quarter>"}',
)
HEALTH = account_mapping(
    "salesforce",
    "health",
    "The Account's health score (0-100) when signals change it",
    '{"Npsops_Health_Score__c": <score>, "Npsops_Health_Quarter__c": "<quarter>"}',
)
OPEN_CASE = account_mapping(
    "salesforce",
    "open-case",
    "The Account's latest open npsops case",
    '{"Npsops_Open_Case__c": "<case>", "Npsops_Open_Case_Rule__c": "<rule>", '
    '"Npsops_Open_Case_Due__c": "<due>"}',
)
CHURN_RISK = account_mapping(
    "salesforce",
    "churn-risk",
    "Churn risk flagged when rule 3 (NPS and usage both down) opens its case",
    '{"Npsops_Churn_Risk__c": true, "Npsops_Churn_Risk_Since__c": "<since>"}',
)

SALESFORCE = CrmDestination(
    name="salesforce",
    http_method="PATCH",
    mappings=(LAST_RESPONSE, NPS, HEALTH, OPEN_CASE, CHURN_RISK),
)
