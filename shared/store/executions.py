"""Starts the response pipeline (execution names are response keys, so a run is easy to find) and
the long-running workflows."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.domain.models import CanonicalResponse
from shared.store.dynamo import StoreUnavailable, translated_errors


@cache
def _client() -> Any:
    return boto3.client("stepfunctions")


class PipelineStarter:
    def __init__(self, state_machine_arn: str) -> None:
        self._arn = state_machine_arn

    def start(self, response: CanonicalResponse, attempt: int = 0) -> str:
        name = response.revision_key if attempt == 0 else f"{response.revision_key}-redrive-{attempt}"
        payload = {"response": response.model_dump(mode="json"), "response_key": response.key}
        try:
            started = _client().start_execution(
                stateMachineArn=self._arn, name=execution_name(name), input=json.dumps(payload)
            )
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"could not start the pipeline: {error}") from error
        return str(started["executionArn"])


_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9._@+=-]")
_MAX_NAME = 80


def execution_name(wanted: str) -> str:
    """Step Functions names allow 80 characters and no ':' '#' or spaces, which vendor ids may hold.
    A readable name where it fits; else its start and a digest, still one name per input."""
    name = _NOT_IN_NAMES.sub("_", wanted)
    if name == wanted and len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(wanted.encode()).hexdigest()[:12]
    return f"{name[: _MAX_NAME - 13]}-{digest}"


# Step Functions' throttling and service faults: a retry (the caller's Step Functions Retry) may work.
_SFN_TRANSIENT = {
    "ThrottlingException",
    "ServiceUnavailable",
    "InternalServerError",
    "ServiceQuotaExceededException",
}


class Workflows:
    """Starts, stops and resumes executions of one long-running state machine (the renewal
    escalation): named executions, so starting one twice is harmless."""

    def __init__(self, state_machine_arn: str) -> None:
        self._arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> str:
        with translated_errors(_SFN_TRANSIENT):
            try:
                started = _client().start_execution(
                    stateMachineArn=self._arn, name=name, input=json.dumps(payload)
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                    raise
                return self.arn_of(name)
        return str(started["executionArn"])

    def stop(self, name: str, cause: str) -> None:
        with translated_errors(_SFN_TRANSIENT):
            try:
                _client().stop_execution(executionArn=self.arn_of(name), cause=cause[:32768])
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
                    raise

    def resume(self, task_token: str, output: dict[str, Any]) -> bool:
        """Hand a waiting task its result; False when it no longer waits (timed out, stopped)."""
        with translated_errors(_SFN_TRANSIENT):
            try:
                _client().send_task_success(taskToken=task_token, output=json.dumps(output))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in (
                    "TaskTimedOut",
                    "InvalidToken",
                    "TaskDoesNotExist",
                ):
                    raise
                return False
        return True

    def arn_of(self, name: str) -> str:
        return self._arn.replace(":stateMachine:", ":execution:") + f":{name}"
