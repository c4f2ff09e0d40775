"""The API's one shape for refused requests: 422 with the problems, each naming its field; and the
resolver of the internal APIs, which answers an invalid request with it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError


def unprocessable(error: str, errors: Iterable[Mapping[str, Any]]) -> Response[dict[str, Any]]:
    """`errors` as pydantic gives them (loc, msg); the request body's own name is left out of fields."""
    problems = [
        {"field": ".".join(str(part) for part in e.get("loc", ()) if part != "body"), "message": e.get("msg")}
        for e in errors
    ]
    return Response(
        status_code=422,
        content_type=content_types.APPLICATION_JSON,
        body={"error": error, "problems": problems},
    )


def validating_resolver() -> APIGatewayHttpResolver:
    """A resolver that validates requests against the routes' models and refuses invalid ones with
    the 422 problems response."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[dict[str, Any]]:
        return unprocessable("invalid request", error.errors())

    return app
