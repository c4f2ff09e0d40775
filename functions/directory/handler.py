"""Internal API (IAM-authenticated on AWS): survey connections, the contact directory and the
quarantine of answers waiting for it.

    GET    /v1/connections              PUT /v1/connections/{id}     DELETE /v1/connections/{id}
    PUT    /v1/contacts                 GET /v1/quarantine
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.api import Api, Response, not_found, unprocessable
from shared.config import IntakeSettings
from shared.domain.contacts import Contact
from shared.observability import lambda_handler
from shared.services.directory import Learned
from shared.services.webhooks import UnknownConnection
from shared.vendors.base import Connection
from shared.wiring import connections

settings = IntakeSettings.from_env()
directory = connections.directory(settings)
app = Api()


class ConnectionRequest(BaseModel):
    """A connection's settings, and its secret when it is set or rotated. The secret goes to
    Secrets Manager; only its name is stored with the connection."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    settings: dict[str, Any] = Field(default_factory=dict)
    signing_key: str | None = Field(default=None, min_length=1, max_length=4096)
    api_token: str | None = Field(default=None, min_length=1, max_length=4096)


class ContactsRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)

    contacts: list[Contact] = Field(min_length=1, max_length=1000)


@app.get("/v1/connections")
def list_connections() -> list[Connection]:
    return directory.connections()


@app.put("/v1/connections/{connection_id}")
def put_connection(connection_id: str, request: ConnectionRequest) -> Connection:
    return directory.connect(connection_id, request.settings, request.signing_key, request.api_token)


@app.delete("/v1/connections/{connection_id}")
def delete_connection(connection_id: str) -> Response[None]:
    try:
        directory.disconnect(connection_id)
    except UnknownConnection as missing:
        raise not_found(f"no connection {missing}") from missing
    return Response(204)


@app.put("/v1/contacts")
def put_contacts(request: ContactsRequest) -> Learned:
    return directory.learn(request.contacts, now=datetime.now(UTC))


@app.get("/v1/quarantine")
def list_quarantine() -> list[dict[str, Any]]:
    return directory.quarantined()


@app.exception_handler(ValidationError)
def invalid_connection(error: ValidationError) -> Response[dict[str, Any]]:
    return unprocessable("invalid connection", error.errors())


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)
