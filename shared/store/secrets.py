"""Vendor secrets in Secrets Manager, read through a short cache.

The cache keeps one GetSecretValue per secret per execution environment every few minutes instead
of one per webhook; a rotated secret is picked up within TTL_SECONDS.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.store.dynamo import StoreUnavailable

TTL_SECONDS = 300


class SecretNotFound(Exception):
    pass


@cache
def _client() -> Any:
    return boto3.client("secretsmanager")


class SecretStore:
    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._cached: dict[str, tuple[float, str]] = {}

    def value(self, ref: str) -> str:
        hit = self._cached.get(ref)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        try:
            secret = str(_client().get_secret_value(SecretId=ref)["SecretString"])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise SecretNotFound(ref) from error
            raise StoreUnavailable(f"secret {ref}: {error}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"secret {ref}: {error}") from error
        self._cached[ref] = (time.monotonic(), secret)
        return secret

    def put(self, name: str, value: str) -> str:
        """Create or rotate a secret; returns its ARN."""
        self._cached.pop(name, None)
        try:
            try:
                return str(_client().create_secret(Name=name, SecretString=value)["ARN"])
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ResourceExistsException":
                    raise
                return str(_client().put_secret_value(SecretId=name, SecretString=value)["ARN"])
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"secret {name}: {error}") from error
