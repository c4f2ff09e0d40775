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
from shared.services.directory import Learned, connect, learn
from shared.services.webhooks import webhooks_from
from shared.vendors.base import Connection

settings = IntakeSettings.from_env()
webhooks = webhooks_from(settings)
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
    return webhooks.connections.all()


@app.put("/v1/connections/{connection_id}")
def put_connection(connection_id: str, request: ConnectionRequest) -> Connection:
    return connect(connection_id, request.settings, request.signing_key, request.api_token, webhooks)


@app.delete("/v1/connections/{connection_id}")
def delete_connection(connection_id: str) -> Response[None]:
    if not webhooks.connections.delete(connection_id):
        raise not_found(f"no connection {connection_id}")
    return Response(204)


@app.put("/v1/contacts")
def put_contacts(request: ContactsRequest) -> Learned:
    return learn(request.contacts, webhooks, now=datetime.now(UTC))


@app.get("/v1/quarantine")
def list_quarantine() -> list[dict[str, Any]]:
    return [
        {k: held[k] for k in ("sk", "connection_id", "reason", "held_at", "answer")}
        for held in webhooks.quarantine.all()
    ]


@app.exception_handler(ValidationError)
def invalid_connection(error: ValidationError) -> Response[dict[str, Any]]:
    return unprocessable("invalid connection", error.errors())


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event)
