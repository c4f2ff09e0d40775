"""Alarms (failed pipeline runs, DLQ depth, API 5xx, Lambda throttles, undeliverable CRM events)
and the operations dashboard, with the business metrics the handlers emit (Powertools, namespace
npsops): responses by band, triggers fired, cases opened, SLA breaches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from shared.observability import SERVICE

PERIOD = Duration.minutes(5)
METRICS_NAMESPACE = SERVICE  # Powertools' namespace (infra/constructs/functions.py)
BUSINESS_METRICS = {
    "Responses by band": ("ResponsesPromoter", "ResponsesPassive", "ResponsesDetractor"),
    "Cases and SLAs": ("CasesOpened", "SlaBreaches"),
}


class Observability(Construct):
    """Every alarm fires on the first occurrence: one failed response is one customer not followed up.

    The alarms have no actions yet; `alarms` is there for whoever wires them to SNS, chat or paging.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: sfn.StateMachine,
        api: apigwv2.HttpApi,
        functions: Sequence[tuple[str, lambda_.IFunction]],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        crm_rules: Mapping[str, Sequence[events.IRule]] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms: list[cloudwatch.Alarm] = []
        self._alarm(
            "PipelineExecutionsFailed",
            pipeline.metric_failed(period=PERIOD, statistic="Sum"),
            "A response pipeline execution failed: the response is marked failed for redrive.",
        )
        self._alarm(
            "PipelineExecutionsTimedOut",
            pipeline.metric_timed_out(period=PERIOD, statistic="Sum"),
            "A response pipeline execution timed out.",
        )
        self._alarm(
            "IntakeApi5xx",
            api.metric_server_error(period=PERIOD, statistic="Sum"),
            "The intake API answered 5xx: vendors will retry, or lose, responses.",
        )
        # HTTP APIs have no throttle metric of their own (a throttled request is a 429 in 4xx);
        # what throttles here is Lambda's concurrency (account-wide), which becomes 5xx or retries.
        # No label: a labelled metric becomes a metric query, and alarms read best as plain metrics.
        throttles = lambda_.Function.metric_all_throttles(period=PERIOD, statistic="Sum")
        self._alarm("LambdaThrottles", throttles, "A function was throttled: raise its concurrency.")
        crm_failures: list[cloudwatch.IMetric] = []
        for destination, rules in (crm_rules or {}).items():
            # One alarm per CRM: its rules' failed invocations (each retried, then dead-lettered).
            failed = cloudwatch.MathExpression(
                expression="+".join(f"{destination}{i}" for i in range(len(rules))),
                using_metrics={
                    f"{destination}{i}": cloudwatch.Metric(
                        namespace="AWS/Events",
                        metric_name="FailedInvocations",
                        dimensions_map={"RuleName": rule.rule_name},
                        period=PERIOD,
                        statistic="Sum",
                    )
                    for i, rule in enumerate(rules)
                },
                period=PERIOD,
                label=f"{destination} deliveries failed",
            )
            crm_failures.append(failed)
            self._alarm(
                f"CrmDeliveriesFailed{destination.title()}",
                failed,
                f"{destination} rejected or never answered an event: retried, then dead-lettered.",
            )
        dlq_depths: list[cloudwatch.IMetric] = []
        for name, queue in dead_letter_queues.items():
            depth = queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"
            )
            dlq_depths.append(depth.with_(label=name))
            self._alarm(f"{name}Depth", depth, f"Messages are waiting in the {name} dead-letter queue.")

        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{Stack.of(self).stack_name}-operations",
            default_interval=Duration.hours(3),
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24, height=3)
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Intake requests",
                left=[
                    api.metric_count(period=PERIOD, statistic="Sum", label="Requests"),
                    api.metric_client_error(period=PERIOD, statistic="Sum", label="4xx"),
                    api.metric_server_error(period=PERIOD, statistic="Sum", label="5xx"),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Pipeline executions",
                left=[
                    pipeline.metric_succeeded(period=PERIOD, statistic="Sum", label="Succeeded"),
                    pipeline.metric_failed(period=PERIOD, statistic="Sum", label="Failed"),
                    pipeline.metric_timed_out(period=PERIOD, statistic="Sum", label="Timed out"),
                ],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Lambda errors",
                left=[
                    function.metric_errors(period=PERIOD, statistic="Sum", label=name)
                    for name, function in functions
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(title="Dead-letter queue depth", left=dlq_depths, width=12),
        )
        business = [
            cloudwatch.GraphWidget(
                title=title,
                left=[
                    cloudwatch.Metric(
                        namespace=METRICS_NAMESPACE,
                        metric_name=name,
                        dimensions_map={"service": SERVICE},
                        period=PERIOD,
                        statistic="Sum",
                        label=name,
                    )
                    for name in names
                ],
                width=8,
            )
            for title, names in BUSINESS_METRICS.items()
        ]
        business.append(
            cloudwatch.GraphWidget(
                title="Lambda throttles and CRM deliveries failed",
                left=[throttles.with_(label="Lambda throttles"), *crm_failures],
                width=8,
            )
        )
        self.dashboard.add_widgets(*business)

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, description: str) -> None:
        self.alarms.append(
            cloudwatch.Alarm(
                self,
                construct_id,
                metric=metric,
                # > 0: the first failure, or the first message in a DLQ, is worth a look.
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                # No data means nothing happened: no failures, nothing in the queue.
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
        )
