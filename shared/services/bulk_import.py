"""Bulk import of response history or account signals: the three steps of the bulk-import state
machine.

split      stream the uploaded file into chunk objects of N numbered rows
import     one chunk: parse each row, store the new responses, count their votes
summarize  add the chunks' counts up, check none is missing, write the error report

History does not run through the response pipeline: answers that are months old open no cases,
fire no triggers and publish no events. They are stored (status imported) and counted in their
account·quarter roll-up, so NPS history and quarter-over-quarter comparisons are right from day one.

Signals (usage, support, engagement, commercial, outcome facts per account and quarter) take the
signals API's path: the latest as_of wins, and the combined account rules run for what they touch,
but only for the current quarter and the one just closed (late data for it is routine). Older
quarters are history, stored without opening cases.

Every write is idempotent (a conditional put per response, votes that only move to a later answer),
so a retried chunk, a redelivered S3 event or the same file imported again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import json
import re
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import chain, islice
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.domain.import_formats import Columns, SourceFormat, csv_rows, json_lines_rows
from shared.domain.import_rows import ColumnMapping, FieldError, ImportDefaults, RowError, parse_row
from shared.domain.models import DEFAULT_PROGRAM, CanonicalResponse, Identifier, SurveyKind
from shared.domain.quarters import previous_quarter, quarter_of
from shared.domain.rollup import RollupKey, Vote, rollup_key_of, vote_of
from shared.domain.signal_rows import SignalColumns, parse_signal_row
from shared.domain.signals import Signal
from shared.store.import_files import ImportFiles, ImportKeys, chunk_number
from shared.store.responses import ResponseRepository
from shared.store.rollups import RollupRepository

if TYPE_CHECKING:
    from shared.services.signals import AccountSignals

DEFAULT_CHUNK_ROWS = 1000
# Split deals rows into this many partitions by a hash of their account, and cuts each partition into
# chunks: a chunk then holds ~1/32 of the accounts instead of whoever answered that week, so its votes
# fall into few account·quarter groups (one conditional write each, and DynamoDB bills an update by
# its whole item). Measured with bench/import_rate.py (1,000 accounts, two years, chronological):
# 0.72 vote groups per row in file order (10k rows), 0.11 partitioned (100k rows). Split holds up to
# this many chunks at once.
ACCOUNT_PARTITIONS = 32
# Split holds up to partitions x chunk_rows rows at once (~0.5 KB each): well within its 1 GB.
_MAX_ROWS_HELD = 200_000
# The error report is sorted by row in runs of this many errors, merged from temporary files.
_REPORT_SORT_RUN = 100_000
# An import id names the execution (80 characters) and an S3 prefix.
ImportId = Identifier
T = TypeVar("T")
_NOT_IN_IDS = re.compile(r"[^A-Za-z0-9._-]+")


class SourceChanged(Exception):
    """The object was overwritten after the upload that started this import; that upload's own event
    imports the new content."""


class NotTheImportsBucket(Exception):
    """Imports read their file from the imports bucket, the only one their functions may read."""


class ChunksMissing(Exception):
    """Some chunks have no result: their child executions failed or were never run."""


class ImportContent(StrEnum):
    RESPONSES = "responses"
    SIGNALS = "signals"

    @classmethod
    def of_key(cls, key: str) -> ImportContent:
        """An upload without a say (an S3-started import) by its folder: uploads/signals/ holds signals."""
        return cls.SIGNALS if key.startswith(SIGNALS_UPLOADS) else cls.RESPONSES


SIGNALS_UPLOADS = "uploads/signals/"


class ImportRequest(BaseModel):
    """The bulk-import execution's input: from `npsops import`, or from the S3 upload rule."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    bucket: str = Field(min_length=3)
    key: str = Field(min_length=1)
    # Absent: by the key (ImportContent.of_key).
    content: ImportContent | None = None
    # Absent for an S3-triggered import: derived from the key and the object's ETag.
    import_id: ImportId | None = None
    # The ETag the upload event saw, to notice an object overwritten since.
    etag: str | None = None
    # Absent: uploads/<name>.mapping.json beside the file if there is one, else identity.
    mapping: ColumnMapping | None = None
    vendor: Identifier = "generic"
    program: Identifier = DEFAULT_PROGRAM
    kind: SurveyKind = SurveyKind.RELATIONAL
    format: SourceFormat | None = None  # absent: by the key's extension
    encoding: str = "utf-8-sig"
    chunk_rows: int = Field(default=DEFAULT_CHUNK_ROWS, ge=1, le=10_000)
    partitions: int = Field(default=ACCOUNT_PARTITIONS, ge=1, le=256)

    @model_validator(mode="after")
    def _fits_in_split(self) -> ImportRequest:
        if self.content is ImportContent.SIGNALS and self.mapping is not None:
            raise ValueError("a signals file has the canonical columns (account_id, quarter, kind, ...)")
        if self.partitions * self.chunk_rows > _MAX_ROWS_HELD:
            raise ValueError(
                f"partitions x chunk_rows may be at most {_MAX_ROWS_HELD}: Split holds that many rows"
            )
        return self


