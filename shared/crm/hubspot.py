"""HubSpot: company properties through the CRM API, one PATCH per event.

`PATCH https://api.hubapi.com/crm/v3/objects/companies/{account_id}?idProperty=npsops_account_id`
with `{"properties": {...}}` updates the company whose unique property `npsops_account_id` holds the
npsops account id, so no id mapping table is needed. The `npsops_*` properties are custom company
properties to create once in HubSpot (number, date-time, single-line text, boolean checkbox).
"""

from __future__ import annotations

from shared.crm.mapping import CrmDestination, account_mapping

API_BASE = "https://api.hubapi.com"
ENDPOINT = f"{API_BASE}/crm/v3/objects/companies/*"
ID_PROPERTY = "npsops_account_id"

LAST_RESPONSE = account_mapping(
    "hubspot",
    "last-response",
    "The company's last NPS answer: score, band, when",
    '{"properties": {"npsops_last_response_score": <score>, '
    '"npsops_last_response_band": "<band>", "npsops_last_response_at": "<at>"}}',
)
NPS = account_mapping(
    "hubspot",
    "nps",
    "The company's relational NPS this quarter, with n and margin of error",
    '{"properties": {"npsops_nps": <nps>, "npsops_nps_n": <n>, '
    '"npsops_nps_margin_of_error": <moe>, "npsops_nps_quarter": "<quarter>"}}',
)
HEALTH = account_mapping(
    "hubspot",
    "health",
    "The company's health score (0-100) when signals change it",
    '{"properties": {"npsops_health_score": <score>, "npsops_health_quarter": "<quarter>"}}',
)
OPEN_CASE = account_mapping(
    "hubspot",
    "open-case",
    "The company's latest open npsops case: rule, due time, link id",
    '{"properties": {"npsops_open_case": "<case>", "npsops_open_case_rule": "<rule>", '
    '"npsops_open_case_due_at": "<due>"}}',
)
CHURN_RISK = account_mapping(
    "hubspot",
    "churn-risk",
    "Churn risk flagged when rule 3 (NPS and usage both down) opens its case",
    '{"properties": {"npsops_churn_risk": true, "npsops_churn_risk_since": "<since>", '
    '"npsops_churn_risk_case": "<case>"}}',
)

HUBSPOT = CrmDestination(
    name="hubspot",
    http_method="PATCH",
    mappings=(LAST_RESPONSE, NPS, HEALTH, OPEN_CASE, CHURN_RISK),
    query={"idProperty": ID_PROPERTY},
)
