"""Signals through the bulk importer on the embedded AWS: the same path as the signals API (latest
as_of wins, the combined account rules fire whichever input comes second), bad rows reported and
never written, history quarters stored without opening cases."""

from __future__ import annotations

import csv
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from local.aws import IMPORTS_BUCKET, EmbeddedAws
from local.importer import run_import
from shared.domain.quarters import previous_quarter, quarter_of
from shared.services.bulk_import import SIGNALS_UPLOADS, ImportContent
from shared.store.accounts import AccountRepository
from shared.store.cases import CaseRepository
from shared.store.signals import SignalRepository
from tests.conftest import response_body
from tests.integration.helpers import call, crm_messages, item_count, post, settings, settle

CURRENT = quarter_of(datetime.now(UTC))
CLOSED = previous_quarter(CURRENT)  # the quarter just closed: still evaluated
HISTORY = [previous_quarter(previous_quarter(CLOSED)), previous_quarter(CLOSED)]  # stored only
AS_OF = "2026-11-20T08:00:00Z"
SCOPE = ("account_id", "quarter", "kind", "as_of")
COLUMNS = ["account_id", "quarter", "kind", "as_of", "active_users", "seats", "tickets", "escalations"]
COMMERCIAL = {
    "arr": "250000",
    "seats": "100",
    "segment": "enterprise",
    "industry": "fintech",
    "region": "emea",
    "lifecycle_stage": "renewal",
    "product_lines": "core;analytics",
    "csm": "Ana Ruiz",
    "cs_lead": "Ben Okafor",
    "executive_sponsor": "Cleo Park",
}


def middle_of(quarter: str) -> datetime:
    year, number = int(quarter[:4]), int(quarter[-1])
    return datetime(year, 3 * number - 1, 10, 10, tzinfo=UTC)


def answers(aws: EmbeddedAws, account: str, before: str, after: str) -> None:
    """All promoters in `before`, four detractors of five in `after`: NPS +100 → -60."""
    for quarter, scores in ((before, [10] * 5), (after, [3, 3, 3, 3, 9])):
        at = min(middle_of(quarter), datetime.now(UTC) - timedelta(hours=1))
        for i, score in enumerate(scores):
            body = response_body(
                response_id=f"{account}-{quarter}-{i}",
                account_id=account,
                contact_id=f"{account}-c{i}",
                score=score,
                submitted_at=at.isoformat(),
            )
            assert post(aws, body)[0] == 202
        settle()


def signal_row(account: str, quarter: str, kind: str, as_of: str = AS_OF, **values: Any) -> dict[str, Any]:
    return {"account_id": account, "quarter": quarter, "kind": kind, "as_of": as_of} | values


