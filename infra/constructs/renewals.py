"""The pre-renewal escalation (statemachines/renewal_escalation.asl.json, STANDARD, weeks long):
started and ended by the daily scanner, resumed with the pre-renewal answer by the response
pipeline's close-the-loop step, and by checkpoint 1 itself when the renewal ended before it asked."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions.catalog import CLOSE_THE_LOOP, RENEWAL_CHECKPOINTS, RENEWAL_SCANNER
from infra.constructs import acknowledge
from infra.constructs.pipeline import Pipeline
from statemachines import RENEWAL_ESCALATION


class RenewalEscalation(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, construct_id)
        checkpoints = functions[RENEWAL_CHECKPOINTS.name]
        scanner = functions[RENEWAL_SCANNER.name]
        self.pipeline = Pipeline(
            self,
            "StateMachine",
            spec=RENEWAL_ESCALATION,
            substitutions={str(RENEWAL_CHECKPOINTS.asl_placeholder): checkpoints.function_arn},
            invokes=[checkpoints],
        )
        self.state_machine = self.pipeline.state_machine
        # By name, not by reference: the escalation invokes the checkpoints function, which resumes
        # it, so a reference either way would be a dependency cycle.
        arn = self.pipeline.arn
        for spec in (RENEWAL_SCANNER, RENEWAL_CHECKPOINTS, CLOSE_THE_LOOP):
            functions[spec.name].add_environment("RENEWAL_ESCALATION_ARN", arn)
        scanner.add_to_role_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[arn]))
        scanner.add_to_role_policy(
            iam.PolicyStatement(actions=["states:StopExecution"], resources=[self.pipeline.executions_arn])
        )
        assert scanner.role is not None
        acknowledge(
            scanner.role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
            f"execution:{self.pipeline.state_machine_name}:*]",
            "The scanner stops a renewal's escalation when the renewal moved or the account renewed or "
            "churned; executions are named per renewal at run time, so the grant names this state "
            "machine's executions by prefix.",
        )
        for spec in (RENEWAL_CHECKPOINTS, CLOSE_THE_LOOP):
            functions[spec.name].add_to_role_policy(
                iam.PolicyStatement(
                    actions=["states:SendTaskSuccess", "states:SendTaskFailure"], resources=[arn]
                )
            )
