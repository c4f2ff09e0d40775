"""The vendor webhooks, and the connections and contact directory they resolve answers with (the
generic intake, which loads none of the vendors, is shared/wiring/intake.py)."""

from __future__ import annotations

from shared.config import SECRETS_PREFIX, IntakeSettings
from shared.services.directory import Directory
from shared.services.webhooks import Webhooks
from shared.store.connections import ConnectionRepository
from shared.store.contacts import ContactRepository
from shared.store.executions import PipelineStarter
from shared.store.quarantine import QuarantineRepository
from shared.store.responses import ResponseRepository
from shared.store.secrets import SecretStore
from shared.store.vendor_api import HttpVendorApi


def webhooks(settings: IntakeSettings) -> Webhooks:
    """The webhooks service on the deployed tables, secrets and vendor APIs."""
    return Webhooks(
        connections=ConnectionRepository(settings.connections_table),
        secrets=SecretStore(),
        vendor_api=HttpVendorApi(),
        contacts=ContactRepository(settings.contacts_table),
        quarantine=QuarantineRepository(settings.quarantine_table),
        responses=ResponseRepository(settings.responses_table),
        pipeline=PipelineStarter(settings.pipeline_arn),
    )


def directory(settings: IntakeSettings) -> Directory:
    """The connections, the contact directory and the quarantine, over the webhooks service (which
    takes the answers a new contact resolves); connection secrets go under SECRETS_PREFIX."""
    return Directory(webhooks=webhooks(settings), secrets_prefix=SECRETS_PREFIX)
