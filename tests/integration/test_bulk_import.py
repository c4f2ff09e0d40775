"""Bulk import on the embedded AWS: the real bulk-import state machine (Split, a Distributed Map of
ImportChunk, Summarize) with the real handlers, S3 and DynamoDB."""

from __future__ import annotations

import csv
import json
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.catalog import IMPORT_CHUNK
from local.aws import IMPORTS_BUCKET, EmbeddedAws
from local.executions import execution_arn
from local.importer import ImportFailed, run_import
from shared.domain.import_rows import ColumnMapping
from shared.domain.models import Band, SurveyKind
from shared.domain.nps import BandCounts
from shared.domain.quarters import quarter_of
from shared.domain.rollup import RollupKey
from shared.domain.scoring import band_for
from shared.store.cases import CaseRepository
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository
from tests.conftest import response_body
from tests.integration.helpers import (
    crm_messages,
    executions,
    history_states,
    item_count,
    post,
    settings,
    settle,
)

COLUMNS = ["response_id", "account_id", "contact_id", "score", "submitted_at", "comment"]
T0 = datetime(2025, 8, 1, tzinfo=UTC)  # two quarters of history: 2025-Q3 and 2025-Q4


def good_rows(count: int, seed: int = 3) -> list[dict[str, str]]:
    """Answers from 12 accounts' 40 contacts over two quarters, many contacts answering twice."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        account = rng.randrange(12)
        at = T0 + timedelta(hours=i * 10 + rng.randrange(5))
        rows.append(
            {
                "response_id": f"h-{i:04d}",
                "account_id": f"acct-{account:03d}",
                "contact_id": f"c-{account}-{rng.randrange(4)}",
                "score": str(rng.choice([rng.randrange(11), rng.randrange(11), "8.0"])),
                "submitted_at": at.isoformat().replace("+00:00", "Z"),
                "comment": rng.choice(["", "Support is slow", 'Says "great", then\nleaves']),
            }
        )
    return rows


# (row index in the data, change, the report's field, a phrase of its reason)
BAD = [
    (7, {"score": "11"}, "score", "whole number from 0 to 10, got '11'"),
    (33, {"score": "ten"}, "score", "got 'ten'"),
    (61, {"account_id": ""}, "account_id", "missing: account_id is required"),
    (95, {"submitted_at": "31/12/2025"}, "submitted_at", "ISO 8601"),
    (140, {"contact_id": "has space"}, "contact_id", "letters, digits"),
]


def write_csv(path: Path, rows: list[dict[str, str]], shifted_row: int | None = None) -> Path:
    """With a row whose unquoted comma shifts its cells, if asked (a row the CSV reader refuses)."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for index, row in enumerate(rows):
            values = [row[c] for c in COLUMNS]
            if index == shifted_row:
                out.write(",".join(values[:-1]) + ",Great, but slow\r\n")
                continue
            writer.writerow(values)
    return path


def history_with_bad_rows(directory: Path) -> tuple[Path, list[dict[str, str]], dict[int, tuple[str, str]]]:
    """300 rows: the good ones, the BAD ones, one shifted row. Returns the file, the good rows, and
    what the report must say by spreadsheet row number (the header is row 1)."""
    rows = good_rows(300)
    expected = {}
    for index, change, field, phrase in BAD:
        rows[index] |= change
        expected[index + 2] = (field, phrase)
    shifted = 200
    expected[shifted + 2] = ("(row)", "7 values but the header has 6 columns")
    path = write_csv(directory / "vendor-history.csv", rows, shifted_row=shifted)
    refused = {index for index, *_ in BAD} | {shifted}
    return path, [row for index, row in enumerate(rows) if index not in refused], expected


def expected_rollups(rows: list[dict[str, str]], vendor: str = "generic") -> dict[RollupKey, BandCounts]:
    """The reference: one vote per contact per account·quarter, their latest answer."""
    latest: dict[tuple[RollupKey, str], tuple[datetime, str, int]] = {}
    for row in rows:
        at = datetime.fromisoformat(row["submitted_at"])
        key = RollupKey(
            account_id=row["account_id"],
            quarter=quarter_of(at),
            program="customer",
            kind=SurveyKind.RELATIONAL,
        )
        answer = (at, f"{vendor}-{row['response_id']}", int(float(row["score"])))
        if (key, row["contact_id"]) not in latest or answer > latest[(key, row["contact_id"])]:
            latest[(key, row["contact_id"])] = answer
    bands: dict[RollupKey, dict[Band, int]] = defaultdict(lambda: dict.fromkeys(Band, 0))
    for (key, _), (_, _, score) in latest.items():
        bands[key][band_for(score)] += 1
    return {
        key: BandCounts(promoters=b[Band.PROMOTER], passives=b[Band.PASSIVE], detractors=b[Band.DETRACTOR])
        for key, b in bands.items()
    }


