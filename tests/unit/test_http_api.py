"""functions/api.py: routing by API Gateway's routeKey, validation of path, query and body against
the handler's annotations, serialisation, and the refusals. Pure: events in, proxy results out."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from functions.api import TEXT, Api, HttpError, RawRequest, Response, not_found, proxy_result


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20)
    stars: int = Field(ge=1, le=5)


class Refused(Exception):
    pass


app = Api()
seen: list[Any] = []


@app.get("/v1/notes/{note_id}")
def get_note(note_id: str, limit: Annotated[int, Field(ge=1, le=10)] = 3, tag: str | None = None) -> Note:
    if note_id == "missing":
        raise not_found(f"no note {note_id}")
    seen.append((note_id, limit, tag))
    return Note(text=f"{note_id}:{limit}", stars=5)


@app.put("/v1/notes/{note_id}")
def put_note(note_id: str, note: Note) -> Response[Note]:
    if note.text == "refuse":
        raise Refused("not this one")
    if note.text == "conflict":
        raise HttpError(409, "already there")
    return Response(201, note)


@app.route("HEAD", "/v1/notes/{note_id}")
def probe(note_id: str) -> Response[str]:
    return Response(200, "", TEXT)


@app.post("/v1/raw")
def raw(request: RawRequest) -> dict[str, Any]:
    return {"body": request.body.decode(), "signature": request.headers.get("x-signature")}


@app.exception_handler(Refused)
def refused(error: Refused) -> Response[dict[str, str]]:
    return Response(403, {"error": str(error)})


def event(
    route_key: str,
    path: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    encoded: bool = False,
) -> dict[str, Any]:
    text = None if body is None else (base64.b64encode(body).decode() if encoded else body.decode())
    return (
        {
            "version": "2.0",
            "routeKey": route_key,
            "headers": headers or {},
            "body": text,
            "isBase64Encoded": encoded,
        }
        | ({"pathParameters": path} if path else {})
        | ({"queryStringParameters": query} if query else {})
    )


def answer(result: dict[str, Any]) -> tuple[int, Any]:
    body = result["body"]
    return result["statusCode"], json.loads(body) if body.startswith(("{", "[")) else body


def test_path_and_query_parameters_are_validated_and_coerced() -> None:
    seen.clear()
    status, body = answer(app.resolve(event("GET /v1/notes/{note_id}", {"note_id": "n#1"}, {"limit": "7"})))
    assert (status, body) == (200, {"text": "n#1:7", "stars": 5})
    assert seen == [("n#1", 7, None)]


def test_a_parameter_out_of_range_is_a_422_naming_where_it_was() -> None:
    status, body = answer(app.resolve(event("GET /v1/notes/{note_id}", {"note_id": "n"}, {"limit": "99"})))
    assert status == 422 and body["error"] == "invalid request"
    assert [p["field"] for p in body["problems"]] == ["query.limit"]


def test_the_body_is_validated_as_the_handlers_model_and_its_response_keeps_its_status() -> None:
    sent = json.dumps({"text": "hello", "stars": 4}).encode()
    status, body = answer(app.resolve(event("PUT /v1/notes/{note_id}", {"note_id": "n"}, body=sent)))
    assert (status, body) == (201, {"text": "hello", "stars": 4})


@pytest.mark.parametrize(
    ("sent", "fields"),
    [
        (b'{"text": "", "stars": 9}', ["text", "stars"]),
        (b'{"text": "a", "stars": 1, "extra": true}', ["extra"]),
        (b"[]", [""]),
        (b"{", [""]),
        (b"", [""]),
    ],
    ids=["constraints", "unknown field", "not an object", "not JSON", "empty"],
)
def test_an_invalid_body_is_a_422_with_a_problem_per_field(sent: bytes, fields: list[str]) -> None:
    status, body = answer(app.resolve(event("PUT /v1/notes/{note_id}", {"note_id": "n"}, body=sent)))
    assert status == 422
    assert [p["field"] for p in body["problems"]] == fields and all(p["message"] for p in body["problems"])


def test_a_base64_encoded_body_is_decoded_before_validation() -> None:
    sent = json.dumps({"text": "encoded", "stars": 2}).encode()
    result = app.resolve(event("PUT /v1/notes/{note_id}", {"note_id": "n"}, body=sent, encoded=True))
    assert answer(result) == (201, {"text": "encoded", "stars": 2})


def test_refusals_http_errors_and_registered_exceptions() -> None:
    assert answer(app.resolve(event("GET /v1/notes/{note_id}", {"note_id": "missing"}))) == (
        404,
        {"error": "no note missing"},
    )
    for text, expected in [
        ("conflict", (409, {"error": "already there"})),
        ("refuse", (403, {"error": "not this one"})),
    ]:
        sent = json.dumps({"text": text, "stars": 1}).encode()
        assert answer(app.resolve(event("PUT /v1/notes/{note_id}", {"note_id": "n"}, body=sent))) == expected


def test_an_exception_without_a_handler_propagates_for_lambda_to_report() -> None:
    broken = Api()

    @broken.get("/v1/broken")
    def fail() -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        broken.resolve(event("GET /v1/broken"))


def test_an_unknown_route_is_404_and_text_replies_are_not_json_encoded() -> None:
    assert answer(app.resolve(event("GET /v1/elsewhere"))) == (404, {"error": "no route GET /v1/elsewhere"})
    result = app.resolve(event("HEAD /v1/notes/{note_id}", {"note_id": "n"}))
    assert result["headers"] == {"Content-Type": "text/plain"} and result["body"] == ""


def test_a_raw_request_gets_the_exact_bytes_and_headers() -> None:
    result = app.resolve(event("POST /v1/raw", body=b'{"a": 1}', headers={"x-signature": "s"}))
    assert answer(result) == (200, {"body": '{"a": 1}', "signature": "s"})


def test_a_path_parameter_without_a_handler_argument_is_refused_when_the_route_is_declared() -> None:
    api = Api()
    with pytest.raises(TypeError, match="note_id"):
        api.get("/v1/notes/{note_id}")(lambda: None)


def test_a_204_has_an_empty_body() -> None:
    assert proxy_result(Response(204)) == {
        "statusCode": 204,
        "headers": {"Content-Type": "application/json"},
        "body": "",
        "isBase64Encoded": False,
    }
