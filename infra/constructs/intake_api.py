"""The HTTP API: every route of functions/catalog.py to its function, throttled, with access logs.
Vendor routes are open and verified by the vendor's signature; internal routes need IAM (SigV4)."""

from __future__ import annotations

import json

import jsii
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.catalog import FunctionSpec
from infra.constructs import LOG_RETENTION, acknowledge

# Steady requests per second and burst for the whole stage: far above what survey vendors send,
# low enough that a runaway client cannot run up the Lambda and DynamoDB bill.
THROTTLE_RATE_LIMIT = 100
THROTTLE_BURST_LIMIT = 200

# One JSON line per request, with the API's context variables (docs/operators.md#alarms-dashboard-and-logs).
ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
    json.dumps(
        {
            "requestId": "$context.requestId",
            "requestTime": "$context.requestTime",
            "ip": "$context.identity.sourceIp",
            "userAgent": "$context.identity.userAgent",
            "routeKey": "$context.routeKey",
            "status": "$context.status",
            "protocol": "$context.protocol",
            "responseLength": "$context.responseLength",
            "responseLatency": "$context.responseLatency",
            "integrationLatency": "$context.integrationLatency",
            "integrationError": "$context.integrationErrorMessage",
        }
    )
)


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogs:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return ACCESS_LOG_FORMAT


class IntakeApi(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: list[tuple[FunctionSpec, lambda_.IFunction]]
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            description="npsops intake: survey vendors post NPS responses here",
            # The default stage is made below, where it can have throttling and access logs.
            create_default_stage=False,
        )
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=LOG_RETENTION)
        self.stage = self.api.add_stage(
            "DefaultStage",
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=THROTTLE_RATE_LIMIT, burst_limit=THROTTLE_BURST_LIMIT
            ),
            access_log_settings=_AccessLogs(self.access_logs),
        )
        iam_auth = authorizers.HttpIamAuthorizer()
        for spec, function in functions:
            integration = integrations.HttpLambdaIntegration(f"{spec.name}-integration", function)
            for route in spec.routes:
                created = self.api.add_routes(
                    path=route.path,
                    methods=[apigwv2.HttpMethod(route.method)],
                    integration=integration,
                    authorizer=iam_auth if route.internal else None,
                )
                if not route.internal:
                    for public in created:
                        acknowledge(public, "AwsSolutions-APIG4", _OPEN_ROUTE_REASON)

    @property
    def url(self) -> str:
        return self.stage.url


_OPEN_ROUTE_REASON = (
    "Survey vendor route: vendors cannot sign with SigV4 or present IAM or JWT credentials, so API "
    "Gateway authorization cannot apply. Webhook routes are authenticated by the vendor's own signature "
    "(shared/vendors/), verified in the function before anything is read or written. The generic "
    "/v1/responses format has no signature scheme: it is open and only throttled."
)