def write_signals(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = list(dict.fromkeys(COLUMNS + [c for row in rows for c in row]))
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def rules(account: str) -> list[str]:
    return sorted(c.rule for c in CaseRepository(settings().cases_table).for_account(account))


def import_signals(aws: EmbeddedAws, path: Path, chunk_rows: int = 1000) -> Any:
    return run_import(aws, path, progress=None, chunk_rows=chunk_rows, content=ImportContent.SIGNALS)


def stored_active_users(account: str, quarter: str) -> int | None:
    usage = SignalRepository(settings().signals_table).for_quarter(account, quarter).usage
    return usage.active_users if usage else None


def drop_and_surge(account: str, before: str, after: str) -> list[dict[str, Any]]:
    """Usage down 37.5% and tickets doubled from `before` to `after`: churn risk, support escalation."""
    return [
        signal_row(account, before, "usage", active_users=80, seats=100),
        signal_row(account, after, "usage", active_users=50, seats=100),
        signal_row(account, before, "support", tickets=10, escalations=0),
        signal_row(account, after, "support", tickets=20, escalations=2),
    ]


def test_a_signals_file_completes_the_combined_rules_and_reports_its_bad_rows(
    aws: EmbeddedAws, tmp_path: Path
) -> None:
    answers(aws, "acct-001", CLOSED, CURRENT)
    crm_messages(aws)  # what the answers published
    good = [
        *drop_and_surge("acct-001", CLOSED, CURRENT),
        signal_row("acct-001", CURRENT, "commercial", **COMMERCIAL),
    ]
    bad = [
        (signal_row("acct-001", "2026-Q5", "usage", active_users=1, seats=2), "quarter", "like 2026-Q4"),
        (signal_row("acct-001", CURRENT, "usgae", active_users=1, seats=2), "kind", "kind must be one of"),
        (signal_row("acct-001", CURRENT, "support", tickets=-3), "tickets", "greater than or equal to 0"),
    ]
    path = write_signals(tmp_path / "warehouse.csv", good[:2] + [row for row, *_ in bad] + good[2:])
    outcome = import_signals(aws, path)

    summary = outcome.summary
    assert (summary.rows, summary.imported, summary.duplicates, summary.errors) == (8, 5, 0, 3)
    assert summary.cases_opened == 2 and summary.content is ImportContent.SIGNALS
    fired = rules("acct-001")
    assert fired.count("churn-risk") == 1 and fired.count("support-escalation") == 1
    with outcome.report.open(newline="") as report:
        reported = [(int(r["row"]), r["field"], r["reason"]) for r in csv.DictReader(report)]
    # The header is row 1: the bad rows are the file's rows 4 to 6.
    assert [(row, field) for row, field, _ in reported] == [(4, "quarter"), (5, "kind"), (6, "tickets")]
    assert all(phrase in reason for (_, _, reason), (_, _, phrase) in zip(reported, bad, strict=True))
    assert item_count(settings().signals_table) == 5  # the refused rows wrote nothing

    account = AccountRepository(settings().accounts_table).get("acct-001")
    assert account is not None and account.team.csm == "Ana Ruiz" and account.arr == 250000
    opened = [m for m in crm_messages(aws) if m["detail-type"] == "CaseOpened"]
    assert sorted(m["detail"]["data"]["rule"] for m in opened) == ["churn-risk", "support-escalation"]


def test_the_same_file_again_changes_nothing_and_a_correction_replaces_only_older_data(
    aws: EmbeddedAws, tmp_path: Path
) -> None:
    answers(aws, "acct-001", CLOSED, CURRENT)
    path = write_signals(tmp_path / "usage.csv", drop_and_surge("acct-001", CLOSED, CURRENT))
    first = import_signals(aws, path, chunk_rows=1)
    assert (first.summary.chunks, first.summary.imported, first.summary.cases_opened) == (4, 4, 2)
    again = import_signals(aws, path, chunk_rows=1)
    assert again.already_imported and again.summary == first.summary

    corrections = [
        signal_row("acct-001", CURRENT, "usage", "2026-11-21T08:00:00Z", active_users=70, seats=100),
        signal_row("acct-001", CLOSED, "usage", "2026-11-01T08:00:00Z", active_users=10, seats=100),  # stale
    ]
    corrected = import_signals(aws, write_signals(tmp_path / "corrections.csv", corrections))
    summary = corrected.summary
    assert (summary.imported, summary.duplicates, summary.cases_opened) == (1, 1, 1)
    assert stored_active_users("acct-001", CURRENT) == 70 and stored_active_users("acct-001", CLOSED) == 80
    # The corrected level (70 of 100 seats active) with NPS -60 is a retention risk; churn risk, once
    # per account, quarter and rule, does not open again.
    fired = rules("acct-001")
    assert fired.count("retention-risk") == 1 and fired.count("churn-risk") == 1


def test_history_quarters_are_stored_without_opening_cases(aws: EmbeddedAws, tmp_path: Path) -> None:
    answers(aws, "acct-002", *HISTORY)
    lines = [
        json.dumps(row | {"values": {k: row.pop(k) for k in list(row) if k not in SCOPE}})
        for row in drop_and_surge("acct-002", *HISTORY)
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n")
    outcome = import_signals(aws, path)
    assert (outcome.summary.imported, outcome.summary.cases_opened) == (4, 0)
    assert stored_active_users("acct-002", HISTORY[1]) == 50
    assert "churn-risk" not in rules("acct-002")
    # The signals API evaluates any quarter: the same facts sent there (newer) do fire. Only the
    # importer treats quarters before the one just closed as history.
    newer = [row | {"as_of": "2026-11-22T08:00:00Z"} for row in map(json.loads, lines)]
    status, _ = call(aws, "PUT", "/v1/signals", {"signals": newer})
    assert status == 200 and "churn-risk" in rules("acct-002")


def test_an_upload_under_uploads_signals_imports_signals(aws: EmbeddedAws, tmp_path: Path) -> None:
    """What the S3 rule starts on AWS (bucket, key, ETag): the folder says the file holds signals."""
    path = write_signals(tmp_path / "nightly.csv", drop_and_surge("acct-003", CLOSED, CURRENT))
    s3 = boto3.client("s3")
    key = f"{SIGNALS_UPLOADS}2026/nightly.csv"
    etag = s3.put_object(Bucket=IMPORTS_BUCKET, Key=key, Body=path.read_bytes())["ETag"].strip('"')
    sfn = boto3.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=aws.bulk_import_arn,
        input=json.dumps({"bucket": IMPORTS_BUCKET, "key": key, "etag": etag}),
    )["executionArn"]
    deadline = time.monotonic() + 60
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    summary = json.loads(described["output"])
    assert (summary["content"], summary["imported"], summary["errors"]) == ("signals", 4, 0)
    assert stored_active_users("acct-003", CURRENT) == 50