class ImportSpec(BaseModel):
    """What every chunk of one import needs: Split's answer, passed to each child execution."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    import_id: ImportId
    mapping: ColumnMapping
    defaults: ImportDefaults
    content: ImportContent = ImportContent.RESPONSES


class SplitResult(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)

    import_spec: ImportSpec = Field(alias="import")
    chunk_prefix: str
    chunks: int = Field(ge=0)
    rows: int = Field(ge=0)
    unreadable: int = Field(ge=0)


class ChunkRequest(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)

    chunk_key: str
    import_spec: ImportSpec = Field(alias="import")


class ChunkResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    chunk: int = Field(ge=0)
    rows: int = Field(ge=0)
    imported: int = Field(ge=0)  # stored by this import
    duplicates: int = Field(ge=0)  # already stored before (a live webhook, another import)
    errors: int = Field(ge=0)  # rows refused, each with its reasons in the error report
    cases_opened: int = Field(default=0, ge=0)  # signals only: by the account rules they completed


class SummarizeRequest(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)

    import_spec: ImportSpec = Field(alias="import")
    chunks: int = Field(ge=0)


class ImportSummary(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    import_id: ImportId
    rows: int
    imported: int
    duplicates: int
    errors: int
    error_report: str  # s3:// URI of errors.csv (row,field,reason)
    chunks: int
    content: ImportContent = ImportContent.RESPONSES
    cases_opened: int = 0


def import_id_for(source_name: str, content_digest: str, spec_digest: str) -> str:
    """A readable id that is the same for the same content imported the same way: the file's stem
    and a digest of its content (sha256, or the S3 ETag) and of the mapping and defaults."""
    stem = _NOT_IN_IDS.sub("-", PurePosixPath(source_name).name.split(".", 1)[0]).strip("-._")[:40]
    digest = hashlib.sha256(f"{content_digest}\n{spec_digest}".encode()).hexdigest()[:16]
    return f"{stem or 'import'}-{digest}"


def spec_digest(
    mapping: ColumnMapping, defaults: ImportDefaults, content: ImportContent = ImportContent.RESPONSES
) -> str:
    """What besides the file changes what an import stores: what it holds, the mapping, vendor,
    program, kind."""
    settings: dict[str, Any] = {
        "mapping": mapping.model_dump(mode="json"),
        "defaults": defaults.model_dump(mode="json"),
    }
    if content is not ImportContent.RESPONSES:  # responses' ids as they were before signals came
        settings["content"] = content.value
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def sidecar_key(key: str) -> str:
    """uploads/history.csv → uploads/history.mapping.json: the column mapping uploaded beside a file."""
    path = PurePosixPath(key)
    return str(path.with_name(path.name.split(".", 1)[0] + ".mapping.json"))


# Split ----------------------------------------------------------------------------------------------


def split(request: ImportRequest, files: ImportFiles) -> SplitResult:
    """Stream the file into chunk objects of `chunk_rows` rows, holding at most one chunk per
    partition: the file itself is never in memory."""
    if request.bucket != files.bucket:
        raise NotTheImportsBucket(f"put the file in s3://{files.bucket}/uploads/, not s3://{request.bucket}")
    defaults = ImportDefaults(vendor=request.vendor, program=request.program, kind=request.kind)
    key = _object_key(files, request.key)
    content = request.content or ImportContent.of_key(key)
    signals = content is ImportContent.SIGNALS
    mapping = request.mapping or (None if signals else _sidecar_mapping(files, key)) or ColumnMapping()
    columns: Columns = SignalColumns() if signals else mapping
    source_format = request.format or SourceFormat.of(key)
    with files.open_text(key, request.encoding) as (text, etag):
        if request.etag and etag != request.etag:
            raise SourceChanged(f"{key} changed since the upload ({request.etag} → {etag})")
        digest = spec_digest(mapping, defaults, content)
        import_id = request.import_id or import_id_for(key, etag, digest)
        keys = ImportKeys(import_id)
        read = csv_rows if source_format is SourceFormat.CSV else json_lines_rows
        dealt = _partitioned(read(text, columns), request.chunk_rows, request.partitions, mapping.account_id)
        chunks = rows = unreadable = 0
        for chunk in dealt:
            files.put_lines(keys.chunk(chunks), chunk)
            chunks += 1
            rows += len(chunk)
            unreadable += sum(1 for row in chunk if "reason" in row)
    result = SplitResult(
        import_spec=ImportSpec(import_id=import_id, mapping=mapping, defaults=defaults, content=content),
        chunk_prefix=keys.chunks,
        chunks=chunks,
        rows=rows,
        unreadable=unreadable,
    )
    files.put_json(keys.manifest, result.model_dump(mode="json", by_alias=True) | {"source": key})
    return result


def _object_key(files: ImportFiles, key: str) -> str:
    """The key as stored. Keys in S3 event notifications can arrive URL-encoded ("my file.csv" as
    "my+file.csv"): a key that is not there as given is tried decoded before giving up."""
    if files.exists(key) or (decoded := unquote_plus(key)) == key or not files.exists(decoded):
        return key
    return decoded


def _sidecar_mapping(files: ImportFiles, key: str) -> ColumnMapping | None:
    found = files.get_json(sidecar_key(key))
    return ColumnMapping.model_validate(found) if found is not None else None


def _partitioned(
    rows: Iterable[dict[str, Any]], size: int, partitions: int, account_column: str
) -> Iterator[list[dict[str, Any]]]:
    """Chunks of `size` rows, each from one partition of the accounts while the file lasts; the
    partitions' remainders, in partition order, at the end. crc32, not hash(): a retried Split must
    cut exactly the same chunks (Python salts str hashes per process)."""
    buffers: list[list[dict[str, Any]]] = [[] for _ in range(partitions)]
    for row in rows:
        account = str((row.get("fields") or {}).get(account_column) or "").strip()
        buffer = buffers[zlib.crc32(account.encode()) % partitions]
        buffer.append(row)
        if len(buffer) == size:
            yield buffer[:]
            buffer.clear()
    yield from _batches(chain.from_iterable(buffers), size)


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


# Import one chunk -----------------------------------------------------------------------------------


def import_chunk(
    request: ChunkRequest,
    files: ImportFiles,
    responses: ResponseRepository,
    rollups: RollupRepository,
    now: datetime,
) -> ChunkResult:
    """A chunk of responses: stored (status imported) and counted, never run through the pipeline."""
    spec = request.import_spec
    chunk = _read_chunk(files, request, lambda fields: parse_row(fields, spec.mapping, spec.defaults))
    stored = [
        response
        for row, response in chunk.parsed
        if isinstance(response, CanonicalResponse)
        and responses.put_imported(response, received_at=now, import_row=f"{spec.import_id}#{row}")
    ]
    # Votes only for what this import stored: a response stored before was counted by whoever stored
    # it (the pipeline's Aggregate step, or the other import). A retried chunk records its votes
    # again, which changes nothing: a vote only ever moves to a later answer. Grouped by account and
    # quarter: one read and one write per group instead of per row.
    by_rollup: dict[RollupKey, list[Vote]] = defaultdict(list)
    for response in stored:
        by_rollup[rollup_key_of(response)].append(vote_of(response))
    for key, votes in by_rollup.items():
        rollups.record_votes(key, votes)
    return chunk.finish(files, imported=len(stored))


def import_signal_chunk(
    request: ChunkRequest, files: ImportFiles, account_signals: AccountSignals, now: datetime
) -> ChunkResult:
    """A chunk of signals, through the signals API's own path (latest as_of wins, the account rules
    run for what they complete) for the quarter just closed and the current one."""
    chunk = _read_chunk(files, request, parse_signal_row)
    batch = [signal for _, signal in chunk.parsed if isinstance(signal, Signal)]
    taken = account_signals.take(batch, now, evaluate_from=previous_quarter(quarter_of(now)))
    return chunk.finish(files, imported=taken.stored, cases_opened=len(taken.opened))


@dataclass(frozen=True)
class ChunkImporter:
    """The import step: a chunk of responses or of signals, as the import's content says."""

    files: ImportFiles
    responses: ResponseRepository
    rollups: RollupRepository
    # Made for the first signal chunk: a response import never loads the signal rules it brings.
    account_signals: Callable[[], AccountSignals]

    def __call__(self, request: ChunkRequest, now: datetime) -> ChunkResult:
        if request.import_spec.content is ImportContent.SIGNALS:
            return import_signal_chunk(request, self.files, self.account_signals(), now)
        return import_chunk(request, self.files, self.responses, self.rollups, now)


