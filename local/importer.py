"""`npsops import`: a response-history or signals file into the embedded AWS, through the real
bulk-import state machine (Split → Distributed Map of ImportChunk → Summarize), as an upload to the
imports bucket starts it on AWS.

The import id is a digest of the file's content, the mapping, the vendor, the program and the kind,
and names the execution: importing the same file the same way again finds that execution and shows
its summary, writing nothing. (A different import of the same rows, e.g. under another mapping, runs,
and finds every row already stored: all duplicates.)
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.exceptions import ClientError

from local.aws import IMPORTS_BUCKET, REGION, EmbeddedAws
from local.executions import execution_arn
from shared.domain.import_formats import SourceFormat
from shared.domain.import_rows import ColumnMapping, ImportDefaults
from shared.domain.models import DEFAULT_PROGRAM, SurveyKind
from shared.services.bulk_import import (
    ImportContent,
    ImportRequest,
    ImportSummary,
    import_id_for,
    spec_digest,
)
from shared.store.import_files import ImportFiles, ImportKeys

POLL_SECONDS = 0.5  # each poll is a few requests to the same in-process engine the import runs on
MAX_ATTEMPTS = 20  # executions of one import id after failed ones: {id}, {id}-attempt-2, ...


class ImportFailed(Exception):
    """The execution ended on the failure path; the message is the step's own error."""


@dataclass(frozen=True)
class ImportOutcome:
    summary: ImportSummary
    execution_name: str
    report: Path  # the error report, written next to the input file
    seconds: float
    already_imported: bool  # this import ran before: its summary, nothing was written now


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def run_import(
    aws: EmbeddedAws,
    path: Path,
    mapping: ColumnMapping | None = None,
    vendor: str = "generic",
    program: str = DEFAULT_PROGRAM,
    kind: SurveyKind = SurveyKind.RELATIONAL,
    chunk_rows: int | None = None,
    progress: TextIO | None = sys.stderr,
    content: ImportContent = ImportContent.RESPONSES,
) -> ImportOutcome:
    signals = content is ImportContent.SIGNALS
    if signals and mapping is not None and mapping != ColumnMapping():
        raise ValueError("a signals file has the canonical columns: it takes no mapping")
    mapping = ColumnMapping() if signals else mapping or ColumnMapping()
    defaults = ImportDefaults(vendor=vendor, program=program, kind=kind)
    import_id = import_id_for(path.name, file_digest(path), spec_digest(mapping, defaults, content))
    files = ImportFiles(IMPORTS_BUCKET)
    key = f"uploads/{import_id}/{path.name}"
    request = ImportRequest(
        bucket=IMPORTS_BUCKET,
        key=key,
        import_id=import_id,
        content=content,
        mapping=None if signals else mapping,
        vendor=defaults.vendor,
        program=defaults.program,
        kind=defaults.kind,
        format=SourceFormat.of(path.name),
        **({"chunk_rows": chunk_rows} if chunk_rows else {}),
    )
    started = time.perf_counter()
    sfn = boto3.client("stepfunctions", region_name=REGION)
    name, status = _latest_attempt(sfn, aws.bulk_import_arn, import_id)
    already = status == "SUCCEEDED"
    if status not in ("SUCCEEDED", "RUNNING"):  # never ran, or its last attempt failed: run it
        name = import_id if status is None else _next_attempt(name, import_id)
        files.upload_file(
            key, path, "text/csv" if request.format is SourceFormat.CSV else "application/x-ndjson"
        )
        sfn.start_execution(
            stateMachineArn=aws.bulk_import_arn,
            name=name,
            input=json.dumps(request.model_dump(mode="json", exclude_none=True)),
        )
    arn = execution_arn(aws.bulk_import_arn, name)
    described = _wait(sfn, arn, files, ImportKeys(import_id), progress)
    if described["status"] != "SUCCEEDED":
        raise ImportFailed(_failure(files, name, described))
    summary = ImportSummary.model_validate_json(described["output"])
    report = path.with_name(path.name + ".errors.csv")
    files.download_file(ImportKeys(import_id).report, report)
    return ImportOutcome(summary, name, report, time.perf_counter() - started, already)


