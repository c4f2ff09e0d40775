"""HTTP against a running `npsops serve`: post with a plain HTTP client, read executions with the CLI,
stop it with Ctrl-C."""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import response_body

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "local.cli", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "local.cli", "serve", "--port", str(port), "--accounts", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(f"{url}/_local/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("npsops serve did not come up: " + (process.stderr.read() if process.stderr else ""))
    yield url, process
    if process.poll() is None:
        process.kill()


def wait_for(url: str, name: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = {e["name"]: e for e in request(f"{url}/_local/executions")[1]}
        if name in listed and listed[name]["status"] != "RUNNING":
            return dict(listed[name])
        time.sleep(0.2)
    raise AssertionError(f"execution {name} did not finish")


def test_a_posted_detractor_runs_the_pipeline_and_shows_in_the_cli(server: tuple[str, Any]) -> None:
    url, _ = server
    status, body = request(f"{url}/v1/responses", response_body(response_id="e2e-1", score=2))
    assert (status, body["status"]) == (202, "accepted")
    assert wait_for(url, "generic-e2e-1")["status"] == "SUCCEEDED"

    listed = cli("executions", "--url", url)
    assert "SUCCEEDED  generic-e2e-1" in listed
    history = cli("executions", "generic-e2e-1", "--url", url)
    for state in ("Score", "Aggregate", "EvaluateTriggers", "OpenCases", "PublishEvents", "MarkProcessed"):
        assert state in history
    deadline = time.monotonic() + 10
    while "CaseOpened" not in (events := cli("events", "--url", url)) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert "ResponseScored" in events and "CaseOpened" in events


def test_bad_input_is_refused_over_http_and_a_redelivery_is_a_duplicate(server: tuple[str, Any]) -> None:
    url, _ = server
    status, body = request(f"{url}/v1/responses", response_body(response_id="e2e-bad", score="ten"))
    assert status == 422 and body["problems"][0]["field"] == "score"
    request(f"{url}/v1/responses", response_body(response_id="e2e-2", score=9))
    assert request(f"{url}/v1/responses", response_body(response_id="e2e-2", score=9)) == (
        200,
        {"status": "duplicate", "response_key": "generic-e2e-2", "reason": None},
    )
    assert "generic-e2e-bad" not in {e["name"] for e in request(f"{url}/_local/executions")[1]}


def test_a_vendor_connected_with_the_cli_delivers_over_http_and_quarantine_is_released(
    server: tuple[str, Any], tmp_path: Any
) -> None:
    import hashlib
    import hmac

    url, _ = server
    assert "webhooks/typeform-e2e" in cli(
        "connections",
        "add",
        "typeform-e2e",
        "--vendor",
        "typeform",
        "--signing-key",
        "s3cret",
        "--set",
        "nps_question=nps-q",
        "--url",
        url,
    )
    assert "typeform-e2e" in cli("connections", "list", "--url", url)
    answer = {
        "event_id": "ev-e2e-1",
        "event_type": "form_response",
        "form_response": {
            "form_id": "f1",
            "token": "tok-e2e-1",
            "submitted_at": "2026-11-02T09:00:00Z",
            "hidden": {"email": "dana@example.com"},
            "answers": [{"type": "number", "number": 3, "field": {"id": "nps-q", "type": "opinion_scale"}}],
        },
    }
    raw = json.dumps(answer).encode()
    signature = "sha256=" + base64.b64encode(hmac.new(b"s3cret", raw, hashlib.sha256).digest()).decode()
    headers = {"Content-Type": "application/json", "Typeform-Signature": signature}
    sent = urllib.request.Request(f"{url}/v1/webhooks/typeform-e2e", data=raw, headers=headers, method="POST")
    with urllib.request.urlopen(sent, timeout=10) as reply:
        assert (reply.status, json.loads(reply.read())["status"]) == (202, "quarantined")
    assert "typeform-tok-e2e-1" in cli("quarantine", "--url", url)

    directory = tmp_path / "contacts.json"
    directory.write_text(
        json.dumps([{"contact_id": "c-dana", "account_id": "acct-003", "email": "dana@example.com"}])
    )
    assert "released 1 quarantined answers" in cli("contacts", str(directory), "--url", url)
    assert "typeform-tok-e2e-1" not in cli("quarantine", "--url", url)


def test_signals_and_the_account_list_from_the_cli(server: tuple[str, Any], tmp_path: Any) -> None:
    url, _ = server
    listed = cli("accounts", "--limit", "5", "--url", url)
    assert "health inputs: usage" in listed and "acct-" in listed  # serve seeds the book's signals
    sent = tmp_path / "signals.json"
    usage = {"active_users": 10, "seats": 100}
    sent.write_text(
        json.dumps(
            [
                {
                    "account_id": "acct-002",
                    "quarter": "2026-Q4",
                    "kind": "usage",
                    "as_of": "2030-01-01T00:00:00Z",
                    "values": usage,
                }
            ]
        )
    )
    assert "stored 1" in cli("signals", str(sent), "--url", url)


# Last: it stops the module's server.
def test_ctrl_c_stops_the_server_cleanly(server: tuple[str, subprocess.Popen[str]]) -> None:
    url, process = server
    process.send_signal(signal.SIGINT)
    # The server gives running executions up to 30 s to finish (EmbeddedAws.stop). This is a hang
    # guard, not a timing: it allows for that grace and for a loaded machine.
    try:
        assert process.wait(timeout=90) == 0
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGUSR1)  # the server prints its threads' stacks, then we stop it
        time.sleep(2)
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"npsops serve did not stop within 90 s of Ctrl-C; its threads:\n{stderr[-20000:]}")
    with pytest.raises(OSError):
        request(f"{url}/_local/health")
