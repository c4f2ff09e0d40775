"""The local HTTP API: turns HTTP requests into API Gateway (HTTP API, payload 2.0) events for the
function behind each route of functions/catalog.py, as API Gateway does, plus /_local/ routes for
the CLI (executions, CRM events)."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from functions.catalog import Route, route_for
from local import executions as execution_views
from local.aws import EmbeddedAws
from local.crm_sink import CrmSink
from shared.domain.models import DEFAULT_PROGRAM

API_GATEWAY_MAX_BODY = 10 * 1024 * 1024  # HTTP API's payload limit


def api_gateway_event(
    method: str,
    raw_path: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
    route: Route | None = None,
) -> dict[str, Any]:
    parts = urlsplit(raw_path)
    route_key = route.key if route else f"{method} {parts.path}"
    # API Gateway (HTTP API) passes path parameters URL-decoded: a case id's %23 arrives as '#'.
    path_parameters = {k: unquote(v) for k, v in route.parameters(parts.path).items()} if route else {}
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": text if body else None,
        "isBase64Encoded": encoded,
    } | _parameters(path_parameters, parts.query)


def _parameters(path_parameters: dict[str, str], query: str) -> dict[str, Any]:
    """pathParameters and queryStringParameters (a repeated name's values joined by commas), each
    absent when empty, as payload 2.0 has them: the resolvers read the query from there, not the raw
    string."""
    values = parse_qs(query, keep_blank_values=True)
    return ({"pathParameters": path_parameters} if path_parameters else {}) | (
        {"queryStringParameters": {k: ",".join(v) for k, v in values.items()}} if values else {}
    )


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections when a burst arrives while the process is busy
    # running executions (the accept loop shares the GIL with them); a gateway takes a burst.
    request_queue_size = 128


class LocalGateway:
    def __init__(self, aws: EmbeddedAws, sink: CrmSink, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.aws, self.sink = aws, sink
        self.server = _Server((host, port), _handler_class(self))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(
        self, method: str, path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        route = urlsplit(path).path
        if route == "/_local/import" and method == "POST":
            return self._import(body)
        if route == "/_local/replay" and method == "POST":
            return self._replay(body)
        if route.startswith("/_local/"):
            query = {k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}
            return self._local(method, route, query)
        found = route_for(method, route)
        if found is None:  # API Gateway's own answer for a route it does not have
            return _json(404, {"message": "Not Found"})
        function, matched = found
        result = self.aws.invoke(function, api_gateway_event(method, path, headers, body, source_ip, matched))
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        return int(result.get("statusCode", 200)), dict(result.get("headers") or {}), raw

    def _import(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """`npsops import --url`: a file on this machine through the bulk-import state machine, into
        this serve's tables. Answers when the import has finished; its progress is on this terminal."""
        from local.importer import ImportFailed, describe, run_import
        from shared.domain.import_rows import ColumnMapping
        from shared.domain.models import SurveyKind
        from shared.services.bulk_import import ImportContent

        try:
            request = json.loads(body)
            path = Path(request["path"])
            mapping = ColumnMapping.model_validate(request.get("mapping") or {})
            kind = SurveyKind(request.get("kind", "relational"))
            outcome = run_import(
                self.aws,
                path,
                mapping,
                request.get("vendor", "generic"),
                request.get("program", DEFAULT_PROGRAM),
                kind,
                content=ImportContent(request.get("content", ImportContent.RESPONSES)),
            )
        except ImportFailed as error:
            return _json(422, {"error": str(error)})
        except (OSError, ValueError, KeyError) as error:
            return _json(400, {"error": f"cannot import: {error}"})
        return _json(200, {"text": describe(outcome, path), "summary": outcome.summary.model_dump()})

    def _local(self, method: str, route: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if route == "/_local/redrive" and method == "POST":
            return _json(200, self.aws.redrive().model_dump())
        if route.startswith("/_local/schedules"):
            return self._schedules(method, route.removeprefix("/_local/schedules").strip("/"), query)
        if method != "GET":
            return _json(405, {"error": f"{method} {route} is not a local route"})
        if route == "/_local/health":
            return _json(200, {"status": "ok", "pipeline": self.aws.pipeline_arn})
        # ?machine=renewal-escalation for another state machine than the response pipeline.
        machine = self.aws.state_machine_arns.get(query.get("machine", ""), self.aws.pipeline_arn)
        if route == "/_local/executions":
            listed = execution_views.list_executions(machine, query.get("status"))
            prefix = query.get("prefix", "")
            return _json(200, [e for e in listed if str(e["name"]).startswith(prefix)])
        if route.startswith("/_local/executions/"):
            name = route.removeprefix("/_local/executions/")
            arn = execution_views.execution_arn(machine, name)
            try:
                return _json(200, {"execution": name, "events": execution_views.history(arn)})
            except Exception as error:
                return _json(404, {"error": f"no execution {name}: {error}"})
        if route == "/_local/events":
            return _json(200, self.sink.since(int(query.get("from", "0"))))
        if route == "/_local/crm":  # what each CRM received (or what was dead-lettered): events tail
            return _json(200, self.sink.deliveries_since(int(query.get("from", "0"))))
        return _json(404, {"error": f"no local route {route}"})

    def _replay(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """`npsops replay`: {"from": date, "until": date, "thresholds": {...}}; reads only."""
        from datetime import date

        from pydantic import ValidationError

        from local.surveys import replay_view
        from shared.domain.thresholds import Thresholds

        try:
            request = json.loads(body)
            thresholds = Thresholds.model_validate(request["thresholds"])
            first, last = date.fromisoformat(request["from"]), date.fromisoformat(request["until"])
        except (ValueError, KeyError, ValidationError) as error:
            return _json(422, {"error": f"cannot replay: {error}"})
        return _json(200, replay_view(first, thresholds, last))

    def _schedules(self, method: str, name: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """`npsops schedules`: GET lists functions/schedules.py; POST /_local/schedules/{name}?at=ISO
        fires one as Scheduler would at that time and answers with its target's result."""
        from datetime import datetime

        from functions.schedules import SCHEDULES, describe

        if method == "GET" and not name:
            return _json(200, [describe(spec) for spec in SCHEDULES])
        if method != "POST" or not name:
            return _json(405, {"error": "POST /_local/schedules/{name}?at=ISO-8601 fires a schedule"})
        try:
            at = datetime.fromisoformat(query["at"])
            if at.tzinfo is None:
                raise ValueError("at needs a time zone")
            result = self.aws.fire_schedule(name, at)
        except KeyError as error:
            return _json(404, {"error": str(error)})
        except ValueError as error:
            return _json(400, {"error": f"at: {error}"})
        return _json(200, {"schedule": name, "at": at.isoformat(), "result": result})


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body, default=str).encode()


def _handler_class(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as API Gateway offers

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > API_GATEWAY_MAX_BODY:
                self._reply(
                    413, {"Content-Type": "application/json"}, b'{"error": "Request Entity Too Large"}'
                )
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, payload = gateway.route(
                    self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
                )
            except Exception as error:  # API Gateway's answer when the integration fails
                status, headers, payload = _json(
                    500, {"message": "Internal Server Error", "detail": str(error)}
                )
            self._reply(status, headers, payload)

        def _reply(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints what matters
            return

    return Handler