def _latest_attempt(sfn: Any, machine_arn: str, import_id: str) -> tuple[str, str | None]:
    """The newest execution of this import and its status; (import_id, None) if it never ran."""
    latest: tuple[str, str | None] = (import_id, None)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        name = import_id if attempt == 1 else f"{import_id}-attempt-{attempt}"
        try:
            found = sfn.describe_execution(executionArn=execution_arn(machine_arn, name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return latest
            raise
        latest = (name, str(found["status"]))
    return latest


def _next_attempt(name: str, import_id: str) -> str:
    """After a failed run: every write is idempotent, so the next attempt simply runs it all again."""
    number = 2 if name == import_id else int(name.rsplit("-", 1)[-1]) + 1
    if number > MAX_ATTEMPTS:
        raise ImportFailed(f"{import_id} failed {MAX_ATTEMPTS} times: see imports/failures/ for why")
    return f"{import_id}-attempt-{number}"


def _wait(sfn: Any, arn: str, files: ImportFiles, keys: ImportKeys, out: TextIO | None) -> dict[str, Any]:
    """Poll until the execution ends, drawing chunks done / total (results written / chunks split)."""
    bar = _ProgressBar(out)
    total: int | None = None
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if total is None and (manifest := files.get_json(keys.manifest)) is not None:
            total = int(manifest["chunks"])
        if total is not None:
            bar.show(files.count(keys.results), total)
        if described["status"] != "RUNNING":
            bar.end()
            return described
        time.sleep(POLL_SECONDS)


def _failure(files: ImportFiles, name: str, described: dict[str, Any]) -> str:
    """The failing step's own error, from the record the failure path wrote."""
    record = files.get_json(f"imports/failures/{name}.json") or {}
    failure = record.get("failure") or {}
    try:
        message = json.loads(failure.get("Cause") or "{}").get("errorMessage")
    except ValueError:
        message = failure.get("Cause")
    detail = f"{failure.get('Error')}: {message}" if failure else described.get("cause", "")
    return f"import {name} {described['status'].lower()}: {detail}"


class _ProgressBar:
    def __init__(self, out: TextIO | None, width: int = 32) -> None:
        self.out, self.width, self.started, self.drawn = out, width, time.perf_counter(), False

    def show(self, done: int, total: int) -> None:
        if self.out is None:
            return
        filled = int(self.width * done / max(total, 1))
        seconds = time.perf_counter() - self.started
        bar = "#" * filled + "." * (self.width - filled)
        self.out.write(f"\r  [{bar}] {done}/{total} chunks imported  {seconds:5.0f} s")
        self.out.flush()
        self.drawn = True

    def end(self) -> None:
        if self.out is not None and self.drawn:
            self.out.write("\n")
            self.out.flush()


def describe(outcome: ImportOutcome, path: Path) -> str:
    """What `npsops import` prints."""
    s = outcome.summary
    rate = s.rows / outcome.seconds if outcome.seconds and not outcome.already_imported else 0
    lines = [
        f"{'already imported' if outcome.already_imported else 'imported'} {path.name} "
        f"(import {s.import_id}, execution {outcome.execution_name})",
        f"  rows {s.rows}  imported {s.imported}  duplicates {s.duplicates}  errors {s.errors}"
        + (f"  ({outcome.seconds:.1f} s, {rate:.0f} rows/s)" if rate else ""),
        f"  error report: {outcome.report}" + ("" if s.errors else " (no errors)"),
    ]
    if s.content is ImportContent.SIGNALS:
        older = f"  signals: {s.duplicates} older than the stored ones"
        lines.insert(2, f"{older}; {s.cases_opened} cases opened by the account rules")
    if outcome.already_imported:
        lines.append("  the same file was imported the same way before: nothing was written")
    return "\n".join(lines)


def mapping_from(mapping_file: Path | None, pairs: list[str]) -> ColumnMapping:
    """A mapping file ({"score": "NPS Score", "properties": {"plan": "Plan"}}) overlaid with
    `field=Column` pairs (`properties.plan=Plan` for a property). Unknown fields are refused."""
    fields: dict[str, Any] = json.loads(mapping_file.read_text()) if mapping_file else {}
    for pair in pairs:
        field, separator, column = pair.partition("=")
        if not separator or not field.strip() or not column.strip():
            raise ValueError(f"--map takes field=Column, got {pair!r}")
        if field.startswith("properties."):
            fields.setdefault("properties", {})[field.removeprefix("properties.")] = column.strip()
        else:
            fields[field.strip()] = column.strip()
    return ColumnMapping.model_validate(fields)