def stored_rollups(keys: list[RollupKey]) -> dict[RollupKey, BandCounts]:
    repository = RollupRepository(settings().rollups_table)
    return {key: repository.counts(key) for key in keys}


def report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as report:
        return list(csv.DictReader(report))


def test_a_csv_with_bad_rows_lands_the_good_rows_and_reports_exactly_the_bad_ones(
    aws: EmbeddedAws, tmp_path: Path
) -> None:
    path, good, expected_errors = history_with_bad_rows(tmp_path)
    outcome = run_import(aws, path, chunk_rows=40, progress=None)

    summary = outcome.summary
    assert (summary.rows, summary.imported, summary.duplicates, summary.errors) == (300, 294, 0, 6)
    assert summary.chunks > 1 and not outcome.already_imported

    # The good rows are stored once each, as imported, with where they came from.
    responses = ResponseRepository(settings().responses_table)
    assert item_count(settings().responses_table) == 294
    assert responses.count_by_status() == {"imported": 294}
    first = responses.get("generic-h-0000")
    assert first is not None and first["import_row"] == f"{summary.import_id}#2"
    assert first["response"]["comment"] in ("", None, "Support is slow", 'Says "great", then\nleaves')

    # Counted in their account's quarter: one vote per contact, their latest answer.
    expected = expected_rollups(good)
    assert len(expected) > 12  # accounts across both quarters
    assert stored_rollups(list(expected)) == expected

    # The report: exactly the bad rows, by row number, field and reason, in row order.
    report = report_rows(outcome.report)
    assert outcome.report == path.with_name("vendor-history.csv.errors.csv")
    assert [int(line["row"]) for line in report] == sorted(expected_errors)
    for line in report:
        field, phrase = expected_errors[int(line["row"])]
        assert line["field"] == field and phrase in line["reason"], line

    # The execution: Split, then the Distributed Map, then Summarize.
    arn = execution_arn(aws.bulk_import_arn, outcome.execution_name)
    history = history_states(arn)
    entered = [name for kind, name in history if kind.endswith("StateEntered")]
    assert entered == ["Split", "AnyChunks", "ImportChunks", "Summarize", "Imported"]
    kinds = [kind for kind, _ in history]
    assert {"MapRunStarted", "MapRunSucceeded", "ExecutionSucceeded"} <= set(kinds)
    [map_run] = boto3.client("stepfunctions").list_map_runs(executionArn=arn)["mapRuns"]
    assert ":mapRun:bulk-import/" in map_run["mapRunArn"]

    # History is not news: no pipeline runs, no cases, no events.
    assert executions(aws) == []
    assert CaseRepository(settings().cases_table).all() == []
    assert crm_messages(aws) == []


def test_the_same_file_imported_again_changes_nothing(aws: EmbeddedAws, tmp_path: Path) -> None:
    path, good, _ = history_with_bad_rows(tmp_path)
    first = run_import(aws, path, chunk_rows=40, progress=None)
    counted = stored_rollups(list(expected_rollups(good)))
    items = item_count(settings().responses_table), item_count(settings().rollups_table)

    again = run_import(aws, path, chunk_rows=40, progress=None)
    assert again.already_imported and again.execution_name == first.execution_name
    assert again.summary == first.summary
    assert report_rows(again.report) == report_rows(first.report)

    # The same rows as another import (another mapping: another import id) find every row stored.
    other = run_import(aws, path, ColumnMapping(properties={"note": "comment"}), chunk_rows=40, progress=None)
    assert other.summary.import_id != first.summary.import_id
    assert (other.summary.imported, other.summary.duplicates, other.summary.errors) == (0, 294, 6)
    assert (item_count(settings().responses_table), item_count(settings().rollups_table)) == items
    assert stored_rollups(list(counted)) == counted


def test_a_retried_chunk_counts_its_rows_as_the_first_attempt_did(aws: EmbeddedAws, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "small.csv", good_rows(30))
    outcome = run_import(aws, path, progress=None)
    assert (outcome.summary.imported, outcome.summary.chunks) == (30, 1)
    files = boto3.client("s3")
    manifest = json.loads(
        files.get_object(Bucket=IMPORTS_BUCKET, Key=f"imports/{outcome.summary.import_id}/manifest.json")[
            "Body"
        ].read()
    )
    chunk = {"chunk_key": f"{manifest['chunk_prefix']}000000.jsonl", "import": manifest["import"]}
    # What Step Functions does when the Lambda's answer is lost: the same chunk, again.
    assert aws.invoke(IMPORT_CHUNK, chunk) == {
        "chunk": 0,
        "rows": 30,
        "imported": 30,
        "duplicates": 0,
        "errors": 0,
        "cases_opened": 0,
    }
    assert stored_rollups(list(expected_rollups(good_rows(30)))) == expected_rollups(good_rows(30))


