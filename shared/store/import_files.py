"""The imports bucket: uploaded history files, and each import's working files and reports.

    uploads/...                              files to import (an upload here starts an import on AWS)
    imports/{import_id}/manifest.json        what Split found: rows and chunks
    imports/{import_id}/chunks/{n}.jsonl     the file's rows, N per chunk: {"row": 2, "fields": {...}}
    imports/{import_id}/results/{n}.json     each chunk's counts, once it is imported
    imports/{import_id}/errors/{n}.jsonl     each chunk's rows in error: {"row", "field", "reason"}
    imports/{import_id}/errors.csv           the error report (row,field,reason)
    imports/{import_id}/summary.json         the import's counts
    imports/failures/{execution}.json        written by the state machine's failure path

Objects are streamed both ways: an import file can be far larger than a Lambda's memory.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from shared.store.dynamo import error_code, translated_errors

_TRANSIENT = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "503"}
_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}
CHUNK_NUMBER_DIGITS = 6  # zero-padded, so the listing order is the file order


@cache
def _s3() -> Any:
    return boto3.client("s3", config=Config(retries={"mode": "standard", "max_attempts": 5}))


@dataclass(frozen=True)
class ImportKeys:
    """Where one import's files live in the bucket."""

    import_id: str

    @property
    def root(self) -> str:
        return f"imports/{self.import_id}/"

    @property
    def chunks(self) -> str:
        return f"{self.root}chunks/"

    @property
    def results(self) -> str:
        return f"{self.root}results/"

    @property
    def errors(self) -> str:
        return f"{self.root}errors/"

    @property
    def manifest(self) -> str:
        return f"{self.root}manifest.json"

    @property
    def report(self) -> str:
        return f"{self.root}errors.csv"

    @property
    def summary(self) -> str:
        return f"{self.root}summary.json"

    def chunk(self, number: int) -> str:
        return f"{self.chunks}{number:0{CHUNK_NUMBER_DIGITS}d}.jsonl"

    def result(self, number: int) -> str:
        return f"{self.results}{number:0{CHUNK_NUMBER_DIGITS}d}.json"

    def chunk_errors(self, number: int) -> str:
        return f"{self.errors}{number:0{CHUNK_NUMBER_DIGITS}d}.jsonl"


def chunk_number(key: str) -> int:
    """The chunk a chunk, result or errors key belongs to (its zero-padded file name)."""
    return int(Path(key).name.split(".", 1)[0])


class ImportFiles:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    @contextmanager
    def open_text(self, key: str, encoding: str = "utf-8-sig") -> Iterator[tuple[TextIO, str]]:
        """The object as a text stream read as it is consumed, and its ETag. utf-8-sig drops the
        byte-order mark spreadsheet tools put in front of a CSV."""
        with translated_errors(_TRANSIENT):
            found = _s3().get_object(Bucket=self.bucket, Key=key)
        body = found["Body"]
        # newline="": the csv module handles line ends itself, including those inside quoted cells.
        text = io.TextIOWrapper(io.BufferedReader(body, buffer_size=1 << 20), encoding=encoding, newline="")
        try:
            # Reading happens in the caller, as it consumes the stream: a dropped connection there
            # is as retryable as one here.
            with translated_errors(_TRANSIENT):
                yield text, str(found.get("ETag", "")).strip('"')
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        with translated_errors(_TRANSIENT):
            try:
                _s3().head_object(Bucket=self.bucket, Key=key)
            except ClientError as error:
                if error_code(error) in _NOT_FOUND:
                    return False
                raise
        return True

    def get_json(self, key: str) -> Any | None:
        """The object parsed as JSON, or None when there is no such object."""
        with translated_errors(_TRANSIENT):
            try:
                found = _s3().get_object(Bucket=self.bucket, Key=key)
            except ClientError as error:
                if error_code(error) in _NOT_FOUND:
                    return None
                raise
            return json.loads(found["Body"].read())

    def put_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json.dumps(value).encode(), "application/json")

    def put_lines(self, key: str, lines: Iterable[dict[str, Any]]) -> None:
        """JSON lines, one object a line."""
        body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
        self.put_bytes(key, body.encode(), "application/x-ndjson")

    def read_lines(self, key: str) -> Iterator[dict[str, Any]]:
        with translated_errors(_TRANSIENT):
            found = _s3().get_object(Bucket=self.bucket, Key=key)
            for line in found["Body"].iter_lines(chunk_size=1 << 16):
                if line.strip():
                    yield json.loads(line)

    def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
        with translated_errors(_TRANSIENT):
            _s3().put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def upload_file(self, key: str, path: Path, content_type: str) -> None:
        """A local file, streamed (multipart above 8 MB)."""
        with translated_errors(_TRANSIENT):
            _s3().upload_file(str(path), self.bucket, key, ExtraArgs={"ContentType": content_type})

    def download_file(self, key: str, path: Path) -> None:
        with translated_errors(_TRANSIENT):
            _s3().download_file(self.bucket, key, str(path))

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under the prefix, in key order."""
        with translated_errors(_TRANSIENT):
            for page in _s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                yield from (str(entry["Key"]) for entry in page.get("Contents", ()))

    def count(self, prefix: str) -> int:
        return sum(1 for _ in self.keys(prefix))
