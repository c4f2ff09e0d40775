"""Figures for the bulk import on the embedded AWS. Prints; asserts nothing.

    .venv/bin/python -m bench.import_rate [--rows 100000]

Generates a vendor-style history export (CSV with the vendor's own column names, a mapping, Unix
timestamps, chronological as exports are, 0.5% bad rows), imports it with `run_import` (the real
bulk-import state machine: Split, the Distributed Map of ImportChunk, Summarize), and prints:
- rows per second, end to end (upload, split, every chunk, the report);
- DynamoDB requests per imported row, by action, counted at the embedded DynamoDB's front door;
- the same for importing the same rows again under another import (every row a duplicate).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.pipeline_throughput import READS, WRITES, count_dynamodb_requests
from local.aws import EmbeddedAws
from local.importer import ImportOutcome, run_import
from shared.domain.import_rows import ColumnMapping

# The vendor's column names, as an export has them; the mapping says which is which.
COLUMNS = ("Response ID", "Company", "Person", "Email", "Score", "Comment", "Created At", "Plan")
MAPPING = ColumnMapping(
    response_id="Response ID",
    account_id="Company",
    contact_id="Person",
    contact_email="Email",
    score="Score",
    comment="Comment",
    submitted_at="Created At",
    properties={"plan": "Plan"},
)
COMMENTS = ("", "", "Great support", "Too slow to load", "Missing SSO", "Love it", "Pricing is steep")


def write_history(path: Path, rows: int, accounts: int, contacts_per_account: int, seed: int) -> int:
    """A chronological export over the last two years; returns how many rows are deliberately bad."""
    rng = random.Random(seed)
    end = datetime(2026, 10, 1, tzinfo=UTC)
    span = timedelta(days=730).total_seconds()
    times = sorted(end.timestamp() - rng.random() * span for _ in range(rows))
    bad = 0
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number, at in enumerate(times):
            account = rng.randrange(accounts)
            person = f"p-{account}-{rng.randrange(contacts_per_account)}"
            score: object = min(10, max(0, round(rng.gauss(7.5, 2.2))))
            company: object = f"acct-{account:05d}"
            created: object = int(at)
            if rng.random() < 0.005:  # what real exports have: a typo'd score, a missing account, ...
                bad += 1
                score, company, created = rng.choice(
                    [(11, company, created), (score, "", created), (score, company, "last tuesday")]
                )
            writer.writerow(
                (
                    f"resp-{number:07d}",
                    company,
                    person,
                    f"{person}@example.com",
                    score,
                    rng.choice(COMMENTS),
                    created,
                    "pro",
                )
            )
    return bad


def _report(label: str, outcome: ImportOutcome, requests: dict[str, int]) -> None:
    s = outcome.summary
    per = max(s.imported, 1) if s.imported else max(s.duplicates, 1)
    unit = "imported row" if s.imported else "duplicate row"
    reads = sum(v for k, v in requests.items() if k in READS)
    writes = sum(v for k, v in requests.items() if k in WRITES)
    print(f"{label}")
    print(f"  rows {s.rows}: imported {s.imported}, duplicates {s.duplicates}, errors {s.errors}")
    print(f"  {s.chunks} chunks of up to 1,000 rows")
    print(f"  {outcome.seconds:7.1f} s   {s.rows / outcome.seconds:7.0f} rows/s end to end")
    print(f"  DynamoDB per {unit}: {writes / per:.3f} writes, {reads / per:.3f} reads")
    for action, calls in sorted(requests.items()):
        print(f"    {action:<14} {calls:>8}  ({calls / per:.3f} per {unit})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--contacts-per-account", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    sys.setswitchinterval(0.05)  # as `npsops import`

    with tempfile.TemporaryDirectory() as directory, EmbeddedAws() as aws:
        path = Path(directory) / "vendor-history.csv"
        bad = write_history(path, args.rows, args.accounts, args.contacts_per_account, args.seed)
        size = path.stat().st_size / 1e6
        print(
            f"history: {args.rows} rows ({bad} bad), {args.accounts} accounts x {args.contacts_per_account} "
            f"contacts, two years, {size:.1f} MB CSV"
        )
        requests = count_dynamodb_requests()
        first = run_import(aws, path, MAPPING, vendor="delighted")
        _report("first import", first, dict(requests))

        requests.clear()
        started = time.perf_counter()
        again = run_import(aws, path, MAPPING, vendor="delighted")
        print(
            f"same file again: {'already imported' if again.already_imported else 'ran'}, "
            f"{time.perf_counter() - started:.2f} s, {sum(requests.values())} DynamoDB requests"
        )

        # The same rows as another import (the mapping differs): every row is found stored.
        requests.clear()
        other = run_import(aws, path, MAPPING.model_copy(update={"properties": {}}), vendor="delighted")
        _report("same rows, another import (all duplicates)", other, dict(requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