def test_json_lines_with_a_custom_mapping_and_nested_fields(aws: EmbeddedAws, tmp_path: Path) -> None:
    lines = [
        {
            "id": f"tf-{i}",
            "hidden": {"company": "acct-007"},
            "person": f"p-{i % 3}",
            "nps": i % 11,
            "landed_at": int((T0 + timedelta(days=i)).timestamp()),
            "answers": {"why": "ok"},
            "plan": "pro",
        }
        for i in range(20)
    ]
    lines[4]["nps"] = 12
    text = (
        "\n".join(json.dumps(line) for line in lines[:10])
        + "\n{not json\n"
        + "\n".join(json.dumps(line) for line in lines[10:])
    )
    path = tmp_path / "typeform-export.jsonl"
    path.write_text(text + "\n")
    mapping = ColumnMapping(
        response_id="id",
        account_id="hidden.company",
        contact_id="person",
        score="nps",
        submitted_at="landed_at",
        comment="answers.why",
        properties={"plan": "plan"},
    )
    outcome = run_import(aws, path, mapping, vendor="typeform", kind=SurveyKind.TRANSACTIONAL, progress=None)
    assert (outcome.summary.rows, outcome.summary.imported, outcome.summary.errors) == (21, 19, 2)
    assert [(line["row"], line["field"]) for line in report_rows(outcome.report)] == [
        ("5", "nps"),
        ("11", "(row)"),
    ]
    stored = ResponseRepository(settings().responses_table).get("typeform-tf-0")
    assert stored is not None
    assert stored["response"]["kind"] == "transactional" and stored["response"]["properties"] == {
        "plan": "pro"
    }
    assert stored["response"]["comment"] == "ok" and stored["response"]["vendor"] == "typeform"


def test_history_and_live_webhooks_share_keys_so_nothing_counts_twice(
    aws: EmbeddedAws, tmp_path: Path
) -> None:
    status, _ = post(
        aws, response_body(response_id="h-0000", account_id="acct-001", contact_id="c-1", score=3)
    )
    assert status == 202
    settle()
    rows = [{**good_rows(1)[0], "account_id": "acct-001", "contact_id": "c-1", "score": "3"}]
    outcome = run_import(aws, write_csv(tmp_path / "one.csv", rows), progress=None)
    assert (outcome.summary.imported, outcome.summary.duplicates) == (0, 1)
    stored = ResponseRepository(settings().responses_table).get("generic-h-0000")
    assert stored is not None and stored["status"] == "processed"  # the live answer, untouched


def test_a_file_whose_header_lacks_a_mapped_column_fails_with_the_reason(
    aws: EmbeddedAws, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "h.csv", good_rows(5))
    with pytest.raises(
        ImportFailed, match=r"MissingColumns: the file has no column for score \(column 'NPS'\)"
    ):
        run_import(aws, path, ColumnMapping(score="NPS"), progress=None)
    [failure] = [
        o["Key"]
        for o in boto3.client("s3").list_objects_v2(Bucket=IMPORTS_BUCKET, Prefix="imports/failures/")[
            "Contents"
        ]
    ]
    assert failure.startswith("imports/failures/h-")


def test_an_upload_imports_with_the_mapping_uploaded_beside_it(aws: EmbeddedAws, tmp_path: Path) -> None:
    """What the S3 rule starts on AWS: bucket, key and ETag only; the import id comes from them."""
    s3 = boto3.client("s3")
    rows = [{**row, "NPS": row.pop("score")} for row in good_rows(12)]
    body = "response_id,account_id,contact_id,NPS,submitted_at,comment\n" + "".join(
        f"{r['response_id']},{r['account_id']},{r['contact_id']},{r['NPS']},{r['submitted_at']},\n"
        for r in rows
    )
    s3.put_object(Bucket=IMPORTS_BUCKET, Key="uploads/2025/history.mapping.json", Body=b'{"score": "NPS"}')
    etag = s3.put_object(Bucket=IMPORTS_BUCKET, Key="uploads/2025/history.csv", Body=body.encode())["ETag"]
    event_input = {"bucket": IMPORTS_BUCKET, "key": "uploads/2025/history.csv", "etag": etag.strip('"')}
    sfn = boto3.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=aws.bulk_import_arn, input=json.dumps(event_input))[
        "executionArn"
    ]
    deadline = time.monotonic() + 60
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    summary: dict[str, Any] = json.loads(described["output"])
    assert (summary["rows"], summary["imported"], summary["errors"]) == (12, 12, 0)
    assert summary["import_id"].startswith("history-")
