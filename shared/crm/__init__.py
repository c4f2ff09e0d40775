"""CRM destinations: what each CRM receives for which npsops event, defined once for CDK (rules,
input transformers, API destinations) and for the local CRM sink, which renders the same requests.

A mapping is either an EventBridge input transformer (`InputTransform`: JSON paths into the event
and a template), or, where a transformer cannot express it, a function run by the mapping Lambda
(`Slack`: free text that must be escaped, which a transformer does not do).
"""

from __future__ import annotations

from shared.crm.mapping import (
    CrmDestination,
    CrmMapping,
    InputTransform,
    MissingPath,
    UnsafeValue,
    account_mapping,
    detail_types,
    json_path,
)

__all__ = [
    "CrmDestination",
    "CrmMapping",
    "InputTransform",
    "MissingPath",
    "UnsafeValue",
    "account_mapping",
    "destinations",
    "detail_types",
    "json_path",
]


def destinations() -> tuple[CrmDestination, ...]:
    """Every CRM destination npsops knows (CDK deploys those its configuration switches on)."""
    from shared.crm.hubspot import HUBSPOT
    from shared.crm.salesforce import SALESFORCE
    from shared.crm.slack import SLACK

    return (HUBSPOT, SALESFORCE, SLACK)
