"""Fixtures the integration tests share."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.accounts import Account, AccountTeam
from shared.store.accounts import AccountRepository
from tests.integration.helpers import settings

ACME_TEAM = AccountTeam(csm="Ava CSM", cs_lead="Ben Lead", executive_sponsor="Cy VP")


@pytest.fixture
def directory(aws: Any) -> AccountRepository:
    """acct-001, a top-tier (24 h SLA) enterprise account with its account team."""
    accounts = AccountRepository(settings().accounts_table)
    accounts.put(
        Account(
            account_id="acct-001",
            name="Acme",
            segment="enterprise",
            arr=400_000,
            industry="retail",
            region="EMEA",
            lifecycle_stage="mature",
            team=ACME_TEAM,
        )
    )
    return accounts
