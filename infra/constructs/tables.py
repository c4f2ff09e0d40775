"""The DynamoDB tables, one per TableSpec in shared/store/schema.py (keys and GSIs come from there)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from shared.store.schema import TABLES, TableSpec


def _string_key(name: str | None) -> dynamodb.Attribute | None:
    # Every key attribute in the schema is a string.
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING) if name else None


class Tables(Construct):
    def __init__(self, scope: Construct, construct_id: str, specs: tuple[TableSpec, ...] = TABLES) -> None:
        super().__init__(scope, construct_id)
        self._tables: dict[str, tuple[TableSpec, dynamodb.Table]] = {}
        for spec in specs:
            table = dynamodb.Table(
                self,
                spec.logical_name,
                partition_key=dynamodb.Attribute(name=spec.partition_key, type=dynamodb.AttributeType.STRING),
                sort_key=_string_key(spec.sort_key),
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                encryption=dynamodb.TableEncryption.AWS_MANAGED,
                # Responses, votes and cases are the customer's record: a stack deletion keeps them.
                removal_policy=RemovalPolicy.RETAIN,
            )
            for index in spec.indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=dynamodb.Attribute(
                        name=index.partition_key, type=dynamodb.AttributeType.STRING
                    ),
                    sort_key=_string_key(index.sort_key),
                    projection_type=dynamodb.ProjectionType[str(index.projection["ProjectionType"])],
                    non_key_attributes=list(index.included) if index.included is not None else None,
                )
            self._tables[spec.logical_name] = (spec, table)

    def table(self, spec: TableSpec) -> dynamodb.Table:
        return self._tables[spec.logical_name][1]

    def all(self) -> list[tuple[TableSpec, dynamodb.Table]]:
        return list(self._tables.values())

    def index_arns(self, spec: TableSpec) -> list[str]:
        """Each GSI's ARN by name: grants that need an index name it, never index/*."""
        table = self.table(spec)
        return [f"{table.table_arn}/index/{index.name}" for index in spec.indexes]
