"""One construct per capability: tables, events, functions, pipeline, intake API, observability."""

from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_logs as logs
from constructs import IConstruct

# How long every log group (functions, state machine, API access logs) keeps its events.
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """A cdk-nag finding accepted on `scope` and everything under it, with the reason it must stay.

    `rule_id` is the rule ("AwsSolutions-L1") or one finding of it ("AwsSolutions-IAM5[Resource::*]").
    """
    if not reason.strip():
        raise ValueError(f"acknowledging {rule_id} needs a reason")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