class _Chunk:
    """A chunk's rows read and parsed: what parsed, and the rows refused with their reasons."""

    def __init__(self, request: ChunkRequest) -> None:
        self.keys = ImportKeys(request.import_spec.import_id)
        self.number = chunk_number(request.chunk_key)
        self.rows = 0
        self.parsed: list[tuple[int, CanonicalResponse | Signal]] = []
        self.errors: list[RowError] = []
        self.refused = 0

    def finish(self, files: ImportFiles, imported: int, cases_opened: int = 0) -> ChunkResult:
        if self.errors:
            files.put_lines(self.keys.chunk_errors(self.number), (e.model_dump() for e in self.errors))
        result = ChunkResult(
            chunk=self.number,
            rows=self.rows,
            imported=imported,
            duplicates=len(self.parsed) - imported,
            errors=self.refused,
            cases_opened=cases_opened,
        )
        # Written last: a result means the chunk is done (Summarize and the progress bar count them).
        files.put_json(self.keys.result(self.number), result.model_dump(mode="json"))
        return result


def _read_chunk(
    files: ImportFiles,
    request: ChunkRequest,
    parse: Callable[[dict[str, Any]], CanonicalResponse | Signal | list[FieldError]],
) -> _Chunk:
    chunk = _Chunk(request)
    for line in files.read_lines(request.chunk_key):
        chunk.rows += 1
        if "reason" in line:
            chunk.errors.append(RowError.model_validate(line))
            chunk.refused += 1
            continue
        outcome = parse(line["fields"])
        if isinstance(outcome, list):
            chunk.errors += [RowError(row=line["row"], field=e.field, reason=e.reason) for e in outcome]
            chunk.refused += 1
        else:
            chunk.parsed.append((line["row"], outcome))
    return chunk


