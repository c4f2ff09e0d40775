"""The API functions' HTTP layer: an API Gateway (HTTP API, payload 2.0) event goes to the handler of
its route; the path and query parameters and the JSON body are validated against that handler's
annotations with pydantic; what it returns is serialised as JSON.

Why not Powertools' APIGatewayHttpResolver: it imports every resolver, asyncio and its OpenAPI models,
which alone put an API function at 1.19x the cold-start baseline before any npsops code
(`make bench-cold`). API Gateway has already matched the route, so a function needs only to look up
the event's routeKey. The OpenAPI document is built from the same routes at build time
(local/openapi.py), never at cold start.

    app = Api()

    @app.get("/v1/cases/{case_id}", summary="One case")
    def get_case(case_id: str, status: Annotated[str | None, Field(max_length=20)] = None) -> Case:
        ...

A parameter named in the path is a path parameter, one annotated with a pydantic model is the JSON
body, any other is a query parameter. Raise HttpError for a 4xx; register exception_handler for a
service's own errors. An invalid request is answered by `on_invalid` (default: 422 with problems).
"""

from __future__ import annotations

import base64
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from pydantic_core import to_json

JSON = "application/json"
TEXT = "text/plain"

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)
T = TypeVar("T")
E = TypeVar("E", bound=BaseException)
ErrorAnswer = Callable[[E], "Response[Any]"]


@dataclass(frozen=True)
class Response(Generic[T]):
    """A reply other than 200 with the handler's value: `body` is JSON-serialised (models, lists,
    dicts) unless the content type is text. `Response[Model]` as a handler's return annotation puts
    Model in the OpenAPI document."""

    status_code: int
    body: T | None = None
    content_type: str = JSON


class HttpError(Exception):
    """A refusal the client can act on: answered with `status_code` and {"error": message}."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


def not_found(message: str) -> HttpError:
    return HttpError(404, message)


def field_of(error: Mapping[str, Any]) -> str:
    """The field a pydantic error names, dotted ("signals.1.kind"); the body's own name left out."""
    return ".".join(str(part) for part in error.get("loc", ()) if part != "body")


def unprocessable(error: str, errors: Iterable[Mapping[str, Any]]) -> Response[dict[str, Any]]:
    """The API's one shape for refused requests: 422 with the problems, each naming its field.
    `errors` as pydantic gives them (loc, msg)."""
    problems = [{"field": field_of(e), "message": e.get("msg")} for e in errors]
    return Response(422, {"error": error, "problems": problems})


def too_large(limit: int) -> dict[str, Any]:
    """The proxy result for a body over `limit` bytes, answered before any parsing."""
    return proxy_result(Response(413, {"error": f"body larger than {limit} bytes"}))


def invalid_request(errors: list[dict[str, Any]]) -> Response[dict[str, Any]]:
    return unprocessable("invalid request", errors)


