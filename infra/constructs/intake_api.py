"""The intake HTTP API: POST /v1/responses to the intake function, throttled, with access logs."""

from __future__ import annotations

import json

import jsii
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs import LOG_RETENTION, acknowledge

RESPONSES_PATH = "/v1/responses"
# Steady requests per second and burst for the whole stage: far above what survey vendors send,
# low enough that a runaway client cannot run up the Lambda and DynamoDB bill.
THROTTLE_RATE_LIMIT = 100
THROTTLE_BURST_LIMIT = 200

# One JSON line per request, with the HTTP API's context variables (DESIGN.md §6: JSON logs).
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
    def __init__(self, scope: Construct, construct_id: str, *, intake: lambda_.IFunction) -> None:
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
        routes = self.api.add_routes(
            path=RESPONSES_PATH,
            methods=[apigwv2.HttpMethod.POST],
            integration=integrations.HttpLambdaIntegration("Intake", intake),
        )
        for route in routes:
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "Vendor webhook route: survey vendors cannot sign with SigV4 or present IAM or JWT "
                "credentials, so API Gateway authorization cannot apply. DESIGN.md §4 authenticates vendor "
                "routes by the vendor's own signature scheme, verified in the function; the generic format "
                "has no verifier yet, so until it does this route is open and only throttled.",
            )

    @property
    def url(self) -> str:
        return self.stage.url