# Summarize ------------------------------------------------------------------------------------------

REPORT_COLUMNS = ("row", "field", "reason")


def summarize(request: SummarizeRequest, files: ImportFiles) -> ImportSummary:
    spec = request.import_spec
    keys = ImportKeys(spec.import_id)
    results = [ChunkResult.model_validate(files.get_json(key)) for key in files.keys(keys.results)]
    missing = sorted(set(range(request.chunks)) - {r.chunk for r in results})
    if missing:
        # A Distributed Map fails when a child does; this also catches a chunk never listed or run.
        shown = ", ".join(str(n) for n in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise ChunksMissing(f"{len(missing)} of {request.chunks} chunks have no result: {shown}")
    _write_report(files, keys)
    summary = ImportSummary(
        import_id=spec.import_id,
        rows=sum(r.rows for r in results),
        imported=sum(r.imported for r in results),
        duplicates=sum(r.duplicates for r in results),
        errors=sum(r.errors for r in results),
        error_report=files.uri(keys.report),
        chunks=request.chunks,
        content=spec.content,
        cases_opened=sum(r.cases_opened for r in results),
    )
    files.put_json(keys.summary, summary.model_dump(mode="json"))
    return summary


def _write_report(files: ImportFiles, keys: ImportKeys) -> None:
    """The chunks' errors as one CSV sorted by row, written through temporary files: chunks hold
    partitions of the accounts, so their errors interleave, and a file where every row is wrong has a
    report as long as itself. Sorted in runs that fit in memory, then merged."""
    errors = (
        (int(line["row"]), str(line["field"]), str(line["reason"]))
        for key in files.keys(keys.errors)
        for line in files.read_lines(key)
    )
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        runs = []
        for number, run in enumerate(_batches(errors, _REPORT_SORT_RUN)):
            runs.append(folder / f"run-{number}.jsonl")
            runs[-1].write_text("".join(json.dumps(error) + "\n" for error in sorted(run)))
        path = folder / "errors.csv"
        with ExitStack() as stack, path.open("w", newline="", encoding="utf-8") as report:
            readers = [(tuple(json.loads(line)) for line in stack.enter_context(run.open())) for run in runs]
            writer = csv.writer(report)
            writer.writerow(REPORT_COLUMNS)
            writer.writerows(heapq.merge(*readers))
        files.upload_file(keys.report, path, "text/csv")