@dataclass(frozen=True)
class RawRequest:
    """For a handler that reads the request itself (a vendor webhook, whose signature covers the
    exact bytes): a parameter annotated RawRequest receives it."""

    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway syntax, as in functions/catalog.py: /v1/cases/{case_id}
    handler: Handler
    summary: str | None
    path_names: tuple[str, ...]
    # Path and query parameters together, validated as one model; None when there are none.
    parameters: type[BaseModel] | None
    body_name: str | None
    body: type[BaseModel] | None
    raw_name: str | None
    returns: Any  # the handler's return annotation, for the OpenAPI document

    @property
    def key(self) -> str:
        """API Gateway's routeKey for this route."""
        return f"{self.method} {self.path}"

    def arguments(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The handler's keyword arguments from the event; _InvalidRequest says what is wrong."""
        given = self._parameters(event) if self.parameters is not None else {}
        if self.body is not None and self.body_name is not None:
            try:
                given[self.body_name] = self.body.model_validate_json(_body(event))
            except ValidationError as invalid:
                raise _InvalidRequest(invalid, lambda loc: "body") from None
        if self.raw_name is not None:
            given[self.raw_name] = RawRequest(_body(event), dict(event.get("headers") or {}))
        return given

    def _parameters(self, event: Mapping[str, Any]) -> dict[str, Any]:
        assert self.parameters is not None
        path, query = event.get("pathParameters") or {}, event.get("queryStringParameters") or {}
        names = self.parameters.model_fields
        given = {n: (path if n in self.path_names else query).get(n) for n in names}
        try:
            validated = self.parameters.model_validate({n: v for n, v in given.items() if v is not None})
        except ValidationError as invalid:
            raise _InvalidRequest(invalid, self._where) from None
        return {name: getattr(validated, name) for name in names}

    def _where(self, loc: tuple[Any, ...]) -> str:
        return "path" if loc and loc[0] in self.path_names else "query"


class _InvalidRequest(Exception):
    """pydantic's errors, each located as the client sent it: ("body" | "path" | "query", *loc)."""

    def __init__(self, invalid: ValidationError, place: Callable[[tuple[Any, ...]], str]) -> None:
        super().__init__("invalid request")
        self.errors: list[dict[str, Any]] = [
            dict(e) | {"loc": (place(e["loc"]), *e["loc"])} for e in invalid.errors(include_url=False)
        ]


def _body(event: Mapping[str, Any]) -> bytes:
    raw = event.get("body") or ""
    return base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()


@dataclass
class Api:
    on_invalid: Callable[[list[dict[str, Any]]], Response[Any]] = invalid_request
    routes: dict[str, Route] = field(default_factory=dict)  # by API Gateway's routeKey
    _error_handlers: dict[type[BaseException], ErrorAnswer[Any]] = field(default_factory=dict)

    def get(self, path: str, summary: str | None = None) -> Callable[[H], H]:
        return self.route("GET", path, summary)

    def post(self, path: str, summary: str | None = None) -> Callable[[H], H]:
        return self.route("POST", path, summary)

    def put(self, path: str, summary: str | None = None) -> Callable[[H], H]:
        return self.route("PUT", path, summary)

    def delete(self, path: str, summary: str | None = None) -> Callable[[H], H]:
        return self.route("DELETE", path, summary)

    def route(self, method: str, path: str, summary: str | None = None) -> Callable[[H], H]:
        def register(handler: H) -> H:
            route = _route(method, path, handler, summary)
            self.routes[route.key] = route
            return handler

        return register

    def exception_handler(self, error: type[E]) -> Callable[[ErrorAnswer[E]], ErrorAnswer[E]]:
        def register(answer: ErrorAnswer[E]) -> ErrorAnswer[E]:
            self._error_handlers[error] = answer
            return answer

        return register

    def resolve(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The Lambda proxy result for `event`. Exceptions without a handler propagate: a 500."""
        route = self.routes.get(str(event.get("routeKey")))
        if route is None:
            return proxy_result(Response(404, {"error": f"no route {event.get('routeKey')}"}))
        try:
            value = route.handler(**route.arguments(event))
        except _InvalidRequest as invalid:
            return proxy_result(self.on_invalid(invalid.errors))
        except HttpError as refused:
            return proxy_result(Response(refused.status_code, {"error": str(refused)}))
        except Exception as error:
            answer = self._answer_for(error)
            if answer is None:
                raise
            return proxy_result(answer(error))
        return proxy_result(value if isinstance(value, Response) else Response(200, value))

    def _answer_for(self, error: Exception) -> ErrorAnswer[Any] | None:
        for kind in type(error).__mro__:
            if kind in self._error_handlers:
                return self._error_handlers[kind]
        return None


def _route(method: str, path: str, handler: Handler, summary: str | None) -> Route:
    hints = get_type_hints(handler, include_extras=True)
    path_names = tuple(part[1:-1] for part in path.split("/") if part.startswith("{"))
    fields: dict[str, Any] = {}
    body_name = raw_name = None
    body: type[BaseModel] | None = None
    for name, parameter in inspect.signature(handler).parameters.items():
        annotation = hints.get(name, str)
        if annotation is RawRequest:
            raw_name = name
        elif name not in path_names and inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            body_name, body = name, annotation
            body.model_rebuild()  # validated on every request: built during init, not on the first call
        else:
            required = parameter.default is inspect.Parameter.empty
            fields[name] = (annotation, ... if required else parameter.default)
    if missing := set(path_names) - set(fields):
        raise TypeError(f"{handler.__name__} takes no parameter for {sorted(missing)} of {path}")
    parameters = (
        create_model(f"{handler.__name__}_parameters", __config__=ConfigDict(extra="ignore"), **fields)
        if fields
        else None
    )
    return Route(
        method, path, handler, summary, path_names, parameters, body_name, body, raw_name, hints.get("return")
    )


def proxy_result(response: Response[Any]) -> dict[str, Any]:
    """The Lambda proxy result API Gateway turns into the HTTP reply."""
    if response.body is None:
        body = ""
    elif response.content_type == JSON:
        body = to_json(response.body).decode()
    else:
        body = str(response.body)
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": response.content_type},
        "body": body,
        "isBase64Encoded": False,
    }
