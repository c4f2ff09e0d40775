"""schemathesis against the API's own OpenAPI document (`npsops openapi`, generated from the handlers):
requests generated from the schema (valid ones, and ones that break it on purpose) go to the intake and
the vendor webhooks as API Gateway would pass them. None may get a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from local.aws import EmbeddedAws
from tests.integration.helpers import call

EXAMPLES = 100


@pytest.fixture(scope="module")
def api_aws() -> Iterator[EmbeddedAws]:
    with EmbeddedAws() as aws:
        yield aws


def request_of(case: Any) -> tuple[str, str, bytes, dict[str, str]]:
    sent = case.as_transport_kwargs(base_url="http://local")
    if "json" in sent:
        body = json.dumps(sent["json"]).encode()
    else:
        data = sent.get("data") or b""
        body = data.encode() if isinstance(data, str) else bytes(data)
    query = urlencode(sent.get("params") or {}, doseq=True)
    headers = {str(k): str(v) for k, v in (sent.get("headers") or {}).items()}
    return case.method, case.formatted_path + (f"?{query}" if query else ""), body, headers


@pytest.mark.parametrize(
    ("path", "mode"),
    [
        ("/v1/responses", GenerationMode.POSITIVE),
        ("/v1/responses", GenerationMode.NEGATIVE),
        # The webhook body is the vendor's own format (any JSON, verified by signature first): the
        # schema constrains only the path, so there is no invalid variant to generate.
        ("/v1/webhooks/{connection_id}", GenerationMode.POSITIVE),
    ],
    ids=["intake-valid", "intake-invalid", "webhook"],
)
def test_no_generated_request_gets_a_5xx(api_aws: EmbeddedAws, path: str, mode: GenerationMode) -> None:
    from local.openapi import openapi_document

    schema = schemathesis.openapi.from_dict(openapi_document())
    operations = [result.ok() for result in schema.include(path=path).get_all_operations()]  # type: ignore[union-attr]
    assert operations, f"{path} is not in the OpenAPI document"
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def send(case: Any) -> None:
            method, target, body, headers = request_of(case)
            status, answer = call(api_aws, method, target, body, headers)
            statuses.append(status)
            assert status < 500, (method, target, body[:300], status, answer)

        send()
    assert statuses  # requests were generated and sent
    if mode is GenerationMode.NEGATIVE:
        assert all(400 <= s < 500 for s in statuses), sorted(set(statuses))
