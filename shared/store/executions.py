"""Starts the response pipeline. Execution names are response keys, so a run is easy to find."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.domain.models import CanonicalResponse
from shared.store.dynamo import StoreUnavailable


@cache
def _client() -> Any:
    return boto3.client("stepfunctions")


class PipelineStarter:
    def __init__(self, state_machine_arn: str) -> None:
        self._arn = state_machine_arn

    def start(self, response: CanonicalResponse, attempt: int = 0) -> str:
        name = response.key if attempt == 0 else f"{response.key}-redrive-{attempt}"
        payload = {"response": response.model_dump(mode="json"), "response_key": response.key}
        try:
            started = _client().start_execution(
                stateMachineArn=self._arn, name=name[:80], input=json.dumps(payload)
            )
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"could not start the pipeline: {error}") from error
        return str(started["executionArn"])
