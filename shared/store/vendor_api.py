"""The survey vendors' REST APIs, read for the details of thin notifications (SurveyMonkey,
Qualtrics send ids only). Behind the VendorApi interface so tests and the local runtime can serve
details from a fake vendor API over real HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Protocol

from shared.vendors.base import Connection, Vendor

# Where each vendor's API lives unless the connection says otherwise. Qualtrics has one host per
# data center, so its connections must name theirs.
DEFAULT_BASE_URLS = {Vendor.SURVEYMONKEY: "https://api.surveymonkey.com"}
RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class VendorApiUnavailable(Exception):
    """The vendor's API did not answer in time: the webhook answers 503 and the vendor retries."""


class VendorApiRefused(Exception):
    """The vendor's API refused the request (a bad token, an unknown response): a setup problem."""


class VendorApi(Protocol):
    def get(self, connection: Connection, path: str, token: str | None) -> dict[str, Any]: ...


class HttpVendorApi:
    def __init__(self, attempts: int = 3, backoff_seconds: float = 0.2, timeout_seconds: float = 5) -> None:
        self._attempts, self._backoff, self._timeout = attempts, backoff_seconds, timeout_seconds

    def get(self, connection: Connection, path: str, token: str | None) -> dict[str, Any]:
        base = connection.api_base_url or DEFAULT_BASE_URLS.get(connection.vendor)
        if base is None:
            raise VendorApiRefused(f"connection {connection.connection_id} has no api_base_url")
        request = urllib.request.Request(base.rstrip("/") + path, headers=_auth(connection.vendor, token))
        for attempt in range(self._attempts):
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as reply:
                    return dict(json.loads(reply.read()))
            except urllib.error.HTTPError as error:
                if error.code not in RETRIED_STATUSES:
                    raise VendorApiRefused(f"{connection.vendor} answered {error.code} for {path}") from error
                failure: Exception = error
            except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
                failure = error
            if attempt + 1 < self._attempts:
                time.sleep(self._backoff * 2**attempt)
        raise VendorApiUnavailable(f"{connection.vendor} {path}: {failure}")


def _auth(vendor: Vendor, token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if token and vendor is Vendor.QUALTRICS:
        headers["X-API-TOKEN"] = token
    elif token:
        headers["Authorization"] = f"Bearer {token}"
    return headers
