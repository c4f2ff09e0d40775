"""A fake survey vendor API over real HTTP: serves the response details that thin notifications
(SurveyMonkey, Qualtrics) leave out, so the webhook's real HTTP client fetches them locally."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeVendorApi:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failures_to_serve = 0  # answer this many requests with 503 first (to exercise retries)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), _handler_class(self))
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def publish(self, path: str, document: dict[str, Any]) -> None:
        with self._lock:
            self.documents[path] = document

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((path, headers))
            if self.failures_to_serve > 0:
                self.failures_to_serve -= 1
                return 503, {"error": "try again"}
            found = self.documents.get(path)
        return (200, found) if found is not None else (404, {"error": f"no {path}"})

    def __enter__(self) -> FakeVendorApi:
        threading.Thread(target=self.server.serve_forever, name="fake-vendor-api", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler_class(api: FakeVendorApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, document = api.answer(self.path, dict(self.headers.items()))
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
