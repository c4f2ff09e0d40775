"""The bulk import's three steps (statemachines/bulk_import.asl.json), each bound to its bucket and
tables. The signals service is made for the first signal chunk only (shared/wiring/accounts.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import TYPE_CHECKING

from shared.config import ImportSettings
from shared.services.bulk_import import (
    ChunkImporter,
    ImportRequest,
    ImportSummary,
    SplitResult,
    SummarizeRequest,
    split,
    summarize,
)
from shared.store.import_files import ImportFiles

if TYPE_CHECKING:
    from shared.services.signals import AccountSignals


def splitter(settings: ImportSettings) -> Callable[[ImportRequest], SplitResult]:
    return partial(split, files=ImportFiles(settings.imports_bucket))


def chunk_importer(settings: ImportSettings) -> ChunkImporter:
    from shared.store.responses import ResponseRepository
    from shared.store.rollups import RollupRepository

    @cache
    def account_signals() -> AccountSignals:
        from shared.wiring.accounts import account_signals

        return account_signals(settings)

    return ChunkImporter(
        files=ImportFiles(settings.imports_bucket),
        responses=ResponseRepository(settings.responses_table),
        rollups=RollupRepository(settings.rollups_table),
        account_signals=account_signals,
    )


def summarizer(settings: ImportSettings) -> Callable[[SummarizeRequest], ImportSummary]:
    return partial(summarize, files=ImportFiles(settings.imports_bucket))
