"""The HTTP API's OpenAPI document, generated at build time from the routes and models of every API
function's handler (functions/catalog.py API_FUNCTIONS; functions/api.py Route), merged into one
document. Nothing here runs in a Lambda function."""

from __future__ import annotations

import importlib
import os
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from functions.api import Response, Route
from local.aws import REGION, function_environment

# The handler validates its settings at import; the document does not depend on their values.
_PLACEHOLDER_PIPELINE = f"arn:aws:states:{REGION}:123456789012:stateMachine:response-pipeline"
_REFS = "#/components/schemas/{model}"
_DESCRIPTION = (
    "Survey responses in; NPS operations out. Routes under /v1/webhooks/ are authenticated by the "
    "vendor's signature; every other route but /v1/responses needs IAM (SigV4) credentials."
)


class RequestProblem(BaseModel):
    field: str
    message: str


class RequestProblems(BaseModel):
    """How every API function refuses an invalid request (functions/api.py unprocessable)."""

    error: str
    problems: list[RequestProblem]


def openapi_document() -> dict[str, Any]:
    placeholders = function_environment() | {
        "PIPELINE_ARN": _PLACEHOLDER_PIPELINE,
        "AWS_DEFAULT_REGION": REGION,
    }
    for key, value in placeholders.items():
        os.environ.setdefault(key, value)
    from functions.catalog import API_FUNCTIONS

    routes = [
        route for spec in API_FUNCTIONS for route in importlib.import_module(spec.module).app.routes.values()
    ]
    return document(routes)


def document(routes: list[Route]) -> dict[str, Any]:
    """One OpenAPI 3.1 document for `routes`; every model is a shared component."""
    Wanted = tuple[tuple[str, str], Any, JsonSchemaMode]
    wanted: list[Wanted] = [(("problems", ""), RequestProblems, "serialization")]
    for route in routes:
        if route.parameters is not None:
            wanted.append(((route.key, "parameters"), route.parameters, "validation"))
        if route.body is not None:
            wanted.append(((route.key, "body"), route.body, "validation"))
        if (returns := _returned(route.returns)) is not None:
            wanted.append(((route.key, "returns"), returns, "serialization"))
    schemas, definitions = TypeAdapter.json_schemas(
        [(key, mode, TypeAdapter(t)) for key, t, mode in wanted], ref_template=_REFS
    )
    components = definitions.get("$defs", {})
    found = {key: schema for (key, _mode), schema in schemas.items()}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if (parameters := found.get((route.key, "parameters"))) is not None:
            # Listed in the operation, one by one; not a component.
            found[(route.key, "parameters")] = components.pop(parameters["$ref"].rsplit("/", 1)[-1])
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, found)
    return {
        "openapi": "3.1.0",
        "info": {"title": "npsops API", "description": _DESCRIPTION, "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": dict(sorted(components.items()))},
    }


def _operation(route: Route, found: dict[tuple[str, str], Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": route.summary or route.handler.__name__.replace("_", " ").capitalize(),
        "operationId": re.sub(r"\W", "_", f"{route.handler.__name__}{route.path}_{route.method.lower()}"),
    }
    if (parameters := found.get((route.key, "parameters"))) is not None:
        required = set(parameters.get("required", ()))
        operation["parameters"] = [
            {
                "name": name,
                "in": "path" if name in route.path_names else "query",
                "required": name in required,
                "schema": schema,
            }
            for name, schema in parameters["properties"].items()
        ]
    if (body := found.get((route.key, "body"))) is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": body}}, "required": True}
    returned = found.get((route.key, "returns"))
    ok: dict[str, Any] = {"description": "Successful Response"}
    if returned is not None:
        ok["content"] = {"application/json": {"schema": returned}}
    operation["responses"] = {"200": ok}
    # A request can be refused as invalid if it has a body or a parameter beyond a plain string.
    constrained = any(set(p["schema"]) - {"title", "type"} for p in operation.get("parameters", ()))
    if route.body is not None or constrained:
        invalid = {"application/json": {"schema": found[("problems", "")]}}
        operation["responses"]["422"] = {"description": "Invalid request", "content": invalid}
    return operation


def _returned(annotation: Any) -> Any:
    """The JSON a handler's reply carries: Response[X] is X; a bare Response, Response[None] (no body)
    and Response[str] (a text reply: the webhook's HEAD probe) document none."""
    if annotation is None or annotation is Response:
        return None
    if get_origin(annotation) is Response:
        carried = get_args(annotation)[0]
        return None if carried in (str, type(None)) else carried
    return annotation
